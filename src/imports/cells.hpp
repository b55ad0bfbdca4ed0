// Reading a spreadsheet cell as people write it: numbers with separators and currency signs,
// whole numbers, surrounding blanks. Stateless; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace rapport::imports {

// `text` without leading and trailing spaces and tabs.
std::string_view Trim(std::string_view text);
// One digit or more, and nothing else.
bool AllDigits(std::string_view text);
// Digits with an optional sign; false when malformed or out of range.
bool ParseInteger(std::string_view text, std::int64_t& out);
// "1,234.50", "£1234.5", "-20" -> minor units (two decimals at most); false when malformed.
bool ParseMoney(std::string_view text, std::int64_t& minor);

}  // namespace rapport::imports
