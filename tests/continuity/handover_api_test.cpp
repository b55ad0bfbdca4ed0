// Handovers through the real binary over SQLite and PostgreSQL: a dry run that changes nothing, a
// commit that leaves `rapport doctor` clean, rules that split a book, who may hand over, a crash in
// the middle of a commit, and introductions delivered exactly once to a local SMTP sink
// (python3-aiosmtpd) across restarts of the server and of the sink.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include "core/clock.hpp"
#include "db/migrations.hpp"
#include "support/api_server.hpp"
#include "support/demo_company.hpp"
#include "support/run_command.hpp"
#include "support/test_clock.hpp"
#include "support/test_database.hpp"

namespace rapport::continuity {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::FreePort;
using ::rapport::testing::HttpCall;
using ::rapport::testing::RunCommand;
using ::rapport::testing::RunningCommand;
using ::rapport::testing::TempDir;
using ::rapport::testing::TestDatabase;
using ::rapport::testing::TestDate;
using ::rapport::testing::TestNow;

// Each test hands over a different rep of the demo company.
struct Env {
  testing::DemoCompany* company = nullptr;
  std::vector<json> reps;  // active reps, by id
  size_t next_rep = 0;
};

Env* EnvFor(db::Backend backend) {
  static std::map<db::Backend, std::unique_ptr<Env>> envs;
  auto& env = envs[backend];
  if (env) return env.get();
  env = std::make_unique<Env>();
  // Covers end only when a test asks (a second server that checks every second).
  env->company = &testing::DemoCompanyFor(backend, {"--housekeeping-seconds", "3600"});
  if (!env->company->available()) return env.get();
  const json users =
      env->company->server->Get("/api/v1/users?limit=500&sort=name", env->company->admin).Json();
  for (const auto& u : users["items"]) {
    if (u["role"] == "rep" && u["status"] == "active") env->reps.push_back(u);
  }
  std::sort(env->reps.begin(), env->reps.end(), [](const json& a, const json& b) {
    return std::stoll(a["id"].get<std::string>()) < std::stoll(b["id"].get<std::string>());
  });
  return env.get();
}

class HandoverApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    env_ = EnvFor(GetParam());
    if (!env_->company->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(env_->company->server && env_->company->server->running());
    ASSERT_GE(env_->reps.size(), 6u) << "the demo company has too few reps";
  }
  ApiServer& s() { return *env_->company->server; }
  const std::string& admin() { return env_->company->admin; }
  // A rep nobody has handed over yet (the last rep is kept as everyone's successor).
  json NextLeaver() {
    EXPECT_LT(env_->next_rep + 1, env_->reps.size());
    return env_->reps[env_->next_rep++];
  }
  json Successor() { return env_->reps.back(); }

