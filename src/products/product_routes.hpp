// The HTTP routes of products (catalogue, lifecycle, successors) and purchases (the install base).
#pragma once

#include "api/resource.hpp"

namespace rapport::products {

void RegisterProductRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::products
