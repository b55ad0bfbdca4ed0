#include "continuity/outbox.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <map>

#include "core/metrics.hpp"

namespace rapport::continuity {
namespace {

// "Sat, 28 Nov 2026 16:54:34 +0000"
std::string RfcDate(Instant at) {
  const std::time_t seconds = static_cast<std::time_t>(at / kMicrosPerSecond);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return text;
}

// A header value safe on one line: no CR or LF; non-ASCII as an RFC 2047 encoded word.
std::string HeaderText(const std::string& text) {
  std::string clean;
  bool ascii = true;
  for (unsigned char c : text) {
    if (c == '\r' || c == '\n') continue;
    if (c >= 0x80) ascii = false;
    clean.push_back(static_cast<char>(c));
  }
  if (ascii) return clean;
  static const char* kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "=?UTF-8?B?";
  size_t i = 0;
  for (; i + 2 < clean.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(clean[i]) << 16) |
                       (static_cast<unsigned char>(clean[i + 1]) << 8) |
                       static_cast<unsigned char>(clean[i + 2]);
    out +=
        {kBase64[(v >> 18) & 63], kBase64[(v >> 12) & 63], kBase64[(v >> 6) & 63], kBase64[v & 63]};
  }
  if (i + 1 == clean.size()) {
    const unsigned v = static_cast<unsigned char>(clean[i]) << 16;
    out += {kBase64[(v >> 18) & 63], kBase64[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == clean.size()) {
    const unsigned v = (static_cast<unsigned char>(clean[i]) << 16) |
                       (static_cast<unsigned char>(clean[i + 1]) << 8);
    out += {kBase64[(v >> 18) & 63], kBase64[(v >> 12) & 63], kBase64[(v >> 6) & 63], '='};
  }
  return out + "?=";
}

std::string Mailbox(const std::string& name, const std::string& email) {
  return "\"" + HeaderText(name) + "\" <" + HeaderText(email) + ">";
}

struct Upload {
  const std::string* text;
  size_t at = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t n, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t room = size * n;
  const size_t left = upload->text->size() - upload->at;
  const size_t take = std::min(room, left);
  std::memcpy(buffer, upload->text->data() + upload->at, take);
  upload->at += take;
  return take;
}

}  // namespace

std::string FormatMessage(const MailTransport::Message& m, const std::string& envelope_from) {
  std::string out;
  out += "Date: " + RfcDate(m.date) + "\r\n";
  out += "From: " + Mailbox(m.from_name, envelope_from) + "\r\n";
  out += "Reply-To: " + Mailbox(m.from_name, m.from_email) + "\r\n";
  out += "To: " + Mailbox(m.to_name, m.to_email) + "\r\n";
  out += "Subject: " + HeaderText(m.subject) + "\r\n";
  out += "Message-ID: <" + m.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  // Bare LFs become CRLF; libcurl escapes lines that start with a dot.
  const auto crlf = [&out](const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
      out += text[i];
    }
    if (!text.ends_with("\n")) out += "\r\n";
  };
  if (m.calendar.empty()) {
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: 8bit\r\n\r\n";
    crlf(m.body);
    return out;
  }
  // The text and the invitation as alternatives (RFC 6047's iMIP): a mail client shows the
  // invitation with accept and decline, others the text.
  const std::string boundary = "rapport-" + m.message_id.substr(0, m.message_id.find('@'));
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  crlf(m.body);
  out += "--" + boundary + "\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n\r\n";
  crlf(m.calendar);
  out += "--" + boundary + "--\r\n";
  return out;
}

Status SmtpTransport::Send(const Message& message) {
  const std::string payload = FormatMessage(message, settings_.envelope_from);
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Error(ErrorCode::kInternal, "libcurl could not start");
  Upload upload{&payload};
  curl_slist* recipients = curl_slist_append(nullptr, ("<" + message.to_email + ">").c_str());
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, ("<" + settings_.envelope_from + ">").c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(settings_.timeout_seconds));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  if (!settings_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  }
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    return Error(ErrorCode::kUnavailable,
                 std::string("SMTP: ") + (error[0] != 0 ? error : curl_easy_strerror(code)));
  }
  return Ok();
}

