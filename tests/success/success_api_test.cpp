// Customer success through the real binary over SQLite and PostgreSQL: success plans whose
// milestones release or forfeit the commission they hold back, service cases whose SLA breach
// escalates, nightly alerts raised once as tasks, surveys answered once through their link, and the
// account manager's scorecard against the records it counts.
#include <gtest/gtest.h>

#include <set>

#include "core/clock.hpp"
#include "core/period.hpp"
#include "support/demo_company.hpp"

namespace rapport::success {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;

class SuccessApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
  }
  ApiServer& s() { return *company_->server; }
  const std::string& admin() { return company_->admin; }
  static std::int64_t TodayDay() { return SystemClock().Now() / kMicrosPerDay; }
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
  EXPECT_NE(csv.body.find(",released,20000," + plan + ","), std::string::npos) << csv.body;
}

INSTANTIATE_TEST_SUITE_P(Backends, SuccessApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::success
