#include "webhooks/delivery.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/metrics.hpp"
#include "webhooks/signing.hpp"

namespace rapport::webhooks {
namespace {

constexpr std::size_t kKeptResponse = 1000;  // characters of an answer the log keeps

size_t KeepStart(char* data, size_t size, size_t n, void* user) {
  auto* kept = static_cast<std::string*>(user);
  const size_t bytes = size * n;
  if (kept->size() < kKeptResponse) {
    kept->append(data, std::min(bytes, kKeptResponse - kept->size()));
  }
  return bytes;
}

}  // namespace

Result<WebhookSender::Reply> CurlWebhookSender::Post(
    const std::string& url, const std::map<std::string, std::string>& headers,
    const std::string& body) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Error(ErrorCode::kInternal, "libcurl could not start");
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  Reply reply;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &KeepStart);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout_seconds));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(std::min(settings_.timeout_seconds, 10)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  if (!settings_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    return Error(ErrorCode::kUnavailable, error[0] != 0 ? error : curl_easy_strerror(code));
  }
  return reply;
}

std::string Payload(std::string_view type, std::string_view data, std::string_view changes,
                    Instant at) {
  data.remove_suffix(1);  // its closing brace: the changes go in before it
  return "{\"type\":\"" + std::string(type) + "\",\"timestamp\":\"" + FormatInstant(at) +
         "\",\"data\":" + std::string(data) + ",\"changes\":" + std::string(changes) + "}}";
}

WebhookWorker::WebhookWorker(db::Database& database, const Clock& clock, WebhookSender& sender,
                             DeliverySettings settings)
    : database_(database),
      clock_(clock),
      sender_(sender),
      settings_(std::move(settings)),
      task_(std::chrono::milliseconds(settings_.poll_milliseconds), [this] {
        Result<int> delivered = RunOnce();
        if (!delivered.ok()) spdlog::warn("webhooks: {}", delivered.error().message());
      }) {}

namespace {

// The deliveries due now (those behind an earlier one of their record wait as 'queued'), the
// longest waiting first.
Result<std::vector<std::int64_t>> DueDeliveries(db::Database& database, Instant now) {
  std::vector<std::int64_t> ids;
  RAPPORT_RETURN_IF_ERROR(database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows due,
        tx.Query("SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = "
                 "d.endpoint_id AND e.active = 1 WHERE (d.status = 'pending' AND "
                 "d.next_attempt_at <= ?) OR (d.status = 'sending' AND d.claimed_until < ?) "
                 "ORDER BY d.next_attempt_at, d.id LIMIT 100",
                 {now, now}));
    ids.clear();
    for (const db::Row& row : due) ids.push_back(row.Int("id"));
    return Ok();
  }));
  return ids;
}

struct Claimed {
  std::int64_t endpoint_id = 0;
  std::int64_t attempts = 0;  // this one included
  std::string url, event_key, payload;
  std::vector<std::string> secrets;  // the current one, and the one before while it lasts
};

Result<std::optional<Claimed>> Claim(db::Database& database, std::int64_t id, Instant at,
                                     int claim_seconds) {
  std::optional<Claimed> claimed;
  RAPPORT_RETURN_IF_ERROR(database.Write([&](db::Transaction& tx) -> Status {
    claimed.reset();
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> row,
        tx.QueryOne("UPDATE webhook_deliveries SET status = 'sending', claimed_until = ?, "
                    "attempts = attempts + 1 WHERE id = ? AND ((status = 'pending' AND "
                    "next_attempt_at <= ?) OR (status = 'sending' AND claimed_until < ?)) "
                    "RETURNING endpoint_id, event_id, attempts",
                    {at + claim_seconds * kMicrosPerSecond, id, at, at}));
    if (!row) return Ok();
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> event,
        tx.QueryOne("SELECT ev.event_key, ev.type, ev.data, ev.changes, ev.created_at, e.url, "
                    "e.secret, e.previous_secret, e.previous_secret_until FROM webhook_events ev "
                    "JOIN webhook_endpoints e ON e.id = ? WHERE ev.id = ?",
                    {row->Int("endpoint_id"), row->Int("event_id")}));
    if (!event) return Error(ErrorCode::kInternal, "a webhook delivery lost its event");
    claimed = Claimed{.endpoint_id = row->Int("endpoint_id"),
                      .attempts = row->Int("attempts"),
                      .url = event->Text("url"),
                      .event_key = event->Text("event_key"),
                      .payload = Payload(event->Text("type"), event->Text("data"),
                                         event->Text("changes"), event->Int("created_at")),
                      .secrets = {event->Text("secret")}};
    if (!event->IsNull("previous_secret") && event->Int("previous_secret_until") > at) {
      claimed->secrets.push_back(event->Text("previous_secret"));
    }
    return Ok();
  }));
  return claimed;
}

}  // namespace

Status PromoteNext(db::Transaction& tx, std::int64_t endpoint_id, const std::string& ordering_key,
                   Instant now) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> next,
      tx.QueryOne("SELECT id FROM webhook_deliveries WHERE endpoint_id = ? AND ordering_key = ? "
                  "AND status = 'queued' ORDER BY event_id LIMIT 1",
                  {endpoint_id, ordering_key}));
  if (!next) return Ok();
  return tx.Execute(
      "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ? WHERE id = ?",
      {now, next->Int("id")});
}

