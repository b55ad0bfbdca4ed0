#include "audit/audit_log.hpp"

#include "audit/events.hpp"
#include "db/dialect.hpp"

namespace rapport::audit {
std::optional<std::string> AsText(const db::Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return std::nullopt;
  return db::Row({value}).Text(0);
}

namespace {

// The trail's row for a whole-record action, without its events.
Status WriteActionRow(db::Transaction& tx, const Actor& actor, std::string_view table,
                      std::int64_t record_id, std::string_view action) {
  return tx.Execute(
      "INSERT INTO audit_history (table_name, record_id, action, changed_by, changed_at) "
      "VALUES (?, ?, ?, ?, ?)",
      {std::string(table), record_id, std::string(action), db::OptionalInt(actor.user_id),
       actor.at});
}

}  // namespace

Status RecordAction(db::Transaction& tx, const Actor& actor, std::string_view table,
                    std::int64_t record_id, std::string_view action) {
  RAPPORT_RETURN_IF_ERROR(WriteActionRow(tx, actor, table, record_id, action));
  if (actor.bulk) return Ok();
  return PublishRecordEvents(tx, actor.at, actor.user_id, table, record_id, action, {});
}

Status RecordCreate(db::Transaction& tx, const Actor& actor, std::string_view table,
                    std::int64_t record_id) {
  return RecordAction(tx, actor, table, record_id, "create");
}

Result<int> UpdateAudited(db::Transaction& tx, const Actor& actor, std::string_view table,
                          std::int64_t id, std::optional<std::int64_t> expected_version,
                          const FieldValues& changes, bool versioned) {
  const std::string t(table);
  std::string columns = versioned ? "version" : "id";
  for (const auto& [column, value] : changes) columns += ", " + column;
  RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> current,
                           tx.QueryOne("SELECT " + columns + " FROM " + t + " WHERE id = ?" +
                                           db::LockRowSuffix(tx.backend()),
                                       {id}));
  if (!current) {
    return Error(ErrorCode::kNotFound, t + " " + std::to_string(id) + " does not exist");
  }
  if (versioned && expected_version && *expected_version != current->Int("version")) {
    return Error(ErrorCode::kStale, t + " " + std::to_string(id) +
                                        " was changed by someone else (version " +
                                        std::to_string(current->Int("version")) + ", expected " +
                                        std::to_string(*expected_version) + ")");
  }
  std::vector<db::Value> stored(current->cells().begin() + 1, current->cells().end());
  return WriteChanges(tx, actor, table, id, stored, changes, versioned);
}

Result<int> WriteChanges(db::Transaction& tx, const Actor& actor, std::string_view table,
                         std::int64_t id, const std::vector<db::Value>& current,
                         const FieldValues& changes, bool versioned) {
  const std::string t(table);
  std::string assignments;
  db::Params params;
  int changed = 0;
  std::vector<EventChange> told;
  for (size_t i = 0; i < changes.size(); ++i) {
    const auto& [column, value] = changes[i];
    const auto old_text = AsText(current.at(i));
    const auto new_text = AsText(value);
    if (old_text == new_text) continue;
    told.push_back({column, old_text, new_text});
    assignments += (assignments.empty() ? "" : ", ") + column + " = ?";
    params.push_back(value);
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO audit_history (table_name, record_id, action, field, old_value, new_value, "
        "changed_by, changed_at) VALUES (?, ?, 'update', ?, ?, ?, ?, ?)",
        {t, id, column, db::OptionalText(old_text), db::OptionalText(new_text),
         db::OptionalInt(actor.user_id), actor.at}));
    ++changed;
  }
  if (changed == 0) return 0;
  if (versioned) {
    assignments += ", updated_at = ?, version = version + 1";
    params.push_back(actor.at);
  }
  params.push_back(id);
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("UPDATE " + t + " SET " + assignments + " WHERE id = ?", params));
  if (!actor.bulk) {
    RAPPORT_RETURN_IF_ERROR(
        PublishRecordEvents(tx, actor.at, actor.user_id, table, id, "update", told));
  }
  return changed;
}

Status RecordFieldChange(db::Transaction& tx, const Actor& actor, std::string_view table,
                         std::int64_t id, std::string_view field,
                         const std::optional<std::string>& old_value,
                         const std::optional<std::string>& new_value) {
  RAPPORT_RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO audit_history (table_name, record_id, action, field, old_value, new_value, "
      "changed_by, changed_at) VALUES (?, ?, 'update', ?, ?, ?, ?, ?)",
      {std::string(table), id, std::string(field), db::OptionalText(old_value),
       db::OptionalText(new_value), db::OptionalInt(actor.user_id), actor.at}));
  if (actor.bulk) return Ok();
  return PublishRecordEvents(tx, actor.at, actor.user_id, table, id, "update",
                             {{std::string(field), old_value, new_value}});
}

