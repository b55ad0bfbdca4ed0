#include "api/ics.hpp"

namespace rapport::api {
namespace {

// "20261128T090000Z"
std::string IcsTime(Instant instant) {
  const std::string iso = FormatInstant(instant);  // 2026-11-28T09:00:00.000000Z
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2) + "T" + iso.substr(11, 2) +
         iso.substr(14, 2) + iso.substr(17, 2) + "Z";
}

// "20261128"
std::string IcsDate(std::int64_t days) {
  const std::string iso = FormatDate(days);
  return iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
}

}  // namespace

std::string UidDomain(std::string_view public_url) {
  std::string_view host = public_url;
  if (const std::size_t scheme = host.find("://"); scheme != std::string_view::npos) {
    host.remove_prefix(scheme + 3);
  }
  host = host.substr(0, host.find_first_of("/:"));
  return host.empty() ? "rapport.invalid" : std::string(host);
}

IcsWriter::IcsWriter(std::string_view name, std::string_view method) {
  Line("BEGIN", "VCALENDAR");
  Line("VERSION", "2.0");
  Line("PRODID", "-//Rapport//Rapport CRM//EN");
  Line("CALSCALE", "GREGORIAN");
  Line("METHOD", method);
  Text("X-WR-CALNAME", name);
}

void IcsWriter::Add(const IcsEvent& event) {
  Line("BEGIN", "VEVENT");
  Text("UID", event.uid);
  Line("DTSTAMP", IcsTime(event.stamp));
  if (event.all_day) {
    Line("DTSTART;VALUE=DATE", IcsDate(*event.all_day));
    Line("DTEND;VALUE=DATE", IcsDate(*event.all_day + 1));
  } else {
    Line("DTSTART", IcsTime(event.start));
    Line("DTEND", IcsTime(event.end));
  }
  Text("SUMMARY", event.summary);
  if (!event.description.empty()) Text("DESCRIPTION", event.description);
  if (!event.location.empty()) Text("LOCATION", event.location);
  // A name is a quoted parameter: it may not hold a quote, and has none of TEXT's escapes.
  auto cn = [](std::string name) {
    std::erase(name, '"');
    return "CN=\"" + name + "\"";
  };
  if (event.organizer) {
    Line("ORGANIZER;" + cn(event.organizer->name), "mailto:" + event.organizer->email);
  }
  for (const IcsEvent::Person& p : event.attendees) {
    Line("ATTENDEE;" + cn(p.name) + ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE",
         "mailto:" + p.email);
  }
  if (event.organizer) {
    Line("SEQUENCE", std::to_string(event.sequence));
    Line("STATUS", "CONFIRMED");
  }
  Line("END", "VEVENT");
}

std::string IcsWriter::Finish() {
  Line("END", "VCALENDAR");
  return std::move(out_);
}

void IcsWriter::Text(std::string_view name, std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    if (c == '\\' || c == ';' || c == ',') {
      escaped += '\\';
      escaped += c;
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') {
      escaped += c;  // other control characters are not TEXT
    }
  }
  Line(name, escaped);
}

void IcsWriter::Line(std::string_view name, std::string_view value) {
  std::string line = std::string(name) + ":" + std::string(value);
  std::erase_if(line, [](char c) { return c == '\r' || c == '\n'; });
  // Folded: at most 75 octets a line, a continuation starting with one space; never between the
  // bytes of one UTF-8 character.
  std::size_t at = 0, limit = 75;
  while (line.size() - at > limit) {
    std::size_t cut = at + limit;
    while (cut > at && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    if (cut == at) cut = at + limit;  // not UTF-8: cut anyway
    out_.append(line, at, cut - at);
    out_ += "\r\n ";
    at = cut;
    limit = 74;  // the leading space counts
  }
  out_.append(line, at, std::string::npos);
  out_ += "\r\n";
}

}  // namespace rapport::api
