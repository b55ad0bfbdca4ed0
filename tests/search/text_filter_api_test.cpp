// Lists filtered by text (q) through the real binary, against the full-text index's own answer:
// the same rows in the same order, page after page, whichever way the server found them (a walk
// of the list's order, or the matches read and sorted). The accounts are generated so that some
// words match most of them, some a few, and some none, in several scripts and cases.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>

#include "db/dialect.hpp"
#include "db/migrations.hpp"
#include "support/api_server.hpp"
#include "support/run_command.hpp"
#include "support/test_clock.hpp"
#include "support/test_database.hpp"

namespace rapport::api {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::RunCommand;
using ::rapport::testing::TempDir;
using ::rapport::testing::TestDatabase;
using ::rapport::testing::TestDate;

// Words of names: common and rare, accented, and words that split in two ("Sainte–Marie").
// Some are repeated so that the names beginning "Mer" and "St" are more than kFewMatches, which
// a list by name reads from the lead index (several runs for "St": "st.", "sta", "sto").
const std::vector<std::string> kFirsts = {"Royal",           "St. Mary's", "St. Mary's",
                                          "St. Michael's",   "Stockport",  "Stanley",
                                          "Mercy",           "Mercy",      "Mercy",
                                          "Merseyside",      "Fairhaven",  "Hôpital Sainte–Marie",
                                          "Queen Elizabeth", "Northgate",  "Álvaro Cunqueiro",
                                          "Good Samaritan",  "royal",      "ROYAL",
                                          "Ashford",         "Kingsway",   "Southmead",
                                          "Bridgewater"};
const std::vector<std::string> kKinds = {"Clinic",         "Hospital",        "Infirmary",
                                         "Medical Centre", "Surgery",         "Health Centre",
                                         "Hospice",        "Treatment Centre"};
const std::vector<std::string> kRegions = {"North West", "North East", "London", "Yorkshire",
                                           "Île-de-France"};
// Enough that the broad words (regions, postcodes, "royal") pass kFewMatches and are walked.
constexpr int kAccounts = 30000;

std::string UrlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

struct Env {
  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<ApiServer> server;
  std::string admin;
};

Env* EnvFor(db::Backend backend) {
  static std::map<db::Backend, std::unique_ptr<Env>> envs;
  auto& env = envs[backend];
  if (env) return env.get();
  env = std::make_unique<Env>();
  env->db = std::make_unique<TestDatabase>(backend);
  if (!env->db->available()) return env.get();
  const auto demo = RunCommand(
      {RAPPORT_BINARY, "demo", "--db", env->db->url(), "--seed", "7", "--as-of", TestDate()});
  EXPECT_EQ(demo.exit_code, 0) << demo.err;
  TempDir dir;
  const std::string file = dir.File("accounts.csv");
  {
    std::ofstream csv(file);
    csv << "Account ID,Name,Type,Status,Region,Postcode\n";
    std::mt19937 random(11);
    for (int i = 1; i <= kAccounts; ++i) {
      // Names cluster in name order (one first word each), regions and postcodes do not.
      const std::string& first = kFirsts[random() % kFirsts.size()];
      const std::string& kind = kKinds[random() % kKinds.size()];
      csv << "TF" << i << ",\"" << first << " " << kind << " " << i << "\","
          << (i % 3 ? "hospital" : "gp_practice") << "," << (i % 4 ? "customer" : "prospect") << ","
          << kRegions[random() % kRegions.size()] << ",M" << (random() % 60) << " "
          << (random() % 10) << "AB\n";
    }
  }
  const auto imported = RunCommand(
      {RAPPORT_BINARY, "import", "--db", env->db->url(), "--type", "accounts", "--file", file});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  env->server = std::make_unique<ApiServer>(env->db->url());
  env->admin = env->server->Login("admin@medequip.example");
  return env.get();
}

class TextFilterApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    env_ = EnvFor(GetParam());
    if (!env_->db->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(env_->server && env_->server->running());
    ASSERT_FALSE(env_->admin.empty());
  }