OutboxWorker::OutboxWorker(db::Database& database, const Clock& clock, MailTransport& transport,
                           SmtpSettings settings)
    : database_(database),
      clock_(clock),
      transport_(transport),
      settings_(std::move(settings)),
      task_(std::chrono::milliseconds(settings_.poll_milliseconds), [this] {
        Result<int> sent = RunOnce();
        if (!sent.ok()) spdlog::warn("outbox: {}", sent.error().message());
      }) {}

namespace {

// The ids of the messages due now (pending, or sending with an expired claim), oldest first.
Result<std::vector<std::int64_t>> DueMessages(db::Database& database, Instant now) {
  std::vector<std::int64_t> ids;
  RAPPORT_RETURN_IF_ERROR(database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows due,
        tx.Query("SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= ?) "
                 "OR (status = 'sending' AND claimed_until < ?) ORDER BY next_attempt_at, id "
                 "LIMIT 50",
                 {now, now}));
    ids.clear();
    for (const db::Row& row : due) ids.push_back(row.Int("id"));
    return Ok();
  }));
  return ids;
}

// A message this worker has claimed, as the claim returned it.
struct ClaimedMessage {
  MailTransport::Message mail;
  std::int64_t attempts = 0;  // this one included
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> contact_id;
  std::int64_t sender_user_id = 0;
};

ClaimedMessage ReadClaimed(const db::Row& row, std::int64_t id, Instant at) {
  ClaimedMessage claimed;
  claimed.mail = {
      "outbox-" + std::to_string(id) + "." + std::to_string(row.Int("created_at")) + "@rapport",
      row.Text("sender_name"),
      row.Text("sender_email"),
      row.Text("recipient_name"),
      row.Text("recipient_email"),
      row.Text("subject"),
      row.Text("body"),
      at};
  claimed.attempts = row.Int("attempts");
  claimed.account_id = row.OptInt("account_id");
  claimed.contact_id = row.OptInt("contact_id");
  claimed.sender_user_id = row.Int("sender_user_id");
  claimed.mail.calendar = row.Text("calendar");
  return claimed;
}

// Claims message `id`: only one worker (of however many servers) wins. nullopt when another has
// it, it is no longer due, or its contact has since refused it (it is then marked failed).
Result<std::optional<ClaimedMessage>> Claim(db::Database& database, std::int64_t id, Instant at,
                                            int claim_seconds) {
  std::optional<ClaimedMessage> claimed;
  RAPPORT_RETURN_IF_ERROR(database.Write([&](db::Transaction& tx) -> Status {
    claimed.reset();
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> row,
        tx.QueryOne("UPDATE outbox SET status = 'sending', claimed_until = ?, "
                    "attempts = attempts + 1 WHERE id = ? AND ((status = 'pending' AND "
                    "next_attempt_at <= ?) OR (status = 'sending' AND claimed_until < ?)) "
                    "RETURNING sender_name, sender_email, recipient_name, recipient_email, "
                    "subject, body, attempts, created_at, account_id, contact_id, "
                    "sender_user_id, calendar",
                    {at + claim_seconds * kMicrosPerSecond, id, at, at}));
    if (!row) return Ok();
    claimed = ReadClaimed(*row, id, at);
    if (!claimed->contact_id) return Ok();
    // Consent as it is now, not as it was when the message was queued: a contact who has
    // since opted out of email, or asked not to be contacted, gets nothing.
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> refused,
        tx.QueryOne("SELECT do_not_contact FROM contacts WHERE id = ? AND (do_not_contact = 1 "
                    "OR email_opted_out = 1)",
                    {*claimed->contact_id}));
    if (!refused) return Ok();
    claimed.reset();
    return tx.Execute(
        "UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = ? WHERE id = ?",
        {std::string(refused->Int("do_not_contact") == 1
                         ? "not sent: the contact has asked not to be contacted"
                         : "not sent: the contact has opted out of email"),
         id});
  }));
  return claimed;
}

