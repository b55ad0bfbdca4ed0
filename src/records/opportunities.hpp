// Opportunities (deals: what a customer may buy, by when, at which stage), their line items (the
// products on the deal, whose totals add up to its amount) and activities (calls, visits, emails,
// meetings and notes with a customer), declared once (see record.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "records/record.hpp"

namespace rapport::records {

inline constexpr std::string_view kStages[] = {"prospecting", "qualification", "proposal",
                                               "negotiation", "closed_won",    "closed_lost"};
inline constexpr std::string_view kForecastCategories[] = {"commit", "best_case", "pipeline",
                                                           "omitted"};
inline constexpr std::string_view kActivityKinds[] = {"call", "visit", "email", "meeting", "note"};

// The largest unit price a line item takes (a hundred million in major units) and the most lines a
// deal has, so that no total overflows.
inline constexpr std::int64_t kMaxUnitPriceMinor = 10'000'000'000;
inline constexpr std::size_t kMaxLineItems = 500;

const Record& OpportunityRecord();
// A product on a deal: quantity, unit list and sale price (in the deal's currency), discount and
// the total they make. Written as a set through the opportunity (`line_items`).
const Record& OpportunityLineItemRecord();
const Record& ActivityRecord();

}  // namespace rapport::records
