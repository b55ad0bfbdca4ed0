// Success plans, their outcomes and milestones, and the commission statement that follows them.
//
// Commission: a plan names whose commission it is (commission_user_id), how much, and when it was
// earned. Each milestone may hold back a percentage of it. On the day it is earned the statement
// shows the whole amount earned and each holdback withheld; a milestone met by its due date plus
// the plan's grace days releases its holdback on the day it is met; one not met by then forfeits
// it on the day after the grace period ends.
#include "success/success_plans.hpp"

#include <algorithm>
#include <map>

#include "api/access.hpp"
#include "api/csv.hpp"
#include "api/query.hpp"
#include "db/dialect.hpp"
#include "records/success.hpp"
#include "settings/currencies.hpp"
#include "success/surveys.hpp"

namespace rapport::success {
namespace {

using api::FieldType;

constexpr std::string_view kMeasures[] = {"uptime", "staff_trained", "throughput", "savings",
                                          "other"};

// after_write: replaces the plan's outcomes with the body's `outcomes`, when given.
Status WriteOutcomes(db::Transaction& tx, const api::Caller& caller, std::int64_t plan,
                     const api::JsonValue& body) {
  static const std::vector<api::FieldSpec> kOutcome = {
      {.name = "measure",
       .type = FieldType::kEnum,
       .required = true,
       .nullable = false,
       .values = {std::begin(kMeasures), std::end(kMeasures)}},
      {.name = "description", .required = true, .nullable = false, .max_length = 500},
      {.name = "target"},
      {.name = "actual"},
  };
  RAPPORT_ASSIGN_OR_RETURN(auto outcomes,
                           api::ParseItems(tx, caller, body, "outcomes", kOutcome, "an outcome"));
  if (!outcomes) return Ok();
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM success_outcomes WHERE success_plan_id = ?", {plan}));
  for (const audit::FieldValues& o : *outcomes) {
    auto value = [&](std::string_view column) { return api::ValueOf(o, column); };
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO success_outcomes (success_plan_id, measure, description, target, "
        "actual) VALUES (?, ?, ?, ?, ?)",
        {plan, value("measure"), value("description"), value("target"), value("actual")}));
  }
  return Ok();
}

Status WritePlanJson(db::Transaction& tx, std::int64_t plan, api::JsonWriter& w) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows outcomes,
      tx.Query("SELECT measure, description, target, actual FROM success_outcomes WHERE "
               "success_plan_id = ? ORDER BY id",
               {plan}));
  w.Key("outcomes").StartArray();
  for (const auto& o : outcomes) {
    w.StartObject().Key("measure").String(o.Text("measure"));
    w.Key("description").String(o.Text("description"));
    w.Key("target").Value(o.at(o.IndexOf("target")));
    w.Key("actual").Value(o.at(o.IndexOf("actual"))).EndObject();
  }
  w.EndArray();
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows milestones,
      tx.Query("SELECT id, name, kind, due_on, status, met_on, owner_id, customer_owner_id, "
               "payment_share_percent, commission_holdback_percent, evidence FROM milestones "
               "WHERE success_plan_id = ? ORDER BY due_on, id",
               {plan}));
  int met = 0;
  w.Key("milestones").StartArray();
  for (const auto& m : milestones) {
    if (m.Text("status") == "met") ++met;
    w.StartObject().Key("id").String(api::FormatId(m.Int("id")));
    w.Key("name").String(m.Text("name"));
    w.Key("kind").String(m.Text("kind")).Key("due_on").String(m.Text("due_on"));
    w.Key("status").String(m.Text("status")).Key("met_on").Value(m.at(m.IndexOf("met_on")));
    w.Key("owner_id").OptId(m.OptInt("owner_id"));
    w.Key("customer_owner_id").OptId(m.OptInt("customer_owner_id"));
    w.Key("payment_share_percent").Int(m.Int("payment_share_percent"));
    w.Key("commission_holdback_percent").Int(m.Int("commission_holdback_percent"));
    w.Key("evidence").Value(m.at(m.IndexOf("evidence"))).EndObject();
  }
  w.EndArray();
  w.Key("milestones_met").Int(met).Key("milestones_total").Int(static_cast<int>(milestones.size()));
  return Ok();
}

