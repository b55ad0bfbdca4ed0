#include "audit/audit_log.hpp"

#include "support/storage_fixture.hpp"

namespace rapport::audit {
namespace {

using ::rapport::testing::StorageTest;
using AuditTest = StorageTest;

TEST_P(AuditTest, RecordsWhoChangedWhatWithOldAndNewValues) {
  const std::int64_t editor = MakeUser("editor@example.org");
  const std::int64_t account = MakeAccount("Leeds Teaching Hospitals");
  clock_.Advance(kMicrosPerSecond);
  Write([&](db::Transaction& tx) -> Status {
    accounts::AccountFields f;
    f.name = "Leeds Teaching Hospitals NHS Trust";
    f.postcode = std::optional<std::string>("LS1 3EX");
    f.status = "customer";  // unchanged: not recorded
    RAPPORT_ASSIGN_OR_RETURN(auto updated, accounts::UpdateAccount(tx, As(editor), account, 1, f));
    EXPECT_EQ(updated.version, 2);
    return Ok();
  });
  std::vector<HistoryEntry> history;
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(history, History(tx, "accounts", account));
    return Ok();
  }));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].action, "create");
  EXPECT_FALSE(history[0].changed_by.has_value());
  EXPECT_EQ(history[1].action, "update");
  EXPECT_EQ(history[1].field, "name");
  EXPECT_EQ(history[1].old_value, "Leeds Teaching Hospitals");
  EXPECT_EQ(history[1].new_value, "Leeds Teaching Hospitals NHS Trust");
  EXPECT_EQ(history[1].changed_by, editor);
  EXPECT_EQ(history[1].changed_at, clock_.Now());
  EXPECT_EQ(history[2].field, "postcode");
  EXPECT_FALSE(history[2].old_value.has_value());
  EXPECT_EQ(history[2].new_value, "LS1 3EX");
}

TEST_P(AuditTest, AStaleVersionChangesNothing) {
  const std::int64_t account = MakeAccount("Bradford Royal Infirmary");
  Write([&](db::Transaction& tx) -> Status {
    accounts::AccountFields f;
    f.region = std::optional<std::string>("Yorkshire");
    return accounts::UpdateAccount(tx, System(), account, 1, f).ok()
               ? Ok()
               : Status(Error(ErrorCode::kInternal, "first update failed"));
  });
  const Status stale = database_->Write([&](db::Transaction& tx) -> Status {
    accounts::AccountFields f;
    f.name = "Overwritten";
    RAPPORT_ASSIGN_OR_RETURN(auto a, accounts::UpdateAccount(tx, System(), account, 1, f));
    return Ok();
  });
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code(), ErrorCode::kStale);
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto a, accounts::GetAccount(tx, account));
    EXPECT_EQ(a.name, "Bradford Royal Infirmary");
    EXPECT_EQ(a.version, 2);
    RAPPORT_ASSIGN_OR_RETURN(auto h, History(tx, "accounts", account));
    EXPECT_EQ(h.size(), 2u);
    return Ok();
  }));
}

RAPPORT_ON_BOTH_BACKENDS(AuditTest);

}  // namespace
}  // namespace rapport::audit
