// What reading an XLSX workbook and a book's zip costs: a 100,000-row, ten-column workbook made
// with libxlsxwriter, read whole through imports::OpenXlsx (the zip's directory, the shared
// strings, the sheet inflated and parsed as it streams); and a zip of CSV files (as Salesforce
// delivers a Data Export) extracted by moving::ExtractZip. Google Benchmark; run from the
// release build: build/release/bench/bench_readers.
#include <benchmark/benchmark.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "imports/xlsx_reader.hpp"
#include "moving/source_files.hpp"

namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A workbook of `rows` accounts-like rows (text, numbers, a date), as bytes.
const std::string& Workbook(int rows) {
  static std::string bytes;
  if (!bytes.empty()) return bytes;
  const fs::path path =
      fs::temp_directory_path() / ("bench-readers-" + std::to_string(getpid()) + ".xlsx");
  lxw_workbook* book = workbook_new(path.c_str());
  lxw_worksheet* sheet = workbook_add_worksheet(book, nullptr);
  const char* header[] = {"Account Name", "Region",  "Postcode", "City",     "Phone",
                          "Beds",         "Revenue", "Created",  "Industry", "Notes"};
  for (int c = 0; c < 10; ++c) worksheet_write_string(sheet, 0, c, header[c], nullptr);
  for (int r = 1; r <= rows; ++r) {
    const std::string name = "Mercy Clinic " + std::to_string(r);
    worksheet_write_string(sheet, r, 0, name.c_str(), nullptr);
    worksheet_write_string(sheet, r, 1, r % 3 ? "North West" : "South East", nullptr);
    worksheet_write_string(sheet, r, 2, ("M" + std::to_string(r % 90) + " 4BX").c_str(), nullptr);
    worksheet_write_string(sheet, r, 3, r % 2 ? "Manchester" : "Leeds", nullptr);
    worksheet_write_string(sheet, r, 4, ("0161 " + std::to_string(100000 + r)).c_str(), nullptr);
    worksheet_write_number(sheet, r, 5, r % 900, nullptr);
    worksheet_write_number(sheet, r, 6, r * 12.5, nullptr);
    worksheet_write_string(sheet, r, 7, "2026-11-30", nullptr);
    worksheet_write_string(sheet, r, 8, "Hospital & Health Care", nullptr);
    worksheet_write_string(sheet, r, 9, ("Visited on day " + std::to_string(r % 365)).c_str(),
                           nullptr);
  }
  workbook_close(book);
  bytes = Slurp(path);
  fs::remove(path);
  return bytes;
}

void ReadWorkbook(benchmark::State& state) {
  const std::string& bytes = Workbook(100'000);
  std::int64_t rows = 0;
  for (auto _ : state) {
    auto source = rapport::imports::OpenXlsx(bytes);
    if (!source.ok()) state.SkipWithError(source.error().message().c_str());
    std::vector<std::string> fields;
    while (true) {
      auto more = (*source)->Next(fields);
      if (!more.ok() || !*more) break;
      ++rows;
    }
  }
  state.SetItemsProcessed(rows);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(ReadWorkbook)->Unit(benchmark::kMillisecond)->MinTime(3.0);

// A book as Salesforce delivers it: a zip of CSV files (here one of 100,000 accounts, about
// 10 MB, deflated by Python's zipfile as Salesforce's export deflates), extracted to a folder.
const std::string& BookZip() {
  static std::string bytes;
  if (!bytes.empty()) return bytes;
  const fs::path dir = fs::temp_directory_path() / ("bench-zip-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "Account.csv", std::ios::binary);
    csv << "Id,Name,BillingCity,BillingPostalCode,Phone,NumberOfEmployees,Description\r\n";
    for (int r = 1; r <= 100'000; ++r) {
      csv << "001" << r << ",Mercy Clinic " << r << "," << (r % 2 ? "Manchester" : "Leeds") << ",M"
          << r % 90 << " 4BX,0161 " << 100000 + r << "," << r % 9000 << ",\"Visited on day "
          << r % 365 << "\"\r\n";
    }
  }
  const std::string command = "cd " + dir.string() +
                              " && python3 -c \"import zipfile; z = zipfile.ZipFile('book.zip', "
                              "'w', zipfile.ZIP_DEFLATED); z.write('Account.csv'); z.close()\"";
  if (std::system(command.c_str()) != 0) return bytes;
  bytes = Slurp(dir / "book.zip");
  fs::remove_all(dir);
  return bytes;
}

void ExtractBook(benchmark::State& state) {
  const std::string& zip = BookZip();
  if (zip.empty()) state.SkipWithError("python3 could not make the zip");
  const fs::path dir = fs::temp_directory_path() / ("bench-book-" + std::to_string(getpid()));
  fs::create_directories(dir);
  for (auto _ : state) {
    const rapport::Status status = rapport::moving::ExtractZip(zip, dir.string());
    if (!status.ok()) state.SkipWithError(status.error().message().c_str());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * zip.size()));
  fs::remove_all(dir);
}
BENCHMARK(ExtractBook)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
