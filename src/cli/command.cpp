#include "cli/command.hpp"

#include <algorithm>
#include <iostream>

#include "db/migrations.hpp"

namespace rapport::cli {

std::optional<ShiftedClock> TestClock(std::string_view value) {
  if (value.starts_with('+') || value.starts_with('-')) {
    // Seconds with up to six decimals, read exactly (no floating point).
    const bool negative = value.front() == '-';
    value.remove_prefix(1);
    std::int64_t whole = 0, micros = 0;
    int decimals = -1;  // -1: before the point
    for (char c : value) {
      if (c == '.' && decimals < 0) {
        decimals = 0;
        continue;
      }
      if (c < '0' || c > '9' || decimals >= 6 || whole > 1'000'000'000'000) return std::nullopt;
      if (decimals < 0) {
        whole = whole * 10 + (c - '0');
      } else {
        micros = micros * 10 + (c - '0');
        ++decimals;
      }
    }
    if (value.empty() || decimals == 0) return std::nullopt;
    for (int d = std::max(decimals, 0); d < 6; ++d) micros *= 10;
    const std::int64_t offset = whole * kMicrosPerSecond + micros;
    return ShiftedClock(negative ? -offset : offset);
  }
  Instant start = 0;
  if (!ParseInstant(std::string(value), start)) return std::nullopt;
  return ShiftedClock::StartingAt(start);
}

int Fail(const std::string& what) {
  std::cerr << "rapport: " << what << "\n";
  return kExitFailure;
}

int Fail(const Error& error) { return Fail(error.message()); }

CLI::Option* AddDbOption(CLI::App& command, std::string& db) {
  return command
      .add_option("--db", db, "SQLite database file, or a postgresql:// URL (env RAPPORT_DB)")
      ->envname("RAPPORT_DB")
      ->required();
}

Result<std::unique_ptr<db::Database>> OpenExisting(const std::string& url,
                                                   const db::DatabaseOptions& options) {
  db::DatabaseOptions existing = options;
  existing.create_if_missing = false;
  return db::Database::Open(url, existing);
}

Result<std::unique_ptr<db::Database>> OpenCurrent(const std::string& url,
                                                  const db::DatabaseOptions& options) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<db::Database> database, OpenExisting(url, options));
  RAPPORT_RETURN_IF_ERROR(db::CheckSchemaVersion(*database));
  return database;
}

}  // namespace rapport::cli
