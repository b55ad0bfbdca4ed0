#include "db/sqlite/sqlite_full_text.hpp"

#include <sqlite3.h>

#include <functional>
#include <initializer_list>
#include <new>
#include <stdexcept>

#include "db/sqlite/sqlite_database.hpp"

namespace rapport::db {
namespace {

// FTS5's own tokenizer, reached through its API on a private in-memory connection: one per
// thread, opened on first use and closed when the thread ends.
class Tokenizer {
 public:
  Tokenizer() {
    ConfigureSqliteOnce();
    const int opened =
        sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    fts5_api* api = nullptr;
    sqlite3_stmt* stmt = nullptr;
    if (opened == SQLITE_OK &&
        sqlite3_prepare_v2(db_, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
      sqlite3_bind_pointer(stmt, 1, &api, "fts5_api_ptr", nullptr);
      sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    // kSqliteTokenizer: the name, then its arguments.
    const char* args[] = {"remove_diacritics", "2"};
    void* user_data = nullptr;
    if (api == nullptr ||
        api->xFindTokenizer(api, "unicode61", &user_data, &module_) != SQLITE_OK ||
        module_.xCreate(user_data, args, 2, &tokenizer_) != SQLITE_OK) {
      sqlite3_close(db_);
      throw std::runtime_error("this SQLite has no FTS5 unicode61 tokenizer");
    }
  }
  ~Tokenizer() {
    if (tokenizer_ != nullptr) module_.xDelete(tokenizer_);
    sqlite3_close(db_);
  }
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Calls `token` with each of the index's words of `text` until it returns false.
  template <typename Each>
  void ForEach(std::string_view text, Each&& token) {
    const int rc = module_.xTokenize(
        tokenizer_, &token, FTS5_TOKENIZE_DOCUMENT, text.data(), static_cast<int>(text.size()),
        [](void* context, int, const char* word, int size, int, int) -> int {
          return (*static_cast<std::remove_reference_t<Each>*>(context))(
                     std::string_view(word, size))
                     ? SQLITE_OK
                     : SQLITE_DONE;
        });
    if (rc != SQLITE_OK && rc != SQLITE_DONE) throw std::runtime_error("FTS5's tokenizer failed");
  }

  std::vector<std::string> Tokens(std::string_view text) {
    std::vector<std::string> tokens;
    const int rc = module_.xTokenize(
        tokenizer_, &tokens, FTS5_TOKENIZE_QUERY, text.data(), static_cast<int>(text.size()),
        [](void* context, int, const char* token, int size, int, int) -> int {
          static_cast<std::vector<std::string>*>(context)->emplace_back(token, size);
          return SQLITE_OK;
        });
    if (rc != SQLITE_OK) throw std::runtime_error("FTS5's tokenizer failed");
    return tokens;
  }

 private:
  sqlite3* db_ = nullptr;
  fts5_tokenizer module_{};
  Fts5Tokenizer* tokenizer_ = nullptr;
};

}  // namespace

Tokenizer& ThreadTokenizer() {
  thread_local Tokenizer tokenizer;
  return tokenizer;
}

std::vector<std::string> SqliteFullTextTokens(std::string_view text) {
  return ThreadTokenizer().Tokens(text);
}

std::vector<std::string> FullTextQueryPrefixes(std::string_view query) {
  std::vector<std::string> prefixes;
  size_t at = 0;
  while ((at = query.find('"', at)) != std::string_view::npos) {
    const size_t end = query.find('"', at + 1);
    if (end == std::string_view::npos) break;
    prefixes.emplace_back(query.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return prefixes;
}

namespace {

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The words of an ASCII text as the tokenizer makes them (unicode61 takes ASCII letters and
// digits as a word's characters and every other ASCII character as a separator, and folds the
// letters to lower case), to `word` until it returns false; without the tokenizer's calls, a
// walk's row test costs a fifth.
template <typename Visit>
void ForEachAsciiWord(std::string_view text, Visit&& word) {
  std::string folded;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsAsciiAlnum(text[i])) ++i;
    if (i == text.size()) return;
    folded.clear();
    while (i < text.size() && IsAsciiAlnum(text[i])) {
      const char c = text[i++];
      folded += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (!word(std::string_view(folded))) return;
  }
}

}  // namespace

bool TextsHavePrefixes(const std::vector<std::string>& prefixes,
                       const std::vector<std::string_view>& texts) {
  if (prefixes.empty()) return false;
  std::vector<bool> found(prefixes.size(), false);
  size_t missing = prefixes.size();
  auto visit = [&](std::string_view word) {
    for (size_t k = 0; k < prefixes.size(); ++k) {
      if (!found[k] && word.starts_with(prefixes[k])) {
        found[k] = true;
        --missing;
      }
    }
    return missing > 0;
  };
  for (std::string_view text : texts) {
    if (IsAscii(text)) {
      ForEachAsciiWord(text, visit);
    } else {
      ThreadTokenizer().ForEach(text, visit);
    }
    if (missing == 0) return true;
  }
  return false;
}

namespace {

// rapport_text_matches(query, text, ...): TextsHavePrefixes of the query's words (parsed once per
// statement) and the texts, 1 or 0; NULL texts are skipped.
void TextMatchesOrThrow(sqlite3_context* context, int argc, sqlite3_value** argv) {
  auto* prefixes = static_cast<std::vector<std::string>*>(sqlite3_get_auxdata(context, 0));
  if (prefixes == nullptr) {
    const auto* query = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    auto* parsed = new std::vector<std::string>(FullTextQueryPrefixes(query ? query : ""));
    sqlite3_set_auxdata(context, 0, parsed,
                        [](void* p) { delete static_cast<std::vector<std::string>*>(p); });
    prefixes = static_cast<std::vector<std::string>*>(sqlite3_get_auxdata(context, 0));
    if (prefixes == nullptr) {
      sqlite3_result_error_nomem(context);
      return;
    }
  }
  std::vector<std::string_view> texts;
  texts.reserve(argc - 1);
  for (int i = 1; i < argc; ++i) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[i]));
    if (text != nullptr) texts.emplace_back(text, sqlite3_value_bytes(argv[i]));
  }
  sqlite3_result_int(context, TextsHavePrefixes(*prefixes, texts) ? 1 : 0);
}

// No exception may cross SQLite's C frames.
void TextMatches(sqlite3_context* context, int argc, sqlite3_value** argv) {
  try {
    TextMatchesOrThrow(context, argc, argv);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(context);
  } catch (const std::exception& e) {
    sqlite3_result_error(context, e.what(), -1);
  }
}

}  // namespace

Status RegisterSqliteTextMatch(sqlite3* db) {
  const int rc = sqlite3_create_function_v2(db, kSqliteTextMatchFunction, -1,
                                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                            nullptr, &TextMatches, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    return SqliteError(db, rc, "registering " + std::string(kSqliteTextMatchFunction));
  return Ok();
}

namespace {

// Runs one statement on `db` with text parameters, handing each row it returns to `row`.
Status Run(sqlite3* db, std::string_view sql, std::initializer_list<std::string_view> params = {},
           const std::function<void(sqlite3_stmt*)>& row = {}) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db, rc, "full-text index");
  int at = 1;
  for (std::string_view p : params) {
    sqlite3_bind_text(stmt, at++, p.data(), static_cast<int>(p.size()), SQLITE_STATIC);
  }
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (row) row(stmt);
  }
  Status status = rc == SQLITE_DONE ? Ok() : Status(SqliteError(db, rc, "full-text index"));
  sqlite3_finalize(stmt);
  return status;
}

std::string Text(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}

std::string Quote(std::string_view name) { return "\"" + std::string(name) + "\""; }

// The tables FTS5 stores an index in, by the suffix of their names; the configuration table
// (_config) is left alone: both indexes are made by the same definition.
constexpr const char* kStoredTables[] = {"_data", "_idx", "_docsize", "_content"};

class SqliteFullTextBuild final : public FullTextBuild {
 public:
  SqliteFullTextBuild(std::string index, std::string definition, std::vector<std::string> columns)
      : index_(std::move(index)),
        definition_(std::move(definition)),
        columns_(std::move(columns)) {}
  ~SqliteFullTextBuild() override {
    sqlite3_finalize(insert_);
    sqlite3_close(side_);
  }
  SqliteFullTextBuild(const SqliteFullTextBuild&) = delete;
  SqliteFullTextBuild& operator=(const SqliteFullTextBuild&) = delete;

