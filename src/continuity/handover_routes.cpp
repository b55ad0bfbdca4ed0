#include "continuity/handover_routes.hpp"

#include <algorithm>

#include "api/access.hpp"
#include "continuity/handover.hpp"
#include "db/dialect.hpp"

namespace rapport::continuity {
namespace {

using api::JsonValue;
using Kind = api::JsonValue::Kind;

Result<std::optional<std::int64_t>> OptionalId(const JsonValue& value, const std::string& field) {
  if (value.kind == Kind::kNull) return std::optional<std::int64_t>();
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseIdValue(value, field));
  return std::optional<std::int64_t>(id);
}

Result<int> Integer(const JsonValue& value, const std::string& field) {
  if (value.kind != Kind::kInt) return Error::InvalidField(field, "must be an integer");
  if (value.integer < 0 || value.integer > 1'000'000) {
    return Error::InvalidField(field, "is out of range");
  }
  return static_cast<int>(value.integer);
}

Result<std::string> Text(const JsonValue& value, const std::string& field) {
  if (value.kind != Kind::kString) return Error::InvalidField(field, "must be a string");
  return value.text;
}

struct ParsedRequest {
  HandoverRequest request;
  bool dry_run = false;
};

Result<ParsedRequest> ParseHandoverRequest(const std::string& text, Instant now) {
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, api::ParseJson(text));
  if (body.kind != Kind::kObject) return Error::InvalidField("body", "must be a JSON object");
  ParsedRequest parsed;
  HandoverRequest& r = parsed.request;
  r.effective_on = FormatDate(now / kMicrosPerDay);
  bool has_from = false, has_reason = false;
  for (const auto& [key, value] : body.members) {
    if (key == "from_user_id") {
      RAPPORT_ASSIGN_OR_RETURN(r.from_user_id, api::ParseIdValue(value, key));
      has_from = true;
    } else if (key == "from_distributor_id") {
      RAPPORT_ASSIGN_OR_RETURN(r.from_distributor_id, OptionalId(value, key));
    } else if (key == "to_distributor_id") {
      RAPPORT_ASSIGN_OR_RETURN(r.to_distributor_id, OptionalId(value, key));
    } else if (key == "cover_ends_on") {
      if (value.kind != Kind::kNull) {
        RAPPORT_ASSIGN_OR_RETURN(std::string day, Text(value, key));
        r.cover_ends_on = day;
      }
    } else if (key == "successor_user_id") {
      RAPPORT_ASSIGN_OR_RETURN(r.successor_id, OptionalId(value, key));
    } else if (key == "reason") {
      RAPPORT_ASSIGN_OR_RETURN(r.reason, Text(value, key));
      has_reason = true;
    } else if (key == "effective_on") {
      RAPPORT_ASSIGN_OR_RETURN(r.effective_on, Text(value, key));
    } else if (key == "dry_run") {
      if (value.kind != Kind::kBool) return Error::InvalidField(key, "must be true or false");
      parsed.dry_run = value.boolean;
    } else if (key == "team_rule") {
      RAPPORT_ASSIGN_OR_RETURN(std::string rule, Text(value, key));
      if (rule == "replace_leaver") {
        r.team_rule = TeamRule::kReplaceLeaver;
      } else if (rule == "keep_team") {
        r.team_rule = TeamRule::kKeepTeam;
      } else {
        return Error::InvalidField(key, "must be replace_leaver or keep_team");
      }
    } else if (key == "first_contact_days") {
      RAPPORT_ASSIGN_OR_RETURN(r.first_contact_days, Integer(value, key));
    } else if (key == "ownership_limit") {
      RAPPORT_ASSIGN_OR_RETURN(r.ownership_limit, Integer(value, key));
    } else if (key == "rules") {
      if (value.kind != Kind::kArray) return Error::InvalidField(key, "must be an array");
      if (value.items.size() > 200) return Error::InvalidField(key, "has more than 200 rules");
      for (size_t i = 0; i < value.items.size(); ++i) {
        const JsonValue& item = value.items[i];
        const std::string at = "rules[" + std::to_string(i) + "]";
        if (item.kind != Kind::kObject) return Error::InvalidField(at, "must be an object");
        SuccessorRule rule;
        bool has_successor = false;
        for (const auto& [name, v] : item.members) {
          const std::string field = at + "." + name;
          if (name == "territory_id") {
            RAPPORT_ASSIGN_OR_RETURN(rule.territory_id, OptionalId(v, field));
          } else if (name == "postcode_prefix") {
            RAPPORT_ASSIGN_OR_RETURN(std::string prefix, Text(v, field));
            if (prefix.size() > 10) return Error::InvalidField(field, "is longer than 10");
            rule.postcode_prefix = prefix;
          } else if (name == "successor_user_id") {
            RAPPORT_ASSIGN_OR_RETURN(rule.successor_id, api::ParseIdValue(v, field));
            has_successor = true;
          } else if (name == "to_territory_id") {
            RAPPORT_ASSIGN_OR_RETURN(rule.to_territory_id, OptionalId(v, field));
          } else {
            return Error::InvalidField(field, "is not a field of a rule");
          }
        }
        if (!has_successor) return Error::InvalidField(at + ".successor_user_id", "is required");
        r.rules.push_back(std::move(rule));
      }
    } else {
      return Error::InvalidField(key, "is not a field of a handover");
    }
  }
  if (!has_from && !r.from_distributor_id) {
    return Error::InvalidField("from_user_id", "is required (or from_distributor_id)");
  }
  if (!has_reason) return Error::InvalidField("reason", "is required");
  return parsed;
}