  std::int64_t Count(const std::string& sql, const db::Params& params = {}) {
    return env_->company->Count(sql, params);
  }
  std::int64_t Owned(const json& user) {
    return Count("SELECT count(*) FROM accounts WHERE owner_id = ? AND archived_at IS NULL",
                 {std::stoll(user["id"].get<std::string>())});
  }
  std::int64_t OpenWork(const json& user) {
    const std::int64_t id = std::stoll(user["id"].get<std::string>());
    return Owned(user) +
           Count(
               "SELECT count(*) FROM opportunities WHERE owner_id = ? AND stage NOT IN "
               "('closed_won', 'closed_lost')",
               {id}) +
           Count("SELECT count(*) FROM tasks WHERE owner_id = ? AND done_at IS NULL", {id}) +
           Count(
               "SELECT count(*) FROM cases WHERE owner_id = ? AND status IN ('open', "
               "'waiting_on_customer')",
               {id}) +
           Count(
               "SELECT count(*) FROM success_plans WHERE owner_id = ? AND status IN ('draft', "
               "'active')",
               {id}) +
           Count("SELECT count(*) FROM trials WHERE owner_id = ? AND decision IS NULL", {id});
  }
  // Every row of every table, as text: equal snapshots mean nothing was written.
  std::string Snapshot() {
    std::string out;
    const Status s = env_->company->database->Read([&](db::Transaction& tx) -> Status {
      for (const std::string& table : db::DomainTables()) {
        RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query("SELECT * FROM " + table + " ORDER BY 1"));
        out += table + ":" + std::to_string(rows.size()) + "\n";
        for (const auto& row : rows) {
          for (size_t i = 0; i < row.size(); ++i) out += row.Text(i) + "|";
          out += "\n";
        }
      }
      return Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return out;
  }
  int Doctor() { return env_->company->Doctor(); }

  Env* env_ = nullptr;
};

json HandoverBody(const json& leaver, const json& successor, bool dry_run) {
  return {{"from_user_id", leaver["id"]},
          {"successor_user_id", successor["id"]},
          {"reason", "resigned"},
          {"effective_on", TestDate()},
          {"dry_run", dry_run}};
}

TEST_P(HandoverApiTest, ADryRunListsTheWholeBookAndChangesNothing) {
  const json leaver = NextLeaver();
  const std::string before = Snapshot();
  const auto reply =
      s().Post("/api/v1/handovers", HandoverBody(leaver, Successor(), true), admin());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json plan = reply.Json();
  EXPECT_EQ(Snapshot(), before) << "a dry run wrote something";

  const std::int64_t id = std::stoll(leaver["id"].get<std::string>());
  EXPECT_EQ(plan["counts"]["account"], Owned(leaver));
  EXPECT_GT(plan["counts"]["account"].get<int>(), 0);
  EXPECT_EQ(plan["counts"]["opportunity"],
            Count("SELECT count(*) FROM opportunities WHERE owner_id = ? AND stage NOT IN "
                  "('closed_won', 'closed_lost')",
                  {id}));
  EXPECT_EQ(plan["counts"]["task"],
            Count("SELECT count(*) FROM tasks WHERE owner_id = ? AND done_at IS NULL", {id}));
  EXPECT_TRUE(plan["marks_leaver_left"].get<bool>());
  for (const auto& item : plan["items"]) {
    EXPECT_EQ(item["successor_user_id"], Successor()["id"]) << item.dump();
  }
  // Deals closing within 30 days of the demo's day are called out, one warning each.
  const std::int64_t closing = Count(
      "SELECT count(*) FROM opportunities WHERE owner_id = ? AND stage NOT IN ('closed_won', "
      "'closed_lost') AND close_date <= ?",
      {id, TestDate(30)});
  int closing_warnings = 0;
  std::set<std::string> codes;
  for (const auto& w : plan["warnings"]) {
    codes.insert(w["code"].get<std::string>());
    if (w["code"] == "closing_soon") ++closing_warnings;
  }
  EXPECT_EQ(closing_warnings, closing);
  for (const auto& code : codes) {
    EXPECT_TRUE(code == "closing_soon" || code == "single_threaded" || code == "no_key_contact" ||
                code == "over_ownership_limit")
        << code;
  }
  // Key contacts are introduced; each introduction names a contact of an account that moves.
  ASSERT_FALSE(plan["introductions"].empty());
  std::set<std::string> moving;
  for (const auto& item : plan["items"]) {
    if (item["record_type"] == "account") moving.insert(item["record_id"].get<std::string>());
  }
  for (const auto& intro : plan["introductions"]) {
    EXPECT_TRUE(moving.count(intro["account_id"].get<std::string>())) << intro.dump();
  }
  // A key contact who opts out of email, or asks not to be contacted, is not introduced.
  const std::string refusing = plan["introductions"][0]["contact_id"];
  for (const char* refusal : {"email_opted_out", "do_not_contact"}) {
    const std::string path = "/api/v1/contacts/" + refusing;
    ASSERT_EQ(s().Patch(path, {{refusal, true}}, admin()).status, 200);
    const json again =
        s().Post("/api/v1/handovers", HandoverBody(leaver, Successor(), true), admin()).Json();
    for (const auto& intro : again["introductions"]) {
      EXPECT_NE(intro["contact_id"], refusing) << refusal;
    }
    ASSERT_EQ(s().Patch(path, {{refusal, false}}, admin()).status, 200);
  }
}

TEST_P(HandoverApiTest, ACommitMovesEverythingTogetherAndLeavesTheDoctorClean) {
  const json leaver = NextLeaver();
  const json successor = Successor();
  const std::string leaver_token = s().Login(leaver["email"]);
  ASSERT_FALSE(leaver_token.empty());
  // What the customer is waiting on moves too: an open case, a live success plan, a trial.
  const std::int64_t leaver_account =
      Count("SELECT min(id) FROM accounts WHERE owner_id = ? AND archived_at IS NULL",
            {std::stoll(leaver["id"].get<std::string>())});
  const std::string on = std::to_string(leaver_account);
  const std::string by = leaver["id"];
  const auto open_case = s().Post(
      "/api/v1/cases",
      {{"account_id", on}, {"kind", "complaint"}, {"subject", "Late delivery"}, {"owner_id", by}},
      admin());
  ASSERT_EQ(open_case.status, 201) << open_case.body;
  const auto live_plan = s().Post("/api/v1/success-plans",
                                  {{"account_id", on},
                                   {"title", "Go-live by March"},
                                   {"customer_definition", "Live on every ward by March"},
                                   {"owner_id", by}},
                                  admin());
  ASSERT_EQ(live_plan.status, 201) << live_plan.body;
  const auto trial = s().Post("/api/v1/trials",
                              {{"account_id", on},
                               {"starts_on", "2026-11-01"},
                               {"ends_on", "2026-12-31"},
                               {"objectives", "Try the new dressings"},
                               {"success_criteria", "Fewer changes a week"},
                               {"owner_id", by}},
                              admin());
  ASSERT_EQ(trial.status, 201) << trial.body;
  const json plan =
      s().Post("/api/v1/handovers", HandoverBody(leaver, successor, true), admin()).Json();
  EXPECT_GE(plan["counts"]["case"], 1);
  EXPECT_GE(plan["counts"]["success_plan"], 1);
  EXPECT_GE(plan["counts"]["trial"], 1);
  const std::int64_t successor_before = Owned(successor);
  const std::int64_t leaver_id = std::stoll(leaver["id"].get<std::string>());
  const std::int64_t closed_before = Count(
      "SELECT count(*) FROM opportunities WHERE owner_id = ? AND stage IN ('closed_won', "
      "'closed_lost')",
      {leaver_id});

  const auto reply = s().Post("/api/v1/handovers", HandoverBody(leaver, successor, false), admin());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const json done = reply.Json();
  EXPECT_EQ(reply.Header("location"), "/api/v1/handovers/" + done["id"].get<std::string>());

  EXPECT_EQ(OpenWork(leaver), 0) << "the leaver still holds open work";
  EXPECT_EQ(s().Get("/api/v1/cases/" + open_case.Json()["id"].get<std::string>(), admin())
                .Json()["owner_id"],
            successor["id"]);
  EXPECT_EQ(s().Get("/api/v1/trials/" + trial.Json()["id"].get<std::string>(), admin())
                .Json()["owner_id"],
            successor["id"]);
  EXPECT_EQ(Owned(successor), successor_before + plan["counts"]["account"].get<int>());
  // Closed history stays with who did it.
  EXPECT_EQ(Count("SELECT count(*) FROM opportunities WHERE owner_id = ? AND stage IN "
                  "('closed_won', 'closed_lost')",
                  {leaver_id}),
            closed_before);
  EXPECT_EQ(Doctor(), 0);
  // The leaver is marked left and signed out everywhere.
  EXPECT_EQ(s().Get("/api/v1/users/" + leaver["id"].get<std::string>(), admin()).Json()["status"],
            "left");
  EXPECT_EQ(s().Get("/api/v1/auth/me", leaver_token).status, 401);

  // The handover afterwards: what moved, account by account.
  const json shown = s().Get("/api/v1/handovers/" + done["id"].get<std::string>(), admin()).Json();
  EXPECT_EQ(shown["counts"]["account"], plan["counts"]["account"]);
  EXPECT_EQ(shown["counts"]["opportunity"], plan["counts"]["opportunity"]);
  EXPECT_EQ(shown["accounts"].size(), plan["counts"]["account"].get<size_t>());
  // A first-contact task per key contact, for the successor.
  int own_introductions = 0;
  for (const auto& intro : plan["introductions"]) own_introductions += !intro["from_manager"];
  EXPECT_EQ(Count("SELECT count(*) FROM tasks t JOIN introductions i ON i.task_id = t.id JOIN "
                  "handovers h ON h.id = i.handover_id WHERE h.from_user_id = ? AND "
                  "t.owner_id = ? AND t.done_at IS NULL",
                  {leaver_id, std::stoll(successor["id"].get<std::string>())}),
            own_introductions);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox o JOIN introductions i ON i.message_id = o.id JOIN "
                  "handovers h ON h.id = i.handover_id WHERE h.from_user_id = ? AND "
                  "o.status = 'pending'",
                  {leaver_id}),
            static_cast<std::int64_t>(plan["introductions"].size()))
      << "introductions wait in the outbox (this server has no SMTP server)";
  // The account's history says who moved it.
  const std::string account = plan["items"][0]["record_id"];
  const json history = s().Get("/api/v1/accounts/" + account + "/history", admin()).Json();
  bool owner_change = false;
  for (const auto& h : history["items"]) {
    owner_change |= h["field"] == "owner_id" && h["new_value"] == successor["id"];
  }
  EXPECT_TRUE(owner_change) << history.dump();
  // The continuity view lists it.
  const json list = s().Get("/api/v1/handovers", admin()).Json();
  bool listed = false;
  for (const auto& h : list["items"]) listed |= h["id"] == done["id"];
  EXPECT_TRUE(listed);

  // A first contact that slips past its day: the account shows overdue and the successor's
  // manager is alerted.
  const std::int64_t task =
      Count("SELECT min(i.task_id) FROM introductions i WHERE i.handover_id = ?",
            {std::stoll(done["id"].get<std::string>())});
  ASSERT_GT(task, 0);
  const auto moved =
      s().Patch("/api/v1/tasks/" + std::to_string(task), {{"due_on", "2020-01-01"}}, admin());
  ASSERT_EQ(moved.status, 200) << moved.body;
  const json again = s().Get("/api/v1/handovers/" + done["id"].get<std::string>(), admin()).Json();
  EXPECT_EQ(again["progress"]["overdue"], 1) << again["progress"].dump();
  const json users = s().Get("/api/v1/users?limit=500", admin()).Json()["items"];
  std::string manager_email;
  for (const auto& u : users) {
    if (u["id"] == successor["manager_id"]) manager_email = u["email"];
  }
  ASSERT_FALSE(manager_email.empty());
  const json alerts =
      s().Get("/api/v1/insights/overdue-first-contacts", s().Login(manager_email)).Json();
  bool alerted = false;
  for (const auto& a : alerts["items"]) alerted |= a["task_id"] == std::to_string(task);
  EXPECT_TRUE(alerted) << alerts.dump().substr(0, 400);
  const json for_leaver_line = s().Get("/api/v1/insights/overdue-first-contacts",
                                       s().Login(env_->reps[env_->reps.size() - 3]["email"]))
                                   .Json();
  for (const auto& a : for_leaver_line["items"]) {
    EXPECT_NE(a["task_id"], std::to_string(task)) << "another rep sees someone else's alert";
  }
}

