#include "cli/command.hpp"

#include <iostream>

#include "db/migrations.hpp"

namespace rapport::cli {

std::string WithCommas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out = n < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
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
