#include "activities/inbound_email.hpp"

#include <sodium.h>

#include <algorithm>
#include <set>

#include "api/access.hpp"
#include "api/json.hpp"
#include "api/query.hpp"
#include "audit/audit_log.hpp"
#include "core/validation.hpp"

namespace rapport::activities {
namespace {

using api::JsonValue;

constexpr std::string_view kDropPrefix = "log+";
constexpr std::size_t kMostSubject = 300;

std::string Hex(const unsigned char* bytes, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

// Lower-case hex: mail servers may change the case of an address's local part.
std::string NewDropToken() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return Hex(bytes, sizeof bytes);
}

std::string IdOfContent(std::string_view raw) {
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(raw.data()),
                     raw.size(), nullptr, 0);
  return "no-message-id." + Hex(digest, sizeof digest);
}

std::string Joined(const std::vector<Mailbox>& a, const std::vector<Mailbox>& b) {
  std::string out;
  for (const auto* list : {&a, &b}) {
    for (const Mailbox& m : *list) out += (out.empty() ? "" : ", ") + m.email;
  }
  return out;
}

// An email activity by `user` on `account` with `contacts`; its id.
Result<std::int64_t> LogActivity(db::Transaction& tx, std::int64_t user, std::int64_t account,
                                 const std::vector<std::int64_t>& contacts, std::int64_t email_id,
                                 const std::string& subject, const std::string& body,
                                 Instant sent_at, Instant now) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t activity,
                           audit::InsertAudited(tx, {user, now}, "activities",
                                                {{"account_id", account},
                                                 {"user_id", user},
                                                 {"kind", std::string("email")},
                                                 {"occurred_at", sent_at},
                                                 {"subject", subject},
                                                 {"body", body}}));
  for (const std::int64_t contact : contacts) {
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO activity_contacts (activity_id, contact_id) VALUES (?, ?)",
                   {activity, contact}));
  }
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("INSERT INTO inbound_email_activities (email_id, activity_id) VALUES (?, ?)",
                 {email_id, activity}));
  return activity;
}

}  // namespace

std::optional<std::string> DropToken(std::string_view address) {
  const std::size_t at = address.find('@');
  std::string local(address.substr(0, at));
  for (char& c : local) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!local.starts_with(kDropPrefix) || local.size() == kDropPrefix.size()) return std::nullopt;
  return local.substr(kDropPrefix.size());
}

