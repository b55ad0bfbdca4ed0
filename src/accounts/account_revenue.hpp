// Each account's revenue over the last twelve months (this month and the eleven before), kept in
// account_revenue so that ranking a million accounts by revenue is an index walk rather than a
// sum over ten million sales lines. Refreshed by the demo, by `serve`'s housekeeping once a day
// (or when the month turns), and a new account starts with a zero row. In the company's currency:
// sales lines in others count at the rate of their month's first day.
#pragma once

#include <string>

#include "core/clock.hpp"
#include "db/database.hpp"

namespace rapport::accounts {

// The first period (YYYY-MM) of the twelve that end with the month of `now`.
std::string FirstPeriodOfTrailingYear(Instant now);

Status RefreshAccountRevenue(db::Transaction& tx, Instant now);

// True when the figures are missing, older than a day, or start from another month.
Result<bool> AccountRevenueIsStale(db::Transaction& tx, Instant now);

// Gives a new account its (zero) row.
Status StartAccountRevenue(db::Transaction& tx, std::int64_t account_id, Instant now);

}  // namespace rapport::accounts
