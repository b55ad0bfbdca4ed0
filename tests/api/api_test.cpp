// The JSON API from outside: the real binary on port 0 over SQLite and PostgreSQL, with the demo
// company (seed 7) loaded once per backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <sstream>

#include <unistd.h>

#include "core/clock.hpp"

#include "support/api_server.hpp"
#include "support/run_command.hpp"
#include "support/run_rapport.hpp"
#include "support/test_clock.hpp"
#include "support/test_database.hpp"

namespace rapport::api {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::CommandResult;
using ::rapport::testing::HttpCall;
using ::rapport::testing::HttpReply;
using ::rapport::testing::RunCommand;
using ::rapport::testing::RunRapport;
using ::rapport::testing::TestDatabase;
using ::rapport::testing::TestDate;
using ::rapport::testing::TestNow;

// One demo database and server per backend, shared by every test of this process.
struct Env {
  std::unique_ptr<TestDatabase> db;
  std::unique_ptr<ApiServer> server;
  std::string admin, rep, rsm, executive, account_manager;  // tokens
  json rep_user;
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
  env->server = std::make_unique<ApiServer>(env->db->url());
  ApiServer& s = *env->server;
  env->admin = s.Login("admin@medequip.example");
  const json users = s.Get("/api/v1/users?limit=500", env->admin).Json()["items"];
  auto first = [&](const std::string& role) -> json {
    for (const auto& u : users) {
      if (u["role"] == role && u["status"] == "active") return u;
    }
    return json();
  };
  env->rep_user = first("rep");
  env->rep = s.Login(env->rep_user["email"]);
  env->rsm = s.Login(first("rsm")["email"]);
  env->executive = s.Login(first("executive")["email"]);
  env->account_manager = s.Login(first("account_manager")["email"]);
  return env.get();
}

class ApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    env_ = EnvFor(GetParam());
    if (!env_->db->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(env_->server && env_->server->running());
    ASSERT_FALSE(env_->admin.empty());
    ASSERT_FALSE(env_->rep.empty());
  }
  ApiServer& s() { return *env_->server; }

  // An account the rep cannot reach (another territory, another owner, not on its team).
  json AccountOutsideRepReach() {
    const json mine = s().Get("/api/v1/accounts?limit=500", env_->rep).Json()["items"];
    std::set<std::string> visible;
    for (const auto& a : mine) visible.insert(a["id"].get<std::string>());
    const json all = s().Get("/api/v1/accounts?limit=500", env_->admin).Json()["items"];
    for (const auto& a : all) {
      if (!visible.count(a["id"].get<std::string>())) return a;
    }
    return json();
  }

  json NewAccount(const std::string& token, json fields = json::object()) {
    json body = {{"name", "Test Hospital"}, {"type", "hospital"}, {"status", "prospect"}};
    body.update(fields);
    const HttpReply reply = s().Post("/api/v1/accounts", body, token);
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.Json();
  }

  Env* env_ = nullptr;
};

using ::rapport::testing::ExpectProblem;

TEST_P(ApiTest, HealthNeedsNoSignInEverythingElseDoes) {
  const HttpReply health = s().Get("/api/v1/health", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.Json()["status"], "ok");
  EXPECT_GE(health.Json()["schema_version"].get<int>(), 3);
  ExpectProblem(s().Get("/api/v1/accounts", ""), 401);
  ExpectProblem(s().Get("/api/v1/accounts", "rpt_not-a-real-token"), 401);
  ExpectProblem(s().Get("/api/v1/nowhere", env_->admin), 404);
  const HttpReply put = s().Call({"PUT", "/api/v1/accounts", "{}", env_->admin});
  ExpectProblem(put, 405);
  EXPECT_NE(put.Header("allow").find("POST"), std::string::npos);
}

TEST_P(ApiTest, SignInOutAndBruteForce) {
  EXPECT_TRUE(s().Login("admin@medequip.example", "wrong password").empty());
  ExpectProblem(s().Post("/api/v1/auth/login", {{"email", "x@y.example"}}, ""), 422, "password");
  ExpectProblem(s().Call({"POST", "/api/v1/auth/login", "{not json", ""}), 400);

  const std::string token = s().Login(env_->rep_user["email"]);
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(s().Get("/api/v1/auth/me", token).Json()["email"], env_->rep_user["email"]);
  EXPECT_EQ(s().Post("/api/v1/auth/logout", json::object(), token).status, 204);
  ExpectProblem(s().Get("/api/v1/auth/me", token), 401);

  // Five wrong passwords for one email, then even the right one waits.
  const std::string victim = std::string("target.") +
                             (GetParam() == db::Backend::kSqlite ? "s" : "p") + "@medequip.example";
  const auto added =
      RunCommand({RAPPORT_BINARY, "user", "add", "--db", env_->db->url(), "--email", victim,
                  "--name", "Tara Target", "--role", "rep", "--password-stdin"},
                 "the right password\n");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_FALSE(s().Login(victim, "the right password").empty());
  HttpReply last;
  for (int i = 0; i < 6; ++i) {
    last = s().Post("/api/v1/auth/login",
                    {{"email", victim}, {"password", "guess " + std::to_string(i)}}, "");
  }
  ExpectProblem(last, 429);
  ExpectProblem(
      s().Post("/api/v1/auth/login", {{"email", victim}, {"password", "the right password"}}, ""),
      429);
}

