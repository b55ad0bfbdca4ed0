#include "audit/events.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sodium.h>

#include <algorithm>

namespace rapport::audit {
namespace {

// The records whose writes make events, by table.
struct RecordKind {
  std::string_view table, object, path;
};
constexpr RecordKind kRecordKinds[] = {
    {"accounts", "account", "/api/v1/accounts/"},
    {"contacts", "contact", "/api/v1/contacts/"},
    {"opportunities", "opportunity", "/api/v1/opportunities/"},
    {"milestones", "milestone", "/api/v1/milestones/"},
};

const RecordKind* FindKind(std::string_view table) {
  for (const RecordKind& kind : kRecordKinds) {
    if (kind.table == table) return &kind;
  }
  return nullptr;
}

std::string JsonString(std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string OptionalJsonString(const std::optional<std::string>& text) {
  return text ? JsonString(*text) : "null";
}

// {"field":{"old":...,"new":...},...}
std::string ChangesJson(const std::vector<EventChange>& changes) {
  std::string out = "{";
  for (const EventChange& c : changes) {
    if (out.size() > 1) out += ',';
    out += JsonString(c.field) + ":{\"old\":" + OptionalJsonString(c.old_value) +
           ",\"new\":" + OptionalJsonString(c.new_value) + "}";
  }
  return out + "}";
}

// Two changes objects as one.
std::string MergeChanges(const std::string& first, const std::string& second) {
  if (first.size() <= 2) return second;
  if (second.size() <= 2) return first;
  return first.substr(0, first.size() - 1) + "," + second.substr(1);
}

std::string EventKey() {
  unsigned char bytes[18];
  randombytes_buf(bytes, sizeof bytes);
  char encoded[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string("msg_") + encoded;
}

bool Subscribed(std::string_view events, std::string_view type) {
  std::size_t at = 0;
  while (at < events.size()) {
    std::size_t end = events.find(' ', at);
    if (end == std::string_view::npos) end = events.size();
    if (events.substr(at, end - at) == type) return true;
    at = end + 1;
  }
  return false;
}

const EventChange* FindChange(const std::vector<EventChange>& changes, std::string_view field) {
  for (const EventChange& c : changes) {
    if (c.field == field) return &c;
  }
  return nullptr;
}

}  // namespace

const std::vector<EventType>& EventTypes() {
  static const std::vector<EventType> types = {
      {"account.created", "An account was created (data.changes: the values it was given)"},
      {"account.updated", "Fields of an account changed (data.changes: each field's old and new)"},
      {"account.archived", "An account was archived"},
      {"contact.created", "A contact was created"},
      {"contact.updated", "Fields of a contact changed"},
      {"contact.deleted", "A contact was deleted"},
      {"opportunity.created", "An opportunity was created"},
      {"opportunity.updated", "Fields of an opportunity changed"},
      {"opportunity.stage_changed", "An opportunity moved to another stage (data.changes.stage)"},
      {"opportunity.won", "An opportunity was won (its stage became closed_won)"},
      {"opportunity.lost", "An opportunity was lost (its stage became closed_lost)"},
      {"opportunity.deleted", "An opportunity was deleted"},
      {"handover.committed",
       "A handover was committed: the leaver's accounts and work moved to the successors "
       "(data.reason, data.accounts)"},
      {"case.breached",
       "A case missed its first-response or resolution time and was escalated (data.level, "
       "data.reason, data.account_id)"},
      {"milestone.met", "A success plan's milestone was met (data.changes.status)"},
      {"import.finished",
       "An import finished (data.record_type, data.status, data.created, data.updated, "
       "data.rejected)"},
  };
  return types;
}

bool IsEventType(std::string_view name) {
  const auto& types = EventTypes();
  return std::any_of(types.begin(), types.end(),
                     [&](const EventType& t) { return t.name == name; });
}

std::string JsonMember(std::string_view name, std::string_view text) {
  return JsonString(name) + ":" + JsonString(text);
}

std::string JsonMember(std::string_view name, std::int64_t number) {
  return JsonString(name) + ":" + std::to_string(number);
}

namespace {

std::string OrderingKey(const Event& event) {
  return event.object + ":" + std::to_string(event.object_id);
}

// The event's row; its id.
Result<std::int64_t> InsertEvent(db::Transaction& tx, Instant at, const Event& event) {
  std::string data = "{\"object\":" + JsonString(event.object) +
                     ",\"id\":" + JsonString(std::to_string(event.object_id));
  if (!event.path.empty()) data += ",\"path\":" + JsonString(event.path);
  data += ",\"changed_by\":" +
          (event.changed_by ? JsonString(std::to_string(*event.changed_by)) : "null");
  if (!event.extra.empty()) data += "," + event.extra;
  data += "}";
  return tx.QueryInt(
      "INSERT INTO webhook_events (event_key, type, ordering_key, data, changes, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
      {EventKey(), event.type, OrderingKey(event), data, ChangesJson(event.changes), at});
}

// A delivery of the event to the endpoint: pending, or queued behind an earlier delivery of the
// same record to it that is not done (the record's row lock orders its writers, so the earlier
// one is visible here).
Result<std::int64_t> InsertDelivery(db::Transaction& tx, Instant at, std::int64_t endpoint,
                                    std::int64_t event_id, const std::string& ordering_key) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> ahead,
      tx.QueryOne("SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ? AND ordering_key = ? "
                  "AND (status = 'queued' OR status = 'pending' OR status = 'sending') LIMIT 1",
                  {endpoint, ordering_key}));
  return tx.QueryInt(
      "INSERT INTO webhook_deliveries (endpoint_id, event_id, ordering_key, status, attempts, "
      "next_attempt_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING id",
      {endpoint, event_id, ordering_key, std::string(ahead ? "queued" : "pending"), at, at});
}

// Queues `event` for those of `endpoints` (id, events) subscribed to it.
Status Queue(db::Transaction& tx, Instant at, const db::Rows& endpoints, const Event& event) {
  std::vector<std::int64_t> subscribed;
  for (const db::Row& e : endpoints) {
    if (Subscribed(e.Text("events"), event.type)) subscribed.push_back(e.Int("id"));
  }
  if (subscribed.empty()) return Ok();
  const std::string ordering_key = OrderingKey(event);
  // The same command's earlier event of this type for this record, not yet sent anywhere.
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> earlier,
      tx.QueryOne("SELECT e.id, e.changes FROM webhook_events e WHERE e.ordering_key = ? AND "
                  "e.created_at = ? AND e.type = ? AND NOT EXISTS (SELECT 1 FROM "
                  "webhook_deliveries d WHERE d.event_id = e.id AND d.attempts > 0)",
                  {ordering_key, at, event.type}));
  if (earlier) {
    return tx.Execute(
        "UPDATE webhook_events SET changes = ? WHERE id = ?",
        {MergeChanges(earlier->Text("changes"), ChangesJson(event.changes)), earlier->Int("id")});
  }
  RAPPORT_ASSIGN_OR_RETURN(const std::int64_t event_id, InsertEvent(tx, at, event));
  for (const std::int64_t endpoint : subscribed) {
    RAPPORT_ASSIGN_OR_RETURN(const std::int64_t delivery,
                             InsertDelivery(tx, at, endpoint, event_id, ordering_key));
    (void)delivery;
  }
  return Ok();
}

// Queues each of `events`, in order, reading the endpoints once.
Status QueueAll(db::Transaction& tx, Instant at, const std::vector<Event>& events) {
  if (events.empty()) return Ok();
  RAPPORT_ASSIGN_OR_RETURN(db::Rows endpoints,
                           tx.Query("SELECT id, events FROM webhook_endpoints WHERE active = 1"));
  if (endpoints.empty()) return Ok();
  for (const Event& event : events) RAPPORT_RETURN_IF_ERROR(Queue(tx, at, endpoints, event));
  return Ok();
}

}  // namespace

