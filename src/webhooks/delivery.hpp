// Delivering webhooks: a background worker sends each queued delivery (audit/events.hpp) to its
// endpoint as an HTTPS POST, signed (signing.hpp), and records every attempt for the delivery log.
//
// At least once, in order per record: a delivery is claimed with one conditional UPDATE (two
// servers on one PostgreSQL never both take it), sent, then marked delivered on a 2xx answer;
// anything else (an error status, a timeout, no connection) puts it back with a wait that grows
// fourfold per attempt, up to max_retry_seconds, and after max_attempts it is failed (an admin can
// replay it). A crash between the receiver's answer and the commit sends it again, with the same
// webhook-id, which receivers use to drop repeats. A delivery made while an earlier one of the
// same record to the same endpoint is not done waits as 'queued', and becomes pending when that
// one is delivered or fails for good; so finding what is due never looks past waiting ones, however
// long the backlog. A replay is sent at once. Deliveries to a disabled endpoint wait until it is
// enabled again.
#pragma once

#include <map>
#include <string>

#include "core/clock.hpp"
#include "core/periodic.hpp"
#include "db/database.hpp"

namespace rapport::webhooks {

struct DeliverySettings {
  int timeout_seconds = 10;  // for the whole request, connection included
  int poll_milliseconds = 1000;
  int first_retry_seconds = 5;       // then 4x per attempt
  int max_retry_seconds = 6 * 3600;  // the longest wait between two attempts
  int max_attempts = 10;             // about a day and a half of trying with the defaults
  int claim_seconds = 120;  // a claimed delivery is left alone this long (more than the timeout)
  std::string ca_file;      // trusted certificates for HTTPS; "": the system's
};

// Sends one request. Thread-safe.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  struct Reply {
    long status = 0;
    std::string body;  // the start of it, for the delivery log
  };
  // kUnavailable when there is no answer (no connection, a timeout, a TLS failure).
  virtual Result<Reply> Post(const std::string& url,
                             const std::map<std::string, std::string>& headers,
                             const std::string& body) = 0;
};

// HTTP(S) through libcurl, a connection per request, redirects not followed.
class CurlWebhookSender : public WebhookSender {
 public:
  explicit CurlWebhookSender(DeliverySettings settings) : settings_(std::move(settings)) {}
  Result<Reply> Post(const std::string& url, const std::map<std::string, std::string>& headers,
                     const std::string& body) override;

 private:
  DeliverySettings settings_;
};

// The earliest delivery queued behind a record's one just done (delivered or failed for good),
// now pending.
Status PromoteNext(db::Transaction& tx, std::int64_t endpoint_id, const std::string& ordering_key,
                   Instant now);

// The body a delivery sends: {"type", "timestamp", "data"} (audit/events.hpp), from the event's
// row (its data without the changes, and the changes).
std::string Payload(std::string_view type, std::string_view data, std::string_view changes,
                    Instant at);

// Delivers what is due (see above) on a thread of its own once started. Thread-safe after
// construction; Start/Stop from one thread.
class WebhookWorker {
 public:
  WebhookWorker(db::Database& database, const Clock& clock, WebhookSender& sender,
                DeliverySettings settings);
  void Start() { task_.Start(); }
  // Finishes the delivery in hand, then returns.
  void Stop() { task_.Stop(); }
  // Delivers what is due now; returns how many were delivered.
  Result<int> RunOnce();

 private:
  db::Database& database_;
  const Clock& clock_;
  WebhookSender& sender_;
  DeliverySettings settings_;
  PeriodicTask task_;
};

// Deliveries by status, and the age of the oldest waiting one, for /metrics.
Status WriteWebhookMetrics(db::Transaction& tx, Instant now, std::string& out);

}  // namespace rapport::webhooks
