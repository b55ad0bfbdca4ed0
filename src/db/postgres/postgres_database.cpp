#include "db/postgres/postgres_database.hpp"

#include "core/string_map.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

namespace rapport::db {
namespace {

constexpr unsigned kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kBoolOid = 16, kFloat4Oid = 700,
                   kFloat8Oid = 701, kNumericOid = 1700, kByteaOid = 17;

Error PostgresError(PGconn* conn, const PGresult* result, std::string_view context) {
  std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!context.empty()) message = std::string(context) + ": " + message;
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  if (sqlstate == "23505") return Error(ErrorCode::kAlreadyExists, message);
  if (sqlstate == "23503") return Error(ErrorCode::kFailedPrecondition, message);
  if (sqlstate == "23514" || sqlstate == "23502" || sqlstate.starts_with("22")) {
    return Error(ErrorCode::kInvalidArgument, message);
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate.starts_with("08") ||
      sqlstate == "57P01" || PQstatus(conn) == CONNECTION_BAD) {
    return Error(ErrorCode::kUnavailable, message);
  }
  return Error(ErrorCode::kInternal, message);
}

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

class Connection {
 public:
  explicit Connection(PGconn* conn) : conn_(conn) {}
  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* conn() const { return conn_; }
  // Lost, or left in a state no later user could trust (a pipeline that could not be ended):
  // the pool drops it.
  bool broken() const { return poisoned_ || PQstatus(conn_) != CONNECTION_OK; }

  // The transaction's BEGIN is not sent on its own: it goes with the first statement, in one
  // pipeline (one round trip instead of two). A transaction that runs no statement sends none.
  void BeginLazily(const char* begin) { pending_begin_ = begin; }
  bool begun() const { return pending_begin_ == nullptr; }
  // A read-only transaction's COMMIT is sent without waiting for its answer, which is read
  // before the connection's next statement: a read costs one round trip.
  void CommitWithoutWaiting() {
    if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) {
      poisoned_ = true;
      return;
    }
    if (PQsendQueryParams(conn_, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1) {
      commit_in_flight_ = true;
    } else {
      (void)Exec("ROLLBACK");
    }
  }
  // Reads the answer of a COMMIT sent without waiting. A read-only COMMIT that failed left
  // nothing to undo and is not the next transaction's error, unless the connection is lost.
  Status Drain() {
    if (!commit_in_flight_) return Ok();
    commit_in_flight_ = false;
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    if (PQstatus(conn_) != CONNECTION_OK) return PostgresError(conn_, nullptr, "commit");
    return Ok();
  }
  Status SendPendingBegin() {
    if (!pending_begin_) return Ok();
    const char* begin = pending_begin_;
    pending_begin_ = nullptr;
    return Exec(begin);
  }

  // Prepares (once per connection) and runs the statement.
  // `binary`: the results in PostgreSQL's binary format (only for a bytea read: the other types'
  // binary forms are not what ToRows parses).
  Result<ResultPtr> Run(std::string_view sql, const Params& params, bool binary = false) {
    if (pending_begin_) {
      // BEGIN and the statement in one pipeline: one round trip instead of two.
      const StatementView statement{sql, &params};
      RAPPORT_ASSIGN_OR_RETURN(std::vector<ResultPtr> results, RunAll({&statement, 1}, binary));
      return std::move(results.front());
    }
    RAPPORT_RETURN_IF_ERROR(Drain());
    RAPPORT_ASSIGN_OR_RETURN(const std::string* name, Prepared(sql));
    const Bound bound(params);
    return Checked(ResultPtr(PQexecPrepared(conn_, name->c_str(), bound.count(), bound.values(),
                                            bound.lengths(), bound.formats(), binary ? 1 : 0),
                             &PQclear));
  }

  // Runs the statements (and the transaction's BEGIN, if not sent yet) in one pipeline: all sent,
  // one sync, all results read. The first failure is the batch's; PostgreSQL skips the rest.
  // A statement of a batch, borrowed from the caller for the call.
  struct StatementView {
    std::string_view sql;
    const Params* params;
  };

