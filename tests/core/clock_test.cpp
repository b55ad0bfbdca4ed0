#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(Clock, DatesRoundTripAcrossLeapYearsAndTheEpoch) {
  for (std::int64_t day = -800; day < 30000; day += 37) {
    std::int64_t parsed = 0;
    ASSERT_TRUE(ParseDate(FormatDate(day), parsed)) << FormatDate(day);
    EXPECT_EQ(parsed, day);
  }
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(DaysFromCivil(2024, 2, 29) + 1, DaysFromCivil(2024, 3, 1));
}

TEST(Clock, RejectsDatesThatDoNotExist) {
  std::int64_t day = 0;
  EXPECT_FALSE(ParseDate("2025-02-29", day));
  EXPECT_FALSE(ParseDate("2026-13-01", day));
  EXPECT_FALSE(ParseDate("2026-1-01", day));
  EXPECT_FALSE(ParseDate("yesterday!", day));
  EXPECT_TRUE(ParseDate("2028-02-29", day));
}

TEST(Clock, FormatsHttpDates) {
  const Instant at = DaysFromCivil(2026, 11, 28) * kMicrosPerDay +
                     (14 * 3600 + 3 * 60 + 7) * kMicrosPerSecond + 999'999;
  EXPECT_EQ(FormatHttpDate(at), "Sat, 28 Nov 2026 14:03:07 GMT");
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(-kMicrosPerSecond), "Wed, 31 Dec 1969 23:59:59 GMT");
  EXPECT_EQ(FormatHttpDate(DaysFromCivil(2028, 2, 29) * kMicrosPerDay),
            "Tue, 29 Feb 2028 00:00:00 GMT");
}

TEST(Clock, AShiftedClockStartsWhereItIsToldAndRunsOn) {
  const Instant start = DaysFromCivil(2026, 11, 28) * kMicrosPerDay + 9 * 3600 * kMicrosPerSecond;
  const ShiftedClock clock = ShiftedClock::StartingAt(start);
  const Instant first = clock.Now();
  EXPECT_GE(first, start);
  EXPECT_LT(first - start, 60 * kMicrosPerSecond);
  Instant later = clock.Now();
  for (int i = 0; i < 1'000'000 && later == first; ++i) later = clock.Now();
  EXPECT_GT(later, first) << "it runs on";
}

TEST(Clock, AShiftedClockIsTheSystemClockPlusItsOffset) {
  const ShiftedClock clock(-400 * kMicrosPerDay);
  const Instant before = SystemClock().Now();
  const Instant shifted = clock.Now();
  const Instant after = SystemClock().Now();
  EXPECT_GE(shifted, before - 400 * kMicrosPerDay);
  EXPECT_LE(shifted, after - 400 * kMicrosPerDay);
}

TEST(Clock, FormatsInstantsAsUtc) {
  const Instant at = DaysFromCivil(2026, 11, 28) * kMicrosPerDay +
                     (14 * 3600 + 3 * 60 + 7) * kMicrosPerSecond + 42;
  EXPECT_EQ(FormatInstant(at), "2026-11-28T14:03:07.000042Z");
  EXPECT_EQ(FormatInstant(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(Clock, FixedClockSaysWhatTheTestTellsIt) {
  FixedClock clock(100);
  clock.Advance(50);
  EXPECT_EQ(clock.Now(), 150);
}

}  // namespace
}  // namespace rapport
