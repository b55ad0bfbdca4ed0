#include "activities/activity_store.hpp"

#include "core/validation.hpp"

namespace rapport::activities {
namespace {

constexpr const char* kActivityColumns =
    "id, account_id, user_id, kind, occurred_at, subject, body, outcome, next_step, "
    "opportunity_id, created_at, version";

Result<Activity> ActivityFromRow(db::Transaction& tx, const db::Row& r) {
  Activity a{.id = r.Int("id"),
             .account_id = r.Int("account_id"),
             .user_id = r.Int("user_id"),
             .kind = r.Text("kind"),
             .occurred_at = r.Int("occurred_at"),
             .subject = r.Text("subject"),
             .body = r.OptText("body"),
             .outcome = r.OptText("outcome"),
             .next_step = r.OptText("next_step"),
             .opportunity_id = r.OptInt("opportunity_id"),
             .contact_ids = {},
             .created_at = r.Int("created_at"),
             .version = r.Int("version")};
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows contacts,
      tx.Query("SELECT contact_id FROM activity_contacts WHERE activity_id = ? ORDER BY contact_id",
               {a.id}));
  for (const auto& c : contacts) a.contact_ids.push_back(c.Int("contact_id"));
  return a;
}

constexpr const char* kTaskColumns =
    "id, owner_id, account_id, related_type, related_id, subject, due_on, done_at, created_at, "
    "version";

Task TaskFromRow(const db::Row& r) {
  return Task{.id = r.Int("id"),
              .owner_id = r.Int("owner_id"),
              .account_id = r.OptInt("account_id"),
              .related_type = r.OptText("related_type"),
              .related_id = r.OptInt("related_id"),
              .subject = r.Text("subject"),
              .due_on = r.OptText("due_on"),
              .done_at = r.OptInt("done_at"),
              .created_at = r.Int("created_at"),
              .version = r.Int("version")};
}

}  // namespace

Result<Activity> LogActivity(db::Transaction& tx, const audit::Actor& actor, const NewActivity& a) {
  RAPPORT_RETURN_IF_ERROR(CheckOneOf("kind", a.kind, kKinds));
  RAPPORT_RETURN_IF_ERROR(
      CheckRequired("subject", a.subject, records::ActivityRecord().MaxLength("subject")));
  RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "accounts", a.account_id, "account_id"));
  RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "users", a.user_id, "user_id"));
  if (a.opportunity_id) {
    RAPPORT_RETURN_IF_ERROR(
        audit::CheckReference(tx, "opportunities", *a.opportunity_id, "opportunity_id"));
  }
  for (size_t i = 0; i < a.contact_ids.size(); ++i) {
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> contact,
        tx.QueryOne("SELECT account_id FROM contacts WHERE id = ?", {a.contact_ids[i]}));
    const std::string field = "contact_ids[" + std::to_string(i) + "]";
    if (!contact) return Error::InvalidField(field, "contact does not exist");
    if (contact->Int("account_id") != a.account_id) {
      return Error::InvalidField(field, "the contact works at another account");
    }
  }
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t id,
      audit::InsertAudited(tx, actor, "activities",
                           {{"account_id", a.account_id},
                            {"user_id", a.user_id},
                            {"kind", a.kind},
                            {"occurred_at", a.occurred_at},
                            {"subject", a.subject},
                            {"body", db::OptionalText(a.body)},
                            {"outcome", db::OptionalText(a.outcome)},
                            {"next_step", db::OptionalText(a.next_step)},
                            {"opportunity_id", db::OptionalInt(a.opportunity_id)}}));
  for (std::int64_t contact_id : a.contact_ids) {
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO activity_contacts (activity_id, contact_id) VALUES (?, ?) ON "
                   "CONFLICT DO NOTHING",
                   {id, contact_id}));
  }
  return GetActivity(tx, id);
}

Result<Activity> GetActivity(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(std::string("SELECT ") + kActivityColumns + " FROM activities WHERE id = ?",
                  {id}));
  if (!row)
    return Error(ErrorCode::kNotFound, "activity " + std::to_string(id) + " does not exist");
  return ActivityFromRow(tx, *row);
}

Result<std::vector<Activity>> TimelineOfAccount(db::Transaction& tx, std::int64_t account_id,
                                                int limit) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(std::string("SELECT ") + kActivityColumns +
                   " FROM activities WHERE account_id = ? ORDER BY occurred_at DESC, "
                   "id DESC LIMIT ?",
               {account_id, std::int64_t{limit}}));
  std::vector<Activity> out;
  for (const auto& r : rows) {
    RAPPORT_ASSIGN_OR_RETURN(Activity a, ActivityFromRow(tx, r));
    out.push_back(std::move(a));
  }
  return out;
}

Result<Task> CreateTask(db::Transaction& tx, const audit::Actor& actor, const NewTask& t) {
  RAPPORT_RETURN_IF_ERROR(CheckRequired("subject", t.subject, 300));
  RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "users", t.owner_id, "owner_id"));
  if (t.account_id) {
    RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "accounts", *t.account_id, "account_id"));
  }
  if (t.related_type) {
    RAPPORT_RETURN_IF_ERROR(CheckOneOf("related_type", *t.related_type,
                                       {"opportunity", "contact", "activity", "purchase"}));
    if (!t.related_id) return Error::InvalidField("related_id", "is required with related_type");
  }
  if (t.due_on) {
    std::int64_t days;
    if (!ParseDate(*t.due_on, days)) {
      return Error::InvalidField("due_on", "'" + *t.due_on + "' is not a date (YYYY-MM-DD)");
    }
  }
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id,
                           audit::InsertAudited(tx, actor, "tasks",
                                                {{"owner_id", t.owner_id},
                                                 {"account_id", db::OptionalInt(t.account_id)},
                                                 {"related_type", db::OptionalText(t.related_type)},
                                                 {"related_id", db::OptionalInt(t.related_id)},
                                                 {"subject", t.subject},
                                                 {"due_on", db::OptionalText(t.due_on)}}));
  return GetTask(tx, id);
}

Result<Task> GetTask(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id = ?", {id}));
  if (!row) return Error(ErrorCode::kNotFound, "task " + std::to_string(id) + " does not exist");
  return TaskFromRow(*row);
}

Result<Task> CompleteTask(db::Transaction& tx, const audit::Actor& actor, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(Task task, GetTask(tx, id));
  if (task.done_at) return task;
  RAPPORT_ASSIGN_OR_RETURN(int changed, audit::UpdateAudited(tx, actor, "tasks", id, std::nullopt,
                                                             {{"done_at", actor.at}}));
  (void)changed;
  return GetTask(tx, id);
}

Result<std::vector<Task>> OpenTasksOf(db::Transaction& tx, std::int64_t owner_id) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query(std::string("SELECT ") + kTaskColumns +
                                        " FROM tasks WHERE owner_id = ? AND done_at IS NULL "
                                        "ORDER BY due_on IS NULL, due_on, id",
                                    {owner_id}));
  std::vector<Task> out;
  for (const auto& r : rows) out.push_back(TaskFromRow(r));
  return out;
}

}  // namespace rapport::activities