// The server's stderr once it holds every one of `texts`: each server thread writes its lines
// within 100 ms, so they may come out of order.
std::string LogWith(const ApiServer& server, const std::vector<std::string>& texts) {
  std::string log;
  for (int i = 0; i < 60; ++i) {
    log = server.Log();
    if (std::all_of(texts.begin(), texts.end(),
                    [&](const auto& t) { return log.find(t) != std::string::npos; })) {
      break;
    }
    usleep(50'000);
  }
  return log;
}

// The line of `log` that ends with the request id, or "".
std::string LineOf(const std::string& log, const std::string& request_id) {
  std::istringstream lines(log);
  std::string line, found;
  int count = 0;
  while (std::getline(lines, line)) {
    if (line.ends_with(" request_id=" + request_id)) {
      found = line;
      ++count;
    }
  }
  EXPECT_EQ(count, 1) << "request " << request_id << " has " << count << " access-log lines";
  return found;
}

TEST_P(ApiTest, TheAccessLogHasALinePerRequestAndNoSecret) {
  const HttpReply login = s().Post(
      "/api/v1/auth/login", {{"email", env_->rep_user["email"]}, {"password", "rapport-demo"}}, "");
  ASSERT_EQ(login.status, 200);
  const std::string token = login.Json()["token"];
  const std::string csrf = login.Json()["csrf_token"];
  const std::string id = s().Get("/api/v1/accounts?limit=1", token).Json()["items"][0]["id"];
  const HttpReply got = s().Get("/api/v1/accounts/" + id, token);
  ASSERT_EQ(got.status, 200);
  const HttpReply refused = s().Get("/api/v1/accounts/" + id, "rpt_not-a-real-token");
  ASSERT_EQ(refused.status, 401);

  const std::string log = LogWith(s(), {"request_id=" + login.Header("x-request-id"),
                                        "request_id=" + got.Header("x-request-id"),
                                        "request_id=" + refused.Header("x-request-id")});
  const std::string stamp = R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z info )";
  EXPECT_TRUE(std::regex_search(
      LineOf(log, got.Header("x-request-id")),
      std::regex(stamp + R"(method=GET route=/api/v1/accounts/\{id\} status=200 duration_ms=)"
                         R"([0-9]+\.[0-9]{3} request_id=[0-9a-f]{24}$)")))
      << log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
  EXPECT_TRUE(
      std::regex_search(LineOf(log, login.Header("x-request-id")),
                        std::regex(stamp + "method=POST route=/api/v1/auth/login status=200 ")));
  EXPECT_TRUE(std::regex_search(LineOf(log, refused.Header("x-request-id")),
                                std::regex(stamp + "method=GET route=/api/v1/accounts/\\{id\\} "
                                                   "status=401 ")));
  // Neither the password, the tokens nor the CSRF token is ever written.
  for (const std::string& secret :
       {std::string("rapport-demo"), token, csrf, std::string("rpt_not-a-real-token")}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log holds a secret: " << secret;
  }
}

TEST_P(ApiTest, ALeaverCannotSignInAndTheirSessionsStop) {
  const json created =
      s().Post("/api/v1/users",
               {{"email", "leaver." + std::to_string(GetParam() == db::Backend::kSqlite) +
                              "@medequip.example"},
                {"name", "Lee Leaver"},
                {"role", "rep"}},
               env_->admin)
          .Json();
  ASSERT_TRUE(created.contains("id")) << created.dump();
  // Give them a password the way an admin would, from the command line.
  const auto token_cmd = RunCommand(
      {RAPPORT_BINARY, "token", "create", "--db", env_->db->url(), "--email", created["email"]});
  ASSERT_EQ(token_cmd.exit_code, 0) << token_cmd.err;
  std::string token = token_cmd.out.substr(0, token_cmd.out.find('\n'));
  EXPECT_EQ(s().Get("/api/v1/auth/me", token).status, 200);
  const HttpReply left = s().Patch("/api/v1/users/" + created["id"].get<std::string>(),
                                   {{"status", "left"}}, env_->admin);
  ASSERT_EQ(left.status, 200) << left.body;
  EXPECT_FALSE(left.Json()["left_at"].is_null());
  ExpectProblem(s().Get("/api/v1/auth/me", token), 401);
}

TEST_P(ApiTest, CreateReadPatchWithETagsAndHistory) {
  const json account = NewAccount(env_->rep, {{"postcode", "LS1 3EX"}});
  const std::string path = "/api/v1/accounts/" + account["id"].get<std::string>();
  EXPECT_EQ(account["owner_id"], env_->rep_user["id"]) << "a rep's new account is theirs";
  const HttpReply got = s().Get(path, env_->rep);
  ASSERT_EQ(got.status, 200);
  const std::string etag = got.Header("etag");
  EXPECT_EQ(etag, "\"v1\"");

  const HttpReply changed = s().Patch(path, {{"name", "Leeds General Infirmary"}}, env_->rep, etag);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json()["version"], 2);
  EXPECT_EQ(changed.Header("etag"), "\"v2\"");
  // Someone still holding v1 is told, and nothing changes.
  ExpectProblem(s().Patch(path, {{"name", "Overwritten"}}, env_->rep, etag), 412);
  EXPECT_EQ(s().Get(path, env_->rep).Json()["name"], "Leeds General Infirmary");

  const json history = s().Get(path + "/history", env_->rep).Json()["items"];
  ASSERT_EQ(history.size(), 2u) << history.dump();
  EXPECT_EQ(history[0]["action"], "create");
  EXPECT_EQ(history[1]["field"], "name");
  EXPECT_EQ(history[1]["old_value"], "Test Hospital");
  EXPECT_EQ(history[1]["new_value"], "Leeds General Infirmary");
  EXPECT_EQ(history[1]["changed_by"]["id"], env_->rep_user["id"]);
}

