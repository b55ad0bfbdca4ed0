#include "db/database.hpp"

#include <fstream>
#include <thread>

#include "db/postgres/postgres_database.hpp"
#include "support/storage_fixture.hpp"

namespace rapport::db {
namespace {

using ::rapport::testing::StorageTest;
using DatabaseTest = StorageTest;

TEST_P(DatabaseTest, ValuesRoundTripWithTheirTypes) {
  const std::int64_t user = MakeUser("types@example.org");
  Write([&](Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO products (sku, name, family, list_price_minor, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {std::string("SKU-1"), std::string("Tab\tnew\nline \\ 'quoted' ünïcode"),
         std::string("Imaging"), std::int64_t{9'007'199'254'740'993}, std::int64_t{-5},
         std::int64_t{0}}));
    RAPPORT_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne(
            "SELECT name, list_price_minor, successor_id, created_at FROM products WHERE sku = ?",
            {std::string("SKU-1")}));
    EXPECT_TRUE(row.has_value());
    EXPECT_EQ(row->Text(0), "Tab\tnew\nline \\ 'quoted' ünïcode");
    EXPECT_EQ(row->Int(1), 9'007'199'254'740'993);
    EXPECT_TRUE(row->IsNull(2));
    EXPECT_EQ(row->Int(3), -5);
    return Ok();
  });
  EXPECT_GT(user, 0);
}

TEST_P(DatabaseTest, CellsAreReadByTheirColumnNameOrAliasOnBothEngines) {
  const std::int64_t ann = MakeUser("ann@example.org");
  const std::int64_t bob = MakeUser("bob@example.org");
  Write([&](Transaction& tx) -> Status {
    return tx.Execute("UPDATE users SET manager_id = ? WHERE id = ?", {ann, bob});
  });
  Read([&](Transaction& tx) -> Status {
    // A plain column by its name without the table, an alias in any case, an expression by its
    // alias, in a single query and in a batch.
    const std::string sql =
        "SELECT u.id, u.email, m.email AS Manager_Email, u.manager_id, count(*) OVER () AS "
        "everyone FROM users u LEFT JOIN users m ON m.id = u.manager_id WHERE u.id = ?";
    RAPPORT_ASSIGN_OR_RETURN(auto one, tx.QueryOne(sql, {bob}));
    RAPPORT_ASSIGN_OR_RETURN(std::vector<Rows> all, tx.QueryAll({{sql, {bob}}}));
    for (const Row& row : {*one, all.at(0).at(0)}) {
      EXPECT_EQ(row.Int("id"), bob);
      EXPECT_EQ(row.Text("email"), "bob@example.org");
      EXPECT_EQ(row.Text("manager_email"), "ann@example.org");
      EXPECT_EQ(row.OptInt("MANAGER_ID"), ann);
      EXPECT_EQ(row.Int("everyone"), 1);
      EXPECT_FALSE(row.IsNull("manager_email"));
      EXPECT_EQ(row.IndexOf("manager_email"), 2u);
      // A name not selected is a bug, as is one selected twice.
      EXPECT_THROW(row.Text("name"), std::out_of_range);
    }
    RAPPORT_ASSIGN_OR_RETURN(
        auto twice,
        tx.QueryOne("SELECT u.email, m.email FROM users u JOIN users m ON m.id = u.manager_id"));
    EXPECT_THROW(twice->Text("email"), std::out_of_range);
    EXPECT_EQ(twice->Text(1), "ann@example.org");
    return Ok();
  });
}

TEST_P(DatabaseTest, BytesRoundTripUnchangedThroughStatementsBatchesAndBulkLoads) {
  std::string bytes;
  for (int i = 0; i < 512; ++i) bytes += static_cast<char>(i % 256);  // NUL, 0x80..0xFF, '\\'
  const std::string sha(64, 'a'), other(64, 'b');
  Write([&](Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO file_contents (sha256, size_bytes, content) VALUES (?, ?, ?)",
                   {sha, std::int64_t{512}, Blob{bytes}}));
    RAPPORT_ASSIGN_OR_RETURN(auto loader,
                             tx.Load("file_contents", {"sha256", "size_bytes", "content"}));
    RAPPORT_RETURN_IF_ERROR(loader->Add({other, std::int64_t{512}, Blob{bytes}}));
    RAPPORT_RETURN_IF_ERROR(loader->Finish());
    RAPPORT_ASSIGN_OR_RETURN(
        auto read, tx.QueryAll({{"SELECT content, length(content) FROM file_contents WHERE "
                                 "sha256 = ?",
                                 {sha}},
                                {"SELECT content FROM file_contents WHERE sha256 = ?", {other}}}));
    EXPECT_EQ(read[0].at(0).Text(0), bytes);
    EXPECT_EQ(read[0].at(0).Int(1), 512);  // stored as bytes, not as text
    EXPECT_EQ(read[1].at(0).Text(0), bytes);
    // Read as bytes (PostgreSQL's binary result format).
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<std::string> raw,
        tx.QueryBytes("SELECT content FROM file_contents WHERE sha256 = ?", {other}));
    EXPECT_EQ(raw, bytes);
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<std::string> none,
        tx.QueryBytes("SELECT content FROM file_contents WHERE sha256 = ?", {std::string("x")}));
    EXPECT_FALSE(none.has_value());
    return Ok();
  });
}

