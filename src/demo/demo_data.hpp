// Realistic demo data for a medical-devices company selling to hospitals and health systems:
// users in a manager hierarchy, territories, distributors, accounts in systems -> hospitals ->
// departments, contacts, products with retiring ones, install base, sales lines, opportunities
// with buying roles, two years of activities, tasks, and some single-threaded top accounts.
//
// Deterministic: the same seed and as-of date give the same rows on SQLite and PostgreSQL
// (password hashes aside, which are salted). All of it is written in one transaction, so an
// interrupted fill leaves the database as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "db/database.hpp"

namespace rapport::demo {

enum class Scale { kSmall, kLarge };

struct DemoSize {
  int territories = 8;
  int users = 40;
  int distributors = 2;
  std::int64_t accounts = 2'000;
  std::int64_t contacts = 10'000;
  std::int64_t activities = 30'000;
  std::int64_t opportunities = 1'500;
  int products = 200;
  std::int64_t sales_lines = 50'000;
  std::int64_t purchases = 1'000;
  std::int64_t tasks = 1'500;
};

DemoSize SizeOf(Scale scale);

struct DemoSignIn {
  std::string email;
  std::string role;
  std::string name;
};

struct DemoReport {
  std::vector<std::pair<std::string, std::int64_t>> rows_per_table;
  std::vector<DemoSignIn> sign_ins;  // all share kDemoPassword
};

inline constexpr std::string_view kDemoPassword = "rapport-demo";

// Called as rows are written: what is being loaded, how many so far, how many in all.
using Progress = std::function<void(std::string_view table, std::int64_t done, std::int64_t total)>;

struct DemoOptions {
  std::uint64_t seed = 1;
  DemoSize size;
  std::int64_t as_of_day = 0;  // days since the epoch: "today" in the data
  Progress progress;
};

// REQUIRES: the database is migrated. Fails with kFailedPrecondition when it already holds
// records (the demo fills only an empty database).
Result<DemoReport> FillDemo(db::Database& database, const DemoOptions& options);

}  // namespace rapport::demo
