// Webhooks through the real binary over SQLite and PostgreSQL, to a real HTTPS receiver
// (tests/webhooks/receiver.py, with a certificate made for the test) that checks each Standard
// Webhooks signature with its own code: a receiver that fails, then times out, then is stopped
// and started again still gets every event, at least once, with one webhook-id per event and in
// order per record; the delivery log shows each attempt; a replay sends the same id again; a
// rotated secret signs beside the old one; no secret reaches the server's log or the audit trail.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/demo_company.hpp"
#include "support/run_command.hpp"
#include "support/test_clock.hpp"
#include "support/test_database.hpp"

namespace rapport::webhooks {
namespace {

using nlohmann::json;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::RunCommand;
using ::rapport::testing::RunningCommand;

// A certificate for 127.0.0.1, made once per process, that the server is told to trust.
struct Certificate {
  testing::TempDir dir;
  std::string cert = dir.File("cert.pem"), key = dir.File("key.pem");
  Certificate() {
    const auto made = RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048",
                                  "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj",
                                  "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    EXPECT_EQ(made.exit_code, 0) << made.err;
  }
};

Certificate& TestCertificate() {
  static Certificate certificate;
  return certificate;
}

// The receiver: started on `port` (0: any), its log and secrets in `dir`.
class Receiver {
 public:
  Receiver(const testing::TempDir& dir, int port, int fail, int hang) : dir_(dir) {
    // The receiver is a peer on the machine's own clock: a suite run under libfaketime leaves it
    // out, since Python's sleep under it does not wait (the hang would not hang).
    process_ = std::make_unique<RunningCommand>(
        std::vector<std::string>{"/usr/bin/env",
                                 "-u",
                                 "LD_PRELOAD",
                                 "/usr/bin/python3",
                                 RAPPORT_SOURCE_DIR "/tests/webhooks/receiver.py",
                                 "--port",
                                 std::to_string(port),
                                 "--cert",
                                 TestCertificate().cert,
                                 "--key",
                                 TestCertificate().key,
                                 "--secret-file",
                                 dir.File("secrets"),
                                 "--log",
                                 dir.File("log.jsonl"),
                                 "--fail",
                                 std::to_string(fail),
                                 "--hang",
                                 std::to_string(hang),
                                 "--hang-seconds",
                                 "4"});
    EXPECT_TRUE(process_->WaitForError("listening on ", 10)) << process_->Err();
    const std::string err = process_->Err();
    port_ = std::stoi(err.substr(err.find("listening on ") + 13));
  }
  ~Receiver() { Stop(); }
  void Stop() {
    if (!process_) return;
    process_->Kill(SIGKILL);
    process_->Wait();
    process_.reset();
  }
  int port() const { return port_; }
  // Every request it has logged, in the order they came.
  std::vector<json> Requests() const {
    std::vector<json> requests;
    std::ifstream in(dir_.File("log.jsonl"));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) requests.push_back(json::parse(line));
    }
    return requests;
  }

 private:
  const testing::TempDir& dir_;
  std::unique_ptr<RunningCommand> process_;
  int port_ = 0;
};

class WebhookApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(
        GetParam(), {"--webhook-ca-file", TestCertificate().cert, "--webhook-retry-seconds", "1",
                     "--webhook-timeout-seconds", "2", "--webhook-poll-ms", "100"});
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
  }
  testing::ApiServer& s() { return *company_->server; }
  void WriteSecrets(const std::vector<std::string>& secrets) {
    std::ofstream out(dir_.File("secrets"));
    for (const std::string& secret : secrets) out << secret << "\n";
  }
  // Waits (up to a minute) until the endpoint has nothing pending and `delivered` deliveries.
  void WaitForDeliveries(const std::string& endpoint, int delivered) {
    json counts;
    for (int i = 0; i < 600; ++i) {
      counts = s().Get("/api/v1/webhooks/" + endpoint, company_->admin).Json()["deliveries"];
      if (counts["pending"] == 0 && counts["delivered"] == delivered) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "deliveries never settled: " << counts.dump() << "\n"
           << s().Get("/api/v1/webhooks/" + endpoint + "/deliveries", company_->admin).body;
  }
  json Delivery(const std::string& endpoint, const std::string& event_id) {
    const json list =
        s().Get("/api/v1/webhooks/" + endpoint + "/deliveries?limit=200", company_->admin).Json();
    for (const json& d : list["items"]) {
      if (d["event_id"] == event_id) {
        return s()
            .Get("/api/v1/webhook-deliveries/" + d["id"].get<std::string>(), company_->admin)
            .Json();
      }
    }
    ADD_FAILURE() << "no delivery of " << event_id;
    return json::object();
  }
  DemoCompany* company_ = nullptr;
  testing::TempDir dir_;
};

