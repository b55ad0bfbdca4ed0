// Strategic selling through the real binary over SQLite and PostgreSQL: the Blue Sheet with its
// computed red flags, possible actions that become tasks, and lost deals that say why and come
// back as a revisit.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "core/clock.hpp"
#include "support/demo_company.hpp"
#include "support/run_command.hpp"
#include "support/test_clock.hpp"

namespace rapport::selling {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::TestDate;

class BlueSheetApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
  }
  ApiServer& s() { return *company_->server; }
  const std::string& admin() { return company_->admin; }
  std::string Today(int offset = 0) { return TestDate(offset); }
  // An open opportunity (not used by an earlier test) whose account has three contacts or more.
  json FreshOpportunity() {
    static std::set<std::int64_t> used;
    const std::int64_t id = company_->Count(
        "SELECT min(o.id) FROM opportunities o WHERE o.stage IN ('qualification', 'proposal') "
        "AND o.id > ? AND (SELECT count(*) FROM contacts c WHERE c.account_id = o.account_id "
        "AND c.left_at IS NULL) >= 3",
        {used.empty() ? std::int64_t{0} : *used.rbegin()});
    used.insert(id);
    return s().Get("/api/v1/opportunities/" + std::to_string(id), admin()).Json();
  }
  std::vector<std::string> Codes(const json& sheet, const std::string& contact = "") {
    std::vector<std::string> codes;
    for (const auto& f : sheet["red_flags"]) {
      if (contact.empty() || f["contact_id"] == contact) codes.push_back(f["code"]);
    }
    return codes;
  }
  // Runs `script` (Python with openpyxl; the workbook's path is sys.argv[1]) over an XLSX body.
  static testing::CommandResult ReadXlsx(const std::string& body, const std::string& script) {
    testing::TempDir dir;
    const std::string file = dir.File("book.xlsx");
    std::ofstream(file, std::ios::binary) << body;
    return testing::RunCommand({"/usr/bin/python3", "-c", "import sys, openpyxl\n" + script, file});
  }
  static bool Has(const std::vector<std::string>& codes, const std::string& code) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  }

  DemoCompany* company_ = nullptr;
};

TEST_P(BlueSheetApiTest, RedFlagsAreComputedFromWhatTheSheetAndTheAccountSay) {
  const json opportunity = FreshOpportunity();
  const std::string id = opportunity["id"];
  const std::string path = "/api/v1/opportunities/" + id + "/blue-sheet";
  const std::string account = opportunity["account_id"];
  const json contacts =
      s().Get("/api/v1/contacts?account_id=" + account + "&limit=10", admin()).Json()["items"];
  ASSERT_GE(contacts.size(), 2u);
  const std::string user_buyer = contacts[0]["id"];
  const std::string technical = contacts[1]["id"];
  // Someone nobody has met yet.
  const auto added = s().Post("/api/v1/contacts",
                              {{"account_id", account},
                               {"first_name", "Nadia"},
                               {"last_name", "Okafor"},
                               {"function", "finance"}},
                              admin());
  ASSERT_EQ(added.status, 201) << added.body;
  const std::string stranger = added.Json()["id"];
  ASSERT_EQ(s().Patch("/api/v1/contacts/" + technical, {{"stance", "detractor"}}, admin()).status,
            200);
  // A deadline well ahead, whatever day the test runs on.
  ASSERT_EQ(
      s().Patch("/api/v1/opportunities/" + id, {{"close_date", "2040-06-30"}}, admin()).status,
      200);

  const auto before = s().Get(path, admin());
  ASSERT_EQ(before.status, 200) << before.body;
  json sheet = {
      {"buying_influences",
       {{{"contact_id", user_buyer},
         {"roles", {"user_buyer"}},
         {"response_mode", "even_keel"},
         {"rating", 1},
         {"win_theme", "ease"},
         {"business_result", "fewer pump alarms on the ward"}},
        {{"contact_id", technical},
         {"roles", {"technical_buyer"}},
         {"degree_of_influence", "high"}},
        {{"contact_id", stranger}, {"roles", json::array()}, {"response_mode", "growth"}}}},
      {"strengths", "Trusted on the ward"},
      {"possible_actions",
       {{{"description", "Book a demo for the theatre team"},
         {"shortlisted", true},
         {"owner_id", opportunity["owner_id"]},
         {"due_on", Today(7)}},
        {{"description", "Ask finance about the budget cycle"}, {"shortlisted", false}}}}};
  testing::HttpCall put{"PUT", path, sheet.dump(), admin()};
  put.headers["If-Match"] = before.Header("etag");
  auto saved = s().Call(put);
  ASSERT_EQ(saved.status, 200) << saved.body;
  json got = saved.Json();
  EXPECT_EQ(got["version"], 1);
  EXPECT_EQ(saved.Header("etag"), "\"v1\"");
  const auto codes = Codes(got);
  EXPECT_TRUE(Has(codes, "no_economic_buyer")) << got["red_flags"].dump();
  EXPECT_TRUE(Has(codes, "no_coach"));
  EXPECT_TRUE(Has(Codes(got, user_buyer), "even_keel"));
  EXPECT_TRUE(Has(Codes(got, technical), "detractor_with_influence"));
  EXPECT_TRUE(Has(Codes(got, stranger), "never_met"));
  EXPECT_FALSE(Has(Codes(got, user_buyer), "never_met")) << "the demo has met this contact";
  EXPECT_FALSE(Has(codes, "deadline_passed"));
  ASSERT_EQ(got["buying_influences"].size(), 3u);
  // The shortlisted action became the owner's task; the other did not.
  ASSERT_EQ(got["possible_actions"].size(), 2u);
  const json action = got["possible_actions"][0];
  ASSERT_FALSE(action["task_id"].is_null());
  EXPECT_TRUE(got["possible_actions"][1]["task_id"].is_null());
  const json task =
      s().Get("/api/v1/tasks/" + action["task_id"].get<std::string>(), admin()).Json();
  EXPECT_EQ(task["owner_id"], opportunity["owner_id"]);
  EXPECT_EQ(task["due_on"], Today(7));

  // A stale version changes nothing.
  put.headers["If-Match"] = "\"v0\"";
  EXPECT_EQ(s().Call(put).status, 412);

  // An economic buyer and a coach found; the stranger leaves the customer; the deadline slips.
  sheet = got;
  sheet["buying_influences"][0]["roles"] = {"user_buyer", "economic_buyer", "coach"};
  put.body = sheet.dump();
  put.headers["If-Match"] = "\"v1\"";
  saved = s().Call(put);
  ASSERT_EQ(saved.status, 200) << saved.body;
  got = saved.Json();
  EXPECT_FALSE(Has(Codes(got), "no_economic_buyer"));
  EXPECT_FALSE(Has(Codes(got), "no_coach"));
  EXPECT_EQ(company_->Count("SELECT count(*) FROM tasks WHERE id = ?",
                            {std::stoll(action["task_id"].get<std::string>())}),
            1);
  EXPECT_EQ(got["possible_actions"][0]["task_id"], action["task_id"]) << "a second task was made";
  ASSERT_EQ(
      s().Patch("/api/v1/contacts/" + stranger, {{"left_at", "2026-11-01T00:00:00Z"}}, admin())
          .status,
      200);
  ASSERT_EQ(
      s().Patch("/api/v1/opportunities/" + id, {{"close_date", "2020-01-31"}}, admin()).status,
      200);
  got = s().Get(path, admin()).Json();
  EXPECT_TRUE(Has(Codes(got, stranger), "contact_left")) << got["red_flags"].dump();
  EXPECT_TRUE(Has(Codes(got), "deadline_passed"));
  // And the pipeline sees them.
  const json report = s().Get("/api/v1/reports/red-flags?limit=500", admin()).Json();
  bool listed = false;
  for (const auto& item : report["items"]) listed |= item["opportunity_id"] == id;
  EXPECT_TRUE(listed);
}

