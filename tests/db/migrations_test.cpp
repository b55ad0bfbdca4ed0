#include "db/migrations.hpp"

#include "db/dialect.hpp"
#include "support/test_database.hpp"

namespace rapport::db {
namespace {

using ::rapport::testing::TestDatabase;

class MigrationsTest : public ::testing::TestWithParam<Backend> {
 protected:
  MigrationsTest() : test_db_(GetParam()), clock_(1'700'000'000'000'000) {}
  TestDatabase test_db_;
  FixedClock clock_;
};

TEST_P(MigrationsTest, AppliesEveryMigrationOnceInOrder) {
  RAPPORT_SKIP_IF_UNAVAILABLE(test_db_);
  auto database = test_db_.Open();
  EXPECT_EQ(*CurrentSchemaVersion(*database), 0);
  EXPECT_FALSE(CheckSchemaVersion(*database).ok());

  auto first = Migrate(*database, clock_);
  ASSERT_OK(first);
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, LatestSchemaVersion());
  EXPECT_EQ(first->applied.size(), AllMigrations().size());
  EXPECT_TRUE(CheckSchemaVersion(*database).ok());

  auto again = Migrate(*database, clock_);
  ASSERT_OK(again);
  EXPECT_TRUE(again->applied.empty());

  ASSERT_OK(database->Read([](Transaction& tx) -> Status {
    for (const std::string& table : DomainTables()) {
      RAPPORT_ASSIGN_OR_RETURN(bool exists, TableExists(tx, table));
      EXPECT_TRUE(exists) << table;
    }
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t rows,
                             tx.QueryInt("SELECT count(*) FROM schema_migrations"));
    EXPECT_EQ(rows, static_cast<std::int64_t>(AllMigrations().size()));
    return Ok();
  }));
}

// A database made before migrations 1 and 4 were edited in place (no to_territory_id on
// handover items, an index on warranty ends) reaches the same schema as a new one.
TEST_P(MigrationsTest, ADatabaseMadeBeforeTwoMigrationsWereEditedIsRepaired) {
  RAPPORT_SKIP_IF_UNAVAILABLE(test_db_);
  auto database = test_db_.Open();
  // A database at version 14 as the first edition of migration 4 left it.
  ASSERT_OK(Migrate(*database, clock_, 14));
  ASSERT_OK(database->Write([](Transaction& tx) -> Status {
    return tx.ExecuteScript("ALTER TABLE handover_items DROP COLUMN to_territory_id");
  }));
  ASSERT_OK(database->Read([](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(bool has, ColumnExists(tx, "handover_items", "to_territory_id"));
    EXPECT_FALSE(has);
    return Ok();
  }));
  auto repaired = Migrate(*database, clock_);
  ASSERT_OK(repaired);
  ASSERT_EQ(repaired->applied.size(), static_cast<size_t>(LatestSchemaVersion() - 14));
  EXPECT_EQ(repaired->applied[0].rfind("15 ", 0), 0u) << repaired->applied[0];
  ASSERT_OK(database->Write([](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(bool has, ColumnExists(tx, "handover_items", "to_territory_id"));
    EXPECT_TRUE(has);
    // Applying the repair to a database that needs none changes nothing and does not fail.
    RAPPORT_RETURN_IF_ERROR(
        tx.ExecuteScript("CREATE INDEX IF NOT EXISTS purchases_warranty_idx ON purchases "
                         "(warranty_end)"));
    return Ok();
  }));
}

TEST_P(MigrationsTest, TheCompanysCurrencyStartsAsTheOneMostDealsAreIn) {
  RAPPORT_SKIP_IF_UNAVAILABLE(test_db_);
  auto database = test_db_.Open();
  ASSERT_OK(Migrate(*database, clock_, 25));
  ASSERT_OK(database->Write([](Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO users (email, name, role, created_at, updated_at) VALUES "
                   "('rep@example.org', 'Rep', 'rep', 0, 0)"));
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO accounts (name, type, created_at, updated_at) VALUES "
                   "('Klinikum Nord', 'hospital', 0, 0)"));
    for (const char* currency : {"EUR", "EUR", "GBP"}) {
      RAPPORT_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO opportunities (account_id, owner_id, name, currency, close_date, "
          "created_at, updated_at) SELECT a.id, u.id, 'Pumps', ?, '2027-01-31', 0, 0 FROM "
          "accounts a, users u",
          {std::string(currency)}));
    }
    return Ok();
  }));
  ASSERT_OK(Migrate(*database, clock_));
  ASSERT_OK(database->Read([](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT currency FROM company_settings"));
    EXPECT_TRUE(row && row->Text(0) == "EUR");
    return Ok();
  }));
}

TEST_P(MigrationsTest, RefusesADatabaseNewerThanItself) {
  RAPPORT_SKIP_IF_UNAVAILABLE(test_db_);
  auto database = test_db_.Open();
  ASSERT_OK(Migrate(*database, clock_));
  ASSERT_OK(database->Write([](Transaction& tx) {
    return tx.Execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        {std::int64_t{LatestSchemaVersion() + 1}, std::string("from the future"), std::int64_t{0}});
  }));
  const auto migrated = Migrate(*database, clock_);
  ASSERT_FALSE(migrated.ok());
  EXPECT_EQ(migrated.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(migrated.error().message().find("upgrade rapport"), std::string::npos);
  const Status check = CheckSchemaVersion(*database);
  ASSERT_FALSE(check.ok());
  EXPECT_NE(check.error().message().find("newer than this rapport"), std::string::npos);
}

