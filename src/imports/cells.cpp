#include "imports/cells.hpp"

#include <cctype>
#include <string>

#include "core/clock.hpp"
#include "core/validation.hpp"

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

bool ParseDateCell(std::string_view text, std::string& date) {
  if (text.size() < 10) return false;
  if (text.size() > 10 && text[10] != 'T' && text[10] != ' ') return false;
  std::int64_t days = 0;
  date = std::string(text.substr(0, 10));
  return ParseDate(date, days);
}

// YYYY-MM-DD, optionally followed by T or a space, HH:MM, :SS, .fraction, and Z, ±HH:MM or
// ±HHMM.
bool ParseInstantCell(std::string_view text, Instant& instant) {
  std::string date;
  if (!ParseDateCell(text, date)) return false;
  std::int64_t days = 0;
  ParseDate(date, days);
  instant = days * kMicrosPerDay;
  text.remove_prefix(10);
  if (text.empty()) return true;
  text.remove_prefix(1);
  auto two = [&](int max) -> int {
    if (text.size() < 2 || !std::isdigit(static_cast<unsigned char>(text[0])) ||
        !std::isdigit(static_cast<unsigned char>(text[1]))) {
      return -1;
    }
    const int v = (text[0] - '0') * 10 + (text[1] - '0');
    text.remove_prefix(2);
    return v > max ? -1 : v;
  };
  const int hours = two(23);
  if (hours < 0 || text.empty() || text[0] != ':') return false;
  text.remove_prefix(1);
  const int minutes = two(59);
  if (minutes < 0) return false;
  int seconds = 0;
  if (!text.empty() && text[0] == ':') {
    text.remove_prefix(1);
    seconds = two(60);
    if (seconds < 0) return false;
  }
  std::int64_t micros = 0;
  if (!text.empty() && text[0] == '.') {
    text.remove_prefix(1);
    std::string digits;
    while (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) {
      if (digits.size() < 6) digits.push_back(text[0]);
      text.remove_prefix(1);
    }
    if (digits.empty()) return false;
    digits.resize(6, '0');
    micros = std::stoll(digits);
  }
  std::int64_t offset = 0;
  if (text == "Z" || text.empty()) {
  } else if (text.size() == 6 && (text[0] == '+' || text[0] == '-') && text[3] == ':') {
    const int sign = text[0] == '-' ? -1 : 1;
    text.remove_prefix(1);
    const int oh = two(23);
    text.remove_prefix(1);
    const int om = two(59);
    if (oh < 0 || om < 0) return false;
    offset = sign * (oh * 3600 + om * 60) * kMicrosPerSecond;
  } else if (text.size() == 5 && (text[0] == '+' || text[0] == '-')) {
    // Salesforce's Data Loader writes "+0000".
    const int sign = text[0] == '-' ? -1 : 1;
    text.remove_prefix(1);
    const int oh = two(23);
    const int om = two(59);
    if (oh < 0 || om < 0) return false;
    offset = sign * (oh * 3600 + om * 60) * kMicrosPerSecond;
  } else {
    return false;
  }
  instant += (hours * 3600 + minutes * 60 + seconds) * kMicrosPerSecond + micros - offset;
  return true;
}

}  // namespace rapport::imports
