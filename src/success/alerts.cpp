#include "success/alerts.hpp"

#include <algorithm>

#include "accounts/cadence.hpp"
#include "core/period.hpp"
#include "db/dialect.hpp"

namespace rapport::success {
namespace {

using api::FieldType;

// INSERT ... SELECT of alerts of `kind` from `select` (which yields account_id, subject_key,
// reason, user_id and a number, order_key, that orders the alerts of one account); parameters: now
// x3 then the select's own. The order makes ids the same on both databases for the same data.
std::string RaiseSql(const std::string& kind, const std::string& select) {
  return "INSERT INTO alerts (kind, account_id, subject_key, reason, user_id, raised_at, "
         "created_at, updated_at) SELECT '" +
         kind +
         "', q.account_id, q.subject_key, q.reason, q.user_id, CAST(? AS BIGINT), CAST(? AS "
         "BIGINT), CAST(? AS BIGINT) FROM (" +
         select +
         ") q WHERE 1 = 1 ORDER BY q.account_id, q.order_key ON CONFLICT (kind, account_id, "
         "subject_key) DO NOTHING";
}

api::ResourceSpec AlertSpec() {
  api::ResourceSpec s;
  s.plural = "alerts";
  s.singular = "alert";
  s.tag = "Customer success";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kNone;
  s.creatable = false;  // the nightly job raises them
  s.fields = {
      {.name = "kind",
       .type = FieldType::kEnum,
       .writable = false,
       .filterable = true,
       .values = {"warranty_ending", "short_dated_full_price", "bought_beyond_usage", "renewal_due",
                  "contact_overdue", "trial_without_decision"}},
      {.name = "account_id",
       .type = FieldType::kReference,
       .writable = false,
       .filterable = true,
       .references = "accounts"},
      {.name = "subject_key", .writable = false, .description = "what it is about, once"},
      {.name = "reason", .writable = false},
      {.name = "user_id",
       .type = FieldType::kReference,
       .filterable = true,
       .references = "users",
       .description = "who should act"},
      {.name = "task_id", .type = FieldType::kReference, .writable = false, .references = "tasks"},
      {.name = "status",
       .type = FieldType::kEnum,
       .nullable = false,
       .filterable = true,
       .values = {"open", "done", "dismissed"}},
      {.name = "raised_at",
       .type = FieldType::kInstant,
       .writable = false,
       .nullable = false,
       .filterable = true,
       .sortable = true},
  };
  return s;
}

api::ResourceSpec UsageSpec() {
  api::ResourceSpec s;
  s.plural = "usage_records";
  s.path = "usage-records";
  s.singular = "usage record";
  s.tag = "Customer success";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      api::RequiredReference("account_id", "accounts"),
      api::RequiredReference("product_id", "products"),
      {.name = "period",
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true,
       .max_length = 7,
       .description = "the month used (YYYY-MM)"},
      {.name = "quantity",
       .type = FieldType::kInteger,
       .required = true,
       .nullable = false,
       .min = 0},
  };
  s.before_write = [](api::WriteContext& w) -> Status {
    const db::Value* period = w.Written("period");
    if (period) {
      const std::string& p = std::get<std::string>(*period);
      if (p.size() != 7 || !ParsePeriod(p)) return Error::InvalidField("period", "must be YYYY-MM");
    }
    return Ok();
  };
  return s;
}

}  // namespace

