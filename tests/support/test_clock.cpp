#include "support/test_clock.hpp"

#include <chrono>

namespace rapport::testing {
namespace {

const Instant kTestStart =
    DaysFromCivil(2026, 11, 28) * kMicrosPerDay + 9 * 3600 * kMicrosPerSecond;

std::chrono::steady_clock::time_point ProcessStart() {
  static const auto start = std::chrono::steady_clock::now();
  return start;
}

// Fixed when the test process starts, not at the first call.
[[maybe_unused]] const auto kStarted = ProcessStart();

}  // namespace

std::int64_t TestDay() { return kTestStart / kMicrosPerDay; }

std::string TestDate(int offset_days) { return FormatDate(TestDay() + offset_days); }

Instant TestNow() {
  return kTestStart + std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - ProcessStart())
                          .count();
}

std::string TestNowVariable() { return "RAPPORT_TEST_NOW=" + FormatInstant(TestNow()); }

}  // namespace rapport::testing
