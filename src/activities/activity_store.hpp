// Activities (calls, visits, emails, meetings, notes: the account's timeline) and tasks (what
// someone must do by a date).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "db/database.hpp"
#include "records/opportunities.hpp"

namespace rapport::activities {

inline constexpr auto& kKinds = records::kActivityKinds;

struct Activity {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::int64_t user_id = 0;
  std::string kind;
  Instant occurred_at = 0;
  std::string subject;
  std::optional<std::string> body;
  std::optional<std::string> outcome;
  std::optional<std::string> next_step;
  std::optional<std::int64_t> opportunity_id;
  std::vector<std::int64_t> contact_ids;
  Instant created_at = 0;
  std::int64_t version = 0;
};

struct NewActivity {
  std::int64_t account_id = 0;
  std::int64_t user_id = 0;
  std::string kind;
  Instant occurred_at = 0;
  std::string subject;
  std::optional<std::string> body;
  std::optional<std::string> outcome;
  std::optional<std::string> next_step;
  std::optional<std::int64_t> opportunity_id;
  std::vector<std::int64_t> contact_ids;  // each must work at the account
};

Result<Activity> LogActivity(db::Transaction& tx, const audit::Actor& actor,
                             const NewActivity& activity);
Result<Activity> GetActivity(db::Transaction& tx, std::int64_t id);
// Newest first.
Result<std::vector<Activity>> TimelineOfAccount(db::Transaction& tx, std::int64_t account_id,
                                                int limit);

struct Task {
  std::int64_t id = 0;
  std::int64_t owner_id = 0;
  std::optional<std::int64_t> account_id;
  std::optional<std::string> related_type;
  std::optional<std::int64_t> related_id;
  std::string subject;
  std::optional<std::string> due_on;
  std::optional<Instant> done_at;
  Instant created_at = 0;
  std::int64_t version = 0;
};

struct NewTask {
  std::int64_t owner_id = 0;
  std::optional<std::int64_t> account_id;
  std::optional<std::string> related_type;
  std::optional<std::int64_t> related_id;
  std::string subject;
  std::optional<std::string> due_on;
};

Result<Task> CreateTask(db::Transaction& tx, const audit::Actor& actor, const NewTask& task);
Result<Task> GetTask(db::Transaction& tx, std::int64_t id);
Result<Task> CompleteTask(db::Transaction& tx, const audit::Actor& actor, std::int64_t id);
// Open tasks of a user, soonest due first (undated last).
Result<std::vector<Task>> OpenTasksOf(db::Transaction& tx, std::int64_t owner_id);

}  // namespace rapport::activities
