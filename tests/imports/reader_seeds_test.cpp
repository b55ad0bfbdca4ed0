// The CSV and XLSX readers over the fuzzers' committed seeds (fuzz/seeds): every seed reads to
// its end or to a clear refusal, and the inputs that once leaked, overflowed or grew without
// bound now end as they should. Run under ASan and LeakSanitizer like the rest of the suite.
#include <gtest/gtest.h>

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
