#include "api/csv.hpp"

#include <cstdint>

namespace rapport::api {

CsvWriter& CsvWriter::Cell(std::string_view text) {
  if (row_started_) out_ += ',';
  row_started_ = true;
  std::string value;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) {
    value = "'";
  }
  value += text;
  if (value.find_first_of(",\"\r\n") == std::string::npos) {
    out_ += value;
    return *this;
  }
  out_ += '"';
  for (char c : value) {
    if (c == '"') out_ += '"';
    out_ += c;
  }
  out_ += '"';
  return *this;
}

CsvWriter& CsvWriter::Cell(std::int64_t number) {
  if (row_started_) out_ += ',';
  row_started_ = true;
  out_ += std::to_string(number);
  return *this;
}

CsvWriter& CsvWriter::EndRow() {
  out_ += "\r\n";
  row_started_ = false;
  return *this;
}

}  // namespace rapport::api
