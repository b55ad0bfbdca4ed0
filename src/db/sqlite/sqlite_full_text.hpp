// SQLite's full-text tokenizer, outside any database: what the search index makes of a text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rapport::db {

// The tokenizer every full-text index on SQLite uses (FTS5's `tokenize` option).
inline constexpr const char* kSqliteTokenizer = "unicode61 remove_diacritics 2";

// The words the index makes of `text`, in order: split where the tokenizer splits (any Unicode
// character that is not a letter or digit), case folded, diacritics removed. A query of these
// words matches as the index does; each is one token, which an index without positions needs.
std::vector<std::string> SqliteFullTextTokens(std::string_view text);

}  // namespace rapport::db