// Only an admin, or a manager above the person, may hand over their work.
Status MayHandOver(const api::Caller& caller, const HandoverRequest& request) {
  if (api::IsAdmin(caller)) return Ok();
  const std::int64_t from_user_id = request.from_user_id;
  if (request.from_distributor_id) {
    if (api::IsManager(caller)) return Ok();
    return Error(ErrorCode::kPermissionDenied,
                 "only an admin or a manager can move a distributor's accounts");
  }
  if (api::IsManager(caller) && from_user_id != caller.user_id &&
      std::find(caller.user_ids.begin(), caller.user_ids.end(), from_user_id) !=
          caller.user_ids.end()) {
    return Ok();
  }
  return Error(ErrorCode::kPermissionDenied,
               "only an admin or the person's manager can hand over their accounts");
}

void WriteUser(api::JsonWriter& w, const UserSummary& u) {
  w.StartObject()
      .Key("id")
      .String(api::FormatId(u.id))
      .Key("name")
      .String(u.name)
      .Key("email")
      .String(u.email)
      .Key("status")
      .String(u.status)
      .EndObject();
}

// Who handed over: a person (from_user) or a distributor (from_distributor); the other is null.
void WriteFrom(api::JsonWriter& w, const UserSummary& from,
               const std::optional<std::int64_t>& distributor_id) {
  w.Key("from_user");
  if (distributor_id) {
    w.Null().Key("from_distributor").StartObject();
    w.Key("id").String(api::FormatId(*distributor_id)).Key("name").String(from.name);
    w.Key("status").String(from.status).EndObject();
  } else {
    WriteUser(w, from);
    w.Key("from_distributor").Null();
  }
}

void WriteWarnings(api::JsonWriter& w, const std::vector<PlanWarning>& warnings) {
  w.Key("warnings").StartArray();
  for (const PlanWarning& warning : warnings) {
    w.StartObject().Key("code").String(warning.code).Key("message").String(warning.message);
    w.Key("account_id");
    w.OptId(warning.account_id);
    w.Key("user_id");
    w.OptId(warning.user_id);
    w.EndObject();
  }
  w.EndArray();
}

std::string PlanJson(const HandoverPlan& plan) {
  static const char* kTypes[] = {"account",   "opportunity", "task", "meeting",
                                 "territory", "team_member", "case", "success_plan",
                                 "trial",     "split"};
  api::JsonWriter w;
  w.StartObject().Key("dry_run").Bool(true);
  WriteFrom(w, plan.leaver, plan.request.from_distributor_id);
  w.Key("reason").String(plan.request.reason);
  w.Key("effective_on").String(plan.request.effective_on);
  w.Key("marks_leaver_left").Bool(plan.marks_leaver_left);
  w.Key("counts").StartObject();
  for (const char* type : kTypes) w.Key(type).Int(plan.Count(type));
  w.Key("introduction").Int(static_cast<std::int64_t>(plan.introductions.size()));
  w.EndObject();
  w.Key("items").StartArray();
  for (const PlanItem& item : plan.items) {
    w.StartObject()
        .Key("record_type")
        .String(item.record_type)
        .Key("record_id")
        .String(api::FormatId(item.record_id))
        .Key("account_id");
    w.OptId(item.account_id);
    w.Key("label").String(item.label).Key("action").String(item.action);
    w.Key("to_territory_id");
    w.OptId(item.to_territory_id);
    w.Key("successor_user_id");
    w.OptId(item.successor_id);
    const UserSummary* s = item.successor_id ? plan.Successor(*item.successor_id) : nullptr;
    w.Key("successor_name").OptString(s ? std::optional<std::string>(s->name) : std::nullopt);
    w.EndObject();
  }
  w.EndArray();
  w.Key("introductions").StartArray();
  for (const PlannedIntroduction& intro : plan.introductions) {
    const UserSummary* sender = plan.Successor(intro.sender_id);
    w.StartObject()
        .Key("account_id")
        .String(api::FormatId(intro.account_id))
        .Key("contact_id")
        .String(api::FormatId(intro.contact_id))
        .Key("contact_name")
        .String(intro.contact_name)
        .Key("contact_email")
        .String(intro.contact_email)
        .Key("successor_user_id")
        .String(api::FormatId(intro.successor_id))
        .Key("sender_user_id")
        .String(api::FormatId(intro.sender_id))
        .Key("sender_name")
        .String(sender ? sender->name : "")
        .Key("from_manager")
        .Bool(intro.from_manager)
        .EndObject();
  }
  w.EndArray();
  WriteWarnings(w, plan.warnings);
  w.EndObject();
  return w.Take();
}

