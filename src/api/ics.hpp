// iCalendar (RFC 5545) for calendar feeds: a VCALENDAR of VEVENTs, text escaped, lines folded at
// 75 octets (never inside a UTF-8 character) and ended with CRLF, times in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace rapport::api {

struct IcsEvent {
  std::string uid;    // stable across fetches: calendars update the event instead of adding one
  Instant stamp = 0;  // DTSTAMP: when the record last changed
  // Either a time (start and end) or a whole day (days since 1970-01-01).
  Instant start = 0, end = 0;
  std::optional<std::int64_t> all_day;
  std::string summary, description, location;
  // An invitation's (METHOD:REQUEST): who sends it and whom it asks.
  struct Person {
    std::string name, email;
  };
  std::optional<Person> organizer;
  std::vector<Person> attendees;
  int sequence = 0;  // an invitation's revision: a calendar takes the highest
};

// The part after '@' of this installation's UIDs: the host users reach it at (from
// --public-url), so that two companies' events never share a UID in one person's calendar.
std::string UidDomain(std::string_view public_url);

class IcsWriter {
 public:
  // Starts the calendar, named `name` in calendar apps (X-WR-CALNAME). `method`: PUBLISH for a
  // feed, REQUEST for an invitation.
  explicit IcsWriter(std::string_view name, std::string_view method = "PUBLISH");
  void Add(const IcsEvent& event);
  // Ends the calendar; the writer is spent.
  std::string Finish();

 private:
  void Line(std::string_view name, std::string_view value);  // value written as is, then folded
  void Text(std::string_view name, std::string_view text);   // value escaped as TEXT
  std::string out_;
};

}  // namespace rapport::api
