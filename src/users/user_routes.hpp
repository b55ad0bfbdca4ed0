// The HTTP routes of users, territories, distributors and segments: the organisation's reference
// data, read by everyone signed in and changed by admins.
#pragma once

#include "api/resource.hpp"

namespace rapport::users {

void RegisterOrganisationRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::users