TEST_P(HandoverApiTest, RevenueSplitsFollowTheTeamRule) {
  const json successor = Successor();
  const json other = env_->reps[env_->reps.size() - 2];  // stays; owns the shared deals
  ASSERT_NE(other["id"], successor["id"]);
  const std::string o = other["id"];
  // A deal of the other rep in which a leaver shares.
  auto shared_deal = [&](const json& leaver, int leaver_part) {
    const std::string account = std::to_string(
        Count("SELECT min(id) FROM accounts WHERE owner_id = ? AND archived_at IS NULL",
              {std::stoll(successor["id"].get<std::string>())}));
    const auto made = s().Post("/api/v1/opportunities",
                               {{"account_id", account},
                                {"owner_id", o},
                                {"name", "Shared pumps deal"},
                                {"close_date", "2027-03-31"},
                                {"stage", "proposal"},
                                {"splits",
                                 {{{"user_id", leaver["id"]}, {"percent", leaver_part}},
                                  {{"user_id", o}, {"percent", 100 - leaver_part}}}}},
                               admin());
    EXPECT_EQ(made.status, 201) << made.body;
    return made.Json()["id"].get<std::string>();
  };
  auto splits_of = [&](const std::string& deal) {
    std::map<std::string, int> out;
    const json got = s().Get("/api/v1/opportunities/" + deal, admin()).Json();
    for (const auto& p : got["splits"]) {
      out[p["user_id"]] = p["percent"];
    }
    return out;
  };
  const json first = NextLeaver();
  // Splits must add up and name each person once; a refused write changes nothing.
  const std::string deal = shared_deal(first, 40);
  const auto short_of = s().Patch("/api/v1/opportunities/" + deal,
                                  {{"splits", {{{"user_id", o}, {"percent", 90}}}}}, admin());
  EXPECT_EQ(short_of.status, 422);
  EXPECT_EQ(short_of.Json()["errors"][0]["field"], "splits");
  const auto twice = s().Patch(
      "/api/v1/opportunities/" + deal,
      {{"splits", {{{"user_id", o}, {"percent", 50}}, {{"user_id", o}, {"percent", 50}}}}},
      admin());
  EXPECT_EQ(twice.Json()["errors"][0]["field"], "splits[1].user_id");
  EXPECT_EQ(splits_of(deal), (std::map<std::string, int>{{first["id"], 40}, {o, 60}}));

  // Replace the leaver: the successor takes their part.
  json body = HandoverBody(first, successor, true);
  const json plan = s().Post("/api/v1/handovers", body, admin()).Json();
  EXPECT_GE(plan["counts"]["split"], 1);
  body["dry_run"] = false;
  ASSERT_EQ(s().Post("/api/v1/handovers", body, admin()).status, 201);
  EXPECT_EQ(splits_of(deal), (std::map<std::string, int>{{successor["id"], 40}, {o, 60}}));

  // Keep the team: the others on the deal share the leaver's part.
  const json second = NextLeaver();
  const std::string kept = shared_deal(second, 30);
  body = HandoverBody(second, successor, false);
  body["team_rule"] = "keep_team";
  ASSERT_EQ(s().Post("/api/v1/handovers", body, admin()).status, 201);
  EXPECT_EQ(splits_of(kept), (std::map<std::string, int>{{o, 100}}));
  EXPECT_EQ(Doctor(), 0);
}

