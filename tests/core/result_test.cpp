#include "core/result.hpp"

#include <gtest/gtest.h>

namespace rapport {
namespace {

Result<int> Half(int n) {
  if (n % 2) return Error::InvalidField("n", "must be even");
  return n / 2;
}

Result<int> Quarter(int n) {
  RAPPORT_ASSIGN_OR_RETURN(int half, Half(n));
  RAPPORT_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(Result, CarriesAValueOrAnError) {
  EXPECT_EQ(*Half(8), 4);
  const auto odd = Half(7);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(odd.error().fields().size(), 1u);
  EXPECT_EQ(odd.error().fields()[0].field, "n");
  EXPECT_EQ(odd.error().ToString(), "invalid_argument: n: must be even");
}

TEST(Result, AssignOrReturnStopsAtTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());  // 6 -> 3, then odd
  EXPECT_EQ(Quarter(6).error().message(), "n: must be even");
}

}  // namespace
}  // namespace rapport
