// Customer success through the real binary over SQLite and PostgreSQL: success plans whose
// milestones release or forfeit the commission they hold back, service cases whose SLA breach
// escalates, nightly alerts raised once as tasks, surveys answered once through their link, and the
// account manager's scorecard against the records it counts.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include <unistd.h>

#include "core/clock.hpp"
#include "core/period.hpp"
#include "support/demo_company.hpp"
#include "support/test_clock.hpp"

namespace rapport::success {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::HttpReply;
using ::rapport::testing::TestDay;
using ::rapport::testing::TestNow;

class SuccessApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    // Scheduled surveys on: every customer not surveyed in 180 days gets one (all in one night).
    company_ = &testing::DemoCompanyFor(
        GetParam(), {"--survey-every-days", "180", "--surveys-per-night", "100000"});
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
  }
  ApiServer& s() { return *company_->server; }
  const std::string& admin() { return company_->admin; }
  static std::int64_t TodayDay() { return TestDay(); }
  static std::string Today(int offset = 0) { return FormatDate(TodayDay() + offset); }
  // A customer account owned by someone of `role`, not used by an earlier test.
  std::int64_t FreshAccount(const std::string& role) {
    static std::set<std::int64_t> used;
    const std::int64_t id = company_->Count(
        "SELECT min(a.id) FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.role = ? AND "
        "u.status = 'active' AND a.status = 'customer' AND a.id > ? AND (SELECT count(*) FROM "
        "contacts c WHERE c.account_id = a.id AND c.email IS NOT NULL) >= 1",
        {role, used.empty() ? std::int64_t{0} : *used.rbegin()});
    used.insert(id);
    return id;
  }
  // An admin's "run now" of a scheduled job. The server's own scheduler may be running the same
  // job at that moment (its first run after start, or a poll): then the answer is 409, and the
  // run is asked for again once that run has ended.
  HttpReply RunJobNow(const std::string& name) {
    HttpReply run;
    for (int i = 0; i < 200; ++i) {
      run = s().Post("/api/v1/jobs/" + name + "/run", json::object(), admin());
      if (run.status != 409) break;
      usleep(25'000);
    }
    return run;
  }
  json Get(const std::string& path) {
    const auto reply = s().Get(path, admin());
    EXPECT_EQ(reply.status, 200) << path << " " << reply.body;
    return reply.Json();
  }
  std::string Created(const std::string& path, const json& body, const std::string& token = "") {
    const auto reply = s().Post(path, body, token.empty() ? admin() : token);
    EXPECT_EQ(reply.status, 201) << path << " " << reply.body;
    return reply.status == 201 ? reply.Json()["id"].get<std::string>() : "";
  }
  std::string SignInAs(std::int64_t user) {
    const json u = Get("/api/v1/users/" + std::to_string(user));
    return s().Login(u["email"]);
  }
  // The lines of a statement that belong to one plan, as "kind:milestone:amount".
  static std::multiset<std::string> PlanLines(const json& statement, const std::string& plan) {
    std::multiset<std::string> out;
    for (const auto& l : statement["lines"]) {
      if (l["success_plan_id"] != plan) continue;
      out.insert(l["kind"].get<std::string>() + ":" +
                 (l["milestone_id"].is_null() ? "" : l["milestone_id"].get<std::string>()) + ":" +
                 std::to_string(l["amount_minor"].get<std::int64_t>()));
    }
    return out;
  }

  DemoCompany* company_ = nullptr;
};

