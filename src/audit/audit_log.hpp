// The audit trail: who changed what, when, with old and new values, one row per changed field in
// audit_history. Written in the same transaction as the change it describes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "db/database.hpp"

namespace rapport::audit {

// Who is acting and when; passed to every command that changes records.
struct Actor {
  std::optional<std::int64_t> user_id;  // nullopt for the system (imports, demo, migrations)
  Instant at = 0;
  // A bulk load (an import's rows): its writes publish no events (audit/events.hpp); the import
  // publishes one "import.finished" instead.
  bool bulk = false;
};

struct HistoryEntry {
  std::int64_t id = 0;
  std::string table_name;
  std::int64_t record_id = 0;
  std::string action;  // create, update, delete, archive
  std::optional<std::string> field;
  std::optional<std::string> old_value;
  std::optional<std::string> new_value;
  std::optional<std::int64_t> changed_by;
  Instant changed_at = 0;
};

// A column and the value it should take.
using FieldValues = std::vector<std::pair<std::string, db::Value>>;

Status RecordCreate(db::Transaction& tx, const Actor& actor, std::string_view table,
                    std::int64_t record_id);
Status RecordAction(db::Transaction& tx, const Actor& actor, std::string_view table,
                    std::int64_t record_id, std::string_view action);

// Applies `changes` to the record `id` of `table` and records each field whose value really
// changes. When `expected_version` is given and differs from the stored one, changes nothing and
// returns kStale. Bumps `version` and sets `updated_at` when anything changed.
// REQUIRES: column names in `changes` come from code, never from user input.
// Returns the number of fields changed; kNotFound when there is no such record.
// `versioned` is false for tables without updated_at/version (then expected_version is ignored).
// The row is locked for the rest of the transaction (FOR UPDATE on PostgreSQL; SQLite has one
// writer), so two writers holding the same version cannot both succeed.
Result<int> UpdateAudited(db::Transaction& tx, const Actor& actor, std::string_view table,
                          std::int64_t id, std::optional<std::int64_t> expected_version,
                          const FieldValues& changes, bool versioned = true);

// The part of UpdateAudited after the read: `current` holds the stored values of the columns of
// `changes`, in order (read by the caller, locked on PostgreSQL); writes those that differ.
Result<int> WriteChanges(db::Transaction& tx, const Actor& actor, std::string_view table,
                         std::int64_t id, const std::vector<db::Value>& current,
                         const FieldValues& changes, bool versioned = true);

// Records that `field` of the record changed from `old_value` to `new_value` (nullopt: none),
// for a change written apart from UpdateAudited (a custom field, "custom.po_number").
Status RecordFieldChange(db::Transaction& tx, const Actor& actor, std::string_view table,
                         std::int64_t id, std::string_view field,
                         const std::optional<std::string>& old_value,
                         const std::optional<std::string>& new_value);

// A value as the trail writes it (nullopt for NULL); two values are the same when these are.
std::optional<std::string> AsText(const db::Value& value);

// Oldest first.
Result<std::vector<HistoryEntry>> History(db::Transaction& tx, std::string_view table,
                                          std::int64_t record_id);

}  // namespace rapport::audit

namespace rapport::audit {

// Inserts one record with the given columns (plus created_at/updated_at when `timestamps`) and
// records its creation. Returns the new id.
// REQUIRES: column names come from code, never from user input.
Result<std::int64_t> InsertAudited(db::Transaction& tx, const Actor& actor, std::string_view table,
                                   const FieldValues& values, bool timestamps = true);

// Inserts many records of `table` at once (a bulk load: COPY on PostgreSQL), each row giving
// `columns` in order (plus created_at/updated_at when `timestamps`), numbered from the table's
// highest id up, each with its creation in the audit trail. Returns the first new id (the rest
// follow in order); 0 when `rows` is empty. For imports, within their one transaction.
// REQUIRES: column names come from code, never from user input.
Result<std::int64_t> InsertManyAudited(db::Transaction& tx, const Actor& actor,
                                       std::string_view table,
                                       const std::vector<std::string>& columns,
                                       std::vector<db::Params> rows, bool timestamps = true);

// A field's change to record in the trail (RecordFieldChanges).
struct FieldChange {
  std::int64_t record_id = 0;
  std::string field;
  std::optional<std::string> old_value, new_value;
};
// RecordFieldChange for many at once, in one bulk load.
Status RecordFieldChanges(db::Transaction& tx, const Actor& actor, std::string_view table,
                          const std::vector<FieldChange>& changes);

// kInvalidArgument naming `field` when `table` has no row with this id.
Status CheckReference(db::Transaction& tx, std::string_view table, std::int64_t id,
                      std::string_view field);

}  // namespace rapport::audit
