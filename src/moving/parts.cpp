#include "moving/parts.hpp"

#include <algorithm>

#include "audit/audit_log.hpp"
#include "core/validation.hpp"
#include "imports/cells.hpp"

namespace rapport::moving {

std::optional<std::size_t> Header::Find(std::initializer_list<std::string_view> keys,
                                        std::string_view field,
                                        imports::ImportReport& report) const {
  for (std::string_view key : keys) {
    if (auto i = IndexOf(names, key)) {
      report.columns.emplace_back(std::string(field), names[*i]);
      return i;
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<ProfiledRecords>> OpenWithHeader(const BookFile& file, Source source,
                                                        Header& header) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records, OpenProfiled(file, source));
  RAPPORT_ASSIGN_OR_RETURN(bool any, records->Next(header.names));
  if (!any) return Error(ErrorCode::kMalformed, "the file is empty: it needs a header row");
  return records;
}

std::string Cell(const std::vector<std::string>& row, std::optional<std::size_t> i) {
  return i && *i < row.size() ? std::string(imports::Trim(row[*i])) : std::string();
}

std::vector<std::string> ListedKeys(std::string_view cell) {
  std::vector<std::string> keys;
  for (std::size_t from = 0; from <= cell.size();) {
    const std::size_t to = std::min(cell.find(';', from), cell.size());
    const std::string key(imports::Trim(cell.substr(from, to - from)));
    if (!key.empty()) keys.push_back(key);
    from = to + 1;
  }
  return keys;
}

void Reject(imports::ImportReport& report, std::int64_t line, const std::string& column,
            std::string problem) {
  ++report.rejected;
  if (report.rejections.size() < imports::kRejectionsKept) {
    report.rejections.push_back({line, column, std::move(problem)});
  }
}

void AddCheck(std::vector<BookCheck>& checks, const BookFile& file, std::string what,
              std::string expected, std::string found) {
  const bool ok = expected == found;
  checks.push_back({file.name, std::move(what), std::move(expected), std::move(found), ok});
}

std::size_t ColumnOf(const db::Rows& rows, std::string_view column) {
  return rows.empty() ? 0 : rows.front().IndexOf(column);
}

Result<std::unordered_map<std::string, Known>> KnownByExternalId(db::Transaction& tx,
                                                                 const std::string& table) {
  const bool deals = table == "opportunities";
  // An account is its own account.
  const std::string account = table == "accounts" ? "id" : "account_id";
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query("SELECT external_id, id, " + account + " AS account_id" +
                                    std::string(deals ? ", currency" : "") + " FROM " + table +
                                    " WHERE external_id IS NOT NULL"));
  // Up to a row per record of the book: each column's place is looked up once.
  const std::size_t external_id = ColumnOf(rows, "external_id"), id = ColumnOf(rows, "id"),
                    account_id = ColumnOf(rows, "account_id"),
                    currency = deals ? ColumnOf(rows, "currency") : 0;
  std::unordered_map<std::string, Known> known;
  for (const db::Row& r : rows) {
    known[r.Text(external_id)] = {r.Int(id), r.Int(account_id),
                                  deals ? r.Text(currency) : std::string()};
  }
  return known;
}

Result<std::unordered_map<std::string, StoredRecord>> StoredByExternalId(
    db::Transaction& tx, const std::string& table, std::span<const StoredField> fields) {
  std::string sql = "SELECT external_id, id";
  for (const StoredField& field : fields) sql += std::string(", ") + field.column;
  RAPPORT_ASSIGN_OR_RETURN(db::Rows stored,
                           tx.Query(sql + " FROM " + table + " WHERE external_id IS NOT NULL"));
  // Up to a row per record of the book: each column's place is looked up once.
  const std::size_t external_id = ColumnOf(stored, "external_id"), id = ColumnOf(stored, "id");
  std::vector<std::size_t> at;
  for (const StoredField& field : fields) at.push_back(ColumnOf(stored, field.column));
  std::unordered_map<std::string, StoredRecord> records;
  for (const db::Row& r : stored) {
    std::vector<db::Value> values;
    for (std::size_t i = 0; i < at.size(); ++i) {
      const std::size_t c = at[i];
      values.push_back(r.IsNull(c)      ? db::Null()
                       : fields[i].text ? db::Value(r.Text(c))
                                        : db::Value(r.Int(c)));
    }
    records[r.Text(external_id)] = {r.Int(id), std::move(values)};
  }
  return records;
}

Status RecordWriter::Write(const std::string& key, const audit::FieldValues& values) {
  if (auto it = existing_.find(key); it != existing_.end()) {
    RAPPORT_ASSIGN_OR_RETURN(int changed,
                             audit::WriteChanges(context_.tx, context_.actor, table_, it->second.id,
                                                 it->second.values, values));
    ++(changed > 0 ? report_.updated : report_.unchanged);
    return Ok();
  }
  if (!queued_keys_.insert(key).second) {
    ++report_.unchanged;  // the same id twice in the file: the first is taken
    return Ok();
  }
  db::Params created;
  for (const auto& [column, value] : values) created.push_back(value);
  created.push_back(key);
  queued_.push_back(std::move(created));
  ++report_.created;
  return Ok();
}

Status RecordWriter::Finish() {
  if (report_.rejected > 0 || queued_.empty()) return Ok();
  std::vector<std::string> columns;
  for (const StoredField& field : fields_) columns.emplace_back(field.column);
  columns.emplace_back("external_id");
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t first,
      audit::InsertManyAudited(context_.tx, context_.actor, table_, columns, std::move(queued_)));
  (void)first;
  queued_.clear();
  return Ok();
}

Result<std::int64_t> CountWritten(db::Transaction& tx, const std::string& table,
                                  const std::set<std::string>& keys, const std::string& condition) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows written,
                           tx.Query("SELECT external_id FROM " + table +
                                    " WHERE external_id IS NOT NULL AND " + condition));
  std::int64_t found = 0;
  const std::size_t external_id = ColumnOf(written, "external_id");  // looked up once
  for (const db::Row& r : written) found += keys.count(r.Text(external_id));
  return found;
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

Result<BookUsers> LoadBookUsers(db::Transaction& tx) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query("SELECT email, name, id, status FROM users"));
  BookUsers users;
  for (const db::Row& r : rows) {
    users.by_email[Lowercase(r.Text("email"))] = r.Int("id");
    // A name is matched among those still here (nothing is given to someone who has left).
    if (r.Text("status") == "left") continue;
    auto [it, inserted] = users.by_name.emplace(Lowercase(r.Text("name")), r.Int("id"));
    if (!inserted) it->second = -1;
  }
  return users;
}

std::optional<std::int64_t> OwnerOf(const RelationContext& context, const BookUsers& users,
                                    const std::string& owner_key) {
  if (context.user_keys) {
    if (auto k = context.user_keys->find(owner_key); k != context.user_keys->end()) {
      return k->second;
    }
  }
  if (auto e = users.by_email.find(Lowercase(owner_key)); e != users.by_email.end()) {
    return e->second;
  }
  if (auto n = users.by_name.find(Lowercase(owner_key));
      n != users.by_name.end() && n->second > 0) {
    return n->second;
  }
  return std::nullopt;
}

}  // namespace rapport::moving
