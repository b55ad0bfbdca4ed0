// The demo company (seed 7) on a fresh database per backend, served by the real binary, with an
// admin signed in and a connection of the test's own for checking what is stored. One per backend
// and process, shared by the tests of that process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/api_server.hpp"
#include "support/test_database.hpp"

namespace rapport::testing {

struct DemoCompany {
  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<db::Database> database;
  std::unique_ptr<ApiServer> server;
  std::string admin;  // token

  bool available() const { return db && db->available(); }
  // The single integer `sql` returns (-1 and a test failure on error).
  std::int64_t Count(const std::string& sql, const db::Params& params = {}) const;
  // `rapport doctor` on the database: its exit code.
  int Doctor() const;
};

// Built on first use; `serve_args` are added to `rapport serve` (first call wins).
DemoCompany& DemoCompanyFor(db::Backend backend, const std::vector<std::string>& serve_args = {});

}  // namespace rapport::testing
