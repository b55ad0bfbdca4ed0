#include "accounts/account_revenue.hpp"

#include "settings/currencies.hpp"

namespace rapport::accounts {

std::string FirstPeriodOfTrailingYear(Instant now) {
  int year;
  unsigned month, day;
  CivilFromDays(now / kMicrosPerDay, year, month, day);
  int first = static_cast<int>(month) - 11;
  if (first <= 0) {
    first += 12;
    --year;
  }
  std::string period = std::to_string(year) + "-";
  if (first < 10) period += "0";
  return period + std::to_string(first);
}

Status RefreshAccountRevenue(db::Transaction& tx, Instant now) {
  const std::string since = FirstPeriodOfTrailingYear(now);
  // In the company's currency, each month's lines at the rate of its first day.
  const std::string revenue =
      settings::InStoredCompanyCurrencySql("sl.revenue_minor", "sl.currency", "sl.period || '-01'");
  RAPPORT_RETURN_IF_ERROR(tx.Execute("DELETE FROM account_revenue"));
  return tx.Execute(
      "INSERT INTO account_revenue (account_id, revenue_12m_minor, since_period, computed_at) "
      "SELECT a.id, coalesce(r.revenue, 0), ?, ? FROM accounts a LEFT JOIN (SELECT sl.account_id, "
      "sum(" +
          revenue +
          ") AS revenue FROM sales_lines sl WHERE sl.period >= ? GROUP BY sl.account_id) r "
          "ON r.account_id = a.id",
      {since, now, since});
}

Result<bool> AccountRevenueIsStale(db::Transaction& tx, Instant now) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne("SELECT min(computed_at) AS computed_at, min(since_period) AS since_period, "
                  "count(*) AS accounts FROM account_revenue"));
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t accounts, tx.QueryInt("SELECT count(*) FROM accounts"));
  if (!row || row->Int("accounts") == 0) return accounts > 0;
  return row->Int("computed_at") < now - kMicrosPerDay ||
         row->Text("since_period") != FirstPeriodOfTrailingYear(now);
}

Status StartAccountRevenue(db::Transaction& tx, std::int64_t account_id, Instant now) {
  return tx.Execute(
      "INSERT INTO account_revenue (account_id, revenue_12m_minor, since_period, computed_at) "
      "VALUES (?, 0, ?, ?)",
      {account_id, FirstPeriodOfTrailingYear(now), now});
}

}  // namespace rapport::accounts
