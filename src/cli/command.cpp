#include "cli/command.hpp"

#include <iostream>

namespace rapport::cli {

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

Result<std::unique_ptr<db::Database>> OpenExisting(const std::string& url) {
  db::DatabaseOptions options;
  options.create_if_missing = false;
  return db::Database::Open(url, options);
}

}  // namespace rapport::cli
