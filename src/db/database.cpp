#include "db/database.hpp"

#include <cctype>
#include <charconv>
#include <chrono>
#include <stdexcept>

#include "core/metrics.hpp"
#include "db/postgres/postgres_database.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace rapport::db {

Value OptionalText(const std::optional<std::string>& text) {
  if (text) return *text;
  return Null();
}

Value OptionalInt(const std::optional<std::int64_t>& number) {
  if (number) return *number;
  return Null();
}

std::int64_t Row::Int(size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    std::from_chars(p->data(), p->data() + p->size(), out);
    return out;
  }
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::strtod(p->c_str(), nullptr);
  return 0.0;
}

std::string Row::Text(size_t i) const {
  const Value& v = cells_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return "";
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

std::optional<std::int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

namespace {

bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

size_t Row::IndexOf(std::string_view column) const {
  if (!names_) throw std::out_of_range("a row without column names read by name");
  const std::vector<std::string>& names = *names_;
  size_t found = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    if (!SameName(names[i], column)) continue;
    if (found != names.size()) {
      throw std::out_of_range("column selected twice, give it an alias: " + std::string(column));
    }
    found = i;
  }
  if (found == names.size()) throw std::out_of_range("column not selected: " + std::string(column));
  return found;
}

Result<std::optional<Row>> Transaction::QueryOne(std::string_view sql, const Params& params) {
  RAPPORT_ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

Result<std::vector<Rows>> Transaction::QueryAll(const std::vector<Statement>& statements) {
  std::vector<Rows> all;
  all.reserve(statements.size());
  for (const Statement& statement : statements) {
    RAPPORT_ASSIGN_OR_RETURN(Rows rows, Query(statement.sql, statement.params));
    all.push_back(std::move(rows));
  }
  return all;
}

Result<std::unique_ptr<FullTextBuild>> Transaction::BuildFullTextApart(std::string_view) {
  return std::unique_ptr<FullTextBuild>();
}

Status Transaction::PlaceFullText(FullTextBuild&) {
  return Error(ErrorCode::kInternal, "this database builds no full-text index apart");
}

Result<std::optional<std::string>> Transaction::QueryBytes(std::string_view sql,
                                                           const Params& params) {
  RAPPORT_ASSIGN_OR_RETURN(std::optional<Row> row, QueryOne(sql, params));
  if (!row || row->IsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

Result<std::int64_t> Transaction::QueryInt(std::string_view sql, const Params& params) {
  RAPPORT_ASSIGN_OR_RETURN(std::optional<Row> row, QueryOne(sql, params));
  if (!row || row->size() == 0) {
    return Error(ErrorCode::kInternal, "statement returned no row: " + std::string(sql));
  }
  return row->Int(0);
}

namespace {

// Runs a transaction and times it into the metrics by kind and outcome.
template <typename Run>
Status Timed(const char* ok_labels, const char* error_labels, Run run) {
  const auto started = std::chrono::steady_clock::now();
  Status status = run();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  metrics::DatabaseTransactions().Observe(status.ok() ? ok_labels : error_labels, took.count());
  return status;
}

}  // namespace

Status Database::Write(const TransactionFn& fn) {
  return Timed("kind=\"write\",outcome=\"ok\"", "kind=\"write\",outcome=\"error\"",
               [&] { return RunWrite(fn); });
}

Status Database::Read(const TransactionFn& fn) {
  return Timed("kind=\"read\",outcome=\"ok\"", "kind=\"read\",outcome=\"error\"",
               [&] { return RunRead(fn); });
}

bool Database::IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& url,
                                                 const DatabaseOptions& options) {
  if (url.empty()) {
    return Error::InvalidField("--db", "is empty: give a SQLite file path or a postgresql:// URL");
  }
  if (IsPostgresUrl(url)) return OpenPostgres(url, options);
  return OpenSqlite(url, options);
}

std::string IdPlaceholders(const std::vector<std::int64_t>& ids, Params& params) {
  std::string in;
  for (std::int64_t id : ids) {
    in += in.empty() ? "?" : ", ?";
    params.push_back(id);
  }
  return in;
}

}  // namespace rapport::db
