#include "core/validation.hpp"

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(Validation, Emails) {
  EXPECT_TRUE(IsValidEmail("jane.doe@hospital.nhs.uk"));
  for (const char* bad : {"", "jane", "jane@", "@nhs.uk", "jane@nhs", "ja ne@nhs.uk",
                          "jane@@nhs.uk", "jane@nhs..uk", "jane@.uk"}) {
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  }
  const Status s = CheckEmail("email", "not-an-email");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().fields().at(0).field, "email");
}

TEST(Validation, RequiredAndOneOf) {
  EXPECT_FALSE(CheckRequired("name", "   ", 10).ok());
  EXPECT_FALSE(CheckRequired("name", "a very long name", 10).ok());
  EXPECT_TRUE(CheckRequired("name", "St Mary's", 10).ok());
  const Status s = CheckOneOf("stance", "hostile", {"advocate", "neutral", "detractor"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "stance: 'hostile' is not one of: advocate, neutral, detractor");
}

}  // namespace
}  // namespace rapport