namespace {

// The answer (or its absence) as the log keeps it, and the delivery's next state.
Status Record(db::Database& database, const DeliverySettings& settings, std::int64_t id,
              const Claimed& claimed, const Result<WebhookSender::Reply>& reply, Instant started,
              Instant done) {
  const bool delivered = reply.ok() && reply->status >= 200 && reply->status < 300;
  std::optional<std::string> error;
  if (!reply.ok()) {
    error = reply.error().message();
  } else if (!delivered) {
    error = "answered " + std::to_string(reply->status);
  }
  const bool give_up = !delivered && claimed.attempts >= settings.max_attempts;
  std::int64_t wait = settings.first_retry_seconds;
  for (std::int64_t i = 1; i < claimed.attempts && wait < settings.max_retry_seconds; ++i) {
    wait *= 4;
  }
  wait = std::min<std::int64_t>(wait, settings.max_retry_seconds);
  if (!delivered) {
    spdlog::warn("webhooks: delivery {} to endpoint {} attempt {} failed{}: {}", id,
                 claimed.endpoint_id, claimed.attempts, give_up ? " (giving up)" : "", *error);
  }
  return database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, "
                   "duration_ms, response) VALUES (?, ?, ?, ?, ?, ?)",
                   {id, started, reply.ok() ? db::Value(std::int64_t{reply->status}) : db::Null(),
                    db::OptionalText(error), (done - started) / 1000,
                    reply.ok() ? db::Value(reply->body) : db::Null()}));
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> row,
        tx.QueryOne(
            "UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, claimed_until = NULL, "
            "last_attempt_at = ?, last_status = ?, last_error = ?, delivered_at = ? WHERE id = ? "
            "RETURNING endpoint_id, ordering_key",
            {std::string(delivered ? "delivered"
                         : give_up ? "failed"
                                   : "pending"),
             done + wait * kMicrosPerSecond, started,
             reply.ok() ? db::Value(std::int64_t{reply->status}) : db::Null(),
             db::OptionalText(error), delivered ? db::Value(done) : db::Null(), id}));
    if (!row || (!delivered && !give_up)) return Ok();
    return PromoteNext(tx, row->Int("endpoint_id"), row->Text("ordering_key"), done);
  });
}

}  // namespace

Result<int> WebhookWorker::RunOnce() {
  int delivered = 0;
  // Rounds until nothing is due: a record's next event becomes due once the one before it is
  // delivered.
  for (int round = 0; round < 20 && !task_.stopping(); ++round) {
    RAPPORT_ASSIGN_OR_RETURN(const std::vector<std::int64_t> due,
                             DueDeliveries(database_, clock_.Now()));
    if (due.empty()) break;
    int sent = 0;
    std::set<std::int64_t> unreachable;  // endpoints that failed this round: tried next round
    for (const std::int64_t id : due) {
      if (task_.stopping()) break;
      const Instant at = clock_.Now();
      RAPPORT_ASSIGN_OR_RETURN(const std::optional<Claimed> claimed,
                               Claim(database_, id, at, settings_.claim_seconds));
      if (!claimed) continue;
      if (unreachable.contains(claimed->endpoint_id)) {
        // Put back untried: the endpoint has just failed.
        RAPPORT_RETURN_IF_ERROR(database_.Write([&](db::Transaction& tx) -> Status {
          return tx.Execute(
              "UPDATE webhook_deliveries SET status = 'pending', attempts = attempts - 1, "
              "claimed_until = NULL WHERE id = ?",
              {id});
        }));
        continue;
      }
      const std::int64_t timestamp = at / kMicrosPerSecond;
      std::string signatures;
      for (const std::string& secret : claimed->secrets) {
        RAPPORT_ASSIGN_OR_RETURN(std::string signature,
                                 Sign(secret, claimed->event_key, timestamp, claimed->payload));
        signatures += (signatures.empty() ? "" : " ") + signature;
      }
      const Result<WebhookSender::Reply> reply =
          sender_.Post(claimed->url,
                       {{"Content-Type", "application/json"},
                        {"User-Agent", "Rapport-Webhooks/1"},
                        {"webhook-id", claimed->event_key},
                        {"webhook-timestamp", std::to_string(timestamp)},
                        {"webhook-signature", signatures}},
                       claimed->payload);
      const Instant done = clock_.Now();
      RAPPORT_RETURN_IF_ERROR(Record(database_, settings_, id, *claimed, reply, at, done));
      if (reply.ok() && reply->status >= 200 && reply->status < 300) {
        ++sent;
      } else {
        unreachable.insert(claimed->endpoint_id);
      }
    }
    delivered += sent;
    if (sent == 0) break;
  }
  return delivered;
}

Status WriteWebhookMetrics(db::Transaction& tx, Instant now, std::string& out) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT status, count(*) AS n, min(created_at) AS oldest FROM webhook_deliveries "
               "GROUP BY status"));
  std::map<std::string, std::int64_t> by_status = {
      {"queued", 0}, {"pending", 0}, {"sending", 0}, {"delivered", 0}, {"failed", 0}};
  double oldest_waiting = 0;
  for (const db::Row& row : rows) {
    by_status[row.Text("status")] = row.Int("n");
    if ((row.Text("status") == "pending" || row.Text("status") == "queued") &&
        !row.IsNull("oldest")) {
      oldest_waiting =
          std::max(oldest_waiting, static_cast<double>(now - row.Int("oldest")) / kMicrosPerSecond);
    }
  }
  metrics::WriteHeader(out, "rapport_webhook_deliveries", "gauge",
                       "Webhook deliveries by status (failed: given up after every attempt)");
  for (const auto& [status, n] : by_status) {
    metrics::WriteSample(out, "rapport_webhook_deliveries", metrics::Label("status", status),
                         static_cast<double>(n));
  }
  metrics::WriteHeader(out, "rapport_webhook_oldest_pending_seconds", "gauge",
                       "How long the oldest webhook delivery still to make has waited");
  metrics::WriteSample(out, "rapport_webhook_oldest_pending_seconds", "", oldest_waiting);
  return Ok();
}

}  // namespace rapport::webhooks
