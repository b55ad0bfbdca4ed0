#include "jobs/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/access.hpp"
#include "core/metrics.hpp"
#include "db/dialect.hpp"

namespace rapport::jobs {

Instant NextDailyAt(Instant now, int hour) {
  const std::int64_t day = now / kMicrosPerDay;
  Instant at = day * kMicrosPerDay + std::int64_t{hour} * 3600 * kMicrosPerSecond;
  if (at <= now) at += kMicrosPerDay;
  return at;
}

Scheduler::Scheduler(db::Database& database, const Clock& clock, std::vector<ScheduledJob> jobs,
                     std::string server_name)
    : database_(database),
      clock_(clock),
      jobs_(std::move(jobs)),
      server_name_(std::move(server_name)) {}

Result<std::optional<std::string>> Scheduler::RunOne(const ScheduledJob& job, bool force) {
  std::optional<std::string> outcome;
  RAPPORT_RETURN_IF_ERROR(database_.Write([&](db::Transaction& tx) -> Status {
    const Instant now = clock_.Now();
    RAPPORT_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne(std::string("SELECT next_run_at FROM scheduled_jobs WHERE name = ?") +
                        (force ? "" : " AND next_run_at <= ?") + db::SkipLockedSuffix(tx.backend()),
                    force ? db::Params{job.name} : db::Params{job.name, now}));
    if (!row) return Ok();
    RAPPORT_ASSIGN_OR_RETURN(std::string result, job.run(tx, now));
    const Instant finished = clock_.Now();
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "UPDATE scheduled_jobs SET next_run_at = ?, last_started_at = ?, last_finished_at = ?, "
        "last_result = ?, run_by = ? WHERE name = ?",
        {force ? row->Int("next_run_at") : job.next_run(now), now, finished, result, server_name_,
         job.name}));
    outcome = result + " in " + std::to_string((finished - now) / 1000) + " ms";
    return Ok();
  }));
  if (outcome) spdlog::info("job {}: {}", job.name, *outcome);
  return outcome;
}

Status Scheduler::EnsureRows() {
  if (rows_ensured_) return Ok();
  RAPPORT_RETURN_IF_ERROR(database_.Write([&](db::Transaction& tx) -> Status {
    for (const auto& job : jobs_) {
      RAPPORT_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO scheduled_jobs (name, next_run_at) VALUES (?, 0) ON CONFLICT DO NOTHING",
          {job.name}));
    }
    return Ok();
  }));
  rows_ensured_ = true;
  return Ok();
}

Result<int> Scheduler::RunDue() {
  RAPPORT_RETURN_IF_ERROR(EnsureRows());
  int ran = 0;
  for (const auto& job : jobs_) {
    Backoff& backoff = backoff_[job.name];
    const Instant now = clock_.Now();
    if (now < backoff.retry_at) continue;
    auto outcome = RunOne(job, false);
    if (!outcome.ok()) {
      ++backoff.failures;
      const std::int64_t wait =
          std::min(kLongestRetry, kFirstRetry << std::min(backoff.failures - 1, 16));
      backoff.retry_at = now + wait;
      spdlog::warn("job {} failed ({} in a row), next try in {} s: {}", job.name, backoff.failures,
                   wait / kMicrosPerSecond, outcome.error().message());
      // The run rolled back; say so where admins look.
      Status recorded = database_.Write([&](db::Transaction& tx) -> Status {
        return tx.Execute(
            "UPDATE scheduled_jobs SET last_finished_at = ?, last_result = ?, run_by = ? WHERE "
            "name = ?",
            {clock_.Now(), "failed: " + outcome.error().message(), server_name_, job.name});
      });
      (void)recorded;
      continue;
    }
    backoff = Backoff{};
    if (*outcome) ++ran;
  }
  return ran;
}

Result<std::string> Scheduler::RunNow(const std::string& name) {
  RAPPORT_RETURN_IF_ERROR(EnsureRows());
  for (const auto& job : jobs_) {
    if (job.name != name) continue;
    RAPPORT_ASSIGN_OR_RETURN(auto outcome, RunOne(job, true));
    if (!outcome) return Error(ErrorCode::kConflict, "another server is running " + name);
    return *outcome;
  }
  return Error(ErrorCode::kNotFound, "no job " + name);
}