void WriteProgress(api::JsonWriter& w, const HandoverProgress& p, bool with_accounts) {
  w.StartObject().Key("id").String(api::FormatId(p.id));
  WriteFrom(w, p.leaver, p.from_distributor_id);
  w.Key("to_distributor_id");
  w.OptId(p.to_distributor_id);
  w.Key("cover_ends_on").OptString(p.cover_ends_on);
  w.Key("cover_ended_at");
  w.OptInstant(p.cover_ended_at);
  w.Key("reason").String(p.reason);
  w.Key("effective_on").String(p.effective_on);
  w.Key("team_rule").String(p.team_rule);
  w.Key("created_by");
  w.OptId(p.created_by);
  w.Key("created_at").String(FormatInstant(p.created_at));
  w.Key("counts").StartObject();
  for (const auto& [type, n] : p.counts) w.Key(type).Int(n);
  w.EndObject();
  w.Key("progress").StartObject();
  for (const char* state : {"pending", "introduced", "first_contact_made", "overdue"}) {
    w.Key(state).Int(p.State(state));
  }
  w.Key("accounts").Int(static_cast<std::int64_t>(p.accounts.size()));
  w.EndObject();
  if (with_accounts) {
    w.Key("accounts").StartArray();
    for (const AccountProgress& a : p.accounts) {
      w.StartObject()
          .Key("account_id")
          .String(api::FormatId(a.account_id))
          .Key("name")
          .String(a.name)
          .Key("successor_user_id")
          .String(api::FormatId(a.successor_id))
          .Key("successor_name")
          .String(a.successor_name)
          .Key("state")
          .String(a.state)
          .Key("introductions")
          .Int(a.introductions)
          .Key("introductions_sent")
          .Int(a.introductions_sent)
          .Key("first_contacts")
          .Int(a.first_contacts)
          .Key("first_contacts_done")
          .Int(a.first_contacts_done)
          .Key("first_contact_due_on")
          .OptString(a.first_contact_due_on)
          .EndObject();
    }
    w.EndArray();
  }
}

// Who may see a handover: admins all; managers those of their line; successors their own.
std::string VisibleHandovers(const api::Caller& c) {
  if (api::IsAdmin(c)) return "1 = 1";
  const std::string as_successor =
      "EXISTS (SELECT 1 FROM handover_items hi WHERE hi.handover_id = h.id AND hi.successor_id = " +
      std::to_string(c.user_id) + ")";
  if (!api::IsManager(c)) return as_successor;
  return "(" + api::PeopleInView(c, "h.from_user_id") +
         " OR h.from_distributor_id IS NOT NULL OR " + as_successor + ")";
}

constexpr const char* kRequestSchema =
    R"({"type":"object","properties":{"from_user_id":{"type":"string"},"from_distributor_id":{"type":["string","null"]},"to_distributor_id":{"type":["string","null"]},"cover_ends_on":{"type":["string","null"],"format":"date"},"successor_user_id":{"type":["string","null"]},"rules":{"type":"array","items":{"type":"object","properties":{"territory_id":{"type":["string","null"]},"postcode_prefix":{"type":"string"},"successor_user_id":{"type":"string"},"to_territory_id":{"type":["string","null"]}},"required":["successor_user_id"],"additionalProperties":false}},"reason":{"type":"string","enum":["resigned","promoted","moved","leave","territory_split","distributor_change"]},"effective_on":{"type":"string","format":"date"},"dry_run":{"type":"boolean"},"team_rule":{"type":"string","enum":["replace_leaver","keep_team"]},"first_contact_days":{"type":"integer","minimum":1,"maximum":90},"ownership_limit":{"type":"integer","minimum":1}},"required":["reason"],"additionalProperties":false})";
