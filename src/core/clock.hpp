// Time in Rapport: instants are UTC microseconds since the Unix epoch; calendar dates are
// "YYYY-MM-DD" strings. The Clock is injectable so tests control "now".
#pragma once

#include <cstdint>
#include <string>

namespace rapport {

using Instant = std::int64_t;  // microseconds since 1970-01-01T00:00:00Z

// Says what time it is. Implementations the server uses must be thread-safe: Now() is called from
// every server thread and background job.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// The system's real-time clock, unshifted. Thread-safe.
class SystemClock final : public Clock {
 public:
  Instant Now() const override;
};

// The system clock moved by a fixed offset, running on in real time. Thread-safe. What `rapport`
// runs on when a test sets RAPPORT_TEST_NOW (see cli/README.md).
class ShiftedClock final : public Clock {
 public:
  explicit ShiftedClock(std::int64_t offset_micros) : offset_(offset_micros) {}
  // A clock that reads `start` now.
  static ShiftedClock StartingAt(Instant start);
  Instant Now() const override;

 private:
  std::int64_t offset_;  // added to the system clock
};

// A clock that says what the test tells it to. Not thread-safe.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Instant now) : now_(now) {}
  Instant Now() const override { return now_; }
  void Set(Instant now) { now_ = now; }
  void Advance(std::int64_t micros) { now_ += micros; }

 private:
  Instant now_;
};

// Days since 1970-01-01 <-> civil date (proleptic Gregorian), exact for all int32 day counts.
std::int64_t DaysFromCivil(int year, unsigned month, unsigned day);
void CivilFromDays(std::int64_t days, int& year, unsigned& month, unsigned& day);

// "2026-11-28"
std::string FormatDate(std::int64_t days_since_epoch);
// "2026-11-28T14:03:00.000000Z"
std::string FormatInstant(Instant instant);
// "Sat, 28 Nov 2026 14:03:00 GMT": HTTP's Date header (RFC 9110's IMF-fixdate).
std::string FormatHttpDate(Instant instant);
// Parses "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (UTC); false when malformed.
bool ParseInstant(const std::string& text, Instant& instant);
// Parses "YYYY-MM-DD"; false when malformed or not a real date.
bool ParseDate(const std::string& text, std::int64_t& days_since_epoch);

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

}  // namespace rapport
