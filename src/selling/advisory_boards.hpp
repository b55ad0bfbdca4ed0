// Advisory boards (/api/v1/advisory-boards): a meeting of key opinion leaders, with who was
// invited, who came and what each said.
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::selling {

void RegisterAdvisoryBoardRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::selling