Status WriteJobMetrics(db::Transaction& tx, std::string& out) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query("SELECT name, next_run_at, last_finished_at, last_result "
                                    "FROM scheduled_jobs ORDER BY name"));
  auto seconds = [](std::int64_t micros) { return static_cast<double>(micros) / kMicrosPerSecond; };
  metrics::WriteHeader(out, "rapport_job_last_finished_timestamp_seconds", "gauge",
                       "When each scheduled job last finished (0: never)");
  for (const db::Row& row : rows) {
    metrics::WriteSample(out, "rapport_job_last_finished_timestamp_seconds",
                         metrics::Label("job", row.Text("name")),
                         row.IsNull("last_finished_at") ? 0 : seconds(row.Int("last_finished_at")));
  }
  metrics::WriteHeader(out, "rapport_job_next_run_timestamp_seconds", "gauge",
                       "When each scheduled job runs next");
  for (const db::Row& row : rows) {
    metrics::WriteSample(out, "rapport_job_next_run_timestamp_seconds",
                         metrics::Label("job", row.Text("name")), seconds(row.Int("next_run_at")));
  }
  metrics::WriteHeader(out, "rapport_job_last_run_failed", "gauge",
                       "1 when each scheduled job's last run failed");
  for (const db::Row& row : rows) {
    const bool failed = !row.IsNull("last_result") && row.Text("last_result").starts_with("failed");
    metrics::WriteSample(out, "rapport_job_last_run_failed",
                         metrics::Label("job", row.Text("name")), failed ? 1 : 0);
  }
  return Ok();
}

namespace {

Result<api::Response> ListJobs(api::ApiContext& ctx, Scheduler& scheduler, const api::Request&,
                               const api::Caller&) {
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    w.StartObject().Key("items").StartArray();
    for (const auto& job : scheduler.jobs()) {
      RAPPORT_ASSIGN_OR_RETURN(auto row,
                               tx.QueryOne("SELECT next_run_at, last_started_at, last_finished_at, "
                                           "last_result, run_by FROM scheduled_jobs WHERE name = ?",
                                           {job.name}));
      if (!row) continue;
      w.StartObject().Key("name").String(job.name);
      w.Key("description").String(job.description);
      w.Key("next_run_at").OptInstant(row->Int("next_run_at"));
      w.Key("last_started_at").OptInstant(row->OptInt("last_started_at"));
      w.Key("last_finished_at").OptInstant(row->OptInt("last_finished_at"));
      w.Key("last_result").OptString(row->OptText("last_result"));
      w.Key("run_by").OptString(row->OptText("run_by"));
      w.EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> RunJob(Scheduler& scheduler, const api::Request& r, const api::Caller&) {
  RAPPORT_ASSIGN_OR_RETURN(std::string result, scheduler.RunNow(r.PathParam("name")));
  api::JsonWriter w;
  w.StartObject().Key("name").String(r.PathParam("name")).Key("result").String(result);
  w.EndObject();
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterJobRoutes(api::Router& router, api::ApiContext& ctx, Scheduler& scheduler) {
  router.Add(
      {"GET",
       "/api/v1/jobs",
       api::Access::kAdmins,
       api::Reach::None("an admin tool"),
       [&ctx, &scheduler](const api::Request& r, const api::Caller& c) {
         return ListJobs(ctx, scheduler, r, c);
       },
       {"The scheduled jobs, when each runs next and what its last run did (admins)",
        "Administration",
        {},
        "",
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object"}}}})"}});

  router.Add(
      {"POST",
       "/api/v1/jobs/{name}/run",
       api::Access::kAdmins,
       api::Reach::None("an admin tool"),
       [&scheduler](const api::Request& r, const api::Caller& c) {
         return RunJob(scheduler, r, c);
       },
       {"Runs a scheduled job now (admins); its schedule stays as it was",
        "Administration",
        {},
        "",
        R"({"type":"object","properties":{"name":{"type":"string"},"result":{"type":"string"}}})"}});
}

}  // namespace rapport::jobs