Status PublishEvent(db::Transaction& tx, Instant at, const Event& event) {
  return QueueAll(tx, at, {event});
}

Result<std::int64_t> PublishEventTo(db::Transaction& tx, Instant at, std::int64_t endpoint_id,
                                    const Event& event) {
  RAPPORT_ASSIGN_OR_RETURN(const std::int64_t event_id, InsertEvent(tx, at, event));
  return InsertDelivery(tx, at, endpoint_id, event_id, OrderingKey(event));
}

Status PublishRecordEvents(db::Transaction& tx, Instant at, std::optional<std::int64_t> user_id,
                           std::string_view table, std::int64_t id, std::string_view action,
                           const std::vector<EventChange>& changes) {
  const RecordKind* kind = FindKind(table);
  if (kind == nullptr) return Ok();
  const auto event = [&](std::string type, std::vector<EventChange> told) {
    return Event{.type = std::move(type),
                 .object = std::string(kind->object),
                 .object_id = id,
                 .path = std::string(kind->path) + std::to_string(id),
                 .changed_by = user_id,
                 .changes = std::move(told)};
  };
  std::vector<Event> events;
  const EventChange* status = FindChange(changes, "status");
  if (kind->object == "milestone") {
    if (status && status->new_value == "met" && (action == "create" || action == "update")) {
      events.push_back(event("milestone.met", changes));
    }
    return QueueAll(tx, at, events);
  }
  std::string verb;
  if (action == "create") verb = "created";
  if (action == "update") verb = "updated";
  if (action == "archive") verb = "archived";
  if (action == "delete") verb = "deleted";
  if (verb.empty()) return Ok();
  const std::string object(kind->object);
  events.push_back(event(object + "." + verb, changes));
  const EventChange* stage = kind->object == "opportunity" ? FindChange(changes, "stage") : nullptr;
  if (stage != nullptr) {
    if (action == "update") events.push_back(event("opportunity.stage_changed", {*stage}));
    if (stage->new_value == "closed_won") events.push_back(event("opportunity.won", {*stage}));
    if (stage->new_value == "closed_lost") events.push_back(event("opportunity.lost", {*stage}));
  }
  return QueueAll(tx, at, events);
}

}  // namespace rapport::audit
