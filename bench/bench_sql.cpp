// The database ceiling of a scenario: the SQL behind a route, run directly through Rapport's
// Database layer (same driver, same transactions; no HTTP, JSON, sign-in or access rules) by
// several threads for a while. What a route reaches is quoted as a share of this.
//   bench_sql --db URL --scenario get-account|list-accounts|search|create-activity|patch-account
//             [--threads 2] [--seconds 5]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "db/database.hpp"
#include "db/dialect.hpp"
#include "db/migrations.hpp"

namespace {

using rapport::Status;
using rapport::db::Database;
using rapport::db::Transaction;
using Clock = std::chrono::steady_clock;

constexpr const char* kAccountColumns =
    "id, external_id, name, parent_id, type, status, customer_since, region, postcode, owner_id, "
    "territory_id, distributor_id, created_at, updated_at, version";

struct Scenario {
  bool write = false;
  // One operation, given a sample id (an account) and a counter.
  std::function<Status(Transaction&, std::int64_t id, std::int64_t n)> run;
};

Scenario Make(const std::string& name, rapport::db::Backend backend) {
  if (name == "get-account") {
    return {false, [](Transaction& tx, std::int64_t id, std::int64_t) -> Status {
              auto row = tx.QueryOne(
                  std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = ?", {id});
              return row.ok() ? Status(rapport::Ok()) : Status(row.error());
            }};
  }
  if (name == "list-accounts") {
    return {false, [](Transaction& tx, std::int64_t, std::int64_t) -> Status {
              auto rows = tx.Query(std::string("SELECT ") + kAccountColumns +
                                   " FROM accounts WHERE status = 'customer' AND archived_at IS "
                                   "NULL ORDER BY name, id LIMIT 51");
              return rows.ok() ? Status(rapport::Ok()) : Status(rows.error());
            }};
  }
  if (name == "search") {
    // As /api/v1/search: accounts, contacts and opportunities, each ranked.
    std::vector<std::string> sqls;
    for (const auto& index : rapport::db::SearchIndexes()) {
      sqls.push_back(rapport::db::FullTextSearchSql(backend, index, "t.id, " + index.title));
    }
    const std::string query = rapport::db::FullTextQuery(backend, "bed");
    const std::string title_pattern = rapport::db::FullTextTitlePattern("bed");
    return {false,
            [sqls, query, title_pattern](Transaction& tx, std::int64_t, std::int64_t) -> Status {
              for (const std::string& sql : sqls) {
                auto rows = tx.Query(sql, {title_pattern, query, std::int64_t{10}});
                if (!rows.ok()) return rows.error();
              }
              return rapport::Ok();
            }};
  }
  if (name == "create-activity") {
    return {true, [](Transaction& tx, std::int64_t id, std::int64_t n) -> Status {
              auto user =
                  tx.QueryInt("SELECT coalesce(owner_id, 1) FROM accounts WHERE id = ?", {id});
              if (!user.ok()) return user.error();
              auto made = tx.QueryInt(
                  "INSERT INTO activities (account_id, user_id, kind, occurred_at, subject, "
                  "outcome, created_at, updated_at) VALUES (?, ?, 'call', ?, 'Check-in call', "
                  "'Benchmark', ?, ?) RETURNING id",
                  {id, *user, n, n, n});
              if (!made.ok()) return made.error();
              return tx.Execute(
                  "INSERT INTO audit_history (table_name, record_id, action, changed_at) VALUES "
                  "('activities', ?, 'create', ?)",
                  {*made, n});
            }};
  }
  if (name == "patch-account") {
    return {true, [](Transaction& tx, std::int64_t id, std::int64_t n) -> Status {
              auto row = tx.QueryOne("SELECT version, segment FROM accounts WHERE id = ?" +
                                         std::string(rapport::db::LockRowSuffix(tx.backend())),
                                     {id});
              if (!row.ok()) return row.error();
              const std::string segment = n % 2 ? "A" : "B";
              Status s = tx.Execute(
                  "INSERT INTO audit_history (table_name, record_id, action, field, old_value, "
                  "new_value, changed_at) VALUES ('accounts', ?, 'update', 'segment', ?, ?, ?)",
                  {id, (*row) ? (*row)->Text(1) : "", segment, n});
              if (!s.ok()) return s;
              return tx.Execute(
                  "UPDATE accounts SET segment = ?, updated_at = ?, version = version + 1 WHERE "
                  "id = ?",
                  {segment, n, id});
            }};
  }
  std::fprintf(stderr, "bench_sql: unknown scenario %s\n", name.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, scenario_name;
  int threads = 2;
  double seconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--db")
      url = value;
    else if (key == "--scenario")
      scenario_name = value;
    else if (key == "--threads")
      threads = std::stoi(value);
    else if (key == "--seconds")
      seconds = std::stod(value);
  }
  if (url.empty() || scenario_name.empty()) {
    std::fprintf(stderr, "usage: bench_sql --db URL --scenario NAME [--threads N] [--seconds S]\n");
    return 2;
  }
  rapport::db::DatabaseOptions options;
  options.readers = threads + 1;
  options.create_if_missing = false;
  auto opened = Database::Open(url, options);
  if (!opened.ok()) {
    std::fprintf(stderr, "bench_sql: %s\n", opened.error().message().c_str());
    return 1;
  }
  Database& db = **opened;
  const Scenario scenario = Make(scenario_name, db.backend());
  // Sample accounts: hospitals, as bench/run's GET account uses.
  std::vector<std::int64_t> ids;
  Status s = db.Read([&](Transaction& tx) -> Status {
    auto rows = tx.Query("SELECT id FROM accounts WHERE type = 'hospital' ORDER BY id LIMIT 1000");
    if (!rows.ok()) return rows.error();
    for (const auto& r : *rows) ids.push_back(r.Int(0));
    return rapport::Ok();
  });
  if (!s.ok() || ids.empty()) {
    std::fprintf(stderr, "bench_sql: no accounts to use\n");
    return 1;
  }
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> failures{0};
  std::vector<std::vector<double>> latencies(threads);
  std::vector<std::thread> workers;
  const auto started = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::int64_t n = t;
      while (!stop.load(std::memory_order_relaxed)) {
        const std::int64_t id = ids[static_cast<std::size_t>(n) % ids.size()];
        const auto begin = Clock::now();
        auto op = [&](Transaction& tx) { return scenario.run(tx, id, n + 1'000'000'000); };
        const Status result = scenario.write ? db.Write(op) : db.Read(op);
        if (!result.ok()) failures.fetch_add(1);
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        n += threads;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto at = [&](double q) {
    return all.empty() ? 0.0 : all[static_cast<std::size_t>(q * (all.size() - 1))];
  };
  std::printf("%s %.0f ops/s p50 %.3fms p99 %.3fms failures %lld\n", scenario_name.c_str(),
              all.size() / elapsed, at(0.5), at(0.99), static_cast<long long>(failures.load()));
  return failures.load() > 0 ? 1 : 0;
}