constexpr const char* kProgressSchema =
    R"({"type":"object","properties":{"id":{"type":"string"},"from_user":{"type":"object"},"reason":{"type":"string"},"effective_on":{"type":"string"},"counts":{"type":"object"},"progress":{"type":"object"},"accounts":{"type":"array","items":{"type":"object"}}}})";

api::ResourceSpec TemplateSpec() {
  api::ResourceSpec s;
  s.plural = "message_templates";
  s.singular = "message template";
  s.tag = "Continuity";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kNone;
  s.fields = {
      {.name = "reason",
       .type = api::FieldType::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true,
       .values = {"resigned", "promoted", "moved", "leave", "territory_split",
                  "distributor_change"},
       .description = "the handover reason this introduction is sent for"},
      {.name = "subject", .required = true, .nullable = false, .max_length = 200},
      {.name = "body",
       .required = true,
       .nullable = false,
       .max_length = 8000,
       .description = "placeholders: {contact_first_name} {contact_name} {account_name} "
                      "{leaver_name} {successor_name} {successor_email} {sender_name} {company}"},
  };
  return s;
}

Result<api::Response> CreateHandover(api::ApiContext& ctx, const HandoverSettings& settings,
                                     const api::Request& r, const api::Caller& c) {
  const Instant now = ctx.clock.Now();
  RAPPORT_ASSIGN_OR_RETURN(ParsedRequest parsed, ParseHandoverRequest(r.body, now));
  parsed.request.company_name = settings.company_name;
  RAPPORT_RETURN_IF_ERROR(MayHandOver(c, parsed.request));
  if (parsed.dry_run) {
    std::string json;
    RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(HandoverPlan plan, PlanHandover(tx, parsed.request, now));
      json = PlanJson(plan);
      return Ok();
    }));
    return api::Response::Json(std::move(json));
  }
  std::int64_t id = 0;
  std::vector<PlanWarning> warnings;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    // One handover of a person at a time.
    RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> locked,
                             tx.QueryOne(std::string("SELECT id FROM users WHERE id = ?") +
                                             db::LockRowSuffix(tx.backend()),
                                         {parsed.request.from_user_id}));
    (void)locked;
    RAPPORT_ASSIGN_OR_RETURN(HandoverPlan plan, PlanHandover(tx, parsed.request, now));
    warnings = plan.warnings;
    RAPPORT_ASSIGN_OR_RETURN(id, CommitHandover(tx, audit::Actor{c.user_id, now}, plan));
    return Ok();
  }));
  ctx.access_generation.Bump();  // owners and territories changed: reach changed
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(HandoverProgress progress,
                             LoadHandoverProgress(tx, id, ctx.clock.Now()));
    WriteProgress(w, progress, true);
    WriteWarnings(w, warnings);
    w.EndObject();
    return Ok();
  }));
  return api::Response::Created(w.Take(), "/api/v1/handovers/" + api::FormatId(id));
}

