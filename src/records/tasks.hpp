// Tasks: what someone must do by a day (follow-ups, review calls, chases), on an account or
// another record, declared once (see record.hpp). Tasks are not imported or exported.
#pragma once

#include <string_view>

#include "records/record.hpp"

namespace rapport::records {

inline constexpr std::string_view kTaskRelatedTypes[] = {"opportunity", "contact", "activity",
                                                         "purchase"};

const Record& TaskRecord();

}  // namespace rapport::records
