// The company's currency and dated exchange rates through the real binary over SQLite and
// PostgreSQL: admins keep them, everyone reads them, bad ones are refused naming the field, and
// the forecast and targets add deals in other currencies up at the rate of their close date.
#include <gtest/gtest.h>

#include <string>

#include "support/demo_company.hpp"
#include "support/test_clock.hpp"

namespace rapport::settings {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::HttpReply;

using ::rapport::testing::ExpectProblem;

class CurrencyApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
    rep_user_ = s().Get("/api/v1/users?role=rep&status=active&limit=1", admin()).Json()["items"][0];
    rep_ = s().Login(rep_user_["email"]);
  }
  ApiServer& s() { return *company_->server; }
  const std::string& admin() { return company_->admin; }
  json AddRate(const std::string& currency, const std::string& from, std::int64_t micros) {
    const HttpReply made =
        s().Post("/api/v1/exchange-rates",
                 {{"currency", currency}, {"valid_from", from}, {"rate_micros", micros}}, admin());
    EXPECT_EQ(made.status, 201) << made.body;
    return made.Json();
  }
  // A deal of the rep's, committed, closing on `close_date`.
  void AddDeal(const std::string& currency, std::int64_t amount, const std::string& close_date,
               const std::string& stage = "proposal") {
    const std::string account =
        s().Get("/api/v1/accounts?limit=1&owner_id=" + rep_user_["id"].get<std::string>(), rep_)
            .Json()["items"][0]["id"];
    const HttpReply made = s().Post("/api/v1/opportunities",
                                    {{"account_id", account},
                                     {"name", "Deal in " + currency},
                                     {"amount_minor", amount},
                                     {"currency", currency},
                                     {"close_date", close_date},
                                     {"stage", stage},
                                     {"forecast_category", "commit"}},
                                    rep_);
    ASSERT_EQ(made.status, 201) << made.body;
  }
  // Years of the test's own per backend, so that the two runs do not see each other's deals.
  std::string Year(int offset) {
    return std::to_string((GetParam() == db::Backend::kSqlite ? 2061 : 2071) + offset);
  }

  DemoCompany* company_ = nullptr;
  json rep_user_;
  std::string rep_;
};

TEST_P(CurrencyApiTest, AdminsKeepTheCompanysCurrencyAndEveryoneReadsIt) {
  const HttpReply got = s().Get("/api/v1/company-settings", rep_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json()["currency"], "GBP");
  EXPECT_EQ(
      s().Call({"PUT", "/api/v1/company-settings", json{{"currency", "USD"}}.dump(), rep_}).status,
      403);
  ExpectProblem(
      s().Call({"PUT", "/api/v1/company-settings", json{{"currency", "usd"}}.dump(), admin()}), 422,
      "currency");
  ExpectProblem(
      s().Call({"PUT", "/api/v1/company-settings", json{{"colour", "blue"}}.dump(), admin()}), 422,
      "colour");

  const HttpReply changed =
      s().Call({"PUT", "/api/v1/company-settings", json{{"currency", "USD"}}.dump(), admin()});
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json()["currency"], "USD");
  EXPECT_EQ(s().Get("/api/v1/company-settings", rep_).Json()["currency"], "USD");
  // A new deal that names no currency is in the company's.
  const std::string account = s().Get("/api/v1/accounts?limit=1", rep_).Json()["items"][0]["id"];
  const HttpReply deal = s().Post(
      "/api/v1/opportunities",
      {{"account_id", account}, {"name", "Dollar deal"}, {"close_date", "2040-01-31"}}, rep_);
  ASSERT_EQ(deal.status, 201) << deal.body;
  EXPECT_EQ(deal.Json()["currency"], "USD");
  // Back as it was, for the other tests.
  ASSERT_EQ(s().Call({"PUT", "/api/v1/company-settings", json{{"currency", "GBP"}}.dump(), admin()})
                .status,
            200);
}