TEST_P(SuccessApiTest, MilestoneMetReleasesItsHoldbackAndOneMissedForfeitsIt) {
  const std::int64_t account = FreshAccount("rep");
  const std::int64_t rep = company_->Count("SELECT owner_id FROM accounts WHERE id = ?", {account});
  const std::string contact = std::to_string(
      company_->Count("SELECT min(id) FROM contacts WHERE account_id = ?", {account}));
  const std::string period = MonthOf(TodayDay()).label;
  const std::string statement_path =
      "/api/v1/reports/commission?user_id=" + std::to_string(rep) + "&period=" + period;
  const json before = Get(statement_path);

  const std::string plan = Created(
      "/api/v1/success-plans",
      {{"account_id", std::to_string(account)},
       {"title", "Infusion pumps on the surgical wards"},
       {"customer_definition", "No pump alarm goes unanswered for more than two minutes"},
       {"defined_by_contact_id", contact},
       {"defined_on", Today(-20)},
       {"contract_value_minor", 4000000},
       {"commission_user_id", std::to_string(rep)},
       {"commission_minor", 100000},
       {"commission_earned_on", Today()},
       {"grace_days", 10},
       {"outcomes",
        {{{"measure", "uptime"}, {"description", "Pumps in service"}, {"target", "99%"}},
         {{"measure", "staff_trained"}, {"description", "Nurses trained"}, {"target", "120"}}}}});
  ASSERT_FALSE(plan.empty());
  // Go-live is a month away; training was due 15 days ago and its 10 grace days are over.
  const std::string go_live = Created("/api/v1/milestones", {{"success_plan_id", plan},
                                                             {"name", "Go-live"},
                                                             {"kind", "go_live"},
                                                             {"due_on", Today(30)},
                                                             {"customer_owner_id", contact},
                                                             {"payment_share_percent", 40},
                                                             {"commission_holdback_percent", 20}});
  const std::string training = Created("/api/v1/milestones", {{"success_plan_id", plan},
                                                              {"name", "Ward staff trained"},
                                                              {"kind", "training"},
                                                              {"due_on", Today(-15)},
                                                              {"commission_holdback_percent", 30}});
  // More than all of the commission cannot be held back; nothing is written.
  const auto too_much = s().Post("/api/v1/milestones",
                                 {{"success_plan_id", plan},
                                  {"name", "First review"},
                                  {"due_on", Today(90)},
                                  {"commission_holdback_percent", 60}},
                                 admin());
  EXPECT_EQ(too_much.status, 422) << too_much.body;
  EXPECT_EQ(too_much.Json()["errors"][0]["field"], "commission_holdback_percent");
  EXPECT_EQ(company_->Count("SELECT count(*) FROM milestones WHERE success_plan_id = ?",
                            {std::stoll(plan)}),
            2);

  const json got = Get("/api/v1/success-plans/" + plan);
  EXPECT_EQ(got["milestones"].size(), 2u);
  EXPECT_EQ(got["milestones"][0]["name"], "Ward staff trained");  // by due date
  EXPECT_EQ(got["outcomes"].size(), 2u);
  EXPECT_EQ(got["outcomes"][1]["target"], "120");

  json statement = Get(statement_path);
  EXPECT_EQ(PlanLines(statement, plan),
            (std::multiset<std::string>{"earned::100000", "held_back:" + go_live + ":20000",
                                        "held_back:" + training + ":30000",
                                        "forfeited:" + training + ":30000"}));
  EXPECT_EQ(statement["earned_minor"].get<int>() - before["earned_minor"].get<int>(), 100000);
  EXPECT_EQ(statement["forfeited_minor"].get<int>() - before["forfeited_minor"].get<int>(), 30000);
  EXPECT_EQ(statement["payable_minor"].get<int>() - before["payable_minor"].get<int>(), 50000);
  EXPECT_EQ(statement["still_held_minor"].get<int>() - before["still_held_minor"].get<int>(),
            20000);

  // Go-live is met: its holdback is released today.
  const auto met = s().Patch("/api/v1/milestones/" + go_live,
                             {{"status", "met"}, {"evidence", "Signed acceptance form"}}, admin());
  ASSERT_EQ(met.status, 200) << met.body;
  EXPECT_EQ(met.Json()["met_on"], Today());
  statement = Get(statement_path);
  EXPECT_EQ(PlanLines(statement, plan).count("released:" + go_live + ":20000"), 1u)
      << statement.dump();
  EXPECT_EQ(statement["payable_minor"].get<int>() - before["payable_minor"].get<int>(), 70000);
  EXPECT_EQ(statement["still_held_minor"], before["still_held_minor"]);

  // The rep reads their own statement; another rep may not.
  const std::string rep_token = SignInAs(rep);
  ASSERT_FALSE(rep_token.empty());
  EXPECT_EQ(s().Get(statement_path, rep_token).status, 200);
  const std::int64_t other = company_->Count(
      "SELECT min(id) FROM users WHERE role = 'rep' AND status = 'active' AND id <> ?", {rep});
  const std::string other_token = SignInAs(other);
  EXPECT_EQ(s().Get(statement_path, other_token).status, 404);
  // And the CSV says the same lines.
  const auto csv = s().Get(statement_path + "&format=csv", admin());
  EXPECT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find(",released,20000,GBP,20000," + plan + ","), std::string::npos)
      << csv.body;
}

