#include "cli/app.hpp"

#include "accounts/account_routes.hpp"
#include "accounts/contact_erasure.hpp"
#include "activities/activity_routes.hpp"
#include "activities/calendar_feed.hpp"
#include "activities/inbound_email.hpp"
#include "api/ics.hpp"
#include "api/system_routes.hpp"
#include "auth/auth_routes.hpp"
#include "continuity/relationship_risk.hpp"
#include "files/attachments.hpp"
#include "insights/cadence_routes.hpp"
#include "moving/book_routes.hpp"
#include "products/product_routes.hpp"
#include "search/search_routes.hpp"
#include "selling/advisory_boards.hpp"
#include "selling/blue_sheet_routes.hpp"
#include "selling/call_plans.hpp"
#include "selling/forecast.hpp"
#include "selling/opportunity_routes.hpp"
#include "selling/segmentation.hpp"
#include "selling/stakeholder_map.hpp"
#include "selling/targets.hpp"
#include "settings/currencies.hpp"
#include "settings/custom_field_routes.hpp"
#include "success/cases.hpp"
#include "success/health.hpp"
#include "success/scorecards.hpp"
#include "success/success_plans.hpp"
#include "users/user_routes.hpp"
#include "webhooks/webhook_routes.hpp"

namespace rapport::cli {

std::vector<jobs::ScheduledJob> ScheduledJobs(const AppSettings& settings) {
  const success::AlertSettings alerts = settings.alerts;
  const success::SurveySettings surveys = settings.surveys;
  const int nightly_hour = settings.nightly_hour;
  return {
      {"nightly-alerts",
       "Proactive alerts: warranties, short-dated stock, usage, renewals, cadence, trials",
       [alerts](db::Transaction& tx, Instant now) { return success::RaiseAlerts(tx, now, alerts); },
       [nightly_hour](Instant now) { return jobs::NextDailyAt(now, nightly_hour); }},
      {"scheduled-surveys", "NPS surveys to customers not surveyed lately (--survey-every-days)",
       [surveys](db::Transaction& tx, Instant now) {
         return success::SendScheduledSurveys(tx, surveys, now);
       },
       [nightly_hour](Instant now) { return jobs::NextDailyAt(now, nightly_hour); }},
      {"case-escalation", "Escalates cases whose service level is breached",
       [](db::Transaction& tx, Instant now) -> Result<std::string> {
         RAPPORT_ASSIGN_OR_RETURN(int n, success::EscalateBreachedCases(tx, now));
         return std::to_string(n) + " escalation(s)";
       },
       [](Instant now) { return now + 60 * kMicrosPerSecond; }},
      {"webhook-log-retention", "Drops webhook deliveries made or given up more than 30 days ago",
       [](db::Transaction& tx, Instant now) { return webhooks::PruneDeliveryLog(tx, now); },
       [nightly_hour](Instant now) { return jobs::NextDailyAt(now, nightly_hour); }},
  };
}

void RegisterAppRoutes(api::Router& router, api::ApiContext& context, auth::Sessions& sessions,
                       const AppSettings& settings, jobs::Scheduler& scheduler,
                       imports::ImportJobs& import_jobs) {
  api::RegisterSystemRoutes(router, context);
  auth::RegisterAuthRoutes(router, sessions);
  users::RegisterOrganisationRoutes(router, context);
  settings::RegisterCustomFieldRoutes(router, context);
  settings::RegisterCurrencyRoutes(router, context);
  files::RegisterAttachmentRoutes(router, context);
  webhooks::RegisterWebhookRoutes(router, context);
  accounts::RegisterAccountRoutes(router, context);
  accounts::RegisterContactErasureRoute(router, context);
  products::RegisterProductRoutes(router, context);
  selling::RegisterOpportunityRoutes(router, context);
  selling::RegisterBlueSheetRoutes(router, context);
  selling::RegisterStakeholderMapRoute(router, context);
  selling::RegisterForecastRoute(router, context);
  selling::RegisterTargetRoutes(router, context);
  selling::RegisterCallPlanRoutes(router, context, settings.surveys.public_url);
  selling::RegisterSegmentationRoutes(router, context);
  selling::RegisterAdvisoryBoardRoutes(router, context);
  activities::RegisterActivityRoutes(router, context);
  activities::RegisterCalendarFeedRoutes(router, context, settings.surveys.public_url);
  activities::RegisterInboundEmailRoutes(router, context,
                                         settings.mail_drop_domain.empty()
                                             ? api::UidDomain(settings.surveys.public_url)
                                             : settings.mail_drop_domain);
  search::RegisterSearchRoutes(router, context);
  insights::RegisterCadenceRoutes(router, context);
  continuity::RegisterHandoverRoutes(router, context, settings.handovers);
  continuity::RegisterRelationshipRiskRoutes(router, context);
  success::RegisterSuccessPlanRoutes(router, context, settings.surveys);
  success::RegisterCaseRoutes(router, context, settings.surveys);
  success::RegisterTrialRoutes(router, context);
  success::RegisterSurveyRoutes(router, context, settings.surveys);
  success::RegisterAlertRoutes(router, context);
  success::RegisterScorecardRoutes(router, context);
  success::RegisterHealthRoutes(router, context);
  jobs::RegisterJobRoutes(router, context, scheduler);
  imports::RegisterImportRoutes(router, context, import_jobs, settings.imports);
  moving::RegisterBookRoutes(router, context, import_jobs, settings.imports);
}

}  // namespace rapport::cli
