// POST /api/v1/imports through the real binary over SQLite and PostgreSQL: an upload becomes a job
// whose progress and outcome are read back, a bad file's rows come back as an error file, only
// admins import, and an upload over the limit is refused before anything is written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "support/demo_company.hpp"

namespace rapport::imports {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::HttpCall;
using ::rapport::testing::HttpReply;

class ImportApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam(), {"--max-import-mb", "1"});
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
  }
  ApiServer& s() { return *company_->server; }
  HttpReply Upload(const std::string& query, const std::string& csv, const std::string& token,
                   const std::string& type = "text/csv") {
    HttpCall call;
    call.method = "POST";
    call.path = "/api/v1/imports?" + query;
    call.body = csv;
    call.content_type = type;
    call.token = token;
    call.may_fail = true;
    return s().Call(call);
  }
  // Polls the import until it is no longer running.
  json Finished(const std::string& id) {
    json import;
    for (int i = 0; i < 600; ++i) {
      const HttpReply reply = s().Get("/api/v1/imports/" + id, company_->admin);
      EXPECT_EQ(reply.status, 200) << reply.body;
      import = reply.Json();
      if (import["status"] != "running") return import;
      usleep(50'000);
    }
    ADD_FAILURE() << "import " << id << " still running: " << import.dump();
    return import;
  }

  DemoCompany* company_ = nullptr;
};

TEST_P(ImportApiTest, AnUploadRunsAsAJobAndSaysWhatItDid) {
  const std::string owner = s().Get("/api/v1/users?role=rep&status=active&limit=1", company_->admin)
                                .Json()["items"][0]["email"];
  std::string csv = "Account ID,Account Name,Type,Account Owner\n";
  for (int i = 0; i < 500; ++i) {
    csv += "API-" + std::to_string(i) + ",Imported Hospital " + std::to_string(i) + ",hospital," +
           owner + "\n";
  }
  const HttpReply accepted = Upload("type=accounts&file_name=hospitals.csv", csv, company_->admin);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const json started = accepted.Json();
  EXPECT_EQ(accepted.Header("location"), "/api/v1/imports/" + started["id"].get<std::string>());
  EXPECT_EQ(started["file_name"], "hospitals.csv");
  if (started["status"] == "running") {
    EXPECT_EQ(started["progress"]["bytes_total"], csv.size()) << started.dump();
  }
  const json done = Finished(started["id"]);
  EXPECT_EQ(done["status"], "succeeded") << done.dump();
  EXPECT_EQ(done["created"], 500);
  EXPECT_EQ(done["rows_read"], 500);
  EXPECT_TRUE(done["progress"].is_null());
  EXPECT_FALSE(done["finished_at"].is_null());
  EXPECT_EQ(company_->Count("SELECT count(*) FROM accounts a JOIN users u ON u.id = a.owner_id "
                            "WHERE a.external_id LIKE 'API-%' AND u.email = ?",
                            {owner}),
            500);
  // Imported accounts are found by search at once.
  const json found = s().Get("/api/v1/search?q=Imported%20Hospital%20499", company_->admin).Json();
  ASSERT_FALSE(found["items"].empty()) << found.dump();

  // A Salesforce export says whose it is: its Type is the relationship.
  const HttpReply salesforce =
      Upload("type=accounts&from=salesforce&file_name=Account.csv",
             "Id,Name,Type,BillingCountry\nSF-1,Salesforce Hospital,Customer - Direct,UK\n",
             company_->admin);
  ASSERT_EQ(salesforce.status, 202) << salesforce.body;
  EXPECT_EQ(Finished(salesforce.Json()["id"])["status"], "succeeded");
  EXPECT_EQ(company_->Count("SELECT count(*) FROM accounts WHERE external_id = 'SF-1' AND status "
                            "= 'customer' AND country = 'GB'"),
            1);

  // Listed with the others, newest first.
  const json list = s().Get("/api/v1/imports?limit=5", company_->admin).Json();
  EXPECT_EQ(list["items"][1]["id"], started["id"]);
}

