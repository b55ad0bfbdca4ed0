#include "insights/cadence_routes.hpp"

#include <charconv>

#include "accounts/cadence.hpp"
#include "api/access.hpp"
#include "api/query.hpp"

namespace rapport::insights {

namespace {

Result<api::Response> GetOverdueContact(api::ApiContext& ctx, const api::Request& r,
                                        const api::Caller& c) {
  std::int64_t owner = c.user_id;
  int limit = 20;
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Id("owner_id", owner).Limit(limit, 200).Finish());
  const Instant now = ctx.clock.Now();
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query("SELECT id, name, cadence, last_contact FROM (SELECT a.id, a.name, " +
                     accounts::CadenceDaysSql() + " AS cadence, " + accounts::LastContactSql() +
                     " AS last_contact FROM accounts a WHERE a.owner_id = ? AND a.status = "
                     "'customer' AND "
                     "a.archived_at IS NULL AND " +
                     api::AccountReachCondition(c, "a") +
                     ") t WHERE cadence IS NOT NULL AND coalesce(last_contact, 0) < ? - "
                     "cadence * ? "
                     "ORDER BY coalesce(last_contact, 0) + cadence * ?, id LIMIT ?",
                 {now, owner, now, kMicrosPerDay, kMicrosPerDay, std::int64_t{limit}}));
    w.StartObject().Key("items").StartArray();
    for (const auto& row : rows) {
      const std::int64_t due = (row.IsNull("last_contact") ? 0 : row.Int("last_contact")) +
                               row.Int("cadence") * kMicrosPerDay;
      w.StartObject()
          .Key("account_id")
          .String(api::FormatId(row.Int("id")))
          .Key("name")
          .String(row.Text("name"))
          .Key("cadence_days")
          .Int(row.Int("cadence"))
          .Key("last_contact_at");
      if (row.IsNull("last_contact"))
        w.Null();
      else
        w.String(FormatInstant(row.Int("last_contact")));
      w.Key("days_overdue").Int(row.IsNull("last_contact") ? -1 : (now - due) / kMicrosPerDay);
      w.EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterCadenceRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/insights/overdue-contact",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetOverdueContact(ctx, r, c); },
       {"My customer accounts not contacted within their cadence",
        "Insights",
        {{"owner_id", "string", "whose accounts (default: mine)"},
         {"limit", "integer", "1 to 200 (default 20)"}},
        "",
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"account_id":{"type":"string"},"name":{"type":"string"},"cadence_days":{"type":"integer"},"last_contact_at":{"type":["string","null"]},"days_overdue":{"type":"integer"}}}}}})"}});
}

}  // namespace rapport::insights