Result<std::string> RaiseAlerts(db::Transaction& tx, Instant now, const AlertSettings& settings) {
  const db::Backend b = tx.backend();
  const std::int64_t today = now / kMicrosPerDay;
  const std::string t = FormatDate(today);
  // The last three whole months, for usage against purchases.
  const Period last = MonthOf(today).Previous();
  const Period first = last.Previous().Previous();
  const std::string window = first.label + " to " + last.label;
  struct Check {
    std::string kind, select;
    db::Params params;
  };
  const std::vector<Check> checks = {
      {"warranty_ending",
       "SELECT p.account_id, 'purchase:' || p.id AS subject_key, 'The warranty on ' || pr.name || "
       "' (' || p.quantity || ') ends on ' || p.warranty_end AS reason, a.owner_id AS user_id, "
       "p.id AS order_key FROM purchases p JOIN products pr ON pr.id = p.product_id JOIN accounts "
       "a ON a.id = "
       "p.account_id WHERE p.warranty_end >= ? AND p.warranty_end <= ? AND a.archived_at IS NULL",
       {t, FormatDate(today + settings.warranty_days)}},
      {"renewal_due",
       "SELECT p.account_id, 'renewal:' || p.id || ':' || p.renews_on AS subject_key, "
       "'The subscription to ' || pr.name || ' renews on ' || p.renews_on AS reason, a.owner_id "
       "AS user_id, p.id AS order_key FROM purchases p JOIN products pr ON pr.id = p.product_id "
       "JOIN accounts a ON "
       "a.id = p.account_id WHERE p.renews_on >= ? AND p.renews_on <= ? AND a.archived_at IS NULL",
       {t, FormatDate(today + settings.renewal_days)}},
      {"short_dated_full_price",
       "SELECT p.account_id, 'purchase:' || p.id AS subject_key, pr.name || ' shipped on ' || "
       "p.purchased_on || ' at full price with stock expiring on ' || p.lot_expiry AS reason, "
       "a.owner_id AS user_id, p.id AS order_key FROM purchases p JOIN products pr ON pr.id = "
       "p.product_id JOIN accounts a ON a.id = p.account_id WHERE p.purchased_on >= ? AND "
       "p.lot_expiry IS NOT NULL "
       "AND p.lot_expiry <= " +
           db::AddDays(b, "p.purchased_on", std::to_string(settings.short_dated_days)) +
           " AND pr.list_price_minor > 0 AND p.currency = pr.currency AND p.amount_minor >= "
           "p.quantity * pr.list_price_minor AND a.archived_at IS NULL",
       {FormatDate(today - 60)}},
      {"bought_beyond_usage",
       "SELECT u.account_id, 'product:' || u.product_id || ':' || CAST(? AS TEXT) AS subject_key, "
       "'Bought ' || b.bought || ' of ' || pr.name || ' from ' || CAST(? AS TEXT) || ' against ' "
       "|| u.used || ' used' AS reason, a.owner_id AS user_id, u.product_id AS order_key FROM "
       "(SELECT account_id, "
       "product_id, sum(quantity) AS used FROM usage_records WHERE period >= ? AND period <= ? "
       "GROUP BY account_id, product_id) u JOIN (SELECT account_id, product_id, sum(quantity) AS "
       "bought FROM purchases WHERE purchased_on >= ? AND purchased_on <= ? GROUP BY account_id, "
       "product_id) b ON b.account_id = u.account_id AND b.product_id = u.product_id JOIN "
       "products pr ON pr.id = u.product_id JOIN accounts a ON a.id = u.account_id WHERE "
       "b.bought > u.used * CAST(? AS BIGINT) AND a.archived_at IS NULL",
       {last.label, window, first.label, last.label, FormatDate(first.first_day),
        FormatDate(last.last_day), std::int64_t{settings.usage_factor}}},
      {"contact_overdue",
       "SELECT c.id AS account_id, 'since:' || coalesce(CAST(c.last_contact AS TEXT), 'never') AS "
       "subject_key, 'Not contacted within its cadence of ' || c.cadence || ' days' AS reason, "
       "c.owner_id AS user_id, 0 AS order_key FROM (SELECT a.id, a.owner_id, " +
           accounts::CadenceDaysSql() + " AS cadence, " + accounts::LastContactSql() +
           " AS last_contact FROM accounts a WHERE a.status = 'customer' AND "
           "a.archived_at IS NULL) c WHERE c.cadence IS NOT NULL AND coalesce(c.last_contact, 0) < "
           "CAST(? AS BIGINT) - c.cadence * CAST(? AS BIGINT)",
       {now, now, kMicrosPerDay}},
      {"trial_without_decision",
       "SELECT r.account_id, 'trial:' || r.id AS subject_key, 'The trial' || coalesce(' of ' || "
       "pr.name, '') || ' ended on ' || r.ends_on || ' without a decision' AS reason, r.owner_id "
       "AS user_id, r.id AS order_key FROM trials r LEFT JOIN products pr ON pr.id = r.product_id "
       "WHERE r.ends_on < "
       "? AND r.decision IS NULL",
       {t}},
  };
  std::string summary;
  for (const auto& check : checks) {
    db::Params params = {now, now, now};
    params.insert(params.end(), check.params.begin(), check.params.end());
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows raised,
        tx.Query(RaiseSql(check.kind, check.select) + " RETURNING id, account_id, user_id, reason",
                 params));
    // Each new alert becomes a task for whoever should act (in id order on both databases).
    std::sort(raised.begin(), raised.end(),
              [](const db::Row& x, const db::Row& y) { return x.Int("id") < y.Int("id"); });
    for (const auto& a : raised) {
      if (a.IsNull("user_id")) continue;
      RAPPORT_ASSIGN_OR_RETURN(
          std::int64_t task,
          tx.QueryInt("INSERT INTO tasks (owner_id, account_id, related_type, related_id, "
                      "subject, due_on, created_at, updated_at) VALUES (?, ?, 'alert', ?, ?, ?, "
                      "?, ?) RETURNING id",
                      {a.Int("user_id"), a.Int("account_id"), a.Int("id"), a.Text("reason"),
                       FormatDate(today + 7), now, now}));
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("UPDATE alerts SET task_id = ? WHERE id = ?", {task, a.Int("id")}));
    }
    summary += (summary.empty() ? "" : ", ") + check.kind + " " + std::to_string(raised.size());
  }
  return "raised " + summary;
}

void RegisterAlertRoutes(api::Router& router, api::ApiContext& ctx) {
  api::RegisterResource(router, ctx, AlertSpec());
  api::RegisterResource(router, ctx, UsageSpec());
}

}  // namespace rapport::success
