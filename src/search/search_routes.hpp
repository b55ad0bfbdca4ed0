// GET /api/v1/search?q=: accounts, contacts and opportunities in the caller's reach, together.
#pragma once

#include "api/resource.hpp"

namespace rapport::search {

void RegisterSearchRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::search
