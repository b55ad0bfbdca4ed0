// Reading a zip file held in memory (an XLSX workbook is one; so are Salesforce's and HubSpot's
// exports) through libzip: its directory, checked for consistency as it is opened, and its
// members inflated as they are read, each checked against its CRC-32 at its end. Encrypted
// members are refused. An Archive and its streams are one reader's (libzip's handles are not
// shared between threads); a stream must not outlive its archive, nor the archive its bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "core/result.hpp"

struct zip;
struct zip_file;

namespace rapport::imports::zip {

// One member of the zip.
struct Entry {
  std::uint64_t index = 0;
  std::uint64_t compressed = 0, size = 0;
};

// Streams one member's bytes out, inflating as it goes.
class MemberStream {
 public:
  MemberStream(::zip_file* file, const Entry& entry) : file_(file), entry_(entry) {}
  ~MemberStream();
  MemberStream(const MemberStream&) = delete;
  MemberStream& operator=(const MemberStream&) = delete;

  // Up to `capacity` bytes; 0 at the end. kMalformed on corrupt data (or a wrong CRC-32).
  Result<std::size_t> Read(char* out, std::size_t capacity);
  // About how much of the compressed member is read (its share of the member read so far).
  std::size_t consumed() const;

 private:
  ::zip_file* file_;
  Entry entry_;
  std::uint64_t read_ = 0;
};

class Archive {
 public:
  // The zip in `bytes`, which must outlive it; kMalformed saying what is damaged.
  static Result<std::unique_ptr<Archive>> Open(const std::string& bytes);
  ~Archive();
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  // The members, by name.
  const std::map<std::string, Entry>& entries() const { return entries_; }
  // The member named `name`, or null.
  const Entry* Find(const std::string& name) const;
  // A stream of the member's bytes; kMalformed when it cannot be read (encrypted, or compressed
  // in a way libzip does not know).
  Result<std::unique_ptr<MemberStream>> Stream(const Entry& entry);
  // The whole member, refused (kMalformed) once larger than `limit` bytes.
  Result<std::string> ReadMember(const Entry& entry, std::size_t limit);

 private:
  explicit Archive(::zip* zip) : zip_(zip) {}
  ::zip* zip_;
  std::map<std::string, Entry> entries_;
};

}  // namespace rapport::imports::zip
