// Cases: opened with the service level of their kind and priority (hours to first response and to
// resolution), answered through their thread (the first outbound message is the first response),
// escalated when a level is breached, and on resolution a review call with the contact three
// months later (review_in_days), as a task for the case's owner.
#include "success/cases.hpp"

#include "api/access.hpp"
#include "audit/events.hpp"
#include "records/cases.hpp"
#include "records/success.hpp"
#include "success/surveys.hpp"

namespace rapport::success {
namespace {

using api::FieldType;

constexpr std::int64_t kMicrosPerHour = kMicrosPerDay / 24;

// What a case is about and how urgent: the same values for cases and their service levels.
api::FieldSpec KindField() {
  return {.name = "kind",
          .type = FieldType::kEnum,
          .required = true,
          .nullable = false,
          .filterable = true,
          .values = records::ValuesOf(records::kCaseKinds)};
}

api::FieldSpec PriorityField(bool required) {
  return {.name = "priority",
          .type = FieldType::kEnum,
          .required = required,
          .nullable = false,
          .filterable = true,
          .values = records::ValuesOf(records::kCasePriorities)};
}

api::ResourceSpec CaseSlaSpec() {
  api::ResourceSpec s;
  s.plural = "case_slas";
  s.path = "case-slas";
  s.singular = "service level";
  s.tag = "Customer success";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kNone;
  s.fields = {
      KindField(),
      PriorityField(/*required=*/true),
      {.name = "first_response_hours",
       .type = FieldType::kInteger,
       .required = true,
       .nullable = false,
       .min = 1,
       .max = 24 * 90},
      {.name = "resolution_hours",
       .type = FieldType::kInteger,
       .required = true,
       .nullable = false,
       .min = 1,
       .max = 24 * 365},
  };
  return s;
}

// Sets the due times of a case from its service level, counted from when it was opened.
Status ApplyServiceLevel(api::WriteContext& w) {
  const db::Value kind = w.After("kind"), priority = w.After("priority");
  const std::string p =
      std::holds_alternative<std::string>(priority) ? std::get<std::string>(priority) : "normal";
  RAPPORT_ASSIGN_OR_RETURN(
      auto sla, w.tx.QueryOne("SELECT first_response_hours, resolution_hours FROM case_slas WHERE "
                              "kind = ? AND priority = ?",
                              {kind, p}));
  if (!sla) return Error::InvalidField("priority", "no service level for this kind and priority");
  const db::Value opened = w.After("opened_at");
  const Instant from =
      std::holds_alternative<std::int64_t>(opened) ? std::get<std::int64_t>(opened) : w.now;
  w.Set("first_response_due_at", from + sla->Int("first_response_hours") * kMicrosPerHour);
  w.Set("resolution_due_at", from + sla->Int("resolution_hours") * kMicrosPerHour);
  return Ok();
}

// The review call a resolved case schedules, once, and the survey that asks how it went.
Status AfterResolution(db::Transaction& tx, const SurveySettings& surveys,
                       const api::Caller& caller, Instant now, std::int64_t id,
                       const api::JsonValue& body) {
  RAPPORT_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne("SELECT c.status, c.review_task_id, c.owner_id, c.account_id, "
                  "c.contact_id, c.subject, coalesce(k.first_name || ' ' || k.last_name, "
                  "'the customer') AS contact_name FROM cases c LEFT JOIN contacts k ON k.id = "
                  "c.contact_id WHERE c.id = ?",
                  {id}));
  if (!row || row->Text("status") != "resolved" || !row->IsNull("review_task_id")) return Ok();
  std::int64_t review_days = 90;
  if (const api::JsonValue* v = body.Find("review_in_days")) {
    if (v->kind != api::JsonValue::Kind::kInt || v->integer < 1 || v->integer > 730) {
      return Error::InvalidField("review_in_days", "must be a whole number of days, 1 to 730");
    }
    review_days = v->integer;
  }
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t task,
      tx.QueryInt("INSERT INTO tasks (owner_id, account_id, related_type, related_id, subject, "
                  "due_on, created_at, updated_at) VALUES (?, ?, 'case', ?, ?, ?, ?, ?) "
                  "RETURNING id",
                  {row->Int("owner_id"), row->Int("account_id"), id,
                   "Review call with " + row->Text("contact_name") + ": is all well since \"" +
                       row->Text("subject") + "\"?",
                   FormatDate(now / kMicrosPerDay + review_days), now, now}));
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("UPDATE cases SET review_task_id = ? WHERE id = ?", {task, id}));
  if (!row->IsNull("contact_id")) {
    RAPPORT_ASSIGN_OR_RETURN(auto sent, SendSurvey(tx, surveys, now, caller.user_id,
                                                   {.account_id = row->Int("account_id"),
                                                    .contact_id = row->Int("contact_id"),
                                                    .kind = "csat",
                                                    .sent_after = "case",
                                                    .case_id = id}));
    (void)sent;
  }
  return Ok();
}

