// Targets: a manager sets a person's target for a period and splits it across their people; each
// person splits theirs across territories, accounts and single sales objectives. A split replaces
// the children at once and must add up to the target exactly. Each target shows what is won and
// open against it: attainment (won / target) and coverage (open pipeline / what remains).
#include "selling/targets.hpp"

#include <set>

#include "api/access.hpp"
#include "api/query.hpp"
#include "audit/audit_log.hpp"
#include "core/validation.hpp"
#include "settings/currencies.hpp"

namespace rapport::selling {
namespace {

using api::JsonValue;
using Kind = api::JsonValue::Kind;

constexpr const char* kColumns =
    "t.id, t.parent_id, t.user_id, u.name AS user_name, t.account_id, a.name AS account_name, "
    "t.opportunity_id, o.name AS opportunity_name, t.starts_on, t.ends_on, t.amount_minor, "
    "t.currency, t.version, t.territory_id, tr.name AS territory_name";
constexpr const char* kFrom =
    " FROM targets t JOIN users u ON u.id = t.user_id LEFT JOIN accounts a ON a.id = t.account_id "
    "LEFT JOIN opportunities o ON o.id = t.opportunity_id LEFT JOIN territories tr ON tr.id = "
    "t.territory_id";

// Whose deals count towards a person's target: theirs and their management line's.
std::string LineOf(const std::string& user) {
  return "(WITH RECURSIVE line(id) AS (SELECT id FROM users WHERE id = " + user +
         " UNION SELECT m.id FROM users m JOIN line ON m.manager_id = line.id) SELECT id FROM "
         "line)";
}

// Won and open amounts against a target (a row selected with kColumns).
Result<std::pair<std::int64_t, std::int64_t>> Against(db::Transaction& tx, const db::Row& t) {
  std::string scope;
  db::Params params = {t.Text("starts_on"), t.Text("ends_on")};
  if (!t.IsNull("opportunity_id")) {
    scope = "o.id = ?";
    params.push_back(t.Int("opportunity_id"));
  } else if (!t.IsNull("account_id")) {
    scope = "o.account_id = ?";
    params.push_back(t.Int("account_id"));
  } else if (!t.IsNull("territory_id")) {
    // The person's (and their line's) deals on the territory's accounts and those of the
    // territories under it.
    scope =
        "o.account_id IN (SELECT x.id FROM accounts x WHERE x.territory_id IN (WITH RECURSIVE "
        "sub(id) AS (SELECT id FROM territories WHERE id = ? UNION SELECT c.id FROM territories "
        "c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub)) AND o.owner_id IN " +
        LineOf(std::to_string(t.Int("user_id")));
    params.push_back(t.Int("territory_id"));
  } else {
    scope = "o.owner_id IN " + LineOf(std::to_string(t.Int("user_id")));
  }
  // Deals in other currencies count at the rate of their close date.
  RAPPORT_ASSIGN_OR_RETURN(std::string company, settings::CompanyCurrency(tx));
  const std::string amount = settings::InCurrencySql("o.amount_minor", "o.currency", "o.close_date",
                                                     t.Text("currency"), company);
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> sums,
      tx.QueryOne(
          "SELECT coalesce(sum(CASE WHEN o.stage = 'closed_won' THEN " + amount +
              " END), 0) AS won_minor, coalesce(sum(CASE WHEN o.stage NOT IN ('closed_won', "
              "'closed_lost') THEN " +
              amount +
              " END), 0) AS open_minor FROM opportunities o WHERE o.close_date >= ? AND "
              "o.close_date <= ? AND " +
              scope,
          params));
  return std::make_pair(sums->Int("won_minor"), sums->Int("open_minor"));
}

Status WriteTarget(db::Transaction& tx, const db::Row& t, api::JsonWriter& w, bool children) {
  RAPPORT_ASSIGN_OR_RETURN(auto figures, Against(tx, t));
  const auto [won, open] = figures;
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t allocated,
      tx.QueryInt("SELECT coalesce(sum(amount_minor), 0) FROM targets WHERE parent_id = ?",
                  {t.Int("id")}));
  const std::int64_t amount = t.Int("amount_minor");
  auto opt_id = [&](std::string_view column) { w.OptId(t.OptInt(column)); };
  w.StartObject().Key("id").String(api::FormatId(t.Int("id"))).Key("parent_id");
  opt_id("parent_id");
  w.Key("user_id").String(api::FormatId(t.Int("user_id")));
  w.Key("user_name").String(t.Text("user_name"));
  w.Key("account_id");
  opt_id("account_id");
  w.Key("account_name").OptString(t.OptText("account_name"));
  w.Key("opportunity_id");
  opt_id("opportunity_id");
  w.Key("opportunity_name").OptString(t.OptText("opportunity_name"));
  w.Key("territory_id");
  opt_id("territory_id");
  w.Key("territory_name").OptString(t.OptText("territory_name"));
  w.Key("starts_on").String(t.Text("starts_on")).Key("ends_on").String(t.Text("ends_on"));
  w.Key("amount_minor").Int(amount).Key("currency").String(t.Text("currency"));
  w.Key("allocated_minor").Int(allocated).Key("unallocated_minor").Int(amount - allocated);
  w.Key("won_minor").Int(won).Key("open_pipeline_minor").Int(open);
  w.Key("attainment").Double(amount > 0 ? static_cast<double>(won) / amount : 0.0);
  const std::int64_t remaining = amount - won;
  w.Key("coverage");
  if (remaining > 0)
    w.Double(static_cast<double>(open) / remaining);
  else
    w.Null();
  w.Key("version").Int(t.Int("version"));
  if (children) {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows kids, tx.Query(std::string("SELECT ") + kColumns + kFrom +
                                    " WHERE t.parent_id = ? ORDER BY t.amount_minor DESC, t.id",
                                {t.Int("id")}));
    w.Key("splits").StartArray();
    for (const auto& kid : kids) RAPPORT_RETURN_IF_ERROR(WriteTarget(tx, kid, w, false));
    w.EndArray();
  }
  w.EndObject();
  return Ok();
}