Result<ReceivedEmail> ReceiveEmail(db::Transaction& tx, std::string_view recipient,
                                   const MailMessage& m, std::string_view raw, Instant now) {
  std::optional<std::string> token = DropToken(recipient);
  if (recipient.empty()) {
    for (const auto* list : {&m.delivered_to, &m.to, &m.cc}) {
      for (const Mailbox& box : *list) {
        if (!token) token = DropToken(box.email);
      }
    }
  }
  if (!token) return Error(ErrorCode::kNotFound, "no drop address among the recipients");
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> owner,
      tx.QueryOne("SELECT u.id, u.email FROM mail_drops d JOIN users u ON u.id = d.user_id "
                  "WHERE d.token = ? AND u.status <> 'left'",
                  {*token}));
  if (!owner) return Error(ErrorCode::kNotFound, "no one has the drop address " + *token);
  if (!m.from) return Error::InvalidField("From", "the message names no sender");
  const std::int64_t user = owner->Int("id");
  const std::string message_id = m.message_id.empty() ? IdOfContent(raw) : m.message_id;
  ReceivedEmail received;
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> seen,
      tx.QueryOne("SELECT id FROM inbound_emails WHERE user_id = ? AND message_id = ?",
                  {user, message_id}));
  if (seen) {
    received.outcome = "duplicate";
    received.email_id = seen->Int("id");
    return received;
  }

  // Everyone on the message but its owner and drop addresses.
  std::string own(owner->Text("email"));
  for (char& c : own) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::set<std::string> people;
  for (const auto* list : {&m.to, &m.cc, &m.forwarded_from}) {
    for (const Mailbox& box : *list) people.insert(box.email);
  }
  people.insert(m.from->email);
  std::vector<std::int64_t> ids;
  db::Params params;
  std::string marks;
  for (const std::string& email : people) {
    if (email == own || DropToken(email)) continue;
    marks += (marks.empty() ? "?" : ", ?");
    params.push_back(email);
  }
  // Contacts by account, in account order.
  std::vector<std::pair<std::int64_t, std::vector<std::int64_t>>> accounts;
  if (!marks.empty()) {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows contacts,
        tx.Query("SELECT c.id, c.account_id FROM contacts c JOIN accounts a ON a.id = "
                 "c.account_id WHERE lower(c.email) IN (" +
                     marks + ") AND a.archived_at IS NULL ORDER BY c.account_id, c.id",
                 params));
    for (const db::Row& c : contacts) {
      if (accounts.empty() || accounts.back().first != c.Int("account_id")) {
        accounts.push_back({c.Int("account_id"), {}});
      }
      accounts.back().second.push_back(c.Int("id"));
    }
  }
  const std::string thread = m.ThreadId().empty() ? message_id : m.ThreadId();
  if (accounts.empty()) {
    // A reply in a thread already filed goes where the thread is.
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows filed,
        tx.Query("SELECT DISTINCT a.account_id FROM inbound_emails e JOIN "
                 "inbound_email_activities l ON l.email_id = e.id JOIN activities a ON a.id = "
                 "l.activity_id WHERE e.thread_id = ? OR e.message_id = ? ORDER BY a.account_id",
                 {thread, m.in_reply_to.empty() ? thread : m.in_reply_to}));
    for (const db::Row& r : filed) accounts.push_back({r.Int("account_id"), {}});
  }
  std::string subject = m.subject.empty() ? "(no subject)" : m.subject;
  if (subject.size() > kMostSubject) subject.resize(kMostSubject);
  const Instant sent_at = m.date.value_or(now);
  received.outcome = accounts.empty() ? "held" : "logged";
  RAPPORT_ASSIGN_OR_RETURN(
      received.email_id,
      tx.QueryInt("INSERT INTO inbound_emails (user_id, message_id, thread_id, from_email, "
                  "from_name, recipients, subject, body, sent_at, received_at, status) VALUES "
                  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  {user, message_id, thread, m.from->email, m.from->name, Joined(m.to, m.cc),
                   subject, m.text, sent_at, now, received.outcome}));
  for (const auto& [account, contacts] : accounts) {
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t activity,
        LogActivity(tx, user, account, contacts, received.email_id, subject, m.text, sent_at, now));
    received.activity_ids.push_back(activity);
  }
  return received;
}

Result<std::int64_t> EraseContactEmails(db::Transaction& tx, std::int64_t contact_id,
                                        std::string_view email, Instant now) {
  const std::string address = Lowercase(email);
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t shared,
      tx.QueryInt("SELECT count(*) FROM contacts WHERE lower(email) = ? AND id <> ?",
                  {address, contact_id}));
  // The emails logged with the contact, and (when the address is theirs alone) from it.
  const bool by_address = !address.empty() && shared == 0;
  const std::string emails =
      "SELECT m.id FROM inbound_emails m WHERE m.id IN (SELECT ml.email_id FROM "
      "inbound_email_activities ml JOIN activity_contacts ac ON ac.activity_id = ml.activity_id "
      "WHERE ac.contact_id = ?)" +
      std::string(by_address ? " OR lower(m.from_email) = ?" : "");
  const db::Params which = by_address ? db::Params{contact_id, address} : db::Params{contact_id};
  // Their activities keep that an email came, not what it said.
  db::Params blanked = {now};
  blanked.insert(blanked.end(), which.begin(), which.end());
  RAPPORT_RETURN_IF_ERROR(tx.Execute(
      "UPDATE activities SET subject = 'Email (erased)', body = NULL, updated_at = ?, version = "
      "version + 1 WHERE id IN (SELECT activity_id FROM inbound_email_activities WHERE email_id "
      "IN (" +
          emails + "))",
      blanked));
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows erased,
      tx.Query("DELETE FROM inbound_emails WHERE id IN (" + emails + ") RETURNING id", which));
  return static_cast<std::int64_t>(erased.size());
}

