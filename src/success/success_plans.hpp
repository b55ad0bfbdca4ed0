// Success plans (/api/v1/success-plans): the customer's own definition of success, measurable
// outcomes and milestones (/api/v1/milestones) with owners on both sides, a share of the payment
// and of the rep's commission held back until each is met; and the commission statement (GET
// /api/v1/reports/commission) that releases or forfeits what was held back.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/resource.hpp"
#include "api/router.hpp"
#include "core/period.hpp"

namespace rapport::success {

// One line of a commission statement.
struct CommissionLine {
  std::string kind;  // earned | held_back | released | forfeited
  std::int64_t day = 0;
  std::int64_t amount_minor = 0;  // in the company's currency, at the rate of the earning day
  std::string plan_currency;      // the plan's, and the amount in it
  std::int64_t plan_amount_minor = 0;
  std::int64_t success_plan_id = 0;
  std::string plan_title;
  std::optional<std::int64_t> milestone_id;
  std::string milestone_name;
};

// In the company's currency: each plan's commission converted at the rate of the day it was
// earned (settings/currencies.hpp), and what is held back of it in proportion.
struct CommissionStatement {
  std::string currency;               // the company's
  std::vector<CommissionLine> lines;  // in the period, by day
  // Plans left out because their currency has no exchange rate: currency -> plans.
  std::map<std::string, std::int64_t> unconverted;
  std::int64_t earned = 0, held_back = 0, released = 0, forfeited = 0;
  std::int64_t payable = 0;     // earned - held_back + released
  std::int64_t still_held = 0;  // held back up to the period's end and neither released nor
                                // forfeited by then
};

// The statement of `user_id` for `period`, as things stand on `today`.
Result<CommissionStatement> LoadCommissionStatement(db::Transaction& tx, std::int64_t user_id,
                                                    const Period& period, std::int64_t today);

struct SurveySettings;
// Met milestones ask their customer-side owner for a CSI survey (`surveys`).
void RegisterSuccessPlanRoutes(api::Router& router, api::ApiContext& ctx,
                               const SurveySettings& surveys);

}  // namespace rapport::success
