#include "imports/cells.hpp"

#include <cctype>
#include <string>

namespace rapport::imports {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (unsigned char c : text) {
    if (!std::isdigit(c)) return false;
  }
  return true;
}

// Digits with an optional sign; false when malformed or out of range.
bool ParseInteger(std::string_view text, std::int64_t& out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (!AllDigits(text) || text.size() > 18) return false;
  std::int64_t value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  out = negative ? -value : value;
  return true;
}

bool ParseMoney(std::string_view text, std::int64_t& minor) {
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  for (std::string_view symbol : {"\xC2\xA3", "\xE2\x82\xAC", "$"}) {
    if (text.starts_with(symbol)) {
      text.remove_prefix(symbol.size());
      break;
    }
  }
  text = Trim(text);
  std::string whole, fraction;
  const std::size_t dot = text.find('.');
  std::string_view w = text.substr(0, dot);
  for (char c : w) {
    if (c == ',') continue;
    whole.push_back(c);
  }
  if (dot != std::string_view::npos) fraction = std::string(text.substr(dot + 1));
  if (!AllDigits(whole) || whole.size() > 15) return false;
  if (!fraction.empty() && (!AllDigits(fraction) || fraction.size() > 2)) return false;
  fraction.resize(2, '0');
  minor = std::stoll(whole) * 100 + std::stoll(fraction);
  if (negative) minor = -minor;
  return true;
}

}  // namespace rapport::imports