TEST_P(BlueSheetApiTest, BadInputNamesTheFieldAndChangesNothing) {
  const json opportunity = FreshOpportunity();
  const std::string path =
      "/api/v1/opportunities/" + opportunity["id"].get<std::string>() + "/blue-sheet";
  const std::string own =
      s().Get("/api/v1/contacts?account_id=" + opportunity["account_id"].get<std::string>() +
                  "&limit=1",
              admin())
          .Json()["items"][0]["id"];
  const std::int64_t other =
      company_->Count("SELECT min(id) FROM contacts WHERE account_id <> ?",
                      {std::stoll(opportunity["account_id"].get<std::string>())});
  auto field_of = [&](const json& body) {
    testing::HttpCall put{"PUT", path, body.dump(), admin()};
    const auto reply = s().Call(put);
    EXPECT_EQ(reply.status, 422) << body.dump() << " -> " << reply.body;
    const json problem = reply.Json();
    return problem.contains("errors") ? problem["errors"][0]["field"].get<std::string>() : "";
  };
  EXPECT_EQ(field_of({{"buying_influences", {{{"contact_id", own}, {"rating", 5}}}}}),
            "buying_influences[0].rating");
  EXPECT_EQ(field_of({{"buying_influences",
                       {{{"contact_id", own}}, {{"contact_id", std::to_string(other)}}}}}),
            "buying_influences[1].contact_id");
  EXPECT_EQ(field_of({{"buying_influences", {{{"contact_id", own}, {"roles", {"king"}}}}}}),
            "buying_influences[0].roles");
  EXPECT_EQ(field_of({{"possible_actions", {{{"description", "x"}, {"due_on", "soon"}}}}}),
            "possible_actions[0].due_on");
  EXPECT_EQ(field_of({{"colour", "blue"}}), "colour");
  EXPECT_EQ(company_->Count("SELECT count(*) FROM blue_sheets WHERE opportunity_id = ?",
                            {std::stoll(opportunity["id"].get<std::string>())}),
            0);
}

TEST_P(BlueSheetApiTest, ALostDealSaysWhyAndComesBackAsARevisit) {
  const json opportunity = FreshOpportunity();
  const std::string path = "/api/v1/opportunities/" + opportunity["id"].get<std::string>();
  const auto refused = s().Patch(path, {{"stage", "closed_lost"}}, admin());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("lost_reason"), std::string::npos);

  const auto lost = s().Patch(path,
                              {{"stage", "closed_lost"},
                               {"lost_reason", "price: the trust bought on a framework"},
                               {"won_by", "Acme Medical"},
                               {"revisit_on", Today(10)}},
                              admin());
  ASSERT_EQ(lost.status, 200) << lost.body;
  EXPECT_EQ(lost.Json()["won_by"], "Acme Medical");
  const std::int64_t id = std::stoll(opportunity["id"].get<std::string>());
  EXPECT_EQ(
      company_->Count("SELECT count(*) FROM tasks WHERE related_type = 'opportunity' AND "
                      "related_id = ? AND owner_id = ? AND due_on = ? AND done_at IS NULL "
                      "AND subject LIKE 'Revisit lost deal:%'",
                      {id, std::stoll(opportunity["owner_id"].get<std::string>()), Today(10)}),
      1);
  const json second = s().Get("/api/v1/reports/second-chance", admin()).Json();
  bool listed = false;
  for (const auto& item : second["items"]) listed |= item["opportunity_id"] == opportunity["id"];
  EXPECT_TRUE(listed) << second.dump().substr(0, 300);

  // Without a date the revisit comes after six months.
  const json other = FreshOpportunity();
  const auto lost_too =
      s().Patch("/api/v1/opportunities/" + other["id"].get<std::string>(),
                {{"stage", "closed_lost"}, {"lost_reason", "no budget"}}, admin());
  ASSERT_EQ(lost_too.status, 200) << lost_too.body;
  EXPECT_EQ(lost_too.Json()["revisit_on"], Today(180));
}

TEST_P(BlueSheetApiTest, ABlueSheetOutsideTheCallersReachIsNotFound) {
  const json reps = s().Get("/api/v1/users?role=rep&status=active&limit=1", admin()).Json();
  const std::string rep_id = reps["items"][0]["id"];
  const std::string token = s().Login(reps["items"][0]["email"]);
  const std::int64_t outside = company_->Count(
      "SELECT min(o.id) FROM opportunities o JOIN accounts a ON a.id = o.account_id WHERE "
      "a.owner_id <> ? AND o.owner_id <> ? AND NOT EXISTS (SELECT 1 FROM account_team_members m "
      "WHERE m.account_id = a.id AND m.user_id = ?) AND a.territory_id NOT IN (SELECT id FROM "
      "territories WHERE owner_id = ?)",
      {std::stoll(rep_id), std::stoll(rep_id), std::stoll(rep_id), std::stoll(rep_id)});
  ASSERT_GT(outside, 0);
  const std::string path = "/api/v1/opportunities/" + std::to_string(outside) + "/blue-sheet";
  EXPECT_EQ(s().Get(path, token).status, 404);
  testing::HttpCall put{"PUT", path, "{}", token};
  EXPECT_EQ(s().Call(put).status, 404);
  EXPECT_EQ(s().Get(path, admin()).status, 200);
}

