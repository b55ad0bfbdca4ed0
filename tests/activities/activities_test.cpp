#include "activities/activity_store.hpp"

#include "support/storage_fixture.hpp"

namespace rapport::activities {
namespace {

using ::rapport::testing::StorageTest;
using ActivitiesTest = StorageTest;

TEST_P(ActivitiesTest, TheTimelineShowsTheNewestFirstWithWhoWasMet) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("Kendal Community Hospital", rep);
  const std::int64_t matron = MakeContact(account, "Grace", "Hill");
  const std::int64_t buyer = MakeContact(account, "Ravi", "Patel");
  for (int day = 0; day < 3; ++day) {
    Write([&](db::Transaction& tx) -> Status {
      NewActivity a;
      a.account_id = account;
      a.user_id = rep;
      a.kind = day == 1 ? "visit" : "call";
      a.occurred_at = clock_.Now() + day * kMicrosPerDay;
      a.subject = "Check-in " + std::to_string(day);
      a.outcome = "Happy with the pumps";
      a.contact_ids = {buyer, matron};
      RAPPORT_ASSIGN_OR_RETURN(auto logged, LogActivity(tx, As(rep), a));
      EXPECT_EQ(logged.contact_ids, (std::vector<std::int64_t>{matron, buyer}));
      return Ok();
    });
  }
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto timeline, TimelineOfAccount(tx, account, 2));
    EXPECT_EQ(timeline.size(), 2u);
    EXPECT_EQ(timeline.at(0).subject, "Check-in 2");
    EXPECT_EQ(timeline.at(1).kind, "visit");
    return Ok();
  }));
}

TEST_P(ActivitiesTest, AContactFromAnotherAccountIsRefusedAndNothingIsWritten) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("Kendal Community Hospital", rep);
  const std::int64_t elsewhere = MakeContact(MakeAccount("Truro Hospital", rep), "Leo", "Ward");
  const Status s = database_->Write([&](db::Transaction& tx) -> Status {
    NewActivity a;
    a.account_id = account;
    a.user_id = rep;
    a.kind = "meeting";
    a.occurred_at = clock_.Now();
    a.subject = "Review";
    a.contact_ids = {elsewhere};
    RAPPORT_ASSIGN_OR_RETURN(auto logged, LogActivity(tx, As(rep), a));
    return Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().fields().at(0).field, "contact_ids[0]");
  EXPECT_EQ(Count("activities"), 0);
  EXPECT_EQ(Count("activity_contacts"), 0);
}

TEST_P(ActivitiesTest, TasksAreDoneOnceAndListedSoonestFirst) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("Kendal Community Hospital", rep);
  std::vector<std::int64_t> ids;
  for (auto due : {std::optional<std::string>("2026-12-05"), std::optional<std::string>(),
                   std::optional<std::string>("2026-12-01")}) {
    Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(auto t,
                               CreateTask(tx, As(rep), {rep, account, {}, {}, "Follow up", due}));
      ids.push_back(t.id);
      return Ok();
    });
  }
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto done, CompleteTask(tx, As(rep), ids[0]));
    EXPECT_EQ(done.done_at, clock_.Now());
    RAPPORT_ASSIGN_OR_RETURN(auto open, OpenTasksOf(tx, rep));
    EXPECT_EQ(open.size(), 2u);
    EXPECT_EQ(open.at(0).id, ids[2]);
    EXPECT_EQ(open.at(1).id, ids[1]);
    return Ok();
  });
  const Status bad = database_->Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        auto t, CreateTask(tx, As(rep), {rep, account, {}, {}, "Later", "31/12/2026"}));
    return Ok();
  });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields().at(0).field, "due_on");
}

RAPPORT_ON_BOTH_BACKENDS(ActivitiesTest);

}  // namespace
}  // namespace rapport::activities
