// Reads CSV (RFC 4180) record by record from a byte source, for imports: quoted fields with
// doubled quotes and line breaks inside, CRLF or LF line ends, a UTF-8 byte-order mark skipped.
// It refuses, naming the line, what is not CSV in UTF-8: another encoding (UTF-16, Latin-1
// bytes), NUL bytes, a quote opened and never closed, a record longer than the limit (so a 2 GB
// line costs 1 MiB of memory before it is refused), and a spreadsheet sent as CSV.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "imports/record_source.hpp"

namespace rapport::imports {

// The records of one CSV file (see above). Not thread-safe: one per file, read by one thread at a
// time.
class CsvReader final : public RecordSource {
 public:
  // Fills up to `capacity` bytes of `buffer`; returns how many (0 at the end).
  using Source = std::function<std::size_t(char* buffer, std::size_t capacity)>;

  explicit CsvReader(Source source, std::size_t max_record_bytes = 1 << 20);

  // The next record into `fields`: true when there was one, false at the end; kMalformed when
  // the file cannot be read as CSV in UTF-8. Blank lines are skipped.
  Result<bool> Next(std::vector<std::string>& fields) override;

  // The (1-based) line on which the record last returned starts.
  std::int64_t line() const override { return record_line_; }
  std::uint64_t bytes_read() const override { return consumed_; }

 private:
  bool Fill();  // false at the end of the source
  // Next's steps: the file's first bytes (a byte-order mark, or not CSV at all); a quoted field
  // after its opening quote, up to the byte after its closing one; a run of plain bytes; the
  // record's fields as text.
  Status Start();
  Status ReadQuoted(std::string& field, std::size_t& record_bytes);
  Status ReadPlain(std::string& field, std::size_t& record_bytes);
  Status CheckText(const std::vector<std::string>& fields) const;
  int Get() {
    if (begin_ == end_ && !Fill()) return -1;
    ++consumed_;
    return static_cast<unsigned char>(buffer_[begin_++]);
  }
  int Peek() {
    if (begin_ == end_ && !Fill()) return -1;
    return static_cast<unsigned char>(buffer_[begin_]);
  }
  Error Malformed(const std::string& what) const;
  Error TooLong() const;

  Source source_;
  std::size_t max_record_bytes_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t consumed_ = 0;
  std::int64_t line_ = 1;
  std::int64_t record_line_ = 0;
  bool started_ = false;
  bool exhausted_ = false;
};

// A Source over bytes in memory (which must outlive the reader).
CsvReader::Source MemorySource(std::string_view bytes);

}  // namespace rapport::imports