  Status Open() {
    ConfigureSqliteOnce();
    const int rc =
        sqlite3_open_v2(":memory:", &side_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return SqliteError(side_, rc, "full-text index in memory");
    RAPPORT_RETURN_IF_ERROR(Run(side_, definition_));
    RAPPORT_RETURN_IF_ERROR(Run(side_, "BEGIN"));
    std::string sql = "INSERT INTO " + Quote(index_) + " (rowid";
    std::string marks = "?";
    for (const std::string& column : columns_) {
      sql += ", " + Quote(column);
      marks += ", ?";
    }
    sql += ") VALUES (" + marks + ")";
    const int prepared = sqlite3_prepare_v2(side_, sql.c_str(), -1, &insert_, nullptr);
    if (prepared != SQLITE_OK) return SqliteError(side_, prepared, "full-text index in memory");
    return Ok();
  }

  const std::vector<std::string>& columns() const override { return columns_; }

  Status Add(std::int64_t id, const std::vector<std::optional<std::string_view>>& texts) override {
    if (texts.size() != columns_.size()) {
      return Error(ErrorCode::kInternal, "the full-text index has " +
                                             std::to_string(columns_.size()) + " columns, got " +
                                             std::to_string(texts.size()) + " values");
    }
    sqlite3_reset(insert_);
    sqlite3_bind_int64(insert_, 1, id);
    for (std::size_t k = 0; k < texts.size(); ++k) {
      const int at = static_cast<int>(k) + 2;
      if (texts[k]) {
        sqlite3_bind_text(insert_, at, texts[k]->data(), static_cast<int>(texts[k]->size()),
                          SQLITE_STATIC);
      } else {
        sqlite3_bind_null(insert_, at);
      }
    }
    const int rc = sqlite3_step(insert_);
    if (rc != SQLITE_DONE) return SqliteError(side_, rc, "full-text index in memory");
    return Ok();
  }

  // Copies the build's stored rows into `db`'s tables of the same names, emptied first. Once.
  Status CopyInto(sqlite3* db) {
    // FTS5 keeps the latest rows in memory until their transaction ends.
    RAPPORT_RETURN_IF_ERROR(Run(side_, "COMMIT"));
    for (const char* suffix : kStoredTables) {
      const std::string table = index_ + suffix;
      bool stored = false;
      RAPPORT_RETURN_IF_ERROR(Run(side_, "SELECT 1 FROM sqlite_schema WHERE name = ?", {table},
                                  [&](sqlite3_stmt*) { stored = true; }));
      if (!stored) continue;
      RAPPORT_RETURN_IF_ERROR(Run(db, "DELETE FROM " + Quote(table)));
      sqlite3_stmt* read = nullptr;
      sqlite3_stmt* write = nullptr;
      const std::string select = "SELECT * FROM " + Quote(table);
      int rc = sqlite3_prepare_v2(side_, select.c_str(), -1, &read, nullptr);
      if (rc != SQLITE_OK) return SqliteError(side_, rc, "full-text index in memory");
      const int width = sqlite3_column_count(read);
      std::string insert = "INSERT INTO " + Quote(table) + " VALUES (?";
      for (int c = 1; c < width; ++c) insert += ", ?";
      insert += ")";
      rc = sqlite3_prepare_v2(db, insert.c_str(), -1, &write, nullptr);
      Status status = rc == SQLITE_OK ? Ok() : Status(SqliteError(db, rc, "full-text index"));
      while (status.ok() && (rc = sqlite3_step(read)) == SQLITE_ROW) {
        sqlite3_reset(write);
        for (int c = 0; c < width; ++c) {
          sqlite3_bind_value(write, c + 1, sqlite3_column_value(read, c));
        }
        if (const int wrote = sqlite3_step(write); wrote != SQLITE_DONE) {
          status = SqliteError(db, wrote, "full-text index");
        }
      }
      if (status.ok() && rc != SQLITE_DONE) {
        status = SqliteError(side_, rc, "full-text index in memory");
      }
      sqlite3_finalize(write);
      sqlite3_finalize(read);
      RAPPORT_RETURN_IF_ERROR(status);
    }
    return Ok();
  }

  const std::string& index() const { return index_; }
  const std::string& definition() const { return definition_; }

 private:
  std::string index_;       // the FTS5 table's name
  std::string definition_;  // its CREATE VIRTUAL TABLE statement
  std::vector<std::string> columns_;
  sqlite3* side_ = nullptr;  // the private in-memory database the build fills
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<FullTextBuild>> StartSqliteFullTextBuild(sqlite3* db,
                                                                std::string_view table) {
  const std::string index = std::string(table) + "_fts";
  std::string definition;
  RAPPORT_RETURN_IF_ERROR(Run(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?",
                              {index}, [&](sqlite3_stmt* row) { definition = Text(row, 0); }));
  if (definition.find("fts5") == std::string::npos) return std::unique_ptr<FullTextBuild>();
  bool indexed = false;
  RAPPORT_RETURN_IF_ERROR(Run(db, "SELECT 1 FROM " + Quote(index + "_idx") + " LIMIT 1", {},
                              [&](sqlite3_stmt*) { indexed = true; }));
  if (indexed) return std::unique_ptr<FullTextBuild>();
  bool changed_on_insert = false;
  RAPPORT_RETURN_IF_ERROR(
      Run(db, "SELECT name, upper(sql) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?",
          {table}, [&](sqlite3_stmt* row) {
            if (Text(row, 0).starts_with(index + "_")) return;
            changed_on_insert =
                changed_on_insert || Text(row, 1).find(" INSERT ON ") != std::string::npos;
          }));
  if (changed_on_insert) return std::unique_ptr<FullTextBuild>();
  std::vector<std::string> columns;
  RAPPORT_RETURN_IF_ERROR(Run(db, "SELECT name FROM pragma_table_info(?) ORDER BY cid", {index},
                              [&](sqlite3_stmt* row) { columns.push_back(Text(row, 0)); }));
  auto build = std::make_unique<SqliteFullTextBuild>(index, definition, std::move(columns));
  RAPPORT_RETURN_IF_ERROR(build->Open());
  return std::unique_ptr<FullTextBuild>(std::move(build));
}

Status PlaceSqliteFullTextBuild(sqlite3* db, FullTextBuild& build) {
  auto* built = dynamic_cast<SqliteFullTextBuild*>(&build);
  if (built == nullptr) return Error(ErrorCode::kInternal, "not a SQLite full-text build");
  RAPPORT_RETURN_IF_ERROR(Run(db, "DROP TABLE " + Quote(built->index())));
  RAPPORT_RETURN_IF_ERROR(Run(db, built->definition()));
  return built->CopyInto(db);
}

}  // namespace rapport::db
