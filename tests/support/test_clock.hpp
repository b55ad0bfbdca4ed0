// The time the suite runs at, whatever the date: the tests' clock starts at 09:00 UTC on the demo
// company's day (2026-11-28) when the test process starts, and runs on in real time (the system
// clock moved by a fixed offset). Every program a test starts (RunCommand, RunningCommand,
// ApiServer) is given that offset as RAPPORT_TEST_NOW,
// so the binary's "today" is the test's, and an expected value follows from the fixture, not
// from the day the suite runs.
#pragma once

#include <string>

#include "core/clock.hpp"

namespace rapport::testing {

// The day the demo company is built as of, and every test runs on: 2026-11-28.
std::int64_t TestDay();
// TestDay() + offset as "YYYY-MM-DD".
std::string TestDate(int offset_days = 0);
// 2026-11-28T09:00:00Z plus the time since the test process started.
Instant TestNow();
// "RAPPORT_TEST_NOW=-686400.123456" (the offset from the system clock), for the environment of
// a program a test starts.
std::string TestNowVariable();

// A Clock reading TestNow(): for code a test runs in its own process. Thread-safe.
class TestClock final : public Clock {
 public:
  Instant Now() const override { return TestNow(); }
};

}  // namespace rapport::testing
