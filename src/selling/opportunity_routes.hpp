// The HTTP routes of opportunities, with their buying roles (contact_roles).
#pragma once

#include "api/resource.hpp"

namespace rapport::selling {

void RegisterOpportunityRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::selling
