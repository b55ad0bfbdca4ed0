// Every route the server serves, with every role and with someone who reaches nothing, over
// SQLite and PostgreSQL. The routes and what each declares (x-rapport-access: who may call it;
// x-rapport-reach: where it sits in the reach rules) come from the OpenAPI document the server
// hands out, not from a list kept here: a route added tomorrow is tested tomorrow.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/demo_company.hpp"
#include "support/run_command.hpp"

namespace rapport::api {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::HttpCall;
using ::rapport::testing::HttpReply;
using ::rapport::testing::RunCommand;

// An id no table reaches.
constexpr const char* kNoSuchId = "999999999";

struct Operation {
  std::string method;  // "GET"
  std::string pattern;
  std::string access;  // "public", "signed-in", "managers", "admins"
  std::string reach;   // "none", "record", "filtered", "own-rule"
  std::string table;   // reach "record"
  std::string param;
  bool own_session = false;  // changes the caller's own session (signs out): called last
  std::string Name() const { return method + " " + pattern; }
};

struct Person {
  std::string role;  // a role, or "nobody" (a rep who reaches no account)
  std::string token;
};

bool Admits(const std::string& access, const std::string& role) {
  if (access == "public" || access == "signed-in") return true;
  if (access == "managers") return role == "admin" || role == "executive" || role == "rsm";
  return role == "admin";
}

class RouteAccessTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
    const HttpReply document = s().Get("/api/v1/openapi.json", "");
    ASSERT_EQ(document.status, 200);
    const json paths = document.Json()["paths"];
    for (const auto& [pattern, methods] : paths.items()) {
      for (const auto& [method, operation] : methods.items()) {
        Operation op;
        op.method = method;
        std::transform(op.method.begin(), op.method.end(), op.method.begin(), ::toupper);
        op.pattern = pattern;
        op.access = operation.value("x-rapport-access", "");
        const json reach = operation.value("x-rapport-reach", json::object());
        op.reach = reach.value("kind", "");
        op.table = reach.value("table", "");
        op.param = reach.value("param", "");
        op.own_session =
            reach.value("rule", "") == "the caller's own session" && op.method != "GET";
        operations_.push_back(op);
      }
    }
    // Signing out ends the session the later calls use.
    std::stable_partition(operations_.begin(), operations_.end(),
                          [](const Operation& op) { return !op.own_session; });
  }

  ApiServer& s() { return *company_->server; }

  // One active person of each role the demo has, signed in, and a rep who reaches nothing.
  std::vector<Person> People() {
    std::vector<Person> people;
    const json users = s().Get("/api/v1/users?limit=500", company_->admin).Json()["items"];
    std::set<std::string> seen;
    for (const auto& u : users) {
      const std::string role = u["role"];
      if (u["status"] != "active" || seen.count(role)) continue;
      seen.insert(role);
      people.push_back({role, s().Login(u["email"])});
      EXPECT_FALSE(people.back().token.empty()) << u["email"];
    }
    EXPECT_GE(people.size(), 6u) << "the demo has fewer roles than expected";
    const std::string email = std::string("nobody.") +
                              (GetParam() == db::Backend::kSqlite ? "s" : "p") +
                              std::to_string(++nobodies_) + "@medequip.example";
    const auto added =
        RunCommand({RAPPORT_BINARY, "user", "add", "--db", company_->db->url(), "--email", email,
                    "--name", "Nora Nobody", "--role", "rep", "--password-stdin"},
                   "reaches nothing at all\n");
    EXPECT_EQ(added.exit_code, 0) << added.err;
    people.push_back({"nobody", s().Login(email, "reaches nothing at all")});
    EXPECT_FALSE(people.back().token.empty());
    return people;
  }

  // The operation's path with every parameter set to `id` (a parameter that is not the record's
  // gets an id nothing has).
  static std::string PathOf(const Operation& op, const std::string& id) {
    std::string path = op.pattern;
    for (std::size_t at; (at = path.find('{')) != std::string::npos;) {
      const auto end = path.find('}', at);
      const std::string name = path.substr(at + 1, end - at - 1);
      path.replace(at, end - at + 1, name == op.param ? id : kNoSuchId);
    }
    return path;
  }

  // A call that cannot change anything if it is refused, and is refused by any handler that
  // reads a body: the body is not JSON.
  HttpReply Call(const Operation& op, const std::string& path, const std::string& token) {
    HttpCall call;
    call.method = op.method;
    call.path = path;
    call.token = token;
    if (op.method != "GET" && op.method != "DELETE") call.body = "[not json";
    return s().Call(call);
  }

  DemoCompany* company_ = nullptr;
  std::vector<Operation> operations_;
  static inline int nobodies_ = 0;
};

