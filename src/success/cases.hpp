// Service cases (/api/v1/cases) with their thread (POST /api/v1/cases/{id}/messages), service
// levels by kind and priority (/api/v1/case-slas), escalation up the management line when a level
// is breached, and the review call a resolved case schedules. Trials (/api/v1/trials) live here
// too: the other thing customer success watches at an account.
#pragma once

#include "api/resource.hpp"
#include "api/router.hpp"
#include "success/surveys.hpp"

namespace rapport::success {

// Escalates every open case whose first response or resolution is overdue one level per breach:
// to the manager of whoever holds it, with a task for them and a note in the thread. Returns how
// many escalations it made. Runs inside the scheduler's transaction.
Result<int> EscalateBreachedCases(db::Transaction& tx, Instant now);

// A resolved case sends its contact a CSAT survey (`surveys`).
void RegisterCaseRoutes(api::Router& router, api::ApiContext& ctx, const SurveySettings& surveys);
void RegisterTrialRoutes(api::Router& router, api::ApiContext& ctx);

}  // namespace rapport::success