// Marks the message sent and, when it is an account's, puts it on the account's timeline (an
// email activity, with the contact): one transaction.
Status RecordSent(db::Database& database, std::int64_t id, const ClaimedMessage& claimed,
                  Instant done) {
  return database.Write([&](db::Transaction& tx) -> Status {
    const auto mark_sent = [&](db::Value activity) {
      return tx.Execute(
          "UPDATE outbox SET status = 'sent', sent_at = ?, claimed_until = NULL, "
          "last_error = NULL, activity_id = ? WHERE id = ?",
          {done, activity, id});
    };
    if (!claimed.account_id) return mark_sent(db::Null());
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t activity,
        tx.QueryInt("INSERT INTO activities (account_id, user_id, kind, occurred_at, subject, "
                    "body, created_at, updated_at) VALUES (?, ?, 'email', ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    {*claimed.account_id, claimed.sender_user_id, done, claimed.mail.subject,
                     claimed.mail.body, done, done}));
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO audit_history (table_name, record_id, action, changed_at) "
                   "VALUES ('activities', ?, 'create', ?)",
                   {activity, done}));
    if (claimed.contact_id) {
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO activity_contacts (activity_id, contact_id) VALUES (?, ?)",
                     {activity, *claimed.contact_id}));
    }
    return mark_sent(activity);
  });
}

// Puts the message back to try again after a wait that doubles with each attempt, or, after
// max_attempts, marks it failed.
Status RecordFailure(db::Database& database, const SmtpSettings& settings, std::int64_t id,
                     std::int64_t attempts, const Status& delivery, Instant done) {
  const bool give_up = attempts >= settings.max_attempts;
  std::int64_t wait = settings.first_retry_seconds;
  for (std::int64_t i = 1; i < attempts && wait < settings.max_retry_seconds; ++i) wait *= 2;
  wait = std::min<std::int64_t>(wait, settings.max_retry_seconds);
  spdlog::warn("outbox: message {} attempt {} failed{}: {}", id, attempts,
               give_up ? " (giving up)" : "", delivery.error().message());
  return database.Write([&](db::Transaction& tx) -> Status {
    return tx.Execute(
        "UPDATE outbox SET status = ?, next_attempt_at = ?, claimed_until = NULL, "
        "last_error = ? WHERE id = ?",
        {std::string(give_up ? "failed" : "pending"), done + wait * kMicrosPerSecond,
         delivery.error().message(), id});
  });
}

}  // namespace

Result<int> OutboxWorker::RunOnce() {
  RAPPORT_ASSIGN_OR_RETURN(const std::vector<std::int64_t> due,
                           DueMessages(database_, clock_.Now()));
  int sent = 0;
  for (const std::int64_t id : due) {
    if (task_.stopping()) break;
    const Instant at = clock_.Now();
    RAPPORT_ASSIGN_OR_RETURN(const std::optional<ClaimedMessage> claimed,
                             Claim(database_, id, at, settings_.claim_seconds));
    if (!claimed) continue;
    const Status delivery = transport_.Send(claimed->mail);
    const Instant done = clock_.Now();
    if (!delivery.ok()) {
      RAPPORT_RETURN_IF_ERROR(
          RecordFailure(database_, settings_, id, claimed->attempts, delivery, done));
      // The SMTP server is likely down or refusing: leave the rest for the next round rather
      // than fail every message in turn.
      break;
    }
    RAPPORT_RETURN_IF_ERROR(RecordSent(database_, id, *claimed, done));
    ++sent;
  }
  return sent;
}

Status WriteOutboxMetrics(db::Transaction& tx, Instant now, std::string& out) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows, tx.Query("SELECT status, count(*) AS n, min(created_at) AS oldest FROM outbox "
                              "GROUP BY status"));
  std::map<std::string, std::int64_t> by_status = {
      {"pending", 0}, {"sending", 0}, {"sent", 0}, {"failed", 0}};
  double oldest_waiting = 0;
  for (const db::Row& row : rows) {
    by_status[row.Text("status")] = row.Int("n");
    if (row.Text("status") == "pending" && !row.IsNull("oldest")) {
      oldest_waiting = static_cast<double>(now - row.Int("oldest")) / kMicrosPerSecond;
    }
  }
  metrics::WriteHeader(out, "rapport_outbox_messages", "gauge",
                       "Messages in the outbox by status (failed: given up after every attempt)");
  for (const auto& [status, n] : by_status) {
    metrics::WriteSample(out, "rapport_outbox_messages", metrics::Label("status", status),
                         static_cast<double>(n));
  }
  metrics::WriteHeader(out, "rapport_outbox_oldest_pending_seconds", "gauge",
                       "How long the oldest message still to send has waited");
  metrics::WriteSample(out, "rapport_outbox_oldest_pending_seconds", "", oldest_waiting);
  return Ok();
}

}  // namespace rapport::continuity
