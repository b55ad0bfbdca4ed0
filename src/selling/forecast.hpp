// The forecast report (GET /api/v1/reports/forecast, ?format=csv|xlsx).
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::selling {

void RegisterForecastRoute(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::selling