namespace {

Result<api::Response> DropState(api::ApiContext& ctx, const std::string& domain,
                                const api::Caller& caller) {
  std::optional<db::Row> drop;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(drop, tx.QueryOne("SELECT token, created_at FROM mail_drops WHERE "
                                               "user_id = ?",
                                               {caller.user_id}));
    return Ok();
  }));
  api::JsonWriter w;
  w.StartObject().Key("active").Bool(drop.has_value());
  if (drop) {
    w.Key("address").String(std::string(kDropPrefix) + drop->Text("token") + "@" + domain);
    w.Key("created_at").String(FormatInstant(drop->Int("created_at")));
  }
  w.EndObject();
  return api::Response::Json(w.Take());
}

Result<api::Response> NewDrop(api::ApiContext& ctx, const std::string& domain,
                              const api::Caller& caller) {
  const std::string token = NewDropToken();
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("DELETE FROM mail_drops WHERE user_id = ?", {caller.user_id}));
    return tx.Execute("INSERT INTO mail_drops (user_id, token, created_at) VALUES (?, ?, ?)",
                      {caller.user_id, token, ctx.clock.Now()});
  }));
  RAPPORT_ASSIGN_OR_RETURN(api::Response state, DropState(ctx, domain, caller));
  state.status = 201;
  return state;
}

// The fields of a message both a held email and a thread's message show.
void WriteMessageFields(api::JsonWriter& w, const db::Row& e) {
  w.Key("from_email").String(e.Text("from_email"));
  w.Key("from_name").String(e.Text("from_name"));
  w.Key("recipients").String(e.Text("recipients"));
  w.Key("subject").String(e.Text("subject"));
  w.Key("sent_at").String(FormatInstant(e.Int("sent_at")));
}

void WriteHeld(api::JsonWriter& w, const db::Row& e) {
  w.StartObject().Key("id").String(api::FormatId(e.Int("id")));
  WriteMessageFields(w, e);
  w.Key("body").String(e.Text("body"));
  w.Key("received_at").String(FormatInstant(e.Int("received_at"))).EndObject();
}

Result<api::Response> ListHeld(api::ApiContext& ctx, const api::Request& r,
                               const api::Caller& caller) {
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Finish());
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query("SELECT id, from_email, from_name, recipients, subject, body, sent_at, "
                 "received_at FROM inbound_emails WHERE user_id = ? AND status = 'held' ORDER BY "
                 "received_at DESC, id DESC LIMIT 200",
                 {caller.user_id}));
    w.StartObject().Key("items").StartArray();
    for (const db::Row& e : rows) WriteHeld(w, e);
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

// The caller's held email `id` (kNotFound for anyone else's).
Result<db::Row> LoadHeld(db::Transaction& tx, const api::Caller& caller, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> e,
      tx.QueryOne("SELECT id, subject, body, sent_at FROM inbound_emails WHERE id = ? AND "
                  "user_id = ? AND status = 'held'",
                  {id, caller.user_id}));
  if (!e) return Error(ErrorCode::kNotFound, "no held email " + std::to_string(id));
  return *e;
}