TEST_P(WebhookApiTest, EndpointsAreForAdminsTheirInputIsCheckedAndTheirSecretShownOnce) {
  const std::string rep = s().Login(
      s().Get("/api/v1/users?role=rep&limit=1", company_->admin).Json()["items"][0]["email"]);
  const json good = {{"url", "https://hooks.example.com/rapport"},
                     {"events", {"account.created", "opportunity.won"}}};
  EXPECT_EQ(s().Post("/api/v1/webhooks", good, rep).status, 403);
  EXPECT_EQ(s().Get("/api/v1/webhooks", rep).status, 403);
  EXPECT_EQ(s().Get("/api/v1/webhook-event-types", rep).status, 403);

  const std::int64_t before = company_->Count("SELECT count(*) FROM webhook_endpoints");
  testing::ExpectProblem(
      s().Post("/api/v1/webhooks",
               {{"url", "http://hooks.example.com/x"}, {"events", good["events"]}},
               company_->admin),
      422, "url");
  testing::ExpectProblem(
      s().Post("/api/v1/webhooks",
               {{"url", "https://user:pw@hooks.example.com/x"}, {"events", good["events"]}},
               company_->admin),
      422, "url");
  testing::ExpectProblem(
      s().Post("/api/v1/webhooks",
               {{"url", good["url"]}, {"events", {"account.created", "deal.won"}}},
               company_->admin),
      422, "events[1]");
  testing::ExpectProblem(s().Post("/api/v1/webhooks", {{"url", good["url"]}}, company_->admin), 422,
                         "events");
  testing::ExpectProblem(
      s().Post("/api/v1/webhooks", {{"url", good["url"]}, {"events", good["events"]}, {"x", 1}},
               company_->admin),
      422, "x");
  EXPECT_EQ(company_->Count("SELECT count(*) FROM webhook_endpoints"), before);

  const json types = s().Get("/api/v1/webhook-event-types", company_->admin).Json();
  std::set<std::string> names;
  for (const json& t : types["items"]) names.insert(t["name"]);
  for (const char* name : {"account.created", "opportunity.stage_changed", "handover.committed",
                           "case.breached", "milestone.met", "import.finished"}) {
    EXPECT_TRUE(names.contains(name)) << name;
  }

  const auto made = s().Post("/api/v1/webhooks", good, company_->admin);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string secret = made.Json()["secret"];
  EXPECT_TRUE(secret.starts_with("whsec_"));
  const std::string id = made.Json()["id"];
  const auto got = s().Get("/api/v1/webhooks/" + id, company_->admin);
  EXPECT_FALSE(got.Json().contains("secret"));
  EXPECT_EQ(got.Json()["secret_hint"], secret.substr(0, 10) + "…");
  EXPECT_EQ(got.Json()["events"], good["events"]);
  // Turned off with If-Match; a stale version is refused.
  const auto off =
      s().Patch("/api/v1/webhooks/" + id, {{"active", false}}, company_->admin, got.Header("etag"));
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.Json()["active"], false);
  EXPECT_EQ(
      s().Patch("/api/v1/webhooks/" + id, {{"active", true}}, company_->admin, got.Header("etag"))
          .status,
      412);
  const auto rotated =
      s().Post("/api/v1/webhooks/" + id + "/secret", json::object(), company_->admin);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string second = rotated.Json()["secret"];
  EXPECT_NE(second, secret);
  // Neither secret is in the audit trail or the server's log.
  for (const std::string& s_ : {secret, second}) {
    EXPECT_EQ(company_->Count("SELECT count(*) FROM audit_history WHERE old_value = ? OR "
                              "new_value = ?",
                              {s_, s_}),
              0);
    EXPECT_EQ(s().Log().find(s_.substr(6)), std::string::npos);
  }
  EXPECT_EQ(s().Delete("/api/v1/webhooks/" + id, company_->admin).status, 204);
  EXPECT_EQ(s().Get("/api/v1/webhooks/" + id, company_->admin).status, 404);
}