// An account keeps its addresses, switchboard, website, size and identifiers, and the 360 shows
// them; a country is an ISO code, and anything else is refused naming the field.
TEST_P(ApiTest, AnAccountKeepsItsAddressesPhoneWebsiteAndSize) {
  const json account = NewAccount(env_->rep, {{"street", "Great George Street\nJubilee Wing"},
                                              {"city", "Leeds"},
                                              {"region", "West Yorkshire"},
                                              {"postcode", "LS1 3EX"},
                                              {"country", "GB"},
                                              {"phone", "0113 243 2799"},
                                              {"website", "www.leedsth.nhs.uk"},
                                              {"beds", 1100},
                                              {"ods_code", "RR801"}});
  const std::string path = "/api/v1/accounts/" + account["id"].get<std::string>();
  EXPECT_EQ(account["street"], "Great George Street\nJubilee Wing");
  EXPECT_EQ(account["country"], "GB");
  EXPECT_EQ(account["beds"], 1100);
  ExpectProblem(s().Patch(path, {{"country", "United Kingdom"}}, env_->rep), 422, "country");
  ExpectProblem(s().Patch(path, {{"shipping_country", "gb"}}, env_->rep), 422, "shipping_country");
  ExpectProblem(s().Patch(path, {{"beds", -1}}, env_->rep), 422, "beds");
  ExpectProblem(s().Patch(path, {{"phone", std::string(41, '1')}}, env_->rep), 422, "phone");
  const HttpReply changed = s().Patch(
      path, {{"shipping_street", "Goods In, Gate 3"}, {"shipping_country", "IE"}}, env_->rep);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json()["version"], 2) << "the refused changes wrote nothing";

  const json shown = s().Get(path + "/overview", env_->rep).Json()["account"];
  EXPECT_EQ(shown["street"], "Great George Street\nJubilee Wing");
  EXPECT_EQ(shown["city"], "Leeds");
  EXPECT_EQ(shown["country"], "GB");
  EXPECT_EQ(shown["shipping_country"], "IE");
  EXPECT_EQ(shown["phone"], "0113 243 2799");
  EXPECT_EQ(shown["beds"], 1100);
  EXPECT_TRUE(shown["employees"].is_null());
  EXPECT_EQ(shown["ods_code"], "RR801");
  const json history = s().Get(path + "/history", env_->rep).Json()["items"];
  EXPECT_TRUE(std::any_of(history.begin(), history.end(), [](const json& h) {
    return h["field"] == "shipping_country" && h["new_value"] == "IE";
  })) << history.dump();
}

TEST_P(ApiTest, BadInputIsRefusedNamingTheFieldAndWritesNothing) {
  const auto before =
      s().Get("/api/v1/accounts?limit=500&q=Refused", env_->admin).Json()["items"].size();
  ExpectProblem(
      s().Post("/api/v1/accounts", {{"name", "Refused"}, {"type", "spaceship"}}, env_->rep), 422,
      "type");
  ExpectProblem(s().Post("/api/v1/accounts",
                         {{"name", "Refused"}, {"type", "hospital"}, {"colour", "red"}}, env_->rep),
                422, "colour");
  ExpectProblem(s().Post("/api/v1/accounts", {{"name", 42}, {"type", "hospital"}}, env_->rep), 422,
                "name");
  ExpectProblem(s().Post("/api/v1/accounts",
                         {{"name", std::string(301, 'x')}, {"type", "hospital"}}, env_->rep),
                422, "name");
  ExpectProblem(s().Post("/api/v1/accounts", {{"type", "hospital"}}, env_->rep), 422, "name");
  ExpectProblem(
      s().Post("/api/v1/accounts",
               {{"name", "Refused"}, {"type", "hospital"}, {"parent_id", "abc"}}, env_->rep),
      422, "parent_id");
  ExpectProblem(
      s().Post("/api/v1/accounts",
               {{"name", "Refused"}, {"type", "hospital"}, {"customer_since", "2026-02-30"}},
               env_->rep),
      422, "customer_since");
  ExpectProblem(s().Call({"POST", "/api/v1/accounts", "{\"name\": \"Refused\",", env_->rep}), 400);
  ExpectProblem(s().Call({"POST", "/api/v1/accounts", "[1,2]", env_->rep}), 422, "body");
  HttpCall text{"POST", "/api/v1/accounts", "name=Refused", env_->rep};
  text.content_type = "text/plain";
  ExpectProblem(s().Call(text), 415);
  ExpectProblem(s().Call({"POST", "/api/v1/accounts",
                          "{\"name\":\"" + std::string(2 << 20, 'x') + "\"}", env_->rep}),
                413);
  ExpectProblem(s().Get("/api/v1/accounts/not-an-id", env_->rep), 422, "id");
  ExpectProblem(s().Get("/api/v1/accounts?limit=0", env_->rep), 422, "limit");
  ExpectProblem(s().Get("/api/v1/accounts?colour=red", env_->rep), 400, "colour");
  ExpectProblem(s().Get("/api/v1/accounts?cursor=zz", env_->rep), 400, "cursor");
  ExpectProblem(s().Get("/api/v1/accounts?sort=postcode", env_->rep), 422, "sort");
  EXPECT_EQ(s().Get("/api/v1/accounts?limit=500&q=Refused", env_->admin).Json()["items"].size(),
            before);
}