TEST_P(SuccessApiTest, CommissionInAnotherCurrencyIsCountedAtTheRateOfTheDayItWasEarned) {
  const std::int64_t account = FreshAccount("rep");
  const std::int64_t rep = company_->Count("SELECT owner_id FROM accounts WHERE id = ?", {account});
  const std::string statement_path = "/api/v1/reports/commission?user_id=" + std::to_string(rep) +
                                     "&period=" + MonthOf(TodayDay()).label;
  const json before = Get(statement_path);
  // 1.20 francs to the pound from long ago, 1.50 from tomorrow on.
  Created("/api/v1/exchange-rates",
          {{"currency", "CHF"}, {"valid_from", Today(-400)}, {"rate_micros", 1'200'000}});
  Created("/api/v1/exchange-rates",
          {{"currency", "CHF"}, {"valid_from", Today(1)}, {"rate_micros", 1'500'000}});
  auto plan_in = [&](const std::string& currency, std::int64_t commission) {
    return Created("/api/v1/success-plans",
                   {{"account_id", std::to_string(account)},
                    {"title", "Theatre pumps, paid in " + currency},
                    {"customer_definition", "Every theatre list starts on time"},
                    {"contract_value_minor", 1'000'000},
                    {"currency", currency},
                    {"commission_user_id", std::to_string(rep)},
                    {"commission_minor", commission},
                    {"commission_earned_on", Today()}});
  };
  const std::string francs = plan_in("CHF", 1'200'00);
  const std::string gold = plan_in("XAU", 5'00);  // no rate: left out, and said
  const std::string go_live = Created("/api/v1/milestones", {{"success_plan_id", francs},
                                                             {"name", "Go-live"},
                                                             {"due_on", Today(30)},
                                                             {"commission_holdback_percent", 50}});

  const json statement = Get(statement_path);
  EXPECT_EQ(statement["currency"], "GBP");
  EXPECT_EQ(PlanLines(statement, francs),
            (std::multiset<std::string>{"earned::100000", "held_back:" + go_live + ":50000"}));
  EXPECT_TRUE(PlanLines(statement, gold).empty());
  EXPECT_EQ(statement["unconverted"], json::parse(R"([{"currency":"XAU","plans":1}])"));
  for (const auto& l : statement["lines"]) {
    if (l["success_plan_id"] != francs || l["kind"] != "earned") continue;
    EXPECT_EQ(l["plan_currency"], "CHF");
    EXPECT_EQ(l["plan_amount_minor"], 1'200'00);
  }
  EXPECT_EQ(statement["earned_minor"].get<int>() - before["earned_minor"].get<int>(), 100000);
  EXPECT_EQ(statement["payable_minor"].get<int>() - before["payable_minor"].get<int>(), 50000);

  // An imported plan with no day of earning counts from the day it was made: made the day after
  // tomorrow, its 150.00 francs are at 1.50, not at the first rate (1.20).
  const std::string imported = plan_in("CHF", 150'00);
  ASSERT_TRUE(company_->database
                  ->Write([&](db::Transaction& tx) {
                    return tx.Execute(
                        "UPDATE success_plans SET commission_earned_on = NULL, created_at = ? "
                        "WHERE id = ?",
                        {(TodayDay() + 2) * kMicrosPerDay + 12 * 3600 * kMicrosPerSecond,
                         std::stoll(imported)});
                  })
                  .ok());
  EXPECT_EQ(PlanLines(Get(statement_path), imported),
            (std::multiset<std::string>{"earned::10000"}));
}

TEST_P(SuccessApiTest, CaseGetsItsServiceLevelAndEscalatesWhenBreachedOnce) {
  const std::int64_t account = FreshAccount("account_manager");
  const std::string a = std::to_string(account);
  const std::string contact = std::to_string(company_->Count(
      "SELECT min(id) FROM contacts WHERE account_id = ? AND email IS NOT NULL", {account}));
  const std::int64_t owner =
      company_->Count("SELECT owner_id FROM accounts WHERE id = ?", {account});
  // Bad input names the field and writes nothing.
  const std::int64_t cases_before = company_->Count("SELECT count(*) FROM cases");
  const auto bad = s().Post(
      "/api/v1/cases", {{"account_id", a}, {"kind", "grumble"}, {"subject", "Invoice"}}, admin());
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.Json()["errors"][0]["field"], "kind");
  EXPECT_EQ(company_->Count("SELECT count(*) FROM cases"), cases_before);

  const auto opened = s().Post("/api/v1/cases",
                               {{"account_id", a},
                                {"contact_id", contact},
                                {"kind", "billing_query"},
                                {"priority", "high"},
                                {"subject", "Charged twice for March consumables"},
                                {"owner_id", std::to_string(owner)},
                                {"departments", "billing, logistics"}},
                               admin());
  ASSERT_EQ(opened.status, 201) << opened.body;
  json c = opened.Json();
  const std::string id = c["id"];
  Instant at = 0, due = 0, resolve_by = 0;
  ASSERT_TRUE(ParseInstant(c["opened_at"], at));
  ASSERT_TRUE(ParseInstant(c["first_response_due_at"], due));
  ASSERT_TRUE(ParseInstant(c["resolution_due_at"], resolve_by));
  EXPECT_EQ(due - at, 4 * 3600 * kMicrosPerSecond) << "high: first response within 4 hours";
  EXPECT_EQ(resolve_by - at, 24 * 3600 * kMicrosPerSecond) << "high: resolved within 24 hours";
  EXPECT_EQ(c["escalation_level"], 0);

  // The first answer to the customer is the first response; it stays the thread's first line.
  ASSERT_EQ(
      s().Post("/api/v1/cases/" + id + "/messages",
               {{"direction", "outbound"}, {"body", "We are looking into it today."}}, admin())
          .status,
      201);
  c = Get("/api/v1/cases/" + id);
  EXPECT_FALSE(c["first_response_at"].is_null());
  ASSERT_EQ(c["thread"].size(), 1u);
  EXPECT_EQ(c["thread"][0]["direction"], "outbound");

  // Thirty hours on, nobody answered the second case: both levels are breached.
  const std::string late = Created("/api/v1/cases", {{"account_id", a},
                                                     {"contact_id", contact},
                                                     {"kind", "complaint"},
                                                     {"priority", "high"},
                                                     {"subject", "Pump alarms ignored"},
                                                     {"owner_id", std::to_string(owner)}});
  const Instant now = TestNow();
  const std::int64_t hour = 3600 * kMicrosPerSecond;
  ASSERT_TRUE(company_->database
                  ->Write([&](db::Transaction& tx) {
                    return tx.Execute(
                        "UPDATE cases SET opened_at = ?, first_response_due_at = ?, "
                        "resolution_due_at = ? WHERE id = ?",
                        {now - 30 * hour, now - 26 * hour, now - 6 * hour, std::stoll(late)});
                  })
                  .ok());
  const std::int64_t manager =
      company_->Count("SELECT coalesce(manager_id, id) FROM users WHERE id = ?", {owner});
  const std::int64_t next_up =
      company_->Count("SELECT coalesce(manager_id, id) FROM users WHERE id = ?", {manager});
  const auto run = RunJobNow("case-escalation");
  ASSERT_EQ(run.status, 200) << run.body;
  c = Get("/api/v1/cases/" + late);
  EXPECT_EQ(c["escalation_level"], 2);
  EXPECT_EQ(c["escalated_to_id"], std::to_string(next_up));
  ASSERT_EQ(c["thread"].size(), 2u);
  EXPECT_NE(c["thread"][0]["body"].get<std::string>().find("no first response"), std::string::npos);
  EXPECT_EQ(company_->Count("SELECT count(*) FROM tasks WHERE related_type = 'case' AND "
                            "related_id = ? AND owner_id = ?",
                            {std::stoll(late), manager}),
            manager == next_up ? 2 : 1);
  // Once per level: running again changes nothing, and the answered case never escalated.
  ASSERT_EQ(RunJobNow("case-escalation").status, 200);
  EXPECT_EQ(Get("/api/v1/cases/" + late)["version"], c["version"]);
  EXPECT_EQ(company_->Count("SELECT count(*) FROM tasks WHERE related_type = 'case' AND "
                            "related_id = ?",
                            {std::stoll(late)}),
            2);
  EXPECT_EQ(Get("/api/v1/cases/" + id)["escalation_level"], 0);

  // Resolved: a review call in three months with the contact, and a CSAT survey to them.
  const auto resolved =
      s().Patch("/api/v1/cases/" + id,
                {{"status", "resolved"}, {"resolution", "Credit note issued"}}, admin());
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  const json done = resolved.Json();
  ASSERT_FALSE(done["review_task_id"].is_null());
  const json task = Get("/api/v1/tasks/" + done["review_task_id"].get<std::string>());
  EXPECT_EQ(task["due_on"], Today(90));
  EXPECT_EQ(task["owner_id"], std::to_string(owner));
  EXPECT_NE(task["subject"].get<std::string>().find("Review call"), std::string::npos);
  EXPECT_EQ(company_->Count("SELECT count(*) FROM surveys WHERE case_id = ? AND kind = 'csat' "
                            "AND contact_id = ?",
                            {std::stoll(id), std::stoll(contact)}),
            1);
}

TEST_P(SuccessApiTest, NightlyAlertIsRaisedOnceAndBecomesATaskForTheOwner) {
  const std::int64_t account = FreshAccount("rep");
  const std::string a = std::to_string(account);
  const std::int64_t owner =
      company_->Count("SELECT owner_id FROM accounts WHERE id = ?", {account});
  const std::string product =
      std::to_string(company_->Count("SELECT min(id) FROM products WHERE list_price_minor > 0"));
  const std::string warranty = Created("/api/v1/purchases", {{"account_id", a},
                                                             {"product_id", product},
                                                             {"quantity", 2},
                                                             {"purchased_on", Today(-700)},
                                                             {"warranty_end", Today(20)}});
  // Bought 100 last month against 30 used over the last three months.
  const Period last = MonthOf(TodayDay()).Previous();
  Period month = last;
  for (int i = 0; i < 3; ++i) {
    Created(
        "/api/v1/usage-records",
        {{"account_id", a}, {"product_id", product}, {"period", month.label}, {"quantity", 10}});
    month = month.Previous();
  }
  Created("/api/v1/purchases", {{"account_id", a},
                                {"product_id", product},
                                {"quantity", 100},
                                {"purchased_on", FormatDate(last.first_day + 3)}});
  const std::string trial = Created("/api/v1/trials", {{"account_id", a},
                                                       {"product_id", product},
                                                       {"starts_on", Today(-40)},
                                                       {"ends_on", Today(-2)},
                                                       {"objectives", "Fewer line occlusions"},
                                                       {"success_criteria", "Half as many"}});

  auto alerts_of = [&](const std::string& kind) {
    return Get("/api/v1/alerts?account_id=" + a + "&kind=" + kind)["items"];
  };
  for (int night = 0; night < 2; ++night) {
    const auto run = RunJobNow("nightly-alerts");
    ASSERT_EQ(run.status, 200) << run.body;
    EXPECT_NE(run.Json()["result"].get<std::string>().find("warranty_ending"), std::string::npos);
  }
  const json warranty_alerts = alerts_of("warranty_ending");
  int matching = 0;
  for (const auto& alert : warranty_alerts) {
    if (alert["subject_key"] != "purchase:" + warranty) continue;
    ++matching;
    EXPECT_EQ(alert["user_id"], std::to_string(owner));
    EXPECT_NE(alert["reason"].get<std::string>().find(Today(20)), std::string::npos);
    ASSERT_FALSE(alert["task_id"].is_null());
    const json task = Get("/api/v1/tasks/" + alert["task_id"].get<std::string>());
    EXPECT_EQ(task["owner_id"], std::to_string(owner));
    EXPECT_EQ(task["account_id"], a);
    EXPECT_EQ(task["subject"], alert["reason"]);
    EXPECT_EQ(company_->Count("SELECT count(*) FROM tasks WHERE related_type = 'alert' AND "
                              "related_id = ?",
                              {std::stoll(alert["id"].get<std::string>())}),
              1)
        << "one task, though the job ran twice";
  }
  EXPECT_EQ(matching, 1);
  const json usage = alerts_of("bought_beyond_usage");
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_NE(usage[0]["reason"].get<std::string>().find("Bought 100"), std::string::npos)
      << usage[0]["reason"];
  const json trials = alerts_of("trial_without_decision");
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0]["subject_key"], "trial:" + trial);
  // The job says when it ran and where.
  bool listed = false;
  const json jobs = Get("/api/v1/jobs");
  for (const auto& job : jobs["items"]) {
    if (job["name"] != "nightly-alerts") continue;
    listed = true;
    EXPECT_FALSE(job["last_finished_at"].is_null());
    EXPECT_FALSE(job["run_by"].is_null());
  }
  EXPECT_TRUE(listed);
  // Not for a rep.
  EXPECT_EQ(s().Post("/api/v1/jobs/nightly-alerts/run", json::object(), SignInAs(owner)).status,
            403);
}

