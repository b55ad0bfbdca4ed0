#include "activities/activity_routes.hpp"

#include "activities/activity_store.hpp"

namespace rapport::activities {
namespace {

using api::FieldType;
using api::JsonValue;

// contact_ids: ["12", "15"]: the contacts met, each working at the activity's account.
Status WriteContacts(db::Transaction& tx, const api::Caller&, Instant, std::int64_t id,
                     const JsonValue& body, bool) {
  const JsonValue* ids = body.Find("contact_ids");
  if (!ids) {
    // Moved to another account: the contacts met stay only if they work there.
    if (!body.Find("account_id")) return Ok();
    return tx.Execute(
        "DELETE FROM activity_contacts WHERE activity_id = ? AND contact_id NOT IN (SELECT c.id "
        "FROM contacts c JOIN activities a ON a.account_id = c.account_id WHERE a.id = ?)",
        {id, id});
  }
  if (ids->kind != JsonValue::Kind::kArray) {
    return Error::InvalidField("contact_ids", "must be an array of contact ids");
  }
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t account,
                           tx.QueryInt("SELECT account_id FROM activities WHERE id = ?", {id}));
  RAPPORT_RETURN_IF_ERROR(tx.Execute("DELETE FROM activity_contacts WHERE activity_id = ?", {id}));
  for (size_t i = 0; i < ids->items.size(); ++i) {
    const std::string field = "contact_ids[" + std::to_string(i) + "]";
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t contact, api::ParseIdValue(ids->items[i], field));
    RAPPORT_ASSIGN_OR_RETURN(
        auto row, tx.QueryOne("SELECT account_id FROM contacts WHERE id = ?", {contact}));
    if (!row || row->Int(0) != account) {
      return Error::InvalidField(field,
                                 "no contact " + api::FormatId(contact) + " at this account");
    }
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO activity_contacts (activity_id, contact_id) VALUES (?, ?) ON "
                   "CONFLICT DO NOTHING",
                   {id, contact}));
  }
  return Ok();
}

api::ResourceSpec ActivitySpec() {
  api::ResourceSpec s;
  s.plural = "activities";
  s.singular = "activity";
  s.tag = "Activities";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      api::RequiredReference("account_id", "accounts"),
      {.name = "user_id",
       .type = FieldType::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users",
       .description = "who did it (default: the caller)"},
      {.name = "kind",
       .type = FieldType::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .values = {std::begin(kKinds), std::end(kKinds)}},
      {.name = "occurred_at",
       .type = FieldType::kInstant,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.name = "subject", .required = true, .nullable = false, .max_length = 300},
      {.name = "body", .max_length = 20000},
      {.name = "outcome", .max_length = 2000},
      {.name = "next_step", .max_length = 2000},
      {.name = "opportunity_id",
       .type = FieldType::kReference,
       .filterable = true,
       .references = "opportunities"},
  };
  s.extra_body_fields = {{"contact_ids", R"({"type":"array","items":{"type":"string"}})"}};
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "user_id");
    return Ok();
  };
  s.after_write = WriteContacts;
  s.extra_json = [](db::Transaction& tx, std::int64_t id, api::JsonWriter& w) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(
            "SELECT contact_id FROM activity_contacts WHERE activity_id = ? ORDER BY contact_id",
            {id}));
    w.Key("contact_ids").StartArray();
    for (const auto& r : rows) w.String(api::FormatId(r.Int(0)));
    w.EndArray();
    return Ok();
  };
  return s;
}

api::ResourceSpec TaskSpec() {
  api::ResourceSpec s;
  s.plural = "tasks";
  s.singular = "task";
  s.tag = "Activities";
  s.scope = api::Scope::kTask;
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      {.name = "owner_id",
       .type = FieldType::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users"},
      {.name = "account_id",
       .type = FieldType::kReference,
       .filterable = true,
       .references = "accounts"},
      {.name = "related_type",
       .type = FieldType::kEnum,
       .values = {"opportunity", "contact", "activity", "purchase"}},
      {.name = "related_id", .type = FieldType::kInteger, .min = 1},
      {.name = "subject", .required = true, .nullable = false, .max_length = 300},
      {.name = "due_on", .type = FieldType::kDate, .filterable = true},
      {.name = "done_at", .type = FieldType::kInstant},
  };
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "owner_id");
    return Ok();
  };
  return s;
}

}  // namespace

void RegisterActivityRoutes(api::Router& router, api::ApiContext& context) {
  api::RegisterResource(router, context, ActivitySpec());
  api::RegisterResource(router, context, TaskSpec());
}

}  // namespace rapport::activities
