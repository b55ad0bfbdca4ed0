// An opportunity's line items through the real binary over SQLite and PostgreSQL: products on the
// deal priced in its currency, totals to the minor unit, the amount kept as their sum, bad lines
// refused naming the line and field with nothing changed, and each change in the deal's trail.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/demo_company.hpp"
#include "support/test_clock.hpp"

namespace rapport::selling {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::HttpReply;

using ::rapport::testing::ExpectProblem;

class LineItemsApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
  }
  ApiServer& s() { return *company_->server; }
  const std::string& admin() { return company_->admin; }

  // A product of the test's own, priced in `currency`.
  std::string MakeProduct(const std::string& sku, std::int64_t list_price,
                          const std::string& currency) {
    const HttpReply made = s().Post("/api/v1/products",
                                    {{"sku", sku},
                                     {"name", "Product " + sku},
                                     {"family", "Infusion"},
                                     {"list_price_minor", list_price},
                                     {"currency", currency}},
                                    admin());
    EXPECT_EQ(made.status, 201) << made.body;
    return made.Json().value("id", "");
  }
  // A new deal in GBP on some account.
  json MakeDeal(const json& extra = json::object()) {
    const std::string account =
        s().Get("/api/v1/accounts?limit=1", admin()).Json()["items"][0]["id"];
    json body = {{"account_id", account},
                 {"name", "Pumps for the new wing"},
                 {"close_date", testing::TestDate(60)},
                 {"amount_minor", 5'000'00},
                 {"currency", "GBP"}};
    body.update(extra);
    if (extra.contains("line_items")) body.erase("amount_minor");
    const HttpReply made = s().Post("/api/v1/opportunities", body, admin());
    EXPECT_EQ(made.status, 201) << made.body;
    return made.Json();
  }
  // Unique across the tests of the process (they share the demo company).
  std::string Suffix() {
    static int n = 0;
    return std::string(GetParam() == db::Backend::kSqlite ? "S" : "P") + std::to_string(++n);
  }

  DemoCompany* company_ = nullptr;
};