TEST_P(WebhookApiTest, EveryEventReachesAReceiverThatFailsTimesOutAndRestartsInOrderPerRecord) {
  auto receiver = std::make_unique<Receiver>(dir_, 0, /*fail=*/1, /*hang=*/1);
  const int port = receiver->port();
  const auto made = s().Post(
      "/api/v1/webhooks",
      {{"url", "https://127.0.0.1:" + std::to_string(port) + "/hooks"},
       {"description", "The data warehouse"},
       {"events",
        {"account.created", "account.updated", "opportunity.stage_changed", "opportunity.won"}}},
      company_->admin);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string endpoint = made.Json()["id"];
  const std::string secret = made.Json()["secret"];
  WriteSecrets({secret});

  // An account made and renamed twice; an opportunity on it won.
  const json owner = s().Get("/api/v1/users?role=rep&limit=1", company_->admin).Json()["items"][0];
  const auto account = s().Post(
      "/api/v1/accounts",
      {{"name", "Webhook General Hospital"}, {"type", "hospital"}, {"owner_id", owner["id"]}},
      company_->admin);
  ASSERT_EQ(account.status, 201) << account.body;
  const std::string account_id = account.Json()["id"];
  for (const char* name : {"Webhook General Hospital NHS Trust", "Webhook University Hospital"}) {
    ASSERT_EQ(s().Patch("/api/v1/accounts/" + account_id, {{"name", name}}, company_->admin).status,
              200);
  }
  const auto deal = s().Post("/api/v1/opportunities",
                             {{"account_id", account_id},
                              {"name", "Theatre monitors"},
                              {"stage", "negotiation"},
                              {"amount_minor", 12000000},
                              {"close_date", "2027-03-31"}},
                             company_->admin);
  ASSERT_EQ(deal.status, 201) << deal.body;
  const std::string deal_id = deal.Json()["id"];
  ASSERT_EQ(
      s().Patch("/api/v1/opportunities/" + deal_id, {{"stage", "closed_won"}}, company_->admin)
          .status,
      200);

  // Five events (opportunity.created is not subscribed to): each delivered once at least.
  WaitForDeliveries(endpoint, 5);
  std::vector<json> requests = receiver->Requests();
  // One failed with 500, one held past the timeout: each tried again, so two repeats.
  ASSERT_EQ(requests.size(), 7u);
  std::map<std::string, std::vector<std::string>> ids_by_record;  // each record's ids as sent
  std::map<std::string, json> body_by_id;
  for (const json& r : requests) {
    EXPECT_EQ(r["verified"], json::array({true})) << r.dump();
    EXPECT_EQ(r["content_type"], "application/json");
    const json& body = r["body"];
    body_by_id[r["id"]] = body;
    const std::string record =
        body["data"]["object"].get<std::string>() + ":" + body["data"]["id"].get<std::string>();
    auto& ids = ids_by_record[record];
    if (ids.empty() || ids.back() != r["id"]) ids.push_back(r["id"]);
  }
  EXPECT_EQ(body_by_id.size(), 5u) << "one webhook-id per event";
  // In order per record, each event sent (and resent) before the next: the account's three, the
  // opportunity's two.
  const auto& account_ids = ids_by_record["account:" + account_id];
  ASSERT_EQ(account_ids.size(), 3u) << "an event sent after a later one of its record";
  EXPECT_EQ(body_by_id[account_ids[0]]["type"], "account.created");
  EXPECT_EQ(body_by_id[account_ids[0]]["data"]["changes"]["name"]["new"],
            "Webhook General Hospital");
  EXPECT_EQ(body_by_id[account_ids[1]]["type"], "account.updated");
  EXPECT_EQ(
      body_by_id[account_ids[1]]["data"]["changes"]["name"],
      json({{"old", "Webhook General Hospital"}, {"new", "Webhook General Hospital NHS Trust"}}));
  EXPECT_EQ(body_by_id[account_ids[2]]["data"]["changes"]["name"]["new"],
            "Webhook University Hospital");
  const auto& deal_ids = ids_by_record["opportunity:" + deal_id];
  ASSERT_EQ(deal_ids.size(), 2u);
  EXPECT_EQ(body_by_id[deal_ids[0]]["type"], "opportunity.stage_changed");
  EXPECT_EQ(body_by_id[deal_ids[1]]["type"], "opportunity.won");
  EXPECT_EQ(body_by_id[deal_ids[1]]["data"]["changes"]["stage"],
            json({{"old", "negotiation"}, {"new", "closed_won"}}));
  EXPECT_EQ(body_by_id[deal_ids[1]]["data"]["path"], "/api/v1/opportunities/" + deal_id);

  // The delivery log: the first request was answered 500, the second timed out; each is an
  // attempt of the delivery it carried, and that delivery then succeeded.
  const json failed = Delivery(endpoint, requests[0]["id"]);
  ASSERT_GE(failed["log"].size(), 2u) << failed.dump();
  EXPECT_EQ(failed["log"][0]["status"], 500);
  EXPECT_EQ(failed["log"][0]["response"], "receiver failing on purpose");
  EXPECT_EQ(failed["log"].back()["status"], 200);
  EXPECT_EQ(failed["status"], "delivered");
  const json timed_out = Delivery(endpoint, requests[1]["id"]);
  bool saw_timeout = false;
  for (const json& a : timed_out["log"]) {
    if (a["status"].is_null() &&
        a["error"].get<std::string>().find("timed out") != std::string::npos)
      saw_timeout = true;
  }
  EXPECT_TRUE(saw_timeout) << timed_out.dump();
  EXPECT_EQ(timed_out["status"], "delivered");

  // The receiver goes away; a change made meanwhile waits, and arrives once it is back.
  receiver->Stop();
  ASSERT_EQ(
      s().Patch("/api/v1/accounts/" + account_id, {{"city", "Leeds"}}, company_->admin).status,
      200);
  json waiting;
  for (int i = 0; i < 100; ++i) {
    waiting =
        s().Get("/api/v1/webhooks/" + endpoint + "/deliveries?status=pending", company_->admin)
            .Json()["items"];
    if (!waiting.empty() && waiting[0]["attempts"].get<int>() >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_FALSE(waiting[0]["last_error"].is_null()) << waiting.dump();
  receiver = std::make_unique<Receiver>(dir_, port, 0, 0);
  WaitForDeliveries(endpoint, 6);
  requests = receiver->Requests();
  ASSERT_EQ(requests.size(), 8u);
  EXPECT_EQ(requests.back()["body"]["type"], "account.updated");
  EXPECT_EQ(requests.back()["body"]["data"]["changes"]["city"]["new"], "Leeds");
  EXPECT_EQ(requests.back()["id"], waiting[0]["event_id"]);

  // A replay sends the same event, with the same id, again.
  const json first = Delivery(endpoint, account_ids[0]);
  const auto replay =
      s().Post("/api/v1/webhook-deliveries/" + first["id"].get<std::string>() + "/replay",
               json::object(), company_->admin);
  ASSERT_EQ(replay.status, 202) << replay.body;
  WaitForDeliveries(endpoint, 6);
  for (int i = 0; i < 50 && receiver->Requests().size() < 9; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  requests = receiver->Requests();
  ASSERT_EQ(requests.size(), 9u);
  EXPECT_EQ(requests.back()["id"], account_ids[0]);
  EXPECT_EQ(requests.back()["body"], body_by_id[account_ids[0]]);

  // A rotated secret: for a day both sign, so a receiver still on the old one keeps working.
  const auto rotated =
      s().Post("/api/v1/webhooks/" + endpoint + "/secret", json::object(), company_->admin);
  ASSERT_EQ(rotated.status, 200);
  WriteSecrets({rotated.Json()["secret"], secret});
  ASSERT_EQ(
      s().Post("/api/v1/webhooks/" + endpoint + "/ping", json::object(), company_->admin).status,
      202);
  WaitForDeliveries(endpoint, 7);
  requests = receiver->Requests();
  ASSERT_EQ(requests.size(), 10u);
  EXPECT_EQ(requests.back()["body"]["type"], "webhook.ping");
  EXPECT_EQ(requests.back()["verified"], json::array({true, true}));
  EXPECT_EQ(s().Log().find(secret.substr(6)), std::string::npos);
  EXPECT_EQ(s().Delete("/api/v1/webhooks/" + endpoint, company_->admin).status, 204);
}

// What the capabilities publish: a handover committed, a case breached, a milestone met, and an
// import, which is one event for the whole file rather than one per row.
TEST_P(WebhookApiTest, HandoversBreachesMilestonesAndImportsReachTheReceiver) {
  Receiver receiver(dir_, 0, 0, 0);
  const auto made =
      s().Post("/api/v1/webhooks",
               {{"url", "https://127.0.0.1:" + std::to_string(receiver.port()) + "/hooks"},
                {"events",
                 {"handover.committed", "case.breached", "milestone.met", "import.finished",
                  "account.created"}}},
               company_->admin);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string endpoint = made.Json()["id"];
  WriteSecrets({made.Json()["secret"]});

  // An import of three accounts.
  const json reps =
      s().Get("/api/v1/users?role=rep&status=active&limit=50", company_->admin).Json();
  const std::string csv =
      "Account Name,Type,Account Owner\nImported Webhook A,hospital," +
      reps["items"][0]["email"].get<std::string>() + "\nImported Webhook B,hospital," +
      reps["items"][0]["email"].get<std::string>() + "\nImported Webhook C,pharmacy," +
      reps["items"][0]["email"].get<std::string>() + "\n";
  testing::HttpCall upload{.method = "POST",
                           .path = "/api/v1/imports?type=accounts&file_name=webhooks.csv",
                           .body = csv,
                           .token = company_->admin,
                           .content_type = "text/csv"};
  const auto accepted = s().Call(upload);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string import_id = accepted.Json()["id"];

  // A case past its resolution time, escalated by the job.
  const std::int64_t case_id =
      company_->Count("SELECT min(id) FROM cases WHERE status = 'open' AND escalation_level = 0");
  ASSERT_GT(case_id, 0);
  ASSERT_TRUE(company_->database
                  ->Write([&](db::Transaction& tx) {
                    return tx.Execute(
                        "UPDATE cases SET resolution_due_at = first_response_due_at WHERE id = ?",
                        {case_id});
                  })
                  .ok());
  ASSERT_EQ(s().Post("/api/v1/jobs/case-escalation/run", json::object(), company_->admin).status,
            200);

  // A milestone met.
  const std::int64_t milestone =
      company_->Count("SELECT min(id) FROM milestones WHERE status <> 'met'");
  ASSERT_EQ(s().Patch("/api/v1/milestones/" + std::to_string(milestone),
                      {{"status", "met"}, {"evidence", "Signed acceptance form"}}, company_->admin)
                .status,
            200);

  // A rep resigns: the whole book moves to another.
  std::string leaver, successor;
  for (const json& rep : reps["items"]) {
    const std::int64_t owned =
        company_->Count("SELECT count(*) FROM accounts WHERE owner_id = ? AND archived_at IS NULL",
                        {std::stoll(rep["id"].get<std::string>())});
    if (owned > 0 && leaver.empty()) {
      leaver = rep["id"];
    } else if (successor.empty() && rep["id"] != reps["items"][0]["id"]) {
      successor = rep["id"];
    }
  }
  ASSERT_FALSE(leaver.empty() || successor.empty());
  const std::int64_t book =
      company_->Count("SELECT count(*) FROM accounts WHERE owner_id = ? AND archived_at IS NULL",
                      {std::stoll(leaver)});
  const auto handover = s().Post("/api/v1/handovers",
                                 {{"from_user_id", leaver},
                                  {"successor_user_id", successor},
                                  {"reason", "resigned"},
                                  {"effective_on", testing::TestDate()},
                                  {"dry_run", false}},
                                 company_->admin);
  ASSERT_EQ(handover.status, 201) << handover.body;

  std::map<std::string, std::vector<json>> by_type;
  for (int i = 0; i < 300; ++i) {
    by_type.clear();
    for (const json& r : receiver.Requests()) by_type[r["body"]["type"]].push_back(r["body"]);
    if (by_type.size() >= 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(by_type["import.finished"].size(), 1u);
  const json& imported = by_type["import.finished"][0]["data"];
  EXPECT_EQ(imported["id"], import_id);
  EXPECT_EQ(imported["record_type"], "accounts");
  EXPECT_EQ(imported["status"], "succeeded");
  EXPECT_EQ(imported["created"], 3);
  EXPECT_FALSE(by_type.contains("account.created")) << "an import's rows are no events";
  bool breached = false;
  for (const json& e : by_type["case.breached"]) {
    if (e["data"]["id"] == std::to_string(case_id)) {
      breached = true;
      EXPECT_GE(e["data"]["level"].get<int>(), 1);
      EXPECT_NE(e["data"]["reason"].get<std::string>().find("not resolved by"), std::string::npos)
          << e.dump();
    }
  }
  EXPECT_TRUE(breached);
  ASSERT_EQ(by_type["milestone.met"].size(), 1u);
  EXPECT_EQ(by_type["milestone.met"][0]["data"]["id"], std::to_string(milestone));
  EXPECT_EQ(by_type["milestone.met"][0]["data"]["changes"]["status"]["new"], "met");
  ASSERT_EQ(by_type["handover.committed"].size(), 1u);
  const json& committed = by_type["handover.committed"][0]["data"];
  EXPECT_EQ(committed["id"], handover.Json()["id"]);
  EXPECT_EQ(committed["reason"], "resigned");
  EXPECT_EQ(committed["from_user_id"], leaver);
  EXPECT_EQ(committed["accounts"], book);
  // The successor, and whoever else receives a piece (a team place, a split).
  EXPECT_NE(std::find(committed["successor_ids"].begin(), committed["successor_ids"].end(),
                      json(successor)),
            committed["successor_ids"].end())
      << committed.dump();
  for (const json& r : receiver.Requests()) EXPECT_EQ(r["verified"], json::array({true}));
  EXPECT_EQ(s().Delete("/api/v1/webhooks/" + endpoint, company_->admin).status, 204);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::webhooks