// The contact, opportunity and account of a plan agree.
Status CheckSameAccount(db::Transaction& tx, std::int64_t account, const db::Value& id,
                        const std::string& table, const std::string& field) {
  if (!std::holds_alternative<std::int64_t>(id)) return Ok();
  RAPPORT_ASSIGN_OR_RETURN(auto row,
                           tx.QueryOne("SELECT account_id FROM " + table + " WHERE id = ?",
                                       {std::get<std::int64_t>(id)}));
  if (!row || row->Int("account_id") != account) {
    return Error::InvalidField(field, "must be of the plan's account");
  }
  return Ok();
}

api::ResourceSpec SuccessPlanSpec() {
  api::ResourceSpec s;
  s.plural = "success_plans";
  s.path = "success-plans";
  s.singular = "success plan";
  s.tag = "Customer success";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kNone;
  s.fields = api::FieldsOf(records::SuccessPlanRecord());
  s.extra_body_fields.emplace_back(
      "outcomes",
      R"({"type":"array","items":{"type":"object","properties":{"measure":{"type":"string","enum":["uptime","staff_trained","throughput","savings","other"]},"description":{"type":"string"},"target":{"type":"string"},"actual":{"type":"string"}}}})");
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "owner_id");
    const db::Value account = w.After("account_id");
    const std::int64_t a = std::get<std::int64_t>(account);
    RAPPORT_RETURN_IF_ERROR(
        CheckSameAccount(w.tx, a, w.After("opportunity_id"), "opportunities", "opportunity_id"));
    RAPPORT_RETURN_IF_ERROR(CheckSameAccount(w.tx, a, w.After("defined_by_contact_id"), "contacts",
                                             "defined_by_contact_id"));
    const db::Value commission = w.After("commission_minor");
    const bool has_commission =
        std::holds_alternative<std::int64_t>(commission) && std::get<std::int64_t>(commission) > 0;
    if (has_commission && std::holds_alternative<std::monostate>(w.After("commission_user_id"))) {
      const db::Value deal = w.After("opportunity_id");
      std::int64_t who = w.caller.user_id;
      if (std::holds_alternative<std::int64_t>(deal)) {
        RAPPORT_ASSIGN_OR_RETURN(who,
                                 w.tx.QueryInt("SELECT owner_id FROM opportunities WHERE id = ?",
                                               {std::get<std::int64_t>(deal)}));
      } else if (std::holds_alternative<std::int64_t>(w.After("owner_id"))) {
        who = std::get<std::int64_t>(w.After("owner_id"));
      }
      w.Set("commission_user_id", who);
    }
    if (has_commission && std::holds_alternative<std::monostate>(w.After("commission_earned_on"))) {
      w.Set("commission_earned_on", FormatDate(w.now / kMicrosPerDay));
    }
    return Ok();
  };
  s.after_write = [](db::Transaction& tx, const api::Caller& caller, Instant, std::int64_t id,
                     const api::JsonValue& body, bool creating) -> Status {
    RAPPORT_RETURN_IF_ERROR(WriteOutcomes(tx, caller, id, body));
    if (!creating && body.Find("account_id")) {
      // The milestones follow their plan.
      return tx.Execute(
          "UPDATE milestones SET account_id = (SELECT account_id FROM success_plans WHERE id = ?) "
          "WHERE success_plan_id = ?",
          {id, id});
    }
    return Ok();
  };
  s.extra_json = &WritePlanJson;
  return s;
}

// A milestone met asks the customer's owner of it how satisfied they are (CSI), once.
Status AskAfterMilestone(db::Transaction& tx, const SurveySettings& settings, Instant now,
                         std::int64_t sender, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne("SELECT m.account_id, m.customer_owner_id FROM milestones m JOIN contacts k ON "
                  "k.id = m.customer_owner_id WHERE m.id = ? AND m.status = 'met' AND k.email IS "
                  "NOT NULL AND k.left_at IS NULL AND NOT EXISTS (SELECT 1 FROM surveys s WHERE "
                  "s.milestone_id = m.id)",
                  {id}));
  if (!row) return Ok();
  RAPPORT_ASSIGN_OR_RETURN(auto sent, SendSurvey(tx, settings, now, sender,
                                                 {.account_id = row->Int("account_id"),
                                                  .contact_id = row->Int("customer_owner_id"),
                                                  .kind = "csi",
                                                  .sent_after = "milestone",
                                                  .milestone_id = id}));
  (void)sent;
  return Ok();
}

