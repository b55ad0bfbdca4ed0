// The scheduler on two "servers" (two connections to one database): a due job runs once, never on
// both at the same time, and its next run moves on in the same commit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "jobs/scheduler.hpp"
#include "support/storage_fixture.hpp"

namespace rapport::jobs {
namespace {

using ::rapport::testing::StorageTest;

class SchedulerTest : public StorageTest {};

TEST_P(SchedulerTest, ADueJobRunsOnOneServerAtATime) {
  auto other_server = test_db_.Open();
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
                          while (hold && !release)
                            std::this_thread::sleep_for(std::chrono::milliseconds(5));
                          --running;
                          return std::string("ran");
                        },
                        [](Instant now) { return NextDailyAt(now, 2); }};
  };
  Scheduler first(*database_, clock_, {job(true)}, "first");
  Scheduler second(*other_server, clock_, {job(false)}, "second");

  Result<int> first_ran = 0, second_ran = 0;
  std::thread a([&] { first_ran = first.RunDue(); });
  while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // While the first server holds the job, the second looks for due work.
  std::thread b([&] { second_ran = second.RunDue(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  release = true;
  a.join();
  b.join();
  ASSERT_OK(first_ran);
  ASSERT_OK(second_ran);
  EXPECT_EQ(*first_ran, 1);
  EXPECT_EQ(*second_ran, 0) << "the second server found it taken, then no longer due";
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(most_at_once, 1);
  // The next run is tomorrow at two, recorded with who ran it.
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT next_run_at, run_by, last_result FROM "
                                                   "scheduled_jobs WHERE name = 'nightly-alerts'"));
    EXPECT_EQ(row->Int(0), NextDailyAt(clock_.Now(), 2));
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
