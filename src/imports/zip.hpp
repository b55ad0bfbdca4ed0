// Reading a zip file held in memory: its directory and its members, inflated with zlib as they
// are read (an XLSX workbook is one; so are Salesforce's and HubSpot's exports). Members over 4 GB
// (zip64) are refused. Stateless functions; a MemberStream is one reader's.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <map>
#include <string>

#include "core/result.hpp"

namespace rapport::imports::zip {

// One member of the zip.
struct Entry {
  int method = 0;  // 0 stored, 8 deflated
  std::size_t compressed = 0, size = 0, data = 0;
};

// The members of the zip in `bytes`, by name; kMalformed saying what is damaged.
Result<std::map<std::string, Entry>> ReadDirectory(const std::string& bytes);

// Streams one member's bytes out, inflating as it goes. `zip` must outlive it.
class MemberStream {
 public:
  MemberStream(const std::string& zip, const Entry& entry);
  ~MemberStream();
  MemberStream(const MemberStream&) = delete;
  MemberStream& operator=(const MemberStream&) = delete;

  // Up to `capacity` bytes; 0 at the end. kMalformed on corrupt data.
  Result<std::size_t> Read(char* out, std::size_t capacity);
  // How much of the compressed member is read.
  std::size_t consumed() const {
    return entry_.method == 8 ? entry_.compressed - z_.avail_in : offset_;
  }

 private:
  const std::string& zip_;
  Entry entry_;
  z_stream z_{};
  bool ok_ = true, done_ = false, inflating_ = false;
  std::size_t offset_ = 0;
};

// The whole member, refused (kMalformed) once larger than `limit` bytes.
Result<std::string> ReadMember(const std::string& zip, const Entry& entry, std::size_t limit);

}  // namespace rapport::imports::zip
