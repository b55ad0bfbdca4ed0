// GET /api/v1/health (no sign-in) and GET /api/v1/openapi.json (the contract, generated from the
// registered routes so that it cannot drift from them).
#pragma once

#include "api/custom_values.hpp"
#include "api/resource.hpp"

namespace rapport::api {

void RegisterSystemRoutes(Router& router, ApiContext& context);

// The OpenAPI 3.1 document for every route of the router, each record's `custom` object
// described by the company's custom fields (none when `custom_fields` is empty).
std::string OpenApiDocument(const Router& router, const CustomFieldsByTable& custom_fields = {});

}  // namespace rapport::api
