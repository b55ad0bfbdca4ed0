#include "db/sqlite/sqlite_database.hpp"

#include "core/string_map.hpp"
#include "db/sqlite/sqlite_full_text.hpp"

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace rapport::db {

Error SqliteError(sqlite3* handle, int rc, std::string_view context) {
  const int extended = handle ? sqlite3_extended_errcode(handle) : rc;
  std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
  if (!context.empty()) message = std::string(context) + ": " + message;
  switch (extended) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Error(ErrorCode::kAlreadyExists, message);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error(ErrorCode::kFailedPrecondition, message);
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_DATATYPE:
      return Error(ErrorCode::kInvalidArgument, message);
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(ErrorCode::kUnavailable, message);
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_READONLY:
      return Error(ErrorCode::kFailedPrecondition, message);
    default:
      return Error(ErrorCode::kInternal, message);
  }
}

namespace {

constexpr size_t kMaxCachedStatements = 512;

ColumnNames ColumnNamesOf(sqlite3_stmt* stmt, int columns) {
  auto names = std::make_shared<std::vector<std::string>>();
  names->reserve(columns);
  for (int c = 0; c < columns; ++c) {
    const char* name = sqlite3_column_name(stmt, c);
    names->emplace_back(name ? name : "");
  }
  return names;
}

// One connection with its statement cache. Used by one thread at a time.
class Connection {
 public:
  Connection(sqlite3* handle) : handle_(handle) {}
  ~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(handle_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const { return handle_; }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    if (statements_.size() >= kMaxCachedStatements) {
      // Bounded: drop the lot rather than grow without limit (callers' lists vary their SQL).
      for (auto& [text, cached] : statements_) sqlite3_finalize(cached);
      statements_.clear();
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(handle_, rc, "prepare");
    statements_.emplace(std::string(sql), stmt);
    return stmt;
  }

  Status Bind(sqlite3_stmt* stmt, const Params& params) {
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return Error(ErrorCode::kInternal, "statement expects " +
                                             std::to_string(sqlite3_bind_parameter_count(stmt)) +
                                             " parameters, got " + std::to_string(params.size()));
    }
    return BindFrom(stmt, params, 1);
  }

  // Binds `params` to the parameters numbered from `first` on (rows of a multi-row INSERT).
  Status BindFrom(sqlite3_stmt* stmt, const Params& params, int first) {
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i) + first;
      int rc = SQLITE_OK;
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, idx);
      } else if (auto n = std::get_if<std::int64_t>(&v)) {
        rc = sqlite3_bind_int64(stmt, idx, *n);
      } else if (auto d = std::get_if<double>(&v)) {
        rc = sqlite3_bind_double(stmt, idx, *d);
      } else if (auto b = std::get_if<Blob>(&v)) {
        rc = sqlite3_bind_blob64(stmt, idx, b->bytes.data(), b->bytes.size(), SQLITE_STATIC);
      } else {
        const auto& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
      }
      if (rc != SQLITE_OK) return SqliteError(handle_, rc, "bind");
    }
    return Ok();
  }

  // Steps the statement to completion, collecting rows when `rows` is given.
  Status Run(sqlite3_stmt* stmt, Rows* rows) {
    const int columns = sqlite3_column_count(stmt);
    ColumnNames names;
    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Error error = SqliteError(handle_, rc, "");
        sqlite3_reset(stmt);
        return error;
      }
      if (!rows) continue;
      if (!names) names = ColumnNamesOf(stmt, columns);
      std::vector<Value> cells;
      cells.reserve(columns);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER:
            cells.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          case SQLITE_FLOAT:
            cells.emplace_back(sqlite3_column_double(stmt, c));
            break;
          case SQLITE_NULL:
            cells.emplace_back(std::monostate{});
            break;
          case SQLITE_BLOB: {
            const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, c));
            cells.emplace_back(std::string(bytes ? bytes : "", sqlite3_column_bytes(stmt, c)));
            break;
          }
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            cells.emplace_back(std::string(text, sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      rows->emplace_back(std::move(cells), names);
    }
    sqlite3_reset(stmt);
    return Ok();
  }

  // One statement without parameters, prepared once (BEGIN, COMMIT, ROLLBACK).
  Status Step(std::string_view sql) {
    RAPPORT_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
    return Run(stmt, nullptr);
  }

  Status Exec(std::string_view sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(handle_, std::string(sql).c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string message = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      Error e = SqliteError(handle_, rc, "");
      return Error(e.code(), message);
    }
    return Ok();
  }

 private:
  sqlite3* handle_;
  StringMap<sqlite3_stmt*> statements_;
};

