#include "db/sqlite/sqlite_full_text.hpp"

#include <sqlite3.h>

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

std::vector<std::string> SqliteFullTextTokens(std::string_view text) {
  thread_local Tokenizer tokenizer;
  return tokenizer.Tokens(text);
}

}  // namespace rapport::db
