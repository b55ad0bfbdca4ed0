// Call plans: before a visit, its objective (the best action commitment we hope for and the
// minimum acceptable action), the questions to ask and the people to see; afterwards the review
// (what happened against the objective, follow-ups). The coaching view counts, per person, the
// calls planned and reviewed and how they went.
#include "selling/call_plans.hpp"

#include "api/access.hpp"
#include "api/query.hpp"
#include "records/call_plans.hpp"

namespace rapport::selling {
namespace {

using api::FieldType;

api::ResourceSpec CallPlanSpec() {
  api::ResourceSpec s;
  s.plural = "call_plans";
  s.path = "call-plans";
  s.singular = "call plan";
  s.tag = "Strategic selling";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.fields = api::FieldsOf(records::CallPlanRecord());
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "user_id");
    // Giving an outcome is the review: stamp when it happened.
    for (const auto& [column, value] : w.values) {
      if (column == "outcome") {
        w.values.emplace_back("reviewed_at", std::holds_alternative<std::monostate>(value)
                                                 ? db::Null()
                                                 : db::Value(w.now));
        break;
      }
    }
    return Ok();
  };
  // contact_ids: the people to see.
  api::ContactLinks{"call_plans", "call_plan_contacts", "call_plan_id"}.InstallOn(s);
  return s;
}

Result<api::Response> GetCoaching(api::ApiContext& ctx, const api::Request& r,
                                  const api::Caller& c) {
  const Instant now = ctx.clock.Now();
  std::string since;  // default: 90 days back from now
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Date("since", since).Finish());
  Instant from = now - 90 * kMicrosPerDay;
  if (std::int64_t day = 0; ParseDate(since, day)) from = day * kMicrosPerDay;
  // A manager sees their line; anyone else themselves.
  const std::string who = api::PeopleInView(c, "u.id");
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query("SELECT u.id, u.name, count(p.id) AS planned, "
                 "coalesce(sum(CASE WHEN p.reviewed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS "
                 "reviewed, "
                 "coalesce(sum(CASE WHEN p.outcome = 'best' THEN 1 ELSE 0 END), 0) AS "
                 "best_action_won, "
                 "coalesce(sum(CASE WHEN p.outcome = 'minimum' THEN 1 ELSE 0 END), 0) AS "
                 "minimum_action_won, "
                 "coalesce(sum(CASE WHEN p.outcome = 'none' THEN 1 ELSE 0 END), 0) AS "
                 "nothing_won, "
                 "coalesce(sum(CASE WHEN p.reviewed_at IS NULL AND p.planned_for < ? "
                 "THEN 1 ELSE 0 END), 0) AS review_overdue, "
                 "(SELECT count(*) FROM activities x WHERE x.user_id = u.id AND x.kind IN "
                 "('call', 'visit', 'meeting') AND x.occurred_at >= ? AND "
                 "x.occurred_at <= ?) AS calls_made "
                 "FROM users u JOIN call_plans p ON p.user_id = u.id AND p.planned_for >= ? "
                 "WHERE " +
                     who + " GROUP BY u.id, u.name ORDER BY u.name, u.id",
                 {now, from, now, from}));
    w.StartObject().Key("since").String(FormatDate(from / kMicrosPerDay));
    w.Key("items").StartArray();
    for (const auto& row : rows) {
      w.StartObject().Key("user_id").String(api::FormatId(row.Int("id")));
      w.Key("name").String(row.Text("name"));
      w.Key("planned").Int(row.Int("planned")).Key("reviewed").Int(row.Int("reviewed"));
      w.Key("best_action_won").Int(row.Int("best_action_won"));
      w.Key("minimum_action_won").Int(row.Int("minimum_action_won"));
      w.Key("nothing_won").Int(row.Int("nothing_won"));
      w.Key("review_overdue").Int(row.Int("review_overdue"));
      w.Key("calls_made").Int(row.Int("calls_made"));
      w.EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterCallPlanRoutes(api::Router& router, api::ApiContext& ctx) {
  api::RegisterResource(router, ctx, CallPlanSpec());

  router.Add(
      {"GET",
       "/api/v1/reports/coaching",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetCoaching(ctx, r, c); },
       {"Coaching: per person, calls planned and reviewed, what they won against the objective, "
        "reviews overdue, calls made (default: the last 90 days)",
        "Strategic selling",
        {{"since", "string", "YYYY-MM-DD"}},
        "",
        R"({"type":"object","properties":{"since":{"type":"string"},"items":{"type":"array","items":{"type":"object"}}}})"}});
}

}  // namespace rapport::selling
