#include "support/test_database.hpp"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

namespace rapport::testing {
namespace {

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  std::random_device device;
  return std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(device() % 100000);
}

// Runs one statement on the server's maintenance connection (outside any transaction, as CREATE
// DATABASE requires).
void AdminExec(const std::string& server_url, const std::string& sql) {
  PGconn* conn = PQconnectdb(server_url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot reach the test PostgreSQL: " << PQerrorMessage(conn);
    PQfinish(conn);
    return;
  }
  PGresult* result = PQexec(conn, sql.c_str());
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
  }
  PQclear(result);
  PQfinish(conn);
}

// "postgresql://u@h:p/db?x" -> "postgresql://u@h:p/<name>?x"
std::string WithDatabase(const std::string& url, const std::string& name) {
  const auto authority = url.find("://") + 3;
  const auto slash = url.find('/', authority);
  const auto query = url.find('?', authority);
  std::string base = url.substr(0, slash == std::string::npos ? query : slash);
  std::string rest = query == std::string::npos ? "" : url.substr(query);
  return base + "/" + name + rest;
}

}  // namespace

TempDir::TempDir() {
  path_ = std::filesystem::temp_directory_path() / ("rapport-test-" + UniqueSuffix());
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string PostgresServerUrl() {
  const char* url = std::getenv("RAPPORT_TEST_POSTGRES_URL");
  return url ? url : "";
}

TestDatabase::TestDatabase(db::Backend backend) : backend_(backend) {
  if (backend == db::Backend::kSqlite) {
    url_ = dir_.File("test.db");
    return;
  }
  const std::string server = PostgresServerUrl();
  if (server.empty()) return;
  pg_name_ = "rapport_t_" + UniqueSuffix();
  AdminExec(server, "CREATE DATABASE " + pg_name_);
  url_ = WithDatabase(server, pg_name_);
}

TestDatabase::~TestDatabase() {
  if (!pg_name_.empty()) {
    AdminExec(PostgresServerUrl(), "DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
  }
}

std::unique_ptr<db::Database> TestDatabase::Open(const db::DatabaseOptions& options) const {
  auto database = db::Database::Open(url_, options);
  if (!database.ok()) {
    ADD_FAILURE() << "cannot open " << url_ << ": " << database.error().ToString();
    return nullptr;
  }
  return std::move(database).value();
}

std::string BackendName(const ::testing::TestParamInfo<db::Backend>& info) {
  return info.param == db::Backend::kSqlite ? "Sqlite" : "Postgres";
}

}  // namespace rapport::testing