  Result<std::vector<ResultPtr>> RunAll(std::span<const StatementView> statements,
                                        bool binary = false) {
    RAPPORT_RETURN_IF_ERROR(Drain());
    // Preparing is a round trip of its own, once per connection and statement. A batch never
    // straddles the cache's reset, which would forget names prepared for it.
    std::size_t unprepared = 0;
    for (const StatementView& s : statements) unprepared += !statements_.contains(s.sql);
    if (statements_.size() + unprepared > kPreparedKept) {
      RAPPORT_RETURN_IF_ERROR(Exec("DEALLOCATE ALL"));
      statements_.clear();
    }
    std::vector<const std::string*> names;
    std::vector<Bound> bound;
    bound.reserve(statements.size());
    for (const StatementView& s : statements) {
      RAPPORT_ASSIGN_OR_RETURN(const std::string* name, Prepared(s.sql));
      names.push_back(name);
      bound.emplace_back(*s.params);
    }
    std::vector<ResultPtr> results;
    if (PQenterPipelineMode(conn_) != 1) {
      RAPPORT_RETURN_IF_ERROR(SendPendingBegin());
      for (std::size_t i = 0; i < statements.size(); ++i) {
        RAPPORT_ASSIGN_OR_RETURN(
            ResultPtr result,
            Checked(ResultPtr(
                PQexecPrepared(conn_, names[i]->c_str(), bound[i].count(), bound[i].values(),
                               bound[i].lengths(), bound[i].formats(), binary ? 1 : 0),
                &PQclear)));
        results.push_back(std::move(result));
      }
      return results;
    }
    const char* begin = pending_begin_;
    pending_begin_ = nullptr;
    bool sent =
        !begin || PQsendQueryParams(conn_, begin, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
    for (std::size_t i = 0; sent && i < statements.size(); ++i) {
      sent = PQsendQueryPrepared(conn_, names[i]->c_str(), bound[i].count(), bound[i].values(),
                                 bound[i].lengths(), bound[i].formats(), binary ? 1 : 0) == 1;
    }
    sent = sent && PQpipelineSync(conn_) == 1;
    // Each query's results end with a null; then the sync's own result.
    ResultPtr begin_result(nullptr, &PQclear);
    for (std::size_t query = 0; sent && query < statements.size() + (begin ? 1 : 0); ++query) {
      ResultPtr last(nullptr, &PQclear);
      while (PGresult* r = PQgetResult(conn_)) last.reset(r);
      if (begin && query == 0) {
        begin_result = std::move(last);
      } else {
        results.push_back(std::move(last));
      }
    }
    if (sent) {
      while (PGresult* r = PQgetResult(conn_)) {
        const bool synced = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (synced) break;
      }
    }
    // A pipeline not sent whole cannot be ended cleanly: the connection is not reused.
    if (!sent || PQexitPipelineMode(conn_) != 1) poisoned_ = true;
    if (!sent) return PostgresError(conn_, nullptr, "pipeline");
    if (begin && PQresultStatus(begin_result.get()) != PGRES_COMMAND_OK) {
      return PostgresError(conn_, begin_result.get(), "begin");
    }
    for (ResultPtr& result : results) {
      RAPPORT_ASSIGN_OR_RETURN(result, Checked(std::move(result)));
    }
    return results;
  }

  Status Exec(std::string_view sql) {
    RAPPORT_RETURN_IF_ERROR(Drain());
    std::string text(sql);
    if (pending_begin_) {
      // A script is sent as simple queries: the BEGIN goes in front of it.
      text = std::string(pending_begin_) + "; " + text;
      pending_begin_ = nullptr;
    }
    ResultPtr result(PQexec(conn_, text.c_str()), &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return PostgresError(conn_, result.get(), "");
    }
    return Ok();
  }

 private:
  static constexpr std::size_t kPreparedKept = 512;

  // The prepared statement's name, prepared on this connection first if it is new. Bounded:
  // past kPreparedKept they are all forgotten rather than grow without limit.
  Result<const std::string*> Prepared(std::string_view sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      if (statements_.size() >= kPreparedKept) {
        RAPPORT_RETURN_IF_ERROR(Exec("DEALLOCATE ALL"));
        statements_.clear();
      }
      const std::string name = "s" + std::to_string(++prepared_);
      const std::string numbered = NumberPlaceholders(sql);
      ResultPtr prepared(PQprepare(conn_, name.c_str(), numbered.c_str(), 0, nullptr), &PQclear);
      if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
        return PostgresError(conn_, prepared.get(), "prepare");
      }
      it = statements_.emplace(std::string(sql), name).first;
    }
    return &it->second;
  }

