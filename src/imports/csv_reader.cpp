#include "imports/csv_reader.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

namespace rapport::imports {

CsvReader::CsvReader(Source source, std::size_t max_record_bytes)
    : source_(std::move(source)), max_record_bytes_(max_record_bytes), buffer_(1 << 20) {}

CsvReader::Source MemorySource(std::string_view bytes) {
  return [bytes, at = std::size_t{0}](char* buffer, std::size_t capacity) mutable {
    const std::size_t n = std::min(capacity, bytes.size() - at);
    std::memcpy(buffer, bytes.data() + at, n);
    at += n;
    return n;
  };
}

bool CsvReader::Fill() {
  if (exhausted_) return false;
  begin_ = end_ = 0;
  end_ = source_(buffer_.data(), buffer_.size());
  if (end_ == 0) exhausted_ = true;
  return end_ > 0;
}

Error CsvReader::TooLong() const {
  return Malformed("a record longer than " + std::to_string(max_record_bytes_ >> 10) +
                   " KiB: is this a CSV file?");
}

Error CsvReader::Malformed(const std::string& what) const {
  return Error(ErrorCode::kMalformed, "line " + std::to_string(record_line_) + ": " + what);
}

Status CsvReader::Start() {
  started_ = true;
  // The first bytes tell a byte-order mark, UTF-16 or a zip (XLSX) file.
  unsigned char head[4] = {0, 0, 0, 0};
  std::size_t n = 0;
  if (Fill()) {
    n = std::min<std::size_t>(end_, 4);
    std::memcpy(head, buffer_.data(), n);
  }
  record_line_ = 1;
  if (n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) {
    return Malformed("the file is UTF-16: save it as CSV UTF-8 (comma delimited)");
  }
  if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
    return Malformed("the file is a spreadsheet (XLSX or another zip), not CSV: send it as XLSX");
  }
  if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
    begin_ = 3;
    consumed_ = 3;
  }
  return Ok();
}

Status CsvReader::ReadQuoted(std::string& field, std::size_t& record_bytes) {
  // Inside quotes until a quote that is not doubled.
  while (true) {
    // Copy the run up to the next quote straight from the buffer.
    if (begin_ == end_ && !Fill()) {
      return Malformed("a quoted field opened on this line is never closed");
    }
    const char* p = buffer_.data() + begin_;
    const char* stop = buffer_.data() + end_;
    const char* q = static_cast<const char*>(std::memchr(p, '"', stop - p));
    const char* upto = q ? q : stop;
    line_ += std::count(p, upto, '\n');
    field.append(p, upto);
    record_bytes += upto - p;
    consumed_ += upto - p;
    begin_ = upto - buffer_.data();
    if (record_bytes > max_record_bytes_) return TooLong();
    if (!q) continue;
    Get();  // the quote
    if (Peek() == '"') {
      Get();
      field.push_back('"');
      continue;
    }
    break;
  }
  const int c = Peek();
  if (c >= 0 && c != ',' && c != '\n' && c != '\r') {
    return Malformed("a quoted field is followed by more text before the next comma");
  }
  return Ok();
}

Status CsvReader::ReadPlain(std::string& field, std::size_t& record_bytes) {
  const char* p = buffer_.data() + begin_;
  const char* stop = buffer_.data() + end_;
  const char* r = p;
  while (r < stop && *r != ',' && *r != '\n' && *r != '\r') ++r;
  field.append(p, r);
  record_bytes += r - p;
  consumed_ += r - p;
  begin_ = r - buffer_.data();
  if (record_bytes > max_record_bytes_) return TooLong();
  return Ok();
}

Status CsvReader::CheckText(const std::vector<std::string>& fields) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string& f = fields[i];
    if (std::memchr(f.data(), '\0', f.size())) {
      return Malformed("field " + std::to_string(i + 1) + " holds a NUL byte: not a text file");
    }
    if (!simdjson::validate_utf8(f.data(), f.size())) {
      return Malformed("field " + std::to_string(i + 1) +
                       " is not UTF-8 (Latin-1 or Windows-1252?): save the file as CSV UTF-8");
    }
  }
  return Ok();
}

Result<bool> CsvReader::Next(std::vector<std::string>& fields) {
  if (!started_) RAPPORT_RETURN_IF_ERROR(Start());
  std::string field;
  while (true) {
    fields.clear();
    field.clear();
    record_line_ = line_;
    std::size_t record_bytes = 0;
    bool was_quoted = false;  // the current field began with a quote
    int c = Get();
    if (c < 0) return false;
    while (true) {
      if (c == '"' && field.empty() && !was_quoted) {
        was_quoted = true;
        RAPPORT_RETURN_IF_ERROR(ReadQuoted(field, record_bytes));
        c = Get();
        continue;
      }
      if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
        c = Get();
        continue;
      }
      if (c < 0 || c == '\n' || c == '\r') {
        if (c == '\r' && Peek() == '\n') Get();
        if (c >= 0) ++line_;
        break;
      }
      // A run of ordinary bytes (a quote inside an unquoted field is kept as it is).
      field.push_back(static_cast<char>(c));
      ++record_bytes;
      RAPPORT_RETURN_IF_ERROR(ReadPlain(field, record_bytes));
      c = Get();
    }
    fields.push_back(std::move(field));
    if (fields.size() == 1 && fields[0].empty() && !was_quoted) continue;  // a blank line
    RAPPORT_RETURN_IF_ERROR(CheckText(fields));
    return true;
  }
}

}  // namespace rapport::imports
