// Rapport's schema as numbered migrations. Each runs in one transaction with its row in
// schema_migrations, so a crash leaves the database at the previous version, never in between.
// `rapport migrate` applies only what is missing; a database newer than this binary is refused.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "db/database.hpp"
#include "db/dialect.hpp"

namespace rapport::db {

struct Migration {
  int version;
  std::string name;
  // Runs the migration's statements inside the migration's transaction.
  Status (*apply)(Transaction& transaction);
};

const std::vector<Migration>& AllMigrations();
int LatestSchemaVersion();

// The tables that hold Rapport's records, parents before children (the order to load or count).
const std::vector<std::string>& DomainTables();

// The full-text indexes the schema keeps (accounts, contacts, opportunities), in that order.
const std::vector<FullTextIndex>& SearchIndexes();

// 0 for a database that has never been migrated.
Result<int> CurrentSchemaVersion(Database& database);

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;  // "1 core records", ...
};

// Applies every missing migration in order (up to `up_to`, for tests that need an older
// database). Refuses a database whose version is newer than this binary knows.
Result<MigrationReport> Migrate(Database& database, const Clock& clock,
                                int up_to = std::numeric_limits<int>::max());

// Ok when the database is at exactly the version this binary expects; otherwise a clear error
// saying to migrate or to upgrade rapport.
Status CheckSchemaVersion(Database& database);

}  // namespace rapport::db