TEST_P(DatabaseTest, AnErrorRollsBackTheWholeTransaction) {
  const Status s = database_->Write([&](Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(
        users::CreateUser(tx, System(), {"first@example.org", "First", "rep"}).ok()
            ? Ok()
            : Status(Error(ErrorCode::kInternal, "unexpected")));
    return Error(ErrorCode::kConflict, "changed my mind");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(Count("users"), 0);
  EXPECT_EQ(Count("audit_history"), 0);
}

TEST_P(DatabaseTest, ConstraintViolationsAreTypedErrors) {
  MakeUser("dup@example.org");
  const Status s = database_->Write([&](Transaction& tx) {
    return tx.Execute(
        "INSERT INTO users (email, name, role, created_at, updated_at) VALUES (?, ?, ?, 0, 0)",
        {std::string("dup@example.org"), std::string("Again"), std::string("rep")});
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kAlreadyExists);

  const Status fk = database_->Write([&](Transaction& tx) {
    return tx.Execute(
        "INSERT INTO accounts (name, type, owner_id, created_at, updated_at) VALUES (?, ?, ?, 0, "
        "0)",
        {std::string("Orphan"), std::string("hospital"), std::int64_t{424242}});
  });
  ASSERT_FALSE(fk.ok());
  EXPECT_EQ(fk.error().code(), ErrorCode::kFailedPrecondition);

  const Status check = database_->Write([&](Transaction& tx) {
    return tx.Execute(
        "INSERT INTO accounts (name, type, created_at, updated_at) VALUES (?, ?, 0, 0)",
        {std::string("Odd"), std::string("spaceship")});
  });
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().code(), ErrorCode::kInvalidArgument);
}

TEST_P(DatabaseTest, ReadersSeeCommittedWritesFromOtherThreads) {
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const Status s = database_->Write([&](Transaction& tx) {
          return users::CreateUser(
                     tx, System(),
                     {"u" + std::to_string(t) + "_" + std::to_string(i) + "@example.org",
                      "Concurrent", "rep"})
                         .ok()
                     ? Ok()
                     : Status(Error(ErrorCode::kInternal, "create failed"));
        });
        EXPECT_TRUE(s.ok()) << s.error().ToString();
      }
    });
  }
  for (auto& w : writers) w.join();
  std::int64_t n = 0;
  ASSERT_OK(database_->Read([&](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(n, tx.QueryInt("SELECT count(*) FROM users"));
    return Ok();
  }));
  EXPECT_EQ(n, 40);
}

TEST_P(DatabaseTest, AReadInsideAReadOnTheSameThreadWorks) {
  MakeUser("nested@example.org");
  std::int64_t outer = 0, inner = 0;
  ASSERT_OK(database_->Read([&](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(outer, tx.QueryInt("SELECT count(*) FROM users"));
    return database_->Read([&](Transaction& nested) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(inner, nested.QueryInt("SELECT count(*) FROM users"));
      return Ok();
    });
  }));
  EXPECT_EQ(outer, 1);
  EXPECT_EQ(inner, 1);
  // And a later read on this thread sees a later write.
  MakeUser("later@example.org");
  ASSERT_OK(database_->Read([&](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(outer, tx.QueryInt("SELECT count(*) FROM users"));
    return Ok();
  }));
  EXPECT_EQ(outer, 2);
}

