// Full-text search across accounts, contacts and opportunities: every word typed matches as a
// prefix (SQLite FTS5 / PostgreSQL tsvector). Within each kind, names that start with the first
// word typed come first, then shorter names (db::FullTextSearchSql).
#pragma once

#include <string>
#include <vector>

#include "db/database.hpp"

namespace rapport::search {

struct Hit {
  std::string kind;  // account, contact, opportunity
  std::int64_t id = 0;
  std::string title;
  double rank = 0;  // lower is better, comparable within one kind
};

// Up to `limit` hits of each kind; an empty result when the text has no searchable word.
// `account_condition` (over alias a of accounts; "" for all) limits hits to the accounts a caller
// reaches, and contacts and opportunities to those of such accounts.
Result<std::vector<Hit>> Search(db::Transaction& tx, std::string_view text, int limit,
                                const std::string& account_condition = "");

}  // namespace rapport::search
