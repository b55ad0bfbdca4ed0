// Accounts (customer and prospect organisations, in a hierarchy: health system -> hospital ->
// department) and contacts (the people there), declared once (see record.hpp).
#pragma once

#include <string_view>

#include "records/record.hpp"

namespace rapport::records {

inline constexpr std::string_view kAccountTypes[] = {
    "health_system", "hospital",        "department",          "gp_practice",
    "pharmacy",      "local_authority", "commissioning_group", "other"};
inline constexpr std::string_view kAccountStatuses[] = {"prospect", "customer", "former"};
inline constexpr std::string_view kDesignations[] = {"prospect", "hunting", "maintain"};
inline constexpr std::string_view kContactFunctions[] = {
    "clinician", "procurement",          "finance",
    "executive", "department_manager",   "personal_assistant",
    "stores",    "business_development", "it",
    "other"};
inline constexpr std::string_view kStances[] = {"advocate", "neutral", "detractor"};
inline constexpr std::string_view kInfluences[] = {"low", "medium", "high"};
inline constexpr std::string_view kColours[] = {"red", "blue", "green", "yellow"};
inline constexpr std::string_view kChannels[] = {"email", "phone", "mobile",
                                                 "visit", "video", "letter"};

const Record& AccountRecord();
const Record& ContactRecord();

}  // namespace rapport::records
