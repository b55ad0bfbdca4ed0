// A migration that has shipped is never edited: databases made before the edit would differ from
// new ones forever (migrations 1 and 4 were, and migration 15 had to repair them). This pins what
// each migration leaves behind: the whole SQLite schema after migrations 1..k, as a fingerprint.
// A new migration adds its line here; a changed line means a shipped migration was edited: put
// the change in a new migration instead.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include "db/migrations.hpp"
#include "support/test_database.hpp"

namespace rapport::db {
namespace {

using ::rapport::testing::TempDir;

// FNV-1a, 64 bits: stable across compilers and runs.
std::string Fingerprint(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

const std::map<int, std::string>& Pinned() {
  static const std::map<int, std::string> pinned = {
      {1, "3c3d74d9ac58a6cd"},  {2, "b380da7fdc425d37"},  {3, "1eacb390ea833086"},
      {4, "a5c3a8b47d426dd3"},  {5, "6ebe45da8080288e"},  {6, "41e9aebf8c7c1d72"},
      {7, "e10390b98738f13e"},  {8, "ba8f814b08c4f664"},  {9, "b21345ba5af0c5aa"},
      {10, "3078ac79f1b2c87e"}, {11, "dddf8029c36114f5"}, {12, "f04cd55d4b935151"},
      {13, "a7e707eac18ce0e2"}, {14, "26b9264cd6f8c7a2"}, {15, "daa2042214252174"},
      {16, "5e614a8f9d1da778"}, {17, "d89a01cd6afe9532"}, {18, "4913afb0b73ecf6d"},
      {19, "5802f022449205a0"}, {20, "8662077fa64dcf21"}, {21, "d06a9a6c37a3c8a5"},
      {22, "8e2ffd37a530d3c7"}, {23, "e5c268d87d79c518"}, {24, "a81f8de42b8dd312"},
      {25, "9253275ae319b122"}, {26, "82b67f9666203722"}, {27, "77af3581785b05ea"},
      {28, "935296ab21b6df74"}, {29, "3f377a93e3b0dada"}, {30, "14624ce772f901d7"},
      {31, "c500c78dcb8d7ad4"}, {32, "899f8f493cb68893"}, {33, "3f3ed224bdd982df"},
      {34, "8ee259fc40b7287c"}, {35, "05160c045bc3eb74"},

  };
  return pinned;
}

TEST(MigrationFingerprints, NoShippedMigrationIsEditedInPlace) {
  TempDir dir;
  auto opened = Database::Open(dir.File("m.db"));
  ASSERT_TRUE(opened.ok());
  Database& database = **opened;
  std::string all;
  for (const Migration& m : AllMigrations()) {
    ASSERT_TRUE(database.Write([&](Transaction& tx) { return m.apply(tx); }).ok()) << m.name;
    std::string schema;
    ASSERT_TRUE(
        database
            .Read([&](Transaction& tx) -> Status {
              RAPPORT_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT type, name, tbl_name, sql FROM "
                                                           "sqlite_schema ORDER BY type, name"));
              for (const Row& r : rows) {
                schema += r.Text(0) + "|" + r.Text(1) + "|" + r.Text(2) + "|" + r.Text(3) + "\n";
              }
              return Ok();
            })
            .ok());
    const std::string fingerprint = Fingerprint(schema);
    all += "      {" + std::to_string(m.version) + ", \"" + fingerprint + "\"},\n";
    auto pinned = Pinned().find(m.version);
    if (pinned == Pinned().end()) {
      ADD_FAILURE() << "migration " << m.version << " (" << m.name << ") is new: add {" << m.version
                    << ", \"" << fingerprint << "\"} to the pinned fingerprints";
    } else {
      EXPECT_EQ(pinned->second, fingerprint)
          << "the schema after migration " << m.version << " (" << m.name
          << ") is not what it was when it shipped: a migration up to " << m.version
          << " was edited. Put the change in a new migration.";
    }
  }
  EXPECT_EQ(Pinned().size(), AllMigrations().size()) << all;
}

}  // namespace
}  // namespace rapport::db
