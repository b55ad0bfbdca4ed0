// rapport backup: a consistent copy of a live SQLite database.
#include <iostream>

#include "cli/command.hpp"
#include "db/postgres/postgres_database.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace rapport::cli {

void AddBackupCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("backup", "Copy a live SQLite database consistently");
  auto db_url = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  AddDbOption(*command, *db_url);
  command->add_option("--to", *to, "The new backup file")->required();
  command->callback([&context, db_url, to] {
    if (db::Database::IsPostgresUrl(*db_url)) {
      context.exit_code = Fail(
          "a PostgreSQL database is backed up with PostgreSQL's own tool, while it runs:\n"
          "  pg_dump --format=custom --file='" +
          *to + "' '" + db::RedactPostgresUrl(*db_url) +
          "'\n"
          "and restored with pg_restore --dbname=URL '" +
          *to + "'");
      return;
    }
    if (Status s = db::BackupSqlite(*db_url, *to); !s.ok()) {
      context.exit_code = Fail(s.error());
      return;
    }
    std::cout << "backed up " << *db_url << " to " << *to << "\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
