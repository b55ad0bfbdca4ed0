#include "imports/importer.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "api/csv.hpp"
#include "api/custom_values.hpp"
#include "audit/events.hpp"
#include "core/clock.hpp"
#include "core/validation.hpp"
#include "db/dialect.hpp"
#include "db/migrations.hpp"
#include "imports/cells.hpp"
#include "records/countries.hpp"

namespace rapport::imports {
namespace {

std::string Quoted(std::string_view text) {
  std::string shown(text.substr(0, 60));
  if (text.size() > 60) shown += "...";
  return "'" + shown + "'";
}

// One mapped column of the file.
struct Column {
  std::size_t index = 0;  // in the file's records
  std::string header;     // as the file writes it
  const Field* field = nullptr;
};

// A cell as read: empty, a value, refused, or naming a record (by external id) that is looked up
// with the rest of its batch.
enum class Cell { kEmpty, kValue, kBad, kLookup };

constexpr std::size_t kBatchRows = 1000;

// The external ids of this file: the line each is on, and the record it was written to (0 for
// a rejected row).
struct Seen {
  std::int64_t line = 0;
  std::int64_t id = 0;
};

// A row read and checked, waiting for its batch's lookups.
struct CheckedRow {
  std::int64_t line = 0;
  std::vector<db::Value> values;  // per spec field
  std::vector<Cell> cells;        // per spec field
  std::optional<std::int64_t> rapport_id;
  Seen* seen = nullptr;  // its external id's entry (stays valid: unordered_map never moves them)
  std::int64_t created_id = 0;  // the record Create wrote it as (0 when none)
};

// The rows of the file that passed their checks, up to the line read so far.
struct CheckedBatch {
  std::vector<CheckedRow> rows;
  std::int64_t rows_read = 0;    // the file's rows read so far
  std::uint64_t bytes_read = 0;  // and its bytes
};

// What one thread records of rejected rows. Rows are checked on one thread and written on
// another (see CheckedBatches); each keeps its own, merged when the import ends.
struct Tally {
  int in_row = 0;                     // rejections of the row at hand
  std::int64_t rows = 0;              // rows rejected
  std::vector<Rejection> rejections;  // the first kRejectionsKept

  void Reject(std::int64_t line, std::string column, std::string problem) {
    ++in_row;
    if (rejections.size() < kRejectionsKept) {
      rejections.push_back({line, std::move(column), std::move(problem)});
    }
  }
};

class Importer {
 public:
  Importer(db::Transaction& tx, const RecordSpec& spec, const ImportOptions& options,
           std::int64_t import_id, ImportReport& report, std::vector<Column> columns,
           std::size_t width, std::optional<std::size_t> rapport_id_index)
      : tx_(tx),
        spec_(spec),
        options_(options),
        actor_{options.actor.user_id, options.actor.at, /*bulk=*/true},
        import_id_(import_id),
        report_(report),
        columns_(std::move(columns)),
        width_(width),
        rapport_id_index_(rapport_id_index) {}

  Status Prepare();
  // Checks one record of the file (on the reading thread): true when it goes on to be written.
  bool Check(const std::vector<std::string>& cells, std::int64_t line, CheckedRow& row);
  // Looks up what a batch of checked rows names, then writes them (on the writing thread).
  Status Write(std::vector<CheckedRow>& batch);
  // The full-text index built apart, if there is one (see db::FullTextBuild), on the reading
  // thread, which owns a batch again once written; the index is its alone until Finish.
  // Keeps what the index takes of the records a written batch created (their ids and texts, a
  // fraction of the batch), for IndexKept.
  void KeepForFullText(const std::vector<CheckedRow>& rows);
  // Adds the records kept to the index; returns early once `stop` is set.
  void IndexKept(const std::atomic<bool>& stop);
  // Once every batch is written and the file read to its end: the references to rows of the same
  // file, the indexes, and the report's counts and rejections. `reader_done` waits for the reading
  // thread to finish with the written batches.
  Status Finish(std::int64_t rows_read, const std::function<void()>& reader_done);
  // The report's rows read and rejections so far (Finish calls it; so does an import that stops
  // early, once the reading thread has stopped).
  void Count(std::int64_t rows_read);
  // Once finished, what it still holds in quantity (the file's external ids, the full-text index
  // built apart), for freeing while the transaction commits (of 1M accounts, 0.4 s).
  std::vector<std::shared_ptr<void>> Leftovers();

 private:
  struct Deferred {
    std::int64_t record_id;
    std::int64_t line;
    const Column* column;
    std::string external_id;
    bool created;
    bool counted_unchanged;
  };
  struct UserEntry {
    std::int64_t id;
    bool left;
  };
  // A row of the batch that is a stored record, and that record.
  struct Update {
    CheckedRow* row;
    std::int64_t id;
  };
  using Found = std::unordered_map<std::string, std::optional<std::int64_t>>;

  // A cell of `column` at `line` into `out`; a bad one is rejected (and kBad returned).
  Cell Read(const Column& column, std::string_view raw, std::int64_t line, db::Value& out);
  // The same for a reference (a user by email or name, a territory, ...) and for a value.
  Cell ReadReference(const Column& column, std::string_view raw, std::int64_t line, db::Value& out);
  Cell ReadValue(const Column& column, std::string_view raw, std::int64_t line, db::Value& out);
  Cell ReadCustom(const Column& column, std::string_view raw, std::int64_t line, db::Value& out);
  // The row's custom field values (key -> JSON text; nullopt for an empty cell), and them as the
  // `custom` of a new record.
  std::vector<std::pair<std::string, std::optional<std::string>>> CustomValues(
      const CheckedRow& row) const;
  db::Value CustomJson(const CheckedRow& row) const;
  std::optional<std::int64_t> Named(Ref ref, const std::string& key) const;
  Result<std::optional<std::int64_t>> FindByExternalId(std::string_view table,
                                                       const std::string& key);
  // Looks up many external ids (or "#id"s) of `table` at once into `into`.
  Status FindAll(std::string_view table, std::vector<std::string> keys,
                 std::unordered_map<std::string, std::optional<std::int64_t>>& into);
  Status Create(CheckedRow& row);
  // Prepare's steps.
  Status PrepareBulkLoad();
  Status LoadNames();
  void PlanColumns();
  // Write's steps: the records a batch names in other tables (found_), each row's found or
  // rejected; the records the batch's rows are (`mine`), a row's among them (or a rejection);
  // the updates, each against its stored row (how many fields changed).
  Status FindNamedRecords(const std::vector<CheckedRow>& batch);
  void ResolveNamedRecords(CheckedRow& row);
  Status FindRowsRecords(const std::vector<CheckedRow>& batch, Found& mine);
  std::optional<std::int64_t> RecordOfRow(const CheckedRow& row, const Found& mine);
  Status WriteUpdates(const std::vector<Update>& updates);
  Result<int> WriteUpdate(const Update& u, const db::Row& now);
  void Defer(const CheckedRow& row, std::int64_t record_id, bool created, bool unchanged);
  Status Flush();

  db::Transaction& tx_;
  const RecordSpec& spec_;
  const ImportOptions& options_;
  // options_.actor as a bulk load: its updates publish no events (import.finished tells).
  audit::Actor actor_;
  std::int64_t import_id_;
  ImportReport& report_;
  std::vector<Column> columns_;
  std::size_t width_;
  std::optional<std::size_t> rapport_id_index_;
  Tally checked_;  // the reading thread's (Check, Read)
  Tally written_;  // the writing thread's (Write, Finish)

