// Call plans (/api/v1/call-plans) and the coaching view (GET /api/v1/reports/coaching).
#pragma once

#include <string>

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::selling {

// `public_url`: where users reach Rapport, whose host ends the invitations' UIDs.
void RegisterCallPlanRoutes(api::Router& router, api::ApiContext& ctx,
                            const std::string& public_url);

}  // namespace rapport::selling