TEST_P(LineItemsApiTest, LinesPriceTheDealAndItsAmountIsTheirTotal) {
  const std::string sx = Suffix();
  const std::string pump = MakeProduct("PUMP-" + sx, 1'000'00, "GBP");
  const std::string set = MakeProduct("SET-" + sx, 500'00, "EUR");
  const json deal = MakeDeal();
  const std::string path = "/api/v1/opportunities/" + deal["id"].get<std::string>();
  EXPECT_EQ(deal["line_items"], json::array());
  EXPECT_EQ(deal["amount_minor"], 5'000'00);

  const json lines = {{{"product_id", pump}, {"quantity", 3}, {"discount_percent", 10}},
                      {{"product_id", set},
                       {"quantity", 2},
                       {"list_price_minor", 450'00},
                       {"sale_price_minor", 400'00},
                       {"description", "giving sets, boxed"}}};
  const HttpReply priced =
      s().Patch(path, {{"line_items", lines}}, admin(), "\"v" + deal["version"].dump() + "\"");
  ASSERT_EQ(priced.status, 200) << priced.body;
  const json got = priced.Json();
  ASSERT_EQ(got["line_items"].size(), 2u);
  const json& first = got["line_items"][0];
  EXPECT_EQ(first["product_id"], pump);
  EXPECT_EQ(first["sku"], "PUMP-" + sx);
  EXPECT_EQ(first["list_price_minor"], 1'000'00);  // the product's, both in GBP
  EXPECT_EQ(first["sale_price_minor"], 1'000'00);  // the list price when not given
  EXPECT_EQ(first["total_minor"], 2'700'00);
  EXPECT_EQ(got["line_items"][1]["total_minor"], 800'00);
  EXPECT_EQ(got["line_items"][1]["description"], "giving sets, boxed");
  EXPECT_EQ(got["amount_minor"], 3'500'00);
  EXPECT_GT(got["version"], deal["version"]);
  EXPECT_EQ(s().Get(path, admin()).Json()["line_items"], got["line_items"]);

  // The amount is the lines' now: the same value may be sent back (a form's echo), another not.
  EXPECT_EQ(s().Patch(path, {{"amount_minor", 3'500'00}, {"next_step", "Send the quote"}}, admin())
                .status,
            200);
  ExpectProblem(s().Patch(path, {{"amount_minor", 9'000'00}}, admin()), 422, "amount_minor");
  ExpectProblem(s().Patch(path, {{"amount_minor", 1}, {"line_items", lines}}, admin()), 422,
                "amount_minor");
  // Its lines are priced in pounds: the currency does not change under them.
  ExpectProblem(s().Patch(path, {{"currency", "EUR"}}, admin()), 422, "currency");

  // The trail says what the lines were and became.
  const json history = s().Get(path + "/history", admin()).Json()["items"];
  EXPECT_TRUE(std::any_of(history.begin(), history.end(), [&](const json& h) {
    return h["field"] == "line_items" && h["old_value"].is_null() &&
           h["new_value"] == "3 × PUMP-" + sx + " at 1000.00 less 10% = 2700.00; 2 × SET-" + sx +
                                 " at 400.00 (list 450.00) = 800.00 (giving sets, boxed)";
  })) << history.dump();
  EXPECT_TRUE(std::any_of(history.begin(), history.end(), [](const json& h) {
    return h["field"] == "amount_minor" && h["old_value"] == "500000" && h["new_value"] == "350000";
  })) << history.dump();

  // No lines: the deal keeps its amount, which is the caller's to change again.
  const HttpReply cleared = s().Patch(path, {{"line_items", json::array()}}, admin());
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.Json()["line_items"], json::array());
  EXPECT_EQ(cleared.Json()["amount_minor"], 3'500'00);
  EXPECT_EQ(s().Patch(path, {{"amount_minor", 9'000'00}}, admin()).Json()["amount_minor"],
            9'000'00);
}

TEST_P(LineItemsApiTest, ANewDealWithLinesIsPricedByThem) {
  const std::string sx = Suffix();
  const std::string pump = MakeProduct("PUMP-" + sx, 1'250'50, "GBP");
  const json deal = MakeDeal({{"line_items", {{{"product_id", pump}, {"quantity", 2}}}}});
  EXPECT_EQ(deal["amount_minor"], 2'501'00);
  ASSERT_EQ(deal["line_items"].size(), 1u);
  EXPECT_EQ(company_->Count("SELECT count(*) FROM opportunity_line_items WHERE opportunity_id = ?",
                            {std::stoll(deal["id"].get<std::string>())}),
            1);
}

TEST_P(LineItemsApiTest, BadLinesAreRefusedNamingTheLineAndNothingChanges) {
  const std::string sx = Suffix();
  const std::string pump = MakeProduct("PUMP-" + sx, 1'000'00, "GBP");
  const std::string set = MakeProduct("SET-" + sx, 500'00, "EUR");
  const json deal = MakeDeal({{"line_items", {{{"product_id", pump}, {"quantity", 1}}}}});
  const std::string path = "/api/v1/opportunities/" + deal["id"].get<std::string>();

  auto refused = [&](const json& line, const std::string& field) {
    SCOPED_TRACE(line.dump());
    ExpectProblem(s().Patch(path,
                            {{"line_items", {{{"product_id", pump}, {"quantity", 1}}, line}},
                             {"next_step", "should not be written"}},
                            admin()),
                  422, field);
  };
  // Priced in another currency than the deal's, with no list price given.
  refused({{"product_id", set}, {"quantity", 1}}, "line_items[1].list_price_minor");
  refused({{"product_id", pump}, {"quantity", 0}}, "line_items[1].quantity");
  refused({{"product_id", pump}}, "line_items[1].quantity");
  refused({{"quantity", 1}}, "line_items[1].product_id");
  refused({{"product_id", "987654321"}, {"quantity", 1}}, "line_items[1].product_id");
  refused({{"product_id", pump}, {"quantity", 1}, {"discount_percent", 101}},
          "line_items[1].discount_percent");
  refused({{"product_id", pump}, {"quantity", 1}, {"sale_price_minor", -5}},
          "line_items[1].sale_price_minor");
  refused({{"product_id", pump}, {"quantity", 1}, {"total_minor", 5}}, "line_items[1].total_minor");
  refused({{"product_id", pump}, {"quantity", 1}, {"colour", "blue"}}, "line_items[1].colour");
  ExpectProblem(s().Patch(path, {{"line_items", "pumps"}}, admin()), 422, "line_items");

  const json after = s().Get(path, admin()).Json();
  EXPECT_EQ(after["version"], deal["version"]);
  EXPECT_EQ(after["line_items"], deal["line_items"]);
  EXPECT_EQ(after["amount_minor"], 1'000'00);
  EXPECT_TRUE(after["next_step"].is_null());
}

TEST_P(LineItemsApiTest, LinesImportFromSalesforcesOpportunityLineItemExport) {
  const std::string sx = Suffix();
  const std::string pump_id = MakeProduct("PUMP-" + sx, 1'000'00, "GBP");
  MakeProduct("SET-" + sx, 500'00, "EUR");
  const json a = MakeDeal({{"external_id", "006A-" + sx}});
  const json b = MakeDeal({{"external_id", "006B-" + sx}});
  auto upload = [&](const std::string& csv, const std::string& token) {
    testing::HttpCall call{"POST", "/api/v1/imports/line-items", csv, token};
    call.content_type = "text/csv";
    return s().Call(call);
  };
  const std::string file =
      "Id,OpportunityId,ProductCode,Quantity,ListPrice,UnitPrice,Discount,Description,SortOrder,"
      "CurrencyIsoCode\n"
      "00k1,006A-" +
      sx + ",PUMP-" + sx +
      ",3,1000.00,1000.00,10.00,Wards,2,GBP\n"
      "00k2,006A-" +
      sx + ",SET-" + sx +
      ",2,450.00,400.00,,,1,GBP\n"
      "00k3,006B-" +
      sx + ",PUMP-" + sx + ",1,,,,,,\n";
  const std::string rep = s().Login(
      s().Get("/api/v1/users?role=rep&status=active&limit=1", admin()).Json()["items"][0]["email"]);
  EXPECT_EQ(upload(file, rep).status, 403);

  const HttpReply imported = upload(file, admin());
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.Json(), json({{"rows", 3}, {"opportunities", 2}, {"changed", 2}}));
  const json got_a = s().Get("/api/v1/opportunities/" + a["id"].get<std::string>(), admin()).Json();
  ASSERT_EQ(got_a["line_items"].size(), 2u);
  EXPECT_EQ(got_a["line_items"][0]["sku"], "SET-" + sx);  // by SortOrder
  EXPECT_EQ(got_a["line_items"][1]["total_minor"], 2'700'00);
  EXPECT_EQ(got_a["line_items"][1]["description"], "Wards");
  EXPECT_EQ(got_a["amount_minor"], 3'500'00);
  EXPECT_GT(got_a["version"], a["version"]);
  const json got_b = s().Get("/api/v1/opportunities/" + b["id"].get<std::string>(), admin()).Json();
  EXPECT_EQ(got_b["line_items"][0]["list_price_minor"], 1'000'00);  // the product's
  EXPECT_EQ(got_b["amount_minor"], 1'000'00);

  // A page of a list carries each deal's own lines (read for the whole page at once).
  json listed = json::array();
  std::string cursor;
  do {
    const json page =
        s().Get("/api/v1/opportunities?account_id=" + a["account_id"].get<std::string>() +
                    "&limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor),
                admin())
            .Json();
    for (const json& deal : page["items"]) listed.push_back(deal);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  int seen = 0;
  for (const json& deal : listed) {
    if (deal["id"] == a["id"]) {
      EXPECT_EQ(deal["line_items"], got_a["line_items"]);
      ++seen;
    }
    if (deal["id"] == b["id"]) {
      EXPECT_EQ(deal["line_items"], got_b["line_items"]);
      ++seen;
    }
    EXPECT_TRUE(deal["contact_roles"].is_array() && deal["splits"].is_array());
  }
  EXPECT_EQ(seen, 2);

  // The same file again changes nothing.
  EXPECT_EQ(upload(file, admin()).Json()["changed"], 0);

  // Exported in the columns the import reads (a deal without an external id as "#id"), and
  // imported back: nothing changes; edited, the edit is imported.
  const json c = MakeDeal({{"line_items", {{{"product_id", pump_id}, {"quantity", 2}}}}});
  const std::string c_key = "#" + c["id"].get<std::string>();
  const HttpReply exported = s().Get("/api/v1/exports/line-items", admin());
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.body.rfind("opportunity,product,quantity,list_price,sale_price,"
                                "discount_percent,description,position,total,currency",
                                0),
            0u)
      << exported.body.substr(0, 200);
  EXPECT_NE(exported.body.find("006A-" + sx + ",PUMP-" + sx +
                               ",3,1000.00,1000.00,10,Wards,2,"
                               "2700.00,GBP"),
            std::string::npos)
      << exported.body;
  EXPECT_NE(exported.body.find("\n" + c_key + ",PUMP-" + sx + ",2,1000.00,1000.00,0,"),
            std::string::npos)
      << exported.body;
  const HttpReply back = upload(exported.body, admin());
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.Json()["changed"], 0) << back.body;
  ASSERT_EQ(
      upload("opportunity,product,quantity\n" + c_key + ",PUMP-" + sx + ",5\n", admin()).status,
      200);
  EXPECT_EQ(s().Get("/api/v1/opportunities/" + c["id"].get<std::string>(), admin())
                .Json()["amount_minor"],
            5'000'00);

  // Problems anywhere: each named by line and column, nothing written.
  const HttpReply bad = upload(
      "OpportunityId,ProductCode,Quantity,Discount,CurrencyIsoCode\n"
      "006A-" +
          sx + ",PUMP-" + sx +
          ",1,,\n"
          "006Z-" +
          sx + ",PUMP-" + sx +
          ",1,,\n"
          "006A-" +
          sx + ",NOPE-" + sx +
          ",1,,\n"
          "006A-" +
          sx + ",PUMP-" + sx +
          ",0,12.5,\n"
          "006A-" +
          sx + ",PUMP-" + sx +
          ",1,,EUR\n"
          "006A-" +
          sx + ",SET-" + sx + ",1,,\n",
      admin());
  ExpectProblem(bad, 422, "line 3.opportunity");
  ExpectProblem(bad, 422, "line 4.product");
  ExpectProblem(bad, 422, "line 5.quantity");
  ExpectProblem(bad, 422, "line 5.discount_percent");
  ExpectProblem(bad, 422, "line 6.currency");
  ExpectProblem(bad, 422, "line 7.list_price");
  const json after = s().Get("/api/v1/opportunities/" + a["id"].get<std::string>(), admin()).Json();
  EXPECT_EQ(after["line_items"], got_a["line_items"]);
  EXPECT_EQ(after["amount_minor"], 3'500'00);
  ExpectProblem(upload("OpportunityId,Quantity\n006A,1\n", admin()), 422, "body");
}

INSTANTIATE_TEST_SUITE_P(Backends, LineItemsApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::selling