TEST_P(SuccessApiTest, SurveyIsAnsweredOnceThroughItsLinkWithoutSigningIn) {
  const std::int64_t account = FreshAccount("account_manager");
  const std::string contact = std::to_string(company_->Count(
      "SELECT min(id) FROM contacts WHERE account_id = ? AND email IS NOT NULL", {account}));
  const auto sent =
      s().Post("/api/v1/surveys", {{"contact_id", contact}, {"kind", "nps"}}, admin());
  ASSERT_EQ(sent.status, 201) << sent.body;
  const std::string survey = sent.Json()["id"];
  const std::string link = sent.Json()["link"];
  const std::string token = link.substr(link.rfind('/') + 1);
  ASSERT_GT(token.size(), 20u);
  EXPECT_EQ(link.rfind("http://127.0.0.1:" + std::to_string(s().port()) + "/survey/", 0), 0u)
      << link << ": the address the server listens on, when --public-url is not given";
  // The email waits in the outbox with the link; the token itself is not stored.
  EXPECT_EQ(company_->Count("SELECT count(*) FROM outbox WHERE kind = 'survey' AND contact_id = ? "
                            "AND body LIKE ?",
                            {std::stoll(contact), "%" + token + "%"}),
            1);
  EXPECT_EQ(company_->Count("SELECT count(*) FROM surveys WHERE token_hash = ?", {token}), 0);

  const std::string path = "/api/v1/surveys/answer/" + token;
  const auto question = s().Get(path, "");
  ASSERT_EQ(question.status, 200) << question.body;
  EXPECT_EQ(question.Json()["max"], 10);
  EXPECT_NE(question.Json()["question"].get<std::string>().find("recommend"), std::string::npos);
  const auto out_of_range = s().Post(path, {{"score", 11}}, "");
  EXPECT_EQ(out_of_range.status, 422);
  EXPECT_EQ(out_of_range.Json()["errors"][0]["field"], "score");
  const auto answered = s().Post(path, {{"score", 9}, {"comment", "Quick to sort things out"}}, "");
  EXPECT_EQ(answered.status, 204) << answered.body;
  // The second time the link is refused, and the first answer stands.
  const auto again = s().Post(path, {{"score", 2}}, "");
  EXPECT_EQ(again.status, 410) << again.body;
  EXPECT_EQ(s().Get(path, "").status, 410);
  EXPECT_EQ(s().Get("/api/v1/surveys/answer/not-a-real-token", "").status, 404);
  const json stored = Get("/api/v1/surveys/" + survey);
  EXPECT_EQ(stored["status"], "answered");
  EXPECT_EQ(stored["score"], 9);
  EXPECT_EQ(stored["comment"], "Quick to sort things out");
  // On the account's timeline, with the contact.
  EXPECT_EQ(
      company_->Count("SELECT count(*) FROM activities x JOIN activity_contacts ac ON "
                      "ac.activity_id = x.id WHERE x.account_id = ? AND ac.contact_id = ? AND "
                      "x.subject = 'NPS survey answered: 9'",
                      {account, std::stoll(contact)}),
      1);
  // A contact without an email address cannot be sent one.
  const auto added = s().Post(
      "/api/v1/contacts",
      {{"account_id", std::to_string(account)}, {"first_name", "Ola"}, {"last_name", "Nordmann"}},
      admin());
  ASSERT_EQ(added.status, 201);
  const auto no_email =
      s().Post("/api/v1/surveys", {{"contact_id", added.Json()["id"]}, {"kind", "csat"}}, admin());
  EXPECT_EQ(no_email.status, 422);
  EXPECT_EQ(no_email.Json()["errors"][0]["field"], "contact_id");
  // Nor one who opted out of email, or asked not to be contacted at all.
  for (const char* refusal : {"email_opted_out", "do_not_contact"}) {
    const auto refusing = s().Post("/api/v1/contacts",
                                   {{"account_id", std::to_string(account)},
                                    {"first_name", "Kari"},
                                    {"last_name", refusal},
                                    {"email", std::string(refusal) + "@example.test"},
                                    {refusal, true},
                                    {"consent_on", "2026-10-01"},
                                    {"consent_source", "told the rep at MedTech Expo"}},
                                   admin());
    ASSERT_EQ(refusing.status, 201) << refusing.body;
    const auto refused = s().Post(
        "/api/v1/surveys", {{"contact_id", refusing.Json()["id"]}, {"kind", "csat"}}, admin());
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(refused.Json()["errors"][0]["field"], "contact_id");
    EXPECT_NE(refused.body.find(std::string(refusal) == "do_not_contact" ? "not to be contacted"
                                                                         : "opted out of email"),
              std::string::npos)
        << refused.body;
  }
}

