// The embedded backend: one SQLite file in WAL mode with foreign keys on. One writer connection
// (writes are serialised by a mutex, BEGIN IMMEDIATE); reads on a read-only connection each
// thread keeps for itself (a pool serves nested reads), each read a consistent snapshot.
// Prepared statements are cached per connection.
#pragma once

#include <memory>
#include <string>

#include "db/database.hpp"

namespace rapport::db {

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const DatabaseOptions& options);

// Copies a live SQLite database into `destination` with SQLite's online backup API: a consistent
// snapshot even while other processes write. Refuses to overwrite an existing file.
// Process-wide SQLite settings, before any connection opens (every opener calls it).
void ConfigureSqliteOnce();

Status BackupSqlite(const std::string& source, const std::string& destination);

}  // namespace rapport::db