TEST_P(BlueSheetApiTest, TheStakeholderMapPlacesEveryoneAndSaysWhoIsMissing) {
  // An account of its own: two clinicians and a detractor in procurement, nobody on the board.
  const std::string account =
      s().Post("/api/v1/accounts", {{"name", "Stakeholder Test Hospital"}, {"type", "hospital"}},
               admin())
          .Json()["id"];
  auto add = [&](const json& fields) {
    json body = fields;
    body["account_id"] = account;
    const auto reply = s().Post("/api/v1/contacts", body, admin());
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.Json()["id"].get<std::string>();
  };
  const std::string lead = add({{"first_name", "Ada"},
                                {"last_name", "Lead"},
                                {"function", "clinician"},
                                {"colour", "red"},
                                {"influence", "high"}});
  const std::string nurse = add({{"first_name", "Ben"},
                                 {"last_name", "Nurse"},
                                 {"function", "clinician"},
                                 {"reports_to_id", lead}});
  const std::string buyer = add({{"first_name", "Cara"},
                                 {"last_name", "Buyer"},
                                 {"function", "procurement"},
                                 {"stance", "detractor"}});
  const json map = s().Get("/api/v1/accounts/" + account + "/stakeholder-map", admin()).Json();
  ASSERT_EQ(map["contacts"].size(), 3u);
  std::map<std::string, json> by_id;
  for (const auto& c : map["contacts"]) by_id[c["id"]] = c;
  EXPECT_EQ(by_id[nurse]["reports_to_id"], lead);
  EXPECT_EQ(by_id[lead]["colour"], "red");
  EXPECT_EQ(by_id[buyer]["stance"], "detractor");
  std::set<std::string> missing;
  for (const auto& m : map["missing"]) missing.insert(m["code"]);
  EXPECT_EQ(missing, (std::set<std::string>{"no_board", "no_finance", "no_advocate"}));

  // Reporting lines stay inside the customer and never go round in a circle.
  const std::string elsewhere = std::to_string(
      company_->Count("SELECT min(id) FROM contacts WHERE account_id <> ?", {std::stoll(account)}));
  auto refused = s().Patch("/api/v1/contacts/" + lead, {{"reports_to_id", elsewhere}}, admin());
  EXPECT_EQ(refused.status, 422) << refused.body;
  refused = s().Patch("/api/v1/contacts/" + lead, {{"reports_to_id", nurse}}, admin());
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("circle"), std::string::npos);
  EXPECT_EQ(s().Patch("/api/v1/contacts/" + buyer, {{"reports_to_id", lead}}, admin()).status, 200);
  // An advocate on the board fills two gaps.
  add({{"first_name", "Dev"},
       {"last_name", "Chair"},
       {"function", "executive"},
       {"stance", "advocate"}});
  const json after = s().Get("/api/v1/accounts/" + account + "/stakeholder-map", admin()).Json();
  missing.clear();
  for (const auto& m : after["missing"]) missing.insert(m["code"]);
  EXPECT_EQ(missing, (std::set<std::string>{"no_finance"}));
}

std::int64_t Total(const json& figures) {
  return figures["commit_minor"].get<std::int64_t>() +
         figures["best_case_minor"].get<std::int64_t>() +
         figures["pipeline_minor"].get<std::int64_t>() + figures["won_minor"].get<std::int64_t>();
}

TEST_P(BlueSheetApiTest, TheForecastRollsUpTheManagerHierarchyAndExportsToXlsx) {
  const std::string period = "from=2026-01-01&to=2027-12-31";
  const json forecast = s().Get("/api/v1/reports/forecast?" + period, admin()).Json();
  ASSERT_FALSE(forecast["rows"].empty()) << forecast.dump().substr(0, 300);
  // Each line is its own deals plus its direct reports' lines.
  std::map<std::string, std::int64_t> reports_sum;
  for (const auto& row : forecast["rows"]) {
    if (!row["manager_id"].is_null()) reports_sum[row["manager_id"]] += Total(row["total"]);
  }
  std::int64_t roots = 0;
  for (const auto& row : forecast["rows"]) {
    EXPECT_EQ(Total(row["total"]), Total(row["own"]) + reports_sum[row["user_id"]]) << row["name"];
    if (row["depth"] == 0) roots += Total(row["total"]);
  }
  EXPECT_EQ(Total(forecast["total"]), roots);
  // And the parts match the deals on record.
  EXPECT_EQ(Total(forecast["total"]),
            company_->Count("SELECT coalesce(sum(amount_minor), 0) FROM opportunities WHERE "
                            "close_date >= '2026-01-01' AND close_date <= '2027-12-31' AND stage "
                            "<> 'closed_lost' AND coalesce(forecast_category, '') <> 'omitted'"));
  EXPECT_EQ(forecast["total"]["won_minor"].get<std::int64_t>(),
            company_->Count("SELECT coalesce(sum(amount_minor), 0) FROM opportunities WHERE "
                            "close_date >= '2026-01-01' AND close_date <= '2027-12-31' AND "
                            "stage = 'closed_won'"));

  // The win rate and calls per order come from the deals and activities on record.
  const std::int64_t won_count = company_->Count(
      "SELECT count(*) FROM opportunities WHERE close_date >= '2026-01-01' AND close_date <= "
      "'2027-12-31' AND stage = 'closed_won'");
  const std::int64_t lost_count = company_->Count(
      "SELECT count(*) FROM opportunities WHERE close_date >= '2026-01-01' AND close_date <= "
      "'2027-12-31' AND stage = 'closed_lost'");
  EXPECT_EQ(forecast["total"]["won_count"].get<std::int64_t>(), won_count);
  EXPECT_EQ(forecast["total"]["lost_count"].get<std::int64_t>(), lost_count);
  ASSERT_GT(won_count + lost_count, 0);
  EXPECT_NEAR(forecast["total"]["win_rate"].get<double>(),
              static_cast<double>(won_count) / static_cast<double>(won_count + lost_count), 1e-9);
  const std::int64_t calls = company_->Count(
      "SELECT count(*) FROM activities WHERE kind IN ('call', 'visit') AND occurred_at >= ? AND "
      "occurred_at < ?",
      {DaysFromCivil(2026, 1, 1) * kMicrosPerDay, DaysFromCivil(2028, 1, 1) * kMicrosPerDay});
  EXPECT_EQ(forecast["total"]["calls"].get<std::int64_t>(), calls);
  EXPECT_NEAR(forecast["total"]["calls_per_order"].get<double>(),
              static_cast<double>(calls) / static_cast<double>(won_count), 1e-9);

  // A deal that slips shows among the week's changes; a rep's own call moves it to commit.
  const json deal = FreshOpportunity();
  const std::string path = "/api/v1/opportunities/" + deal["id"].get<std::string>();
  ASSERT_EQ(
      s().Patch(path, {{"close_date", "2027-12-30"}, {"forecast_category", "commit"}}, admin())
          .status,
      200);
  const json after = s().Get("/api/v1/reports/forecast?" + period, admin()).Json();
  bool slipped = false;
  for (const auto& ch : after["changes"]) {
    slipped |= ch["opportunity_id"] == deal["id"] && ch["kind"] == "slipped";
  }
  EXPECT_TRUE(slipped) << after["changes"].dump().substr(0, 400);

  // The XLSX opens in a spreadsheet (openpyxl) and says the same totals.
  const auto xlsx = s().Get("/api/v1/reports/forecast?" + period + "&format=xlsx", admin());
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.Header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  const auto read =
      ReadXlsx(xlsx.body,
               "ws = openpyxl.load_workbook(sys.argv[1])['Forecast']\n"
               "rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] == 'Total']\n"
               "print(round(rows[0][1] * 100), round(rows[0][5] * 100))\n");
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, std::to_string(after["total"]["commit_minor"].get<std::int64_t>()) + " " +
                          std::to_string(after["total"]["won_minor"].get<std::int64_t>()) + "\n");
  const auto csv = s().Get("/api/v1/reports/forecast?" + period + "&format=csv", admin());
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("person,level,commit", 0), 0u) << csv.body.substr(0, 100);
  EXPECT_NE(csv.body.find(",calls,currency"), std::string::npos) << csv.body.substr(0, 200);
  EXPECT_NE(csv.body.find(",GBP"), std::string::npos) << "each row says its amounts' currency";
}