TEST_P(DatabaseTest, ABatchOfQueriesAnswersEachInOrderAndFailsWhole) {
  const std::int64_t ann = MakeUser("ann@example.org");
  const std::int64_t bob = MakeUser("bob@example.org");
  // The batch first in its transaction (its BEGIN goes with it on PostgreSQL), then after a
  // statement; the same statements twice (prepared once), parameters of each kind.
  for (int round = 0; round < 2; ++round) {
    Read([&](Transaction& tx) -> Status {
      if (round == 1) RAPPORT_RETURN_IF_ERROR(tx.Query("SELECT 1"));
      RAPPORT_ASSIGN_OR_RETURN(
          std::vector<Rows> all,
          tx.QueryAll({{"SELECT email FROM users WHERE id = ?", {bob}},
                       {"SELECT count(*) FROM users WHERE email LIKE ? AND manager_id IS NULL",
                        {std::string("%@example.org")}},
                       {"SELECT email FROM users WHERE id = ?", {ann}},
                       {"SELECT id FROM users WHERE id = ?", {std::int64_t{424242}}}}));
      EXPECT_EQ(all.size(), 4u);
      EXPECT_EQ(all.at(0).at(0).Text(0), "bob@example.org");
      EXPECT_EQ(all.at(1).at(0).Int(0), 2);
      EXPECT_EQ(all.at(2).at(0).Text(0), "ann@example.org");
      EXPECT_TRUE(all.at(3).empty());
      return Ok();
    });
  }
  // A statement failing as it runs (a duplicate email) fails the batch, and the transaction with
  // everything it wrote; so does one that cannot be prepared.
  for (const char* bad : {"INSERT INTO users (email, name, role, created_at, updated_at) VALUES "
                          "('bob@example.org', 'Again', 'rep', 0, 0) RETURNING id",
                          "SELECT no_such_column FROM users"}) {
    const Status failed = database_->Write([&](Transaction& tx) -> Status {
      RAPPORT_RETURN_IF_ERROR(tx.Execute("UPDATE users SET name = 'Renamed' WHERE id = ?", {ann}));
      RAPPORT_ASSIGN_OR_RETURN(std::vector<Rows> all,
                               tx.QueryAll({{"SELECT 1", {}}, {bad, {}}, {"SELECT 2", {}}}));
      return Ok();
    });
    EXPECT_FALSE(failed.ok()) << bad;
  }
  Read([&](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT name FROM users WHERE id = ?", {ann}));
    EXPECT_NE(row->Text(0), "Renamed");
    // The connection is still good for the next transaction.
    RAPPORT_ASSIGN_OR_RETURN(std::vector<Rows> all, tx.QueryAll({{"SELECT 3", {}}}));
    EXPECT_EQ(all.at(0).at(0).Int(0), 3);
    return Ok();
  });
}

RAPPORT_ON_BOTH_BACKENDS(DatabaseTest);

TEST(DatabaseOpen, NamesWhatIsWrong) {
  testing::TempDir dir;
  DatabaseOptions existing_only;
  existing_only.create_if_missing = false;
  auto missing = Database::Open(dir.File("nope.db"), existing_only);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("does not exist"), std::string::npos);

  auto no_dir = Database::Open(dir.File("no/such/dir/x.db"));
  ASSERT_FALSE(no_dir.ok());
  EXPECT_NE(no_dir.error().message().find("does not exist"), std::string::npos);

  const std::string garbage = dir.File("garbage.db");
  { std::ofstream(garbage) << std::string(8192, 'x'); }
  auto not_sqlite = Database::Open(garbage);
  ASSERT_FALSE(not_sqlite.ok());
  EXPECT_NE(not_sqlite.error().message().find("not a usable SQLite database"), std::string::npos);

  auto unreachable = Database::Open("postgresql://nobody:secret@127.0.0.1:1/rapport");
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(unreachable.error().message().find("cannot connect to PostgreSQL"), std::string::npos);
  EXPECT_EQ(unreachable.error().message().find("secret"), std::string::npos) << "password leaked";
}

TEST(Postgres, PlaceholdersOutsideQuotesAreNumbered) {
  EXPECT_EQ(NumberPlaceholders("SELECT ? , '?' , \"a?\" , ?"), "SELECT $1 , '?' , \"a?\" , $2");
  EXPECT_EQ(RedactPostgresUrl("postgresql://me:pw@host:5432/db"), "postgresql://me@host:5432/db");
  EXPECT_EQ(RedactPostgresUrl("postgresql://me@host/db"), "postgresql://me@host/db");
}

}  // namespace
}  // namespace rapport::db