api::ResourceSpec MilestoneSpec(const SurveySettings& settings) {
  api::ResourceSpec s;
  s.plural = "milestones";
  s.singular = "milestone";
  s.tag = "Customer success";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.fields = api::FieldsOf(records::MilestoneRecord());
  s.before_write = [](api::WriteContext& w) -> Status {
    const std::int64_t plan = std::get<std::int64_t>(w.After("success_plan_id"));
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t account,
        w.tx.QueryInt("SELECT account_id FROM success_plans WHERE id = ?", {plan}));
    if (w.Written("success_plan_id")) w.Set("account_id", account);
    RAPPORT_RETURN_IF_ERROR(CheckSameAccount(w.tx, account, w.After("customer_owner_id"),
                                             "contacts", "customer_owner_id"));
    // Met: when, by default today; not met: no date.
    if (const db::Value* status = w.Written("status")) {
      const bool met = std::get<std::string>(*status) == "met";
      if (met && std::holds_alternative<std::monostate>(w.After("met_on"))) {
        w.Set("met_on", FormatDate(w.now / kMicrosPerDay));
      } else if (!met) {
        w.Set("met_on", db::Null());
      }
    } else if (w.Written("met_on") && !std::holds_alternative<std::monostate>(w.After("met_on"))) {
      w.Set("status", std::string("met"));
    }
    // The plan's milestones together hold back and pay at most everything.
    const std::int64_t self = w.before ? w.before->Int("id") : 0;
    for (const char* column : {"commission_holdback_percent", "payment_share_percent"}) {
      const db::Value mine = w.After(column);
      const std::int64_t share =
          std::holds_alternative<std::int64_t>(mine) ? std::get<std::int64_t>(mine) : 0;
      RAPPORT_ASSIGN_OR_RETURN(
          std::int64_t others,
          w.tx.QueryInt(std::string("SELECT coalesce(sum(") + column +
                            "), 0) FROM milestones WHERE success_plan_id = ? AND id <> ?",
                        {plan, self}));
      if (others + share > 100) {
        return Error::InvalidField(column, "the plan's milestones would add up to " +
                                               std::to_string(others + share) +
                                               "%, more than 100%");
      }
    }
    return Ok();
  };
  s.after_write = [settings](db::Transaction& tx, const api::Caller& caller, Instant now,
                             std::int64_t id, const api::JsonValue&, bool) -> Status {
    return AskAfterMilestone(tx, settings, now, caller.user_id, id);
  };
  return s;
}

std::int64_t DayOf(const std::string& date) {
  std::int64_t day = 0;
  ParseDate(date, day);
  return day;
}