Result<db::Row> LoadTarget(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(std::string("SELECT ") + kColumns + kFrom + " WHERE t.id = ?", {id}));
  if (!row) return Error(ErrorCode::kNotFound, "there is no target " + std::to_string(id));
  return *row;
}

bool InLine(const api::Caller& c, std::int64_t user) {
  return std::find(c.user_ids.begin(), c.user_ids.end(), user) != c.user_ids.end();
}

// Who may see a target: admins, the person, and managers whose line the person is in.
Status MaySee(const api::Caller& c, std::int64_t user) {
  if (api::IsAdmin(c) || user == c.user_id || (api::IsManager(c) && InLine(c, user))) return Ok();
  return Error(ErrorCode::kNotFound, "there is no such target");
}

// Who may set a person's target: admins, and managers above the person.
Status MaySet(const api::Caller& c, std::int64_t user) {
  if (api::IsAdmin(c) || (api::IsManager(c) && user != c.user_id && InLine(c, user))) return Ok();
  return Error(ErrorCode::kPermissionDenied,
               "only the person's manager (or an admin) sets their target");
}

Result<std::int64_t> Amount(const JsonValue& v, const std::string& field) {
  if (v.kind != Kind::kInt || v.integer < 0) {
    return Error::InvalidField(field, "must be a whole number of minor units, 0 or more");
  }
  return v.integer;
}

constexpr const char* kTargetSchema =
    R"({"type":"object","properties":{"id":{"type":"string"},"parent_id":{"type":["string","null"]},"user_id":{"type":"string"},"account_id":{"type":["string","null"]},"opportunity_id":{"type":["string","null"]},"territory_id":{"type":["string","null"]},"starts_on":{"type":"string"},"ends_on":{"type":"string"},"amount_minor":{"type":"integer"},"allocated_minor":{"type":"integer"},"unallocated_minor":{"type":"integer"},"won_minor":{"type":"integer"},"open_pipeline_minor":{"type":"integer"},"attainment":{"type":"number"},"coverage":{"type":["number","null"]},"splits":{"type":"array","items":{"type":"object"}}}})";