// POST /held-emails/{id}/file {"account_id", "contact_ids"?}: an email activity on the account.
Result<api::Response> FileHeld(api::ApiContext& ctx, const api::Request& r,
                               const api::Caller& caller) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, api::ParseJson(r.body));
  if (body.kind != JsonValue::Kind::kObject)
    return Error::InvalidField("body", "must be an object");
  std::optional<std::int64_t> account;
  std::vector<std::int64_t> contacts;
  for (const auto& [key, value] : body.members) {
    if (key == "account_id") {
      RAPPORT_ASSIGN_OR_RETURN(account, api::ParseIdValue(value, "account_id"));
    } else if (key == "contact_ids") {
      if (value.kind != JsonValue::Kind::kArray) {
        return Error::InvalidField(key, "must be an array of contact ids");
      }
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        RAPPORT_ASSIGN_OR_RETURN(
            std::int64_t contact,
            api::ParseIdValue(value.items[i], "contact_ids[" + std::to_string(i) + "]"));
        contacts.push_back(contact);
      }
    } else {
      return Error::InvalidField(key, "is not a field of filing an email");
    }
  }
  if (!account) return Error::InvalidField("account_id", "is required");
  std::int64_t activity = 0;
  const Instant now = ctx.clock.Now();
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row e, LoadHeld(tx, caller, id));
    RAPPORT_RETURN_IF_ERROR(api::CheckAccountInReach(tx, caller, *account, "account_id"));
    for (std::size_t i = 0; i < contacts.size(); ++i) {
      RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> works,
                               tx.QueryOne("SELECT 1 FROM contacts WHERE id = ? AND account_id = ?",
                                           {contacts[i], *account}));
      if (!works) {
        return Error::InvalidField("contact_ids[" + std::to_string(i) + "]",
                                   "is not a contact of the account");
      }
    }
    RAPPORT_ASSIGN_OR_RETURN(
        activity, LogActivity(tx, caller.user_id, *account, contacts, id, e.Text("subject"),
                              e.Text("body"), e.Int("sent_at"), now));
    return tx.Execute("UPDATE inbound_emails SET status = 'logged' WHERE id = ?", {id});
  }));
  api::JsonWriter w;
  w.StartObject().Key("activity_id").String(api::FormatId(activity)).EndObject();
  return api::Response::Created(w.Take(), "/api/v1/activities/" + api::FormatId(activity));
}

Result<api::Response> DiscardHeld(api::ApiContext& ctx, const api::Request& r,
                                  const api::Caller& caller) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row e, LoadHeld(tx, caller, id));
    (void)e;
    // What it said goes; that it came stays, so a retry of the same message is not held again.
    return tx.Execute(
        "UPDATE inbound_emails SET status = 'discarded', body = '', subject = '' WHERE id = ?",
        {id});
  }));
  return api::Response::NoContent();
}

// The messages of an email activity's thread filed on the same account, oldest first.
Result<api::Response> Thread(api::ApiContext& ctx, const api::Request& r) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Finish());
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query("SELECT e.from_email, e.from_name, e.recipients, e.subject, e.sent_at, "
                 "e.message_id, a.id AS activity_id FROM activities me JOIN "
                 "inbound_email_activities ml ON ml.activity_id = me.id JOIN inbound_emails m ON "
                 "m.id = ml.email_id JOIN inbound_emails e ON e.thread_id = m.thread_id JOIN "
                 "inbound_email_activities l ON l.email_id = e.id JOIN activities a ON a.id = "
                 "l.activity_id AND a.account_id = me.account_id WHERE me.id = ? ORDER BY "
                 "e.sent_at, e.id",
                 {id}));
    w.StartObject().Key("items").StartArray();
    for (const db::Row& e : rows) {
      w.StartObject().Key("activity_id").String(api::FormatId(e.Int("activity_id")));
      w.Key("message_id").String(e.Text("message_id"));
      WriteMessageFields(w, e);
      w.EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

constexpr const char* kDropSchema =
    R"({"type":"object","properties":{"active":{"type":"boolean"},"address":{"type":"string","format":"email"},"created_at":{"type":"string","format":"date-time"}},"required":["active"]})";
constexpr const char* kHeldSchema =
    R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"},"from_email":{"type":"string"},"from_name":{"type":"string"},"recipients":{"type":"string"},"subject":{"type":"string"},"body":{"type":"string"},"sent_at":{"type":"string","format":"date-time"},"received_at":{"type":"string","format":"date-time"}},"required":["id","from_email","from_name","recipients","subject","body","sent_at","received_at"]}}},"required":["items"]})";
constexpr const char* kThreadSchema =
    R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"activity_id":{"type":"string"},"message_id":{"type":"string"},"from_email":{"type":"string"},"from_name":{"type":"string"},"recipients":{"type":"string"},"subject":{"type":"string"},"sent_at":{"type":"string","format":"date-time"}},"required":["activity_id","message_id","from_email","from_name","recipients","subject","sent_at"]}}},"required":["items"]})";

}  // namespace