TEST_P(MigrationsTest, AFailedMigrationLeavesNothingBehind) {
  RAPPORT_SKIP_IF_UNAVAILABLE(test_db_);
  auto database = test_db_.Open();
  // The same shape as Migrate: DDL and the version row in one transaction, then a failure.
  const Status failed = database->Write([](Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(tx.ExecuteScript(
        RenderSchema(tx.backend(), "CREATE TABLE half_done (id {pk}, name TEXT){strict}")));
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO half_done (name) VALUES (?)", {std::string("x")}));
    return tx.Execute("INSERT INTO no_such_table VALUES (1)");
  });
  ASSERT_FALSE(failed.ok());
  ASSERT_OK(database->Read([](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(bool exists, TableExists(tx, "half_done"));
    EXPECT_FALSE(exists);
    return Ok();
  }));
}

TEST_P(MigrationsTest, ChecksRefuseAndAcceptTheSameValuesWithoutInLists) {
  RAPPORT_SKIP_IF_UNAVAILABLE(test_db_);
  auto database = test_db_.Open();
  ASSERT_OK(Migrate(*database, clock_));
  ASSERT_OK(database->Read([](Transaction& tx) -> Status {
    if (tx.backend() != Backend::kSqlite) return Ok();
    // Migration 20 left no CHECK (x IN (...)) in any table SQLite writes to.
    RAPPORT_ASSIGN_OR_RETURN(Rows rows,
                             tx.Query("SELECT name, sql FROM sqlite_schema WHERE type = 'table'"));
    for (const Row& row : rows) {
      EXPECT_EQ(SqliteCheckForm(row.Text(1)), row.Text(1)) << row.Text(0);
    }
    return Ok();
  }));
  auto insert = [&](const db::Value& type, const db::Value& designation) {
    return database->Write([&](Transaction& tx) -> Status {
      return tx.Execute(
          "INSERT INTO accounts (name, type, designation, created_at, updated_at) VALUES "
          "('Checked', ?, ?, 0, 0)",
          {type, designation});
    });
  };
  EXPECT_TRUE(insert(std::string("hospital"), std::string("hunting")).ok());
  EXPECT_TRUE(insert(std::string("other"), Null()).ok()) << "NULL passes as it did";
  EXPECT_FALSE(insert(std::string("castle"), Null()).ok());
  EXPECT_FALSE(insert(std::string("Hospital"), Null()).ok()) << "as case-sensitive as before";
  EXPECT_FALSE(insert(std::string("hospital"), std::string("farming")).ok());
  ASSERT_OK(database->Read([](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t n, tx.QueryInt("SELECT count(*) FROM accounts"));
    EXPECT_EQ(n, 2);
    return Ok();
  }));
  // A later migration widens a check as it was first written.
  ASSERT_OK(database->Write([](Transaction& tx) -> Status {
    return WidenCheck(tx, "accounts", "designation",
                      "designation IN ('prospect', 'hunting', 'maintain')",
                      "designation IN ('prospect', 'hunting', 'maintain', 'farming')");
  }));
  EXPECT_TRUE(insert(std::string("hospital"), std::string("farming")).ok());
  EXPECT_FALSE(insert(std::string("hospital"), std::string("fishing")).ok());
  // On SQLite, a stale old check (the start of the one stored now) is refused, not half-matched.
  const Status stale = database->Write([](Transaction& tx) -> Status {
    return WidenCheck(tx, "accounts", "designation",
                      "designation IN ('prospect', 'hunting', 'maintain')",
                      "designation IN ('prospect', 'hunting', 'maintain', 'fishing')");
  });
  if (GetParam() == Backend::kSqlite) {
    EXPECT_FALSE(stale.ok());
  }
}

TEST(SqliteCheckFormTest, WritesInListsAsComparisonsAndLeavesOtherChecks) {
  EXPECT_EQ(SqliteCheckForm("type TEXT NOT NULL CHECK (type IN ('a', 'b',\n    'c')),\n"
                            "n INTEGER CHECK (n BETWEEN 0 AND 9), s TEXT CHECK (s IN ('x'))"),
            "type TEXT NOT NULL CHECK (type = 'a' OR type = 'b' OR type = 'c'),\n"
            "n INTEGER CHECK (n BETWEEN 0 AND 9), s TEXT CHECK (s = 'x')");
  // Not a plain list of values: left as written.
  for (const char* sql : {"CHECK (a IN ('x') AND b > 0)", "CHECK (a IN (SELECT x FROM t))",
                          "CHECK (a IN ('it''s'))", "CHECK (a IS NULL OR a IN ('x'))"}) {
    EXPECT_EQ(SqliteCheckForm(sql), sql);
  }
}

RAPPORT_ON_BOTH_BACKENDS(MigrationsTest);

}  // namespace
}  // namespace rapport::db
