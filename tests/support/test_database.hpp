// Fresh databases for tests: a SQLite file in a temporary directory, or a new PostgreSQL database
// on the server named by RAPPORT_TEST_POSTGRES_URL (started by scripts/test.sh). Each is removed
// when the TestDatabase goes away.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "db/database.hpp"

namespace rapport::db {
// Names the backend in test output.
inline void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::kSqlite ? "SQLite" : "PostgreSQL");
}
}  // namespace rapport::db

namespace rapport::testing {

// A directory under /tmp removed (with everything in it) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The PostgreSQL server for tests, or "" when none is configured.
std::string PostgresServerUrl();

class TestDatabase {
 public:
  // An empty database (not migrated) on the backend; "" url when the backend is unavailable.
  explicit TestDatabase(db::Backend backend);
  ~TestDatabase();
  bool available() const { return !url_.empty(); }
  const std::string& url() const { return url_; }
  // Opens the database (creating the SQLite file).
  std::unique_ptr<db::Database> Open(const db::DatabaseOptions& options = {}) const;

 private:
  db::Backend backend_;
  TempDir dir_;
  std::string url_;
  std::string pg_name_;
};

std::string BackendName(const ::testing::TestParamInfo<db::Backend>& info);

// Expands to the two backends for INSTANTIATE_TEST_SUITE_P.
#define RAPPORT_ON_BOTH_BACKENDS(suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(                                                                  \
      Backends, suite,                                                                       \
      ::testing::Values(::rapport::db::Backend::kSqlite, ::rapport::db::Backend::kPostgres), \
      ::rapport::testing::BackendName)

// In a test fixture parameterised by backend: skips when PostgreSQL is not configured (outside
// scripts/test.sh, which always configures it).
#define RAPPORT_SKIP_IF_UNAVAILABLE(test_database) \
  if (!(test_database).available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set"

// Asserts a Result is ok, printing its error otherwise.
#define ASSERT_OK(expr)                                            \
  do {                                                             \
    const auto& rapport_r_ = (expr);                               \
    ASSERT_TRUE(rapport_r_.ok()) << rapport_r_.error().ToString(); \
  } while (false)

}  // namespace rapport::testing
