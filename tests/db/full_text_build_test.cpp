// A full-text index built apart for a bulk load into an empty table (Transaction::
// BuildFullTextApart, SQLite): it finds what the index rebuilt from the table finds, and the
// connection that put it in place goes on keeping it up to date. PostgreSQL builds none.
#include <array>
#include <map>
#include <random>
#include <thread>

#include "db/dialect.hpp"
#include "db/sqlite/sqlite_full_text.hpp"
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
    EXPECT_EQ(build->columns(), (std::vector<std::string>{"name", "region", "postcode", "city",
                                                          "ods_code", "name_lead"}));
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
        const std::string marker = SqliteLeadMarkerText(name);
        added = build->Add(i, {name, region.empty() ? none : region, postcode,
                               city.empty() ? none : city, ods_code, marker});
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
  // The names' marker words, of two and of three characters (what the generated column holds
  // for the rows indexed by triggers, SqliteLeadMarkerText for those built apart).
  const std::vector<std::string> keys = {"al", "alp", "be", "bet", "ab"};
  std::map<std::string, std::vector<std::int64_t>> built;
  const auto find_all = [&](Transaction& tx,
                            std::map<std::string, std::vector<std::int64_t>>& found) -> Status {
    for (const std::string& t : typed) {
      RAPPORT_ASSIGN_OR_RETURN(found[t], Found(tx, t));
    }
    for (const std::string& key : keys) {
      RAPPORT_ASSIGN_OR_RETURN(Rows rows,
                               tx.Query("SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH ? "
                                        "ORDER BY rowid",
                                        {LeadMarkerQuery(Backend::kSqlite, key)}));
      std::vector<std::int64_t>& ids = found["key " + key];
      for (const Row& row : rows) ids.push_back(row.Int(0));
    }
    return Ok();
  };
  Read([&](Transaction& tx) { return find_all(tx, built); });
  EXPECT_EQ(built["key al"].size(), static_cast<std::size_t>(kAccounts / 3 + 1));
  EXPECT_EQ(built["key alp"], built["key al"]);
  EXPECT_EQ(built["key bet"].size(), static_cast<std::size_t>(kAccounts - kAccounts / 3));
  EXPECT_TRUE(built["key ab"].empty()) << "a marker is of the name's first characters only";
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
  std::map<std::string, std::vector<std::int64_t>> rebuilt;
  Read([&](Transaction& tx) { return find_all(tx, rebuilt); });
  EXPECT_EQ(rebuilt, built);
}

// A row's test (rapport_text_matches) reads ASCII texts without the tokenizer: the same words.
TEST(SqliteRowTest, AsciiTextsHaveThePrefixesOfTheTokenizersWords) {
  std::mt19937 random(3);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int length = static_cast<int>(random() % 24);
    for (int i = 0; i < length; ++i) {
      // Any ASCII character, letters and digits more often.
      const char* common = "aZ09 mM.-'";
      text += random() % 2 ? static_cast<char>(random() % 128) : common[random() % 10];
    }
    const std::vector<std::string> words = SqliteFullTextTokens(text);
    for (const std::string& word : words) {
      for (size_t cut = 1; cut <= word.size(); ++cut) {
        EXPECT_TRUE(TextsHavePrefixes({word.substr(0, cut)}, {text})) << text;
      }
    }
    for (const std::string prefix : {"a", "z", "0", "m", "zz", "a0", "9"}) {
      bool expected = false;
      for (const std::string& word : words) expected = expected || word.starts_with(prefix);
      EXPECT_EQ(TextsHavePrefixes({prefix}, {text}), expected) << "'" << text << "' " << prefix;
    }
  }
}

RAPPORT_ON_BOTH_BACKENDS(FullTextBuildTest);

}  // namespace
}  // namespace rapport::db
