#include "selling/blue_sheet_routes.hpp"

#include <charconv>

#include "api/access.hpp"
#include "api/query.hpp"
#include "selling/blue_sheet.hpp"

namespace rapport::selling {
namespace {

using api::JsonValue;
using Kind = api::JsonValue::Kind;

Result<std::optional<std::string>> OptText(const JsonValue& v, const std::string& field,
                                           size_t max = 4000) {
  if (v.kind == Kind::kNull) return std::optional<std::string>();
  if (v.kind != Kind::kString) return Error::InvalidField(field, "must be a string or null");
  if (v.text.size() > max) {
    return Error::InvalidField(field, "is longer than " + std::to_string(max) + " characters");
  }
  return std::optional<std::string>(v.text);
}

Result<BuyingInfluence> ParseInfluence(const JsonValue& item, const std::string& at) {
  if (item.kind != Kind::kObject) return Error::InvalidField(at, "must be an object");
  BuyingInfluence b;
  bool has_contact = false;
  for (const auto& [key, value] : item.members) {
    const std::string field = at + "." + key;
    if (key == "contact_id") {
      RAPPORT_ASSIGN_OR_RETURN(b.contact_id, api::ParseIdValue(value, field));
      has_contact = true;
    } else if (key == "roles") {
      if (value.kind != Kind::kArray) return Error::InvalidField(field, "must be an array");
      for (const JsonValue& role : value.items) {
        if (role.kind != Kind::kString) return Error::InvalidField(field, "must hold strings");
        b.roles.push_back(role.text);
      }
    } else if (key == "response_mode") {
      RAPPORT_ASSIGN_OR_RETURN(b.response_mode, OptText(value, field));
    } else if (key == "degree_of_influence") {
      RAPPORT_ASSIGN_OR_RETURN(b.degree_of_influence, OptText(value, field));
    } else if (key == "rating") {
      if (value.kind == Kind::kNull) continue;
      if (value.kind != Kind::kInt) return Error::InvalidField(field, "must be -3 to +3");
      b.rating = value.integer;
    } else if (key == "win_theme") {
      RAPPORT_ASSIGN_OR_RETURN(b.win_theme, OptText(value, field));
    } else if (key == "business_result") {
      RAPPORT_ASSIGN_OR_RETURN(b.business_result, OptText(value, field));
    } else if (key == "name" || key == "job_title" || key == "function" || key == "stance" ||
               key == "left" || key == "last_met_at") {
      continue;  // read only: what GET gave, sent back
    } else {
      return Error::InvalidField(field, "is not a field of a buying influence");
    }
  }
  if (!has_contact) return Error::InvalidField(at + ".contact_id", "is required");
  return b;
}

Result<PossibleAction> ParseAction(const JsonValue& item, const std::string& at) {
  if (item.kind != Kind::kObject) return Error::InvalidField(at, "must be an object");
  PossibleAction a;
  bool has_description = false;
  for (const auto& [key, value] : item.members) {
    const std::string field = at + "." + key;
    if (key == "id") {
      if (value.kind == Kind::kNull) continue;
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseIdValue(value, field));
      a.id = id;
    } else if (key == "description") {
      if (value.kind != Kind::kString) return Error::InvalidField(field, "must be a string");
      a.description = value.text;
      has_description = true;
    } else if (key == "shortlisted") {
      if (value.kind != Kind::kBool) return Error::InvalidField(field, "must be true or false");
      a.shortlisted = value.boolean;
    } else if (key == "owner_id") {
      if (value.kind == Kind::kNull) continue;
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseIdValue(value, field));
      a.owner_id = id;
    } else if (key == "due_on") {
      RAPPORT_ASSIGN_OR_RETURN(a.due_on, OptText(value, field, 10));
    } else if (key == "task_id") {
      continue;  // read only
    } else {
      return Error::InvalidField(field, "is not a field of a possible action");
    }
  }
  if (!has_description) return Error::InvalidField(at + ".description", "is required");
  return a;
}

