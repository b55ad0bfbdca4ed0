// Records over HTTP, described once: a ResourceSpec names the table, its fields (type, rules,
// whether callers may set, filter or sort by them), where it sits in the reach rules and how it
// may be deleted. RegisterResource turns a spec into list / get / create / PATCH / delete /
// history routes with strict parsing (unknown fields, wrong types, too-long strings and bad ids are
// refused naming the field), ETags and If-Match, cursor pagination, filters, full-text `q`, and
// the audit trail. Capabilities keep their specs beside their domain code.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/caller.hpp"
#include "api/json.hpp"
#include "api/router.hpp"
#include "audit/audit_log.hpp"
#include "core/clock.hpp"
#include "db/database.hpp"
#include "db/dialect.hpp"
#include "records/record.hpp"

namespace rapport::api {

enum class FieldType {
  kString,
  kEmail,
  kInteger,
  kBoolean,
  kDate,     // "YYYY-MM-DD"
  kInstant,  // ISO 8601 UTC
  kEnum,
  kReference,  // the id of a row of `references`, as a string in JSON
  kCurrency,   // ISO 4217
  kCountry,    // ISO 3166-1 alpha-2
};

struct FieldSpec {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;  // on create
  bool writable = true;   // callers may set it (create and PATCH)
  bool nullable = true;
  bool filterable = false;  // ?name=value (dates and instants: name_from / name_to)
  bool sortable = false;    // only NOT NULL columns
  size_t max_length = 200;
  std::vector<std::string_view> values;  // kEnum
  std::string references;                // kReference: the table
  std::optional<std::int64_t> min, max;  // kInteger
  std::string description;
};

enum class Deletion { kNone, kDelete, kArchive };

struct ResourceSpec;

// The values a create or PATCH will write, with the record as it was (PATCH only). Not
// thread-safe: one per write, used within its transaction.
struct WriteContext {
  db::Transaction& tx;
  const Caller& caller;
  const Instant now;
  const std::optional<db::Row> before;  // columns in the spec's field order (PATCH)
  audit::FieldValues& values;           // column -> value about to be written
  const JsonValue& body;
  bool creating;
  const ResourceSpec* spec = nullptr;

  // The value about to be written to `column`, or nullptr when the write leaves it alone.
  const db::Value* Written(std::string_view column) const;
  // What `column` holds after the write: the written value, else the record's (null on create).
  db::Value After(std::string_view column) const;
  // Writes `value` to `column` (replacing what the caller gave).
  void Set(const std::string& column, db::Value value);
};

struct ResourceSpec {
  std::string plural;    // the table, and the path segment unless `path` says otherwise
  std::string path;      // the path segment when it differs ("success-plans"); set by Register
  std::string singular;  // for messages and OpenAPI
  std::string tag;       // OpenAPI group
  std::vector<FieldSpec> fields;
  Scope scope = Scope::kViaAccount;
  Deletion deletion = Deletion::kDelete;
  bool managers_only_delete = false;
  std::optional<db::FullTextIndex> search;  // enables ?q=
  bool timestamps = true;                   // created_at, updated_at, version columns
  bool changes_access = false;              // writes change who reaches what (users, territories)
  bool creatable = true;  // false: the capability registers its own POST (e.g. surveys)
  // Takes the company's custom fields (records/custom_fields.hpp) in a `custom` object, kept in
  // the table's `custom` column; lists filter by them (?custom.key=).
  bool custom_fields = false;

  // Extra body fields the hooks read (e.g. contact_ids), with a JSON Schema each for OpenAPI.
  std::vector<std::pair<std::string, std::string>> extra_body_fields;
  // Runs before the write: cross-field checks, derived columns.
  std::function<Status(WriteContext&)> before_write;
  // Runs after the write, in the same transaction (link tables).
  std::function<Status(db::Transaction&, const Caller&, Instant now, std::int64_t id,
                       const JsonValue& body, bool creating)>
      after_write;
  // Adds fields to the JSON of one record (e.g. contact_ids).
  std::function<Status(db::Transaction&, std::int64_t id, JsonWriter&)> extra_json;
  // The same for many records at once, so that a page of a list costs a few queries rather than
  // a few per record: for each id, the fields to add as (name, JSON text). Used instead of
  // extra_json when set (a single record is a list of one).
  using ExtraFields = std::vector<std::pair<std::string, std::string>>;
  std::function<Result<std::unordered_map<std::int64_t, ExtraFields>>(
      db::Transaction&, const std::vector<std::int64_t>& ids)>
      extra_json_many;
  // The fields extra_json always adds, with a JSON Schema each for OpenAPI.
  std::vector<std::pair<std::string, std::string>> extra_json_fields;

