// The bytes of a gzip stream (RFC 1952), for tests of what the server compresses.
#pragma once

#include <zlib.h>

#include <string>

namespace rapport::testing {

// "<not gzip>" when `compressed` is not one whole gzip stream.
inline std::string Gunzip(const std::string& compressed) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "<not gzip>";
  std::string out(compressed.size() * 50 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int done = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return done == Z_STREAM_END ? out : "<not gzip>";
}

}  // namespace rapport::testing
