// The rapport binary, driven as an operator would from a shell.
#include <unistd.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "db/migrations.hpp"
#include "support/run_command.hpp"
#include "support/run_rapport.hpp"
#include "support/test_clock.hpp"
#include "support/test_database.hpp"
#include "users/password.hpp"

namespace rapport::cli {
namespace {

using ::rapport::testing::CommandResult;
using ::rapport::testing::RunCommand;
using ::rapport::testing::RunningCommand;
using ::rapport::testing::TempDir;
using ::rapport::testing::TestDatabase;
using ::rapport::testing::TestDate;

using ::rapport::testing::RunRapport;

// The lines that matter for a one-line error: no stack traces, no help dumps.
int LineCount(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

std::int64_t CountRows(const std::string& url, const std::string& table) {
  auto database = db::Database::Open(url);
  EXPECT_TRUE(database.ok()) << database.error().ToString();
  std::int64_t n = -1;
  const Status s = (*database)->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(n, tx.QueryInt("SELECT count(*) FROM " + table));
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  return n;
}

// "  accounts     2,000" lines of the demo's report, as table -> count text.
std::map<std::string, std::string> ReportedCounts(const std::string& out) {
  std::map<std::string, std::string> counts;
  std::regex line(R"(^  ([a-z_]+)\s+([0-9,]+)$)");
  std::istringstream in(out);
  std::string text;
  while (std::getline(in, text)) {
    std::smatch m;
    if (std::regex_match(text, m, line)) counts[m[1]] = m[2];
  }
  return counts;
}

TEST(Cli, VersionNamesTheReleaseTheCommitAndTheSchema) {
  const auto r = RunRapport({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("rapport 0."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("commit "), std::string::npos);
  EXPECT_NE(r.out.find("schema " + std::to_string(db::LatestSchemaVersion())), std::string::npos);
}

TEST(Cli, UsageErrorsAreOneClearLine) {
  const auto unknown = RunRapport({"migrate", "--db", "x.db", "--colour", "red"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--colour"), std::string::npos) << unknown.err;
  EXPECT_EQ(LineCount(unknown.err), 1) << unknown.err;

  const auto no_db = RunRapport({"migrate"});
  EXPECT_EQ(no_db.exit_code, 2);
  EXPECT_NE(no_db.err.find("--db"), std::string::npos) << no_db.err;

  const auto bad_scale = RunRapport({"demo", "--db", "x.db", "--scale", "huge"});
  EXPECT_EQ(bad_scale.exit_code, 2);
  EXPECT_NE(bad_scale.err.find("huge"), std::string::npos) << bad_scale.err;
  EXPECT_FALSE(std::filesystem::exists("x.db"));
}

TEST(Cli, AWrongDatabaseIsNamedAndNothingIsCreated) {
  TempDir dir;
  const auto no_dir = RunRapport({"migrate", "--db", dir.File("missing/dir/r.db")});
  EXPECT_EQ(no_dir.exit_code, 1);
  EXPECT_NE(no_dir.err.find("missing/dir"), std::string::npos) << no_dir.err;
  EXPECT_EQ(LineCount(no_dir.err), 1) << no_dir.err;

  const auto missing = RunRapport({"serve", "--db", dir.File("nothing.db")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("nothing.db")));

  const auto unreachable =
      RunRapport({"migrate", "--db", "postgresql://rapport:hunter2@127.0.0.1:1/rapport"});
  EXPECT_EQ(unreachable.exit_code, 1);
  EXPECT_NE(unreachable.err.find("cannot connect to PostgreSQL"), std::string::npos)
      << unreachable.err;
  EXPECT_EQ(unreachable.err.find("hunter2"), std::string::npos) << "the password was printed";

  const std::string text_file = dir.File("notes.txt");
  std::ofstream(text_file) << std::string(5000, 'n');
  const auto not_db = RunRapport({"migrate", "--db", text_file});
  EXPECT_EQ(not_db.exit_code, 1);
  EXPECT_NE(not_db.err.find("not a usable SQLite database"), std::string::npos) << not_db.err;
}

TEST(Cli, MigrateAppliesOnlyWhatIsMissingAndServeRefusesANewerDatabase) {
  TempDir dir;
  const std::string db = dir.File("r.db");
  const auto first = RunRapport({"migrate", "--db", db});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("applied migration 1"), std::string::npos);
  const auto second = RunRapport({"migrate", "--db", db});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("nothing to do"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("applied"), std::string::npos);
  {
    auto database = db::Database::Open(db);
    ASSERT_TRUE(database.ok());
    ASSERT_TRUE((*database)
                    ->Write([](db::Transaction& tx) {
                      return tx.Execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)");
                    })
                    .ok());
  }
  const auto serve = RunRapport({"serve", "--db", db, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_NE(serve.err.find("schema version 999"), std::string::npos) << serve.err;
  EXPECT_NE(serve.err.find("upgrade rapport"), std::string::npos) << serve.err;
}

TEST(Cli, RapportDbFromTheEnvironment) {
  TempDir dir;
  const std::string db = dir.File("env.db");
  setenv("RAPPORT_DB", db.c_str(), 1);
  const auto r = RunRapport({"migrate"});
  unsetenv("RAPPORT_DB");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(db));
}

// /etc/rapport/rapport.conf as the package installs it: serve's options, which migrate reads too.
TEST(Cli, ServeAndMigrateReadAConfigFileTheCommandLineWinsAndTyposAreRefused) {
  TempDir dir;
  const std::string db = dir.File("conf.db"), conf = dir.File("rapport.conf");
  std::ofstream(conf) << "# the package's file\ndb = \"" << db
                      << "\"\nlisten = \"nowhere:80\"\nnightly-hour = 3\n";
  const auto migrated = RunRapport({"migrate", "--config", conf});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;  // listen and nightly-hour are serve's
  EXPECT_TRUE(std::filesystem::exists(db));
  const auto from_file = RunRapport({"serve", "--config", conf});
  EXPECT_EQ(from_file.exit_code, 1);
  EXPECT_NE(from_file.err.find("--listen: 'nowhere' is not an IP address"), std::string::npos)
      << from_file.err;
  const auto overridden = RunRapport({"serve", "--listen", "127.0.0.1:x", "--config", conf});
  EXPECT_NE(overridden.err.find("'x' is not a port"), std::string::npos) << overridden.err;

  std::ofstream(conf) << "db = \"" << db << "\"\nlisen = \"127.0.0.1:0\"\n";
  const auto typo = RunRapport({"serve", "--config", conf});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("--config: " + conf + ": 'lisen' is not an option of rapport serve"),
            std::string::npos)
      << typo.err;
  EXPECT_EQ(LineCount(typo.err), 1) << typo.err;
  std::ofstream(conf) << "[serve]\ndb = \"" << db << "\"\n";
  const auto section = RunRapport({"serve", "--config", conf});
  EXPECT_NE(section.err.find("sections are not taken"), std::string::npos) << section.err;
  // A value that begins with a dash is still the option's value.
  std::ofstream(conf) << "db = \"" << db << "\"\nweb-root = \"-elsewhere\"\n";
  const auto dash = RunRapport({"serve", "--config", conf});
  EXPECT_NE(dash.err.find("--web-root: '-elsewhere' holds no index.html"), std::string::npos)
      << dash.err;
  const auto missing = RunRapport({"migrate", "--config", dir.File("none.conf")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--config: cannot read"), std::string::npos) << missing.err;
}

TEST(Cli, EveryServeOptionHasItsEnvironmentVariable) {
  TempDir dir;
  const std::string db = dir.File("env.db");
  ASSERT_EQ(RunRapport({"migrate", "--db", db}).exit_code, 0);
  setenv("RAPPORT_LISTEN", "127.0.0.1:seventy", 1);
  setenv("RAPPORT_NIGHTLY_HOUR", "25", 1);
  const auto listen = RunRapport({"serve", "--db", db, "--nightly-hour", "2"});
  const auto hour = RunRapport({"serve", "--db", db, "--listen", "127.0.0.1:0"});
  unsetenv("RAPPORT_LISTEN");
  unsetenv("RAPPORT_NIGHTLY_HOUR");
  EXPECT_NE(listen.err.find("'seventy' is not a port"), std::string::npos) << listen.err;
  EXPECT_NE(hour.err.find("--nightly-hour: Value 25 not in range"), std::string::npos) << hour.err;
  const auto help = RunRapport({"serve", "--help"});
  for (const char* variable : {"RAPPORT_DB", "RAPPORT_LISTEN", "RAPPORT_WEB_ROOT",
                               "RAPPORT_MAX_IMPORT_MB", "RAPPORT_SCHEDULER_SECONDS"}) {
    EXPECT_NE(help.out.find(variable), std::string::npos) << variable;
  }
}

TEST(Cli, UserAddReadsThePasswordAndRefusesBadInput) {
  TempDir dir;
  const std::string db = dir.File("r.db");
  ASSERT_EQ(RunRapport({"migrate", "--db", db}).exit_code, 0);
  const auto bad_email = RunRapport({"user", "add", "--db", db, "--email", "not-an-email", "--name",
                                     "Jo Bloggs", "--role", "rep", "--password-stdin"},
                                    "long enough password\n");
  EXPECT_EQ(bad_email.exit_code, 1);
  EXPECT_NE(bad_email.err.find("--email"), std::string::npos) << bad_email.err;
  EXPECT_EQ(LineCount(bad_email.err), 1);

  const auto bad_role = RunRapport({"user", "add", "--db", db, "--email", "jo@example.org",
                                    "--name", "Jo", "--role", "wizard", "--password-stdin"},
                                   "long enough password\n");
  EXPECT_EQ(bad_role.exit_code, 1);
  EXPECT_NE(bad_role.err.find("--role"), std::string::npos) << bad_role.err;

  const auto no_tty = RunRapport(
      {"user", "add", "--db", db, "--email", "jo@example.org", "--name", "Jo", "--role", "rep"});
  EXPECT_EQ(no_tty.exit_code, 1);
  EXPECT_NE(no_tty.err.find("--password-stdin"), std::string::npos) << no_tty.err;

  const auto short_password = RunRapport({"user", "add", "--db", db, "--email", "jo@example.org",
                                          "--name", "Jo", "--role", "rep", "--password-stdin"},
                                         "short\n");
  EXPECT_EQ(short_password.exit_code, 1);
  EXPECT_NE(short_password.err.find("at least 8"), std::string::npos) << short_password.err;
  EXPECT_EQ(CountRows(db, "users"), 0);

  const auto boss = RunRapport({"user", "add", "--db", db, "--email", "Boss@Example.org", "--name",
                                "The Boss", "--role", "rsm", "--password-stdin"},
                               "boss password 1\n");
  ASSERT_EQ(boss.exit_code, 0) << boss.err;
  const auto added =
      RunRapport({"user", "add", "--db", db, "--email", "jo@example.org", "--name", "Jo Bloggs",
                  "--role", "rep", "--manager", "boss@example.org", "--password-stdin"},
                 "correct horse battery\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("jo@example.org"), std::string::npos);

  auto database = db::Database::Open(db);
  ASSERT_TRUE(database.ok());
  ASSERT_TRUE(
      (*database)
          ->Read([](db::Transaction& tx) -> Status {
            RAPPORT_ASSIGN_OR_RETURN(
                auto row,
                tx.QueryOne(
                    "SELECT u.password_hash, m.email FROM users u "
                    "JOIN users m ON m.id = u.manager_id WHERE u.email = 'jo@example.org'"));
            EXPECT_TRUE(row.has_value());
            EXPECT_TRUE(users::VerifyPassword(row->Text(0), "correct horse battery"));
            EXPECT_EQ(row->Text(1), "boss@example.org");
            return Ok();
          })
          .ok());

  const auto again = RunRapport({"user", "add", "--db", db, "--email", "JO@example.org", "--name",
                                 "Jo Again", "--role", "rep", "--password-stdin"},
                                "another password\n");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(CountRows(db, "users"), 2);
}

class CliDemo : public ::testing::TestWithParam<db::Backend> {};

TEST_P(CliDemo, SameSeedSameCountsOnBothBackendsWithSignInsPrinted) {
  TestDatabase target(GetParam());
  RAPPORT_SKIP_IF_UNAVAILABLE(target);
  TempDir dir;
  const std::string reference = dir.File("reference.db");
  const auto first = RunRapport({"demo", "--db", reference, "--seed", "7", "--as-of", TestDate()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto second =
      RunRapport({"demo", "--db", target.url(), "--seed", "7", "--as-of", TestDate()});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto counts = ReportedCounts(first.out);
  EXPECT_EQ(counts.at("accounts"), "2,000");
  EXPECT_EQ(counts.at("contacts"), "10,000");
  EXPECT_EQ(counts.at("activities"), "30,000");
  EXPECT_EQ(counts, ReportedCounts(second.out));
  EXPECT_NE(first.out.find("admin@medequip.example"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("rapport-demo"), std::string::npos);
  EXPECT_NE(first.out.find(" rep "), std::string::npos) << first.out;
  EXPECT_NE(first.err.find("loaded accounts"), std::string::npos) << "no progress shown";

  // Again on the same database: refused, nothing added.
  const auto refill = RunRapport({"demo", "--db", target.url(), "--seed", "7"});
  EXPECT_EQ(refill.exit_code, 1);
  EXPECT_NE(refill.err.find("already holds"), std::string::npos) << refill.err;
  EXPECT_EQ(CountRows(target.url(), "accounts"), 2000);
}

TEST_P(CliDemo, KilledInTheMiddleLeavesAnEmptyDatabase) {
  TestDatabase target(GetParam());
  RAPPORT_SKIP_IF_UNAVAILABLE(target);
  ASSERT_EQ(RunRapport({"migrate", "--db", target.url()}).exit_code, 0);
  std::map<std::string, std::int64_t> migrated;  // what the migrations themselves put in
  for (const std::string& table : db::DomainTables())
    migrated[table] = CountRows(target.url(), table);
  RunningCommand demo({RAPPORT_BINARY, "demo", "--db", target.url(), "--scale", "large"});
  // Pull the plug once users, territories and distributors are written (not committed: the demo
  // is one transaction), while its million accounts flow.
  EXPECT_TRUE(demo.WaitForError("loaded distributors", 120)) << demo.Err();
  demo.Kill(SIGKILL);
  EXPECT_EQ(demo.Wait(), 128 + SIGKILL) << "the demo finished before it was killed";
  for (const std::string& table : db::DomainTables()) {
    EXPECT_EQ(CountRows(target.url(), table), migrated[table]) << table;
  }
  // And the database is still good for a full demo.
  const auto demo_after = RunRapport({"demo", "--db", target.url(), "--seed", "3"});
  EXPECT_EQ(demo_after.exit_code, 0) << demo_after.err;
}

// A backup of the demo company, restored: the same records, table by table, and the doctor
// finds nothing wrong; a restore never overwrites a database unless told to.
TEST_P(CliDemo, ARestoredBackupHasTheSameRecordsAndPassesTheDoctor) {
  TestDatabase source(GetParam());
  RAPPORT_SKIP_IF_UNAVAILABLE(source);
  TestDatabase second(GetParam());  // PostgreSQL: an empty database to restore into
  TempDir dir;
  const std::string target =
      GetParam() == db::Backend::kSqlite ? dir.File("restored.db") : second.url();
  ASSERT_EQ(
      RunRapport({"demo", "--db", source.url(), "--seed", "7", "--as-of", TestDate()}).exit_code,
      0);
  const std::string file = dir.File("backup");
  const auto backup = RunRapport({"backup", "--db", source.url(), "--to", file});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_NE(backup.out.find("  accounts  2000\n"), std::string::npos) << backup.out;
  // Written to after the backup: the restore has the backup's records, not today's.
  ASSERT_EQ(RunRapport({"user", "add", "--db", source.url(), "--email", "late@example.org",
                        "--name", "Late", "--role", "rep", "--password-stdin"},
                       "a long password\n")
                .exit_code,
            0);

  const auto restored = RunRapport({"restore", "--db", target, "--from", file});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  // The same counts, table by table, as the backup printed.
  const auto counts = [](const std::string& out) { return out.substr(out.find("schema version")); };
  EXPECT_EQ(counts(restored.out), counts(backup.out));
  for (const std::string& table : db::DomainTables()) {
    // The user added since, and its line in the audit history, are not in the backup.
    const bool written_since = table == "users" || table == "audit_history";
    EXPECT_EQ(CountRows(target, table), CountRows(source.url(), table) - (written_since ? 1 : 0))
        << table;
  }
  const auto doctor = RunRapport({"doctor", "--db", target});
  EXPECT_EQ(doctor.exit_code, 0) << doctor.out << doctor.err;
  const auto serve_check = RunRapport({"migrate", "--db", target});
  EXPECT_NE(serve_check.out.find("nothing to do"), std::string::npos) << serve_check.out;

  const auto again = RunRapport({"restore", "--db", target, "--from", file});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--db: "), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  const auto forced = RunRapport({"restore", "--db", target, "--from", file, "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(CountRows(target, "accounts"), 2000);
  const auto missing =
      RunRapport({"restore", "--db", dir.File("x.db"), "--from", dir.File("none")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("--from"), std::string::npos) << missing.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, CliDemo,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

TEST(Cli, DoctorListsBrokenInvariantsAndExitsNonZero) {
  TempDir dir;
  const std::string db = dir.File("doctor.db");
  ASSERT_EQ(RunRapport({"demo", "--db", db, "--seed", "7"}).exit_code, 0);
  const auto healthy = RunRapport({"doctor", "--db", db});
  EXPECT_EQ(healthy.exit_code, 0) << healthy.out << healthy.err;
  EXPECT_NE(healthy.out.find("every invariant holds"), std::string::npos);
  {
    auto database = db::Database::Open(db);
    ASSERT_TRUE((*database)
                    ->Write([](db::Transaction& tx) {
                      return tx.Execute("UPDATE accounts SET owner_id = NULL WHERE id IN (3, 4)");
                    })
                    .ok());
  }
  const auto sick = RunRapport({"doctor", "--db", db});
  EXPECT_EQ(sick.exit_code, 1);
  EXPECT_NE(sick.out.find("2 x account without an owner: [accounts 3] [accounts 4]"),
            std::string::npos)
      << sick.out;
  EXPECT_NE(sick.err.find("1 invariant(s) broken"), std::string::npos) << sick.err;
}

TEST(Cli, OpenApiDescribesACompanysCustomFieldsWhenGivenItsDatabase) {
  TempDir dir;
  const std::string db = dir.File("company.db");
  ASSERT_EQ(RunRapport({"migrate", "--db", db}).exit_code, 0);
  {
    auto database = db::Database::Open(db);
    ASSERT_TRUE(database.ok());
    ASSERT_TRUE((*database)
                    ->Write([](db::Transaction& tx) {
                      return tx.Execute(
                          "INSERT INTO custom_fields (record_type, key, label, type, help, "
                          "created_at, updated_at) VALUES ('cases', 'ward_bed', 'Ward bed', "
                          "'number', 'where the device is', 0, 0)");
                    })
                    .ok());
  }
  const auto described = RunRapport({"openapi", "--db", db});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  const std::string schema = R"("CustomFieldsOfCases":{"type":"object")";
  const auto at = described.out.find(schema);
  ASSERT_NE(at, std::string::npos) << described.out.substr(0, 2000);
  EXPECT_NE(described.out.find(R"("ward_bed":{"type":["number","null"],"title":"Ward bed")", at),
            std::string::npos);
  EXPECT_NE(described.out.find(R"("$ref":"#/components/schemas/CustomFieldsOfCases")"),
            std::string::npos)
      << "a case's custom object refers to it";
  const auto generic = RunRapport({"openapi"});
  ASSERT_EQ(generic.exit_code, 0) << generic.err;
  EXPECT_EQ(generic.out.find("ward_bed"), std::string::npos);
  EXPECT_NE(RunRapport({"openapi", "--db", dir.File("missing.db")}).exit_code, 0);
}

TEST(Cli, BackupCopiesALiveSqliteDatabase) {
  TempDir dir;
  const std::string db = dir.File("live.db"), copy = dir.File("copy.db");
  ASSERT_EQ(RunRapport({"demo", "--db", db, "--seed", "5"}).exit_code, 0);
  // A writer holds the database open (WAL) while the backup runs.
  auto live = db::Database::Open(db);
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE((*live)
                  ->Write([](db::Transaction& tx) {
                    return tx.Execute("UPDATE accounts SET region = 'Backed up' WHERE id = 1");
                  })
                  .ok());
  const auto backup = RunRapport({"backup", "--db", db, "--to", copy});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_EQ(CountRows(copy, "accounts"), 2000);
  EXPECT_EQ(CountRows(copy, "activities"), CountRows(db, "activities"));
  // The files attached to records are in the copy, byte for byte.
  EXPECT_GT(CountRows(copy, "attachments"), 0);
  EXPECT_EQ(CountRows(copy, "file_contents"), CountRows(db, "file_contents"));
  auto copied = db::Database::Open(copy);
  ASSERT_TRUE((*copied)
                  ->Read([](db::Transaction& tx) -> Status {
                    RAPPORT_ASSIGN_OR_RETURN(
                        auto row, tx.QueryOne("SELECT region FROM accounts WHERE id = 1"));
                    EXPECT_EQ(row->Text(0), "Backed up");
                    RAPPORT_ASSIGN_OR_RETURN(
                        auto file, tx.QueryOne("SELECT c.content, c.size_bytes FROM attachments "
                                               "f JOIN file_contents c ON c.sha256 = f.sha256 "
                                               "ORDER BY f.id LIMIT 1"));
                    EXPECT_TRUE(file->Text(0).starts_with("%PDF-"));
                    EXPECT_EQ(static_cast<std::int64_t>(file->Text(0).size()), file->Int(1));
                    return Ok();
                  })
                  .ok());

  const auto overwrite = RunRapport({"backup", "--db", db, "--to", copy});
  EXPECT_EQ(overwrite.exit_code, 1);
  EXPECT_NE(overwrite.err.find("already exists"), std::string::npos) << overwrite.err;

  // PostgreSQL's backups are pg_dump's; a server that cannot be reached fails, naming pg_dump
  // and never showing the password.
  const auto postgres = RunRapport(
      {"backup", "--db", "postgresql://u:pw@127.0.0.1:1/db", "--to", dir.File("x.dump")});
  EXPECT_EQ(postgres.exit_code, 1);
  EXPECT_NE(postgres.err.find("pg_dump failed"), std::string::npos) << postgres.err;
  EXPECT_EQ(postgres.err.find("pw"), std::string::npos) << postgres.err;
  EXPECT_FALSE(std::filesystem::exists(dir.File("x.dump")));
}

}  // namespace
}  // namespace rapport::cli
