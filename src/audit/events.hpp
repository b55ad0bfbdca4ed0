// Events for the company's other systems: what happened to a record ("opportunity.won",
// "handover.committed"), queued for each webhook endpoint subscribed to it inside the transaction
// that made it happen (a transactional outbox: an event exists exactly when its change was
// committed). webhooks/ delivers them.
//
// The audit trail's writers publish the record events themselves (audit_log.cpp): creating,
// updating, archiving or deleting an account, contact or opportunity; an opportunity's stage
// moving (and its being won or lost); a milestone met. Capabilities publish the rest (a handover
// committed, a case breached, an import finished) with PublishEvent. Bulk loads
// (InsertManyAudited, RecordFieldChanges) publish nothing: the import's "import.finished" says
// what they did.
//
// Writes of one command share its instant (Actor::at): a second event of the same type for the
// same record within one command is merged into the first (its changes added), so a PATCH that
// changes built-in and custom fields is one "account.updated".
//
// Thread safety: the functions keep no state and run inside the caller's db::Transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "db/database.hpp"

namespace rapport::audit {

// An event type and what it means, for the API's catalogue and the OpenAPI document.
struct EventType {
  std::string_view name;  // "opportunity.won"
  std::string_view description;
};
// Every event type there is.
const std::vector<EventType>& EventTypes();
bool IsEventType(std::string_view name);

// A field's change as an event tells it (values as the audit trail writes them: text or null).
struct EventChange {
  std::string field;
  std::optional<std::string> old_value, new_value;
};

struct Event {
  std::string type;    // one of EventTypes()
  std::string object;  // "opportunity", "handover", "import": data.object
  std::int64_t object_id = 0;
  std::string path;  // the record in the API: "/api/v1/opportunities/42" ("" when none)
  std::optional<std::int64_t> changed_by;  // the user; nullopt for the system
  std::vector<EventChange> changes;        // data.changes (field -> {old, new})
  // Further members of data, as JSON object members without the braces
  // ("\"level\":2,\"reason\":\"...\""); "" for none.
  std::string extra;
};

// Queues `event` (at `at`) for every active endpoint subscribed to its type; writes nothing when
// none is. The payload receivers get:
//   {"type": ..., "timestamp": <at>, "data": {"object", "id", "path", "changed_by", "changes",
//    ...extra}}
// Events of one record (object and id) reach an endpoint in the order they were published.
Status PublishEvent(db::Transaction& tx, Instant at, const Event& event);

// Queues `event` for one endpoint whatever it is subscribed to (an admin's test ping); the
// delivery's id.
Result<std::int64_t> PublishEventTo(db::Transaction& tx, Instant at, std::int64_t endpoint_id,
                                    const Event& event);

// The events a write to `table` makes (audit_log.cpp calls these). `action` is "create",
// "update", "archive" or "delete"; `changes` the fields written (on create, every value given).
// Nothing for tables no event is about.
Status PublishRecordEvents(db::Transaction& tx, Instant at, std::optional<std::int64_t> user_id,
                           std::string_view table, std::int64_t id, std::string_view action,
                           const std::vector<EventChange>& changes);

// Members for Event::extra: "\"name\":<value>" with the value escaped as JSON.
std::string JsonMember(std::string_view name, std::string_view text);
std::string JsonMember(std::string_view name, std::int64_t number);

}  // namespace rapport::audit