  bool table_was_empty_ = false;
  std::vector<std::string> restore_indexes_;
  // The table's full-text index, when built apart (see db::FullTextBuild): the spec field giving
  // each of its columns, the first error of the reading thread that builds it, and the records
  // kept for it (ids; their texts one after the other, where each ends or kNullText).
  std::unique_ptr<db::FullTextBuild> full_text_;
  struct FullTextSource {
    std::size_t field;         // in spec_.fields
    bool lead_marker = false;  // the index's marker of the field (db::SqliteLeadMarkerText)
  };
  std::vector<FullTextSource> full_text_fields_;
  Status full_text_status_ = Ok();
  static constexpr std::size_t kNullText = std::numeric_limits<std::size_t>::max();
  std::vector<std::int64_t> kept_ids_;
  std::vector<std::size_t> kept_ends_;
  std::string kept_texts_;
  std::int64_t next_id_ = 1;
  std::vector<std::string> insert_columns_;
  std::vector<std::size_t> insert_field_;  // spec field index per insert column (or npos)
  std::vector<db::Params> pending_;
  std::vector<std::int64_t> pending_ids_;
  std::vector<const Column*> column_of_field_;  // the file column giving each field, or null
  std::vector<std::size_t> compared_;           // the fields an update compares and writes
  std::vector<std::size_t> custom_fields_;      // the custom fields the file gives
  // insert_field_'s mark for the custom column.
  static constexpr std::size_t kCustomColumn = std::numeric_limits<std::size_t>::max() - 1;
  std::unordered_map<std::string, Seen> seen_;  // the reading thread's until it stops
  std::vector<Deferred> deferred_;
  std::unordered_map<std::string, UserEntry> users_by_email_;
  std::unordered_map<std::string, std::int64_t> users_by_name_;  // -1: more than one
  std::unordered_map<std::string, std::int64_t> territories_, distributors_, products_;
  std::unordered_map<std::string, std::optional<std::int64_t>> found_[3];  // account/contact/deal
  // What a row without a field's cell gets: the field's fallback, the company's currency for a
  // currency (filled by Prepare).
  std::vector<db::Value> fallbacks_;
};

Status Importer::Prepare() {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> company,
      tx_.QueryOne("SELECT currency FROM company_settings ORDER BY id LIMIT 1"));
  for (const Field& f : spec_.fields) {
    const bool currency =
        f.kind == Kind::kCurrency && company && std::holds_alternative<std::string>(f.fallback);
    fallbacks_.push_back(currency ? db::Value(company->Text("currency")) : f.fallback);
  }
  RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> any,
                           tx_.QueryOne("SELECT id FROM " + spec_.table + " LIMIT 1"));
  table_was_empty_ = !any.has_value();
  RAPPORT_ASSIGN_OR_RETURN(next_id_,
                           tx_.QueryInt("SELECT coalesce(max(id), 0) + 1 FROM " + spec_.table));
  if (table_was_empty_) RAPPORT_RETURN_IF_ERROR(PrepareBulkLoad());
  RAPPORT_RETURN_IF_ERROR(LoadNames());
  PlanColumns();
  return Ok();
}

// An empty table is filled fastest without its indexes, rebuilt once at the end.
Status Importer::PrepareBulkLoad() {
  RAPPORT_RETURN_IF_ERROR(db::TuneForBulkLoad(tx_));
  // Its full-text index is built apart from the rows written, on the reading thread, while
  // this one writes and builds the other indexes (SQLite); each of its columns must be a text
  // field of the file.
  RAPPORT_ASSIGN_OR_RETURN(full_text_, tx_.BuildFullTextApart(spec_.table));
  const db::FullTextIndex* index = nullptr;
  for (const db::FullTextIndex& i : db::SearchIndexes()) {
    if (i.table == spec_.table) index = &i;
  }
  for (std::size_t k = 0; full_text_ && k < full_text_->columns().size(); ++k) {
    const bool lead_marker =
        index && !index->lead.empty() && full_text_->columns()[k] == db::LeadMarkerColumn(*index);
    const std::string& column = lead_marker ? index->lead : full_text_->columns()[k];
    auto field = std::find_if(spec_.fields.begin(), spec_.fields.end(), [&](const Field& f) {
      return f.column == column && f.ref == Ref::kNone &&
             (f.kind == Kind::kText || f.kind == Kind::kEmail || f.kind == Kind::kEnum) &&
             !std::holds_alternative<std::int64_t>(f.fallback);
    });
    if (field == spec_.fields.end()) {
      full_text_.reset();
    } else {
      full_text_fields_.push_back(
          {static_cast<std::size_t>(field - spec_.fields.begin()), lead_marker});
    }
  }
  RAPPORT_ASSIGN_OR_RETURN(restore_indexes_,
                           db::SuspendIndexes(tx_, {spec_.table},
                                              full_text_ ? db::FullTextIndexes::kBuiltApart
                                                         : db::FullTextIndexes::kRebuild));
  return Ok();
}

// The users, territories, distributors and products the file's columns may name.
Status Importer::LoadNames() {
  auto needs = [&](Ref ref) {
    for (const Column& c : columns_) {
      if (c.field->ref == ref) return true;
      if (ref == Ref::kUser && c.field->custom && c.field->custom->type == "user") return true;
    }
    return false;
  };
  if (needs(Ref::kUser)) {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx_.Query("SELECT id, email, name, status FROM users"));
    for (const db::Row& r : rows) {
      users_by_email_[Lowercase(r.Text("email"))] = {r.Int("id"), r.Text("status") == "left"};
      auto [it, inserted] = users_by_name_.emplace(Lowercase(r.Text("name")), r.Int("id"));
      if (!inserted) it->second = -1;
    }
  }
  auto load = [&](Ref ref, const char* sql, std::unordered_map<std::string, std::int64_t>& into,
                  bool lower) -> Status {
    if (!needs(ref)) return Ok();
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx_.Query(sql));
    for (const db::Row& r : rows) {
      const std::string key = r.Text("lookup_key");
      into[lower ? Lowercase(key) : key] = r.Int("id");
    }
    return Ok();
  };
  RAPPORT_RETURN_IF_ERROR(
      load(Ref::kTerritory, "SELECT id, name AS lookup_key FROM territories", territories_, true));
  RAPPORT_RETURN_IF_ERROR(load(Ref::kDistributor, "SELECT id, name AS lookup_key FROM distributors",
                               distributors_, true));
  RAPPORT_RETURN_IF_ERROR(
      load(Ref::kProduct, "SELECT id, sku AS lookup_key FROM products", products_, false));
  return Ok();
}

// The columns a new record's INSERT gives, and the fields an update compares.
void Importer::PlanColumns() {
  insert_columns_.push_back("id");
  insert_field_.push_back(std::string::npos);
  for (std::size_t i = 0; i < spec_.fields.size(); ++i) {
    if (spec_.fields[i].kind == Kind::kCustom) continue;
    insert_columns_.push_back(spec_.fields[i].column);
    insert_field_.push_back(i);
  }
  // The custom fields the file gives, all in the one column.
  for (const Column& column : columns_) {
    if (column.field->kind == Kind::kCustom) {
      custom_fields_.push_back(static_cast<std::size_t>(column.field - spec_.fields.data()));
    }
  }
  if (!custom_fields_.empty()) {
    insert_columns_.push_back("custom");
    insert_field_.push_back(kCustomColumn);
  }
  insert_columns_.push_back("created_at");
  insert_field_.push_back(std::string::npos);
  if (spec_.versioned) {
    insert_columns_.push_back("updated_at");
    insert_field_.push_back(std::string::npos);
  }
  column_of_field_.assign(spec_.fields.size(), nullptr);
  for (const Column& column : columns_) {
    const std::size_t i = static_cast<std::size_t>(column.field - spec_.fields.data());
    column_of_field_[i] = &column;
    // The key a record is found by is not rewritten (unless it was found by rapport_id).
    if (!column.field->self_reference && column.field->kind != Kind::kCustom &&
        (i != 0 || rapport_id_index_)) {
      compared_.push_back(i);
    }
  }
}

Result<std::optional<std::int64_t>> Importer::FindByExternalId(std::string_view table,
                                                               const std::string& key) {
  // "#42" names record 42 itself (an export writes that for a record without an external id).
  if (key.size() > 1 && key[0] == '#' && AllDigits(std::string_view(key).substr(1)) &&
      key.size() < 19) {
    RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                             tx_.QueryOne("SELECT id FROM " + std::string(table) + " WHERE id = ?",
                                          {std::stoll(key.substr(1))}));
    if (!row) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(row->Int(0));
  }
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx_.QueryOne("SELECT id FROM " + std::string(table) + " WHERE external_id = ?", {key}));
  if (!row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(row->Int(0));
}

// A record named in a cell, from what is already known (reference data loaded at the start,
// external ids looked up so far); nullopt when unknown.
std::optional<std::int64_t> Importer::Named(Ref ref, const std::string& key) const {
  auto in = [&](const std::unordered_map<std::string, std::int64_t>& map,
                const std::string& k) -> std::optional<std::int64_t> {
    auto it = map.find(k);
    if (it == map.end()) return std::nullopt;
    return it->second;
  };
  switch (ref) {
    case Ref::kTerritory:
      return in(territories_, Lowercase(key));
    case Ref::kDistributor:
      return in(distributors_, Lowercase(key));
    case Ref::kProduct:
      return in(products_, key);
    default:
      return std::nullopt;
  }
}

