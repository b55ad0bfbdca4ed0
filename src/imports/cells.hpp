// Reading a spreadsheet cell as people write it: numbers with separators and currency signs,
// whole numbers, surrounding blanks. Stateless; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace rapport::imports {

// `text` without leading and trailing spaces and tabs.
std::string_view Trim(std::string_view text);
// One digit or more, and nothing else.
bool AllDigits(std::string_view text);
// Digits with an optional sign; false when malformed or out of range.
bool ParseInteger(std::string_view text, std::int64_t& out);
// "1,234.50", "£1234.5", "-20" -> minor units (two decimals at most); false when malformed.
bool ParseMoney(std::string_view text, std::int64_t& minor);
// "2026-11-30", or a date and time after it: the date's YYYY-MM-DD; false when it is not a date.
bool ParseDateCell(std::string_view text, std::string& date);
// YYYY-MM-DD, optionally followed by T or a space, HH:MM, :SS, .fraction, and Z, ±HH:MM or
// ±HHMM (Salesforce's "+0000"): the instant (midnight UTC for a date alone); false when malformed.
bool ParseInstantCell(std::string_view text, Instant& instant);

}  // namespace rapport::imports
