#include "core/period.hpp"

#include <charconv>

#include "core/clock.hpp"

namespace rapport {
namespace {

bool ParseNumber(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Months [first, first + count) of `year`; months past December roll into the next year.
Period Months(std::string label, int year, int first, int count) {
  Period p;
  p.label = std::move(label);
  p.first_day = DaysFromCivil(year, static_cast<unsigned>(first), 1);
  const int end = first + count;  // the month after the last
  p.last_day = (end > 12 ? DaysFromCivil(year + 1, static_cast<unsigned>(end - 12), 1)
                         : DaysFromCivil(year, static_cast<unsigned>(end), 1)) -
               1;
  return p;
}

std::string Pad2(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

}  // namespace

std::optional<Period> ParsePeriod(std::string_view text) {
  int year = 0;
  if (text.size() < 4 || !ParseNumber(text.substr(0, 4), year) || year < 1900 || year > 2999) {
    return std::nullopt;
  }
  if (text.size() == 4) return Months(std::string(text), year, 1, 12);
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  if (text[5] == 'Q') {
    const int quarter = text[6] - '0';
    if (quarter < 1 || quarter > 4) return std::nullopt;
    return Months(std::string(text), year, 3 * (quarter - 1) + 1, 3);
  }
  int month = 0;
  if (!ParseNumber(text.substr(5, 2), month) || month < 1 || month > 12) return std::nullopt;
  return Months(std::string(text), year, month, 1);
}

Period MonthOf(std::int64_t day) {
  int year = 0;
  unsigned month = 0, d = 0;
  CivilFromDays(day, year, month, d);
  return *ParsePeriod(std::to_string(year) + "-" + Pad2(static_cast<int>(month)));
}

Period Period::Previous() const {
  const int year = std::stoi(label.substr(0, 4));
  if (label.size() == 4) return *ParsePeriod(std::to_string(year - 1));
  if (label[5] == 'Q') {
    const int quarter = label[6] - '0';
    return *ParsePeriod(quarter == 1 ? std::to_string(year - 1) + "-Q4"
                                     : std::to_string(year) + "-Q" + std::to_string(quarter - 1));
  }
  return MonthOf(first_day - 1);
}

}  // namespace rapport