int SlotOf(Ref ref) { return ref == Ref::kAccount ? 0 : ref == Ref::kContact ? 1 : 2; }
const char* TableOf(Ref ref) {
  return ref == Ref::kAccount ? "accounts" : ref == Ref::kContact ? "contacts" : "opportunities";
}

Status Importer::FindAll(std::string_view table, std::vector<std::string> keys,
                         std::unordered_map<std::string, std::optional<std::int64_t>>& into) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<std::string> plain;
  for (std::string& key : keys) {
    if (into.count(key)) continue;
    if (key.starts_with("#")) {
      RAPPORT_ASSIGN_OR_RETURN(into[key], FindByExternalId(table, key));
    } else {
      plain.push_back(std::move(key));
    }
  }
  constexpr std::size_t kPerQuery = 500;
  for (std::size_t from = 0; from < plain.size(); from += kPerQuery) {
    const std::size_t to = std::min(plain.size(), from + kPerQuery);
    std::string sql =
        "SELECT external_id, id FROM " + std::string(table) + " WHERE external_id IN (";
    db::Params params;
    for (std::size_t k = from; k < to; ++k) {
      sql += k == from ? "?" : ", ?";
      params.push_back(plain[k]);
      into[plain[k]] = std::nullopt;
    }
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx_.Query(sql + ")", params));
    for (const db::Row& r : rows) into[r.Text("external_id")] = r.Int("id");
  }
  return Ok();
}

// Reads one cell into `out`. Rejections are recorded; kBad says the row cannot be written;
// kLookup leaves the external id in `out` for the batch to look up.
Cell Importer::Read(const Column& column, std::string_view raw, std::int64_t line, db::Value& out) {
  raw = Trim(raw);
  if (raw.empty()) return Cell::kEmpty;
  // An export writes "'+44 20 ..." for "+44 20 ..." so that no spreadsheet runs it as a formula
  // (api/csv.hpp); the mark is not part of the value, here as in a spreadsheet.
  if (raw.size() > 1 && raw[0] == '\'' &&
      (raw[1] == '=' || raw[1] == '+' || raw[1] == '-' || raw[1] == '@')) {
    raw.remove_prefix(1);
  }
  return column.field->ref != Ref::kNone ? ReadReference(column, raw, line, out)
                                         : ReadValue(column, raw, line, out);
}

// A custom field's cell as the JSON text of its value (api/custom_values.hpp): what the API
// would take, read as people write it in a spreadsheet.
// What is wrong with a cell, said after it ("'abc' is not a number"), or nothing when it reads.
using Problem = std::optional<std::string>;

std::string AsJson(const std::function<void(api::JsonWriter&)>& write) {
  api::JsonWriter w;
  write(w);
  return w.Take();
}

// Yes or no, in the words files use, as `yes` or `no`.
Problem ReadYesNo(std::string_view raw, db::Value yes, db::Value no, db::Value& out) {
  const std::string v = Lowercase(raw);
  if (v == "1" || v == "true" || v == "yes" || v == "y") {
    out = std::move(yes);
  } else if (v == "0" || v == "false" || v == "no" || v == "n") {
    out = std::move(no);
  } else {
    return "is not yes or no";
  }
  return std::nullopt;
}

// The option a cell names, by its value or its label, in any case and spacing.
const records::CustomFieldOption* OptionNamed(const records::CustomField& f,
                                              std::string_view text) {
  const std::string key = NormalizeHeader(text);
  for (const auto& o : f.options) {
    if (NormalizeHeader(o.value) == key || NormalizeHeader(o.label) == key) return &o;
  }
  return nullptr;
}

std::string NotAnOffered(const records::CustomField& f) {
  std::string offered;
  for (const auto& o : f.options) {
    if (!o.retired) offered += (offered.empty() ? "" : ", ") + o.label;
  }
  return "is not one of: " + offered;
}

bool InCustomRange(const records::CustomField& f, double n) {
  return (!f.min_value || n >= static_cast<double>(*f.min_value)) &&
         (!f.max_value || n <= static_cast<double>(*f.max_value));
}

std::string CustomRange(const records::CustomField& f) {
  return "is out of range (" + (f.min_value ? std::to_string(*f.min_value) : std::string("any")) +
         " to " + (f.max_value ? std::to_string(*f.max_value) : std::string("any")) + ")";
}

Problem ReadCustomNumber(const records::CustomField& f, std::string_view raw, db::Value& out) {
  std::string digits;
  for (char c : raw) {
    if (c != ',') digits += c;
  }
  double n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(n)) {
    return "is not a number";
  }
  if (!InCustomRange(f, n)) return CustomRange(f);
  out = AsJson([&](api::JsonWriter& w) {
    if (n == std::trunc(n) && std::abs(n) < 1e15) {
      w.Int(static_cast<std::int64_t>(n));
    } else {
      w.Double(n);
    }
  });
  return std::nullopt;
}

// Salesforce and HubSpot write a multi-select's values separated by semicolons.
Problem ReadMultiPicklist(const records::CustomField& f, std::string_view raw, db::Value& out) {
  std::vector<std::string> values;
  std::size_t from = 0;
  while (from <= raw.size()) {
    const std::size_t to = std::min(raw.find(';', from), raw.size());
    const std::string_view part = Trim(raw.substr(from, to - from));
    from = to + 1;
    if (part.empty()) continue;
    const auto* o = OptionNamed(f, part);
    if (!o) return NotAnOffered(f);
    if (std::find(values.begin(), values.end(), o->value) == values.end()) {
      values.push_back(o->value);
    }
  }
  out = AsJson([&](api::JsonWriter& w) {
    w.StartArray();
    for (const auto& v : values) w.String(v);
    w.EndArray();
  });
  return std::nullopt;
}

// A custom field's cell, as the JSON its record keeps, for every type but a lookup to a user.
Problem ReadCustomValue(const records::CustomField& f, std::string_view raw, db::Value& out) {
  const std::string& type = f.type;
  if (type == "text" || type == "long_text") {
    if (Utf8Characters(raw) > static_cast<std::size_t>(f.MaxLength())) {
      return "is longer than " + std::to_string(f.MaxLength()) + " characters";
    }
    if (type == "text" && raw.find('\n') != std::string_view::npos) return "is more than one line";
    out = AsJson([&](api::JsonWriter& w) { w.String(raw); });
  } else if (type == "number") {
    return ReadCustomNumber(f, raw, out);
  } else if (type == "money") {
    std::int64_t minor = 0;
    if (!ParseMoney(raw, minor)) return "is not an amount (like 1234.50)";
    if (!InCustomRange(f, static_cast<double>(minor))) return CustomRange(f) + " in minor units";
    out = std::to_string(minor);
  } else if (type == "date") {
    std::string date;
    if (!ParseDateCell(raw, date)) return "is not a date (write it YYYY-MM-DD)";
    out = AsJson([&](api::JsonWriter& w) { w.String(date); });
  } else if (type == "checkbox") {
    return ReadYesNo(raw, std::string("true"), std::string("false"), out);
  } else if (type == "picklist") {
    const auto* o = OptionNamed(f, raw);
    if (!o) return NotAnOffered(f);
    out = AsJson([&](api::JsonWriter& w) { w.String(o->value); });
  } else if (type == "multi_picklist") {
    return ReadMultiPicklist(f, raw, out);
  } else {
    return "is a kind of custom field files do not carry yet";
  }
  return std::nullopt;
}

Cell Importer::ReadCustom(const Column& column, std::string_view raw, std::int64_t line,
                          db::Value& out) {
  Problem problem;
  if (column.field->custom->type == "user") {
    const std::string lower = Lowercase(raw);
    std::int64_t id = 0;
    if (auto e = users_by_email_.find(lower); e != users_by_email_.end()) {
      id = e->second.id;
    } else if (auto n = users_by_name_.find(lower); n != users_by_name_.end() && n->second > 0) {
      id = n->second;
    } else {
      problem = "is not the email or the name of one user";
    }
    if (!problem) out = AsJson([&](api::JsonWriter& w) { w.String(std::to_string(id)); });
  } else {
    problem = ReadCustomValue(*column.field->custom, raw, out);
  }
  if (problem) {
    checked_.Reject(line, column.header, Quoted(raw) + " " + *problem);
    return Cell::kBad;
  }
  return Cell::kValue;
}