TEST_P(HandoverApiTest, RulesSplitABookByPostcode) {
  const json leaver = NextLeaver();
  const json first = Successor();
  const json second = env_->reps[env_->reps.size() - 2];
  const json plan =
      s().Post("/api/v1/handovers", HandoverBody(leaver, first, true), admin()).Json();
  const std::string some_account = plan["items"][0]["record_id"];
  const std::string postcode =
      s().Get("/api/v1/accounts/" + some_account, admin()).Json()["postcode"];
  ASSERT_GE(postcode.size(), 2u);
  const std::string prefix = postcode.substr(0, 2);
  json body = HandoverBody(leaver, first, false);
  body["reason"] = "territory_split";
  // The split accounts also move into a new territory.
  const auto territory =
      s().Post("/api/v1/territories",
               {{"name", "Split " + prefix + " " + leaver["id"].get<std::string>()}}, admin());
  ASSERT_EQ(territory.status, 201) << territory.body;
  const std::string new_territory = territory.Json()["id"];
  body["rules"] = json::array({{{"postcode_prefix", prefix},
                                {"successor_user_id", second["id"]},
                                {"to_territory_id", new_territory}}});
  const auto reply = s().Post("/api/v1/handovers", body, admin());
  ASSERT_EQ(reply.status, 201) << reply.body;
  int to_second = 0;
  for (const auto& item : plan["items"]) {
    if (item["record_type"] != "account") continue;
    const json account =
        s().Get("/api/v1/accounts/" + item["record_id"].get<std::string>(), admin()).Json();
    const bool matches = account["postcode"].get<std::string>().rfind(prefix, 0) == 0;
    EXPECT_EQ(account["owner_id"], matches ? second["id"] : first["id"]) << account.dump();
    EXPECT_EQ(account["territory_id"] == new_territory, matches) << account.dump();
    to_second += matches;
  }
  EXPECT_GT(to_second, 0);
  // A territory split does not mark anyone left.
  EXPECT_EQ(s().Get("/api/v1/users/" + leaver["id"].get<std::string>(), admin()).Json()["status"],
            "active");
  EXPECT_EQ(Doctor(), 0);
}

TEST_P(HandoverApiTest, OnlyAnAdminOrTheLeaversManagerMayHandOver) {
  const json leaver = NextLeaver();
  const std::string before = Snapshot();
  const json users = s().Get("/api/v1/users?limit=500", admin()).Json()["items"];
  json manager, other_rsm;
  for (const auto& u : users) {
    if (u["id"] == leaver["manager_id"]) manager = u;
  }
  for (const auto& u : users) {
    if (u["role"] == "rsm" && u["status"] == "active" && u["id"] != manager["id"]) other_rsm = u;
  }
  ASSERT_FALSE(manager.is_null());
  ASSERT_FALSE(other_rsm.is_null());
  const std::string manager_token = s().Login(manager["email"]);
  const std::string other_token = s().Login(other_rsm["email"]);
  const std::string rep_token = s().Login(leaver["email"]);
  const std::string peer_token = s().Login(Successor()["email"]);
  const json commit = HandoverBody(leaver, Successor(), false);
  EXPECT_EQ(s().Post("/api/v1/handovers", commit, rep_token).status, 403) << "the leaver";
  EXPECT_EQ(s().Post("/api/v1/handovers", commit, peer_token).status, 403) << "another rep";
  EXPECT_EQ(s().Post("/api/v1/handovers", commit, other_token).status, 403)
      << "a manager of another line";
  const std::string after_refusals = Snapshot();
  // Sign-ins add sessions; nothing else may have changed.
  EXPECT_EQ(after_refusals.substr(0, after_refusals.find("sessions:")),
            before.substr(0, before.find("sessions:")));
  EXPECT_EQ(
      s().Post("/api/v1/handovers", HandoverBody(leaver, Successor(), true), manager_token).status,
      200);
  const auto reply = s().Post("/api/v1/handovers", commit, manager_token);
  EXPECT_EQ(reply.status, 201) << reply.body;
  // The other line's manager cannot see it; the successor can.
  const std::string path = "/api/v1/handovers/" + reply.Json()["id"].get<std::string>();
  EXPECT_EQ(s().Get(path, other_token).status, 404);
  EXPECT_EQ(s().Get(path, peer_token).status, 200);
}

