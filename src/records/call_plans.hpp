// Call plans: a call planned with its best and minimum action commitments, then reviewed,
// declared once (see record.hpp). Call plans are not imported or exported.
#pragma once

#include <string_view>

#include "records/record.hpp"

namespace rapport::records {

inline constexpr std::string_view kCallPlanOutcomes[] = {"best", "minimum", "none"};

const Record& CallPlanRecord();

}  // namespace rapport::records