void RegisterInboundEmailRoutes(api::Router& router, api::ApiContext& ctx, std::string domain) {
  const api::Reach own = api::Reach::None("the caller's own drop address");
  router.Add({"GET",
              "/api/v1/email-drop",
              api::Access::kSignedIn,
              own,
              [&ctx, domain](const api::Request&, const api::Caller& c) {
                return DropState(ctx, domain, c);
              },
              {"The caller's address to BCC or forward emails with customers to, so that they "
               "are logged on the timeline",
               "Activities",
               {},
               "",
               kDropSchema,
               200,
               "getMyEmailDrop"}});
  router.Add({"POST",
              "/api/v1/email-drop",
              api::Access::kSignedIn,
              own,
              [&ctx, domain](const api::Request&, const api::Caller& c) {
                return NewDrop(ctx, domain, c);
              },
              {"A new drop address for the caller; any earlier one stops working",
               "Activities",
               {},
               "",
               kDropSchema,
               201,
               "createEmailDrop"}});
  router.Add(
      {"DELETE",
       "/api/v1/email-drop",
       api::Access::kSignedIn,
       own,
       [&ctx](const api::Request&, const api::Caller& c) -> Result<api::Response> {
         RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) {
           return tx.Execute("DELETE FROM mail_drops WHERE user_id = ?", {c.user_id});
         }));
         return api::Response::NoContent();
       },
       {"Stops the caller's drop address", "Activities", {}, "", "", 204, "deleteEmailDrop"}});
  const api::Reach held = api::Reach::OwnRule(
      "the caller's own held emails; filed only to an account in the caller's reach");
  router.Add({"GET",
              "/api/v1/held-emails",
              api::Access::kSignedIn,
              held,
              [&ctx](const api::Request& r, const api::Caller& c) { return ListHeld(ctx, r, c); },
              {"Emails sent to the caller's drop address that matched no contact, to file",
               "Activities",
               {},
               "",
               kHeldSchema,
               200,
               "listHeldEmails"}});
  router.Add(
      {"POST",
       "/api/v1/held-emails/{id}/file",
       api::Access::kSignedIn,
       held,
       [&ctx](const api::Request& r, const api::Caller& c) { return FileHeld(ctx, r, c); },
       {"Files a held email on an account's timeline (with the contacts given)",
        "Activities",
        {},
        R"({"type":"object","properties":{"account_id":{"type":"string"},"contact_ids":{"type":"array","items":{"type":"string"}}},"required":["account_id"],"additionalProperties":false})",
        R"({"type":"object","properties":{"activity_id":{"type":"string"}},"required":["activity_id"]})",
        201,
        "fileHeldEmail"}});
  router.Add(
      {"DELETE",
       "/api/v1/held-emails/{id}",
       api::Access::kSignedIn,
       held,
       [&ctx](const api::Request& r, const api::Caller& c) { return DiscardHeld(ctx, r, c); },
       {"Discards a held email", "Activities", {}, "", "", 204, "discardHeldEmail"}});
  router.Add({"GET",
              "/api/v1/activities/{id}/thread",
              api::Access::kSignedIn,
              api::Reach::Record("activities", "activity", api::Scope::kViaAccount),
              [&ctx](const api::Request& r, const api::Caller&) { return Thread(ctx, r); },
              {"The messages of an email activity's thread logged on the same account, oldest "
               "first",
               "Activities",
               {},
               "",
               kThreadSchema,
               200,
               "getEmailThread"}});
}

}  // namespace rapport::activities
