// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me.
#pragma once

#include "api/resource.hpp"
#include "auth/sessions.hpp"

namespace rapport::auth {

void RegisterAuthRoutes(api::Router& router, Sessions& sessions);

}  // namespace rapport::auth