  // A statement's parameters as libpq takes them: text, bytes (binary format), or null.
  class Bound {
   public:
    explicit Bound(const Params& params)
        : texts_(params.size()),
          values_(params.size()),
          lengths_(params.size()),
          formats_(params.size()) {
      for (size_t i = 0; i < params.size(); ++i) {
        const Value& v = params[i];
        if (auto b = std::get_if<Blob>(&v)) {
          values_[i] = b->bytes.data();
          lengths_[i] = static_cast<int>(b->bytes.size());
          formats_[i] = 1;
          continue;
        }
        if (auto n = std::get_if<std::int64_t>(&v)) {
          texts_[i] = std::to_string(*n);
        } else if (auto d = std::get_if<double>(&v)) {
          char buf[64];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
          texts_[i].assign(buf, end);
        } else if (auto s = std::get_if<std::string>(&v)) {
          values_[i] = s->c_str();
          continue;
        } else {
          continue;  // NULL
        }
        values_[i] = texts_[i].c_str();
      }
    }
    Bound(Bound&&) = default;
    int count() const { return static_cast<int>(values_.size()); }
    const char* const* values() const { return values_.data(); }
    const int* lengths() const { return lengths_.data(); }
    const int* formats() const { return formats_.data(); }

   private:
    // Numbers written out. values_ points into them: moving a Bound moves the vector's buffer,
    // so the strings (short ones held inline) stay where they are.
    std::vector<std::string> texts_;
    std::vector<const char*> values_;
    std::vector<int> lengths_;  // read for binary parameters only
    std::vector<int> formats_;  // 0 text, 1 binary
  };

  Result<ResultPtr> Checked(ResultPtr result) {
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return PostgresError(conn_, result.get(), "");
    }
    return result;
  }

  PGconn* conn_;
  const char* pending_begin_ = nullptr;
  bool commit_in_flight_ = false;
  bool poisoned_ = false;
  StringMap<std::string> statements_;
  std::uint64_t prepared_ = 0;
};

// bytea's text output ("\\x4869"; PostgreSQL writes hex since 9.0) as the bytes.
std::string DecodeBytea(std::string_view text) {
  const auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string bytes;
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') return bytes;
  bytes.reserve((text.size() - 2) / 2);
  for (size_t i = 2; i + 1 < text.size(); i += 2) {
    bytes += static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1]));
  }
  return bytes;
}

Rows ToRows(const PGresult* result) {
  const int n = PQntuples(result), columns = PQnfields(result);
  Rows rows;
  rows.reserve(n);
  ColumnNames names;
  if (n > 0) {
    auto list = std::make_shared<std::vector<std::string>>();
    list->reserve(columns);
    for (int c = 0; c < columns; ++c) list->emplace_back(PQfname(result, c));
    names = std::move(list);
  }
  for (int r = 0; r < n; ++r) {
    std::vector<Value> cells;
    cells.reserve(columns);
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result, r, c)) {
        cells.emplace_back(std::monostate{});
        continue;
      }
      const char* text = PQgetvalue(result, r, c);
      const int length = PQgetlength(result, r, c);
      const unsigned type = PQftype(result, c);
      if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid ||
          (type == kNumericOid && !std::memchr(text, '.', length))) {
        std::int64_t number = 0;
        std::from_chars(text, text + length, number);
        cells.emplace_back(number);
      } else if (type == kFloat8Oid || type == kFloat4Oid || type == kNumericOid) {
        cells.emplace_back(std::strtod(text, nullptr));
      } else if (type == kBoolOid) {
        cells.emplace_back(static_cast<std::int64_t>(text[0] == 't'));
      } else if (type == kByteaOid) {
        cells.emplace_back(DecodeBytea(std::string_view(text, length)));
      } else {
        cells.emplace_back(std::string(text, length));
      }
    }
    rows.emplace_back(std::move(cells), names);
  }
  return rows;
}

// COPY ... FROM STDIN in text format, flushed in chunks.
class PostgresBulkLoader final : public BulkLoader {
 public:
  PostgresBulkLoader(Connection& connection, size_t columns)
      : connection_(connection), columns_(columns) {}