TEST_P(ApiTest, ARepNeverSeesAnotherTerritorysAccount) {
  const json outside = AccountOutsideRepReach();
  ASSERT_FALSE(outside.is_null());
  const std::string id = outside["id"];
  ExpectProblem(s().Get("/api/v1/accounts/" + id, env_->rep), 404);
  ExpectProblem(s().Get("/api/v1/accounts/" + id + "/overview", env_->rep), 404);
  ExpectProblem(s().Get("/api/v1/accounts/" + id + "/history", env_->rep), 404);
  ExpectProblem(s().Patch("/api/v1/accounts/" + id, {{"name", "Mine now"}}, env_->rep), 404);
  ExpectProblem(s().Post("/api/v1/contacts",
                         {{"account_id", id}, {"first_name", "A"}, {"last_name", "B"}}, env_->rep),
                422, "account_id");
  EXPECT_EQ(s().Get("/api/v1/accounts/" + id, env_->admin).status, 200);
  // Not in lists, not in search, not through its contacts.
  const std::string name = outside["name"];
  const json hits =
      s().Get("/api/v1/search?q=" + name.substr(0, name.find(' ')), env_->rep).Json()["items"];
  for (const auto& h : hits) EXPECT_NE(h["id"], id) << "search leaked " << name;
  const json contacts = s().Get("/api/v1/contacts?account_id=" + id, env_->rep).Json()["items"];
  EXPECT_TRUE(contacts.empty());
  EXPECT_FALSE(s().Get("/api/v1/contacts?account_id=" + id, env_->admin).Json()["items"].empty());
}

// Roles x resources x verbs: who may do what.
TEST_P(ApiTest, AccessMatrix) {
  struct Expect {
    std::string role;
    std::string token;
  };
  const std::vector<Expect> roles = {{"admin", env_->admin},
                                     {"executive", env_->executive},
                                     {"rsm", env_->rsm},
                                     {"rep", env_->rep},
                                     {"account_manager", env_->account_manager}};
  const json outside = AccountOutsideRepReach();
  for (const auto& [role, token] : roles) {
    SCOPED_TRACE(role);
    ASSERT_FALSE(token.empty());
    const bool admin = role == "admin", manager = admin || role == "executive" || role == "rsm";
    // Reference data: everyone reads, only admins write.
    for (const std::string resource : {"users", "territories", "distributors", "products"}) {
      SCOPED_TRACE(resource);
      const json items = s().Get("/api/v1/" + resource + "?limit=2", token).Json()["items"];
      ASSERT_FALSE(items.empty());
      const std::string id = items[0]["id"];
      EXPECT_EQ(s().Get("/api/v1/" + resource + "/" + id, token).status, 200);
      const HttpReply patch = s().Patch("/api/v1/" + resource + "/" + id, json::object(), token);
      EXPECT_EQ(patch.status, admin ? 200 : 403) << patch.body;
    }
    EXPECT_EQ(s().Post("/api/v1/products",
                       {{"sku", "X-" + role}, {"name", "X"}, {"family", "Imaging"}}, token)
                  .status,
              admin ? 201 : 403);
    // Account-scoped records: create in reach, delete (archive) accounts only as a manager.
    const json account = NewAccount(token, {{"name", "Matrix " + role}});
    const std::string aid = account["id"];
    for (const auto& [resource, body] : std::vector<std::pair<std::string, json>>{
             {"contacts", {{"account_id", aid}, {"first_name", "Mo"}, {"last_name", role}}},
             {"opportunities",
              {{"account_id", aid}, {"name", "Pumps"}, {"close_date", "2027-03-31"}}},
             {"activities",
              {{"account_id", aid},
               {"kind", "call"},
               {"occurred_at", "2026-11-27T10:00:00Z"},
               {"subject", "Hello"}}},
             {"tasks",
              {{"account_id", aid}, {"subject", "Follow up"}, {"due_on", "2026-12-01"}}}}) {
      SCOPED_TRACE(resource);
      const HttpReply created = s().Post("/api/v1/" + resource, body, token);
      ASSERT_EQ(created.status, 201) << created.body;
      const std::string path =
          "/api/v1/" + resource + "/" + created.Json()["id"].get<std::string>();
      EXPECT_EQ(s().Get(path, token).status, 200);
      EXPECT_EQ(s().Patch(path, json::object(), token, created.Header("etag")).status, 200);
      EXPECT_EQ(s().Delete(path, token).status, 204);
      EXPECT_EQ(s().Get(path, token).status, 404);
    }
    EXPECT_EQ(s().Delete("/api/v1/accounts/" + aid, token).status, manager ? 204 : 403);
    // Outside the rep's reach: reps and account managers get 404, the admin 200.
    if (!outside.is_null() && (role == "rep" || admin)) {
      EXPECT_EQ(s().Get("/api/v1/accounts/" + outside["id"].get<std::string>(), token).status,
                admin ? 200 : 404);
    }
  }
}

