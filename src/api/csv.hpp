// CSV for exports (RFC 4180): fields quoted when they hold a comma, quote or line break; CRLF
// line ends. Cells that a spreadsheet would run as a formula (=, +, -, @ first) are prefixed with
// a quote mark so that an export cannot carry a formula into someone's spreadsheet.
#pragma once

#include <string>
#include <string_view>

namespace rapport::api {

// Builds one CSV document cell by cell, row by row. Not thread-safe: one per document.
class CsvWriter {
 public:
  CsvWriter& Cell(std::string_view text);
  CsvWriter& Cell(std::int64_t number);
  CsvWriter& EndRow();
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  bool row_started_ = false;
};

}  // namespace rapport::api