  Status Add(const Params& values) override {
    if (values.size() != columns_) {
      return Error(ErrorCode::kInternal, "bulk load row has " + std::to_string(values.size()) +
                                             " values, expected " + std::to_string(columns_));
    }
    for (size_t i = 0; i < values.size(); ++i) {
      if (i) buffer_ += '\t';
      const Value& v = values[i];
      if (std::holds_alternative<std::monostate>(v)) {
        buffer_ += "\\N";
      } else if (auto n = std::get_if<std::int64_t>(&v)) {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *n);
        buffer_.append(buf, end);
      } else if (auto d = std::get_if<double>(&v)) {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
        buffer_.append(buf, end);
      } else if (auto b = std::get_if<Blob>(&v)) {
        static constexpr char kHex[] = "0123456789abcdef";
        buffer_ += "\\\\x";  // bytea's hex input, its backslash escaped for COPY
        for (unsigned char ch : b->bytes) {
          buffer_ += kHex[ch >> 4];
          buffer_ += kHex[ch & 15];
        }
      } else {
        for (char ch : std::get<std::string>(v)) {
          switch (ch) {
            case '\\':
              buffer_ += "\\\\";
              break;
            case '\t':
              buffer_ += "\\t";
              break;
            case '\n':
              buffer_ += "\\n";
              break;
            case '\r':
              buffer_ += "\\r";
              break;
            default:
              buffer_ += ch;
          }
        }
      }
    }
    buffer_ += '\n';
    if (buffer_.size() >= (1 << 20)) return Flush();
    return Ok();
  }

  Status Finish() override {
    RAPPORT_RETURN_IF_ERROR(Flush());
    if (PQputCopyEnd(connection_.conn(), nullptr) != 1) {
      return PostgresError(connection_.conn(), nullptr, "copy end");
    }
    ResultPtr result(PQgetResult(connection_.conn()), &PQclear);
    Status status = Ok();
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      status = PostgresError(connection_.conn(), result.get(), "copy");
    }
    while (PGresult* extra = PQgetResult(connection_.conn())) PQclear(extra);
    return status;
  }

 private:
  Status Flush() {
    if (buffer_.empty()) return Ok();
    if (PQputCopyData(connection_.conn(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
      return PostgresError(connection_.conn(), nullptr, "copy");
    }
    buffer_.clear();
    return Ok();
  }

  Connection& connection_;
  size_t columns_;
  std::string buffer_;
};

class PostgresTransaction final : public Transaction {
 public:
  explicit PostgresTransaction(Connection& connection) : connection_(connection) {}
  Backend backend() const override { return Backend::kPostgres; }

  Status Execute(std::string_view sql, const Params& params) override {
    RAPPORT_ASSIGN_OR_RETURN(ResultPtr result, connection_.Run(sql, params));
    return Ok();
  }

  Result<std::optional<std::string>> QueryBytes(std::string_view sql,
                                                const Params& params) override {
    RAPPORT_ASSIGN_OR_RETURN(ResultPtr result, connection_.Run(sql, params, /*binary=*/true));
    if (PQntuples(result.get()) == 0 || PQgetisnull(result.get(), 0, 0)) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(
        std::string(PQgetvalue(result.get(), 0, 0), PQgetlength(result.get(), 0, 0)));
  }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    RAPPORT_ASSIGN_OR_RETURN(ResultPtr result, connection_.Run(sql, params));
    return ToRows(result.get());
  }

  Result<std::vector<Rows>> QueryAll(const std::vector<Statement>& statements) override {
    std::vector<Connection::StatementView> views;
    views.reserve(statements.size());
    for (const Statement& s : statements) views.push_back({s.sql, &s.params});
    RAPPORT_ASSIGN_OR_RETURN(std::vector<ResultPtr> results, connection_.RunAll(views));
    std::vector<Rows> all;
    all.reserve(results.size());
    for (const ResultPtr& result : results) all.push_back(ToRows(result.get()));
    return all;
  }

  Status ExecuteScript(std::string_view sql) override { return connection_.Exec(sql); }

  Result<std::unique_ptr<BulkLoader>> Load(std::string_view table,
                                           const std::vector<std::string>& columns) override {
    std::string sql = "COPY " + std::string(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
    sql += ") FROM STDIN";
    RAPPORT_RETURN_IF_ERROR(connection_.Drain());
    RAPPORT_RETURN_IF_ERROR(connection_.SendPendingBegin());
    ResultPtr result(PQexec(connection_.conn(), sql.c_str()), &PQclear);
    if (PQresultStatus(result.get()) != PGRES_COPY_IN) {
      return PostgresError(connection_.conn(), result.get(), "copy");
    }
    return std::unique_ptr<BulkLoader>(
        std::make_unique<PostgresBulkLoader>(connection_, columns.size()));
  }

 private:
  Connection& connection_;
};

Result<std::unique_ptr<Connection>> Connect(const std::string& url) {
  std::string conninfo = url;
  if (conninfo.find("connect_timeout") == std::string::npos) {
    conninfo += (conninfo.find('?') == std::string::npos ? "?" : "&");
    conninfo += "connect_timeout=5";
  }
  auto connection = std::make_unique<Connection>(PQconnectdb(conninfo.c_str()));
  if (PQstatus(connection->conn()) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection->conn());
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Error(ErrorCode::kUnavailable,
                 "cannot connect to PostgreSQL at " + RedactPostgresUrl(url) + ": " + message);
  }
  RAPPORT_RETURN_IF_ERROR(
      connection->Exec("SET client_min_messages = warning; SET TIME ZONE 'UTC'"));
  return connection;
}

