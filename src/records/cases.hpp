// Cases: a customer's service requests (billing queries, complaints, technical problems, returns,
// orders), each with service-level due times and an owner who sees it through, declared once
// (see record.hpp). Cases are not imported or exported: their fields are the API's only.
#pragma once

#include <string_view>

#include "records/record.hpp"

namespace rapport::records {

inline constexpr std::string_view kCaseKinds[] = {"billing_query", "complaint", "technical",
                                                  "return",        "order",     "other"};
inline constexpr std::string_view kCasePriorities[] = {"low", "normal", "high", "urgent"};
inline constexpr std::string_view kCaseStatuses[] = {"open", "waiting_on_customer", "resolved",
                                                     "closed"};

const Record& CaseRecord();

}  // namespace rapport::records