TEST_P(HandoverApiTest, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  const json leaver = NextLeaver();
  const std::string before = Snapshot();
  auto field_of = [&](const json& body) -> std::string {
    const auto reply = s().Post("/api/v1/handovers", body, admin());
    EXPECT_EQ(reply.status, 422) << body.dump() << " -> " << reply.body;
    const json problem = reply.Json();
    return problem.contains("errors") && !problem["errors"].empty()
               ? problem["errors"][0]["field"].get<std::string>()
               : problem.dump();
  };
  json body = HandoverBody(leaver, Successor(), false);
  body["colour"] = "red";
  EXPECT_EQ(field_of(body), "colour");
  body = HandoverBody(leaver, leaver, false);
  EXPECT_EQ(field_of(body), "successor_user_id");
  body = HandoverBody(leaver, Successor(), false);
  body["successor_user_id"] = "999999";
  EXPECT_EQ(field_of(body), "successor_user_id");
  body = HandoverBody(leaver, Successor(), false);
  body["reason"] = "bored";
  EXPECT_EQ(field_of(body), "reason");
  body = HandoverBody(leaver, Successor(), false);
  body["effective_on"] = "next week";
  EXPECT_EQ(field_of(body), "effective_on");
  body = HandoverBody(leaver, Successor(), false);
  body.erase("successor_user_id");
  EXPECT_EQ(field_of(body), "successor_user_id");
  body["rules"] = json::array({{{"postcode_prefix", "ZZ9"}}});
  EXPECT_EQ(field_of(body), "rules[0].successor_user_id");
  // Rules that leave accounts without a successor: the plan warns, the commit refuses.
  body["rules"] =
      json::array({{{"postcode_prefix", "ZZ9"}, {"successor_user_id", Successor()["id"]}}});
  const auto refused = s().Post("/api/v1/handovers", body, admin());
  EXPECT_EQ(refused.status, 409) << refused.body;
  body["dry_run"] = true;
  const json plan = s().Post("/api/v1/handovers", body, admin()).Json();
  bool warned = false;
  for (const auto& w : plan["warnings"]) warned |= w["code"] == "no_successor";
  EXPECT_TRUE(warned) << plan.dump().substr(0, 500);
  EXPECT_EQ(Snapshot(), before);
}

TEST_P(HandoverApiTest, ACrashInTheMiddleOfACommitLeavesAllOrNothing) {
  const json leaver = NextLeaver();
  const json successor = Successor();
  const std::int64_t leaver_owned = Owned(leaver);
  const std::int64_t successor_owned = Owned(successor);
  const std::int64_t handovers = Count("SELECT count(*) FROM handovers");
  {
    // A second server on the same database that dies (SIGKILL) half-way through a commit: after
    // the accounts have moved, before the deals, tasks and introductions.
    ApiServer doomed(env_->company->db->url(), {}, {"RAPPORT_CRASH_AT=handover-midway"});
    ASSERT_TRUE(doomed.running());
    const std::string token = doomed.Login("admin@medequip.example");
    HttpCall call{"POST", "/api/v1/handovers", HandoverBody(leaver, successor, false).dump(),
                  token};
    call.may_fail = true;
    const auto reply = doomed.Call(call);
    EXPECT_EQ(reply.status, 0) << "the server answered: " << reply.body;
    EXPECT_EQ(doomed.Wait(), 128 + SIGKILL);
  }
  EXPECT_EQ(Owned(leaver), leaver_owned) << "half a handover was committed";
  EXPECT_EQ(Owned(successor), successor_owned);
  EXPECT_EQ(Count("SELECT count(*) FROM handovers"), handovers);
  EXPECT_EQ(Doctor(), 0);
  // And the same handover goes through afterwards.
  const auto reply = s().Post("/api/v1/handovers", HandoverBody(leaver, successor, false), admin());
  EXPECT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(OpenWork(leaver), 0);
}

#define RAPPORT_ASSERT_OK_STATUS(expr)                       \
  do {                                                       \
    const ::rapport::Status status_ = (expr);                \
    ASSERT_TRUE(status_.ok()) << status_.error().ToString(); \
  } while (0)

// A query parameter's value, percent-encoded where a cursor needs it.
std::string Escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '+')
      out += "%2B";
    else if (c == '/')
      out += "%2F";
    else if (c == '=')
      out += "%3D";
    else
      out += c;
  }
  return out;
}

std::string Day(int offset) { return TestDate(offset); }

