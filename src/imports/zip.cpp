#include "imports/zip.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace rapport::imports::zip {
namespace {

Error Damaged(const std::string& what) { return Error(ErrorCode::kMalformed, what); }

std::uint32_t U16(const std::string& b, std::size_t at) {
  return static_cast<unsigned char>(b[at]) | (static_cast<unsigned char>(b[at + 1]) << 8);
}
std::uint32_t U32(const std::string& b, std::size_t at) {
  return U16(b, at) | (U16(b, at + 2) << 16);
}

}  // namespace

Result<std::map<std::string, Entry>> ReadDirectory(const std::string& b) {
  if (b.size() < 22) return Damaged("too short");
  std::size_t eocd = std::string::npos;
  const std::size_t lowest = b.size() > 22 + 65535 ? b.size() - 22 - 65535 : 0;
  for (std::size_t at = b.size() - 22 + 1; at-- > lowest;) {
    if (U32(b, at) == 0x06054b50) {
      eocd = at;
      break;
    }
  }
  if (eocd == std::string::npos) return Damaged("no zip directory (a damaged or partial file?)");
  const std::size_t count = U16(b, eocd + 10);
  std::size_t at = U32(b, eocd + 16);
  std::map<std::string, Entry> entries;
  for (std::size_t i = 0; i < count; ++i) {
    if (at + 46 > b.size() || U32(b, at) != 0x02014b50) return Damaged("a damaged zip directory");
    Entry e;
    e.method = static_cast<int>(U16(b, at + 10));
    e.compressed = U32(b, at + 20);
    e.size = U32(b, at + 24);
    const std::size_t name_length = U16(b, at + 28), extra = U16(b, at + 30),
                      comment = U16(b, at + 32);
    const std::size_t local = U32(b, at + 42);
    if (e.compressed == 0xFFFFFFFF || e.size == 0xFFFFFFFF || local == 0xFFFFFFFF) {
      return Damaged("a zip64 member: files over 4 GB are not imported");
    }
    if (at + 46 + name_length > b.size()) return Damaged("a damaged zip directory");
    const std::string name = b.substr(at + 46, name_length);
    if (local + 30 > b.size() || U32(b, local) != 0x04034b50) return Damaged("a damaged member");
    e.data = local + 30 + U16(b, local + 26) + U16(b, local + 28);
    if (e.data + e.compressed > b.size()) return Damaged("a member runs past the end");
    if (e.method != 0 && e.method != 8) return Damaged("a member compressed in an unknown way");
    entries[name] = e;
    at += 46 + name_length + extra + comment;
  }
  return entries;
}

Result<std::string> ReadMember(const std::string& zip, const Entry& entry, std::size_t limit) {
  MemberStream stream(zip, entry);
  std::string out;
  char buffer[1 << 16];
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(std::size_t n, stream.Read(buffer, sizeof buffer));
    if (n == 0) break;
    out.append(buffer, n);
    if (out.size() > limit) return Damaged("a member is larger than " + std::to_string(limit));
  }
  return out;
}

MemberStream::MemberStream(const std::string& zip, const Entry& entry) : zip_(zip), entry_(entry) {
  if (entry.method == 8) {
    std::memset(&z_, 0, sizeof z_);
    ok_ = inflating_ = inflateInit2(&z_, -MAX_WBITS) == Z_OK;
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zip.data() + entry.data));
    z_.avail_in = static_cast<uInt>(entry.compressed);
  }
}

MemberStream::~MemberStream() {
  if (inflating_) inflateEnd(&z_);  // also after corrupt data, which clears ok_
}

Result<std::size_t> MemberStream::Read(char* out, std::size_t capacity) {
  if (!ok_) return Damaged("corrupt compressed data");
  if (entry_.method == 0) {
    const std::size_t n = std::min(capacity, entry_.compressed - offset_);
    std::memcpy(out, zip_.data() + entry_.data + offset_, n);
    offset_ += n;
    return n;
  }
  if (done_) return std::size_t{0};
  z_.next_out = reinterpret_cast<Bytef*>(out);
  z_.avail_out = static_cast<uInt>(capacity);
  const int rc = inflate(&z_, Z_NO_FLUSH);
  if (rc == Z_STREAM_END) {
    done_ = true;
  } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
    ok_ = false;
    return Damaged("corrupt compressed data");
  }
  const std::size_t n = capacity - z_.avail_out;
  if (n == 0 && !done_ && z_.avail_in == 0) return Damaged("a member ends too soon");
  return n;
}

}  // namespace rapport::imports::zip
