// Jobs that run inside `rapport serve` on a schedule (the nightly alerts, case escalation), one
// server at a time when several share one PostgreSQL: each job has a row in scheduled_jobs, and a
// server runs a due job inside the transaction that holds that row locked (FOR UPDATE SKIP LOCKED;
// SQLite's single writer does the same), then moves its next run on in the same commit. A crash
// mid-job rolls the whole run back and another server (or the next poll) runs it again.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/resource.hpp"
#include "api/router.hpp"
#include "core/clock.hpp"
#include "db/database.hpp"

namespace rapport::jobs {

struct ScheduledJob {
  std::string name;  // its row in scheduled_jobs
  std::string description;
  // Does the work in the scheduler's transaction; a line for the log and the jobs list.
  std::function<Result<std::string>(db::Transaction&, Instant now)> run;
  // When it runs next, after a run at `now`.
  std::function<Instant(Instant now)> next_run;
};

// The next `hour`:00 UTC after `now`.
Instant NextDailyAt(Instant now, int hour);

// Runs this server's share of the scheduled jobs (see above). Thread-safe, except that RunDue runs
// on one thread at a time (serve's scheduler thread); RunNow may run beside it from any thread.
class Scheduler {
 public:
  Scheduler(db::Database& database, const Clock& clock, std::vector<ScheduledJob> jobs,
            std::string server_name);

  // Runs each job that is due and not being run by another server; returns how many ran. A job
  // that fails rolls back, is recorded as failed, and is tried again after a wait that doubles
  // with each failure in a row (kFirstRetry, up to kLongestRetry), not at every poll.
  Result<int> RunDue();
  static constexpr std::int64_t kFirstRetry = 30 * kMicrosPerSecond;
  static constexpr std::int64_t kLongestRetry = 3600 * kMicrosPerSecond;
  // Runs `name` now whatever its schedule (an admin's "run now"): what it reported. kNotFound for
  // no such job; kConflict when another server is running it.
  Result<std::string> RunNow(const std::string& name);
  const std::vector<ScheduledJob>& jobs() const { return jobs_; }

 private:
  // Makes sure each job has its row (a new job runs at the first chance).
  Status EnsureRows();
  // nullopt when the job was not due or another server holds it.
  Result<std::optional<std::string>> RunOne(const ScheduledJob& job, bool force);

  db::Database& database_;
  const Clock& clock_;
  std::vector<ScheduledJob> jobs_;
  std::string server_name_;
  std::atomic<bool> rows_ensured_{false};
  // Per job, on this server: failures in a row and when to try again. RunDue's thread only.
  struct Backoff {
    int failures = 0;
    Instant retry_at = 0;
  };
  std::map<std::string, Backoff> backoff_;
};

// The scheduled jobs for /metrics (as the database has them, whichever server ran them): when
// each last finished and will run next, and whether its last run failed.
Status WriteJobMetrics(db::Transaction& tx, std::string& out);

// GET /api/v1/jobs and POST /api/v1/jobs/{name}/run, for admins.
void RegisterJobRoutes(api::Router& router, api::ApiContext& ctx, Scheduler& scheduler);

}  // namespace rapport::jobs