Result<BlueSheet> ParseBlueSheet(const std::string& text, std::int64_t opportunity_id) {
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, api::ParseJson(text));
  if (body.kind != Kind::kObject) return Error::InvalidField("body", "must be a JSON object");
  BlueSheet sheet;
  sheet.opportunity_id = opportunity_id;
  for (const auto& [key, value] : body.members) {
    if (key == "buying_influences") {
      if (value.kind != Kind::kArray) return Error::InvalidField(key, "must be an array");
      if (value.items.size() > 100) return Error::InvalidField(key, "has more than 100");
      for (size_t i = 0; i < value.items.size(); ++i) {
        RAPPORT_ASSIGN_OR_RETURN(
            BuyingInfluence b,
            ParseInfluence(value.items[i], "buying_influences[" + std::to_string(i) + "]"));
        sheet.buying_influences.push_back(std::move(b));
      }
    } else if (key == "possible_actions") {
      if (value.kind != Kind::kArray) return Error::InvalidField(key, "must be an array");
      if (value.items.size() > 100) return Error::InvalidField(key, "has more than 100");
      for (size_t i = 0; i < value.items.size(); ++i) {
        RAPPORT_ASSIGN_OR_RETURN(
            PossibleAction a,
            ParseAction(value.items[i], "possible_actions[" + std::to_string(i) + "]"));
        sheet.possible_actions.push_back(std::move(a));
      }
    } else if (key == "strengths") {
      RAPPORT_ASSIGN_OR_RETURN(sheet.strengths, OptText(value, key));
    } else if (key == "red_flags_noted") {
      RAPPORT_ASSIGN_OR_RETURN(sheet.red_flags_noted, OptText(value, key));
    } else if (key == "opportunity" || key == "red_flags" || key == "version") {
      continue;  // read only
    } else {
      return Error::InvalidField(key, "is not a field of a Blue Sheet");
    }
  }
  return sheet;
}

// kNotFound when the opportunity is missing or outside the caller's reach.
Status CheckOpportunityInReach(db::Transaction& tx, const api::Caller& caller, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                           tx.QueryOne("SELECT account_id FROM opportunities WHERE id = ?", {id}));
  const Error missing(ErrorCode::kNotFound, "opportunity " + std::to_string(id) + " not found");
  if (!row) return missing;
  if (!api::CheckAccountInReach(tx, caller, row->Int("account_id")).ok()) return missing;
  return Ok();
}

void WriteFlags(api::JsonWriter& w, const std::vector<RedFlag>& flags) {
  w.StartArray();
  for (const RedFlag& f : flags) {
    w.StartObject().Key("code").String(f.code).Key("message").String(f.message);
    w.Key("contact_id");
    w.OptId(f.contact_id);
    w.EndObject();
  }
  w.EndArray();
}

Status WriteBlueSheet(db::Transaction& tx, std::int64_t id, const std::string& today,
                      api::JsonWriter& w) {
  RAPPORT_ASSIGN_OR_RETURN(BlueSheet sheet, LoadBlueSheet(tx, id));
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> o,
      tx.QueryOne("SELECT o.id, o.name, o.account_id, a.name AS account_name, o.stage, "
                  "o.amount_minor, o.currency, o.close_date, o.owner_id, u.name AS owner_name, "
                  "o.probability FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN "
                  "users u ON "
                  "u.id = o.owner_id WHERE o.id = ?",
                  {id}));
  RAPPORT_ASSIGN_OR_RETURN(auto flags, RedFlags(tx, "o.id = ?", {id}, today));
  w.StartObject().Key("opportunity").StartObject();
  w.Key("id").String(api::FormatId(o->Int("id")));
  w.Key("single_sales_objective").String(o->Text("name"));
  w.Key("account_id").String(api::FormatId(o->Int("account_id")));
  w.Key("account_name").String(o->Text("account_name"));
  w.Key("stage").String(o->Text("stage"));
  w.Key("amount_minor").Int(o->Int("amount_minor"));
  w.Key("currency").String(o->Text("currency"));
  w.Key("close_date").String(o->Text("close_date"));
  w.Key("owner_id").String(api::FormatId(o->Int("owner_id")));
  w.Key("owner_name").String(o->Text("owner_name"));
  w.Key("probability").Int(o->Int("probability"));
  w.EndObject();
  w.Key("buying_influences").StartArray();
  for (const BuyingInfluence& b : sheet.buying_influences) {
    w.StartObject().Key("contact_id").String(api::FormatId(b.contact_id));
    w.Key("name").String(b.name).Key("job_title").String(b.job_title);
    w.Key("function").String(b.function).Key("stance").String(b.stance);
    w.Key("left").Bool(b.left);
    w.Key("roles").StartArray();
    for (const std::string& role : b.roles) w.String(role);
    w.EndArray();
    w.Key("response_mode").OptString(b.response_mode);
    w.Key("degree_of_influence").OptString(b.degree_of_influence);
    w.Key("rating").OptInt(b.rating);
    w.Key("win_theme").OptString(b.win_theme);
    w.Key("business_result").OptString(b.business_result);
    w.Key("last_met_at");
    w.OptInstant(b.last_met_at);
    w.EndObject();
  }
  w.EndArray();
  w.Key("strengths").OptString(sheet.strengths);
  w.Key("red_flags_noted").OptString(sheet.red_flags_noted);
  w.Key("possible_actions").StartArray();
  for (const PossibleAction& a : sheet.possible_actions) {
    w.StartObject().Key("id").String(api::FormatId(*a.id));
    w.Key("description").String(a.description).Key("shortlisted").Bool(a.shortlisted);
    w.Key("owner_id");
    w.OptId(a.owner_id);
    w.Key("due_on").OptString(a.due_on);
    w.Key("task_id");
    w.OptId(a.task_id);
    w.EndObject();
  }
  w.EndArray();
  w.Key("red_flags");
  WriteFlags(w, flags[id]);
  w.Key("version").Int(sheet.version);
  w.EndObject();
  return Ok();
}