// Rows go in by multi-row INSERTs of `per_statement` rows: one statement run per batch rather
// than per row (each run of an INSERT costs a statement journal and, with AUTOINCREMENT, an update
// of sqlite_sequence; measured: 1M accounts 9.7 s row by row).
class SqliteBulkLoader final : public BulkLoader {
 public:
  SqliteBulkLoader(Connection& connection, sqlite3_stmt* one, sqlite3_stmt* many,
                   std::size_t per_statement, std::size_t columns)
      : connection_(connection),
        one_(one),
        many_(many),
        per_statement_(per_statement),
        columns_(columns) {
    rows_.reserve(per_statement);
  }
  Status Add(const Params& values) override { return Add(Params(values)); }
  Status Add(Params&& values) override {
    if (values.size() != columns_) {
      return Error(ErrorCode::kInternal, "bulk load expects " + std::to_string(columns_) +
                                             " values, got " + std::to_string(values.size()));
    }
    rows_.push_back(std::move(values));
    if (rows_.size() < per_statement_) return Ok();
    sqlite3_reset(many_);
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      RAPPORT_RETURN_IF_ERROR(
          connection_.BindFrom(many_, rows_[k], static_cast<int>(k * columns_) + 1));
    }
    Status s = Step(many_);
    rows_.clear();
    return s;
  }
  Status Finish() override {
    for (const Params& row : rows_) {
      sqlite3_reset(one_);
      RAPPORT_RETURN_IF_ERROR(connection_.BindFrom(one_, row, 1));
      RAPPORT_RETURN_IF_ERROR(Step(one_));
    }
    rows_.clear();
    return Ok();
  }

 private:
  Status Step(sqlite3_stmt* stmt) {
    const int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
      Error error = SqliteError(connection_.handle(), rc, "bulk load");
      sqlite3_reset(stmt);
      return error;
    }
    sqlite3_reset(stmt);
    return Ok();
  }

  Connection& connection_;
  sqlite3_stmt* one_;
  sqlite3_stmt* many_;
  std::size_t per_statement_, columns_;
  std::vector<Params> rows_;
};

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(Connection& connection) : connection_(connection) {}
  Backend backend() const override { return Backend::kSqlite; }

  Status Execute(std::string_view sql, const Params& params) override {
    RAPPORT_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, connection_.Prepare(sql));
    RAPPORT_RETURN_IF_ERROR(connection_.Bind(stmt, params));
    return connection_.Run(stmt, nullptr);
  }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    RAPPORT_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, connection_.Prepare(sql));
    RAPPORT_RETURN_IF_ERROR(connection_.Bind(stmt, params));
    Rows rows;
    RAPPORT_RETURN_IF_ERROR(connection_.Run(stmt, &rows));
    return rows;
  }

  Status ExecuteScript(std::string_view sql) override { return connection_.Exec(sql); }

  Result<std::unique_ptr<FullTextBuild>> BuildFullTextApart(std::string_view table) override {
    return StartSqliteFullTextBuild(connection_.handle(), table);
  }
  Status PlaceFullText(FullTextBuild& build) override {
    return PlaceSqliteFullTextBuild(connection_.handle(), build);
  }

  Result<std::unique_ptr<BulkLoader>> Load(std::string_view table,
                                           const std::vector<std::string>& columns) override {
    std::string head = "INSERT INTO " + std::string(table) + " (";
    std::string marks = "(";
    for (size_t i = 0; i < columns.size(); ++i) {
      head += (i ? ", " : "") + columns[i];
      marks += i ? ", ?" : "?";
    }
    head += ") VALUES ";
    marks += ")";
    // Up to 64 rows a statement, within SQLite's limit of 32,766 parameters.
    const std::size_t per = std::max<std::size_t>(
        1, std::min<std::size_t>(64, 32000 / std::max<std::size_t>(1, columns.size())));
    std::string many = head;
    for (std::size_t k = 0; k < per; ++k) many += (k ? ", " : "") + marks;
    RAPPORT_ASSIGN_OR_RETURN(sqlite3_stmt * one, connection_.Prepare(head + marks));
    RAPPORT_ASSIGN_OR_RETURN(sqlite3_stmt * all, connection_.Prepare(many));
    return std::unique_ptr<BulkLoader>(
        std::make_unique<SqliteBulkLoader>(connection_, one, all, per, columns.size()));
  }

 private:
  Connection& connection_;
};

}  // namespace