Status WriteThread(db::Transaction& tx, std::int64_t id, api::JsonWriter& w) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT m.id, m.direction, m.author_id, u.name AS author_name, m.contact_id, "
               "m.body, m.created_at FROM case_messages m LEFT JOIN users u ON u.id = m.author_id "
               "WHERE m.case_id = ? ORDER BY m.created_at, m.id",
               {id}));
  w.Key("thread").StartArray();
  for (const auto& m : rows) {
    w.StartObject().Key("id").String(api::FormatId(m.Int("id")));
    w.Key("direction").String(m.Text("direction"));
    w.Key("author_id").OptId(m.OptInt("author_id"));
    w.Key("author").Value(m.at(m.IndexOf("author_name")));
    w.Key("contact_id").OptId(m.OptInt("contact_id"));
    w.Key("body").String(m.Text("body"));
    w.Key("at").String(FormatInstant(m.Int("created_at"))).EndObject();
  }
  w.EndArray();
  return Ok();
}

api::ResourceSpec CaseSpec(const SurveySettings& surveys) {
  api::ResourceSpec s;
  s.plural = "cases";
  s.custom_fields = true;
  s.singular = "case";
  s.tag = "Customer success";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kNone;
  s.fields = api::FieldsOf(records::CaseRecord());
  s.extra_body_fields.emplace_back(
      "review_in_days",
      R"j({"type":"integer","description":"when resolving: days until the review call (default 90)"})j");
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "owner_id");
    if (w.creating) w.Set("opened_at", w.now);
    if (w.creating || w.Written("kind") || w.Written("priority")) {
      RAPPORT_RETURN_IF_ERROR(ApplyServiceLevel(w));
    }
    const db::Value contact = w.After("contact_id");
    if (std::holds_alternative<std::int64_t>(contact)) {
      RAPPORT_ASSIGN_OR_RETURN(auto row,
                               w.tx.QueryOne("SELECT account_id FROM contacts WHERE id = ?",
                                             {std::get<std::int64_t>(contact)}));
      if (!row || db::Value(row->Int("account_id")) != w.After("account_id")) {
        return Error::InvalidField("contact_id", "must work at the case's account");
      }
    }
    if (const db::Value* status = w.Written("status")) {
      const std::string& to = std::get<std::string>(*status);
      const bool done = to == "resolved" || to == "closed";
      const bool was_done = std::holds_alternative<std::int64_t>(w.After("resolved_at"));
      if (done && !was_done) {
        w.Set("resolved_at", w.now);
        // Resolving answers the customer, if nobody had yet.
        if (std::holds_alternative<std::monostate>(w.After("first_response_at"))) {
          w.Set("first_response_at", w.now);
        }
      } else if (!done && was_done) {
        w.Set("resolved_at", db::Null());
      }
    }
    return Ok();
  };
  s.after_write = [surveys](db::Transaction& tx, const api::Caller& caller, Instant now,
                            std::int64_t id, const api::JsonValue& body, bool) -> Status {
    if (body.Find("review_in_days") && !body.Find("status")) {
      return Error::InvalidField("review_in_days", "is given when resolving the case");
    }
    return AfterResolution(tx, surveys, caller, now, id, body);
  };
  s.extra_json = &WriteThread;
  return s;
}

