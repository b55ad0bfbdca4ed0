// The HTTP routes of accounts, contacts and account teams, including the account 360 overview.
#pragma once

#include "api/resource.hpp"

namespace rapport::accounts {

void RegisterAccountRoutes(api::Router& router, api::ApiContext& context);
void RegisterAccountOverviewRoute(api::Router& router, api::ApiContext& context);

}  // namespace rapport::accounts
