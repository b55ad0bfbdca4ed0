// rapport backup and rapport restore: a consistent copy of a live database, and that copy put
// back as an identical database. SQLite through its online-backup API; PostgreSQL through its
// own pg_dump and pg_restore (custom format), given the password by environment, never on a
// command line. Both print the records in each table, so that the two can be compared.
#include <filesystem>
#include <iostream>

#include "cli/child_process.hpp"
#include "cli/command.hpp"
#include "db/migrations.hpp"
#include "db/postgres/postgres_database.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace rapport::cli {
namespace {

// "schema version 29" and each domain table's records, a line each ("  accounts  2000").
Status PrintRecords(db::Database& database, std::ostream& out) {
  return database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t version,
                             tx.QueryInt("SELECT max(version) FROM schema_migrations"));
    out << "schema version " << version << "\n";
    for (const std::string& table : db::DomainTables()) {
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t n, tx.QueryInt("SELECT count(*) FROM " + table));
      out << "  " << table << "  " << n << "\n";
    }
    return Ok();
  });
}

// pg_dump or pg_restore on `url`'s database, the password in PGPASSWORD.
Status RunPostgresTool(const std::string& url, std::vector<std::string> argv) {
  RAPPORT_ASSIGN_OR_RETURN(db::PostgresConnectionForTools tools, db::SplitPostgresPassword(url));
  argv.push_back("--dbname=" + tools.conninfo);
  std::vector<std::string> environment;
  if (!tools.password.empty()) environment.push_back("PGPASSWORD=" + tools.password);
  RAPPORT_ASSIGN_OR_RETURN(int code, RunProgram(argv, environment));
  if (code != 0) {
    return Error(ErrorCode::kUnavailable,
                 argv[0] + " failed (exit " + std::to_string(code) + "); see its message above");
  }
  return Ok();
}

Status BackUp(const std::string& url, const std::string& to) {
  if (std::filesystem::exists(to)) {
    return Error::InvalidField("--to", to + " already exists: back up to a new file");
  }
  if (db::Database::IsPostgresUrl(url)) {
    // While servers run: pg_dump reads one consistent snapshot.
    Status dumped =
        RunPostgresTool(url, {"pg_dump", "--format=custom", "--no-owner", "--file=" + to});
    if (!dumped.ok()) std::filesystem::remove(to);
    return dumped;
  }
  return db::BackupSqlite(url, to);
}

// Into a SQLite file: a copy of the backup (itself a SQLite file) made beside the target and
// renamed over it, so that a failure leaves the target as it was.
Status RestoreSqlite(const std::string& from, const std::string& url, bool replace) {
  if (std::filesystem::exists(url) && !replace) {
    return Error::InvalidField(
        "--db", url +
                    " already exists: restore into a new file, or --force to replace it "
                    "(stop the servers using it first)");
  }
  db::DatabaseOptions read_only;
  read_only.create_if_missing = false;
  auto backup = db::Database::Open(from, read_only);
  if (!backup.ok()) return Error::InvalidField("--from", backup.error().message());
  RAPPORT_RETURN_IF_ERROR((*backup)->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows check, tx.Query("PRAGMA integrity_check"));
    if (check.empty() || check[0].Text("integrity_check") != "ok") {
      return Error::InvalidField("--from", from + " is damaged (SQLite's integrity check fails)");
    }
    return Ok();
  }));
  backup->reset();
  const std::string restoring = url + ".restoring";
  std::filesystem::remove(restoring);
  RAPPORT_RETURN_IF_ERROR(db::BackupSqlite(from, restoring));
  // The old database's write-ahead log must not be replayed into the restored one.
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(url + suffix);
  std::error_code renamed;
  std::filesystem::rename(restoring, url, renamed);
  if (renamed) {
    std::filesystem::remove(restoring);
    return Error::InvalidField("--db", "cannot write " + url + ": " + renamed.message());
  }
  return Ok();
}

// Into a PostgreSQL database that exists (createdb) and is empty, or, with `replace`, whose
// tables are dropped first; in one transaction, so that a failure leaves it as it was.
Status RestorePostgres(const std::string& from, const std::string& url, bool replace) {
  if (!std::filesystem::exists(from)) return Error::InvalidField("--from", from + " not found");
  RAPPORT_ASSIGN_OR_RETURN(auto target, OpenExisting(url));
  std::int64_t tables = 0;
  RAPPORT_RETURN_IF_ERROR(target->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(tables, tx.QueryInt("SELECT count(*) FROM information_schema.tables "
                                                 "WHERE table_schema = current_schema()"));
    return Ok();
  }));
  target.reset();
  if (tables > 0 && !replace) {
    return Error::InvalidField(
        "--db",
        "the database has tables already: restore into an empty one (createdb), or "
        "--force to replace what is there (stop the servers using it first)");
  }
  std::vector<std::string> argv = {"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                                   "--single-transaction"};
  if (replace) {
    argv.push_back("--clean");
    argv.push_back("--if-exists");
  }
  argv.push_back(from);
  // pg_restore takes the file last; RunPostgresTool adds --dbname after it, which it accepts.
  return RunPostgresTool(url, argv);
}

}  // namespace

void AddBackupCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "backup", "Copy a live database consistently (SQLite: a file; PostgreSQL: pg_dump's)");
  auto db_url = std::make_shared<std::string>();
  auto to = std::make_shared<std::string>();
  AddDbOption(*command, *db_url);
  AddConfigOption(*command, ConfigNames::kOthersToo);
  command->add_option("--to", *to, "The new backup file")->required();
  command->callback([&context, db_url, to] {
    if (Status s = BackUp(*db_url, *to); !s.ok()) {
      context.exit_code = Fail(s.error());
      return;
    }
    auto database = OpenExisting(*db_url);
    std::cout << "backed up " << (database.ok() ? (*database)->Describe() : *db_url) << " to "
              << *to << "\n";
    if (database.ok()) (void)PrintRecords(**database, std::cout);
    context.exit_code = kExitOk;
  });
}

void AddRestoreCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "restore",
      "Put a backup back as the database (a new SQLite file, or an empty PostgreSQL "
      "database)");
  auto db_url = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto replace = std::make_shared<bool>(false);
  AddDbOption(*command, *db_url);
  AddConfigOption(*command, ConfigNames::kOthersToo);
  command->add_option("--from", *from, "The backup: what rapport backup wrote")->required();
  command->add_flag("--force", *replace,
                    "Replace the database that is there (stop the servers using it first)");
  command->callback([&context, db_url, from, replace] {
    const Status restored = db::Database::IsPostgresUrl(*db_url)
                                ? RestorePostgres(*from, *db_url, *replace)
                                : RestoreSqlite(*from, *db_url, *replace);
    if (!restored.ok()) {
      context.exit_code = Fail(restored.error());
      return;
    }
    auto database = OpenExisting(*db_url);
    if (!database.ok()) {
      context.exit_code = Fail(database.error());
      return;
    }
    std::cout << "restored " << *from << " to " << (*database)->Describe() << "\n";
    if (Status s = PrintRecords(**database, std::cout); !s.ok()) {
      context.exit_code = Fail(s.error());
      return;
    }
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