TEST_P(HandoverApiTest, ACoverForLeaveEndsByItselfAndHandsEverythingBack) {
  const json person = NextLeaver();
  const json cover = Successor();
  const std::int64_t owned = Owned(person);
  const std::int64_t cover_owned = Owned(cover);
  json body = HandoverBody(person, cover, false);
  body["reason"] = "leave";
  body["effective_on"] = Day(-1);
  body["cover_ends_on"] = Day(0);  // back today
  const auto reply = s().Post("/api/v1/handovers", body, admin());
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(Owned(person), 0);
  EXPECT_EQ(Owned(cover), cover_owned + owned);
  const std::string path = "/api/v1/users/" + person["id"].get<std::string>();
  EXPECT_EQ(s().Get(path, admin()).Json()["status"], "on_leave");

  // A server that looks every second ends the cover: all of it goes back.
  ApiServer housekeeper(env_->company->db->url(), {"--housekeeping-seconds", "1"});
  ASSERT_TRUE(housekeeper.running());
  for (int i = 0; i < 150 && s().Get(path, admin()).Json()["status"] != "active"; ++i) {
    usleep(100'000);
  }
  EXPECT_EQ(Owned(person), owned);
  EXPECT_EQ(Owned(cover), cover_owned);
  EXPECT_EQ(s().Get(path, admin()).Json()["status"], "active");
  const json shown =
      s().Get("/api/v1/handovers/" + reply.Json()["id"].get<std::string>(), admin()).Json();
  EXPECT_FALSE(shown["cover_ended_at"].is_null());
  EXPECT_EQ(Doctor(), 0);

  // Leave needs the day they are back.
  body.erase("cover_ends_on");
  EXPECT_EQ(s().Post("/api/v1/handovers", body, admin()).status, 422);
}

TEST_P(HandoverApiTest, ADistributorChangeMovesItsAccountsToTheNewDistributor) {
  const json distributors = s().Get("/api/v1/distributors?limit=500", admin()).Json()["items"];
  json from, to;
  std::int64_t served = 0;
  for (const auto& d : distributors) {
    if (d["status"] != "active") continue;
    const std::int64_t n =
        Count("SELECT count(*) FROM accounts WHERE distributor_id = ? AND archived_at IS NULL",
              {std::stoll(d["id"].get<std::string>())});
    if (from.is_null() && n > 0) {
      from = d;
      served = n;
    } else if (to.is_null()) {
      to = d;
    }
  }
  ASSERT_FALSE(from.is_null()) << "no distributor serves an account in the demo";
  ASSERT_FALSE(to.is_null());
  const json successor = Successor();
  json body = {{"from_distributor_id", from["id"]},
               {"to_distributor_id", to["id"]},
               {"successor_user_id", successor["id"]},
               {"reason", "distributor_change"},
               {"dry_run", true}};
  const json plan = s().Post("/api/v1/handovers", body, admin()).Json();
  EXPECT_EQ(plan["counts"]["account"], served) << plan.dump().substr(0, 400);
  EXPECT_TRUE(plan["from_user"].is_null());
  EXPECT_EQ(plan["from_distributor"]["name"], from["name"]);

  const std::string rep_token = s().Login(env_->reps[env_->reps.size() - 3]["email"]);
  body["dry_run"] = false;
  EXPECT_EQ(s().Post("/api/v1/handovers", body, rep_token).status, 403);
  const auto reply = s().Post("/api/v1/handovers", body, admin());
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::int64_t to_id = std::stoll(to["id"].get<std::string>());
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE distributor_id = ?",
                  {std::stoll(from["id"].get<std::string>())}),
            0);
  EXPECT_GE(Count("SELECT count(*) FROM accounts WHERE distributor_id = ? AND owner_id = ?",
                  {to_id, std::stoll(successor["id"].get<std::string>())}),
            served);
  EXPECT_EQ(
      s().Get("/api/v1/distributors/" + from["id"].get<std::string>(), admin()).Json()["status"],
      "terminated");
  // The customers hear it from us, in the distributor-change words.
  EXPECT_GT(Count("SELECT count(*) FROM outbox o JOIN introductions i ON i.message_id = o.id "
                  "WHERE i.handover_id = ? AND o.subject LIKE '%directly%'",
                  {std::stoll(reply.Json()["id"].get<std::string>())}),
            0);
  EXPECT_EQ(Doctor(), 0);
}

TEST_P(HandoverApiTest, SegmentsSetTheCadenceSponsorsHavePeersAndTimeInvestedIsCounted) {
  // An account whose last contact is more than a week old, put in a weekly segment.
  const std::int64_t account = Count(
      "SELECT min(a.id) FROM accounts a WHERE a.status = 'customer' AND a.archived_at IS NULL AND "
      "(SELECT max(x.occurred_at) FROM activities x WHERE x.account_id = a.id) < ?",
      {TestNow() - 10 * kMicrosPerDay});
  ASSERT_GT(account, 0);
  const std::string path = "/api/v1/accounts/" + std::to_string(account);
  ASSERT_EQ(s().Post("/api/v1/segments", {{"name", "weekly"}, {"contact_cadence_days", 7}}, admin())
                .status,
            201);
  const auto patched =
      s().Patch(path, {{"segment", "weekly"}, {"contact_cadence_days", nullptr}}, admin());
  ASSERT_EQ(patched.status, 200) << patched.body;
  const std::string owner = patched.Json()["owner_id"];
  const json overdue =
      s().Get("/api/v1/insights/overdue-contact?limit=200&owner_id=" + owner, admin()).Json();
  bool listed = false;
  for (const auto& o : overdue["items"]) {
    if (o["account_id"] == std::to_string(account)) {
      listed = true;
      EXPECT_EQ(o["cadence_days"], 7);
    }
  }
  EXPECT_TRUE(listed) << "the segment's cadence is not applied";

  // The executive sponsor's peer must work at the same customer.
  const std::int64_t own_contact =
      Count("SELECT min(id) FROM contacts WHERE account_id = ?", {account});
  const std::int64_t other_contact =
      Count("SELECT min(id) FROM contacts WHERE account_id <> ?", {account});
  json member = {{"account_id", std::to_string(account)},
                 {"user_id", Successor()["id"]},
                 {"team_role", "executive_sponsor"},
                 {"peer_contact_id", std::to_string(other_contact)}};
  const auto refused = s().Post("/api/v1/account_team_members", member, admin());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("peer_contact_id"), std::string::npos);
  member["peer_contact_id"] = std::to_string(own_contact);
  EXPECT_EQ(s().Post("/api/v1/account_team_members", member, admin()).status, 201);

  // Time invested per quarter adds up to the activities on record.
  const json overview = s().Get(path + "/overview", admin()).Json();
  ASSERT_EQ(overview["time_invested"].size(), 8u);
  std::int64_t counted = 0;
  for (const auto& q : overview["time_invested"]) {
    counted += q["calls"].get<int>() + q["visits"].get<int>() + q["meetings"].get<int>() +
               q["emails"].get<int>() + q["notes"].get<int>();
  }
  const std::string first = overview["time_invested"][0]["quarter"];
  const int year = std::stoi(first.substr(0, 4));
  const unsigned month = static_cast<unsigned>((first[6] - '1') * 3 + 1);
  EXPECT_EQ(counted, Count("SELECT count(*) FROM activities WHERE account_id = ? AND "
                           "occurred_at >= ? AND occurred_at <= ?",
                           {account, DaysFromCivil(year, month, 1) * kMicrosPerDay, TestNow()}));
  EXPECT_GT(counted, 0);
}

