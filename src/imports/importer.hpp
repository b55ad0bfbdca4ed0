// Bulk import of accounts, contacts, opportunities, activities and sales lines from a CSV or XLSX
// file, for `rapport import` and POST /api/v1/imports.
//
// The header row names the columns; each is matched to a field by its name or the names other
// CRMs' exports use (see record_types.hpp), or by an explicit mapping. A row whose external id
// (or rapport_id) names an existing record updates it (only the columns the file has, each change
// in the audit trail); any other row creates one. Relations are named as people name them: an
// account by its external id, a user by email (or a unique name), a territory or distributor by
// name, a product by SKU.
//
// Everything happens in one transaction. By default it is all or nothing: one rejected row and
// nothing is written, while every rejected row is still reported with its line, its column and
// why. A dry run does the whole import and rolls it back, so its counts are exactly what the
// real one would do. A file that is not CSV in UTF-8 (or not an XLSX) is refused whole.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "audit/audit_log.hpp"
#include "db/database.hpp"
#include "imports/record_source.hpp"
#include "imports/record_types.hpp"

namespace rapport::imports {

struct ImportOptions {
  RecordType type = RecordType::kAccounts;
  bool dry_run = false;
  bool all_or_nothing = true;
  // File column (as written in the header) -> field name; overrides the automatic match. A field
  // name of "" ignores the column.
  std::vector<std::pair<std::string, std::string>> mapping;
  // Whose export the file is: the few columns that mean something else there are read as they
  // mean it (see record_types.hpp), after `mapping`.
  Source source = Source::kRapport;
  // Users as the source system names them (a Salesforce user id "005..."), to the user each is;
  // a cell found here is that user, before emails and names are tried. Owned by the caller.
  const std::unordered_map<std::string, std::int64_t>* user_keys = nullptr;
  audit::Actor actor;
  const Clock* clock = nullptr;  // when it finished (default: actor.at)
  std::string file_name;
  std::string format = "csv";  // csv or xlsx
  // Called every few thousand rows and at the end, from the importing thread.
  std::function<void(std::int64_t rows, std::uint64_t bytes)> progress;
  // Asked as often as progress; true stops the import, which then writes nothing.
  std::function<bool()> cancelled;
};

struct Rejection {
  std::int64_t line = 0;
  std::string column;  // the file's column, or "" for the whole row
  std::string problem;
};

struct ImportReport {
  std::int64_t import_id = 0;
  std::string status = "running";  // succeeded, rejected (nothing written), failed
  bool dry_run = false;
  bool written = false;
  std::int64_t rows_read = 0, created = 0, updated = 0, unchanged = 0, rejected = 0;
  std::vector<Rejection> rejections;                         // the first kRejectionsKept
  std::vector<std::pair<std::string, std::string>> columns;  // field <- file column
  std::vector<std::string> ignored_columns;
  std::string problem;  // why the whole file was refused (status failed)
};

inline constexpr std::size_t kRejectionsKept = 100'000;

// The imports row for a new import (status running), in its own transaction.
Result<std::int64_t> BeginImport(db::Database& database, const ImportOptions& options);

// Imports left "running" by a process that stopped (killed, crashed, powered off) say so: failed,
// nothing written (their transaction died with them). An import still running holds its row
// locked, so on PostgreSQL another server's passes over it; one waiting in another live
// server's queue is settled again when it runs. `rapport serve` calls this as it starts.
Result<int> SettleInterruptedImports(db::Database& database, Instant now);
// The same for another table of runs with id, status, problem and finished_at (import_books).
// REQUIRES: `table` comes from code.
Result<int> SettleInterrupted(db::Database& database, std::string_view table, Instant now);

// Reads every record and writes them in one transaction; settles the imports row `import_id`
// (in the same transaction when rows were written). Never throws for bad input.
ImportReport RunImport(db::Database& database, std::int64_t import_id, RecordSource& source,
                       const ImportOptions& options);

// The field each column of `header` fills (null for none), as an import with `options` maps them;
// the errors an import would give for a header it cannot map.
Result<std::vector<const Field*>> MapHeader(const RecordSpec& spec,
                                            const std::vector<std::string>& header,
                                            const ImportOptions& options);

// The import within the caller's transaction `tx` (the whole of RunImport but the settling and
// the commit): `report` says what was read, written and rejected, and its status (succeeded or
// rejected); an error is the import's failure, after which the caller rolls back. The importer's
// large leftovers go to `leftovers`, for freeing while the caller commits.
Status ImportWithin(db::Transaction& tx, std::int64_t import_id, RecordSource& source,
                    const ImportOptions& options, ImportReport& report,
                    std::vector<std::shared_ptr<void>>* leftovers = nullptr);
// Writes `report` to its imports row (status, counts, rejections), in `tx`.
Status SettleImport(db::Transaction& tx, const ImportReport& report, const ImportOptions& options);
// `report` as a failed import's: `error` its problem, nothing written.
void MarkFailed(ImportReport& report, const Error& error);

// Settles the import `import_id` as failed: the file could not be opened at all.
ImportReport FailImport(db::Database& database, std::int64_t import_id,
                        const ImportOptions& options, const std::string& problem);

// The rejected rows as CSV (line, column, problem): the error file.
std::string RejectionsCsv(const std::vector<Rejection>& rejections);

}  // namespace rapport::imports