constexpr const char* kSheetSchema =
    R"({"type":"object","properties":{"opportunity":{"type":"object"},"buying_influences":{"type":"array","items":{"type":"object","properties":{"contact_id":{"type":"string"},"roles":{"type":"array","items":{"type":"string","enum":["economic_buyer","user_buyer","technical_buyer","coach","other"]}},"response_mode":{"type":["string","null"],"enum":["growth","trouble","even_keel","overconfident",null]},"degree_of_influence":{"type":["string","null"],"enum":["low","medium","high",null]},"rating":{"type":["integer","null"],"minimum":-3,"maximum":3},"win_theme":{"type":["string","null"]},"business_result":{"type":["string","null"]}},"required":["contact_id"]}},"strengths":{"type":["string","null"]},"red_flags_noted":{"type":["string","null"]},"possible_actions":{"type":"array","items":{"type":"object","properties":{"id":{"type":["string","null"]},"description":{"type":"string"},"shortlisted":{"type":"boolean"},"owner_id":{"type":["string","null"]},"due_on":{"type":["string","null"],"format":"date"}},"required":["description"]}},"red_flags":{"type":"array","items":{"type":"object","properties":{"code":{"type":"string"},"message":{"type":"string"},"contact_id":{"type":["string","null"]}}}},"version":{"type":"integer"}}})";

// The lists of deals take ?owner_id= and ?limit=.
struct DealListQuery {
  std::optional<std::int64_t> owner;
  int limit;
};

Result<DealListQuery> ParseDealListQuery(const api::Request& r, int default_limit) {
  DealListQuery q{std::nullopt, default_limit};
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Id("owner_id", q.owner).Limit(q.limit, 500).Finish());
  return q;
}

Result<api::Response> GetBlueSheet(api::ApiContext& ctx, const api::Request& r,
                                   const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  api::JsonWriter w;
  std::int64_t version = 0;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(CheckOpportunityInReach(tx, c, id));
    RAPPORT_ASSIGN_OR_RETURN(version,
                             tx.QueryInt("SELECT coalesce(max(version), 0) FROM blue_sheets WHERE "
                                         "opportunity_id = ?",
                                         {id}));
    return WriteBlueSheet(tx, id, FormatDate(ctx.clock.Now() / kMicrosPerDay), w);
  }));
  return api::Response::Json(w.Take()).WithHeader("ETag", api::ETagOf(version));
}

Result<api::Response> PutBlueSheet(api::ApiContext& ctx, const api::Request& r,
                                   const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_ASSIGN_OR_RETURN(BlueSheet sheet, ParseBlueSheet(r.body, id));
  RAPPORT_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, api::ExpectedVersion(r));
  const Instant now = ctx.clock.Now();
  std::int64_t version = 0;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(CheckOpportunityInReach(tx, c, id));
    RAPPORT_ASSIGN_OR_RETURN(version,
                             SaveBlueSheet(tx, audit::Actor{c.user_id, now}, sheet, expected));
    return Ok();
  }));
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    return WriteBlueSheet(tx, id, FormatDate(now / kMicrosPerDay), w);
  }));
  return api::Response::Json(w.Take()).WithHeader("ETag", api::ETagOf(version));
}