Result<api::Response> GetCommissionStatement(api::ApiContext& ctx, const api::Request& r,
                                             const api::Caller& c) {
  const std::int64_t today = ctx.clock.Now() / kMicrosPerDay;
  std::int64_t user = c.user_id;
  Period period = MonthOf(today);
  std::string format = "json";
  api::Query query(r);
  query.Id("user_id", user).Period("period", period).OneOf("format", format, {"json", "csv"});
  RAPPORT_RETURN_IF_ERROR(query.Finish());
  std::string name;
  CommissionStatement st;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    // Someone's statement is theirs, their managers' and the admins'.
    RAPPORT_ASSIGN_OR_RETURN(
        auto who,
        tx.QueryOne("SELECT u.name FROM users u WHERE u.id = ? AND " + api::PeopleInView(c, "u.id"),
                    {user}));
    if (!who) return Error(ErrorCode::kNotFound, "no such person in your view");
    name = who->Text("name");
    RAPPORT_ASSIGN_OR_RETURN(st, LoadCommissionStatement(tx, user, period, today));
    return Ok();
  }));
  if (format == "csv") {
    api::CsvWriter csv;
    for (const char* h : {"date", "kind", "amount_minor", "plan_currency", "plan_amount_minor",
                          "success_plan_id", "plan", "milestone_id", "milestone"}) {
      csv.Cell(h);
    }
    csv.EndRow();
    for (const auto& l : st.lines) {
      csv.Cell(FormatDate(l.day)).Cell(l.kind).Cell(l.amount_minor);
      csv.Cell(l.plan_currency).Cell(l.plan_amount_minor);
      csv.Cell(api::FormatId(l.success_plan_id)).Cell(l.plan_title);
      csv.Cell(l.milestone_id ? api::FormatId(*l.milestone_id) : "");
      csv.Cell(l.milestone_name).EndRow();
    }
    return api::Response::Download(csv.Take(), "text/csv; charset=utf-8",
                                   "commission-" + period.label + ".csv");
  }
  api::JsonWriter w;
  w.StartObject().Key("user_id").String(api::FormatId(user)).Key("name").String(name);
  w.Key("period").String(period.label).Key("currency").String(st.currency);
  w.Key("unconverted").StartArray();
  for (const auto& [currency, plans] : st.unconverted) {
    w.StartObject().Key("currency").String(currency).Key("plans").Int(plans).EndObject();
  }
  w.EndArray();
  w.Key("from").String(FormatDate(period.first_day));
  w.Key("to").String(FormatDate(period.last_day));
  w.Key("earned_minor").Int(st.earned).Key("held_back_minor").Int(st.held_back);
  w.Key("released_minor").Int(st.released).Key("forfeited_minor").Int(st.forfeited);
  w.Key("payable_minor").Int(st.payable).Key("still_held_minor").Int(st.still_held);
  w.Key("lines").StartArray();
  for (const auto& l : st.lines) {
    w.StartObject().Key("date").String(FormatDate(l.day)).Key("kind").String(l.kind);
    w.Key("amount_minor").Int(l.amount_minor);
    w.Key("plan_currency")
        .String(l.plan_currency)
        .Key("plan_amount_minor")
        .Int(l.plan_amount_minor);
    w.Key("success_plan_id").String(api::FormatId(l.success_plan_id));
    w.Key("plan").String(l.plan_title).Key("milestone_id").OptId(l.milestone_id);
    w.Key("milestone").String(l.milestone_name).EndObject();
  }
  w.EndArray().EndObject();
  return api::Response::Json(w.Take());
}

}  // namespace