// A rep whose territories are a small part of the company's (under a twentieth) has their
// accounts by name read per territory, owner and team place (api::List); the pages must be the
// accounts in reach, in order, whichever way they are read.
TEST_P(ApiTest, ARepsListByNameIsTheirReachInOrderWhenReadPerTerritory) {
  TestDatabase db(GetParam());
  const auto demo =
      RunCommand({RAPPORT_BINARY, "demo", "--db", db.url(), "--seed", "7", "--as-of", TestDate()});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  auto database = db.Open();
  std::int64_t rep_id = 0;
  // Enough territories that one is under a twentieth; the rep is also on a team elsewhere.
  ASSERT_TRUE(database
                  ->Write([&](db::Transaction& tx) -> Status {
                    for (int i = 0; i < 30; ++i) {
                      RAPPORT_RETURN_IF_ERROR(tx.Execute(
                          "INSERT INTO territories (name, created_at, updated_at) VALUES (?, 0, 0)",
                          {"Empty " + std::to_string(i)}));
                    }
                    RAPPORT_ASSIGN_OR_RETURN(
                        rep_id, tx.QueryInt("SELECT min(u.id) FROM users u JOIN territories t ON "
                                            "t.owner_id = u.id WHERE u.role = 'rep'"));
                    return tx.Execute(
                        "INSERT INTO account_team_members (account_id, user_id, team_role, "
                        "created_at) SELECT min(id), ?, 'clinical_specialist', 0 FROM accounts "
                        "WHERE owner_id <> ? AND territory_id NOT IN (SELECT id FROM territories "
                        "WHERE owner_id = ?)",
                        {rep_id, rep_id, rep_id});
                  })
                  .ok());
  ApiServer server(db.url());
  const std::string admin = server.Login("admin@medequip.example");
  const json rep = server.Get("/api/v1/users/" + std::to_string(rep_id), admin).Json();
  const std::string token = server.Login(rep["email"]);
  // An account the rep reaches only through its team, renamed to come first by name: the team's
  // copy of the name must follow (migration 18), or the rep's first page misses it.
  std::int64_t team_only = 0;
  ASSERT_TRUE(database
                  ->Read([&](db::Transaction& tx) -> Status {
                    RAPPORT_ASSIGN_OR_RETURN(
                        team_only,
                        tx.QueryInt("SELECT max(account_id) FROM account_team_members WHERE "
                                    "user_id = ? AND team_role = 'clinical_specialist'",
                                    {rep_id}));
                    return Ok();
                  })
                  .ok());
  ASSERT_EQ(server
                .Patch("/api/v1/accounts/" + std::to_string(team_only),
                       {{"name", "Aardvark Community Hospital"}}, admin)
                .status,
            200);
  for (const std::string& query :
       {std::string("sort=name"), std::string("sort=-name"), std::string("sort=name&type=hospital"),
        std::string("sort=name&q=hospital")}) {
    // What the rep reaches, from the database, in the list's order.
    std::vector<std::string> expected;
    const bool desc = query.find("-name") != std::string::npos;
    const bool hospitals = query.find("type=hospital") != std::string::npos;
    const bool word = query.find("q=") != std::string::npos;
    ASSERT_TRUE(database
                    ->Read([&](db::Transaction& tx) -> Status {
                      RAPPORT_ASSIGN_OR_RETURN(
                          db::Rows rows,
                          tx.Query(std::string("SELECT a.id, a.name FROM accounts a WHERE "
                                               "a.archived_at IS NULL AND (a.territory_id IN "
                                               "(SELECT id FROM territories WHERE owner_id = ?) "
                                               "OR a.owner_id = ? OR a.id IN (SELECT account_id "
                                               "FROM account_team_members WHERE user_id = ?))") +
                                       (hospitals ? " AND a.type = 'hospital'" : "") +
                                       " ORDER BY a.name" + (desc ? " DESC" : "") + ", a.id" +
                                       (desc ? " DESC" : ""),
                                   {rep_id, rep_id, rep_id}));
                      for (const auto& row : rows) {
                        std::string name = row.Text(1);
                        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
                        if (word && name.find("hospital") == std::string::npos) continue;
                        expected.push_back(std::to_string(row.Int(0)));
                      }
                      return Ok();
                    })
                    .ok());
    ASSERT_GT(expected.size(), 7u) << query;
    std::vector<std::string> listed;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      const json list = server
                            .Get("/api/v1/accounts?limit=7&" + query +
                                     (cursor.empty() ? "" : "&cursor=" + cursor),
                                 token)
                            .Json();
      ASSERT_TRUE(list.contains("items")) << list.dump();
      for (const auto& a : list["items"]) listed.push_back(a["id"]);
      if (list["next_cursor"].is_null()) break;
      cursor = list["next_cursor"];
    }
    EXPECT_EQ(listed, expected) << query;
    if (query == "sort=name") {
      EXPECT_EQ(listed.front(), std::to_string(team_only));
    }
  }
}

