// Customer success: success plans (the customer's definition of success, with the milestones
// that prove it and hold back commission) and trials (a product tried against agreed criteria,
// ending in a decision), declared once (see record.hpp). None is imported or exported.
#pragma once

#include <string_view>

#include "records/record.hpp"

namespace rapport::records {

inline constexpr std::string_view kSuccessPlanStatuses[] = {"draft", "active", "achieved",
                                                            "closed"};
inline constexpr std::string_view kMilestoneKinds[] = {"installed", "acceptance",   "training",
                                                       "go_live",   "first_review", "other"};
inline constexpr std::string_view kMilestoneStatuses[] = {"planned", "met", "missed"};
inline constexpr std::string_view kTrialStatuses[] = {"planned", "running", "ended"};
inline constexpr std::string_view kTrialDecisions[] = {"adopt", "extend", "reject"};

const Record& SuccessPlanRecord();
const Record& MilestoneRecord();
const Record& TrialRecord();

}  // namespace rapport::records
