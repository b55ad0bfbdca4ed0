// What the parts of a book that are not plain records (relations.hpp, cases.hpp) share: a file
// opened through its source's profile with its header, cells, rejections and checks noted in the
// file's report, the book's records by their external ids, and owners matched to users.
// Stateless functions; the structs are values, not shared between threads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/database.hpp"
#include "moving/relations.hpp"
#include "moving/source_files.hpp"

namespace rapport::moving {

// The file's header, read through its profile, and a way to find its columns.
struct Header {
  std::vector<std::string> names;
  // The first column named any of `keys` (normalised), noted in the report as giving `field`.
  std::optional<std::size_t> Find(std::initializer_list<std::string_view> keys,
                                  std::string_view field, imports::ImportReport& report) const;
};

// Opens `file` and reads its header; the rows follow from the result.
Result<std::unique_ptr<ProfiledRecords>> OpenWithHeader(const BookFile& file, Source source,
                                                        Header& header);

// The row's cell at `i`, trimmed ("" when there is no such column or cell).
std::string Cell(const std::vector<std::string>& row, std::optional<std::size_t> i);

// The keys a cell lists, "8001;8002" as HubSpot writes several associated records, without
// empty ones.
std::vector<std::string> ListedKeys(std::string_view cell);

// Notes a rejected row in the report (the first imports::kRejectionsKept are kept).
void Reject(imports::ImportReport& report, std::int64_t line, const std::string& column,
            std::string problem);

// Adds a check of what was written (`found`) against the file (`expected`).
void AddCheck(std::vector<BookCheck>& checks, const BookFile& file, std::string what,
              std::string expected, std::string found);

// Where `column` sits in `rows`, the result of one query: for a loop over the many rows of a
// book, looked up once rather than once a row. 0 when there are no rows to read.
std::size_t ColumnOf(const db::Rows& rows, std::string_view column);

// A record of the book by its external id: its id and account (and a deal's currency).
struct Known {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string currency;
};

// Every record of `table` (accounts, contacts, opportunities, activities, cases) that has an
// external id. REQUIRES: `table` comes from code.
Result<std::unordered_map<std::string, Known>> KnownByExternalId(db::Transaction& tx,
                                                                 const std::string& table);

// A field a part writes and compares on a second run, and whether it is text (else a number).
struct StoredField {
  const char* column;
  bool text;
};

// A record of the book already stored: its id and its fields' values as stored.
struct StoredRecord {
  std::int64_t id = 0;
  std::vector<db::Value> values;  // in the order of the fields asked for
};

// Every row of `table` with an external id, by it: its id and `fields` as stored. REQUIRES:
// `table` and the fields come from code.
Result<std::unordered_map<std::string, StoredRecord>> StoredByExternalId(
    db::Transaction& tx, const std::string& table, std::span<const StoredField> fields);

// Writes a part's records by external id: a row's fields update the stored record of its id
// (what changed, audited) or are queued, and Finish inserts the queued ones all at once (a round
// trip per record would cost PostgreSQL minutes on a large book), unless the report has
// rejections. Counts each in the report. One part's, in its transaction.
class RecordWriter {
 public:
  // REQUIRES: `table` and `fields` come from code; `fields` outlives the writer; a row's values
  // are `fields` in order.
  RecordWriter(RelationContext& context, std::string table, std::span<const StoredField> fields,
               std::unordered_map<std::string, StoredRecord> existing,
               imports::ImportReport& report)
      : context_(context),
        table_(std::move(table)),
        fields_(fields),
        existing_(std::move(existing)),
        report_(report) {}

  // The record of `key` with `values` (the same key twice in a file: the first is taken).
  Status Write(const std::string& key, const audit::FieldValues& values);
  Status Finish();

 private:
  RelationContext& context_;
  std::string table_;
  std::span<const StoredField> fields_;
  std::unordered_map<std::string, StoredRecord> existing_;
  imports::ImportReport& report_;
  std::set<std::string> queued_keys_;
  std::vector<db::Params> queued_;
};

// How many of `keys` (external ids) are rows of `table` meeting `condition` (SQL over its
// columns, "1 = 1" for all): what a part checks it wrote. REQUIRES: both come from code.
Result<std::int64_t> CountWritten(db::Transaction& tx, const std::string& table,
                                  const std::set<std::string>& keys,
                                  const std::string& condition = "1 = 1");

// A cell as a rejection quotes it.
std::string Quoted(std::string_view text);

// The users here, by lowercase email and by lowercase name (of those who have not left; -1 when
// two or more share it).
struct BookUsers {
  std::unordered_map<std::string, std::int64_t> by_email, by_name;
};
Result<BookUsers> LoadBookUsers(db::Transaction& tx);

// The user a file names as owner: by the book's key for them (a Salesforce user id), else by
// email, else by name (HubSpot names owners by name; one only in open tasks or cases is not
// among the book's keys).
std::optional<std::int64_t> OwnerOf(const RelationContext& context, const BookUsers& users,
                                    const std::string& owner_key);

}  // namespace rapport::moving