TEST_P(CurrencyApiTest, RatesAreKeptByAdminsAndBadOnesRefusedNamingTheField) {
  const json rate = AddRate("CHF", Year(0) + "-01-01", 1'130'000);
  EXPECT_EQ(rate["rate_micros"], 1'130'000);
  const HttpReply listed = s().Get("/api/v1/exchange-rates?currency=CHF&sort=valid_from", rep_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.Json()["items"].size(), 1u);

  EXPECT_EQ(
      s().Post("/api/v1/exchange-rates",
               {{"currency", "CHF"}, {"valid_from", Year(0) + "-02-01"}, {"rate_micros", 1}}, rep_)
          .status,
      403);
  EXPECT_EQ(
      s().Post(
             "/api/v1/exchange-rates",
             {{"currency", "CHF"}, {"valid_from", Year(0) + "-01-01"}, {"rate_micros", 1'140'000}},
             admin())
          .status,
      409)
      << "one rate per currency and day";
  ExpectProblem(
      s().Post("/api/v1/exchange-rates",
               {{"currency", "GBP"}, {"valid_from", "2030-01-01"}, {"rate_micros", 1}}, admin()),
      422, "currency");
  ExpectProblem(
      s().Post("/api/v1/exchange-rates",
               {{"currency", "CHF"}, {"valid_from", "2030-01-01"}, {"rate_micros", 0}}, admin()),
      422, "rate_micros");
  ExpectProblem(
      s().Post("/api/v1/exchange-rates",
               {{"currency", "CHF"}, {"valid_from", "1 May"}, {"rate_micros", 1}}, admin()),
      422, "valid_from");
  // A currency with rates of its own cannot become the company's.
  ExpectProblem(
      s().Call({"PUT", "/api/v1/company-settings", json{{"currency", "CHF"}}.dump(), admin()}), 422,
      "currency");
}

TEST_P(CurrencyApiTest, RatesImportFromAFileAsSalesforceExportsThem) {
  auto upload = [&](const std::string& csv, const std::string& token) {
    testing::HttpCall call{"POST", "/api/v1/exchange-rates/import", csv, token};
    call.content_type = "text/csv";
    return s().Call(call);
  };
  const std::string file = "IsoCode,StartDate,ConversionRate\r\nSEK," + Year(1) +
                           "-01-01,11.9876543\r\nSEK," + Year(1) + "-06-01,12.10\r\n";
  EXPECT_EQ(upload(file, rep_).status, 403);
  const HttpReply first = upload(file, admin());
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Json()["created"], 2);
  const json rates =
      s().Get("/api/v1/exchange-rates?currency=SEK&sort=valid_from", rep_).Json()["items"];
  ASSERT_EQ(rates.size(), 2u);
  EXPECT_EQ(rates[0]["rate_micros"], 11'987'654);  // the seventh decimal, 3, rounds down
  EXPECT_EQ(rates[1]["rate_micros"], 12'100'000);

  // Again with June's rate corrected: one changed, none added.
  const HttpReply again = upload("currency,valid_from,rate\nSEK," + Year(1) +
                                     "-01-01,11.9876543\nSEK," + Year(1) + "-06-01,12.2\n",
                                 admin());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["created"], 0);
  EXPECT_EQ(again.Json()["changed"], 1);

  // A bad row anywhere: every problem named by line and column, nothing written.
  const HttpReply bad = upload(
      "currency,valid_from,rate\nNOK," + Year(1) + "-01-01,10.5\nsek,2062-13-01,-1\n", admin());
  ExpectProblem(bad, 422, "line 3.currency");
  ExpectProblem(bad, 422, "line 3.valid_from");
  ExpectProblem(bad, 422, "line 3.rate");
  EXPECT_EQ(s().Get("/api/v1/exchange-rates?currency=NOK", admin()).Json()["items"].size(), 0u);
  ExpectProblem(upload("currency,rate\nNOK,10\n", admin()), 422, "body");
}

