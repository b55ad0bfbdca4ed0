#include "demo/demo_data.hpp"

#include "support/storage_fixture.hpp"

namespace rapport::demo {
namespace {

using ::rapport::testing::StorageTest;
using ::rapport::testing::TestDatabase;

DemoOptions Options(std::uint64_t seed) {
  DemoOptions o;
  o.seed = seed;
  o.size = SizeOf(Scale::kSmall);
  o.as_of_day = DaysFromCivil(2026, 11, 28);
  return o;
}

// A fingerprint of every row of every table (password hashes aside: they are salted), the same
// on both backends for the same data.
Result<std::string> Fingerprint(db::Database& database) {
  std::string out;
  RAPPORT_RETURN_IF_ERROR(database.Read([&](db::Transaction& tx) -> Status {
    for (const std::string& table : db::DomainTables()) {
      const bool sqlite = tx.backend() == db::Backend::kSqlite;
      RAPPORT_ASSIGN_OR_RETURN(
          db::Rows names,
          tx.Query(sqlite
                       ? "SELECT name FROM pragma_table_info(?) ORDER BY cid"
                       : "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                         "AND table_schema = current_schema() ORDER BY ordinal_position",
                   {table}));
      std::string columns;
      for (const auto& n : names) {
        const std::string name = n.Text(0);
        if (name == "password_hash" || name == "search_vector") continue;
        columns += (columns.empty() ? "" : ", ") + name;
      }
      RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                               tx.Query("SELECT " + columns + " FROM " + table + " ORDER BY 1, 2"));
      std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
      for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) {
          const std::string cell = row.IsNull(i) ? "\x01NULL" : row.Text(i);
          for (unsigned char c : cell + "\x1f") hash = (hash ^ c) * 1099511628211ULL;
        }
      }
      out += table + "=" + std::to_string(rows.size()) + ":" + std::to_string(hash) + "\n";
    }
    return Ok();
  }));
  return out;
}

using DemoTest = StorageTest;

TEST_P(DemoTest, FillsAnEmptyDatabaseWithTheRequestedSizes) {
  auto report = FillDemo(*database_, Options(7));
  ASSERT_OK(report);
  const DemoSize size = SizeOf(Scale::kSmall);
  EXPECT_EQ(Count("users"), size.users);
  EXPECT_EQ(Count("accounts"), size.accounts);
  EXPECT_EQ(Count("contacts"), size.contacts);
  EXPECT_EQ(Count("activities"), size.activities);
  EXPECT_EQ(Count("opportunities"), size.opportunities);
  EXPECT_EQ(Count("products"), size.products);
  EXPECT_EQ(Count("sales_lines"), size.sales_lines);
  EXPECT_GE(report->sign_ins.size(), 2u);
  EXPECT_EQ(report->sign_ins.at(0).role, "admin");

  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    // The hierarchy: systems contain hospitals contain departments.
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t departments_in_hospitals,
        tx.QueryInt("SELECT count(*) FROM accounts d JOIN accounts h ON h.id = d.parent_id "
                    "JOIN accounts s ON s.id = h.parent_id WHERE d.type = 'department' AND "
                    "h.type = 'hospital' AND s.type = 'health_system'"));
    EXPECT_GT(departments_in_hospitals, 500);
    // Some top customers rest on one of our people and one of theirs.
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t single_threaded,
        tx.QueryInt("SELECT count(*) FROM (SELECT a.id FROM accounts a JOIN activities act ON "
                    "act.account_id = a.id JOIN activity_contacts ac ON ac.activity_id = act.id "
                    "WHERE a.type = 'hospital' AND a.status = 'customer' GROUP BY a.id "
                    "HAVING count(DISTINCT act.user_id) = 1 AND count(DISTINCT ac.contact_id) = 1 "
                    "AND count(*) >= 10) x"));
    EXPECT_GT(single_threaded, 3);
    // Products retire into successors; the demo sign-in can sign in.
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t retiring,
                             tx.QueryInt("SELECT count(*) FROM products WHERE lifecycle <> "
                                         "'active' AND successor_id IS NOT NULL"));
    EXPECT_GT(retiring, 0);
    // Nobody who has left owns an account.
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t orphaned,
                             tx.QueryInt("SELECT count(*) FROM accounts a JOIN users u ON u.id = "
                                         "a.owner_id WHERE u.status = 'left'"));
    EXPECT_EQ(orphaned, 0);
    return Ok();
  }));
  // Search works over loaded data.
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t n, tx.QueryInt("SELECT count(*) FROM accounts WHERE name LIKE 'Bedford%'"));
    EXPECT_GT(n, 0);
    return Ok();
  }));
}

TEST_P(DemoTest, RefusesADatabaseThatAlreadyHasRecords) {
  MakeUser("someone@example.org");
  const auto report = FillDemo(*database_, Options(7));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Count("accounts"), 0);
  EXPECT_EQ(Count("users"), 1);
}

TEST_P(DemoTest, TheSameSeedGivesTheSameDataAndAnotherSeedDoesNot) {
  ASSERT_OK(FillDemo(*database_, Options(7)));
  TestDatabase second_db(GetParam()), third_db(GetParam());
  auto second = second_db.Open();
  auto third = third_db.Open();
  ASSERT_OK(db::Migrate(*second, clock_));
  ASSERT_OK(db::Migrate(*third, clock_));
  ASSERT_OK(FillDemo(*second, Options(7)));
  ASSERT_OK(FillDemo(*third, Options(8)));
  const auto a = Fingerprint(*database_), b = Fingerprint(*second), c = Fingerprint(*third);
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK(c);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
}

RAPPORT_ON_BOTH_BACKENDS(DemoTest);

TEST(DemoAcrossBackends, SqliteAndPostgresHoldIdenticalData) {
  TestDatabase sqlite_db(db::Backend::kSqlite), pg_db(db::Backend::kPostgres);
  RAPPORT_SKIP_IF_UNAVAILABLE(pg_db);
  FixedClock clock(0);
  auto sqlite = sqlite_db.Open();
  auto pg = pg_db.Open();
  ASSERT_OK(db::Migrate(*sqlite, clock));
  ASSERT_OK(db::Migrate(*pg, clock));
  ASSERT_OK(FillDemo(*sqlite, Options(7)));
  ASSERT_OK(FillDemo(*pg, Options(7)));
  const auto a = Fingerprint(*sqlite), b = Fingerprint(*pg);
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace rapport::demo
