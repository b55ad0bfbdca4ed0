#include "imports/zip.hpp"

#include <zip.h>

#include <algorithm>

namespace rapport::imports::zip {
namespace {

Error Damaged(const std::string& what) { return Error(ErrorCode::kMalformed, what); }

// libzip's word for what went wrong, as people read it.
std::string Why(zip_error_t* error) {
  switch (zip_error_code_zip(error)) {
    case ZIP_ER_NOZIP:
      return "no zip directory (a damaged or partial file?)";
    case ZIP_ER_INCONS:
      return "a damaged zip directory";
    case ZIP_ER_CRC:
      return "a member does not match its checksum (a damaged file?)";
    case ZIP_ER_COMPNOTSUPP:
      return "a member compressed in an unknown way";
    case ZIP_ER_NOPASSWD:
    case ZIP_ER_ENCRNOTSUPP:
    case ZIP_ER_WRONGPASSWD:
      return "an encrypted member: export it without a password";
    case ZIP_ER_ZLIB:
    case ZIP_ER_EOF:
      return "corrupt compressed data";
    default:
      return zip_error_strerror(error);
  }
}

}  // namespace

MemberStream::~MemberStream() { zip_fclose(file_); }

Result<std::size_t> MemberStream::Read(char* out, std::size_t capacity) {
  const zip_int64_t n = zip_fread(file_, out, capacity);
  if (n < 0) return Damaged(Why(zip_file_get_error(file_)));
  read_ += static_cast<std::uint64_t>(n);
  return static_cast<std::size_t>(n);
}

std::size_t MemberStream::consumed() const {
  if (entry_.size == 0) return static_cast<std::size_t>(entry_.compressed);
  const double share = std::min(1.0, static_cast<double>(read_) / static_cast<double>(entry_.size));
  return static_cast<std::size_t>(share * static_cast<double>(entry_.compressed));
}

Result<std::unique_ptr<Archive>> Archive::Open(const std::string& bytes) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!source) {
    const std::string why = Why(&error);
    zip_error_fini(&error);
    return Damaged(why);
  }
  ::zip* opened = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  if (!opened) {
    const std::string why = Why(&error);
    zip_source_free(source);
    zip_error_fini(&error);
    return Damaged(why);
  }
  zip_error_fini(&error);
  std::unique_ptr<Archive> archive(new Archive(opened));
  const zip_int64_t count = zip_get_num_entries(opened, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(opened, static_cast<zip_uint64_t>(i), 0, &stat) != 0 ||
        !(stat.valid & ZIP_STAT_NAME)) {
      return Damaged("a damaged zip directory");
    }
    archive->entries_[stat.name] = {static_cast<std::uint64_t>(i), stat.comp_size, stat.size};
  }
  return archive;
}

Archive::~Archive() { zip_discard(zip_); }

const Entry* Archive::Find(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

Result<std::unique_ptr<MemberStream>> Archive::Stream(const Entry& entry) {
  zip_file_t* file = zip_fopen_index(zip_, entry.index, 0);
  if (!file) return Damaged(Why(zip_get_error(zip_)));
  return std::make_unique<MemberStream>(file, entry);
}

Result<std::string> Archive::ReadMember(const Entry& entry, std::size_t limit) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<MemberStream> stream, Stream(entry));
  std::string out;
  char buffer[1 << 16];
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(std::size_t n, stream->Read(buffer, sizeof buffer));
    if (n == 0) break;
    out.append(buffer, n);
    if (out.size() > limit) return Damaged("a member is larger than " + std::to_string(limit));
  }
  return out;
}

}  // namespace rapport::imports::zip