TEST_P(BlueSheetApiTest, WinRateAndDaysPerStageComeFromTheStageChanges) {
  // Two deals in a year no demo deal closes in, moved through their stages over the API.
  const std::string account = std::to_string(company_->Count("SELECT min(id) FROM accounts"));
  auto open = [&](const std::string& name) {
    const auto made = s().Post("/api/v1/opportunities",
                               {{"account_id", account},
                                {"name", name},
                                {"stage", "prospecting"},
                                {"close_date", "2031-06-30"},
                                {"amount_minor", 100000}},
                               admin());
    EXPECT_EQ(made.status, 201) << made.body;
    return made.Json()["id"].get<std::string>();
  };
  auto move = [&](const std::string& id, const json& fields) {
    const auto moved = s().Patch("/api/v1/opportunities/" + id, fields, admin());
    EXPECT_EQ(moved.status, 200) << moved.body;
  };
  const std::string won = open("Stage clock won");
  move(won, {{"stage", "qualification"}});
  move(won, {{"stage", "proposal"}});
  move(won, {{"stage", "closed_won"}});
  const std::string lost = open("Stage clock lost");
  move(lost, {{"stage", "qualification"}});
  move(lost, {{"stage", "closed_lost"}, {"lost_reason", "Price"}});
  // Set the clock: won opened on day 0, qualified on day 10, proposed on day 30, won on day 35;
  // lost opened on day 0, qualified on day 4, lost on day 20.
  const Instant day0 = DaysFromCivil(2031, 1, 5) * kMicrosPerDay;
  auto at = [&](int day) { return day0 + day * kMicrosPerDay; };
  const Status set = company_->database->Write([&](db::Transaction& tx) -> Status {
    auto backdate = [&](const std::string& id, const std::vector<int>& days) -> Status {
      const std::int64_t record = std::stoll(id);
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("UPDATE opportunities SET created_at = ?, closed_at = ? WHERE id = ?",
                     {at(0), at(days.back()), record}));
      RAPPORT_ASSIGN_OR_RETURN(db::Rows moves,
                               tx.Query("SELECT id FROM audit_history WHERE table_name = "
                                        "'opportunities' AND record_id = ? AND field = 'stage' "
                                        "ORDER BY id",
                                        {record}));
      if (moves.size() != days.size()) return Error(ErrorCode::kInternal, "unexpected history");
      for (size_t i = 0; i < moves.size(); ++i) {
        RAPPORT_RETURN_IF_ERROR(tx.Execute("UPDATE audit_history SET changed_at = ? WHERE id = ?",
                                           {at(days[i]), moves[i].Int(0)}));
      }
      return Ok();
    };
    RAPPORT_RETURN_IF_ERROR(backdate(won, {10, 30, 35}));
    return backdate(lost, {4, 20});
  });
  ASSERT_TRUE(set.ok()) << set.error().ToString();

  const json report =
      s().Get("/api/v1/reports/forecast?from=2031-01-01&to=2031-12-31", admin()).Json();
  std::map<std::string, json> stages;
  for (const auto& st : report["stages"]) stages[st["stage"]] = st;
  ASSERT_EQ(stages.size(), 4u) << report["stages"].dump();
  EXPECT_EQ(stages["prospecting"]["deals_reached"], 2);
  EXPECT_EQ(stages["prospecting"]["won"], 1);
  EXPECT_DOUBLE_EQ(stages["prospecting"]["win_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(stages["prospecting"]["average_days"].get<double>(), (10 + 4) / 2.0);
  EXPECT_EQ(stages["qualification"]["deals_reached"], 2);
  EXPECT_DOUBLE_EQ(stages["qualification"]["average_days"].get<double>(), (20 + 16) / 2.0);
  EXPECT_EQ(stages["proposal"]["deals_reached"], 1);
  EXPECT_DOUBLE_EQ(stages["proposal"]["win_rate"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(stages["proposal"]["average_days"].get<double>(), 5.0);
  EXPECT_EQ(stages["negotiation"]["deals_reached"], 0);
  EXPECT_TRUE(stages["negotiation"]["win_rate"].is_null());
  // The same numbers are on the XLSX's Stages sheet.
  const auto xlsx =
      s().Get("/api/v1/reports/forecast?from=2031-01-01&to=2031-12-31&format=xlsx", admin());
  ASSERT_EQ(xlsx.status, 200);
  const auto read = ReadXlsx(
      xlsx.body,
      "ws = openpyxl.load_workbook(sys.argv[1])['Stages']\n"
      "print([(r[0], r[1], r[4]) for r in ws.iter_rows(min_row=2, values_only=True)][:3])\n");
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "[('prospecting', 2, 7), ('qualification', 2, 18), ('proposal', 1, 5)]\n");
}

TEST_P(BlueSheetApiTest, ATargetSplitAddsUpAndShowsAttainmentAndCoverage) {
  // An RSM and two of their reps.
  const json users = s().Get("/api/v1/users?limit=500", admin()).Json()["items"];
  json rsm;
  std::vector<json> reps;
  for (const auto& u : users) {
    if (u["role"] == "rsm" && u["status"] == "active" && rsm.is_null()) rsm = u;
  }
  for (const auto& u : users) {
    if (u["manager_id"] == rsm["id"] && u["status"] == "active") reps.push_back(u);
  }
  ASSERT_GE(reps.size(), 2u);
  const std::string rsm_token = s().Login(rsm["email"]);
  const std::string rep_token = s().Login(reps[0]["email"]);
  const json period = {{"starts_on", "2026-01-01"}, {"ends_on", "2027-12-31"}};

  // A rep cannot set targets; their manager sets the RSM's line target... from above: the admin.
  json body = period;
  body["user_id"] = rsm["id"];
  body["amount_minor"] = 100000000;
  EXPECT_EQ(s().Post("/api/v1/targets", body, rep_token).status, 403);
  EXPECT_EQ(s().Post("/api/v1/targets", body, rsm_token).status, 403) << "nobody sets their own";
  const auto created = s().Post("/api/v1/targets", body, admin());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json()["id"];
  const std::string split = "/api/v1/targets/" + id + "/split";

  // The RSM splits it across two reps: it must add up.
  auto put = [&](const json& splits, const std::string& token) {
    testing::HttpCall call{"PUT", split, json{{"splits", splits}}.dump(), token};
    return s().Call(call);
  };
  auto short_split = put({{{"user_id", reps[0]["id"]}, {"amount_minor", 60000000}},
                          {{"user_id", reps[1]["id"]}, {"amount_minor", 30000000}}},
                         rsm_token);
  EXPECT_EQ(short_split.status, 422) << short_split.body;
  EXPECT_NE(short_split.body.find("add up"), std::string::npos);
  // A rep does not even see their manager's target.
  EXPECT_EQ(put({{{"user_id", reps[0]["id"]}, {"amount_minor", 60000000}}}, rep_token).status, 404);
  const auto done = put({{{"user_id", reps[0]["id"]}, {"amount_minor", 60000000}},
                         {{"user_id", reps[1]["id"]}, {"amount_minor", 40000000}}},
                        rsm_token);
  ASSERT_EQ(done.status, 200) << done.body;
  const json target = done.Json();
  EXPECT_EQ(target["unallocated_minor"], 0);
  ASSERT_EQ(target["splits"].size(), 2u);
  std::int64_t parts = 0;
  for (const auto& part : target["splits"]) parts += part["amount_minor"].get<std::int64_t>();
  EXPECT_EQ(parts, target["amount_minor"].get<std::int64_t>());

  // Attainment is what is won against the target, by the RSM's whole line.
  const std::int64_t won = company_->Count(
      "WITH RECURSIVE line(id) AS (SELECT id FROM users WHERE id = ? UNION SELECT u.id FROM "
      "users u JOIN line ON "
      "u.manager_id = line.id) SELECT coalesce(sum(amount_minor), 0) FROM opportunities WHERE "
      "stage = 'closed_won' AND close_date >= '2026-01-01' AND close_date <= '2027-12-31' AND "
      "owner_id IN (SELECT id FROM line)",
      {std::stoll(rsm["id"].get<std::string>())});
  EXPECT_EQ(target["won_minor"].get<std::int64_t>(), won);
  EXPECT_NEAR(target["attainment"].get<double>(), won / 100000000.0, 1e-9);

  // The rep splits their part across an account and a deal of their own.
  const std::string rep_part = target["splits"][0]["user_id"] == reps[0]["id"]
                                   ? target["splits"][0]["id"].get<std::string>()
                                   : target["splits"][1]["id"].get<std::string>();
  const std::int64_t account = company_->Count("SELECT min(id) FROM accounts WHERE owner_id = ?",
                                               {std::stoll(reps[0]["id"].get<std::string>())});
  const std::int64_t deal = company_->Count("SELECT min(id) FROM opportunities WHERE owner_id = ?",
                                            {std::stoll(reps[0]["id"].get<std::string>())});
  testing::HttpCall book{
      "PUT", "/api/v1/targets/" + rep_part + "/split",
      json{{"splits",
            {{{"account_id", std::to_string(account)}, {"amount_minor", 50000000}},
             {{"opportunity_id", std::to_string(deal)}, {"amount_minor", 10000000}}}}}
          .dump(),
      rep_token};
  const auto booked = s().Call(book);
  ASSERT_EQ(booked.status, 200) << booked.body;
  EXPECT_EQ(booked.Json()["splits"].size(), 2u);
  // The rep sees their own targets, not their peer's.
  const json mine = s().Get("/api/v1/targets/" + rep_part, rep_token).Json();
  EXPECT_EQ(mine["user_id"], reps[0]["id"]);
  const std::string peer_part = target["splits"][0]["user_id"] == reps[0]["id"]
                                    ? target["splits"][1]["id"].get<std::string>()
                                    : target["splits"][0]["id"].get<std::string>();
  EXPECT_EQ(s().Get("/api/v1/targets/" + peer_part, rep_token).status, 404);
}

TEST_P(BlueSheetApiTest, ATargetSplitByTerritoryShowsEachTerritorysCoverage) {
  // An RSM whose people have open deals in two territories or more in the period.
  const std::string period_sql = "o.close_date >= '2026-01-01' AND o.close_date <= '2027-12-31'";
  const std::string line =
      "(WITH RECURSIVE line(id) AS (SELECT CAST(? AS BIGINT) UNION SELECT u.id FROM users u JOIN "
      "line ON u.manager_id = line.id) SELECT id FROM line)";
  const std::string open_deals =
      " FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN users u ON u.id = "
      "o.owner_id WHERE o.stage NOT IN ('closed_won', 'closed_lost') AND a.territory_id IS NOT "
      "NULL AND " +
      period_sql;
  const std::int64_t rsm_id = company_->Count(
      "SELECT min(r.id) FROM users r WHERE r.role = 'rsm' AND r.status = 'active' AND (SELECT "
      "count(DISTINCT a.territory_id)" +
      open_deals + " AND u.manager_id = r.id) >= 2");
  ASSERT_GT(rsm_id, 0);
  const json rsm = s().Get("/api/v1/users/" + std::to_string(rsm_id), admin()).Json();
  const std::string token = s().Login(rsm["email"]);
  std::vector<std::int64_t> territories;
  const Status read = company_->database->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query("SELECT a.territory_id" + open_deals + " AND o.owner_id IN " + line +
                     " GROUP BY a.territory_id ORDER BY a.territory_id LIMIT 2",
                 {rsm_id}));
    for (const auto& row : rows) territories.push_back(row.Int(0));
    return Ok();
  });
  ASSERT_TRUE(read.ok() && territories.size() == 2u);

  json body = {{"user_id", rsm["id"]},
               {"starts_on", "2026-01-01"},
               {"ends_on", "2027-12-31"},
               {"amount_minor", 90000000}};
  const auto created = s().Post("/api/v1/targets", body, admin());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json()["id"];
  // The RSM splits their target across the two territories; a territory that does not exist is
  // named.
  auto split = [&](const json& splits) {
    return s().Call(testing::HttpCall{"PUT", "/api/v1/targets/" + id + "/split",
                                      json{{"splits", splits}}.dump(), token});
  };
  const auto unknown = split({{{"territory_id", "999999"}, {"amount_minor", 90000000}}});
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_NE(unknown.body.find("splits[0].territory_id"), std::string::npos) << unknown.body;
  const auto done =
      split({{{"territory_id", std::to_string(territories[0])}, {"amount_minor", 60000000}},
             {{"territory_id", std::to_string(territories[1])}, {"amount_minor", 30000000}}});
  ASSERT_EQ(done.status, 200) << done.body;
  const json target = done.Json();
  ASSERT_EQ(target["splits"].size(), 2u);
  for (const auto& part : target["splits"]) {
    // The deals of the RSM and their people on the territory's accounts (and those of
    // territories under it).
    const std::string in_territory =
        "o.account_id IN (SELECT id FROM accounts WHERE territory_id IN (WITH RECURSIVE sub(id) "
        "AS (SELECT id FROM territories WHERE id = ? UNION SELECT c.id FROM territories c JOIN "
        "sub ON c.parent_id = sub.id) SELECT id FROM sub)) AND o.owner_id IN " +
        line + " AND " + period_sql;
    const db::Params territory = {std::stoll(part["territory_id"].get<std::string>()), rsm_id};
    const std::int64_t won = company_->Count(
        "SELECT coalesce(sum(amount_minor), 0) FROM opportunities o WHERE stage = 'closed_won' "
        "AND " +
            in_territory,
        territory);
    const std::int64_t open = company_->Count(
        "SELECT coalesce(sum(amount_minor), 0) FROM opportunities o WHERE stage NOT IN "
        "('closed_won', 'closed_lost') AND " +
            in_territory,
        territory);
    ASSERT_GT(open, 0);
    EXPECT_FALSE(part["territory_name"].is_null());
    EXPECT_EQ(part["won_minor"].get<std::int64_t>(), won);
    EXPECT_EQ(part["open_pipeline_minor"].get<std::int64_t>(), open);
    const std::int64_t amount = part["amount_minor"];
    EXPECT_NEAR(part["attainment"].get<double>(), static_cast<double>(won) / amount, 1e-9);
    if (won < amount) {
      EXPECT_NEAR(part["coverage"].get<double>(), static_cast<double>(open) / (amount - won), 1e-9);
    }
  }
  EXPECT_EQ(s().Get("/api/v1/targets/" + id, token).Json()["unallocated_minor"], 0);
  // A target can also be set on a territory from the start, and is found by it.
  body["territory_id"] = std::to_string(territories[1]);
  const auto direct = s().Post("/api/v1/targets", body, admin());
  ASSERT_EQ(direct.status, 201) << direct.body;
  const json listed =
      s().Get("/api/v1/targets?territory_id=" + std::to_string(territories[1]), token).Json();
  ASSERT_EQ(listed["items"].size(), 1u) << listed.dump().substr(0, 300);
  EXPECT_EQ(listed["items"][0]["id"], direct.Json()["id"]);
  EXPECT_EQ(listed["items"][0]["open_pipeline_minor"], target["splits"][1]["open_pipeline_minor"]);
}

