// Account health (GET /api/v1/accounts/{id}/health): a score from 0 to 100 from the account's
// milestones, open cases, survey answers and contact cadence, with the reasons that moved it and
// the score at the end of each of the last six months (the trend).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::success {

struct HealthReason {
  std::string code;  // milestone_overdue, milestones_met, open_cases, breached_cases, ...
  int points = 0;    // what it added or took away
  std::string detail;
};

struct Health {
  int score = 0;
  std::string band;  // healthy (70+), watch (40-69), at_risk (<40)
  std::vector<HealthReason> reasons;
};

// The account's health as things stood at `at`.
Result<Health> AccountHealth(db::Transaction& tx, std::int64_t account_id, Instant at);

void RegisterHealthRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::success