Cell Importer::ReadReference(const Column& column, std::string_view raw, std::int64_t line,
                             db::Value& out) {
  const Field& f = *column.field;
  auto bad = [&](std::string problem) {
    checked_.Reject(line, column.header, Quoted(raw) + " " + problem);
    return Cell::kBad;
  };
  const std::string key(raw);
  if (f.self_reference) {
    out = key;  // resolved once all rows are in
    return Cell::kValue;
  }
  if (f.ref == Ref::kUser) {
    if (options_.user_keys) {
      auto known = options_.user_keys->find(key);
      if (known != options_.user_keys->end()) {
        out = known->second;
        return Cell::kValue;
      }
    }
    const std::string lower = Lowercase(raw);
    if (lower.find('@') != std::string::npos) {
      auto it = users_by_email_.find(lower);
      if (it == users_by_email_.end()) return bad("is not the email of a user");
      if (it->second.left && f.column == "owner_id") {
        return bad("has left: name who holds it now");
      }
      out = it->second.id;
      return Cell::kValue;
    }
    auto it = users_by_name_.find(lower);
    if (it == users_by_name_.end()) return bad("is not the name or email of a user");
    if (it->second < 0) return bad("is the name of more than one user: use the email");
    out = it->second;
    return Cell::kValue;
  }
  if (f.ref == Ref::kAccount || f.ref == Ref::kContact || f.ref == Ref::kOpportunity) {
    out = key;  // looked up by the writing thread, with the rest of its batch
    return Cell::kLookup;
  }
  const std::optional<std::int64_t> id = Named(f.ref, key);
  if (!id) {
    switch (f.ref) {
      case Ref::kTerritory:
        return bad("is not the name of a territory");
      case Ref::kDistributor:
        return bad("is not the name of a distributor");
      default:
        return bad("is not the SKU of a product");
    }
  }
  out = *id;
  return Cell::kValue;
}

Problem ReadInteger(const Field& f, std::string_view raw, db::Value& out) {
  std::int64_t n = 0;
  if (!ParseInteger(raw, n)) return "is not a whole number";
  if (n < f.min || (f.max > 0 && n > f.max)) {
    return "is out of range (" + std::to_string(f.min) + " to " +
           (f.max > 0 ? std::to_string(f.max) : "any") + ")";
  }
  out = n;
  return std::nullopt;
}

Problem ReadPercent(std::string_view raw, db::Value& out) {
  std::string_view v = raw;
  if (v.ends_with('%')) v = Trim(v.substr(0, v.size() - 1));
  std::int64_t minor = 0;
  if (!ParseMoney(v, minor)) return "is not a percentage";
  const std::int64_t n = (minor + 50) / 100;
  if (n < 0 || n > 100) return "is not between 0 and 100";
  out = n;
  return std::nullopt;
}

// A month, YYYY-MM, or any day in it.
Problem ReadPeriod(std::string_view raw, db::Value& out) {
  std::string date;
  if (raw.size() == 7 && ParseDateCell(std::string(raw) + "-01", date)) {
    out = std::string(raw);
    return std::nullopt;
  }
  if (!ParseDateCell(raw, date)) return "is not a month (YYYY-MM)";
  out = date.substr(0, 7);
  return std::nullopt;
}

// One of the field's values, or a name other systems give it, in any case and spacing.
Problem ReadEnum(const Field& f, std::string_view raw, db::Value& out) {
  const std::string key = NormalizeHeader(raw);
  for (const std::string& value : f.values) {
    if (NormalizeHeader(value) == key) {
      out = value;
      return std::nullopt;
    }
  }
  for (const auto& [alias, value] : f.value_aliases) {
    if (alias == key) {
      out = value;
      return std::nullopt;
    }
  }
  std::string allowed;
  for (const std::string& value : f.values) allowed += (allowed.empty() ? "" : ", ") + value;
  return "is not one of: " + allowed;
}

Problem ReadCurrency(std::string_view raw, db::Value& out) {
  if (raw.size() != 3) return "is not a currency code (like GBP)";
  std::string code;
  for (unsigned char c : raw) {
    if (!std::isalpha(c)) return "is not a currency code (like GBP)";
    code.push_back(static_cast<char>(std::toupper(c)));
  }
  out = code;
  return std::nullopt;
}

// A built-in field's cell (not text, which its caller measures, nor a custom field's).
Problem ReadBuiltIn(const Field& f, std::string_view raw, db::Value& out) {
  switch (f.kind) {
    case Kind::kText:
      out = std::string(raw);
      return std::nullopt;
    case Kind::kEmail:
      if (raw.size() > 254 || !IsValidEmail(raw)) return "is not an email address";
      out = std::string(raw);
      return std::nullopt;
    case Kind::kInteger:
      return ReadInteger(f, raw, out);
    case Kind::kMoney: {
      std::int64_t minor = 0;
      if (!ParseMoney(raw, minor)) return "is not an amount (like 1234.50)";
      if (minor < f.min) return "must not be negative";
      out = minor;
      return std::nullopt;
    }
    case Kind::kPercent:
      return ReadPercent(raw, out);
    case Kind::kDate: {
      std::string date;
      if (!ParseDateCell(raw, date)) return "is not a date (write it YYYY-MM-DD)";
      out = std::move(date);
      return std::nullopt;
    }
    case Kind::kInstant: {
      Instant instant = 0;
      if (!ParseInstantCell(raw, instant)) {
        return "is not a date and time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)";
      }
      out = instant;
      return std::nullopt;
    }
    case Kind::kPeriod:
      return ReadPeriod(raw, out);
    case Kind::kEnum:
      return ReadEnum(f, raw, out);
    case Kind::kBool:
      return ReadYesNo(raw, std::int64_t{1}, std::int64_t{0}, out);
    case Kind::kCurrency:
      return ReadCurrency(raw, out);
    case Kind::kCountry: {
      const std::optional<std::string_view> code = records::CountryCode(raw);
      if (!code) return "is not a country (its name, or an ISO code like GB)";
      out = std::string(*code);
      return std::nullopt;
    }
    case Kind::kCustom:
      break;
  }
  return "is a kind of field files do not carry";
}

Cell Importer::ReadValue(const Column& column, std::string_view raw, std::int64_t line,
                         db::Value& out) {
  const Field& f = *column.field;
  if (f.kind == Kind::kCustom) return ReadCustom(column, raw, line, out);
  if (f.kind == Kind::kText && Utf8Characters(raw) > f.max_length) {
    checked_.Reject(line, column.header,
                    "is longer than " + std::to_string(f.max_length) + " characters");
    return Cell::kBad;
  }
  if (const Problem problem = ReadBuiltIn(f, raw, out)) {
    checked_.Reject(line, column.header, Quoted(raw) + " " + *problem);
    return Cell::kBad;
  }
  return Cell::kValue;
}

bool Importer::Check(const std::vector<std::string>& cells, std::int64_t line, CheckedRow& row) {
  checked_.in_row = 0;
  if (cells.size() != width_) {
    checked_.Reject(line, "",
                    "has " + std::to_string(cells.size()) + " fields where the header has " +
                        std::to_string(width_));
    ++checked_.rows;
    return false;
  }
  row.line = line;
  row.values.resize(spec_.fields.size());
  row.cells.assign(spec_.fields.size(), Cell::kEmpty);
  for (const Column& column : columns_) {
    const std::size_t i = static_cast<std::size_t>(column.field - spec_.fields.data());
    row.cells[i] = Read(column, cells[column.index], line, row.values[i]);
  }
  if (rapport_id_index_) {
    const std::string_view raw = Trim(cells[*rapport_id_index_]);
    std::int64_t id = 0;
    if (!raw.empty()) {
      if (!ParseInteger(raw, id) || id <= 0) {
        checked_.Reject(line, "rapport_id", Quoted(raw) + " is not a record id");
      } else {
        row.rapport_id = id;
      }
    }
  }
  if (row.cells[0] == Cell::kValue) {
    const std::string& external_id = std::get<std::string>(row.values[0]);
    auto [it, first] = seen_.try_emplace(external_id, Seen{line, 0});
    if (first) {
      row.seen = &it->second;
    } else {
      checked_.Reject(line, column_of_field_[0]->header,
                      Quoted(external_id) + " is also on line " + std::to_string(it->second.line));
    }
  }
  if (checked_.in_row > 0) {
    ++checked_.rows;
    return false;
  }
  return true;
}

