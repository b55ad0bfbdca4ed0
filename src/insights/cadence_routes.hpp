// GET /api/v1/insights/overdue-contact: the caller's customer accounts nobody has been in touch
// with for longer than the account's contact cadence, most overdue first (My day).
#pragma once

#include "api/resource.hpp"

namespace rapport::insights {

void RegisterCadenceRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::insights
