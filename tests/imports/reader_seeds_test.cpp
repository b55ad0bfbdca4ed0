// The CSV and XLSX readers over the fuzzers' committed seeds (fuzz/seeds): every seed reads to
// its end or to a clear refusal, and the inputs that once leaked, overflowed or grew without
// bound now end as they should. Run under ASan and LeakSanitizer like the rest of the suite.
#include <gtest/gtest.h>
#include <zip.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "imports/csv_reader.hpp"
#include "imports/xlsx_reader.hpp"

namespace rapport::imports {
namespace {

const std::filesystem::path kSeeds = std::filesystem::path(RAPPORT_SOURCE_DIR) / "fuzz" / "seeds";

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Reads every record; the error that ended it, or "" at a clean end.
std::string ReadAll(RecordSource& source, int& records) {
  std::vector<std::string> fields;
  records = 0;
  while (true) {
    Result<bool> next = source.Next(fields);
    if (!next.ok()) return next.error().message();
    if (!next.value()) return "";
    ++records;
  }
}

std::string ReadXlsx(const std::string& seed, int& records) {
  auto opened = OpenXlsx(Slurp(kSeeds / "xlsx" / seed));
  if (!opened.ok()) return opened.error().message();
  return ReadAll(**opened, records);
}

TEST(ReaderSeeds, EverySeedReadsToItsEndOrARefusal) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSeeds / "csv")) {
    const std::string bytes = Slurp(entry.path());
    CsvReader reader(MemorySource(bytes));
    int records = 0;
    ReadAll(reader, records);
    ++files;
  }
  for (const auto& entry : std::filesystem::directory_iterator(kSeeds / "xlsx")) {
    int records = 0;
    ReadXlsx(entry.path().filename().string(), records);
    ++files;
  }
  EXPECT_GE(files, 10) << "the seeds are missing";
}

TEST(ReaderSeeds, AWorkbookReadsItsRows) {
  int records = 0;
  EXPECT_EQ(ReadXlsx("accounts_deflated.xlsx", records), "");
  EXPECT_GT(records, 1);
}

// The seed's members written again with libzip: stored (not deflated), so that its bytes can be
// altered in place, and encrypted when asked.
std::string Repack(const std::string& bytes, bool encrypt) {
  zip_error_t error;
  zip_error_init(&error);
  zip_t* in = zip_open_from_source(zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error),
                                   ZIP_RDONLY, &error);
  EXPECT_NE(in, nullptr);
  zip_source_t* written = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(written);
  zip_t* out = zip_open_from_source(written, ZIP_TRUNCATE, &error);
  std::vector<std::string> members;
  members.reserve(static_cast<std::size_t>(zip_get_num_entries(in, 0)));
  const zip_uint16_t method =
      zip_encryption_method_supported(ZIP_EM_AES_256, 1) ? ZIP_EM_AES_256 : ZIP_EM_TRAD_PKWARE;
  for (zip_int64_t i = 0; i < zip_get_num_entries(in, 0); ++i) {
    zip_stat_t stat;
    zip_stat_index(in, i, 0, &stat);
    std::string& member = members.emplace_back(stat.size, '\0');
    zip_file_t* file = zip_fopen_index(in, i, 0);
    EXPECT_EQ(zip_fread(file, member.data(), member.size()), static_cast<zip_int64_t>(stat.size));
    zip_fclose(file);
    const zip_int64_t added =
        zip_file_add(out, stat.name, zip_source_buffer(out, member.data(), member.size(), 0), 0);
    zip_set_file_compression(out, added, ZIP_CM_STORE, 0);
    if (encrypt) {
      EXPECT_EQ(zip_file_set_encryption(out, added, method, "secret"), 0);
    }
  }
  EXPECT_EQ(zip_close(out), 0);
  zip_discard(in);
  zip_stat_t stat;
  zip_source_stat(written, &stat);
  std::string repacked(stat.size, '\0');
  zip_source_open(written);
  zip_source_read(written, repacked.data(), repacked.size());
  zip_source_close(written);
  zip_source_free(written);
  return repacked;
}

std::string ReadXlsxBytes(const std::string& bytes, int& records) {
  auto opened = OpenXlsx(bytes);
  if (!opened.ok()) return opened.error().message();
  return ReadAll(**opened, records);
}

// A member's bytes altered after it was written: its checksum no longer matches, and the
// workbook is refused rather than read with a wrong value (a stored member has no other check).
TEST(ReaderSeeds, AMemberThatDoesNotMatchItsChecksumIsRefused) {
  const std::string stored = Repack(Slurp(kSeeds / "xlsx" / "accounts_deflated.xlsx"), false);
  int records = 0;
  ASSERT_EQ(ReadXlsxBytes(stored, records), "") << "the repacked workbook reads";
  EXPECT_GT(records, 1);
  std::string altered = stored;
  const std::size_t at = altered.find("Account Name");
  ASSERT_NE(at, std::string::npos);
  altered[at + 9] = 'b';  // "Account Nbme"
  const std::string problem = ReadXlsxBytes(altered, records);
  EXPECT_NE(problem.find("checksum"), std::string::npos) << problem;
}

TEST(ReaderSeeds, AnEncryptedWorkbookIsRefusedSayingSo) {
  int records = 0;
  const std::string problem =
      ReadXlsxBytes(Repack(Slurp(kSeeds / "xlsx" / "accounts_deflated.xlsx"), true), records);
  EXPECT_NE(problem.find("encrypted"), std::string::npos) << problem;
}

TEST(ReaderSeeds, CorruptCompressedDataIsRefusedAndFreed) {
  int records = 0;
  EXPECT_NE(ReadXlsx("leak_corrupt_deflate_rels.xlsx", records), "");  // LeakSanitizer: freed
}

TEST(ReaderSeeds, ARowWithoutReferencesPastTheLastColumnIsRefused) {
  int records = 0;
  const std::string problem = ReadXlsx("wide_row_without_references.xlsx", records);
  EXPECT_NE(problem.find("more than 16384 columns"), std::string::npos) << problem;
}

}  // namespace
}  // namespace rapport::imports
