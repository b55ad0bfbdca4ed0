// The stakeholder map of an account (GET /api/v1/accounts/{id}/stakeholder-map).
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::selling {

void RegisterStakeholderMapRoute(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::selling
