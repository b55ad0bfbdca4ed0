#include "db/migrations.hpp"

#include "db/dialect.hpp"

namespace rapport::db {
namespace {

constexpr const char* kSchemaTable = R"SQL(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version {int} PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at {int} NOT NULL
){strict})SQL";

Result<int> VersionIn(Transaction& transaction) {
  RAPPORT_ASSIGN_OR_RETURN(bool exists, TableExists(transaction, "schema_migrations"));
  if (!exists) return 0;
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t version,
      transaction.QueryInt("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(version);
}

Error TooNew(int found) {
  return Error(ErrorCode::kFailedPrecondition,
               "the database is at schema version " + std::to_string(found) +
                   ", newer than this rapport knows (" + std::to_string(LatestSchemaVersion()) +
                   "): upgrade rapport before using it");
}

}  // namespace

int LatestSchemaVersion() { return AllMigrations().back().version; }

Result<int> CurrentSchemaVersion(Database& database) {
  int version = 0;
  RAPPORT_RETURN_IF_ERROR(database.Read([&](Transaction& transaction) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(version, VersionIn(transaction));
    return Ok();
  }));
  return version;
}

Result<MigrationReport> Migrate(Database& database, const Clock& clock, int up_to) {
  MigrationReport report;
  RAPPORT_ASSIGN_OR_RETURN(report.from_version, CurrentSchemaVersion(database));
  if (report.from_version > LatestSchemaVersion()) return TooNew(report.from_version);
  report.to_version = report.from_version;
  for (const Migration& migration : AllMigrations()) {
    if (migration.version > up_to) break;
    bool applied = false;
    // One transaction per migration: its statements and its schema_migrations row together.
    RAPPORT_RETURN_IF_ERROR(database.Write([&](Transaction& transaction) -> Status {
      RAPPORT_RETURN_IF_ERROR(LockForMigration(transaction));
      RAPPORT_RETURN_IF_ERROR(
          transaction.ExecuteScript(RenderSchema(transaction.backend(), kSchemaTable)));
      // Read again under the lock: another server may have migrated meanwhile.
      RAPPORT_ASSIGN_OR_RETURN(int current, VersionIn(transaction));
      if (current > LatestSchemaVersion()) return TooNew(current);
      if (current >= migration.version) return Ok();
      RAPPORT_RETURN_IF_ERROR(migration.apply(transaction));
      RAPPORT_RETURN_IF_ERROR(transaction.Execute(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          {std::int64_t{migration.version}, migration.name, clock.Now()}));
      applied = true;
      return Ok();
    }));
    if (applied) {
      report.applied.push_back(std::to_string(migration.version) + " " + migration.name);
      report.to_version = migration.version;
    }
  }
  RAPPORT_ASSIGN_OR_RETURN(report.to_version, CurrentSchemaVersion(database));
  return report;
}

Status CheckSchemaVersion(Database& database) {
  RAPPORT_ASSIGN_OR_RETURN(int version, CurrentSchemaVersion(database));
  if (version > LatestSchemaVersion()) return TooNew(version);
  if (version < LatestSchemaVersion()) {
    return Error(ErrorCode::kFailedPrecondition,
                 "the database is at schema version " + std::to_string(version) +
                     ", this rapport needs " + std::to_string(LatestSchemaVersion()) +
                     ": run `rapport migrate --db ...` first");
  }
  return Ok();
}

}  // namespace rapport::db