Result<CommissionStatement> LoadCommissionStatement(db::Transaction& tx, std::int64_t user_id,
                                                    const Period& period, std::int64_t today) {
  CommissionStatement st;
  RAPPORT_ASSIGN_OR_RETURN(st.currency, settings::CompanyCurrency(tx));
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT p.id AS plan_id, p.title, p.commission_minor, p.commission_earned_on, "
               "p.created_at, p.grace_days, m.id AS milestone_id, m.name AS milestone_name, "
               "m.due_on, m.status, m.met_on, m.commission_holdback_percent, p.currency, " +
                   settings::InCompanyCurrencySql(
                       "p.commission_minor", "p.currency",
                       // The day it was earned; for a plan without one (imported), the day
                       // it was made, as the statement dates it.
                       "coalesce(CAST(p.commission_earned_on AS TEXT), " +
                           db::DayOfInstantSql(tx.backend(), "p.created_at") + ")",
                       st.currency) +
                   " AS company_commission_minor FROM success_plans p LEFT JOIN milestones m ON "
                   "m.success_plan_id = p.id AND m.commission_holdback_percent > 0 WHERE "
                   "p.commission_user_id = ? AND p.commission_minor > 0 ORDER BY p.id, m.due_on, "
                   "m.id",
               {user_id}));
  std::int64_t last_plan = 0;
  for (const auto& r : rows) {
    const std::int64_t plan = r.Int("plan_id");
    const std::int64_t original = r.Int("commission_minor");
    const std::int64_t commission = r.Int("company_commission_minor");
    const std::int64_t earned_day = r.IsNull("commission_earned_on")
                                        ? r.Int("created_at") / kMicrosPerDay
                                        : DayOf(r.Text("commission_earned_on"));
    if (r.IsNull("company_commission_minor")) {  // no exchange rate for the plan's currency
      if (plan != last_plan) ++st.unconverted[r.Text("currency")];
      last_plan = plan;
      continue;
    }
    auto line = [&](const char* kind, std::int64_t day, std::int64_t amount,
                    std::int64_t plan_amount) {
      CommissionLine l{.kind = kind,
                       .day = day,
                       .amount_minor = amount,
                       .plan_currency = r.Text("currency"),
                       .plan_amount_minor = plan_amount,
                       .success_plan_id = plan,
                       .plan_title = r.Text("title")};
      if (!r.IsNull("milestone_id") && std::string_view(kind) != "earned") {
        l.milestone_id = r.Int("milestone_id");
        l.milestone_name = r.Text("milestone_name");
      }
      st.lines.push_back(std::move(l));
    };
    if (plan != last_plan) {
      last_plan = plan;
      if (period.Contains(earned_day)) {
        line("earned", earned_day, commission, original);
        st.earned += commission;
      }
    }
    if (r.IsNull("milestone_id")) continue;
    const std::int64_t holdback_percent = r.Int("commission_holdback_percent");
    const std::int64_t held = commission * holdback_percent / 100;
    const std::int64_t held_original = original * holdback_percent / 100;
    if (period.Contains(earned_day)) {
      line("held_back", earned_day, held, held_original);
      st.held_back += held;
    }
    const std::int64_t deadline = DayOf(r.Text("due_on")) + r.Int("grace_days");
    const bool met_in_time =
        r.Text("status") == "met" && !r.IsNull("met_on") && DayOf(r.Text("met_on")) <= deadline;
    std::optional<std::int64_t> released_on, forfeited_on;
    if (met_in_time) {
      released_on = std::max(DayOf(r.Text("met_on")), earned_day);
    } else if (today > deadline) {
      forfeited_on = std::max(deadline + 1, earned_day);
    }
    if (released_on && period.Contains(*released_on)) {
      line("released", *released_on, held, held_original);
      st.released += held;
    }
    if (forfeited_on && period.Contains(*forfeited_on)) {
      line("forfeited", *forfeited_on, held, held_original);
      st.forfeited += held;
    }
    const bool held_at_end = earned_day <= period.last_day &&
                             !(released_on && *released_on <= period.last_day) &&
                             !(forfeited_on && *forfeited_on <= period.last_day);
    if (held_at_end) st.still_held += held;
  }
  std::stable_sort(st.lines.begin(), st.lines.end(),
                   [](const auto& a, const auto& b) { return a.day < b.day; });
  st.payable = st.earned - st.held_back + st.released;
  return st;
}

void RegisterSuccessPlanRoutes(api::Router& router, api::ApiContext& ctx,
                               const SurveySettings& surveys) {
  api::RegisterResource(router, ctx, SuccessPlanSpec());
  api::RegisterResource(router, ctx, MilestoneSpec(surveys));

  router.Add(
      {"GET",
       "/api/v1/reports/commission",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) {
         return GetCommissionStatement(ctx, r, c);
       },
       {"A rep's commission statement for a period (default: this month): earned, held back "
        "against milestones, released when they are met, forfeited when missed past the grace "
        "period; each line names its plan and milestone. Amounts are in the company's currency "
        "(each plan's commission at the rate of the day it was earned), with the plan's own",
        "Customer success",
        {{"user_id", "string", "whose (default: the caller)"},
         {"period", "string", "YYYY-MM, YYYY-Qn or YYYY"},
         {"format", "string", "json (default) or csv"}},
        "",
        R"({"type":"object","properties":{"currency":{"type":"string"},"unconverted":{"type":"array","description":"plans left out: their currency has no exchange rate","items":{"type":"object","properties":{"currency":{"type":"string"},"plans":{"type":"integer"}},"required":["currency","plans"]}},"payable_minor":{"type":"integer"},"lines":{"type":"array","items":{"type":"object","properties":{"amount_minor":{"type":"integer"},"plan_currency":{"type":"string"},"plan_amount_minor":{"type":"integer"}}}}}})"}});
}

}  // namespace rapport::success