Result<api::Response> CreateTarget(api::ApiContext& ctx, const api::Request& r,
                                   const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, api::ParseJson(r.body));
  if (body.kind != Kind::kObject) return Error::InvalidField("body", "must be an object");
  std::optional<std::int64_t> user, amount, territory;
  std::string starts, ends, currency = "GBP";
  for (const auto& [key, value] : body.members) {
    if (key == "user_id") {
      RAPPORT_ASSIGN_OR_RETURN(user, api::ParseIdValue(value, key));
    } else if (key == "territory_id") {
      RAPPORT_ASSIGN_OR_RETURN(territory, api::ParseIdValue(value, key));
    } else if (key == "amount_minor") {
      RAPPORT_ASSIGN_OR_RETURN(amount, Amount(value, key));
    } else if (key == "starts_on" || key == "ends_on") {
      std::int64_t day = 0;
      if (value.kind != Kind::kString || !ParseDate(value.text, day)) {
        return Error::InvalidField(key, "must be a date, YYYY-MM-DD");
      }
      (key == "starts_on" ? starts : ends) = value.text;
    } else if (key == "currency") {
      if (value.kind != Kind::kString || !IsCurrencyCode(value.text)) {
        return Error::InvalidField(key, "must be a three-letter ISO 4217 code such as GBP");
      }
      currency = value.text;
    } else {
      return Error::InvalidField(key, "is not a field of a target");
    }
  }
  if (!user) return Error::InvalidField("user_id", "is required");
  if (!amount) return Error::InvalidField("amount_minor", "is required");
  if (starts.empty()) return Error::InvalidField("starts_on", "is required");
  if (ends.empty()) return Error::InvalidField("ends_on", "is required");
  if (ends < starts) return Error::InvalidField("ends_on", "is before starts_on");
  RAPPORT_RETURN_IF_ERROR(MaySet(c, *user));
  const Instant now = ctx.clock.Now();
  std::int64_t id = 0;
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "users", *user, "user_id"));
    if (territory) {
      RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "territories", *territory, "territory_id"));
    }
    RAPPORT_ASSIGN_OR_RETURN(id, audit::InsertAudited(tx, {c.user_id, now}, "targets",
                                                      {{"user_id", *user},
                                                       {"territory_id", db::OptionalInt(territory)},
                                                       {"starts_on", starts},
                                                       {"ends_on", ends},
                                                       {"amount_minor", *amount},
                                                       {"currency", currency},
                                                       {"created_by", c.user_id}}));
    RAPPORT_ASSIGN_OR_RETURN(db::Row t, LoadTarget(tx, id));
    return WriteTarget(tx, t, w, true);
  }));
  return api::Response::Created(w.Take(), "/api/v1/targets/" + api::FormatId(id));
}

Result<api::Response> ListTargets(api::ApiContext& ctx, const api::Request& r,
                                  const api::Caller& c) {
  std::string where = " WHERE t.parent_id IS NULL";
  db::Params params;
  std::optional<std::int64_t> user, territory;
  std::string on;
  RAPPORT_RETURN_IF_ERROR(
      api::Query(r).Id("user_id", user).Id("territory_id", territory).Date("on", on).Finish());
  if (user) {
    where += " AND t.user_id = ?";
    params.push_back(*user);
  }
  if (territory) {
    where += " AND t.territory_id = ?";
    params.push_back(*territory);
  }
  if (!on.empty()) {
    where += " AND t.starts_on <= ? AND t.ends_on >= ?";
    params.push_back(on);
    params.push_back(on);
  }
  where += " AND " + api::PeopleInView(c, "t.user_id");
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                             tx.Query(std::string("SELECT ") + kColumns + kFrom + where +
                                          " ORDER BY t.starts_on DESC, u.name, t.id LIMIT 200",
                                      params));
    w.StartObject().Key("items").StartArray();
    for (const auto& row : rows) RAPPORT_RETURN_IF_ERROR(WriteTarget(tx, row, w, true));
    w.EndArray().Key("next_cursor").Null().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> GetTarget(api::ApiContext& ctx, const api::Request& r, const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row t, LoadTarget(tx, id));
    RAPPORT_RETURN_IF_ERROR(MaySee(c, t.Int("user_id")));
    return WriteTarget(tx, t, w, true);
  }));
  return api::Response::Json(w.Take());
}