// Before SQLite's first use: no allocation statistics. They cost a process-wide mutex on every
// allocation, which the server's threads contended on at every row read (perf: half the futex
// calls of GET account). Each connection is used by one thread at a time (NOMUTEX below).
void ConfigureSqliteOnce() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

namespace {

Result<std::unique_ptr<Connection>> OpenConnection(const std::string& path, int flags,
                                                   const DatabaseOptions& options) {
  ConfigureSqliteOnce();
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  auto connection = std::make_unique<Connection>(handle);
  if (rc != SQLITE_OK) return SqliteError(handle, rc, "cannot open SQLite database '" + path + "'");
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, options.busy_timeout_ms);
  // Reading the schema proves the file is a SQLite database before anything is written.
  if (auto s = connection->Exec("SELECT count(*) FROM sqlite_schema"); !s.ok()) {
    return Error(ErrorCode::kFailedPrecondition,
                 "'" + path + "' is not a usable SQLite database: " + s.error().message());
  }
  RAPPORT_RETURN_IF_ERROR(connection->Exec("PRAGMA foreign_keys = ON"));
  // Pages read straight from the operating system's cache, shared by every connection, instead
  // of each connection's own small cache: a walk of an index that reads rows out of order (a
  // name order over a million accounts) misses that cache on almost every row.
  RAPPORT_RETURN_IF_ERROR(connection->Exec("PRAGMA mmap_size = 2147418112"));
  RAPPORT_RETURN_IF_ERROR(RegisterSqliteTextMatch(handle));
  return connection;
}