  // The index's answer: ids of the accounts that match `text` (and `filter`, a column = value),
  // in the order of `sort` (a field, "-" for descending), then by id.
  std::vector<std::string> Expected(const std::string& text, const std::string& sort,
                                    const std::pair<std::string, std::string>& filter) {
    const bool desc = sort.starts_with("-");
    const std::string field = desc ? sort.substr(1) : sort;
    const std::string dir = desc ? " DESC" : "";
    auto database = env_->db->Open();
    std::vector<std::string> ids;
    const Status s = database->Read([&](db::Transaction& tx) -> Status {
      const std::string sql = "SELECT t.id FROM accounts t WHERE t.archived_at IS NULL AND " +
                              db::FullTextCondition(tx.backend(), db::SearchIndexes().at(0), "t") +
                              (filter.first.empty() ? "" : " AND t." + filter.first + " = ?") +
                              " ORDER BY " + (field == "id" ? "" : "t." + field + dir + ", ") +
                              "t.id" + dir;
      db::Params params = {db::FullTextQuery(tx.backend(), text)};
      if (!filter.first.empty()) params.push_back(filter.second);
      RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql, params));
      for (const auto& row : rows) ids.push_back(std::to_string(row.Int(0)));
      return Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return ids;
  }

  // The list's answer, page by page through the cursors, up to `most` rows.
  std::vector<std::string> Listed(const std::string& text, const std::string& sort,
                                  const std::pair<std::string, std::string>& filter, int limit,
                                  size_t most, bool& ended) {
    std::vector<std::string> ids;
    std::string cursor;
    ended = false;
    while (ids.size() < most) {
      std::string path = "/api/v1/accounts?limit=" + std::to_string(limit) + "&sort=" + sort +
                         "&q=" + UrlEncode(text);
      if (!filter.first.empty()) path += "&" + filter.first + "=" + filter.second;
      if (!cursor.empty()) path += "&cursor=" + UrlEncode(cursor);
      const auto reply = env_->server->Get(path, env_->admin);
      EXPECT_EQ(reply.status, 200) << path << "\n" << reply.body;
      if (reply.status != 200) break;
      const json page = reply.Json();
      for (const auto& item : page["items"]) ids.push_back(item["id"].get<std::string>());
      if (page["next_cursor"].is_null()) {
        ended = true;
        break;
      }
      cursor = page["next_cursor"].get<std::string>();
    }
    return ids;
  }

  void ExpectSameRows(const std::string& text, const std::string& sort,
                      const std::pair<std::string, std::string>& filter, int limit) {
    SCOPED_TRACE("q='" + text + "' sort=" + sort + " " + filter.first + " limit " +
                 std::to_string(limit));
    const std::vector<std::string> expected = Expected(text, sort, filter);
    // Every page of a few hundred matches; the first pages of more.
    const size_t most = expected.size() <= 400 ? expected.size() + 1 : 200;
    bool ended = false;
    const std::vector<std::string> listed = Listed(text, sort, filter, limit, most, ended);
    if (expected.size() <= 400) {
      EXPECT_TRUE(ended);
      EXPECT_EQ(listed, expected);
    } else {
      ASSERT_GE(listed.size(), most);
      EXPECT_EQ(listed,
                std::vector<std::string>(expected.begin(), expected.begin() + listed.size()));
    }
  }

  Env* env_ = nullptr;
};

TEST_P(TextFilterApiTest, BroadNarrowAndSeveralWordsListTheIndexsMatchesInOrder) {
  const std::pair<std::string, std::string> none;
  // Broad (every account through its region or postcode), clustered in name order (a first
  // word), rare, several words, accents and words the index splits, none.
  for (const std::string text : {"nor", "north west", "m", "mer", "mercy", "St. M", "royal infirm",
                                 "fairh", "HÔP", "hop sainte marie", "alvaro cun", "ile de", "1014",
                                 "royal hospital 7", "royal –", "mercy ★ clinic", "zzz"}) {
    ExpectSameRows(text, "name", none, 50);
  }
  // Names that begin with the first word typed, in both directions, a page at a time: the lead
  // index's runs (one for "mer", several for "st") beside the other matches.
  for (const std::string text : {"mer", "st", "St. M", "sto", "mercy hosp", "roy", "nor"}) {
    ExpectSameRows(text, "-name", none, 50);
    ExpectSameRows(text, "name", {"status", "prospect"}, 17);
  }
  EXPECT_GE(Expected("mer", "name", none).size(), 4000u);
  EXPECT_GE(Expected("st", "name", none).size(), 4000u);
  EXPECT_FALSE(Expected("royal infirm", "name", none).empty());
  EXPECT_TRUE(Expected("zzz", "name", none).empty());
}