class PostgresDatabase final : public Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& url,
                                                const DatabaseOptions& options) {
    auto db = std::unique_ptr<PostgresDatabase>(new PostgresDatabase(url, options));
    RAPPORT_ASSIGN_OR_RETURN(auto first, Connect(url));
    db->idle_.push_back(std::move(first));
    db->open_ = 1;
    return std::unique_ptr<Database>(std::move(db));
  }

  Backend backend() const override { return Backend::kPostgres; }
  std::string Describe() const override { return RedactPostgresUrl(url_); }

  static constexpr const char* kReadOnly = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  Connections connections() const override {
    std::lock_guard lock(mutex_);
    return {open_, open_ - static_cast<int>(idle_.size())};
  }

 protected:
  Status RunWrite(const TransactionFn& fn) override { return RunIn("BEGIN", fn); }
  Status RunRead(const TransactionFn& fn) override { return RunIn(kReadOnly, fn); }

 private:
  PostgresDatabase(std::string url, DatabaseOptions options)
      : url_(std::move(url)), options_(options) {}

  Status RunIn(const char* begin, const TransactionFn& fn) {
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> connection, Acquire());
    connection->BeginLazily(begin);
    Status status = Ok();
    PostgresTransaction transaction(*connection);
    try {
      status = fn(transaction);
    } catch (...) {
      // A bug below: roll back and return the connection before passing the exception on.
      if (connection->begun()) (void)connection->Exec("ROLLBACK");
      connection->BeginLazily(nullptr);
      Release(std::move(connection));
      throw;
    }
    if (!connection->begun()) {
      connection->BeginLazily(nullptr);  // no statement ran: there is nothing to commit
    } else if (status.ok() && begin == kReadOnly) {
      connection->CommitWithoutWaiting();
    } else {
      if (status.ok()) status = connection->Exec("COMMIT");
      if (!status.ok()) (void)connection->Exec("ROLLBACK");
    }
    Release(std::move(connection));
    return status;
  }

  Result<std::unique_ptr<Connection>> Acquire() {
    {
      std::unique_lock lock(mutex_);
      available_.wait(lock, [&] { return !idle_.empty() || open_ < options_.readers; });
      if (!idle_.empty()) {
        auto connection = std::move(idle_.back());
        idle_.pop_back();
        return connection;
      }
      ++open_;
    }
    auto connected = Connect(url_);
    if (!connected.ok()) {
      std::lock_guard lock(mutex_);
      --open_;
      available_.notify_one();
    }
    return connected;
  }

  void Release(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mutex_);
    if (connection->broken()) {
      --open_;  // dropped; a new one is opened on demand
    } else {
      idle_.push_back(std::move(connection));
    }
    available_.notify_one();
  }

  std::string url_;
  DatabaseOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

}  // namespace

std::string RedactPostgresUrl(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url,
                                               const DatabaseOptions& options) {
  return PostgresDatabase::Open(url, options);
}

Result<PostgresConnectionForTools> SplitPostgresPassword(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (options == nullptr) {
    std::string message = error ? error : "not a PostgreSQL connection string";
    if (error) PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Error::InvalidField("--db", message);
  }
  PostgresConnectionForTools tools;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    const std::string keyword = option->keyword;
    if (keyword == "password") {
      tools.password = option->val;
      continue;
    }
    std::string quoted;
    for (const char* c = option->val; *c; ++c) {
      if (*c == '\\' || *c == '\'') quoted += '\\';
      quoted += *c;
    }
    tools.conninfo += (tools.conninfo.empty() ? "" : " ") + keyword + "='" + quoted + "'";
  }
  PQconninfoFree(options);
  return tools;
}

}  // namespace rapport::db