TEST_P(RouteAccessTest, EveryRouteDeclaresWhoMayCallItAndWhereItSitsInTheReachRules) {
  ASSERT_GT(operations_.size(), 150u);
  for (const Operation& op : operations_) {
    EXPECT_TRUE(op.access == "public" || op.access == "signed-in" || op.access == "managers" ||
                op.access == "admins")
        << op.Name() << ": " << op.access;
    EXPECT_TRUE(op.reach == "none" || op.reach == "record" || op.reach == "filtered" ||
                op.reach == "own-rule")
        << op.Name() << ": " << op.reach;
    if (op.reach == "record") {
      EXPECT_NE(op.pattern.find("{" + op.param + "}"), std::string::npos) << op.Name();
      EXPECT_FALSE(op.table.empty()) << op.Name();
    }
  }
}

TEST_P(RouteAccessTest, EveryRouteAdmitsTheRolesItDeclaresAndRefusesTheRest) {
  const std::vector<Person> people = People();
  int refused = 0, admitted = 0, anonymous = 0;
  for (const Operation& op : operations_) {
    const std::string path = PathOf(op, kNoSuchId);
    if (op.access != "public") {
      const HttpReply reply = Call(op, path, "");
      EXPECT_EQ(reply.status, 401) << op.Name() << " without signing in: " << reply.body;
      ++anonymous;
    }
    for (const Person& person : people) {
      const HttpReply reply = Call(op, path, person.token);
      const std::string who = op.Name() + " as " + person.role + ": ";
      EXPECT_LT(reply.status, 500) << who << reply.body;
      EXPECT_NE(reply.status, 401) << who << reply.body;
      if (!Admits(op.access, person.role == "nobody" ? "rep" : person.role)) {
        EXPECT_EQ(reply.status, 403) << who << reply.body;
        ++refused;
        continue;
      }
      ++admitted;
      // A capability's own rule (targets of people outside a manager's line, handovers) may
      // refuse someone the route admits; nothing else may.
      if (op.reach != "own-rule") {
        EXPECT_NE(reply.status, 403) << who << reply.body;
      }
      // The router looks the record up before the handler runs (admins reach everything, so
      // for them the handler reads the body first).
      if (op.reach == "record" && person.role != "admin") {
        EXPECT_EQ(reply.status, 404) << who << reply.body;
      }
    }
  }
  std::cout << operations_.size() << " routes x " << people.size() + 1 << " callers: " << anonymous
            << " anonymous calls refused, " << refused << " refused by role, " << admitted
            << " admitted\n";
  EXPECT_GT(refused, 0);
}

TEST_P(RouteAccessTest, RecordsOutOfReachAnswerNotFoundAndAreLeftAlone) {
  const std::vector<Person> people = People();
  const Person& nobody = people.back();
  ASSERT_EQ(nobody.role, "nobody");
  int checked = 0;
  std::set<std::string> empty;
  for (const Operation& op : operations_) {
    if (op.reach != "record" || !Admits(op.access, "rep")) continue;
    const std::int64_t id = company_->Count("SELECT coalesce(min(id), 0) FROM " + op.table);
    if (id == 0) {
      empty.insert(op.table);  // the demo has none to hide
      continue;
    }
    const std::string path = PathOf(op, std::to_string(id));
    if (op.method == "GET") {
      const HttpReply seen = s().Get(path, company_->admin);
      EXPECT_EQ(seen.status, 200) << op.Name() << " as admin: " << seen.body;
    }
    const HttpReply reply = Call(op, path, nobody.token);
    EXPECT_EQ(reply.status, 404) << op.Name() << " out of reach: " << reply.body;
    EXPECT_EQ(company_->Count("SELECT count(*) FROM " + op.table + " WHERE id = ?", {id}), 1)
        << op.Name();
    ++checked;
  }
  EXPECT_GT(checked, 40);
  EXPECT_LE(empty.size(), 2u) << "tables the demo leaves empty: "
                              << ::testing::PrintToString(empty);
}

TEST_P(RouteAccessTest, ListsAndReportsShowNothingToSomeoneWhoReachesNothing) {
  const Person nobody = People().back();
  int checked = 0;
  for (const Operation& op : operations_) {
    if (op.method != "GET" || op.reach != "filtered" || op.pattern.find('{') != std::string::npos)
      continue;
    const HttpReply reply = s().Get(op.pattern, nobody.token);
    if (reply.status != 200 || reply.Header("content-type").find("json") == std::string::npos)
      continue;
    const json body = reply.Json();
    if (!body.is_object() || !body.contains("items")) continue;
    EXPECT_TRUE(body["items"].empty()) << op.Name() << ": " << reply.body.substr(0, 300);
    ++checked;
  }
  EXPECT_GT(checked, 15);
}

INSTANTIATE_TEST_SUITE_P(Backends, RouteAccessTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::api