  std::string select_columns;  // filled by RegisterResource
};

// A declared record's fields as the API takes them (records/record.hpp), in its order.
std::vector<FieldSpec> FieldsOf(const records::Record& record);

// Field shorthands shared by the specs.
// A required, filterable reference ("account_id" -> accounts).
FieldSpec RequiredReference(std::string name, std::string table);
// Sets `column` to the caller's id on create when the body did not say (owner_id, user_id).
void DefaultToCaller(WriteContext& w, const std::string& column);
// Sets `column` to the server's time on create when the body did not say (an activity's
// occurred_at: a call logged as it ends happened now, by the server's clock, not the browser's).
void DefaultToNow(WriteContext& w, const std::string& column);
// Stamps created_at on create, for records without updated_at/version.
void StampCreatedAt(WriteContext& w);

// A record's contacts (activity_contacts, call_plan_contacts, ...): `link_table` holds
// (`link_column`, contact_id) for the records of `table`, which has an account_id. Immutable after
// construction; safe to share.
struct ContactLinks {
  std::string table;        // "activities"
  std::string link_table;   // "activity_contacts"
  std::string link_column;  // "activity_id"

  // after_write: replaces the links with the body's `contact_ids` (each a contact of the record's
  // account, named by index when not); when only account_id changed, drops contacts of the old one
  // (a record just `created` has none).
  Status Write(db::Transaction& tx, std::int64_t id, const JsonValue& body, bool created) const;
  // extra_json: "contact_ids": [...]
  Status WriteJson(db::Transaction& tx, std::int64_t id, JsonWriter& w) const;
  // Installs both hooks (and documents contact_ids) on `spec`.
  void InstallOn(ResourceSpec& spec) const;
};

// The services every route needs.
struct ApiContext {
  db::Database& database;
  const Clock& clock;
  AccessGeneration& access_generation;
  // Set when the server is stopping (readiness then answers 503); none in tools and tests.
  const std::atomic<bool>* draining = nullptr;
};

void RegisterResource(Router& router, ApiContext& context, ResourceSpec spec);

// An id in a JSON body (a string, see ParseId in http.hpp); kInvalidArgument naming `field`.
Result<std::int64_t> ParseIdValue(const JsonValue& value, std::string_view field);
std::string ETagOf(std::int64_t version);
// Query parameters of reports and lists, each error naming the parameter.
Error UnknownParameter(const std::string& key);
Result<int> ParseLimit(std::string_view value, int max);         // "limit": 1..max
Result<std::int64_t> ParseOffsetCursor(std::string_view value);  // "cursor" of offset paging
// A page of offset paging, read with LIMIT limit + 1 OFFSET offset: the members "items" (each
// row by `write`, at most `limit`) and "next_cursor" (null on the last page) of an open object.
void WriteOffsetPage(JsonWriter& w, const db::Rows& rows, int limit, std::int64_t offset,
                     const std::function<void(const db::Row&)>& write);
// Parses If-Match ("\"v3\"", or "*"); nullopt when absent or "*".
Result<std::optional<std::int64_t>> ExpectedVersion(const Request& request);

// The rows a record keeps beside it (a trial's mile markers, a board's members): the body's array
// `name`, each item checked against `fields` as a record's fields are (types, lengths, enums,
// dates, references in the caller's reach; required ones present; no unknown ones), problems
// named "name[i].field". nullopt when the body has no `name`.
Result<std::optional<std::vector<audit::FieldValues>>> ParseItems(
    db::Transaction& tx, const Caller& caller, const JsonValue& body, const std::string& name,
    const std::vector<FieldSpec>& fields, const std::string& singular);
// The value of `column` in parsed values; null when it was not given.
db::Value ValueOf(const audit::FieldValues& values, std::string_view column);

// The JSON Schema of a spec's record (for OpenAPI).
std::string RecordSchema(const ResourceSpec& spec, bool for_input);

}  // namespace rapport::api