TEST_P(ImportApiTest, ABadFileComesBackAsAnErrorFileAndWritesNothing) {
  const std::int64_t before = company_->Count("SELECT count(*) FROM contacts");
  const HttpReply accepted = Upload("type=contacts",
                                    "External ID,First Name,Last Name,Account ID\n"
                                    "API-C1,Ada,Lovelace,no-such-account\n"
                                    "API-C2,Grace,,\n",
                                    company_->admin);
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const json done = Finished(accepted.Json()["id"]);
  EXPECT_EQ(done["status"], "rejected");
  EXPECT_EQ(done["rejected"], 2);
  ASSERT_EQ(done["rejections"].size(), 3u) << done.dump();
  EXPECT_EQ(done["rejections"][0]["line"], 2);
  EXPECT_EQ(done["rejections"][0]["column"], "Account ID");
  const HttpReply errors =
      s().Get("/api/v1/imports/" + done["id"].get<std::string>() + "/errors", company_->admin);
  EXPECT_EQ(errors.status, 200);
  EXPECT_EQ(errors.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(errors.body.find("2,Account ID,'no-such-account' is not the external id of an "
                             "account"),
            std::string::npos)
      << errors.body;
  EXPECT_NE(errors.body.find("3,last_name,a new record needs last_name"), std::string::npos)
      << errors.body;
  EXPECT_EQ(company_->Count("SELECT count(*) FROM contacts"), before);

  // A file that is not CSV: the import fails whole and says why.
  const HttpReply latin1 =
      Upload("type=accounts", "Account Name\nCaf\xE9 Hospital\n", company_->admin);
  ASSERT_EQ(latin1.status, 202);
  const json failed = Finished(latin1.Json()["id"]);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_NE(failed["problem"].get<std::string>().find("not UTF-8"), std::string::npos);
}

TEST_P(ImportApiTest, OnlyAdminsImportAndBadRequestsChangeNothing) {
  const std::int64_t imports = company_->Count("SELECT count(*) FROM imports");
  const std::string rep_email =
      s().Get("/api/v1/users?role=rep&status=active&limit=1", company_->admin)
          .Json()["items"][0]["email"];
  const std::string rep = s().Login(rep_email);
  EXPECT_EQ(Upload("type=accounts", "Account Name\nX\n", rep).status, 403);
  EXPECT_EQ(s().Get("/api/v1/imports", rep).status, 403);
  EXPECT_EQ(Upload("type=accounts", "Account Name\nX\n", "").status, 401);
  const HttpReply no_type = Upload("dry_run=true", "Account Name\nX\n", company_->admin);
  EXPECT_EQ(no_type.status, 422);
  EXPECT_EQ(no_type.Json()["errors"][0]["field"], "type") << no_type.body;
  const HttpReply bad_type = Upload("type=widgets", "Account Name\nX\n", company_->admin);
  EXPECT_EQ(bad_type.status, 422);
  const HttpReply bad_source =
      Upload("type=accounts&from=veeva", "Account Name\nX\n", company_->admin);
  EXPECT_EQ(bad_source.status, 422);
  EXPECT_EQ(bad_source.Json()["errors"][0]["field"], "from") << bad_source.body;
  EXPECT_EQ(Upload("type=accounts", "{}", company_->admin, "application/json").status, 415);
  EXPECT_EQ(Upload("type=accounts&colour=red", "Account Name\nX\n", company_->admin).status, 400);
  // The server was started with --max-import-mb 1.
  const std::string big = "Account Name\n" + std::string(2 << 20, 'x') + "\n";
  EXPECT_EQ(Upload("type=accounts", big, company_->admin).status, 413);
  EXPECT_TRUE(s().Get("/api/v1/health", "").status == 200) << "the server is still serving";
  EXPECT_EQ(company_->Count("SELECT count(*) FROM imports"), imports);
}

TEST_P(ImportApiTest, ExportsStreamTheRecordsInReachInTheColumnsTheImportReads) {
  const HttpReply all = s().Get("/api/v1/exports/accounts", company_->admin);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.Header("transfer-encoding"), "chunked") << "streamed, not held whole";
  EXPECT_EQ(all.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(all.body.substr(0, all.body.find("\r\n")),
            "rapport_id,external_id,name,type,status,parent,street,city,region,postcode,country,"
            "shipping_street,shipping_city,shipping_region,shipping_postcode,shipping_country,"
            "phone,website,email_domain,industry,employees,beds,description,ods_code,gln,"
            "company_number,owner,territory,distributor,segment,customer_since,"
            "contact_cadence_days,potential_value,potential_units,competitor_share_percent,"
            "market_data_on,designation");
  const auto lines = [](const std::string& body) {
    return static_cast<std::int64_t>(std::count(body.begin(), body.end(), '\n')) - 1;
  };
  EXPECT_EQ(lines(all.body), company_->Count("SELECT count(*) FROM accounts"));

  // A rep's export holds the accounts they reach, and nothing else.
  const std::string rep_email =
      s().Get("/api/v1/users?role=rep&status=active&limit=1", company_->admin)
          .Json()["items"][0]["email"];
  const std::string rep = s().Login(rep_email);
  const HttpReply mine = s().Get("/api/v1/exports/contacts", rep);
  ASSERT_EQ(mine.status, 200);
  const std::int64_t rows = lines(mine.body);
  EXPECT_GT(rows, 0);
  EXPECT_LT(rows, company_->Count("SELECT count(*) FROM contacts"));
  std::size_t at = mine.body.find("\r\n") + 2;
  for (int i = 0; i < 5 && at < mine.body.size(); ++i) {
    const std::string id = mine.body.substr(at, mine.body.find(',', at) - at);
    EXPECT_EQ(s().Get("/api/v1/contacts/" + id, rep).status, 200) << id;
    at = mine.body.find("\r\n", at) + 2;
  }

  const HttpReply book = s().Get("/api/v1/exports/opportunities?format=xlsx", company_->admin);
  ASSERT_EQ(book.status, 200);
  EXPECT_EQ(book.Header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(book.body.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_EQ(s().Get("/api/v1/exports/widgets", company_->admin).status, 422);
  EXPECT_EQ(s().Get("/api/v1/exports/accounts?format=pdf", company_->admin).status, 422);
  EXPECT_EQ(s().Get("/api/v1/exports/accounts", "").status, 401);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::imports
