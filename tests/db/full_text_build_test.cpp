// A full-text index built apart for a bulk load into an empty table (Transaction::
// BuildFullTextApart, SQLite): it finds what the index rebuilt from the table finds, and the
// connection that put it in place goes on keeping it up to date. PostgreSQL builds none.
#include <array>
#include <map>
#include <thread>

#include "db/dialect.hpp"
#include "support/storage_fixture.hpp"

namespace rapport::db {
namespace {

using ::rapport::testing::StorageTest;
using FullTextBuildTest = StorageTest;

const FullTextIndex& AccountsIndex() {
  for (const FullTextIndex& index : SearchIndexes()) {
    if (index.table == "accounts") return index;
  }
  throw std::logic_error("no search index on accounts");
}

// The accounts the search index finds for what a user typed, by id.
Result<std::vector<std::int64_t>> Found(Transaction& tx, std::string_view typed) {
  RAPPORT_ASSIGN_OR_RETURN(
      Rows rows,
      tx.Query("SELECT a.id FROM accounts a WHERE " +
                   FullTextCondition(tx.backend(), AccountsIndex(), "a") + " ORDER BY a.id",
               {FullTextQuery(tx.backend(), typed)}));
  std::vector<std::int64_t> ids;
  for (const Row& row : rows) ids.push_back(row.Int(0));
  return ids;
}

TEST_P(FullTextBuildTest, AnIndexBuiltApartFindsWhatARebuiltOneFindsAndStaysUpToDate) {
  const Backend backend = GetParam();
  // The writer has read the empty index (a connection keeps what it last read of an index).
  Write([&](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::vector<std::int64_t> none, Found(tx, "alpha"));
    EXPECT_TRUE(none.empty());
    return Ok();
  });

  constexpr int kAccounts = 3000;
  std::vector<std::array<std::string, 5>> written;  // name, region, postcode, city, ODS code
  for (int i = 1; i <= kAccounts; ++i) {
    written.push_back(
        {std::string(i % 3 == 0 ? "Alpha " : "Beta ") + std::to_string(i) + " Hospital",
         i % 2 == 0 ? "North" : "", "AB" + std::to_string(i % 7) + " 1XY",
         i % 5 == 0 ? "Leeds" : "", "RX" + std::to_string(i)});
  }
  Write([&](Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<FullTextBuild> build,
                             tx.BuildFullTextApart("accounts"));
    if (backend == Backend::kPostgres) {
      EXPECT_EQ(build, nullptr) << "PostgreSQL rebuilds its index";
      return Ok();
    }
    EXPECT_NE(build, nullptr);
    if (!build) return Ok();
    EXPECT_EQ(build->columns(),
              (std::vector<std::string>{"name", "region", "postcode", "city", "ods_code"}));
    RAPPORT_ASSIGN_OR_RETURN(std::vector<std::string> restore,
                             SuspendIndexes(tx, {"accounts"}, FullTextIndexes::kBuiltApart));
    for (int i = 1; i <= kAccounts; ++i) {
      const auto& [name, region, postcode, city, ods_code] = written[i - 1];
      RAPPORT_RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO accounts (id, name, type, region, postcode, city, ods_code, created_at, "
          "updated_at) VALUES (?, ?, 'hospital', ?, ?, ?, ?, 0, 0)",
          {std::int64_t{i}, name, region.empty() ? Null() : Value(region), postcode,
           city.empty() ? Null() : Value(city), ods_code}));
    }
    // Added on another thread, as an import does.
    Status added = Ok();
    std::thread builder([&] {
      for (int i = 1; i <= kAccounts && added.ok(); ++i) {
        const auto& [name, region, postcode, city, ods_code] = written[i - 1];
        std::optional<std::string_view> none;
        added = build->Add(i, {name, region.empty() ? none : region, postcode,
                               city.empty() ? none : city, ods_code});
      }
    });
    builder.join();
    RAPPORT_RETURN_IF_ERROR(added);
    for (const std::string& statement : restore) {
      RAPPORT_RETURN_IF_ERROR(tx.ExecuteScript(statement));
    }
    RAPPORT_RETURN_IF_ERROR(tx.PlaceFullText(*build));
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<FullTextBuild> again,
                             tx.BuildFullTextApart("accounts"));
    EXPECT_EQ(again, nullptr) << "an index that is not empty is not built apart";
    return Ok();
  });
  if (backend == Backend::kPostgres) return;

  // The same writer indexes an account made afterwards into the index put in place.
  const std::int64_t later = MakeAccount("Alpha Later Hospital");
  const std::vector<std::string> typed = {"alpha", "beta 12", "hosp",  "north",
                                          "ab3",   "later",   "leeds", "rx2999"};
  std::map<std::string, std::vector<std::int64_t>> built;
  Read([&](Transaction& tx) -> Status {
    for (const std::string& t : typed) {
      RAPPORT_ASSIGN_OR_RETURN(built[t], Found(tx, t));
    }
    return Ok();
  });
  EXPECT_EQ(built["alpha"].size(), static_cast<std::size_t>(kAccounts / 3 + 1));
  EXPECT_EQ(built["hosp"].size(), static_cast<std::size_t>(kAccounts + 1));
  EXPECT_EQ(built["north"].size(), static_cast<std::size_t>(kAccounts / 2));
  EXPECT_EQ(built["leeds"].size(), static_cast<std::size_t>(kAccounts / 5));
  EXPECT_EQ(built["rx2999"], std::vector<std::int64_t>{2999});  // a prefix of nothing else
  EXPECT_EQ(built["later"], std::vector<std::int64_t>{later});

  // What the index rebuilt from the table finds.
  Write([](Transaction& tx) {
    return tx.ExecuteScript("INSERT INTO accounts_fts(accounts_fts) VALUES ('rebuild')");
  });
  Read([&](Transaction& tx) -> Status {
    for (const std::string& t : typed) {
      RAPPORT_ASSIGN_OR_RETURN(std::vector<std::int64_t> rebuilt, Found(tx, t));
      EXPECT_EQ(rebuilt, built[t]) << t;
    }
    return Ok();
  });
}

RAPPORT_ON_BOTH_BACKENDS(FullTextBuildTest);

}  // namespace
}  // namespace rapport::db
