// Purchases: what an account bought, when, and when its warranty, lot or subscription runs out,
// declared once (see record.hpp). Purchases are not imported or exported yet.
#pragma once

#include <string_view>

#include "records/record.hpp"

namespace rapport::records {

const Record& PurchaseRecord();

}  // namespace rapport::records
