// The scheduler on two "servers" (two connections to one database): a due job runs once, never on
// both at the same time, and its next run moves on in the same commit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "jobs/scheduler.hpp"
#include "support/storage_fixture.hpp"

namespace rapport::jobs {
namespace {

using ::rapport::testing::StorageTest;

class SchedulerTest : public StorageTest {};

TEST_P(SchedulerTest, ADueJobRunsOnOneServerAtATime) {
  // The second server gives up on a locked database at once (SQLite's busy timeout 0), so that
  // its look for due work ends while the first still holds the job, on both backends.
  db::DatabaseOptions impatient;
  impatient.busy_timeout_ms = 0;
  auto other_server = test_db_.Open(impatient);
  ASSERT_NE(other_server, nullptr);
  std::atomic<int> running{0}, most_at_once{0}, runs{0};
  std::atomic<bool> entered{false}, release{false};
  auto job = [&](bool hold) {
    return ScheduledJob{"nightly-alerts", "test",
                        [&, hold](db::Transaction&, Instant) -> Result<std::string> {
                          const int now_running = ++running;
                          most_at_once = std::max(most_at_once.load(), now_running);
                          ++runs;
                          entered = true;
                          entered.notify_all();
                          if (hold) release.wait(false);
                          --running;
                          return std::string("ran");
                        },
                        [](Instant now) { return NextDailyAt(now, 2); }};
  };
  Scheduler first(*database_, clock_, {job(true)}, "first");
  Scheduler second(*other_server, clock_, {job(false)}, "second");
  // Each server has its job's row before the race (and running no job does not run one).
  ASSERT_FALSE(second.RunNow("no-such-job").ok());
  const Instant started = clock_.Now();

  Result<int> first_ran = 0;
  std::thread a([&] { first_ran = first.RunDue(); });
  entered.wait(false);
  // While the first server holds the job, the second looks for due work: on PostgreSQL it skips
  // the locked row, on SQLite it cannot take the write lock. Either way it ends without running
  // the job, before the first lets go.
  auto second_look = std::async(std::launch::async, [&] { return second.RunDue(); });
  const bool looked = second_look.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  EXPECT_TRUE(looked) << "the second server waited for the first";
  EXPECT_EQ(running, 1) << "the first server still holds the job";
  release = true;
  release.notify_all();
  a.join();
  const Result<int> second_ran = second_look.get();
  ASSERT_OK(first_ran);
  ASSERT_OK(second_ran);
  EXPECT_EQ(*first_ran, 1);
  EXPECT_EQ(*second_ran, 0) << "the second server found the job taken";
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(most_at_once, 1);
  // Past any wait the lock left on the second server, the job is no longer due there.
  clock_.Advance(kMicrosPerSecond * 31);
  auto again = second.RunDue();
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0) << "it ran once today already";
  EXPECT_EQ(runs, 1);
  // The next run is tomorrow at two, recorded with who ran it.
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT next_run_at, run_by, last_result FROM "
                                                   "scheduled_jobs WHERE name = 'nightly-alerts'"));
    EXPECT_EQ(row->Int(0), NextDailyAt(started, 2));
    EXPECT_EQ(row->Text(1), "first");
    EXPECT_EQ(row->Text(2), "ran");
    return Ok();
  });
  // Run now (an admin's button) runs it whatever the schedule, and keeps the schedule.
  auto forced = second.RunNow("nightly-alerts");
  ASSERT_OK(forced);
  EXPECT_EQ(runs, 2);
  EXPECT_FALSE(second.RunNow("no-such-job").ok());
}

TEST_P(SchedulerTest, AFailingJobIsTriedAgainAfterAWaitThatDoublesNotAtEveryPoll) {
  int attempts = 0;
  bool fail = true;
  Scheduler scheduler(
      *database_, clock_,
      {ScheduledJob{"case-escalation", "test",
                    [&](db::Transaction& tx, Instant) -> Result<std::string> {
                      ++attempts;
                      // Something the failure must roll back.
                      RAPPORT_RETURN_IF_ERROR(tx.Execute(
                          "UPDATE scheduled_jobs SET run_by = 'half-done' WHERE name = ?",
                          {std::string("case-escalation")}));
                      if (fail) return Error(ErrorCode::kUnavailable, "the mail server is down");
                      return std::string("ran");
                    },
                    [](Instant now) { return now + 60 * kMicrosPerSecond; }}},
      "only");
  auto result = [&] {
    std::string text;
    Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(
          auto row, tx.QueryOne("SELECT last_result, run_by FROM scheduled_jobs WHERE name = ?",
                                {std::string("case-escalation")}));
      text = row->Text(0) + " by " + row->Text(1);
      return Ok();
    });
    return text;
  };
  ASSERT_OK(scheduler.RunDue());
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(result(), "failed: the mail server is down by only") << "recorded, the run undone";
  // Polls within the wait do not try again: 30 s, then 60 s, then 120 s.
  const std::int64_t s = kMicrosPerSecond;
  for (const auto& [advance, expected] : std::vector<std::pair<std::int64_t, int>>{
           {10 * s, 1}, {21 * s, 2}, {31 * s, 2}, {30 * s, 3}, {119 * s, 3}, {2 * s, 4}}) {
    clock_.Advance(advance);
    ASSERT_OK(scheduler.RunDue());
    EXPECT_EQ(attempts, expected) << "after " << advance / s << " s more";
  }
  // Once it works the waits start again from the schedule.
  fail = false;
  clock_.Advance(241 * s);
  auto ran = scheduler.RunDue();
  ASSERT_OK(ran);
  EXPECT_EQ(*ran, 1);
  EXPECT_EQ(result(), "ran by only");
}

TEST(NextDailyAt, IsTheNextOccurrenceOfTheHour) {
  const Instant midnight = DaysFromCivil(2026, 11, 28) * kMicrosPerDay;
  const Instant hour = 3600 * kMicrosPerSecond;
  EXPECT_EQ(NextDailyAt(midnight, 2), midnight + 2 * hour);
  EXPECT_EQ(NextDailyAt(midnight + 2 * hour, 2), midnight + kMicrosPerDay + 2 * hour);
  EXPECT_EQ(NextDailyAt(midnight + 5 * hour, 2), midnight + kMicrosPerDay + 2 * hour);
}

RAPPORT_ON_BOTH_BACKENDS(SchedulerTest);

}  // namespace
}  // namespace rapport::jobs
