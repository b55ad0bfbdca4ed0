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
// The longest prefix (in characters) the index keeps lists for: its `prefix` option is '2 3'.
inline constexpr int kLongestIndexedPrefix = 3;

// The words the index makes of `text`, in order: split where the tokenizer splits (any Unicode
// character that is not a letter or digit), case folded, diacritics removed. A query of these
// words matches as the index does; each is one token, which an index without positions needs.
std::vector<std::string> SqliteFullTextTokens(std::string_view text);

// The words of a query made by FullTextQuery on SQLite (`"word"* "word"*`), without the quotes.
std::vector<std::string> FullTextQueryPrefixes(std::string_view query);

// Whether each of `prefixes` begins one of the index's words of the texts: what the index's MATCH
// of the query finds, for one row, without the index.
bool TextsHavePrefixes(const std::vector<std::string>& prefixes,
                       const std::vector<std::string_view>& texts);

// The SQL function that tests one row as the index would: rapport_text_matches(query, column,
// ...) with FullTextQuery's text, registered on each connection by RegisterSqliteTextMatch.
inline constexpr const char* kSqliteTextMatchFunction = "rapport_text_matches";
Status RegisterSqliteTextMatch(sqlite3* db);

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
