// The account manager's scorecard (GET /api/v1/reports/scorecards?period=&format=csv|xlsx): per
// person and period, beside the period before for the trend: non-sale check-in calls made against
// those due by each account's cadence, billing queries resolved and the hours they took, the
// satisfaction index from survey answers, and sales split into repeat, new-range and cross-sell
// (from sales lines), over the accounts they handle. Separate from a new-business developer's
// numbers: it counts what keeps a customer, not what wins one.
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::success {

void RegisterScorecardRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::success
