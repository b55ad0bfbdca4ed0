// Targets and their splits (/api/v1/targets).
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::selling {

void RegisterTargetRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::selling
