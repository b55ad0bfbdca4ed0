// The Database: Rapport's only door to storage. Two backends implement it, an embedded SQLite file
// (the default) and PostgreSQL (libpq); capabilities write one SQL text with '?' placeholders and
// the backend adapts it. Dialect differences (types, full-text search, sequences) live in
// db/dialect.{hpp,cpp} and nowhere else.
//
// Work happens in transactions: Write() runs a function in a read-write transaction (one writer at
// a time on SQLite), Read() in a read-only one (a pool of readers). The function's Status decides:
// Ok commits, an error rolls back. A Database is thread-safe; a Transaction is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace rapport::db {

enum class Backend { kSqlite, kPostgres };

// Bytes bound as a BLOB (SQLite) or bytea (PostgreSQL): a file's content. Read back, such a cell
// is text holding the same bytes.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};

// A bound parameter or a cell: NULL, integer, real, text or (bound only) bytes.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;
using Params = std::vector<Value>;

// "?, ?, ?" for an IN list of `ids`, each appended to `params`.
std::string IdPlaceholders(const std::vector<std::int64_t>& ids, Params& params);

inline Value Null() { return std::monostate{}; }
Value OptionalText(const std::optional<std::string>& text);
Value OptionalInt(const std::optional<std::int64_t>& number);

// The names of a result's columns in the order selected (a column's alias where it has one), one
// list shared by all the result's rows.
using ColumnNames = std::shared_ptr<const std::vector<std::string>>;

// One row of a query's result, its cells in the order selected. Cells are read by position or by
// the column's name: the alias in the SQL (`SELECT o.name AS owner_name`) or, for a plain column,
// its name without the table (`a.region` is "region"). Names are matched ignoring case, as
// PostgreSQL folds unquoted names to lower case. Reading a name the query does not select, or
// selects twice, is a bug and throws std::out_of_range. Immutable after construction; safe to
// share.
class Row {
 public:
  explicit Row(std::vector<Value> cells, ColumnNames names = nullptr)
      : cells_(std::move(cells)), names_(std::move(names)) {}
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(cells_.at(i)); }
  std::int64_t Int(size_t i) const;  // 0 for NULL
  double Real(size_t i) const;       // 0.0 for NULL
  std::string Text(size_t i) const;  // "" for NULL; numbers formatted
  std::optional<std::string> OptText(size_t i) const;
  std::optional<std::int64_t> OptInt(size_t i) const;
  const Value& at(size_t i) const { return cells_.at(i); }
  const std::vector<Value>& cells() const { return cells_; }

  // The same, by column name.
  bool IsNull(std::string_view column) const { return IsNull(IndexOf(column)); }
  std::int64_t Int(std::string_view column) const { return Int(IndexOf(column)); }
  double Real(std::string_view column) const { return Real(IndexOf(column)); }
  std::string Text(std::string_view column) const { return Text(IndexOf(column)); }
  std::optional<std::string> OptText(std::string_view column) const {
    return OptText(IndexOf(column));
  }
  std::optional<std::int64_t> OptInt(std::string_view column) const {
    return OptInt(IndexOf(column));
  }
  bool Bool(std::string_view column) const { return Int(column) != 0; }
  size_t IndexOf(std::string_view column) const;

 private:
  std::vector<Value> cells_;
  ColumnNames names_;
};

using Rows = std::vector<Row>;

// Streams many rows into one table as fast as the backend allows (COPY on PostgreSQL, a prepared
// INSERT on SQLite). Rows become visible when the enclosing transaction commits. Not thread-safe:
// used on its transaction's thread.
class BulkLoader {
 public:
  virtual ~BulkLoader() = default;
  // REQUIRES: values.size() equals the number of columns given to Transaction::Load.
  virtual Status Add(const Params& values) = 0;
  // The same, taking the values over (saves a copy where the loader keeps them a while).
  virtual Status Add(Params&& values) { return Add(static_cast<const Params&>(values)); }
  virtual Status Finish() = 0;
};

// A table's full-text index built apart from its transaction: in memory, from the rows as they are
// written, on another thread, then put in place at the transaction's end in one step
// (Transaction::PlaceFullText). For a bulk load into a table whose index is empty; built so, the
// index costs the transaction a copy instead of a rebuild (SQLite, 1M accounts: 2.2 s -> 0.1 s).
// Not thread-safe: one thread at a time, which need not be the transaction's.
class FullTextBuild {
 public:
  virtual ~FullTextBuild() = default;
  // The table's indexed columns, in the order Add takes their values.
  virtual const std::vector<std::string>& columns() const = 0;
  // One row as written to the table: its id and the texts of columns() (nullopt for NULL). Calls
  // come from one thread at a time, not necessarily the transaction's.
  virtual Status Add(std::int64_t id,
                     const std::vector<std::optional<std::string_view>>& texts) = 0;
};

