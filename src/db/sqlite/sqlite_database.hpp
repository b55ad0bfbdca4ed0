// The embedded backend: one SQLite file in WAL mode with foreign keys on. One writer connection
// (writes are serialised by a mutex, BEGIN IMMEDIATE); reads on a read-only connection each
// thread keeps for itself (a pool serves nested reads), each read a consistent snapshot.
// Prepared statements are cached per connection.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "db/database.hpp"

struct sqlite3;

namespace rapport::db {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const DatabaseOptions& options);

// SQLite's error `rc` on `handle` (which may be null) as a Rapport error: constraint failures
// typed, the message prefixed with `context`.
Error SqliteError(sqlite3* handle, int rc, std::string_view context);

// Process-wide SQLite settings, before any connection opens (every opener calls it).
void ConfigureSqliteOnce();

// Copies a live SQLite database into `destination` with SQLite's online backup API: a consistent
// snapshot even while other processes write. Refuses to overwrite an existing file.
Status BackupSqlite(const std::string& source, const std::string& destination);

}  // namespace rapport::db