TEST_P(TextFilterApiTest, RandomWordsSortsAndFiltersListTheIndexsMatchesInOrder) {
  std::mt19937 random(GetParam() == db::Backend::kSqlite ? 5 : 6);
  std::vector<std::string> words;
  for (const auto* list : {&kFirsts, &kKinds, &kRegions}) {
    for (const std::string& phrase : *list) {
      std::string word;
      for (char c : phrase + " ") {
        if (c == ' ') {
          if (!word.empty()) words.push_back(word);
          word.clear();
        } else {
          word += c;
        }
      }
    }
  }
  const std::vector<std::string> sorts = {"name", "-name", "id", "-id", "updated_at"};
  const std::vector<std::pair<std::string, std::string>> filters = {
      {}, {"status", "prospect"}, {"type", "gp_practice"}};
  for (int round = 0; round < 40; ++round) {
    std::string text;
    const int n = 1 + static_cast<int>(random() % 3);
    for (int k = 0; k < n; ++k) {
      const std::string& word = words[random() % words.size()];
      // A prefix of the word (whole UTF-8 characters) or, now and then, a number.
      std::string typed = random() % 8 == 0 ? std::to_string(random() % 700) : word;
      size_t keep = 1 + random() % typed.size();
      while (keep < typed.size() && (static_cast<unsigned char>(typed[keep]) & 0xC0) == 0x80) {
        ++keep;
      }
      text += (k ? " " : "") + typed.substr(0, keep);
    }
    if (db::FullTextQuery(GetParam(), text).empty()) continue;
    ExpectSameRows(text, sorts[random() % sorts.size()], filters[random() % filters.size()],
                   5 + static_cast<int>(random() % 60));
  }
}

TEST_P(TextFilterApiTest, ARepsContactsFilteredByTextAreTheContactsTheyReachThatMatch) {
  // A rep's contacts list carries the reach as a subquery (EXISTS over the contact's account):
  // whichever way the page is read, it is the rep's contacts whose words begin so, in order.
  const json users =
      env_->server->Get("/api/v1/users?role=rep&status=active&limit=1", env_->admin).Json();
  ASSERT_FALSE(users["items"].empty());
  const std::string rep = env_->server->Login(users["items"][0]["email"].get<std::string>());
  ASSERT_FALSE(rep.empty());
  std::vector<json> reached;
  std::string cursor;
  for (int page = 0; page < 200; ++page) {
    const json list = env_->server
                          ->Get("/api/v1/contacts?sort=-id&limit=200" +
                                    (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor)),
                                rep)
                          .Json();
    for (const auto& item : list["items"]) reached.push_back(item);
    if (list["next_cursor"].is_null()) break;
    cursor = list["next_cursor"].get<std::string>();
  }
  ASSERT_GT(reached.size(), 20u);
  for (const std::string text : {"a", "ma", "j s", "nurse", "director", "nhs", "m", "zzz"}) {
    SCOPED_TRACE("q='" + text + "'");
    // The index's matches among the contacts the rep reaches, in the list's order.
    std::set<std::int64_t> matching;
    auto database = env_->db->Open();
    ASSERT_TRUE(
        database
            ->Read([&](db::Transaction& tx) -> Status {
              RAPPORT_ASSIGN_OR_RETURN(
                  db::Rows rows,
                  tx.Query("SELECT t.id FROM contacts t WHERE " +
                               db::FullTextCondition(tx.backend(), db::SearchIndexes().at(1), "t"),
                           {db::FullTextQuery(tx.backend(), text)}));
              for (const auto& row : rows) matching.insert(row.Int(0));
              return Ok();
            })
            .ok());
    std::vector<std::string> expected;
    for (const json& contact : reached) {
      const std::string id = contact["id"].get<std::string>();
      if (matching.count(std::stoll(id))) expected.push_back(id);
    }
    if (text == "a") {
      EXPECT_GT(expected.size(), 5u);
    }
    std::vector<std::string> listed;
    cursor.clear();
    for (int page = 0; page < 300; ++page) {
      const auto reply =
          env_->server->Get("/api/v1/contacts?sort=-id&limit=9&q=" + UrlEncode(text) +
                                (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor)),
                            rep);
      ASSERT_EQ(reply.status, 200) << reply.body;
      const json list = reply.Json();
      for (const auto& item : list["items"]) listed.push_back(item["id"].get<std::string>());
      if (list["next_cursor"].is_null()) break;
      cursor = list["next_cursor"].get<std::string>();
    }
    EXPECT_EQ(listed, expected);
  }
}

RAPPORT_ON_BOTH_BACKENDS(TextFilterApiTest);

}  // namespace
}  // namespace rapport::api
