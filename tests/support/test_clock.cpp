#include "support/test_clock.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace rapport::testing {
namespace {

const Instant kTestStart =
    DaysFromCivil(2026, 11, 28) * kMicrosPerDay + 9 * 3600 * kMicrosPerSecond;

// How far the tests' clock is from the system's, fixed when the test process starts.
std::int64_t Offset() {
  static const std::int64_t offset = kTestStart - SystemClock().Now();
  return offset;
}

[[maybe_unused]] const std::int64_t kFixedAtStart = Offset();

}  // namespace

std::int64_t TestDay() { return kTestStart / kMicrosPerDay; }

std::string TestDate(int offset_days) { return FormatDate(TestDay() + offset_days); }

Instant TestNow() { return SystemClock().Now() + Offset(); }

std::string TestNowVariable() {
  // The offset, not an instant: a program's clock then agrees with the test's to the microsecond,
  // however long it takes to start.
  const std::int64_t offset = Offset();
  const std::uint64_t size = static_cast<std::uint64_t>(std::llabs(offset));
  char text[64];
  std::snprintf(text, sizeof text, "RAPPORT_TEST_NOW=%c%" PRIu64 ".%06" PRIu64,
                offset < 0 ? '-' : '+', size / 1'000'000, size % 1'000'000);
  return text;
}

}  // namespace rapport::testing