TEST_P(CurrencyApiTest, TheForecastAddsDealsUpInTheCompanysCurrencyAtTheirCloseDatesRate) {
  // Euros: 1.25 to the pound until July, 1.20 from then.
  AddRate("EUR", Year(0) + "-01-01", 1'250'000);
  AddRate("EUR", Year(0) + "-07-01", 1'200'000);
  AddDeal("EUR", 12'000'00, Year(0) + "-08-15");  // at 1.20: £10,000.00
  AddDeal("EUR", 5'000'00, Year(0) + "-03-10");   // at 1.25: £4,000.00
  AddDeal("GBP", 2'500'00, Year(0) + "-05-01");
  AddDeal("EUR", 1'250'00, Year(0) + "-09-30", "closed_won");  // won at 1.20: £1,041.67
  AddDeal("XAU", 99'00, Year(0) + "-04-01");                   // no rate: left out, and said

  const HttpReply got =
      s().Get("/api/v1/reports/forecast?from=" + Year(0) + "-01-01&to=" + Year(0) + "-12-31", rep_);
  ASSERT_EQ(got.status, 200) << got.body;
  const json forecast = got.Json();
  EXPECT_EQ(forecast["currency"], "GBP");
  EXPECT_EQ(forecast["total"]["commit_minor"], 10'000'00 + 4'000'00 + 2'500'00);
  EXPECT_EQ(forecast["total"]["won_minor"], 1'041'67);
  EXPECT_EQ(forecast["unconverted"], json::parse(R"([{"currency":"XAU","deals":1}])"));

  // A target in euros counts pounds at the same dates' rates: £2,500 on 1 May is €3,125.
  const HttpReply target = s().Post("/api/v1/targets",
                                    {{"user_id", rep_user_["id"]},
                                     {"starts_on", Year(0) + "-04-01"},
                                     {"ends_on", Year(0) + "-06-30"},
                                     {"amount_minor", 10'000'00},
                                     {"currency", "EUR"}},
                                    admin());
  ASSERT_EQ(target.status, 201) << target.body;
  EXPECT_EQ(target.Json()["open_pipeline_minor"], 3'125'00) << target.body;
}

TEST_P(CurrencyApiTest, AnAccountsRevenueIsInTheCompanysCurrencyAtEachMonthsRate) {
  const std::string this_month = testing::TestDate().substr(0, 7);
  const std::string year = this_month.substr(0, 4);
  // A new account with this month's sales in pounds and in Danish kroner (8.50 to the pound),
  // and two lines in Icelandic krónur, which have no rate.
  const HttpReply made = s().Post(
      "/api/v1/accounts", {{"name", "Aarhus Private Hospital"}, {"type", "hospital"}}, admin());
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string account = made.Json()["id"];
  AddRate("DKK", year + "-01-01", 8'500'000);
  const std::int64_t product = company_->Count("SELECT min(id) FROM products");
  ASSERT_TRUE(company_->database
                  ->Write([&](db::Transaction& tx) -> Status {
                    for (const auto& [amount, currency] :
                         {std::pair<std::int64_t, std::string>{1'000'00, "GBP"},
                          {8'500'00, "DKK"},
                          {50'000'00, "ISK"},
                          {70'000'00, "ISK"}}) {
                      RAPPORT_RETURN_IF_ERROR(tx.Execute(
                          "INSERT INTO sales_lines (account_id, product_id, period, "
                          "revenue_minor, currency, created_at) VALUES (?, ?, ?, ?, ?, 0)",
                          {std::stoll(account), product, this_month, amount, currency}));
                    }
                    return Ok();
                  })
                  .ok());
  const HttpReply overview = s().Get("/api/v1/accounts/" + account + "/overview", admin());
  ASSERT_EQ(overview.status, 200) << overview.body;
  const json revenue = overview.Json()["revenue"];
  EXPECT_EQ(revenue["currency"], "GBP");
  EXPECT_EQ(revenue["this_year"]["total_minor"], 2'000'00) << revenue.dump();
  EXPECT_EQ(revenue["unconverted"],
            json::parse(R"([{"currency":"ISK","total_minor":12000000,"lines":2}])"))
      << revenue.dump();
}

INSTANTIATE_TEST_SUITE_P(Backends, CurrencyApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::settings