TEST_P(ApiTest, ListsPageWithACursorAndFilter) {
  std::vector<std::string> seen;
  std::string cursor;
  std::string last_name;
  for (int page = 0; page < 6; ++page) {
    const std::string path = "/api/v1/accounts?limit=7&sort=name&type=hospital" +
                             (cursor.empty() ? "" : "&cursor=" + cursor);
    const json list = s().Get(path, env_->admin).Json();
    for (const auto& a : list["items"]) {
      EXPECT_EQ(a["type"], "hospital");
      EXPECT_LE(last_name, a["name"].get<std::string>());
      last_name = a["name"];
      seen.push_back(a["id"]);
    }
    if (list["next_cursor"].is_null()) break;
    cursor = list["next_cursor"];
  }
  EXPECT_EQ(seen.size(), 42u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size())
      << "a row came twice";
  // The default order (by id) pages too.
  std::set<std::string> by_id;
  cursor.clear();
  for (int page = 0; page < 3; ++page) {
    const json list = s().Get("/api/v1/accounts?limit=7&type=hospital" +
                                  (cursor.empty() ? "" : "&cursor=" + cursor),
                              env_->admin)
                          .Json();
    ASSERT_TRUE(list.contains("items")) << list.dump();
    for (const auto& a : list["items"]) EXPECT_TRUE(by_id.insert(a["id"]).second);
    ASSERT_TRUE(list["next_cursor"].is_string());
    cursor = list["next_cursor"];
  }
  EXPECT_EQ(by_id.size(), 21u);
  // The cursor belongs to its sort.
  ExpectProblem(s().Get("/api/v1/accounts?limit=7&sort=-name&cursor=" + cursor, env_->admin), 400,
                "cursor");
  // Full-text q and search find by prefix.
  const json found = s().Get("/api/v1/accounts?q=bedf&limit=5", env_->admin).Json()["items"];
  ASSERT_FALSE(found.empty());
  EXPECT_NE(found[0]["name"].get<std::string>().find("Bedford"), std::string::npos);
  const json hits = s().Get("/api/v1/search?q=bedf", env_->admin).Json()["items"];
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0]["kind"], "account");
}

TEST_P(ApiTest, TheAccount360InOneCall) {
  const json hospitals =
      s().Get("/api/v1/accounts?type=hospital&status=customer&limit=50", env_->admin)
          .Json()["items"];
  ASSERT_FALSE(hospitals.empty());
  const json overview =
      s().Get("/api/v1/accounts/" + hospitals[0]["id"].get<std::string>() + "/overview",
              env_->admin)
          .Json();
  EXPECT_EQ(overview["account"]["id"], hospitals[0]["id"]);
  ASSERT_EQ(overview["parents"].size(), 1u);
  EXPECT_EQ(overview["parents"][0]["type"], "health_system");
  EXPECT_FALSE(overview["children"].empty());
  EXPECT_FALSE(overview["contacts"].empty());
  for (const char* key :
       {"team", "open_opportunities", "recent_activities", "open_tasks", "purchases"}) {
    EXPECT_TRUE(overview[key].is_array()) << key;
  }
  EXPECT_EQ(overview["revenue"]["this_year"]["year"], 2026);
  EXPECT_EQ(overview["revenue"]["this_year"]["by_month_minor"].size(), 12u);
  // A department's parents: its hospital, then the hospital's health system, nearest first.
  const json child = overview["children"][0];
  const json below =
      s().Get("/api/v1/accounts/" + child["id"].get<std::string>() + "/overview", env_->admin)
          .Json();
  ASSERT_EQ(below["parents"].size(), 2u) << below["parents"].dump();
  EXPECT_EQ(below["parents"][0]["id"], overview["account"]["id"]);
  EXPECT_EQ(below["parents"][1]["id"], overview["parents"][0]["id"]);
}

// A call logged as it ends happened now by the server's clock: a browser whose clock runs ahead
// cannot log it a moment in the future, where the health score does not yet count it.
TEST_P(ApiTest, AnActivityWithoutATimeHappenedNowAndCountsAsContactAtOnce) {
  const json account = NewAccount(env_->rep, {{"name", "Never Called Hospital"}});
  const std::string aid = account["id"];
  const std::string health = "/api/v1/accounts/" + aid + "/health";
  const json before = s().Get(health, env_->rep).Json();
  ASSERT_TRUE(std::any_of(before["reasons"].begin(), before["reasons"].end(), [](const json& r) {
    return r["code"] == "not_contacted";
  })) << before.dump();
  const Instant earliest = TestNow() - kMicrosPerSecond;
  const HttpReply call =
      s().Post("/api/v1/activities", {{"account_id", aid}, {"kind", "call"}, {"subject", "Hello"}},
               env_->rep);
  ASSERT_EQ(call.status, 201) << call.body;
  const Instant latest = TestNow() + kMicrosPerSecond;
  Instant occurred = 0;
  ASSERT_TRUE(ParseInstant(call.Json()["occurred_at"].get<std::string>(), occurred)) << call.body;
  EXPECT_GE(occurred, earliest);
  EXPECT_LE(occurred, latest);
  const json after = s().Get(health, env_->rep).Json();
  for (const json& r : after["reasons"]) EXPECT_NE(r["code"], "not_contacted") << after.dump();
  EXPECT_EQ(after["score"].get<int>(), before["score"].get<int>() + 25);
  ExpectProblem(
      s().Post(
          "/api/v1/activities",
          {{"account_id", aid}, {"kind", "call"}, {"subject", "When?"}, {"occurred_at", nullptr}},
          env_->rep),
      422, "occurred_at");
}

