// An email as it arrives from a mail server (RFC 5322, MIME), read into what the timeline keeps:
// who wrote to whom, when, the subject, the text, and where it sits in its thread. Tolerant: a
// message it cannot fully read still gives what it could (a missing date is nullopt, an unknown
// charset keeps its bytes). No state; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace rapport::activities {

struct Mailbox {
  std::string name;   // decoded ("Dr Jane Smith"), or ""
  std::string email;  // lower case
};

struct MailMessage {
  std::optional<Mailbox> from;
  std::vector<Mailbox> to, cc, delivered_to;
  std::string subject;  // decoded
  std::optional<Instant> date;
  std::string message_id;               // without angle brackets; "" when it has none
  std::string in_reply_to;              // the same
  std::vector<std::string> references;  // oldest first
  std::string text;                     // the text/plain part (else the HTML one, as text)
  // In a forwarded message, the senders the forwarded part names ("From: ... <a@b>").
  std::vector<Mailbox> forwarded_from;

  // The thread's first message: the first of References, else In-Reply-To, else its own id.
  std::string ThreadId() const;
};

// Reads a whole message (headers, blank line, body; CRLF or LF line ends).
MailMessage ParseMailMessage(std::string_view raw);

// "Name <a@b>, c@d" -> each mailbox.
std::vector<Mailbox> ParseAddressList(std::string_view value);
// RFC 2047 encoded words ("=?UTF-8?B?...?=", "=?iso-8859-1?Q?...?=") decoded to UTF-8.
std::string DecodeHeaderText(std::string_view value);
// "Mon, 7 Dec 2026 15:11:55 +0100" -> the instant; nullopt when it is not a date.
std::optional<Instant> ParseMailDate(std::string_view value);

}  // namespace rapport::activities
