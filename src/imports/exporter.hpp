// Export of accounts, contacts, opportunities, activities and sales lines, in the columns the
// import reads (rapport_id, external_id, then each field by name, custom fields as
// custom.<key>; relations as the import names them: accounts by external id, people by email,
// products by SKU), so that an export edited in a spreadsheet imports back as updates. Read a
// page at a time, so that a million rows never sit in memory: CSV goes out as it is read; XLSX is
// written to a file with libxlsxwriter's constant memory mode.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/database.hpp"
#include "imports/record_types.hpp"

namespace rapport::imports {

// One export's records a page at a time, in id order, within a reach. Not thread-safe: one per
// export.
class ExportCursor {
 public:
  // `reach` is a SQL condition over the record (alias t) and, for records of an account, the
  // account (alias a); "1 = 1" for everything.
  ExportCursor(db::Database& database, RecordType type, std::string reach);
  ExportCursor(const ExportCursor&) = delete;  // spec_ points into custom_
  ExportCursor& operator=(const ExportCursor&) = delete;

  std::vector<std::string> Header() const;
  // The next page of rows (at most `page` of them), each as text cells under Header(); an empty
  // page at the end.
  Result<std::vector<std::vector<std::string>>> Next(int page = 5000);
  std::int64_t rows() const { return rows_; }
  const RecordSpec& spec() const { return spec_; }

 private:
  db::Database& database_;
  std::vector<records::CustomField> custom_;  // the record type's custom fields
  Status custom_loaded_;                      // whether they could be read (Next says)
  RecordSpec spec_;                           // with them, each a column
  std::size_t custom_column_ = 0;             // where the row's custom object is (0: none)
  std::unordered_map<std::string, std::string> user_emails_;  // id -> email (user fields)
  std::string sql_;
  std::int64_t after_id_ = 0, rows_ = 0;
};

// The reach condition for `ExportCursor` of a caller whose account reach over alias "a" is
// `account_reach` ("1 = 1" for all).
std::string ExportReach(RecordType type, const std::string& account_reach_over_a);

// Writes the whole export as CSV, piece by piece, to `sink`; it returns false to stop.
Status ExportCsv(ExportCursor& cursor, const std::function<bool(std::string_view)>& sink);
// Writes the whole export as an XLSX workbook at `path`.
Status ExportXlsx(ExportCursor& cursor, const std::string& path);

}  // namespace rapport::imports
