// Where an import's records come from: a CSV reader or a worksheet of an XLSX file. The first
// record is the header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace rapport::imports {

// One file's records in order, the header first. Not thread-safe: one reader at a time (an import
// reads it on a thread of its own).
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // The next record: true when there was one, false at the end; kMalformed when the file cannot
  // be read (naming the line).
  virtual Result<bool> Next(std::vector<std::string>& fields) = 0;
  // The line (CSV) or row (XLSX), 1-based, on which the record last returned starts.
  virtual std::int64_t line() const = 0;
  // How far through the file it is, in bytes (for progress).
  virtual std::uint64_t bytes_read() const = 0;
};

}  // namespace rapport::imports