// Looks up what the batch's rows name (the records they are, the records they refer to) in a few
// queries rather than one per row, then writes each row.
Status Importer::FindNamedRecords(const std::vector<CheckedRow>& batch) {
  for (Ref ref : {Ref::kAccount, Ref::kContact, Ref::kOpportunity}) {
    std::vector<std::string> keys;
    for (const CheckedRow& row : batch) {
      for (std::size_t i = 0; i < spec_.fields.size(); ++i) {
        if (row.cells[i] == Cell::kLookup && spec_.fields[i].ref == ref) {
          keys.push_back(std::get<std::string>(row.values[i]));
        }
      }
    }
    if (!keys.empty()) RAPPORT_RETURN_IF_ERROR(FindAll(TableOf(ref), keys, found_[SlotOf(ref)]));
  }
  return Ok();
}

void Importer::ResolveNamedRecords(CheckedRow& row) {
  for (std::size_t i = 0; i < spec_.fields.size(); ++i) {
    if (row.cells[i] != Cell::kLookup) continue;
    const Field& f = spec_.fields[i];
    const std::string key = std::get<std::string>(row.values[i]);
    const auto& known = found_[SlotOf(f.ref)];
    auto it = known.find(key);
    if (it != known.end() && it->second) {
      row.values[i] = *it->second;
      row.cells[i] = Cell::kValue;
    } else {
      written_.Reject(row.line, column_of_field_[i]->header,
                      Quoted(key) + " is not the external id of " +
                          (f.ref == Ref::kAccount   ? "an account"
                           : f.ref == Ref::kContact ? "a contact"
                                                    : "an opportunity"));
    }
  }
}

Status Importer::FindRowsRecords(const std::vector<CheckedRow>& batch, Found& mine) {
  std::vector<std::string> keys;
  for (const CheckedRow& row : batch) {
    if (row.rapport_id) {
      keys.push_back("#" + std::to_string(*row.rapport_id));
    } else if (row.seen && !table_was_empty_) {
      keys.push_back(std::get<std::string>(row.values[0]));
    }
  }
  if (keys.empty()) return Ok();
  return FindAll(spec_.table, keys, mine);
}

std::optional<std::int64_t> Importer::RecordOfRow(const CheckedRow& row, const Found& mine) {
  if (row.rapport_id) {
    auto it = mine.find("#" + std::to_string(*row.rapport_id));
    if (it != mine.end() && it->second) return it->second;
    written_.Reject(row.line, "rapport_id",
                    "there is no " + spec_.name + " record " + std::to_string(*row.rapport_id));
  } else if (row.seen && !table_was_empty_) {
    auto it = mine.find(std::get<std::string>(row.values[0]));
    if (it != mine.end()) return it->second;
  }
  return std::nullopt;
}

Status Importer::Write(std::vector<CheckedRow>& batch) {
  if (batch.empty()) return Ok();
  // The records named by external id in other tables (a contact's account), and the records the
  // rows are: by rapport_id, or by external id.
  RAPPORT_RETURN_IF_ERROR(FindNamedRecords(batch));
  Found mine;
  RAPPORT_RETURN_IF_ERROR(FindRowsRecords(batch, mine));
  std::vector<Update> updates;
  for (CheckedRow& row : batch) {
    written_.in_row = 0;
    ResolveNamedRecords(row);
    const std::optional<std::int64_t> existing = RecordOfRow(row, mine);
    if (!existing && written_.in_row == 0) {
      for (std::size_t i = 0; i < spec_.fields.size(); ++i) {
        const Field& f = spec_.fields[i];
        if (f.required && row.cells[i] == Cell::kEmpty) {
          written_.Reject(row.line, f.name, "a new record needs " + f.name);
        }
      }
    }
    if (written_.in_row > 0) {
      ++written_.rows;
      continue;
    }
    if (existing) {
      updates.push_back({&row, *existing});
    } else {
      RAPPORT_RETURN_IF_ERROR(Create(row));
    }
  }
  RAPPORT_RETURN_IF_ERROR(WriteUpdates(updates));
  if (pending_.size() >= 5000) return Flush();
  return Ok();
}

Status Importer::WriteUpdates(const std::vector<Update>& updates) {
  if (updates.empty() || (compared_.empty() && custom_fields_.empty())) {
    for (const Update& u : updates) {
      ++report_.unchanged;
      if (u.row->seen) u.row->seen->id = u.id;
      Defer(*u.row, u.id, false, true);
    }
    return Ok();
  }
  // The stored values of every row at once (locked on PostgreSQL), then each change.
  std::string sql = "SELECT id";
  for (std::size_t i : compared_) sql += ", " + spec_.fields[i].column;
  if (!custom_fields_.empty()) sql += ", custom";
  sql += " FROM " + spec_.table + " WHERE id IN (";
  db::Params ids;
  for (const Update& u : updates) {
    sql += ids.empty() ? "?" : ", ?";
    ids.push_back(u.id);
  }
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                           tx_.Query(sql + ")" + db::LockRowSuffix(tx_.backend()), ids));
  std::unordered_map<std::int64_t, const db::Row*> stored;
  for (const db::Row& r : rows) stored[r.Int("id")] = &r;
  for (const Update& u : updates) {
    RAPPORT_ASSIGN_OR_RETURN(int changed, WriteUpdate(u, *stored.at(u.id)));
    if (changed > 0) {
      ++report_.updated;
    } else {
      ++report_.unchanged;
    }
    if (u.row->seen) u.row->seen->id = u.id;
    Defer(*u.row, u.id, false, changed == 0);
  }
  return Ok();
}

Result<int> Importer::WriteUpdate(const Update& u, const db::Row& now) {
  // `now` holds the id, then the compared fields in order, then (if any) the custom values.
  audit::FieldValues changes;
  std::vector<db::Value> current;
  for (std::size_t k = 0; k < compared_.size(); ++k) {
    const std::size_t i = compared_[k];
    const Field& f = spec_.fields[i];
    if (u.row->cells[i] == Cell::kEmpty) {
      // An empty cell clears an optional value; a value every record must have stays.
      if (f.required || !std::holds_alternative<std::monostate>(f.fallback)) continue;
      changes.emplace_back(f.column, db::Null());
    } else {
      changes.emplace_back(f.column, u.row->values[i]);
    }
    current.push_back(now.at(k + 1));
  }
  RAPPORT_ASSIGN_OR_RETURN(int changed, audit::WriteChanges(tx_, actor_, spec_.table, u.id, current,
                                                            changes, spec_.versioned));
  if (!custom_fields_.empty()) {
    RAPPORT_ASSIGN_OR_RETURN(api::CustomWrite custom,
                             api::MergeCustomValues(now.OptText("custom"), CustomValues(*u.row)));
    if (!custom.changes.empty()) {
      RAPPORT_RETURN_IF_ERROR(api::WriteCustomChanges(tx_, spec_.table, actor_, u.id, custom,
                                                      changed == 0 && spec_.versioned));
      changed += static_cast<int>(custom.changes.size());
    }
  }
  return changed;
}

void Importer::Defer(const CheckedRow& row, std::int64_t record_id, bool created, bool unchanged) {
  for (const Column& column : columns_) {
    const std::size_t i = static_cast<std::size_t>(column.field - spec_.fields.data());
    if (column.field->self_reference && row.cells[i] == Cell::kValue) {
      deferred_.push_back(
          {record_id, row.line, &column, std::get<std::string>(row.values[i]), created, unchanged});
    }
  }
}

Status Importer::Create(CheckedRow& row) {
  const std::int64_t id = next_id_++;
  db::Params params;
  params.reserve(insert_columns_.size());
  for (std::size_t c = 0; c < insert_columns_.size(); ++c) {
    const std::size_t i = insert_field_[c];
    if (i == kCustomColumn) {
      params.push_back(CustomJson(row));
      continue;
    }
    if (i == std::string::npos) {
      params.emplace_back(c == 0 ? db::Value(id) : db::Value(options_.actor.at));
      continue;
    }
    const Field& f = spec_.fields[i];
    if (f.self_reference || row.cells[i] != Cell::kValue) {
      params.push_back(f.self_reference ? db::Null() : fallbacks_[i]);
    } else {
      params.push_back(row.values[i]);  // a copy: the batch's strings go back to their thread
    }
  }
  Defer(row, id, true, false);
  row.created_id = id;
  pending_.push_back(std::move(params));
  pending_ids_.push_back(id);
  ++report_.created;
  if (row.seen) row.seen->id = id;
  return Ok();
}

