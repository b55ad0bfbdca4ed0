// The HTTP routes of activities (with the contacts met) and tasks.
#pragma once

#include "api/resource.hpp"

namespace rapport::activities {

void RegisterActivityRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::activities