TEST_P(SuccessApiTest, ScorecardCountsTheActivitiesCasesSurveysAndSalesLinesBehindIt) {
  // A new account manager with two new accounts, so that every number comes from this test.
  const std::string am = Created(
      "/api/v1/users",
      {{"email", "am." + std::to_string(GetParam() == db::Backend::kSqlite) + "@example.test"},
       {"name", "Aoife Account-Manager"},
       {"role", "account_manager"}});
  auto new_account = [&](const std::string& name, json cadence) {
    return Created("/api/v1/accounts", {{"name", name},
                                        {"type", "hospital"},
                                        {"status", "customer"},
                                        {"owner_id", am},
                                        {"contact_cadence_days", cadence}});
  };
  const std::string a = new_account("Scorecard General", 30);
  const std::string b = new_account("Scorecard Community", nullptr);
  const Period period = MonthOf(TodayDay());
  const Period previous = period.Previous();
  const Instant now = TestNow();
  // Check-in calls: three by the manager; a sales call, a note and a colleague's call do not count.
  for (int i = 0; i < 3; ++i) {
    Created("/api/v1/activities", {{"account_id", i == 2 ? b : a},
                                   {"user_id", am},
                                   {"kind", i == 1 ? "visit" : "call"},
                                   {"occurred_at", FormatInstant(now - (i + 1) * kMicrosPerSecond)},
                                   {"subject", "How is everything?"}});
  }
  Created("/api/v1/activities", {{"account_id", a},
                                 {"user_id", am},
                                 {"kind", "note"},
                                 {"occurred_at", FormatInstant(now - kMicrosPerSecond)},
                                 {"subject", "Thought about them"}});
  Created("/api/v1/activities", {{"account_id", a},
                                 {"kind", "call"},
                                 {"occurred_at", FormatInstant(now - kMicrosPerSecond)},
                                 {"subject", "Admin called"}});
  // A billing query resolved after ten hours.
  const std::string query = Created("/api/v1/cases", {{"account_id", a},
                                                      {"kind", "billing_query"},
                                                      {"subject", "Invoice 4411"},
                                                      {"owner_id", am}});
  ASSERT_EQ(s().Patch("/api/v1/cases/" + query, {{"status", "resolved"}}, admin()).status, 200);
  ASSERT_TRUE(company_->database
                  ->Write([&](db::Transaction& tx) {
                    return tx.Execute("UPDATE cases SET opened_at = resolved_at - ? WHERE id = ?",
                                      {10 * 3600 * kMicrosPerSecond, std::stoll(query)});
                  })
                  .ok());
  // Two NPS answers, 9 and 6: an index of (90 + 60) / 2.
  for (int score : {9, 6}) {
    const std::string contact =
        Created("/api/v1/contacts", {{"account_id", a},
                                     {"first_name", "Survey"},
                                     {"last_name", std::to_string(score)},
                                     {"email", "s" + std::to_string(score) + "@example.test"}});
    const auto sent =
        s().Post("/api/v1/surveys", {{"contact_id", contact}, {"kind", "nps"}}, admin());
    ASSERT_EQ(sent.status, 201);
    const std::string link = sent.Json()["link"];
    ASSERT_EQ(s().Post("/api/v1/surveys/answer/" + link.substr(link.rfind('/') + 1),
                       {{"score", score}}, "")
                  .status,
              204);
  }
  // Sales lines: product X last month, then X again (repeat), Y of X's family (cross-sell) and Z
  // of another family (new range) this month.
  const std::int64_t x = company_->Count(
      "SELECT min(p.id) FROM products p WHERE (SELECT count(*) FROM products q WHERE q.family = "
      "p.family) >= 2");
  const std::int64_t y = company_->Count(
      "SELECT min(q.id) FROM products q WHERE q.family = (SELECT family FROM products WHERE id = "
      "?) "
      "AND q.id <> ?",
      {x, x});
  const std::int64_t z = company_->Count(
      "SELECT min(id) FROM products WHERE family <> (SELECT family FROM products WHERE id = ?)",
      {x});
  // Z was sold in Swedish kronor: 2,500.00 SEK at 12.50 to the pound is 200.00 GBP.
  ASSERT_TRUE(
      company_->database
          ->Write([&](db::Transaction& tx) -> Status {
            RAPPORT_RETURN_IF_ERROR(
                tx.Execute("INSERT INTO exchange_rates (currency, valid_from, rate_micros, "
                           "created_at, updated_at) VALUES ('SEK', '2000-01-01', 12500000, 0, 0)"));
            for (const auto& [product, month, amount, currency] :
                 std::vector<std::tuple<std::int64_t, std::string, std::int64_t, std::string>>{
                     {x, previous.label, 10000, "GBP"},
                     {x, period.label, 50000, "GBP"},
                     {y, period.label, 30000, "GBP"},
                     {z, period.label, 250000, "SEK"}}) {
              RAPPORT_RETURN_IF_ERROR(tx.Execute(
                  "INSERT INTO sales_lines (account_id, product_id, period, revenue_minor, "
                  "currency, quantity, created_at) VALUES (?, ?, ?, ?, ?, 1, 0)",
                  {std::stoll(a), product, month, amount, currency}));
            }
            return Ok();
          })
          .ok());

  const json report = Get("/api/v1/reports/scorecards?period=" + period.label + "&user_id=" + am);
  EXPECT_EQ(report["currency"], "GBP");
  const json cards = report["items"];
  ASSERT_EQ(cards.size(), 1u);
  const json& now_card = cards[0]["current"];
  const std::int64_t days = period.last_day - period.first_day + 1;
  EXPECT_EQ(now_card["accounts_handled"], 2);
  EXPECT_EQ(now_card["check_in_calls_made"], 3);
  EXPECT_EQ(now_card["check_in_calls_due"], (days + 29) / 30) << "account b has no cadence";
  EXPECT_EQ(now_card["billing_queries_resolved"], 1);
  EXPECT_NEAR(now_card["billing_query_hours"].get<double>(), 10.0, 0.01);
  EXPECT_EQ(now_card["survey_answers"], 2);
  EXPECT_NEAR(now_card["satisfaction_index"].get<double>(), 75.0, 0.01);
  EXPECT_EQ(now_card["repeat_sales_minor"], 50000);
  EXPECT_EQ(now_card["cross_sell_minor"], 30000);
  EXPECT_EQ(now_card["new_range_sales_minor"], 20000);
  const json& before = cards[0]["previous"];
  EXPECT_EQ(before["new_range_sales_minor"], 10000) << "X was new to the account last month";
  EXPECT_EQ(before["repeat_sales_minor"], 0);
  EXPECT_EQ(before["check_in_calls_made"], 0);
  // The same numbers as CSV and XLSX.
  const auto csv = s().Get(
      "/api/v1/reports/scorecards?period=" + period.label + "&user_id=" + am + "&format=csv",
      admin());
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("Aoife Account-Manager," + period.label + ",2,3,"), std::string::npos)
      << csv.body;
  const auto xlsx = s().Get(
      "/api/v1/reports/scorecards?period=" + period.label + "&user_id=" + am + "&format=xlsx",
      admin());
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  EXPECT_EQ(
      s().Get("/api/v1/reports/scorecards?period=2026-13", admin()).Json()["errors"][0]["field"],
      "period");
}

