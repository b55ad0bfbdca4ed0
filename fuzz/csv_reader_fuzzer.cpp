// libFuzzer target for imports::CsvReader: reads every record of the input until the end or an
// error (errors are expected; crashes, sanitizer reports, hangs and runaway memory are bugs). It
// reads each input one of three ways: from memory as the HTTP import does; both from memory and
// through a source that hands out a few bytes at a time (the records and the end must be the same,
// so buffer refills cannot change what is read); or with a 64-byte record limit, to reach the "too
// long" refusal. Also checks that line() never goes back and bytes_read() never passes the input's
// size.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "imports/csv_reader.hpp"

namespace {

using rapport::imports::CsvReader;

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "csv_reader_fuzzer: %s\n", what);
  std::abort();
}

// What one reading gave: the records, and whether it ended in an error.
struct Reading {
  std::vector<std::vector<std::string>> records;
  bool error = false;
};

Reading ReadAll(CsvReader& reader, std::size_t size, bool keep) {
  Reading reading;
  std::vector<std::string> fields;
  std::int64_t last_line = 0;
  while (true) {
    auto next = reader.Next(fields);
    Check(reader.bytes_read() <= size, "bytes_read() is past the end of the input");
    if (!next.ok()) {
      reading.error = true;
      break;
    }
    if (!next.value()) break;
    Check(reader.line() >= std::max<std::int64_t>(last_line, 1), "line() went back");
    last_line = reader.line();
    if (keep) reading.records.push_back(fields);
  }
  return reading;
}

// Hands out at most `chunk` bytes per call.
CsvReader::Source ChunkedSource(std::string_view bytes, std::size_t chunk) {
  return [bytes, chunk, at = std::size_t{0}](char* buffer, std::size_t capacity) mutable {
    const std::size_t n = std::min({capacity, chunk, bytes.size() - at});
    std::memcpy(buffer, bytes.data() + at, n);
    at += n;
    return n;
  };
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Each reader allocates a 1 MiB buffer, which costs ASan about as much as the reading, so the
  // input picks (by a hash of its first bytes) which readings to do rather than doing all three.
  std::size_t hash = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(size, 64); ++i) hash = hash * 31 + data[i];
  switch (hash % 4) {
    case 0: {  // as the HTTP import reads
      CsvReader reader(rapport::imports::MemorySource(bytes));
      ReadAll(reader, size, false);
      break;
    }
    case 1:
    case 2: {  // a few bytes per refill (at least 4: the byte-order mark and the UTF-16 and zip
               // checks look at the first refill only) must read the same as all at once
      const bool keep = size <= (1 << 16);  // bounded: the fuzzer makes inputs this small
      CsvReader whole(rapport::imports::MemorySource(bytes));
      const Reading expected = ReadAll(whole, size, keep);
      CsvReader chunked(ChunkedSource(bytes, 4 + hash / 4 % 61));
      const Reading got = ReadAll(chunked, size, keep);
      Check(got.error == expected.error, "refill size changed whether the file reads");
      Check(got.records == expected.records, "refill size changed the records");
      break;
    }
    default: {  // a 64-byte record limit, to reach the "too long" refusal
      CsvReader reader(rapport::imports::MemorySource(bytes), 64);
      ReadAll(reader, size, false);
      break;
    }
  }
  return 0;
}
