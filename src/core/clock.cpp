#include "core/clock.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <utility>

namespace rapport {

Instant SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ShiftedClock ShiftedClock::StartingAt(Instant start) {
  return ShiftedClock(start - SystemClock().Now());
}

Instant ShiftedClock::Now() const { return SystemClock().Now() + offset_; }

// Howard Hinnant's days_from_civil / civil_from_days.
std::int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, int& year, unsigned& month, unsigned& day) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(y + (month <= 2));
}

namespace {

// Writes `value` as exactly `width` decimal digits (zero-padded) at `out`.
char* Digits(char* out, std::int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// "YYYY-MM-DD" for years 0..9999 (snprintf is measurable on the request path).
char* WriteDate(char* out, std::int64_t days) {
  int y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  out = Digits(out, y, 4);
  *out++ = '-';
  out = Digits(out, m, 2);
  *out++ = '-';
  return Digits(out, d, 2);
}

// An instant as its day since the epoch and the microseconds into that day (never negative).
std::pair<std::int64_t, std::int64_t> SplitDay(Instant instant) {
  std::int64_t days = instant / kMicrosPerDay;
  std::int64_t rem = instant % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  return {days, rem};
}

}  // namespace

std::string FormatDate(std::int64_t days) {
  char buf[16];
  return std::string(buf, WriteDate(buf, days));
}

std::string FormatInstant(Instant instant) {
  const auto [days, rem] = SplitDay(instant);
  const std::int64_t secs = rem / kMicrosPerSecond;
  char buf[40];
  char* p = WriteDate(buf, days);
  *p++ = 'T';
  p = Digits(p, secs / 3600, 2);
  *p++ = ':';
  p = Digits(p, secs / 60 % 60, 2);
  *p++ = ':';
  p = Digits(p, secs % 60, 2);
  *p++ = '.';
  p = Digits(p, rem % kMicrosPerSecond, 6);
  *p++ = 'Z';
  return std::string(buf, p);
}

std::string FormatHttpDate(Instant instant) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto [days, rem] = SplitDay(instant);
  const std::int64_t seconds = rem / kMicrosPerSecond;
  int year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, year, month, day);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDays[((days % 7) + 7) % 7], day, kMonths[month - 1], year,
                static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60));
  return text;
}

bool ParseDate(const std::string& text, std::int64_t& days) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int y = std::stoi(text.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  days = DaysFromCivil(y, m, d);
  int y2;
  unsigned m2, d2;
  CivilFromDays(days, y2, m2, d2);
  return y2 == y && m2 == m && d2 == d;
}

bool ParseInstant(const std::string& text, Instant& instant) {
  if (text.size() < 20 || text.back() != 'Z' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return false;
  }
  std::int64_t days = 0;
  if (!ParseDate(text.substr(0, 10), days)) return false;
  auto two = [&](size_t at, int max) -> int {
    if (!std::isdigit(static_cast<unsigned char>(text[at])) ||
        !std::isdigit(static_cast<unsigned char>(text[at + 1]))) {
      return -1;
    }
    const int v = (text[at] - '0') * 10 + (text[at + 1] - '0');
    return v > max ? -1 : v;
  };
  const int h = two(11, 23), m = two(14, 59), s = two(17, 59);
  if (h < 0 || m < 0 || s < 0) return false;
  std::int64_t micros = 0;
  const std::string rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7) return false;
    std::string digits = rest.substr(1);
    for (char c : digits) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    digits.resize(6, '0');
    micros = std::stoll(digits);
  }
  instant = days * kMicrosPerDay + (h * 3600 + m * 60 + s) * kMicrosPerSecond + micros;
  return true;
}

}  // namespace rapport