// after_write of a trial: replaces its mile markers with the body's `markers`, when given.
Status WriteMarkers(db::Transaction& tx, const api::Caller& caller, std::int64_t trial,
                    const api::JsonValue& body) {
  static const std::vector<api::FieldSpec> kMarker = {
      {.name = "name", .required = true, .nullable = false, .max_length = 200},
      {.name = "due_on", .type = api::FieldType::kDate, .required = true, .nullable = false},
      {.name = "done_on", .type = api::FieldType::kDate},
      {.name = "notes", .max_length = 2000},
  };
  RAPPORT_ASSIGN_OR_RETURN(auto markers,
                           api::ParseItems(tx, caller, body, "markers", kMarker, "a mile marker"));
  if (!markers) return Ok();
  RAPPORT_RETURN_IF_ERROR(tx.Execute("DELETE FROM trial_markers WHERE trial_id = ?", {trial}));
  for (const audit::FieldValues& m : *markers) {
    auto value = [&](std::string_view column) { return api::ValueOf(m, column); };
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO trial_markers (trial_id, name, due_on, done_on, notes) VALUES (?, ?, ?, ?, ?)",
        {trial, value("name"), value("due_on"), value("done_on"), value("notes")}));
  }
  return Ok();
}

const api::ContactLinks kTrialContacts{"trials", "trial_contacts", "trial_id"};

Status WriteTrialJson(db::Transaction& tx, std::int64_t trial, api::JsonWriter& w) {
  RAPPORT_RETURN_IF_ERROR(kTrialContacts.WriteJson(tx, trial, w));
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query("SELECT name, due_on, done_on, notes FROM trial_markers WHERE "
                                    "trial_id = ? ORDER BY due_on, id",
                                    {trial}));
  w.Key("markers").StartArray();
  for (const auto& m : rows) {
    w.StartObject().Key("name").String(m.Text("name")).Key("due_on").String(m.Text("due_on"));
    w.Key("done_on").Value(m.at(m.IndexOf("done_on")));
    w.Key("notes").Value(m.at(m.IndexOf("notes"))).EndObject();
  }
  w.EndArray();
  return Ok();
}

api::ResourceSpec TrialSpec() {
  api::ResourceSpec s;
  s.plural = "trials";
  s.singular = "trial";
  s.tag = "Customer success";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.fields = api::FieldsOf(records::TrialRecord());
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "owner_id");
    if (std::get<std::string>(w.After("ends_on")) < std::get<std::string>(w.After("starts_on"))) {
      return Error::InvalidField("ends_on", "must not be before starts_on");
    }
    if (w.Written("decision") && std::holds_alternative<std::string>(w.After("decision")) &&
        std::holds_alternative<std::monostate>(w.After("decided_on"))) {
      w.Set("decided_on", FormatDate(w.now / kMicrosPerDay));
    }
    return Ok();
  };
  // contact_ids: who is involved; markers: the mile markers with their dates.
  kTrialContacts.InstallOn(s);
  s.extra_body_fields.emplace_back(
      "markers",
      R"({"type":"array","items":{"type":"object","required":["name","due_on"],"properties":{"name":{"type":"string"},"due_on":{"type":"string"},"done_on":{"type":["string","null"]},"notes":{"type":"string"}}}})");
  s.after_write = [](db::Transaction& tx, const api::Caller& caller, Instant, std::int64_t id,
                     const api::JsonValue& body, bool created) -> Status {
    RAPPORT_RETURN_IF_ERROR(kTrialContacts.Write(tx, id, body, created));
    return WriteMarkers(tx, caller, id, body);
  };
  s.extra_json = &WriteTrialJson;
  return s;
}

