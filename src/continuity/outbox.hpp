// The outbox: messages (introductions) are queued in the database inside the transaction that
// decides to send them, and a background worker delivers them over SMTP (libcurl).
//
// Delivery: the worker claims a due message (pending, or sending with an expired claim) with one
// conditional UPDATE, so two servers on one PostgreSQL never both take it; sends it with a
// Message-ID derived from the outbox row; then marks it sent and records it on the account's
// timeline (an email activity with the contact) in one transaction. A failure puts the message
// back with exponential backoff; after `max_attempts` it is marked failed. A message is sent once
// across restarts of the server or the SMTP server; only a crash between the SMTP server's
// acceptance and the commit that follows can repeat it, and then with the same Message-ID, which
// lets the receiving side drop the copy.
#pragma once

#include <string>

#include "core/clock.hpp"
#include "core/periodic.hpp"
#include "db/database.hpp"

namespace rapport::continuity {

struct SmtpSettings {
  std::string url;       // smtp://host:port or smtps://host:port; empty: nothing is sent
  std::string username;  // optional
  std::string password;  // optional; never logged
  std::string envelope_from = "rapport@localhost";  // MAIL FROM
  int timeout_seconds = 20;
  int poll_milliseconds = 1000;
  int first_retry_seconds = 2;  // doubles per attempt, up to max_retry_seconds
  int max_retry_seconds = 900;
  int max_attempts = 12;
  int claim_seconds = 120;  // how long a claimed message is left alone before another try
};

// Sends one message; Ok once the SMTP server has accepted it. The outbox calls Send from its
// worker's thread only.
class MailTransport {
 public:
  virtual ~MailTransport() = default;
  struct Message {
    std::string message_id;  // without the angle brackets
    std::string from_name, from_email;
    std::string to_name, to_email;
    std::string subject, body;
    Instant date = 0;
    // An iCalendar invitation (METHOD:REQUEST) sent beside the text, so that mail clients offer
    // to accept it (RFC 6047); "" for none.
    std::string calendar;
  };
  virtual Status Send(const Message& message) = 0;
};

// SMTP through libcurl, a connection per message. Thread-safe: its settings are fixed at
// construction.
class SmtpTransport : public MailTransport {
 public:
  explicit SmtpTransport(SmtpSettings settings) : settings_(std::move(settings)) {}
  Status Send(const Message& message) override;

 private:
  SmtpSettings settings_;
};

// The message as it goes on the wire (RFC 5322, CRLF line ends).
std::string FormatMessage(const MailTransport::Message& message, const std::string& envelope_from);

// Delivers the outbox's due messages (see above), on a thread of its own once started.
// Thread-safe after construction; Start/Stop from one thread.
class OutboxWorker {
 public:
  OutboxWorker(db::Database& database, const Clock& clock, MailTransport& transport,
               SmtpSettings settings);

  // Delivers in the background, every poll_milliseconds, until Stop().
  void Start() { task_.Start(); }
  // Finishes the message in hand, then returns.
  void Stop() { task_.Stop(); }
  // Delivers what is due now; returns how many were sent.
  Result<int> RunOnce();

 private:
  db::Database& database_;
  const Clock& clock_;
  MailTransport& transport_;
  SmtpSettings settings_;
  PeriodicTask task_;
};

// The outbox for /metrics: messages by status (what waits, what failed for good) and the age of
// the oldest waiting one at `now`, in Prometheus' text format.
Status WriteOutboxMetrics(db::Transaction& tx, Instant now, std::string& out);

}  // namespace rapport::continuity