// One statement of a batch (Transaction::QueryAll).
struct Statement {
  std::string sql;
  Params params;
};

// One transaction, handed to the function that Database::Write or Read runs in it and ended when
// that returns. Not thread-safe: used by the thread running that function only.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Backend backend() const = 0;
  virtual Status Execute(std::string_view sql, const Params& params = {}) = 0;
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs statements separated by ';' with no parameters (DDL, scripts).
  virtual Status ExecuteScript(std::string_view sql) = 0;
  virtual Result<std::unique_ptr<BulkLoader>> Load(std::string_view table,
                                                   const std::vector<std::string>& columns) = 0;

  // The first row, or nullopt when there is none.
  Result<std::optional<Row>> QueryOne(std::string_view sql, const Params& params = {});
  // The bytes in the first column of the first row the statement returns (a BLOB or bytea:
  // PostgreSQL sends them as they are, not as hex text); nullopt for no row or NULL.
  virtual Result<std::optional<std::string>> QueryBytes(std::string_view sql,
                                                        const Params& params = {});
  // The single integer the statement returns (e.g. "INSERT ... RETURNING id", "SELECT count(*)").
  Result<std::int64_t> QueryInt(std::string_view sql, const Params& params = {});
  // The rows of each statement, in order, for statements that do not depend on each other's
  // results. PostgreSQL gets them all in one round trip (libpq's pipeline); SQLite runs them one
  // after the other. The first error is the batch's.
  virtual Result<std::vector<Rows>> QueryAll(const std::vector<Statement>& statements);

  // A build of `table`'s full-text index apart from this transaction, when its index is empty and
  // the backend can (SQLite); nullptr otherwise (PostgreSQL, no index, an index not empty, a
  // trigger that may change a row after it is written), when the caller rebuilds it instead.
  // REQUIRES: the table's full-text triggers are suspended until PlaceFullText.
  virtual Result<std::unique_ptr<FullTextBuild>> BuildFullTextApart(std::string_view table);
  // Puts the build in place of the table's empty index. REQUIRES: every row is added and no Add
  // runs any more.
  virtual Status PlaceFullText(FullTextBuild& build);
};

using TransactionFn = std::function<Status(Transaction&)>;

struct DatabaseOptions {
  int readers = 4;                // SQLite reader connections / PostgreSQL pool size
  int busy_timeout_ms = 5000;     // SQLite: how long a writer waits for a lock
  bool create_if_missing = true;  // SQLite: create the file
  bool bulk_mode = false;         // SQLite: no fsync (only for a file nobody else sees yet)
};

// Rapport's storage (see above): runs functions in read-write or read-only transactions.
// Thread-safe: one is shared by every server thread and background job.
class Database {
 public:
  virtual ~Database() = default;

  // Opens "postgresql://..." (or "postgres://...") with libpq, anything else as a SQLite file path.
  // A missing SQLite file is an error unless options.create_if_missing.
  static Result<std::unique_ptr<Database>> Open(const std::string& url,
                                                const DatabaseOptions& options = {});
  static bool IsPostgresUrl(std::string_view url);

  virtual Backend backend() const = 0;
  // Where the data lives, with any password removed: safe to print.
  virtual std::string Describe() const = 0;

  // Runs fn in a read-write (Write) or read-only (Read) transaction, committed when fn returns
  // Ok. Each is timed into metrics::DatabaseTransactions() by kind and outcome.
  Status Write(const TransactionFn& fn);
  Status Read(const TransactionFn& fn);

  // The connections to the database: open, and in use by a transaction now (PostgreSQL's pool;
  // none counted on SQLite, where each thread keeps its own reader).
  struct Connections {
    int open = 0;
    int in_use = 0;
  };
  virtual Connections connections() const { return {}; }

 protected:
  // The backend's transaction (see Write and Read).
  virtual Status RunWrite(const TransactionFn& fn) = 0;
  virtual Status RunRead(const TransactionFn& fn) = 0;
};

}  // namespace rapport::db