Result<api::Response> GetCaseMessages(api::ApiContext& ctx, const api::Request& r,
                                      const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_ASSIGN_OR_RETURN(api::JsonValue body, api::ParseJson(r.body));
  if (body.kind != api::JsonValue::Kind::kObject) {
    return Error::InvalidField("body", "must be a JSON object");
  }
  std::string direction = "outbound", text;
  std::optional<std::int64_t> contact;
  for (const auto& [key, v] : body.members) {
    if (key == "direction") {
      if (v.kind != api::JsonValue::Kind::kString ||
          (v.text != "inbound" && v.text != "outbound" && v.text != "internal")) {
        return Error::InvalidField(key, "must be inbound, outbound or internal");
      }
      direction = v.text;
    } else if (key == "body") {
      if (v.kind != api::JsonValue::Kind::kString || v.text.empty() || v.text.size() > 8000) {
        return Error::InvalidField(key, "must be text of 1 to 8000 characters");
      }
      text = v.text;
    } else if (key == "contact_id") {
      RAPPORT_ASSIGN_OR_RETURN(contact, api::ParseIdValue(v, key));
    } else {
      return Error::InvalidField(key, "is not a field of a case message");
    }
  }
  if (text.empty()) return Error::InvalidField("body", "is required");
  const Instant now = ctx.clock.Now();
  std::int64_t message = 0;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto row,
                             tx.QueryOne("SELECT account_id FROM cases WHERE id = ?", {id}));
    if (!row) return Error(ErrorCode::kNotFound, "no case " + api::FormatId(id));
    RAPPORT_RETURN_IF_ERROR(api::CheckAccountInReach(tx, c, row->Int("account_id")));
    if (contact) {
      RAPPORT_ASSIGN_OR_RETURN(auto k,
                               tx.QueryOne("SELECT 1 FROM contacts WHERE id = ? AND account_id = ?",
                                           {*contact, row->Int("account_id")}));
      if (!k) return Error::InvalidField("contact_id", "must work at the case's account");
    }
    RAPPORT_ASSIGN_OR_RETURN(
        message,
        tx.QueryInt("INSERT INTO case_messages (case_id, direction, author_id, contact_id, "
                    "body, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    {id, direction, direction == "inbound" ? db::Null() : db::Value(c.user_id),
                     db::OptionalInt(contact), text, now}));
    // The first answer to the customer is the first response.
    return tx.Execute(
        "UPDATE cases SET first_response_at = CASE WHEN ? = 'outbound' AND "
        "first_response_at IS NULL THEN ? ELSE first_response_at END, updated_at = ?, "
        "version = version + 1 WHERE id = ?",
        {direction, now, now, id});
  }));
  api::JsonWriter w;
  w.StartObject().Key("id").String(api::FormatId(message)).EndObject();
  return api::Response::Created(w.Take(), "/api/v1/cases/" + api::FormatId(id));
}

}  // namespace

