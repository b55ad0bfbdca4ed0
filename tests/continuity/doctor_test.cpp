#include "continuity/doctor.hpp"

#include <gmock/gmock.h>

#include "demo/demo_data.hpp"
#include "support/storage_fixture.hpp"

namespace rapport::continuity {
namespace {

using ::rapport::testing::StorageTest;
using DoctorTest = StorageTest;

std::vector<std::string> Broken(db::Database& database) {
  auto violations = CheckInvariants(database);
  EXPECT_TRUE(violations.ok()) << violations.error().ToString();
  std::vector<std::string> names;
  for (const auto& v : *violations) names.push_back(v.check);
  return names;
}

TEST_P(DoctorTest, TheDemoKeepsEveryInvariantAndBreakagesAreNamed) {
  demo::DemoOptions options;
  options.seed = 7;
  options.size = demo::SizeOf(demo::Scale::kSmall);
  options.as_of_day = DaysFromCivil(2026, 11, 28);
  ASSERT_OK(demo::FillDemo(*database_, options));
  EXPECT_TRUE(Broken(*database_).empty());

  // A rep leaves without a handover: their accounts, deals and tasks are now with nobody.
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t owner,
                             tx.QueryInt("SELECT owner_id FROM accounts WHERE id = 1"));
    RAPPORT_RETURN_IF_ERROR(users::SetUserStatus(tx, System(), owner, "left"));
    RAPPORT_RETURN_IF_ERROR(tx.Execute("UPDATE accounts SET owner_id = NULL WHERE id = 2"));
    // Someone edits the team's copy of a name by hand (the database's triggers keep it true).
    return tx.Execute(
        "UPDATE account_team_members SET account_name = 'Not its name' WHERE id = (SELECT "
        "min(id) FROM account_team_members)");
  });
  const auto broken = Broken(*database_);
  using ::testing::Contains;
  EXPECT_THAT(broken, Contains("account owned by a user who has left"));
  EXPECT_THAT(broken, Contains("open task assigned to a user who has left"));
  EXPECT_THAT(broken, Contains("account without an owner"));
  EXPECT_THAT(broken, Contains("team member whose copy of its account's name is stale"));
  auto violations = CheckInvariants(*database_);
  for (const auto& v : *violations) {
    EXPECT_GT(v.count, 0);
    EXPECT_LE(v.examples.size(), 10u);
    if (v.check == "account without an owner") {
      EXPECT_EQ(v.examples, std::vector<std::string>{"accounts 2"});
    }
  }
}

RAPPORT_ON_BOTH_BACKENDS(DoctorTest);

}  // namespace
}  // namespace rapport::continuity