Result<std::int64_t> InsertManyAudited(db::Transaction& tx, const Actor& actor,
                                       std::string_view table,
                                       const std::vector<std::string>& columns,
                                       std::vector<db::Params> rows, bool timestamps) {
  if (rows.empty()) return std::int64_t{0};
  const std::string t(table);
  RAPPORT_ASSIGN_OR_RETURN(const std::int64_t first,
                           tx.QueryInt("SELECT coalesce(max(id), 0) + 1 FROM " + t));
  std::vector<std::string> all = {"id"};
  all.insert(all.end(), columns.begin(), columns.end());
  if (timestamps) {
    all.push_back("created_at");
    all.push_back("updated_at");
  }
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<db::BulkLoader> loader, tx.Load(t, all));
  std::int64_t id = first;
  for (db::Params& row : rows) {
    row.insert(row.begin(), id++);
    if (timestamps) {
      row.push_back(actor.at);
      row.push_back(actor.at);
    }
    RAPPORT_RETURN_IF_ERROR(loader->Add(std::move(row)));
  }
  RAPPORT_RETURN_IF_ERROR(loader->Finish());
  RAPPORT_RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO audit_history (table_name, record_id, action, changed_by, changed_at) SELECT "
      "CAST(? AS text), id, 'create', CAST(? AS bigint), CAST(? AS bigint) FROM " +
          t + " WHERE id BETWEEN ? AND ?",
      {t, db::OptionalInt(actor.user_id), actor.at, first, id - 1}));
  RAPPORT_RETURN_IF_ERROR(db::ResetIdSequence(tx, t));
  return first;
}

Status RecordFieldChanges(db::Transaction& tx, const Actor& actor, std::string_view table,
                          const std::vector<FieldChange>& changes) {
  if (changes.empty()) return Ok();
  RAPPORT_ASSIGN_OR_RETURN(
      std::unique_ptr<db::BulkLoader> loader,
      tx.Load("audit_history", {"table_name", "record_id", "action", "field", "old_value",
                                "new_value", "changed_by", "changed_at"}));
  for (const FieldChange& c : changes) {
    RAPPORT_RETURN_IF_ERROR(
        loader->Add(db::Params{std::string(table), c.record_id, std::string("update"), c.field,
                               db::OptionalText(c.old_value), db::OptionalText(c.new_value),
                               db::OptionalInt(actor.user_id), actor.at}));
  }
  return loader->Finish();
}

Result<std::vector<HistoryEntry>> History(db::Transaction& tx, std::string_view table,
                                          std::int64_t record_id) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT id, table_name, record_id, action, field, old_value, new_value, changed_by, "
               "changed_at FROM audit_history WHERE table_name = ? AND record_id = ? ORDER BY id",
               {std::string(table), record_id}));
  std::vector<HistoryEntry> entries;
  entries.reserve(rows.size());
  for (const db::Row& r : rows) {
    entries.push_back(HistoryEntry{.id = r.Int("id"),
                                   .table_name = r.Text("table_name"),
                                   .record_id = r.Int("record_id"),
                                   .action = r.Text("action"),
                                   .field = r.OptText("field"),
                                   .old_value = r.OptText("old_value"),
                                   .new_value = r.OptText("new_value"),
                                   .changed_by = r.OptInt("changed_by"),
                                   .changed_at = r.Int("changed_at")});
  }
  return entries;
}

}  // namespace rapport::audit

namespace rapport::audit {

Result<std::int64_t> InsertAudited(db::Transaction& tx, const Actor& actor, std::string_view table,
                                   const FieldValues& values, bool timestamps) {
  std::string columns, marks;
  db::Params params;
  for (const auto& [column, value] : values) {
    columns += (columns.empty() ? "" : ", ") + column;
    marks += marks.empty() ? "?" : ", ?";
    params.push_back(value);
  }
  if (timestamps) {
    columns += ", created_at, updated_at";
    marks += ", ?, ?";
    params.push_back(actor.at);
    params.push_back(actor.at);
  }
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id,
                           tx.QueryInt("INSERT INTO " + std::string(table) + " (" + columns +
                                           ") VALUES (" + marks + ") RETURNING id",
                                       params));
  RAPPORT_RETURN_IF_ERROR(WriteActionRow(tx, actor, table, id, "create"));
  if (actor.bulk) return id;
  std::vector<EventChange> told;
  for (const auto& [column, value] : values) told.push_back({column, std::nullopt, AsText(value)});
  RAPPORT_RETURN_IF_ERROR(
      PublishRecordEvents(tx, actor.at, actor.user_id, table, id, "create", told));
  return id;
}

Status CheckReference(db::Transaction& tx, std::string_view table, std::int64_t id,
                      std::string_view field) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne("SELECT 1 FROM " + std::string(table) + " WHERE id = ?", {id}));
  if (!row) {
    return Error::InvalidField(
        std::string(field),
        "refers to " + std::string(table) + " " + std::to_string(id) + ", which does not exist");
  }
  return Ok();
}

}  // namespace rapport::audit