TEST_P(HandoverApiTest, TheRiskReportRanksByRevenueAndNamesWhatPutsEachAccountAtRisk) {
  const json page = s().Get("/api/v1/reports/relationship-risk?limit=100", admin()).Json();
  ASSERT_EQ(page["items"].size(), 100u);
  EXPECT_EQ(
      page["total"].get<std::int64_t>(),
      Count("SELECT count(*) FROM accounts WHERE status = 'customer' AND archived_at IS NULL"));
  // Ranked by revenue over the period account_revenue covers, summed from the sales lines.
  std::int64_t previous = std::numeric_limits<std::int64_t>::max();
  for (const auto& item : page["items"]) {
    const std::int64_t revenue = item["revenue_12m_minor"];
    EXPECT_LE(revenue, previous);
    previous = revenue;
  }
  const json top = page["items"][0];
  const std::int64_t id = std::stoll(top["account_id"].get<std::string>());
  EXPECT_EQ(top["revenue_12m_minor"].get<std::int64_t>(),
            Count("SELECT coalesce(sum(revenue_minor), 0) FROM sales_lines WHERE account_id = ? "
                  "AND period >= (SELECT since_period FROM account_revenue WHERE account_id = ?)",
                  {id, id}));
  EXPECT_TRUE(top["top_account"].get<bool>());
  const std::int64_t people = Count(
      "SELECT count(DISTINCT user_id) FROM activities WHERE account_id = ? AND "
      "occurred_at > ? AND occurred_at <= ?",
      {id, TestNow() - 365 * kMicrosPerDay, TestNow()});
  auto has = [](const json& item, const std::string& risk) {
    for (const auto& r : item["risks"]) {
      if (r == risk) return true;
    }
    return false;
  };
  EXPECT_EQ(has(top, "single_threaded"), people <= 1) << top.dump();

  // A key contact leaves the customer: the account says so.
  const std::int64_t contact =
      Count("SELECT min(id) FROM contacts WHERE account_id = ? AND left_at IS NULL", {id});
  ASSERT_GT(contact, 0);
  ASSERT_EQ(s().Patch("/api/v1/contacts/" + std::to_string(contact),
                      {{"influence", "high"}, {"left_at", "2026-11-01T00:00:00Z"}}, admin())
                .status,
            200);
  // A new owner too (a manager moves it).
  ASSERT_EQ(s().Patch("/api/v1/accounts/" + std::to_string(id), {{"owner_id", Successor()["id"]}},
                      admin())
                .status,
            200);
  const json again = s().Get("/api/v1/reports/relationship-risk?limit=5", admin()).Json();
  json same;
  for (const auto& item : again["items"]) {
    if (item["account_id"] == top["account_id"]) same = item;
  }
  ASSERT_FALSE(same.is_null());
  EXPECT_TRUE(has(same, "key_contact_gone")) << same.dump();
  EXPECT_TRUE(has(same, "owner_new")) << same.dump();

  // A rep sees only the accounts in their reach; the CSV carries the same ranking.
  const std::string rep = s().Login(Successor()["email"]);
  ASSERT_FALSE(rep.empty());
  const json mine = s().Get("/api/v1/reports/relationship-risk?limit=500", rep).Json();
  ASSERT_TRUE(mine.contains("items")) << mine.dump();
  std::set<std::string> in_reach;
  std::string cursor;
  do {
    const json page = s().Get("/api/v1/accounts?status=customer&limit=500" +
                                  (cursor.empty() ? "" : "&cursor=" + Escaped(cursor)),
                              rep)
                          .Json();
    ASSERT_TRUE(page.contains("items")) << page.dump();
    for (const auto& a : page["items"]) in_reach.insert(a["id"]);
    cursor = page.contains("next_cursor") && page["next_cursor"].is_string()
                 ? page["next_cursor"].get<std::string>()
                 : "";
  } while (!cursor.empty());
  for (const auto& item : mine["items"]) {
    EXPECT_TRUE(in_reach.count(item["account_id"])) << item["account_id"];
  }
  const auto csv = s().Get("/api/v1/reports/relationship-risk?format=csv", admin());
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("rank,account_id,account,", 0), 0u);
  EXPECT_NE(csv.body.find("\r\n1," + top["account_id"].get<std::string>() + ","),
            std::string::npos);
  EXPECT_EQ(s().Get("/api/v1/reports/relationship-risk?limit=0", admin()).status, 422);
  EXPECT_EQ(s().Get("/api/v1/reports/relationship-risk?colour=red", admin()).status, 400);
  std::cerr << s().Log();
}