std::vector<std::pair<std::string, std::optional<std::string>>> Importer::CustomValues(
    const CheckedRow& row) const {
  std::vector<std::pair<std::string, std::optional<std::string>>> values;
  for (std::size_t i : custom_fields_) {
    const std::string& key = spec_.fields[i].custom->key;
    // An empty cell clears the value, as it does an optional field's.
    if (row.cells[i] == Cell::kValue) {
      values.emplace_back(key, std::get<std::string>(row.values[i]));
    } else {
      values.emplace_back(key, std::nullopt);
    }
  }
  return values;
}

db::Value Importer::CustomJson(const CheckedRow& row) const {
  // A new record's: nothing to merge over, so nothing can be malformed.
  auto merged = api::MergeCustomValues(std::nullopt, CustomValues(row));
  if (!merged.ok() || !merged->json) return db::Null();
  return *merged->json;
}

Status Importer::Flush() {
  if (pending_.empty()) return Ok();
  {
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<db::BulkLoader> loader,
                             tx_.Load(spec_.table, insert_columns_));
    for (db::Params& params : pending_) RAPPORT_RETURN_IF_ERROR(loader->Add(std::move(params)));
    RAPPORT_RETURN_IF_ERROR(loader->Finish());
  }
  // Each record created has its line in the audit trail. The records just written have the ids
  // from the first to the last pending (Create counts them up), so the database writes those
  // lines itself, from the records, in one statement.
  const std::int64_t first = pending_ids_.front(), last = pending_ids_.back();
  if (last - first + 1 != static_cast<std::int64_t>(pending_ids_.size())) {
    return Error(ErrorCode::kInternal, "the records an import created are not numbered in a row");
  }
  RAPPORT_RETURN_IF_ERROR(tx_.Execute(
      "INSERT INTO audit_history (table_name, record_id, action, new_value, changed_by, "
      "changed_at) SELECT CAST(? AS text), id, 'create', CAST(? AS text), CAST(? AS bigint), "
      "CAST(? AS bigint) FROM " +
          spec_.table + " WHERE id BETWEEN ? AND ?",
      {spec_.table, "import " + std::to_string(import_id_), db::OptionalInt(options_.actor.user_id),
       options_.actor.at, first, last}));
  pending_.clear();
  pending_ids_.clear();
  return Ok();
}

void Importer::KeepForFullText(const std::vector<CheckedRow>& rows) {
  if (!full_text_) return;
  for (const CheckedRow& row : rows) {
    if (row.created_id == 0) continue;
    kept_ids_.push_back(row.created_id);
    for (const FullTextSource& source : full_text_fields_) {
      const std::size_t i = source.field;
      // What Create wrote: the cell's value, or the field's fallback.
      const db::Value& value = row.cells[i] == Cell::kValue ? row.values[i] : fallbacks_[i];
      if (const auto* text = std::get_if<std::string>(&value)) {
        kept_texts_ += source.lead_marker ? db::SqliteLeadMarkerText(*text) : *text;
        kept_ends_.push_back(kept_texts_.size());
      } else {
        kept_ends_.push_back(kNullText);
      }
    }
  }
}

void Importer::IndexKept(const std::atomic<bool>& stop) {
  if (!full_text_) return;
  const std::size_t width = full_text_fields_.size();
  std::vector<std::optional<std::string_view>> texts(width);
  std::size_t from = 0;  // where the next text starts
  for (std::size_t r = 0; r < kept_ids_.size() && full_text_status_.ok(); ++r) {
    if (r % 1024 == 0 && stop.load(std::memory_order_relaxed)) return;
    for (std::size_t k = 0; k < width; ++k) {
      const std::size_t end = kept_ends_[r * width + k];
      if (end == kNullText) {
        texts[k] = std::nullopt;
      } else {
        texts[k] = std::string_view(kept_texts_).substr(from, end - from);
        from = end;
      }
    }
    full_text_status_ = full_text_->Add(kept_ids_[r], texts);
  }
  kept_ids_.clear();
  kept_ends_.clear();
  kept_texts_.clear();
}

Status Importer::Finish(std::int64_t rows_read, const std::function<void()>& reader_done) {
  RAPPORT_RETURN_IF_ERROR(Flush());
  // References to records of the same type (a parent account, whom a contact reports to) may
  // name a row further down the file: they are set now that every row is in. Those of records
  // just created go a few hundred statements at a time (one round trip each on PostgreSQL).
  std::vector<db::Statement> created_references;
  const auto set_created = [&]() -> Status {
    if (created_references.empty()) return Ok();
    auto done = tx_.QueryAll(created_references);
    created_references.clear();
    return done.ok() ? Ok() : Status(done.error());
  };
  for (const Deferred& d : deferred_) {
    std::optional<std::int64_t> target;
    if (auto it = seen_.find(d.external_id); it != seen_.end() && it->second.id != 0) {
      target = it->second.id;
    } else if (!table_was_empty_ || d.external_id.starts_with("#")) {
      RAPPORT_ASSIGN_OR_RETURN(target, FindByExternalId(spec_.table, d.external_id));
    }
    written_.in_row = 0;
    if (!target) {
      written_.Reject(
          d.line, d.column->header,
          Quoted(d.external_id) + " is not the external id of " + spec_.name + " record");
    } else if (*target == d.record_id) {
      written_.Reject(d.line, d.column->header, "a record cannot refer to itself");
    }
    if (written_.in_row > 0) {
      // The row was counted as written: it is rejected after all.
      ++written_.rows;
      continue;
    }
    if (d.created) {
      created_references.push_back(
          {"UPDATE " + spec_.table + " SET " + d.column->field->column + " = ? WHERE id = ?",
           {*target, d.record_id}});
      if (created_references.size() >= 500) RAPPORT_RETURN_IF_ERROR(set_created());
    } else {
      RAPPORT_ASSIGN_OR_RETURN(
          int changed, audit::UpdateAudited(tx_, actor_, spec_.table, d.record_id, std::nullopt,
                                            {{d.column->field->column, *target}}, spec_.versioned));
      if (changed > 0 && d.counted_unchanged) {
        --report_.unchanged;
        ++report_.updated;
      }
    }
  }
  RAPPORT_RETURN_IF_ERROR(set_created());
  for (const std::string& statement : restore_indexes_) {
    RAPPORT_RETURN_IF_ERROR(tx_.ExecuteScript(statement));
  }
  // Last, so that the reading thread builds the full-text index while this one built the others.
  if (full_text_) {
    reader_done();
    if (!full_text_status_.ok()) {
      return Error(ErrorCode::kInternal,
                   "building the search index: " + full_text_status_.error().message());
    }
    RAPPORT_RETURN_IF_ERROR(tx_.PlaceFullText(*full_text_));
  }
  Count(rows_read);
  return db::ResetIdSequence(tx_, spec_.table);
}

std::vector<std::shared_ptr<void>> Importer::Leftovers() {
  std::vector<std::shared_ptr<void>> leftovers;
  leftovers.push_back(std::make_shared<decltype(seen_)>(std::move(seen_)));
  leftovers.push_back(std::shared_ptr<db::FullTextBuild>(std::move(full_text_)));
  return leftovers;
}

void Importer::Count(std::int64_t rows_read) {
  report_.rows_read = rows_read;
  report_.rejected = checked_.rows + written_.rows;
  // The rejections read best in the file's order (rows are checked before their batch is
  // looked up, and references to the same file are settled last).
  report_.rejections = checked_.rejections;
  report_.rejections.insert(report_.rejections.end(), written_.rejections.begin(),
                            written_.rejections.end());
  std::stable_sort(report_.rejections.begin(), report_.rejections.end(),
                   [](const Rejection& a, const Rejection& b) { return a.line < b.line; });
  if (report_.rejections.size() > kRejectionsKept) report_.rejections.resize(kRejectionsKept);
}