// One item of a target's split: exactly one of a person, territory, account or deal, and an
// amount; `key` tells duplicates apart.
struct Split {
  std::optional<std::int64_t> user, territory, account, opportunity;
  std::int64_t amount = 0;
  std::string key;
};

Result<Split> ReadSplit(db::Transaction& tx, const api::Caller& c, const JsonValue& item,
                        const std::string& at, bool may_split_people) {
  if (item.kind != Kind::kObject) return Error::InvalidField(at, "must be an object");
  std::optional<std::int64_t> user, territory, account, opportunity, amount;
  Split split;
  for (const auto& [key, value] : item.members) {
    const std::string field = at + "." + key;
    if (key == "user_id") {
      RAPPORT_ASSIGN_OR_RETURN(user, api::ParseIdValue(value, field));
    } else if (key == "territory_id") {
      RAPPORT_ASSIGN_OR_RETURN(territory, api::ParseIdValue(value, field));
    } else if (key == "account_id") {
      RAPPORT_ASSIGN_OR_RETURN(account, api::ParseIdValue(value, field));
    } else if (key == "opportunity_id") {
      RAPPORT_ASSIGN_OR_RETURN(opportunity, api::ParseIdValue(value, field));
    } else if (key == "amount_minor") {
      RAPPORT_ASSIGN_OR_RETURN(amount, Amount(value, field));
    } else {
      return Error::InvalidField(field, "is not a field of a split");
    }
  }
  if (!amount) return Error::InvalidField(at + ".amount_minor", "is required");
  if ((user ? 1 : 0) + (territory ? 1 : 0) + (account ? 1 : 0) + (opportunity ? 1 : 0) != 1) {
    return Error::InvalidField(at, "give one of user_id, territory_id, account_id, opportunity_id");
  }
  if (user) {
    if (!may_split_people) {
      return Error::InvalidField(at + ".user_id", "only a manager splits a target across people");
    }
    if (!api::IsAdmin(c) && !InLine(c, *user)) {
      return Error::InvalidField(at + ".user_id", "is not in your line");
    }
    RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "users", *user, at + ".user_id"));
    split.key = "u" + std::to_string(*user);
  } else if (territory) {
    RAPPORT_RETURN_IF_ERROR(
        audit::CheckReference(tx, "territories", *territory, at + ".territory_id"));
    split.key = "t" + std::to_string(*territory);
  } else if (account) {
    RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "accounts", *account, at + ".account_id"));
    split.key = "a" + std::to_string(*account);
  } else {
    RAPPORT_RETURN_IF_ERROR(
        audit::CheckReference(tx, "opportunities", *opportunity, at + ".opportunity_id"));
    split.key = "o" + std::to_string(*opportunity);
  }
  split.user = user;
  split.territory = territory;
  split.account = account;
  split.opportunity = opportunity;
  split.amount = *amount;
  return split;
}

