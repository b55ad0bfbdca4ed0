// Proactive alerts (/api/v1/alerts): each night the scheduler looks for warranties ending, short-
// dated stock shipped at full price, accounts buying far beyond what they use, subscriptions coming
// up for renewal, customers not contacted within their cadence and trials that ended without a
// decision. Each alert names the account and the reason, is raised once (one row per kind, account
// and subject) and becomes a task for the person who should act. Usage reports
// (/api/v1/usage-records) are what the usage check compares purchases with.
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::success {

struct AlertSettings {
  int warranty_days = 60;     // warranty ending within
  int renewal_days = 60;      // renewal within
  int short_dated_days = 90;  // stock that expires within this many days of shipping
  int usage_factor = 2;       // bought more than this many times what was used (last 3 months)
};

// Raises what is new tonight and makes each a task; a line saying how many of each.
Result<std::string> RaiseAlerts(db::Transaction& tx, Instant now, const AlertSettings& settings);

void RegisterAlertRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::success