// Reads and checks the file's records on a thread of its own, a batch at a time, while the
// caller writes the batches before: the parsing overlaps the database's work on another core.
// At most a few batches wait. Batches come back once written (Recycle): the same thread keeps what
// the full-text index built apart needs of them and frees them, and once the file is read builds
// that index (Importer::KeepForFullText, IndexKept). Stopped (and joined) by its destructor,
// whatever happened.
class CheckedBatches {
 public:
  CheckedBatches(RecordSource& source, Importer& importer) : source_(source), importer_(importer) {
    thread_ = std::thread([this] { Run(); });
  }
  ~CheckedBatches() { Stop(); }
  CheckedBatches(const CheckedBatches&) = delete;
  CheckedBatches& operator=(const CheckedBatches&) = delete;

  // The next batch; nullopt once the file is read to its end; the file's error (kMalformed)
  // if it cannot be read.
  Result<std::optional<CheckedBatch>> Next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || done_; });
    if (!ready_.empty()) {
      CheckedBatch batch = std::move(ready_.front());
      ready_.pop_front();
      changed_.notify_all();
      return std::optional<CheckedBatch>(std::move(batch));
    }
    if (!status_.ok()) return status_.error();
    return std::optional<CheckedBatch>();
  }

  // Hands a written batch back. The reading thread frees it, as it allocated it: a thread freeing
  // another's memory waits on that thread's heap (1.1 s of 1M accounts).
  void Recycle(CheckedBatch batch) {
    std::lock_guard lock(mutex_);
    spent_.push_back(std::move(batch));
    changed_.notify_all();
  }

  // Once every batch is written and handed back: waits for the reading thread to finish with them.
  void Finish() {
    End([&] { all_spent_ = true; });
  }

  // Stops the reading thread and waits for it, leaving what it had not done: after this the
  // importer is the caller's alone.
  void Stop() {
    End([&] { stopping_ = true; });
  }

  // The rows read, once the file is read to its end (Next gave nullopt) or the thread has stopped.
  std::int64_t rows_read() const { return rows_read_; }

 private:
  static constexpr std::size_t kWaiting = 4;     // batches read ahead of the writer
  static constexpr std::size_t kSpentKept = 16;  // written batches left for when it is behind

  // Tells the reading thread (under the lock) how to end, and waits for it.
  template <typename Tell>
  void End(Tell tell) {
    {
      std::lock_guard lock(mutex_);
      tell();
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void Run() {
    CheckedBatch batch;
    std::vector<std::string> cells;
    Status status = Ok();
    std::int64_t handed_over = 0;
    // An exception here (out of memory) must not end the process, as it would on this thread:
    // the writer gets it as the import's error instead.
    try {
      while (true) {
        Result<bool> more = source_.Next(cells);
        if (!more.ok()) {
          status = more.error();
          break;
        }
        if (!*more) break;
        ++rows_read_;
        CheckedRow row;
        if (importer_.Check(cells, source_.line(), row)) batch.rows.push_back(std::move(row));
        if (rows_read_ - handed_over >= static_cast<std::int64_t>(kBatchRows)) {
          handed_over = rows_read_;
          if (!HandOver(batch)) return;
        }
      }
    } catch (const std::exception& e) {
      status = Error(ErrorCode::kInternal, std::string("reading the file: ") + e.what());
    }
    if (status.ok() && !HandOver(batch)) return;
    {
      std::lock_guard lock(mutex_);
      status_ = status;
      done_ = true;
      changed_.notify_all();
    }
    // The full-text index is built (while the writer builds the others) from the batches
    // written, which come back until the writer has written them all.
    while (true) {
      importer_.IndexKept(stopping_);
      std::vector<CheckedBatch> spent;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !spent_.empty() || all_spent_ || stopping_; });
        if (stopping_ || (spent_.empty() && all_spent_)) return;
        spent.swap(spent_);
      }
      for (const CheckedBatch& written : spent) importer_.KeepForFullText(written.rows);
    }
  }

  // Queues the batch for the writer, waiting while kWaiting do (and meanwhile taking the written
  // batches back, or first when kSpentKept wait); false when told to stop.
  bool HandOver(CheckedBatch& batch) {
    batch.rows_read = rows_read_;
    batch.bytes_read = source_.bytes_read();
    while (true) {
      std::vector<CheckedBatch> spent;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock,
                      [&] { return ready_.size() < kWaiting || !spent_.empty() || stopping_; });
        if (stopping_) return false;
        if (ready_.size() < kWaiting && spent_.size() < kSpentKept) {
          ready_.push_back(std::move(batch));
          batch = CheckedBatch();
          changed_.notify_all();
          return true;
        }
        spent.swap(spent_);
      }
      for (const CheckedBatch& written : spent) importer_.KeepForFullText(written.rows);
    }
  }

  RecordSource& source_;
  Importer& importer_;
  std::thread thread_;
  std::int64_t rows_read_ = 0;  // the reading thread's until the file's end
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<CheckedBatch> ready_;
  std::vector<CheckedBatch> spent_;  // written, for the reading thread to take back
  bool done_ = false;
  bool all_spent_ = false;              // the writer hands back no more
  std::atomic<bool> stopping_ = false;  // set under mutex_; read without it by IndexKept
  Status status_ = Ok();
};

// Matches the header's columns to fields: an explicit mapping first, then the field's name, then
// the names other CRMs use.
Status MapColumns(const RecordSpec& spec, const std::vector<std::string>& header,
                  const ImportOptions& options, std::vector<Column>& columns,
                  std::optional<std::size_t>& rapport_id_index, ImportReport& report) {
  std::vector<std::string> used_by(spec.fields.size());
  for (const auto& [from, to] : options.mapping) {
    bool found = false;
    for (const std::string& h : header) found = found || h == from;
    if (!found) {
      return Error::InvalidField("mapping", "the file has no column " + Quoted(from));
    }
    if (to.empty()) continue;
    bool known = to == "rapport_id";
    for (const Field& f : spec.fields) known = known || f.name == to;
    if (!known) {
      std::string names = "rapport_id";
      for (const Field& f : spec.fields) names += ", " + f.name;
      return Error::InvalidField("mapping", Quoted(to) + " is not a field of " + spec.name +
                                                " (the fields are " + names + ")");
    }
  }
  for (std::size_t index = 0; index < header.size(); ++index) {
    const std::string& h = header[index];
    std::optional<std::string> target;
    for (const auto& [from, to] : options.mapping) {
      if (from == h) target = to;
    }
    const std::string key = NormalizeHeader(h);
    if (!target) target = SourceColumn(options.source, spec.type, key);
    if (!target) {
      if (key == "rapportid") {
        target = "rapport_id";
      } else {
        for (const Field& f : spec.fields) {
          if (NormalizeHeader(f.name) == key) target = f.name;
        }
        for (const Field& f : spec.fields) {
          if (target) break;
          for (const std::string& alias : f.aliases) {
            if (alias == key) target = f.name;
          }
        }
      }
    }
    if (!target || target->empty()) {
      report.ignored_columns.push_back(h);
      continue;
    }
    if (*target == "rapport_id") {
      if (rapport_id_index) {
        return Error(ErrorCode::kMalformed,
                     "two columns give rapport_id: " + Quoted(header[*rapport_id_index]) + " and " +
                         Quoted(h));
      }
      rapport_id_index = index;
      report.columns.emplace_back("rapport_id", h);
      continue;
    }
    for (std::size_t i = 0; i < spec.fields.size(); ++i) {
      if (spec.fields[i].name != *target) continue;
      if (!used_by[i].empty()) {
        return Error(ErrorCode::kMalformed, "two columns give " + spec.fields[i].name + ": " +
                                                Quoted(used_by[i]) + " and " + Quoted(h) +
                                                " (map one of them to another field or to none)");
      }
      used_by[i] = h;
      columns.push_back({index, h, &spec.fields[i]});
      report.columns.emplace_back(spec.fields[i].name, h);
    }
  }
  if (columns.empty() && !rapport_id_index) {
    return Error(ErrorCode::kMalformed, "no column of the header names a field of " + spec.name);
  }
  return Ok();
}