TEST_P(BlueSheetApiTest, ACallPlanIsReviewedAndCountsInTheManagersCoachingView) {
  const json reps =
      s().Get("/api/v1/users?role=rep&status=active&limit=5", admin()).Json()["items"];
  const json rep = reps[reps.size() - 1];
  const std::string token = s().Login(rep["email"]);
  const json account =
      s().Get("/api/v1/accounts?limit=1&owner_id=" + rep["id"].get<std::string>(), token)
          .Json()["items"][0];
  const json contacts =
      s().Get("/api/v1/contacts?limit=2&account_id=" + account["id"].get<std::string>(), token)
          .Json()["items"];
  ASSERT_FALSE(contacts.empty());
  const std::int64_t elsewhere =
      company_->Count("SELECT min(id) FROM contacts WHERE account_id <> ?",
                      {std::stoll(account["id"].get<std::string>())});
  json plan = {{"account_id", account["id"]},
               {"planned_for", "2026-12-02T09:30:00Z"},
               {"best_action", "Agree a trial of the new pumps on two wards"},
               {"minimum_action", "A meeting with the ward manager booked"},
               {"questions", "Who signs off trials?"},
               {"contact_ids", {std::to_string(elsewhere)}}};
  const auto refused = s().Post("/api/v1/call-plans", plan, token);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("contact_ids[0]"), std::string::npos);
  plan["contact_ids"] = {contacts[0]["id"]};
  const auto created = s().Post("/api/v1/call-plans", plan, token);
  ASSERT_EQ(created.status, 201) << created.body;
  const json made = created.Json();
  EXPECT_EQ(made["user_id"], rep["id"]);
  EXPECT_EQ(made["contact_ids"], json::array({contacts[0]["id"]}));
  EXPECT_TRUE(made["reviewed_at"].is_null());
  const auto reviewed =
      s().Patch("/api/v1/call-plans/" + made["id"].get<std::string>(),
                {{"outcome", "best"}, {"review_notes", "Trial agreed for March"}}, token);
  ASSERT_EQ(reviewed.status, 200) << reviewed.body;
  EXPECT_FALSE(reviewed.Json()["reviewed_at"].is_null());

  // The rep's manager sees it in the coaching view.
  const json users = s().Get("/api/v1/users?limit=500", admin()).Json()["items"];
  std::string manager_email;
  for (const auto& u : users) {
    if (u["id"] == rep["manager_id"]) manager_email = u["email"];
  }
  const json coaching =
      s().Get("/api/v1/reports/coaching?since=2026-11-01", s().Login(manager_email)).Json();
  bool found = false;
  for (const auto& row : coaching["items"]) {
    if (row["user_id"] != rep["id"]) continue;
    found = true;
    EXPECT_GE(row["planned"].get<int>(), 1);
    EXPECT_GE(row["reviewed"].get<int>(), 1);
    EXPECT_GE(row["best_action_won"].get<int>(), 1);
  }
  EXPECT_TRUE(found) << coaching.dump().substr(0, 300);
}

