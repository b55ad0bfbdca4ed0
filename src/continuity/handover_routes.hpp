// Handovers over HTTP: POST /api/v1/handovers (plan with dry_run, or commit), GET the list (the
// continuity view) and one handover with its progress; the introduction templates admins edit.
#pragma once

#include <string>

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::continuity {

struct HandoverSettings {
  std::string company_name = "us";  // {company} in introductions
};

void RegisterHandoverRoutes(api::Router& router, api::ApiContext& ctx,
                            const HandoverSettings& settings);

}  // namespace rapport::continuity