Result<api::Response> SplitTarget(api::ApiContext& ctx, const api::Request& r,
                                  const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, api::ParseJson(r.body));
  const JsonValue* splits = body.kind == Kind::kObject ? body.Find("splits") : nullptr;
  if (!splits || splits->kind != Kind::kArray) {
    return Error::InvalidField("splits",
                               "must be an array of {user_id | territory_id | "
                               "account_id | opportunity_id, amount_minor}");
  }
  for (const auto& [key, value] : body.members) {
    if (key != "splits") return Error::InvalidField(key, "is not a field of a split");
  }
  const Instant now = ctx.clock.Now();
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row parent, LoadTarget(tx, id));
    const std::int64_t owner = parent.Int("user_id");
    // A manager splits a person's target across people; the person (or their manager)
    // splits it across accounts and deals.
    const bool may_split_people = api::IsAdmin(c) || (api::IsManager(c) && InLine(c, owner));
    const bool may_split_book = may_split_people || owner == c.user_id;
    if (!may_split_book) {
      RAPPORT_RETURN_IF_ERROR(MaySee(c, owner));
      return Error(ErrorCode::kPermissionDenied,
                   "only the person or their manager splits "
                   "this target");
    }
    std::int64_t sum = 0;
    std::set<std::string> seen;
    std::vector<audit::FieldValues> children;
    for (size_t i = 0; i < splits->items.size(); ++i) {
      const std::string at = "splits[" + std::to_string(i) + "]";
      RAPPORT_ASSIGN_OR_RETURN(Split split,
                               ReadSplit(tx, c, splits->items[i], at, may_split_people));
      if (!seen.insert(split.key).second) return Error::InvalidField(at, "is listed twice");
      sum += split.amount;
      children.push_back({{"parent_id", id},
                          {"user_id", split.user.value_or(owner)},
                          {"territory_id", db::OptionalInt(split.territory)},
                          {"account_id", db::OptionalInt(split.account)},
                          {"opportunity_id", db::OptionalInt(split.opportunity)},
                          {"starts_on", parent.Text("starts_on")},
                          {"ends_on", parent.Text("ends_on")},
                          {"amount_minor", split.amount},
                          {"currency", parent.Text("currency")},
                          {"created_by", c.user_id}});
    }
    if (!children.empty() && sum != parent.Int("amount_minor")) {
      return Error::InvalidField("splits",
                                 "add up to " + std::to_string(sum) + ", not the target's " +
                                     std::to_string(parent.Int("amount_minor")) + " (minor units)");
    }
    // Replace the children (and anything split below them).
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM targets WHERE parent_id IN (SELECT id FROM targets WHERE "
                   "parent_id = ?)",
                   {id}));
    RAPPORT_RETURN_IF_ERROR(tx.Execute("DELETE FROM targets WHERE parent_id = ?", {id}));
    for (const auto& child : children) {
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t child_id,
                               audit::InsertAudited(tx, {c.user_id, now}, "targets", child));
      (void)child_id;
    }
    RAPPORT_ASSIGN_OR_RETURN(db::Row fresh, LoadTarget(tx, id));
    return WriteTarget(tx, fresh, w, true);
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterTargetRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"POST",
       "/api/v1/targets",
       api::Access::kManagers,
       api::Reach::OwnRule("an admin, or a manager for people in their line (not themselves)"),
       [&ctx](const api::Request& r, const api::Caller& c) { return CreateTarget(ctx, r, c); },
       {"Set a person's target for a period (their manager or an admin)",
        "Targets",
        {},
        R"({"type":"object","properties":{"user_id":{"type":"string"},"territory_id":{"type":"string","description":"a target for the person's business in this territory"},"starts_on":{"type":"string","format":"date"},"ends_on":{"type":"string","format":"date"},"amount_minor":{"type":"integer","minimum":0},"currency":{"type":"string"}},"required":["user_id","starts_on","ends_on","amount_minor"],"additionalProperties":false})",
        kTargetSchema,
        201}});

  router.Add(
      {"GET",
       "/api/v1/targets",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return ListTargets(ctx, r, c); },
       {"Targets in view (top level, with their splits, attainment and coverage)",
        "Targets",
        {{"user_id", "string", "whose"},
         {"territory_id", "string", "set on this territory"},
         {"on", "string", "periods that include this date"}},
        "",
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object"}},"next_cursor":{"type":["string","null"]}}})"}});

  router.Add(
      {"GET",
       "/api/v1/targets/{id}",
       api::Access::kSignedIn,
       api::Reach::OwnRule("targets for the caller, or for people in a manager's line"),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetTarget(ctx, r, c); },
       {"One target with its splits, attainment and coverage", "Targets", {}, "", kTargetSchema}});

  router.Add(
      {"PUT",
       "/api/v1/targets/{id}/split",
       api::Access::kSignedIn,
       api::Reach::OwnRule("targets for the caller, or for people in a manager's line"),
       [&ctx](const api::Request& r, const api::Caller& c) { return SplitTarget(ctx, r, c); },
       {"Split a target across people (a manager) or accounts and deals: the splits replace "
        "the old ones and must add up to the target",
        "Targets",
        {},
        R"({"type":"object","properties":{"splits":{"type":"array","items":{"type":"object","properties":{"user_id":{"type":"string"},"territory_id":{"type":"string"},"account_id":{"type":"string"},"opportunity_id":{"type":"string"},"amount_minor":{"type":"integer","minimum":0}},"required":["amount_minor"],"additionalProperties":false}}},"required":["splits"],"additionalProperties":false})",
        kTargetSchema}});
}

}  // namespace rapport::selling
