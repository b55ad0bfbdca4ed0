// Opportunities (deals: what a customer may buy, by when, at which stage) and activities (calls,
// visits, emails, meetings and notes with a customer), declared once (see record.hpp).
#pragma once

#include <string_view>

#include "records/record.hpp"

namespace rapport::records {

inline constexpr std::string_view kStages[] = {"prospecting", "qualification", "proposal",
                                               "negotiation", "closed_won",    "closed_lost"};
inline constexpr std::string_view kForecastCategories[] = {"commit", "best_case", "pipeline",
                                                           "omitted"};
inline constexpr std::string_view kActivityKinds[] = {"call", "visit", "email", "meeting", "note"};

const Record& OpportunityRecord();
const Record& ActivityRecord();

}  // namespace rapport::records