TEST_P(BlueSheetApiTest, SegmentationProposesADesignationAndImportsMarketDataWithItsChanges) {
  // A customer with a big potential we hardly touch is for hunting.
  const std::int64_t id = company_->Count(
      "SELECT min(a.id) FROM accounts a JOIN account_revenue r ON r.account_id = a.id WHERE "
      "a.type = 'hospital' AND r.revenue_12m_minor > 0 AND a.designation IS NULL");
  ASSERT_GT(id, 0);
  const std::string account = std::to_string(id);
  const std::int64_t current =
      company_->Count("SELECT revenue_12m_minor FROM account_revenue WHERE account_id = ?", {id});
  ASSERT_EQ(s().Patch("/api/v1/accounts/" + account,
                      {{"potential_value_minor", current * 10 + 100000000},
                       {"competitor_share_percent", 70},
                       {"market_data_on", "2020-01-01"}},
                      admin())
                .status,
            200);
  auto row_of = [&](const std::string& token) {
    const json report =
        s().Get("/api/v1/reports/segmentation?limit=500&designation=hunting", token).Json();
    for (const auto& row : report["items"]) {
      if (row["account_id"] == account) return row;
    }
    return json();
  };
  json row = row_of(admin());
  ASSERT_FALSE(row.is_null()) << "not proposed for hunting";
  EXPECT_EQ(row["proposed_designation"], "hunting");
  EXPECT_EQ(row["current_12m_minor"].get<std::int64_t>(), current);
  EXPECT_TRUE(row["market_data_stale"].get<bool>());

  // Set by hand, the designation wins over the rule; the proposal still shows.
  ASSERT_EQ(s().Patch("/api/v1/accounts/" + account, {{"designation", "maintain"}}, admin()).status,
            200);
  EXPECT_TRUE(row_of(admin()).is_null());
  ASSERT_EQ(s().Patch("/api/v1/accounts/" + account, {{"designation", nullptr}}, admin()).status,
            200);

  // Only managers tune the rule; a huge hunting minimum turns the account to maintain.
  const json reps = s().Get("/api/v1/users?role=rep&status=active&limit=1", admin()).Json();
  const std::string rep = s().Login(reps["items"][0]["email"]);
  testing::HttpCall tune{"PUT", "/api/v1/segmentation-rule",
                         json{{"hunting_min_headroom_minor", std::int64_t{1} << 50}}.dump(), rep};
  EXPECT_EQ(s().Call(tune).status, 403);
  tune.token = admin();
  ASSERT_EQ(s().Call(tune).status, 200);
  EXPECT_TRUE(row_of(admin()).is_null());
  tune.body = json{{"hunting_min_headroom_minor", 5000000}}.dump();
  ASSERT_EQ(s().Call(tune).status, 200);

  // Market data: a dry run lists the change and writes nothing; a bad line imports nothing.
  const std::string csv =
      "account,potential_value,potential_units,competitor_share_percent,as_of\n" + account +
      ",2500000.50,1200,35,2026-10-01\n";
  testing::HttpCall import{"POST", "/api/v1/imports/market-data?dry_run=true", csv, admin()};
  import.content_type = "text/csv";
  auto reply = s().Call(import);
  ASSERT_EQ(reply.status, 200) << reply.body;
  json result = reply.Json();
  ASSERT_EQ(result["changes"].size(), 1u);
  EXPECT_EQ(result["changes"][0]["competitor_share_percent"]["was"], 70);
  EXPECT_EQ(result["changes"][0]["competitor_share_percent"]["now"], 35);
  EXPECT_EQ(result["changes"][0]["potential_value_minor"]["now"], 250000050);
  EXPECT_EQ(company_->Count("SELECT competitor_share_percent FROM accounts WHERE id = ?", {id}),
            70);
  import.path = "/api/v1/imports/market-data";
  import.body = csv + account + ",12,lots,20,2026-10-01\n";
  reply = s().Call(import);
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_NE(reply.body.find("line 3.potential_units"), std::string::npos) << reply.body;
  EXPECT_EQ(company_->Count("SELECT competitor_share_percent FROM accounts WHERE id = ?", {id}),
            70);
  import.body = csv;
  reply = s().Call(import);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(company_->Count("SELECT competitor_share_percent FROM accounts WHERE id = ?", {id}),
            35);
  EXPECT_EQ(company_->Count("SELECT potential_value_minor FROM accounts WHERE id = ?", {id}),
            250000050);
  import.content_type = "application/json";
  EXPECT_EQ(s().Call(import).status, 415);
}