TEST_P(ApiTest, ActivitiesCarryTheContactsMetAndOpportunitiesTheirBuyingRoles) {
  const json account = NewAccount(env_->rep, {{"name", "Roles Hospital"}});
  const std::string aid = account["id"];
  const std::string c1 =
      s().Post("/api/v1/contacts",
               {{"account_id", aid}, {"first_name", "Ann"}, {"last_name", "Buyer"}}, env_->rep)
          .Json()["id"];
  const std::string c2 =
      s().Post("/api/v1/contacts",
               {{"account_id", aid}, {"first_name", "Ben"}, {"last_name", "User"}}, env_->rep)
          .Json()["id"];
  const HttpReply call = s().Post("/api/v1/activities",
                                  {{"account_id", aid},
                                   {"kind", "visit"},
                                   {"occurred_at", "2026-11-27T10:00:00Z"},
                                   {"subject", "Demo"},
                                   {"contact_ids", {c2, c1}}},
                                  env_->rep);
  ASSERT_EQ(call.status, 201) << call.body;
  EXPECT_EQ(call.Json()["contact_ids"], json({c1, c2}));
  const json outside = AccountOutsideRepReach();
  const std::string stranger =
      s().Get("/api/v1/contacts?limit=1&account_id=" + outside["id"].get<std::string>(),
              env_->admin)
          .Json()["items"][0]["id"];
  ExpectProblem(s().Post("/api/v1/activities",
                         {{"account_id", aid},
                          {"kind", "call"},
                          {"occurred_at", "2026-11-27T10:00:00Z"},
                          {"subject", "Wrong"},
                          {"contact_ids", {stranger}}},
                         env_->rep),
                422, "contact_ids[0]");
  const HttpReply deal =
      s().Post("/api/v1/opportunities",
               {{"account_id", aid},
                {"name", "Monitors"},
                {"close_date", "2027-01-31"},
                {"amount_minor", 4500000},
                {"contact_roles", {{{"contact_id", c1}, {"role", "economic_buyer"}}}}},
               env_->rep);
  ASSERT_EQ(deal.status, 201) << deal.body;
  EXPECT_EQ(deal.Json()["contact_roles"][0]["role"], "economic_buyer");
  const std::string path = "/api/v1/opportunities/" + deal.Json()["id"].get<std::string>();
  const HttpReply won = s().Patch(path, {{"stage", "closed_won"}}, env_->rep, deal.Header("etag"));
  ASSERT_EQ(won.status, 200) << won.body;
  EXPECT_FALSE(won.Json()["closed_at"].is_null());
}

TEST_P(ApiTest, TheWebAppsCookieNeedsItsCsrfTokenToChangeAnything) {
  const HttpReply login = s().Post(
      "/api/v1/auth/login", {{"email", env_->rep_user["email"]}, {"password", "rapport-demo"}}, "");
  ASSERT_EQ(login.status, 200);
  const std::string cookie = login.Header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  const std::string pair = cookie.substr(0, cookie.find(';'));
  HttpCall get{"GET", "/api/v1/auth/me", "", ""};
  get.headers["Cookie"] = pair;
  EXPECT_EQ(s().Call(get).status, 200);
  const json account = NewAccount(env_->rep, {{"name", "Cookie Clinic"}});
  HttpCall patch{"PATCH", "/api/v1/accounts/" + account["id"].get<std::string>(),
                 R"({"region":"London"})", ""};
  patch.headers["Cookie"] = pair;
  ExpectProblem(s().Call(patch), 403);
  patch.headers["X-CSRF-Token"] = login.Json()["csrf_token"];
  EXPECT_EQ(s().Call(patch).status, 200);
}

