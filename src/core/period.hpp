// Reporting periods as people write them: a month "2026-11", a quarter "2026-Q4" or a year
// "2026", as the days they span.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rapport {

struct Period {
  std::string label;           // as given
  std::int64_t first_day = 0;  // days since the epoch, inclusive
  std::int64_t last_day = 0;   // inclusive

  bool Contains(std::int64_t day) const { return day >= first_day && day <= last_day; }
  // The period of the same kind just before this one ("2026-10" for "2026-11").
  Period Previous() const;
};

// nullopt when `text` is none of the three forms.
std::optional<Period> ParsePeriod(std::string_view text);
// The month that holds `day` ("2026-11").
Period MonthOf(std::int64_t day);

}  // namespace rapport