// The Message-ID of every message the sink has stored.
std::vector<std::string> Delivered(const std::filesystem::path& maildir) {
  std::vector<std::string> ids;
  if (!std::filesystem::exists(maildir / "new")) return ids;
  for (const auto& file : std::filesystem::directory_iterator(maildir / "new")) {
    std::ifstream in(file.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Message-ID:", 0) == 0) ids.push_back(line.substr(11));
    }
  }
  return ids;
}

TEST_P(HandoverApiTest, IntroductionsAreSentExactlyOnceAcrossRestarts) {
  const json leaver = NextLeaver();
  TempDir dir;
  const int port = FreePort();
  const std::vector<std::string> mail_args = {
      "--smtp-url",           "smtp://127.0.0.1:" + std::to_string(port),
      "--smtp-retry-seconds", "1",
      "--outbox-poll-ms",     "200",
      "--company-name",       "MedEquip UK"};
  const std::vector<std::string> sink_argv = {"/usr/bin/python3",
                                              "-m",
                                              "aiosmtpd",
                                              "-n",
                                              "-l",
                                              "127.0.0.1:" + std::to_string(port),
                                              "-c",
                                              "aiosmtpd.handlers.Mailbox",
                                              dir.File("mail")};
  const std::string mine =
      "SELECT count(*) FROM outbox o JOIN introductions i ON i.message_id = o.id JOIN handovers h "
      "ON h.id = i.handover_id WHERE h.from_user_id = " +
      leaver["id"].get<std::string>();
  auto wait_for = [&](const std::string& sql, std::int64_t at_least, int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (Count(sql) >= at_least) return true;
      usleep(100'000);
    }
    return false;
  };

  auto server = std::make_unique<ApiServer>(env_->company->db->url(), mail_args);
  ASSERT_TRUE(server->running());
  const std::string token = server->Login("admin@medequip.example");
  const auto reply =
      server->Post("/api/v1/handovers", HandoverBody(leaver, Successor(), false), token);
  ASSERT_EQ(reply.status, 201) << reply.body;
  const std::int64_t total = Count(mine);
  ASSERT_GT(total, 0);

  // No SMTP server yet: deliveries fail and are retried later.
  ASSERT_TRUE(wait_for("SELECT count(*) FROM outbox WHERE last_error IS NOT NULL", 1, 30))
      << server->Log().substr(0, 3000);
  EXPECT_TRUE(Delivered(dir.File("mail")).empty());
  // Meanwhile one contact opts out of email: their introduction is withheld, not sent.
  const std::int64_t withheld = Count(
      "SELECT min(o.id) FROM outbox o JOIN introductions i ON i.message_id = o.id JOIN handovers "
      "h ON h.id = i.handover_id WHERE o.contact_id IS NOT NULL AND h.from_user_id = " +
      leaver["id"].get<std::string>());
  RAPPORT_ASSERT_OK_STATUS(env_->company->database->Write([&](db::Transaction& tx) {
    return tx.Execute(
        "UPDATE contacts SET email_opted_out = 1 WHERE id = (SELECT contact_id FROM outbox "
        "WHERE id = ?)",
        {withheld});
  }));

  // The SMTP server comes up; half-way through, the server and the sink both restart.
  auto sink = std::make_unique<RunningCommand>(sink_argv);
  ASSERT_TRUE(wait_for(mine + " AND o.status = 'sent'", std::min<std::int64_t>(total - 1, 3), 60))
      << server->Log();
  EXPECT_EQ(server->Stop(), 0);
  sink->Kill(SIGTERM);
  sink->Wait();
  const std::int64_t sent_before_restart = Count(mine + " AND o.status = 'sent'");
  sink = std::make_unique<RunningCommand>(sink_argv);
  server = std::make_unique<ApiServer>(env_->company->db->url(), mail_args);
  ASSERT_TRUE(server->running());
  ASSERT_TRUE(wait_for(mine + " AND o.status = 'sent'", total - 1, 180)) << server->Log();
  // The server stops only once any delivery in flight has ended: anything sent twice has
  // arrived by then.
  EXPECT_EQ(server->Stop(), 0);
  sink->Kill(SIGTERM);
  sink->Wait();

  // The sink also got what earlier tests' handovers had queued; count this handover's messages.
  std::set<std::string> expected;
  RAPPORT_ASSERT_OK_STATUS(env_->company->database->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows, tx.Query("SELECT o.id FROM outbox o JOIN introductions i ON "
                                "i.message_id = o.id JOIN handovers h ON h.id = i.handover_id "
                                "WHERE h.from_user_id = " +
                                leaver["id"].get<std::string>()));
    for (const auto& row : rows) {
      if (row.Int(0) != withheld) expected.insert("outbox-" + row.Text(0) + ".");
    }
    return Ok();
  }));
  const std::vector<std::string> all = Delivered(dir.File("mail"));
  const std::set<std::string> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), all.size()) << "a message was delivered twice";
  std::int64_t ours = 0;
  for (const std::string& id : all) {
    const auto start = id.find("outbox-");
    const auto dot = id.find('.', start);
    if (start != std::string::npos && dot != std::string::npos &&
        expected.count(id.substr(start, dot - start + 1))) {
      ++ours;
    }
  }
  EXPECT_EQ(ours, total - 1) << sent_before_restart << " were sent before the restart";
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE id = " + std::to_string(withheld) +
                  " AND status = 'failed' AND last_error = 'not sent: the contact has opted out "
                  "of email'"),
            1);
  // Each one is on its account's timeline, with the contact.
  EXPECT_EQ(Count(mine + " AND EXISTS (SELECT 1 FROM activities x JOIN activity_contacts ac ON "
                         "ac.activity_id = x.id WHERE x.id = o.activity_id AND x.kind = 'email' "
                         "AND x.account_id = o.account_id AND ac.contact_id = o.contact_id)"),
            total - 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, HandoverApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::continuity