TEST_P(ApiTest, OpenApiDescribesEveryRoute) {
  const HttpReply reply = s().Get("/api/v1/openapi.json", "");
  const json doc = reply.Json();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  // Handed to the OpenAPI validator (test openapi_document_is_valid).
  if (const char* out = std::getenv("RAPPORT_OPENAPI_OUT");
      out && GetParam() == db::Backend::kSqlite) {
    std::ofstream(out) << reply.body;
  }
  for (const std::string resource :
       {"users", "territories", "distributors", "accounts", "contacts", "account_team_members",
        "products", "purchases", "opportunities", "activities", "tasks"}) {
    const std::string base = "/api/v1/" + resource;
    EXPECT_TRUE(doc["paths"].contains(base) && doc["paths"][base].contains("get") &&
                doc["paths"][base].contains("post"))
        << resource;
    EXPECT_TRUE(doc["paths"].contains(base + "/{id}/history")) << resource;
  }
  for (const std::string path : {"/api/v1/health", "/api/v1/auth/login", "/api/v1/auth/logout",
                                 "/api/v1/search", "/api/v1/accounts/{id}/overview"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
  // A record is written whole, so its schema requires every field (the web app's types rely on
  // it).
  const json account = doc["paths"]["/api/v1/accounts/{id}"]["get"]["responses"]["200"]["content"]
                          ["application/json"]["schema"];
  for (const auto& [field, schema] : account["properties"].items()) {
    EXPECT_NE(std::find(account["required"].begin(), account["required"].end(), field),
              account["required"].end())
        << field;
  }
  // `rapport openapi` (what the web app's build makes its types from) says what the server serves.
  const CommandResult printed = RunRapport({"openapi"});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(json::parse(printed.out), doc);
}

TEST_P(ApiTest, NothingIsLostAcrossARestart) {
  const json account = NewAccount(env_->admin, {{"name", "Persistent Priory Hospital"}});
  EXPECT_EQ(env_->server->Stop(), 0) << "SIGTERM should stop the server cleanly";
  env_->server = std::make_unique<ApiServer>(env_->db->url());
  ASSERT_TRUE(env_->server->running());
  const HttpReply again =
      s().Get("/api/v1/accounts/" + account["id"].get<std::string>(), env_->admin);
  EXPECT_EQ(again.status, 200) << "sessions and records survive a restart";
  EXPECT_EQ(again.Json()["name"], "Persistent Priory Hospital");
}

TEST_P(ApiTest, OverdueContactListsAccountsPastTheirCadenceUntilSomeoneCalls) {
  const json overdue =
      s().Get("/api/v1/insights/overdue-contact?limit=50", env_->rep).Json()["items"];
  ASSERT_FALSE(overdue.empty()) << "the demo has customers nobody called for a while";
  int previous = std::numeric_limits<int>::max();
  for (const auto& item : overdue) {
    const int days = item["days_overdue"];
    EXPECT_TRUE(item["last_contact_at"].is_null() || days >= 0) << item.dump();
    if (!item["last_contact_at"].is_null()) {
      EXPECT_LE(days, previous) << "most overdue first";
      previous = days;
    }
    const json account =
        s().Get("/api/v1/accounts/" + item["account_id"].get<std::string>(), env_->rep).Json();
    EXPECT_EQ(account["owner_id"], env_->rep_user["id"]);
    EXPECT_EQ(account["status"], "customer");
  }
  const std::string first = overdue[0]["account_id"];
  const std::string now = FormatInstant(TestNow() - kMicrosPerSecond).substr(0, 19) + "Z";
  ASSERT_EQ(s().Post("/api/v1/activities",
                     {{"account_id", first},
                      {"kind", "call"},
                      {"occurred_at", now},
                      {"subject", "Check-in call"}},
                     env_->rep)
                .status,
            201);
  const json after =
      s().Get("/api/v1/insights/overdue-contact?limit=50", env_->rep).Json()["items"];
  for (const auto& item : after) {
    EXPECT_NE(item["account_id"], first) << "called just now, so no longer overdue";
  }
  ExpectProblem(s().Get("/api/v1/insights/overdue-contact?limit=0", env_->rep), 422, "limit");
}

TEST_P(ApiTest, RecordsWithoutVersionsCanBeChangedAndIdsAreNeverReused) {
  const json purchases = s().Get("/api/v1/purchases?limit=1", env_->admin).Json()["items"];
  ASSERT_FALSE(purchases.empty());
  const HttpReply changed = s().Patch("/api/v1/purchases/" + purchases[0]["id"].get<std::string>(),
                                      {{"contract_ref", "CT-CHANGED"}}, env_->admin);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json()["contract_ref"], "CT-CHANGED");

  const json account = NewAccount(env_->rep, {{"name", "Reuse Hospital"}});
  const json deal =
      s().Post("/api/v1/opportunities",
               {{"account_id", account["id"]}, {"name", "Gone soon"}, {"close_date", "2027-01-31"}},
               env_->rep)
          .Json();
  ASSERT_EQ(s().Delete("/api/v1/opportunities/" + deal["id"].get<std::string>(), env_->rep).status,
            204);
  const json next =
      s().Post("/api/v1/opportunities",
               {{"account_id", account["id"]}, {"name", "Next"}, {"close_date", "2027-01-31"}},
               env_->admin)
          .Json();
  EXPECT_NE(next["id"], deal["id"])
      << "a deleted record's id (and its history) is never handed out again";
  const json history =
      s().Get("/api/v1/opportunities/" + next["id"].get<std::string>() + "/history", env_->admin)
          .Json()["items"];
  EXPECT_EQ(history.size(), 1u) << history.dump();
}

TEST_P(ApiTest, ReferencesAndReassignmentsRespectReach) {
  const json outside = AccountOutsideRepReach();
  const json foreign_deals =
      s().Get("/api/v1/opportunities?limit=1&account_id=" + outside["id"].get<std::string>(),
              env_->admin)
          .Json()["items"];
  const json account = NewAccount(env_->rep, {{"name", "Reach Hospital"}});
  if (!foreign_deals.empty()) {
    ExpectProblem(s().Post("/api/v1/activities",
                           {{"account_id", account["id"]},
                            {"kind", "call"},
                            {"occurred_at", "2026-11-27T10:00:00Z"},
                            {"subject", "Peek"},
                            {"opportunity_id", foreign_deals[0]["id"]}},
                           env_->rep),
                  422, "opportunity_id");
  }
  // Reps do not reassign accounts; managers do.
  const std::string path = "/api/v1/accounts/" + account["id"].get<std::string>();
  ExpectProblem(
      s().Patch(path, {{"owner_id", env_->rep_user["id"]}, {"territory_id", nullptr}}, env_->rep),
      403);
  EXPECT_EQ(s().Patch(path, {{"region", "Still mine to edit"}}, env_->rep).status, 200);
  EXPECT_EQ(s().Patch(path, {{"owner_id", env_->rep_user["id"]}}, env_->admin).status, 200);
  // One value per field and per parameter.
  ExpectProblem(s().Call({"PATCH", path, R"({"region":"A","region":"B"})", env_->rep}), 422,
                "region");
  ExpectProblem(s().Get("/api/v1/accounts?type=hospital&type=pharmacy", env_->rep), 400, "type");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::api