Result<int> EscalateBreachedCases(db::Transaction& tx, Instant now) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT c.id, c.owner_id, c.escalated_to_id, c.escalation_level, c.account_id, "
               "c.subject, c.first_response_due_at, c.first_response_at, c.resolution_due_at "
               "FROM cases c WHERE c.status IN ('open', 'waiting_on_customer') AND "
               "((c.first_response_due_at < ? AND coalesce(c.first_response_at, ?) > "
               "c.first_response_due_at AND c.escalation_level < 1) OR (c.resolution_due_at < ? "
               "AND c.escalation_level < 2)) ORDER BY c.id",
               {now, now, now}));
  int escalations = 0;
  for (const auto& r : rows) {
    const std::int64_t id = r.Int("id");
    const std::int64_t first_response_due = r.Int("first_response_due_at");
    const std::int64_t resolution_due = r.Int("resolution_due_at");
    const bool first_response_missed =
        first_response_due < now &&
        (r.IsNull("first_response_at") || r.Int("first_response_at") > first_response_due);
    const bool resolution_missed = resolution_due < now;
    const int target = (first_response_missed ? 1 : 0) + (resolution_missed ? 1 : 0);
    int level = static_cast<int>(r.Int("escalation_level"));
    std::int64_t holder =
        r.IsNull("escalated_to_id") ? r.Int("owner_id") : r.Int("escalated_to_id");
    while (level < target) {
      ++level;
      // The next level is the holder's manager; at the top it stays with the top.
      RAPPORT_ASSIGN_OR_RETURN(auto up,
                               tx.QueryOne("SELECT u.id, u.name FROM users u JOIN users h ON "
                                           "h.manager_id = u.id WHERE h.id = ? AND u.status <> "
                                           "'left'",
                                           {holder}));
      if (up) holder = up->Int("id");
      RAPPORT_ASSIGN_OR_RETURN(auto name,
                               tx.QueryOne("SELECT name FROM users WHERE id = ?", {holder}));
      const std::string why = level == 1 && first_response_missed
                                  ? "no first response by " + FormatInstant(first_response_due)
                                  : "not resolved by " + FormatInstant(resolution_due);
      RAPPORT_RETURN_IF_ERROR(tx.Execute(
          "UPDATE cases SET escalation_level = ?, escalated_to_id = ?, escalated_at = ?, "
          "updated_at = ?, version = version + 1 WHERE id = ?",
          {std::int64_t{level}, holder, now, now, id}));
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO case_messages (case_id, direction, body, created_at) VALUES (?, "
                     "'internal', ?, ?)",
                     {id,
                      "Escalated to level " + std::to_string(level) + " (" +
                          (name ? name->Text("name") : "") + "): " + why + ".",
                      now}));
      RAPPORT_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO tasks (owner_id, account_id, related_type, related_id, subject, due_on, "
          "created_at, updated_at) VALUES (?, ?, 'case', ?, ?, ?, ?, ?)",
          {holder, r.Int("account_id"), id,
           "Escalated case: " + r.Text("subject") + " (" + why + ")",
           FormatDate(now / kMicrosPerDay), now, now}));
      RAPPORT_RETURN_IF_ERROR(audit::PublishEvent(
          tx, now,
          {.type = "case.breached",
           .object = "case",
           .object_id = id,
           .path = "/api/v1/cases/" + std::to_string(id),
           .extra = audit::JsonMember("level", std::int64_t{level}) + "," +
                    audit::JsonMember("reason", why) + "," +
                    audit::JsonMember("account_id", std::to_string(r.Int("account_id"))) + "," +
                    audit::JsonMember("escalated_to_id", std::to_string(holder))}));
      ++escalations;
    }
  }
  return escalations;
}

void RegisterCaseRoutes(api::Router& router, api::ApiContext& ctx, const SurveySettings& surveys) {
  api::RegisterResource(router, ctx, CaseSlaSpec());
  api::RegisterResource(router, ctx, CaseSpec(surveys));

  router.Add(
      {"POST",
       "/api/v1/cases/{id}/messages",
       api::Access::kSignedIn,
       api::Reach::Record("cases", "case", api::Scope::kViaAccount),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetCaseMessages(ctx, r, c); },
       {"Adds a message to a case's thread (outbound by default: the first is the first response)",
        "Customer success",
        {},
        R"({"type":"object","required":["body"],"properties":{"direction":{"type":"string","enum":["inbound","outbound","internal"]},"body":{"type":"string"},"contact_id":{"type":"string"}}})",
        R"({"type":"object","properties":{"id":{"type":"string"}}})",
        201}});
}

void RegisterTrialRoutes(api::Router& router, api::ApiContext& ctx) {
  api::RegisterResource(router, ctx, TrialSpec());
}

}  // namespace rapport::success