TEST_P(SuccessApiTest, HealthMovesWithContactMilestonesCasesAndSurveysAndSaysWhy) {
  const std::string a = Created("/api/v1/accounts", {{"name", "Health Check Hospital"},
                                                     {"type", "hospital"},
                                                     {"status", "customer"},
                                                     {"contact_cadence_days", 30}});
  auto health = [&] { return Get("/api/v1/accounts/" + a + "/health"); };
  auto points = [](const json& h, const std::string& code) {
    for (const auto& r : h["reasons"]) {
      if (r["code"] == code) return r["points"].get<int>();
    }
    return 0;
  };
  json h = health();
  EXPECT_EQ(h["score"], 45) << h.dump();
  EXPECT_EQ(points(h, "not_contacted"), -25);
  EXPECT_EQ(h["band"], "watch");

  const std::string contact = Created("/api/v1/contacts", {{"account_id", a},
                                                           {"first_name", "Hannah"},
                                                           {"last_name", "Reyes"},
                                                           {"email", "hannah.reyes@example.test"}});
  Created("/api/v1/activities", {{"account_id", a},
                                 {"kind", "call"},
                                 {"occurred_at", FormatInstant(TestNow() - kMicrosPerSecond)},
                                 {"subject", "Check-in"}});
  h = health();
  EXPECT_EQ(h["score"], 70);
  EXPECT_EQ(points(h, "not_contacted"), 0);

  const std::string plan = Created(
      "/api/v1/success-plans",
      {{"account_id", a}, {"title", "Go live"}, {"customer_definition", "Running by the spring"}});
  Created("/api/v1/milestones",
          {{"success_plan_id", plan}, {"name", "Installed"}, {"due_on", Today(-10)}});
  Created("/api/v1/cases", {{"account_id", a}, {"kind", "technical"}, {"subject", "Won't boot"}});
  h = health();
  EXPECT_EQ(points(h, "milestones_overdue"), -10);
  EXPECT_EQ(points(h, "open_cases"), -5);
  EXPECT_EQ(h["score"], 55);

  const auto sent =
      s().Post("/api/v1/surveys", {{"contact_id", contact}, {"kind", "nps"}}, admin());
  ASSERT_EQ(sent.status, 201);
  const std::string link = sent.Json()["link"];
  ASSERT_EQ(
      s().Post("/api/v1/surveys/answer/" + link.substr(link.rfind('/') + 1), {{"score", 10}}, "")
          .status,
      204);
  h = health();
  EXPECT_EQ(points(h, "satisfaction"), 15);
  EXPECT_EQ(h["score"], 70);
  EXPECT_EQ(h["band"], "healthy");
  // Six month-ends and now; before today there was nothing but an account nobody had called.
  ASSERT_EQ(h["trend"].size(), 7u);
  EXPECT_EQ(h["trend"][0]["score"], 45);
  EXPECT_EQ(h["trend"][6]["score"], 70);
  EXPECT_EQ(h["trend"][6]["month"], MonthOf(TodayDay()).label);
  // Out of reach reads as not found.
  const std::int64_t rep =
      company_->Count("SELECT min(id) FROM users WHERE role = 'rep' AND status = 'active'");
  EXPECT_EQ(s().Get("/api/v1/accounts/" + a + "/health", SignInAs(rep)).status, 404);
}