Result<api::Response> ListHandovers(api::ApiContext& ctx, const api::Request&,
                                    const api::Caller& c) {
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                             tx.Query("SELECT h.id FROM handovers h WHERE " + VisibleHandovers(c) +
                                      " ORDER BY h.id DESC LIMIT 100"));
    const Instant now = ctx.clock.Now();
    w.StartObject().Key("items").StartArray();
    for (const auto& row : rows) {
      RAPPORT_ASSIGN_OR_RETURN(HandoverProgress progress,
                               LoadHandoverProgress(tx, row.Int("id"), now));
      WriteProgress(w, progress, false);
      w.EndObject();
    }
    w.EndArray().Key("next_cursor").Null().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> GetHandover(api::ApiContext& ctx, const api::Request& r,
                                  const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t visible,
        tx.QueryInt("SELECT count(*) FROM handovers h WHERE h.id = ? AND " + VisibleHandovers(c),
                    {id}));
    if (visible == 0) {
      return Error(ErrorCode::kNotFound, "there is no handover " + std::to_string(id));
    }
    RAPPORT_ASSIGN_OR_RETURN(HandoverProgress progress,
                             LoadHandoverProgress(tx, id, ctx.clock.Now()));
    WriteProgress(w, progress, true);
    w.EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> GetOverdueFirstContacts(api::ApiContext& ctx, const api::Request& r,
                                              const api::Caller& c) {
  if (!r.query.empty()) return api::UnknownParameter(r.query[0].first);
  // Managers see their line's (the alert goes to the successor's manager); everyone
  // else their own.
  const std::string whose = " AND " + api::PeopleInView(c, "i.successor_id");
  const Instant now = ctx.clock.Now();
  const std::int64_t today = now / kMicrosPerDay;
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query("SELECT i.handover_id, i.account_id, a.name AS account_name, i.contact_id, "
                 "c.first_name, c.last_name, i.successor_id, u.name AS successor_name, t.due_on, "
                 "t.id AS task_id FROM introductions i "
                 "JOIN tasks t ON t.id = i.task_id JOIN accounts a ON a.id = i.account_id "
                 "JOIN contacts c ON c.id = i.contact_id JOIN users u ON "
                 "u.id = i.successor_id WHERE t.done_at IS NULL AND t.due_on < ?" +
                     whose + " ORDER BY t.due_on, i.id LIMIT 200",
                 {FormatDate(today)}));
    w.StartObject().Key("items").StartArray();
    for (const auto& row : rows) {
      std::int64_t due = 0;
      const std::string due_on = row.Text("due_on");
      ParseDate(due_on, due);
      w.StartObject()
          .Key("handover_id")
          .String(api::FormatId(row.Int("handover_id")))
          .Key("account_id")
          .String(api::FormatId(row.Int("account_id")))
          .Key("account_name")
          .String(row.Text("account_name"))
          .Key("contact_id")
          .String(api::FormatId(row.Int("contact_id")))
          .Key("contact_name")
          .String(row.Text("first_name") + " " + row.Text("last_name"))
          .Key("successor_user_id")
          .String(api::FormatId(row.Int("successor_id")))
          .Key("successor_name")
          .String(row.Text("successor_name"))
          .Key("due_on")
          .String(due_on)
          .Key("days_overdue")
          .Int(today - due)
          .Key("task_id")
          .String(api::FormatId(row.Int("task_id")))
          .EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterHandoverRoutes(api::Router& router, api::ApiContext& ctx,
                            const HandoverSettings& settings) {
  router.Add(
      {"POST",
       "/api/v1/handovers",
       api::Access::kManagers,
       api::Reach::OwnRule("an admin, or a manager above the person handing over (any manager for "
                           "a distributor's accounts)"),
       [&ctx, settings](const api::Request& r, const api::Caller& c) {
         return CreateHandover(ctx, settings, r, c);
       },
       {"Hand over a person's accounts, deals, tasks and meetings (dry_run: the plan only)",
        "Continuity",
        {},
        kRequestSchema,
        kProgressSchema,
        201}});

  router.Add(
      {"GET",
       "/api/v1/handovers",
       api::Access::kSignedIn,
       api::Reach::OwnRule("admins see all; managers their line's and distributors'; successors "
                           "the handovers they receive"),
       [&ctx](const api::Request& r, const api::Caller& c) { return ListHandovers(ctx, r, c); },
       {"Handovers and how far each has got (the continuity view); the latest 100",
        "Continuity",
        {},
        "",
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object"}},"next_cursor":{"type":["string","null"]}}})"}});

  router.Add(
      {"GET",
       "/api/v1/handovers/{id}",
       api::Access::kSignedIn,
       api::Reach::OwnRule("admins see all; managers their line's and distributors'; successors "
                           "the handovers they receive"),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetHandover(ctx, r, c); },
       {"One handover with the state of each account (introduced, first contact made, overdue)",
        "Continuity",
        {},
        "",
        kProgressSchema}});

  router.Add(
      {"GET",
       "/api/v1/insights/overdue-first-contacts",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) {
         return GetOverdueFirstContacts(ctx, r, c);
       },
       {"First contacts after a handover that are overdue: the successor's own, or their line's "
        "for a manager",
        "Continuity",
        {},
        "",
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"handover_id":{"type":"string"},"account_id":{"type":"string"},"account_name":{"type":"string"},"contact_name":{"type":"string"},"successor_name":{"type":"string"},"due_on":{"type":"string"},"days_overdue":{"type":"integer"}}}}}})"}});

  api::RegisterResource(router, ctx, TemplateSpec());
}

}  // namespace rapport::continuity