TEST_P(BlueSheetApiTest, PotentialCustomersWhoAreNotAccountsYetArriveWithMarketDataAsProspects) {
  // An RSM, and a territory owned in their line.
  const std::int64_t rsm_id = company_->Count(
      "SELECT min(r.id) FROM users r WHERE r.role = 'rsm' AND r.status = 'active' AND EXISTS "
      "(SELECT 1 FROM territories t JOIN users u ON u.id = t.owner_id WHERE u.manager_id = r.id)");
  ASSERT_GT(rsm_id, 0);
  const json rsm = s().Get("/api/v1/users/" + std::to_string(rsm_id), admin()).Json();
  const std::string token = s().Login(rsm["email"]);
  const json territory =
      s().Get("/api/v1/territories/" +
                  std::to_string(company_->Count(
                      "SELECT min(t.id) FROM territories t JOIN users u ON u.id = t.owner_id "
                      "WHERE u.manager_id = ?",
                      {rsm_id})),
              admin())
          .Json();
  const std::string region = "Market test " + std::to_string(GetParam() == db::Backend::kSqlite);
  // Columns in another order, with the new customers' own details; the second has no territory,
  // and an RSM's new customer must land in one of theirs.
  const std::string head =
      "name,account,type,region,territory,as_of,potential_value,potential_units,"
      "competitor_share_percent\n";
  const std::string first = "St Elsewhere Community Hospital,MKT-" + region + "-1,hospital," +
                            region + "," + territory["name"].get<std::string>() +
                            ",2026-11-01,750000,4000,80\n";
  std::string second =
      "Riverside Pharmacy,MKT-" + region + "-2,pharmacy," + region + ",,2026-11-01,20000,300,100\n";
  testing::HttpCall import{"POST", "/api/v1/imports/market-data", head + first + second, token};
  import.content_type = "text/csv";
  auto reply = s().Call(import);
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_NE(reply.body.find("line 3.territory"), std::string::npos) << reply.body;
  const std::string made =
      "SELECT count(*) FROM accounts WHERE external_id LIKE 'MKT-" + region + "%'";
  EXPECT_EQ(company_->Count(made), 0) << "a refused file writes nothing";
  // An unknown column is named.
  import.body = "account,potential_value,potential_units,competitor_share_percent,as_of,beds\n";
  reply = s().Call(import);
  EXPECT_EQ(reply.status, 422);
  EXPECT_NE(reply.body.find("line 1.beds"), std::string::npos) << reply.body;

  // With the territory given: a dry run says what would be added, and adds nothing.
  second.replace(second.find(",,"), 2, "," + territory["name"].get<std::string>() + ",");
  import.body = head + first + second;
  import.path = "/api/v1/imports/market-data?dry_run=true";
  reply = s().Call(import);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json()["created"], 2);
  EXPECT_TRUE(reply.Json()["changes"][0]["new_account"].get<bool>());
  EXPECT_EQ(company_->Count(made), 0);
  import.path = "/api/v1/imports/market-data";
  reply = s().Call(import);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json()["created"], 2);
  EXPECT_EQ(company_->Count(made + " AND status = 'prospect' AND territory_id = ?",
                            {std::stoll(territory["id"].get<std::string>())}),
            2);

  // They are in the region's segmentation as prospects, with their potential.
  const json report = s().Get("/api/v1/reports/segmentation?status=prospect&region=" +
                                  std::regex_replace(region, std::regex(" "), "%20"),
                              token)
                          .Json();
  ASSERT_EQ(report["items"].size(), 2u) << report.dump().substr(0, 400);
  EXPECT_EQ(report["items"][0]["name"], "St Elsewhere Community Hospital");
  EXPECT_EQ(report["items"][0]["status"], "prospect");
  EXPECT_EQ(report["items"][0]["potential_value_minor"], 75000000);
  EXPECT_EQ(report["items"][0]["current_12m_minor"], 0);
  EXPECT_EQ(report["items"][0]["competitor_share_percent"], 80);
  EXPECT_EQ(report["items"][0]["designation"], "hunting")
      << "£750,000 of headroom, none of it ours";
  // The same file again matches them by their external ids: nothing new, nothing changed.
  reply = s().Call(import);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Json()["created"], 0);
  EXPECT_EQ(reply.Json()["changed"], 0);
  EXPECT_EQ(company_->Count(made), 2);
}

