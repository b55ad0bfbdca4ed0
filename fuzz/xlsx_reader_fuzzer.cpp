// libFuzzer target for imports::OpenXlsx: opens the input as a workbook and reads every row until
// the end or an error (errors are expected; crashes, sanitizer reports, hangs and runaway memory
// are bugs). Also checks what the reader promises: rows after the header are padded to its width,
// a row holds at most 1 MiB of text, and bytes_read() never passes the input's size.
//
// Random bytes rarely make a zip whose XML parts still parse, so a custom mutator mostly unpacks
// the zip, mutates one member's (inflated) content with libFuzzer's own mutations and packs it
// again (stored or deflated as it was, with correct sizes and CRCs); otherwise it mutates the raw
// bytes, to reach the zip reading itself.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <zlib.h>

#include "imports/xlsx_reader.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace {

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "xlsx_reader_fuzzer: %s\n", what);
  std::abort();
}

// The most a member may inflate to in the mutator (the reader itself has its own limits).
constexpr std::size_t kMaxMemberBytes = std::size_t{1} << 20;

struct Member {
  std::string name;
  int method = 0;  // 0 stored, 8 deflated
  std::string content;
};

std::uint32_t Get16(const std::uint8_t* p) { return p[0] | (p[1] << 8); }
std::uint32_t Get32(const std::uint8_t* p) { return Get16(p) | (Get16(p + 2) << 16); }
void Put16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void Put32(std::string& out, std::uint32_t v) {
  Put16(out, v & 0xFFFF);
  Put16(out, v >> 16);
}

bool Inflate(const std::uint8_t* in, std::size_t size, std::string& out) {
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return false;
  z.next_in = const_cast<Bytef*>(in);
  z.avail_in = static_cast<uInt>(size);
  char buffer[1 << 14];
  int rc = Z_OK;
  while (rc == Z_OK && out.size() <= kMaxMemberBytes) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END;
}

bool Deflate(const std::string& in, std::string& out) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return false;
  }
  out.resize(deflateBound(&z, static_cast<uLong>(in.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END;
}

// The members of a well-formed zip (through its central directory); false for anything else.
bool Unzip(const std::uint8_t* data, std::size_t size, std::vector<Member>& members) {
  if (size < 22) return false;
  std::size_t eocd = size - 22;
  while (Get32(data + eocd) != 0x06054b50) {
    if (eocd == 0 || size - eocd > 22 + 65535) return false;
    --eocd;
  }
  const std::size_t count = Get16(data + eocd + 10);
  std::size_t at = Get32(data + eocd + 16);
  for (std::size_t i = 0; i < count; ++i) {
    if (at + 46 > size || Get32(data + at) != 0x02014b50) return false;
    Member m;
    m.method = static_cast<int>(Get16(data + at + 10));
    const std::size_t compressed = Get32(data + at + 20);
    const std::size_t name_length = Get16(data + at + 28);
    const std::size_t skip = Get16(data + at + 30) + Get16(data + at + 32);
    const std::size_t local = Get32(data + at + 42);
    if (at + 46 + name_length > size || local + 30 > size) return false;
    m.name.assign(reinterpret_cast<const char*>(data) + at + 46, name_length);
    const std::size_t start = local + 30 + Get16(data + local + 26) + Get16(data + local + 28);
    if (start + compressed > size || compressed > kMaxMemberBytes) return false;
    if (m.method == 0) {
      m.content.assign(reinterpret_cast<const char*>(data) + start, compressed);
    } else if (m.method != 8 || !Inflate(data + start, compressed, m.content) ||
               m.content.size() > kMaxMemberBytes) {
      return false;
    }
    members.push_back(std::move(m));
    at += 46 + name_length + skip;
  }
  return true;
}

std::string Zip(const std::vector<Member>& members) {
  std::string out, directory;
  for (const Member& m : members) {
    std::string packed;
    int method = m.method;
    if (method != 8 || !Deflate(m.content, packed)) {
      method = 0;
      packed = m.content;
    }
    const auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(m.content.data()), m.content.size()));
    const auto offset = static_cast<std::uint32_t>(out.size());
    for (std::string* header : {&out, &directory}) {
      const bool central = header == &directory;
      Put32(*header, central ? 0x02014b50 : 0x04034b50);
      if (central) Put16(*header, 20);  // made by
      Put16(*header, 20);               // needed to extract
      Put16(*header, 0);                // flags
      Put16(*header, method);
      Put16(*header, 0);     // time
      Put16(*header, 0x21);  // date: 1980-01-01
      Put32(*header, crc);
      Put32(*header, packed.size());
      Put32(*header, m.content.size());
      Put16(*header, m.name.size());
      Put16(*header, 0);  // extra
      if (central) {
        Put16(*header, 0);  // comment
        Put16(*header, 0);  // disk
        Put16(*header, 0);  // internal attributes
        Put32(*header, 0);  // external attributes
        Put32(*header, offset);
      }
      header->append(m.name);
    }
    out.append(packed);
  }
  const auto directory_offset = static_cast<std::uint32_t>(out.size());
  out.append(directory);
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, members.size());
  Put16(out, members.size());
  Put32(out, directory.size());
  Put32(out, directory_offset);
  Put16(out, 0);  // comment
  return out;
}

}  // namespace

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
  std::minstd_rand random(seed);
  std::vector<Member> members;
  if (random() % 8 != 0 && Unzip(data, size, members) && !members.empty() && members.size() < 64) {
    Member& m = members[random() % members.size()];
    const std::size_t had = m.content.size();
    if (had < max_size) {
      m.content.resize(std::min(had + 256, max_size));
      m.content.resize(LLVMFuzzerMutate(reinterpret_cast<std::uint8_t*>(m.content.data()), had,
                                        m.content.size()));
    }
    if (random() % 16 == 0) m.method = 8 - m.method;  // deflated <-> stored
    const std::string zip = Zip(members);
    if (zip.size() <= max_size) {
      std::copy(zip.begin(), zip.end(), data);
      return zip.size();
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto opened = rapport::imports::OpenXlsx(std::string(reinterpret_cast<const char*>(data), size));
  if (!opened.ok()) return 0;
  rapport::imports::RecordSource& reader = *opened.value();
  std::vector<std::string> fields;
  std::size_t width = 0;
  bool header = true;
  while (true) {
    auto next = reader.Next(fields);
    Check(reader.bytes_read() <= size, "bytes_read() is past the end of the input");
    if (!next.ok() || !next.value()) break;
    std::size_t text = 0;
    for (const std::string& field : fields) text += field.size();
    Check(text <= (std::size_t{1} << 20), "a row holds more than 1 MiB of text");
    if (header) {
      width = fields.size();
      header = false;
    } else {
      Check(fields.size() >= width, "a row is narrower than the header");
    }
  }
  return 0;
}
