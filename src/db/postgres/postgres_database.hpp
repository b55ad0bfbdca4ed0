// The PostgreSQL backend (libpq): a pool of connections, each with its own prepared statements,
// '?' placeholders rewritten to $1..$n, COPY for bulk loads. Several rapport servers may share one
// PostgreSQL; it serialises their writes.
#pragma once

#include <memory>
#include <string>

#include "db/database.hpp"

namespace rapport::db {

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url,
                                               const DatabaseOptions& options);

// "postgresql://user:secret@host/db" -> "postgresql://user@host/db": safe to print or log.
std::string RedactPostgresUrl(const std::string& url);

// A PostgreSQL URL (or key=value string) for another program (pg_dump, pg_restore): the
// connection without its password, as libpq's key=value string, and the password apart (for
// PGPASSWORD: never on a command line others can read). kInvalidArgument naming --db when libpq
// cannot read it.
struct PostgresConnectionForTools {
  std::string conninfo;  // "host='127.0.0.1' port='5432' user='u' dbname='crm'"
  std::string password;  // "" when none
};
Result<PostgresConnectionForTools> SplitPostgresPassword(const std::string& url);

// Rewrites '?' placeholders (outside quoted text) to PostgreSQL's $1, $2, ...
std::string NumberPlaceholders(std::string_view sql);

}  // namespace rapport::db
