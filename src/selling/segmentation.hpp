// Segmentation (GET /api/v1/reports/segmentation), its rule (/api/v1/segmentation-rule) and the
// market-data import (POST /api/v1/imports/market-data, text/csv).
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::selling {

void RegisterSegmentationRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::selling