Result<api::Response> GetRedFlags(api::ApiContext& ctx, const api::Request& r,
                                  const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(const DealListQuery q, ParseDealListQuery(r, 500));
  const int limit = q.limit;
  std::string condition = "o.account_id IN (SELECT a.id FROM accounts a WHERE " +
                          api::AccountReachCondition(c, "a") + ")";
  db::Params params;
  if (q.owner) {
    condition += " AND o.owner_id = ?";
    params.push_back(*q.owner);
  }
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        auto flags, RedFlags(tx, condition, params, FormatDate(ctx.clock.Now() / kMicrosPerDay)));
    w.StartObject().Key("items").StartArray();
    int n = 0;
    for (const auto& [id, list] : flags) {
      if (list.empty()) continue;
      if (++n > limit) break;
      w.StartObject().Key("opportunity_id").String(api::FormatId(id)).Key("red_flags");
      WriteFlags(w, list);
      w.EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> GetSecondChance(api::ApiContext& ctx, const api::Request& r,
                                      const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(const DealListQuery q, ParseDealListQuery(r, 100));
  const int limit = q.limit;
  std::string condition = api::AccountReachCondition(c, "a");
  db::Params params = {FormatDate(ctx.clock.Now() / kMicrosPerDay + 30)};
  if (q.owner) {
    condition += " AND o.owner_id = ?";
    params.push_back(*q.owner);
  }
  params.push_back(std::int64_t{limit});
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query("SELECT o.id, o.name, o.account_id, a.name AS account_name, o.owner_id, "
                 "u.name AS owner_name, o.lost_reason, o.won_by, o.revisit_on, o.amount_minor, "
                 "o.currency FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN "
                 "users u ON "
                 "u.id = o.owner_id WHERE o.stage = 'closed_lost' AND o.revisit_on IS NOT "
                 "NULL AND o.revisit_on <= ? AND " +
                     condition + " ORDER BY o.revisit_on, o.id LIMIT ?",
                 params));
    w.StartObject().Key("items").StartArray();
    for (const auto& row : rows) {
      w.StartObject()
          .Key("opportunity_id")
          .String(api::FormatId(row.Int("id")))
          .Key("name")
          .String(row.Text("name"))
          .Key("account_id")
          .String(api::FormatId(row.Int("account_id")))
          .Key("account_name")
          .String(row.Text("account_name"))
          .Key("owner_id")
          .String(api::FormatId(row.Int("owner_id")))
          .Key("owner_name")
          .String(row.Text("owner_name"))
          .Key("lost_reason")
          .OptString(row.OptText("lost_reason"))
          .Key("won_by")
          .OptString(row.OptText("won_by"))
          .Key("revisit_on")
          .String(row.Text("revisit_on"))
          .Key("amount_minor")
          .Int(row.Int("amount_minor"))
          .Key("currency")
          .String(row.Text("currency"))
          .EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterBlueSheetRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/opportunities/{id}/blue-sheet",
       api::Access::kSignedIn,
       api::Reach::Record("opportunities", "opportunity", api::Scope::kViaAccount),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetBlueSheet(ctx, r, c); },
       {"An opportunity's Blue Sheet with its computed red flags",
        "Strategic selling",
        {},
        "",
        kSheetSchema}});

  router.Add(
      {"PUT",
       "/api/v1/opportunities/{id}/blue-sheet",
       api::Access::kSignedIn,
       api::Reach::Record("opportunities", "opportunity", api::Scope::kViaAccount),
       [&ctx](const api::Request& r, const api::Caller& c) { return PutBlueSheet(ctx, r, c); },
       {"Replace an opportunity's Blue Sheet (If-Match: its ETag)",
        "Strategic selling",
        {},
        kSheetSchema,
        kSheetSchema}});

  router.Add(
      {"GET",
       "/api/v1/reports/red-flags",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetRedFlags(ctx, r, c); },
       {"Open opportunities in reach that show red flags (for the pipeline)",
        "Strategic selling",
        {{"owner_id", "string", "only this owner's"}, {"limit", "integer", "1 to 500"}},
        "",
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"opportunity_id":{"type":"string"},"red_flags":{"type":"array"}}}}}})"}});

  router.Add(
      {"GET",
       "/api/v1/reports/second-chance",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetSecondChance(ctx, r, c); },
       {"Lost deals due for a revisit within 30 days (the second-chance list)",
        "Strategic selling",
        {{"owner_id", "string", "only this owner's"}, {"limit", "integer", "1 to 500"}},
        "",
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object"}}}})"}});
}

}  // namespace rapport::selling
