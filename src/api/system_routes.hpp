// GET /api/v1/health (no sign-in) and GET /api/v1/openapi.json (the contract, generated from the
// registered routes so that it cannot drift from them).
#pragma once

#include "api/resource.hpp"

namespace rapport::api {

void RegisterSystemRoutes(Router& router, ApiContext& context);

// The OpenAPI 3.1 document for every route of the router.
std::string OpenApiDocument(const Router& router);

}  // namespace rapport::api
