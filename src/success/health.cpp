// clang-format off
// The score starts at 70 and moves:
//   milestones overdue and not met           -10 each (at most -30)
//   milestones met on time, last 180 days     +5 each (at most +15)
//   cases open                                -5 each (at most -20), breached ones -5 more
//                                             (at most -15)
//   survey answers of the last year           mean index 80+: +15, 60-79: +5, 40-59: -5,
//                                             under 40: -15
//   last contact beyond the cadence           -15 (beyond twice the cadence: -25); cadence
//                                             from the account, else its segment, else 90 days
// and is kept within 0 to 100.
// clang-format on
#include "success/health.hpp"

#include <algorithm>

#include "accounts/cadence.hpp"
#include "api/access.hpp"
#include "api/query.hpp"
#include "core/period.hpp"
#include "success/surveys.hpp"

namespace rapport::success {
namespace {

void Add(Health& h, std::string code, int points, std::string detail) {
  if (points == 0) return;
  h.score += points;
  h.reasons.push_back({std::move(code), points, std::move(detail)});
}

std::string Plural(std::int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

Result<api::Response> GetAccountHealth(api::ApiContext& ctx, const api::Request& r,
                                       const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Finish());
  const Instant now = ctx.clock.Now();
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto exists, tx.QueryOne("SELECT 1 FROM accounts WHERE id = ?", {id}));
    if (!exists) return Error(ErrorCode::kNotFound, "no account " + api::FormatId(id));
    RAPPORT_RETURN_IF_ERROR(api::CheckAccountInReach(tx, c, id));
    RAPPORT_ASSIGN_OR_RETURN(Health h, AccountHealth(tx, id, now));
    w.StartObject().Key("account_id").String(api::FormatId(id));
    w.Key("score").Int(h.score).Key("band").String(h.band);
    w.Key("reasons").StartArray();
    for (const auto& reason : h.reasons) {
      w.StartObject().Key("code").String(reason.code).Key("points").Int(reason.points);
      w.Key("detail").String(reason.detail).EndObject();
    }
    w.EndArray();
    // The score at the end of each of the last six months, oldest first.
    w.Key("trend").StartArray();
    std::vector<Period> months;
    Period month = MonthOf(now / kMicrosPerDay).Previous();
    for (int i = 0; i < 6; ++i, month = month.Previous()) months.push_back(month);
    std::reverse(months.begin(), months.end());
    for (const auto& m : months) {
      RAPPORT_ASSIGN_OR_RETURN(Health then,
                               AccountHealth(tx, id, (m.last_day + 1) * kMicrosPerDay - 1));
      w.StartObject().Key("month").String(m.label).Key("score").Int(then.score);
      w.EndObject();
    }
    w.StartObject().Key("month").String(MonthOf(now / kMicrosPerDay).label);
    w.Key("score").Int(h.score).EndObject();
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

Result<Health> AccountHealth(db::Transaction& tx, std::int64_t account, Instant at) {
  const std::string day = FormatDate(at / kMicrosPerDay);
  Health h;
  h.score = 70;
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t overdue,
      tx.QueryInt("SELECT count(*) FROM milestones WHERE account_id = ? AND due_on < ? AND "
                  "created_at <= ? AND NOT (status = 'met' AND met_on <= ?)",
                  {account, day, at, day}));
  Add(h, "milestones_overdue", -static_cast<int>(std::min<std::int64_t>(30, overdue * 10)),
      Plural(overdue, "milestone", "milestones") + " overdue and not met");
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t on_time,
      tx.QueryInt("SELECT count(*) FROM milestones WHERE account_id = ? AND status = 'met' AND "
                  "met_on <= ? AND met_on <= due_on AND met_on >= ?",
                  {account, day, FormatDate(at / kMicrosPerDay - 180)}));
  Add(h, "milestones_met", static_cast<int>(std::min<std::int64_t>(15, on_time * 5)),
      Plural(on_time, "milestone", "milestones") + " met on time in the last 180 days");
  RAPPORT_ASSIGN_OR_RETURN(
      auto cases,
      tx.QueryOne("SELECT count(*) AS open_cases, coalesce(sum(CASE WHEN resolution_due_at < ? "
                  "THEN 1 ELSE 0 END), 0) AS breached FROM cases WHERE account_id = ? AND "
                  "opened_at <= ? AND (resolved_at "
                  "IS NULL OR resolved_at > ?)",
                  {at, account, at, at}));
  const std::int64_t open = cases->Int("open_cases"), breached = cases->Int("breached");
  Add(h, "open_cases", -static_cast<int>(std::min<std::int64_t>(20, open * 5)),
      Plural(open, "case", "cases") + " open");
  Add(h, "breached_cases", -static_cast<int>(std::min<std::int64_t>(15, breached * 5)),
      Plural(breached, "open case", "open cases") + " past the resolution time");
  RAPPORT_ASSIGN_OR_RETURN(
      auto surveys,
      tx.QueryOne("SELECT count(*) AS answers, coalesce(sum(" + SatisfactionIndexSql("s") +
                      "), 0) AS index_total FROM surveys s WHERE s.account_id = ? AND "
                      "s.answered_at <= ? AND "
                      "s.answered_at > ?",
                  {account, at, at - 365 * kMicrosPerDay}));
  const std::int64_t answers = surveys->Int("answers");
  if (answers > 0) {
    const double index = static_cast<double>(surveys->Int("index_total")) / answers;
    const int points = index >= 80 ? 15 : index >= 60 ? 5 : index >= 40 ? -5 : -15;
    Add(h, "satisfaction", points,
        "satisfaction index " + std::to_string(static_cast<int>(index + 0.5)) + " from " +
            Plural(answers, "answer", "answers") + " in the last year");
  }
  RAPPORT_ASSIGN_OR_RETURN(auto contact,
                           tx.QueryOne("SELECT coalesce(" + accounts::CadenceDaysSql() +
                                           ", 90) AS cadence, " + accounts::LastContactSql() +
                                           " AS last_contact FROM accounts a WHERE a.id = ?",
                                       {at, account}));
  if (contact) {
    const std::int64_t cadence = contact->Int("cadence");
    const std::optional<std::int64_t> last = contact->OptInt("last_contact");
    const std::int64_t days = last ? (at - *last) / kMicrosPerDay : -1;
    if (days < 0 || days > 2 * cadence) {
      Add(h, "not_contacted", -25,
          (days < 0 ? std::string("never contacted")
                    : "last contacted " + std::to_string(days) + " days ago") +
              ", more than twice the cadence of " + std::to_string(cadence) + " days");
    } else if (days > cadence) {
      Add(h, "not_contacted", -15,
          "last contacted " + std::to_string(days) + " days ago, beyond the cadence of " +
              std::to_string(cadence) + " days");
    }
  }
  h.score = std::clamp(h.score, 0, 100);
  h.band = h.score >= 70 ? "healthy" : h.score >= 40 ? "watch" : "at_risk";
  return h;
}

void RegisterHealthRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/accounts/{id}/health",
       api::Access::kSignedIn,
       api::Reach::Record("accounts", "account", api::Scope::kAccount),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetAccountHealth(ctx, r, c); },
       {"An account's health: a score from 0 to 100 from milestones, open cases, survey answers "
        "and contact cadence, the reasons behind it, and its trend over six months",
        "Customer success",
        {},
        "",
        R"({"type":"object","properties":{"score":{"type":"integer"},"band":{"type":"string"},"reasons":{"type":"array","items":{"type":"object"}},"trend":{"type":"array","items":{"type":"object"}}}})"}});
}

}  // namespace rapport::success
