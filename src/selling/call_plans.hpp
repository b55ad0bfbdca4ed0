// Call plans (/api/v1/call-plans) and the coaching view (GET /api/v1/reports/coaching).
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::selling {

void RegisterCallPlanRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::selling
