// The application Rapport serves: every capability's routes on one router, and the jobs that run
// on a schedule. `rapport serve` serves it; `rapport openapi` describes it. Wiring only: no
// capability includes this.
#pragma once

#include <vector>

#include "api/resource.hpp"
#include "auth/sessions.hpp"
#include "continuity/handover_routes.hpp"
#include "imports/import_routes.hpp"
#include "jobs/scheduler.hpp"
#include "success/alerts.hpp"
#include "success/surveys.hpp"

namespace rapport::cli {

struct AppSettings {
  continuity::HandoverSettings handovers;
  success::SurveySettings surveys;  // public_url and company_name filled in
  success::AlertSettings alerts;
  int nightly_hour = 2;  // UTC
  imports::ImportSettings imports;
  // The domain of people's drop addresses (log+token@domain); "": --public-url's host.
  std::string mail_drop_domain;
};

// The nightly alerts, scheduled surveys and case escalation.
std::vector<jobs::ScheduledJob> ScheduledJobs(const AppSettings& settings);

// Adds every route of the API. REQUIRES: everything passed outlives the router.
void RegisterAppRoutes(api::Router& router, api::ApiContext& context, auth::Sessions& sessions,
                       const AppSettings& settings, jobs::Scheduler& scheduler,
                       imports::ImportJobs& import_jobs);

}  // namespace rapport::cli