TEST_P(BlueSheetApiTest, AnAdvisoryBoardRecordsWhichKolsCameAndWhatTheySaid) {
  const json opportunity = FreshOpportunity();
  const std::string account = opportunity["account_id"];
  const json contacts =
      s().Get("/api/v1/contacts?account_id=" + account + "&limit=3", admin()).Json()["items"];
  ASSERT_GE(contacts.size(), 2u);
  const std::string kol = contacts[0]["id"], other = contacts[1]["id"];
  ASSERT_EQ(s().Patch("/api/v1/contacts/" + kol, {{"kol", true}}, admin()).status, 200);
  json body = {{"name", "Infusion safety advisory board"},
               {"held_on", Today(-3)},
               {"account_id", account},
               {"members",
                {{{"contact_id", kol}, {"status", "attended"}, {"said", "Alarms need a ward view"}},
                 {{"contact_id", other}, {"status", "declined"}}}}};
  // Each member once, with a status the board knows.
  json twice = body;
  twice["members"][1]["contact_id"] = kol;
  const auto refused = s().Post("/api/v1/advisory-boards", twice, admin());
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.Json()["errors"][0]["field"], "members[1].contact_id");
  json odd = body;
  odd["members"][0]["status"] = "maybe";
  EXPECT_EQ(s().Post("/api/v1/advisory-boards", odd, admin()).Json()["errors"][0]["field"],
            "members[0].status");

  const auto made = s().Post("/api/v1/advisory-boards", body, admin());
  ASSERT_EQ(made.status, 201) << made.body;
  const json board = made.Json();
  EXPECT_EQ(board["invited"], 2);
  EXPECT_EQ(board["attended"], 1);
  bool heard = false;
  for (const auto& m : board["members"]) {
    if (m["contact_id"] != kol) continue;
    heard =
        m["said"] == "Alarms need a ward view" && m["kol"] == true && m["account_id"] == account;
  }
  EXPECT_TRUE(heard) << board.dump();
  // Someone who does not reach the host account does not see the board.
  const std::int64_t outsider = company_->Count(
      "SELECT min(u.id) FROM users u WHERE u.role = 'rep' AND u.status = 'active' AND NOT EXISTS "
      "(SELECT 1 FROM accounts a WHERE a.id = ? AND (a.owner_id = u.id OR a.territory_id IN "
      "(SELECT id FROM territories WHERE owner_id = u.id))) AND NOT EXISTS (SELECT 1 FROM "
      "account_team_members m WHERE m.account_id = ? AND m.user_id = u.id)",
      {std::stoll(account), std::stoll(account)});
  const json who = s().Get("/api/v1/users/" + std::to_string(outsider), admin()).Json();
  const std::string token = s().Login(who["email"]);
  EXPECT_EQ(s().Get("/api/v1/advisory-boards/" + board["id"].get<std::string>(), token).status,
            404);
}

INSTANTIATE_TEST_SUITE_P(Backends, BlueSheetApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::selling