class SqliteDatabase final : public Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (!exists && !options.create_if_missing) {
      return Error(ErrorCode::kNotFound, "database file '" + path + "' does not exist");
    }
    if (exists && fs::is_directory(path, ec)) {
      return Error(ErrorCode::kInvalidArgument,
                   "'" + path + "' is a directory, not a database file");
    }
    const fs::path parent = fs::path(path).parent_path();
    if (!exists && !parent.empty() && !fs::is_directory(parent, ec)) {
      return Error(ErrorCode::kNotFound, "directory '" + parent.string() + "' for database '" +
                                             path + "' does not exist");
    }
    auto db = std::unique_ptr<SqliteDatabase>(new SqliteDatabase(path, options));
    RAPPORT_ASSIGN_OR_RETURN(
        db->writer_, OpenConnection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options));
    RAPPORT_RETURN_IF_ERROR(
        db->writer_->Exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                          "PRAGMA cache_size = -65536"));
    return std::unique_ptr<Database>(std::move(db));
  }

  Backend backend() const override { return Backend::kSqlite; }
  std::string Describe() const override { return "sqlite:" + path_; }

 protected:
  Status RunWrite(const TransactionFn& fn) override {
    std::lock_guard lock(writer_mutex_);
    return RunIn(*writer_, "BEGIN IMMEDIATE", fn);
  }

  Status RunRead(const TransactionFn& fn) override {
    // Each thread keeps one reader of its own for this database: no lock, no hand-over. A read
    // nested in another on the same thread (or a thread the first time) falls back to the pool.
    thread_local std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> own;
    thread_local std::uint64_t busy = 0;
    if (busy != instance_) {
      if (own.size() > 16 && !own.count(instance_)) own.clear();  // databases long closed
      auto& mine = own[instance_];
      if (!mine) {
        auto opened = OpenConnection(path_, SQLITE_OPEN_READONLY, options_);
        if (opened.ok()) mine = std::move(opened).value();
      }
      if (mine) {
        const std::uint64_t outer = busy;
        busy = instance_;
        Status status = Ok();
        try {
          status = RunIn(*mine, "BEGIN", fn);
        } catch (...) {
          busy = outer;
          throw;
        }
        busy = outer;
        return status;
      }
    }
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> reader, AcquireReader());
    Status status = Ok();
    try {
      status = RunIn(*reader, "BEGIN", fn);
    } catch (...) {
      ReleaseReader(std::move(reader));
      throw;
    }
    ReleaseReader(std::move(reader));
    return status;
  }

 private:
  SqliteDatabase(std::string path, DatabaseOptions options)
      : path_(std::move(path)), options_(options) {}

  static Status RunIn(Connection& connection, const char* begin, const TransactionFn& fn) {
    RAPPORT_RETURN_IF_ERROR(connection.Step(begin));
    SqliteTransaction transaction(connection);
    Status status = Ok();
    try {
      status = fn(transaction);
    } catch (...) {
      (void)connection.Exec("ROLLBACK");  // a bug below: leave no transaction open
      throw;
    }
    if (status.ok()) {
      Status committed = connection.Step("COMMIT");
      if (committed.ok()) return committed;
      status = committed;
    }
    (void)connection.Exec("ROLLBACK");
    return status;
  }

  Result<std::unique_ptr<Connection>> AcquireReader() {
    {
      std::unique_lock lock(readers_mutex_);
      readers_available_.wait(
          lock, [&] { return !idle_readers_.empty() || open_readers_ < options_.readers; });
      if (!idle_readers_.empty()) {
        auto reader = std::move(idle_readers_.back());
        idle_readers_.pop_back();
        return reader;
      }
      ++open_readers_;
    }
    auto opened = OpenConnection(path_, SQLITE_OPEN_READONLY, options_);
    if (!opened.ok()) {
      std::lock_guard lock(readers_mutex_);
      --open_readers_;
      readers_available_.notify_one();
    }
    return opened;
  }

  void ReleaseReader(std::unique_ptr<Connection> reader) {
    std::lock_guard lock(readers_mutex_);
    idle_readers_.push_back(std::move(reader));
    readers_available_.notify_one();
  }

  static inline std::atomic<std::uint64_t> next_instance_{1};
  const std::uint64_t instance_ = next_instance_.fetch_add(1);  // never reused, unlike addresses
  std::string path_;
  DatabaseOptions options_;
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::mutex readers_mutex_;
  std::condition_variable readers_available_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  int open_readers_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path,
                                             const DatabaseOptions& options) {
  return SqliteDatabase::Open(path, options);
}

Status BackupSqlite(const std::string& source, const std::string& destination) {
  std::error_code ec;
  if (!std::filesystem::exists(source, ec)) {
    return Error(ErrorCode::kNotFound, "database file '" + source + "' does not exist");
  }
  if (std::filesystem::exists(destination, ec)) {
    return Error(ErrorCode::kAlreadyExists,
                 "'" + destination + "' already exists; choose a new file for the backup");
  }
  DatabaseOptions options;
  RAPPORT_ASSIGN_OR_RETURN(auto from, OpenConnection(source, SQLITE_OPEN_READONLY, options));
  const std::string partial = destination + ".partial";
  std::filesystem::remove(partial, ec);
  {
    sqlite3* to = nullptr;
    int rc =
        sqlite3_open_v2(partial.c_str(), &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Connection to_connection(to);  // closed at the end of this scope, before the rename
    if (rc != SQLITE_OK) return SqliteError(to, rc, "cannot create '" + destination + "'");
    sqlite3_backup* backup = sqlite3_backup_init(to, "main", from->handle(), "main");
    if (!backup) return SqliteError(to, sqlite3_errcode(to), "backup");
    // Copy in steps so that a busy writer is not blocked for the whole copy.
    do {
      rc = sqlite3_backup_step(backup, 4096);
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) {
      Error error = SqliteError(to, rc, "backup");
      std::filesystem::remove(partial, ec);
      return error;
    }
  }
  std::filesystem::rename(partial, destination, ec);
  if (ec) return Error(ErrorCode::kInternal, "cannot move backup into place: " + ec.message());
  return Ok();
}

}  // namespace rapport::db