Status Settle(db::Transaction& tx, std::int64_t import_id, const ImportReport& report,
              const ImportOptions& options) {
  const Instant at = options.clock ? options.clock->Now() : options.actor.at;
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> settled,
      tx.QueryOne(
          "UPDATE imports SET status = ?, rows_read = ?, created_count = ?, updated_count = ?, "
          "unchanged_count = ?, rejected_count = ?, problem = ?, rejections = ?, finished_at = ? "
          "WHERE id = ? RETURNING record_type",
          {report.status, report.rows_read, report.created, report.updated, report.unchanged,
           report.rejected, report.problem.empty() ? db::Null() : db::Value(report.problem),
           report.rejections.empty() ? db::Null() : db::Value(RejectionsCsv(report.rejections)), at,
           import_id}));
  if (!settled || report.dry_run) return Ok();
  // For the company's other systems (webhooks): one event for the whole file, none per row.
  return audit::PublishEvent(
      tx, at,
      {.type = "import.finished",
       .object = "import",
       .object_id = import_id,
       .path = "/api/v1/imports/" + std::to_string(import_id),
       .changed_by = options.actor.user_id,
       .extra = audit::JsonMember("record_type", settled->Text("record_type")) + "," +
                audit::JsonMember("status", report.status) + "," +
                audit::JsonMember("rows_read", report.rows_read) + "," +
                audit::JsonMember("created", report.created) + "," +
                audit::JsonMember("updated", report.updated) + "," +
                audit::JsonMember("rejected", report.rejected)});
}

}  // namespace

Result<std::vector<const Field*>> MapHeader(const RecordSpec& spec,
                                            const std::vector<std::string>& header,
                                            const ImportOptions& options) {
  std::vector<Column> columns;
  std::optional<std::size_t> rapport_id_index;
  ImportReport unused;
  RAPPORT_RETURN_IF_ERROR(MapColumns(spec, header, options, columns, rapport_id_index, unused));
  std::vector<const Field*> fields(header.size(), nullptr);
  for (const Column& c : columns) fields[c.index] = c.field;
  return fields;
}

Result<std::int64_t> BeginImport(db::Database& database, const ImportOptions& options) {
  std::int64_t id = 0;
  Status s = database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        id, tx.QueryInt("INSERT INTO imports (record_type, file_name, format, dry_run, "
                        "all_or_nothing, status, started_by, started_at) VALUES (?, ?, ?, ?, ?, "
                        "'running', ?, ?) RETURNING id",
                        {SpecOf(options.type).table, options.file_name, options.format,
                         std::int64_t{options.dry_run}, std::int64_t{options.all_or_nothing},
                         db::OptionalInt(options.actor.user_id), options.actor.at}));
    return Ok();
  });
  if (!s.ok()) return s.error();
  return id;
}

Result<int> SettleInterruptedImports(db::Database& database, Instant now) {
  return SettleInterrupted(database, "imports", now);
}

Result<int> SettleInterrupted(db::Database& database, std::string_view table, Instant now) {
  const std::string t(table);
  int settled = 0;
  RAPPORT_RETURN_IF_ERROR(database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows, tx.Query("SELECT id FROM " + t + " WHERE status = 'running' ORDER BY id" +
                                db::SkipLockedSuffix(tx.backend())));
    for (const auto& row : rows) {
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("UPDATE " + t +
                         " SET status = 'failed', problem = ?, finished_at = ? WHERE "
                         "id = ? AND status = 'running'",
                     {std::string("interrupted: the process running it stopped before it "
                                  "finished; nothing was written"),
                      now, row.Int("id")}));
      ++settled;
    }
    return Ok();
  }));
  return settled;
}

Status ImportWithin(db::Transaction& tx, std::int64_t import_id, RecordSource& source,
                    const ImportOptions& options, ImportReport& report,
                    std::vector<std::shared_ptr<void>>* leftovers) {
  report.import_id = import_id;
  report.dry_run = options.dry_run;
  // The company's custom fields of the record type, as fields of the file (their definitions
  // outlive the importer).
  std::vector<records::CustomField> custom;
  if (records::TakesCustomFields(SpecOf(options.type).table)) {
    RAPPORT_ASSIGN_OR_RETURN(custom, records::LoadCustomFields(tx, SpecOf(options.type).table));
  }
  const RecordSpec spec = WithCustomFields(SpecOf(options.type), custom);
  std::vector<Column> columns;
  std::optional<std::size_t> rapport_id_index;
  std::vector<std::string> header;
  RAPPORT_ASSIGN_OR_RETURN(bool any, source.Next(header));
  if (!any) return Error(ErrorCode::kMalformed, "the file is empty: it needs a header row");
  RAPPORT_RETURN_IF_ERROR(MapColumns(spec, header, options, columns, rapport_id_index, report));
  // Held for the whole import: a server that starts meanwhile sees it is alive.
  RAPPORT_RETURN_IF_ERROR(tx.Execute(
      std::string("SELECT id FROM imports WHERE id = ?") + db::LockRowSuffix(tx.backend()),
      {import_id}));
  Importer importer(tx, spec, options, import_id, report, columns, header.size(), rapport_id_index);
  RAPPORT_RETURN_IF_ERROR(importer.Prepare());
  CheckedBatches batches(source, importer);
  const Status written = [&]() -> Status {
    while (true) {
      RAPPORT_ASSIGN_OR_RETURN(std::optional<CheckedBatch> batch, batches.Next());
      if (!batch) return Ok();
      RAPPORT_RETURN_IF_ERROR(importer.Write(batch->rows));
      if (options.progress) options.progress(batch->rows_read, batch->bytes_read);
      batches.Recycle(std::move(*batch));
      if (options.cancelled && options.cancelled()) {
        return Error(ErrorCode::kUnavailable,
                     "the server stopped during the import: nothing was written");
      }
    }
  }();
  if (!written.ok()) {
    batches.Stop();
    importer.Count(batches.rows_read());  // what was read and refused before it stopped
    return written;
  }
  const Status finished = importer.Finish(batches.rows_read(), [&] { batches.Finish(); });
  batches.Stop();
  if (!finished.ok()) {
    importer.Count(batches.rows_read());
    return finished;
  }
  if (options.progress) options.progress(report.rows_read, source.bytes_read());
  report.status = report.rejected > 0 && options.all_or_nothing ? "rejected" : "succeeded";
  if (leftovers) *leftovers = importer.Leftovers();
  return Ok();
}

Status SettleImport(db::Transaction& tx, const ImportReport& report, const ImportOptions& options) {
  return Settle(tx, report.import_id, report, options);
}

void MarkFailed(ImportReport& report, const Error& error) {
  report.status = "failed";
  report.problem = error.message();
  report.created = report.updated = report.unchanged = 0;
}

ImportReport RunImport(db::Database& database, std::int64_t import_id, RecordSource& source,
                       const ImportOptions& options) {
  ImportReport report;
  report.import_id = import_id;
  report.dry_run = options.dry_run;
  bool rolled_back_on_purpose = false;
  std::jthread freeing;  // frees what the import leaves while it commits; joined last
  const Status status = database.Write([&](db::Transaction& tx) -> Status {
    std::vector<std::shared_ptr<void>> leftovers;
    RAPPORT_RETURN_IF_ERROR(ImportWithin(tx, import_id, source, options, report, &leftovers));
    if (options.dry_run || report.status == "rejected") {
      rolled_back_on_purpose = true;
      return Error(ErrorCode::kConflict, "rolled back");
    }
    RAPPORT_RETURN_IF_ERROR(Settle(tx, import_id, report, options));
    report.written = true;
    freeing = std::jthread([leftovers = std::move(leftovers)]() mutable { leftovers.clear(); });
    return Ok();
  });
  if (!status.ok() && !rolled_back_on_purpose) MarkFailed(report, status.error());
  if (!report.written) {
    Status settled = database.Write(
        [&](db::Transaction& tx) -> Status { return Settle(tx, import_id, report, options); });
    (void)settled;  // the report still says what happened
  }
  return report;
}

ImportReport FailImport(db::Database& database, std::int64_t import_id,
                        const ImportOptions& options, const std::string& problem) {
  ImportReport report;
  report.import_id = import_id;
  report.dry_run = options.dry_run;
  report.status = "failed";
  report.problem = problem;
  const Status settled = database.Write(
      [&](db::Transaction& tx) -> Status { return Settle(tx, import_id, report, options); });
  (void)settled;  // the report still says what happened
  return report;
}

std::string RejectionsCsv(const std::vector<Rejection>& rejections) {
  api::CsvWriter out;
  out.Cell("line").Cell("column").Cell("problem").EndRow();
  for (const Rejection& r : rejections) {
    out.Cell(r.line).Cell(r.column).Cell(r.problem).EndRow();
  }
  return out.Take();
}

}  // namespace rapport::imports
