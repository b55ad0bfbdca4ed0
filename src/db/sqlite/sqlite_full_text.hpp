// SQLite's full-text indexes outside the database they serve: the tokenizer (what the search
// index makes of a text), and an index built apart, in memory, for a bulk load.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"

struct sqlite3;

namespace rapport::db {

// The tokenizer every full-text index on SQLite uses (FTS5's `tokenize` option).
inline constexpr const char* kSqliteTokenizer = "unicode61 remove_diacritics 2";

// The words the index makes of `text`, in order: split where the tokenizer splits (any Unicode
// character that is not a letter or digit), case folded, diacritics removed. A query of these
// words matches as the index does; each is one token, which an index without positions needs.
std::vector<std::string> SqliteFullTextTokens(std::string_view text);

// Transaction::BuildFullTextApart on SQLite: `table`'s FTS5 index (`table`_fts) made again, with
// the same definition, in a private in-memory database that the build's thread fills. nullptr
// when the table has no such index, its index is not empty, or a trigger other than the index's
// own runs when a row is inserted (it could change what the index must hold).
Result<std::unique_ptr<FullTextBuild>> StartSqliteFullTextBuild(sqlite3* db,
                                                                std::string_view table);

// Transaction::PlaceFullText on SQLite. The index's virtual table is dropped and made again (a
// connection keeps what it last read of an index; the new one has read nothing), then the build's
// stored rows (the index's segments) are copied into the new one's tables.
Status PlaceSqliteFullTextBuild(sqlite3* db, FullTextBuild& build);

}  // namespace rapport::db