TEST_P(SuccessApiTest, ScheduledSurveyGoesToTheKeyContactOfACustomerNotAskedLately) {
  const std::string a = Created("/api/v1/accounts", {{"name", "Scheduled Survey Clinic"},
                                                     {"type", "hospital"},
                                                     {"status", "customer"},
                                                     {"owner_id", "1"}});
  Created("/api/v1/contacts", {{"account_id", a},
                               {"first_name", "Low"},
                               {"last_name", "Influence"},
                               {"influence", "low"},
                               {"email", "low@example.test"}});
  // An influential contact, first in line, who opted out of email: passed by.
  Created("/api/v1/contacts", {{"account_id", a},
                               {"first_name", "Higher"},
                               {"last_name", "Unsubscribed"},
                               {"influence", "high"},
                               {"email", "unsubscribed@example.test"},
                               {"email_opted_out", true}});
  const std::string key = Created("/api/v1/contacts", {{"account_id", a},
                                                       {"first_name", "High"},
                                                       {"last_name", "Influence"},
                                                       {"influence", "high"},
                                                       {"email", "high@example.test"}});
  for (int night = 0; night < 2; ++night) {
    const auto run = RunJobNow("scheduled-surveys");
    ASSERT_EQ(run.status, 200) << run.body;
  }
  const json surveys = Get("/api/v1/surveys?account_id=" + a)["items"];
  ASSERT_EQ(surveys.size(), 1u) << "once, though the job ran twice";
  EXPECT_EQ(surveys[0]["contact_id"], key);
  EXPECT_EQ(surveys[0]["kind"], "nps");
  EXPECT_EQ(surveys[0]["sent_after"], "schedule");
  EXPECT_EQ(surveys[0]["sent_by_id"], "1");
}

