// The Blue Sheet over HTTP (GET/PUT /api/v1/opportunities/{id}/blue-sheet), the red flags of the
// pipeline and the second-chance list of lost deals due for a revisit.
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::selling {

void RegisterBlueSheetRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::selling
