// Surveys (/api/v1/surveys): CSI, CSAT or NPS questions sent by email with a one-use link to a page
// that needs no sign-in (/survey/{token} in the web app, answered through
// /api/v1/surveys/answer/{token}). The link's token is stored only as a hash; answering uses it up,
// and the answer lands on the account's timeline with the contact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/resource.hpp"
#include "api/router.hpp"

namespace rapport::success {

struct SurveySettings {
  std::string public_url;  // where the web app is reached from outside (no trailing slash)
  std::string company_name = "us";
  int valid_days = 30;  // how long a link may be answered
  int every_days = 0;   // scheduled NPS: each customer account surveyed this often (0: never)
  int per_night = 200;  // at most this many scheduled surveys a night
};

struct SurveyRequest {
  std::int64_t account_id = 0;
  std::int64_t contact_id = 0;
  std::string kind;                   // csi | csat | nps
  std::string sent_after = "manual";  // case | milestone | schedule | manual
  std::optional<std::int64_t> case_id;
  std::optional<std::int64_t> milestone_id;
};

struct SentSurvey {
  std::int64_t id = 0;
  std::string link;  // with the token: shown once, never stored
};

// Records the survey and queues its email in the outbox, in the caller's transaction. A contact
// without an email address is refused naming contact_id.
Result<SentSurvey> SendSurvey(db::Transaction& tx, const SurveySettings& settings, Instant now,
                              std::int64_t sender_id, const SurveyRequest& request);

// Scheduled surveys (the nightly job): an NPS survey to the key contact (most influence, with an
// email address) of each customer account not surveyed in `settings.every_days`, from the account's
// owner, at most `settings.per_night`; a line saying how many.
Result<std::string> SendScheduledSurveys(db::Transaction& tx, const SurveySettings& settings,
                                         Instant now);

// The survey answer as an index from 0 to 100 (NPS 0-10, CSAT 1-5, CSI 1-10): SQL over alias `s`.
std::string SatisfactionIndexSql(std::string_view alias);

void RegisterSurveyRoutes(api::Router& router, api::ApiContext& ctx, SurveySettings settings);

}  // namespace rapport::success