TEST_P(SuccessApiTest, TrialKeepsItsMileMarkersPeopleAndDecision) {
  const std::int64_t account = FreshAccount("rep");
  const std::string a = std::to_string(account);
  const std::string contact = std::to_string(
      company_->Count("SELECT min(id) FROM contacts WHERE account_id = ?", {account}));
  const json body = {
      {"account_id", a},
      {"starts_on", Today()},
      {"ends_on", Today(28)},
      {"objectives", "Fewer line occlusions on ward 4"},
      {"success_criteria", "Half as many occlusion alarms as last month"},
      {"contact_ids", {contact}},
      {"markers",
       {{{"name", "Staff trained"}, {"due_on", Today(3)}},
        {{"name", "Mid-trial review"}, {"due_on", Today(14)}, {"notes", "With the matron"}}}}};
  json bad = body;
  bad["markers"][1]["due_on"] = "next week";
  const auto refused = s().Post("/api/v1/trials", bad, admin());
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.Json()["errors"][0]["field"], "markers[1].due_on");
  json backwards = body;
  backwards["ends_on"] = Today(-1);
  EXPECT_EQ(s().Post("/api/v1/trials", backwards, admin()).Json()["errors"][0]["field"], "ends_on");

  const std::string trial = Created("/api/v1/trials", body);
  json got = Get("/api/v1/trials/" + trial);
  ASSERT_EQ(got["markers"].size(), 2u);
  EXPECT_EQ(got["markers"][1]["notes"], "With the matron");
  EXPECT_EQ(got["contact_ids"], json::array({contact}));
  const auto decided = s().Patch("/api/v1/trials/" + trial,
                                 {{"status", "ended"},
                                  {"results", "Alarms down by 60%"},
                                  {"decision", "adopt"},
                                  {"implementation_plan", "Roll out to wards 5 and 6 in January"}},
                                 admin());
  ASSERT_EQ(decided.status, 200) << decided.body;
  got = decided.Json();
  EXPECT_EQ(got["decided_on"], Today());
  EXPECT_EQ(got["markers"].size(), 2u) << "a PATCH without markers keeps them";
  // Changing only the markers is a change: the ETag moves on, and the old one is stale.
  const std::string etag = decided.Header("etag");
  const auto markers_only =
      s().Patch("/api/v1/trials/" + trial,
                {{"markers", {{{"name", "Close-out"}, {"due_on", Today(28)}}}}}, admin(), etag);
  ASSERT_EQ(markers_only.status, 200) << markers_only.body;
  EXPECT_EQ(markers_only.Json()["version"], got["version"].get<int>() + 1);
  EXPECT_EQ(markers_only.Json()["markers"].size(), 1u);
  EXPECT_EQ(
      s().Patch("/api/v1/trials/" + trial, {{"markers", json::array()}}, admin(), etag).status,
      412);
}

INSTANTIATE_TEST_SUITE_P(Backends, SuccessApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::success
