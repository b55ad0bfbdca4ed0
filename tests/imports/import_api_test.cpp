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

// A zip of `files` (name, bytes), stored uncompressed, as a zip tool writes one.
std::string StoredZip(const std::vector<std::pair<std::string, std::string>>& files) {
  const auto crc32 = [](const std::string& bytes) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char c : bytes) {
      crc ^= c;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
  };
  const auto u16 = [](std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v & 0xFF));
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
  };
  const auto u32 = [&](std::string& out, std::uint32_t v) {
    u16(out, v & 0xFFFF);
    u16(out, v >> 16);
  };
  std::string zip, directory;
  for (const auto& [name, bytes] : files) {
    const std::uint32_t offset = static_cast<std::uint32_t>(zip.size());
    const std::uint32_t crc = crc32(bytes), size = static_cast<std::uint32_t>(bytes.size());
    u32(zip, 0x04034b50);
    for (std::uint32_t v : {20u, 0u, 0u, 0u, 0u})
      u16(zip, v);  // version, flags, method, time, date
    u32(zip, crc);
    u32(zip, size);
    u32(zip, size);
    u16(zip, static_cast<std::uint32_t>(name.size()));
    u16(zip, 0);
    zip += name + bytes;
    u32(directory, 0x02014b50);
    for (std::uint32_t v : {20u, 20u, 0u, 0u, 0u, 0u}) u16(directory, v);
    u32(directory, crc);
    u32(directory, size);
    u32(directory, size);
    u16(directory, static_cast<std::uint32_t>(name.size()));
    for (std::uint32_t v : {0u, 0u, 0u, 0u}) u16(directory, v);  // extra, comment, disk, attrs
    u32(directory, 0);
    u32(directory, offset);
    directory += name;
  }
  const std::uint32_t at = static_cast<std::uint32_t>(zip.size());
  zip += directory;
  u32(zip, 0x06054b50);
  u16(zip, 0);
  u16(zip, 0);
  u16(zip, static_cast<std::uint32_t>(files.size()));
  u16(zip, static_cast<std::uint32_t>(files.size()));
  u32(zip, static_cast<std::uint32_t>(directory.size()));
  u32(zip, at);
  u16(zip, 0);
  return zip;
}

// Moving in from Admin: a Salesforce export's zip uploaded, run as a job, its report read back.
TEST_P(ImportApiTest, AWholeExportsZipMovesInAsAJob) {
  const std::string owner = s().Get("/api/v1/users?role=rep&status=active&limit=1", company_->admin)
                                .Json()["items"][0]["email"];
  const std::string zip = StoredZip(
      {{"export/User.csv", "Id,Name,Email,IsActive\n005Z1,Zed Rep," + owner + ",true\n"},
       {"export/Account.csv",
        "Id,IsDeleted,Name,Type,OwnerId,BillingCity\n"
        "SFZ-A1,false,Zipped Infirmary,Customer - Direct,005Z1,Leeds\n"
        "SFZ-A2,true,Deleted Infirmary,Prospect,005Z1,\n"},
       {"export/Contact.csv",
        "Id,AccountId,FirstName,LastName,Email\nSFZ-C1,SFZ-A1,Ann,Zip,ann.zip@example.org\n"},
       {"export/Opportunity.csv",
        "Id,AccountId,Name,StageName,Amount,CloseDate,OwnerId,CurrencyIsoCode\n"
        "SFZ-O1,SFZ-A1,Zipped beds,Prospecting,2500.00,2027-02-01,005Z1,GBP\n"},
       // A file on the account, its bytes in the export's Attachments folder.
       {"export/Attachment.csv",
        "Id,IsDeleted,ParentId,Name,Body\n00PZ1,false,SFZ-A1,Contract.pdf,Attachments/00PZ1\n"},
       {"export/Attachments/00PZ1", "%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"},
       {"__MACOSX/._Account.csv", "junk"},
       {"README.txt", "not part of it"}});
  const auto upload = [&](const std::string& query, const std::string& body,
                          const std::string& token) {
    HttpCall call;
    call.method = "POST";
    call.path = "/api/v1/import-books?" + query;
    call.body = body;
    call.content_type = "application/zip";
    call.token = token;
    call.may_fail = true;
    return s().Call(call);
  };
  const auto finished = [&](const std::string& id) {
    json book;
    for (int i = 0; i < 600; ++i) {
      book = s().Get("/api/v1/import-books/" + id, company_->admin).Json();
      if (book["status"] != "running") return book;
      usleep(50'000);
    }
    ADD_FAILURE() << "still running: " << book.dump();
    return book;
  };
  const auto zipped = [&] {
    return company_->Count("SELECT count(*) FROM accounts WHERE external_id LIKE 'SFZ-%'");
  };

  const HttpReply dry =
      upload("from=salesforce&dry_run=true&file_name=export.zip", zip, company_->admin);
  ASSERT_EQ(dry.status, 202) << dry.body;
  EXPECT_EQ(dry.Header("location"), "/api/v1/import-books/" + dry.Json()["id"].get<std::string>());
  const json dry_done = finished(dry.Json()["id"]);
  EXPECT_EQ(dry_done["status"], "succeeded") << dry_done.dump();
  EXPECT_EQ(dry_done["report"]["written"], false);
  EXPECT_EQ(dry_done["report"]["files"].size(), 5u) << dry_done.dump();
  EXPECT_EQ(zipped(), 0) << "a dry run writes nothing";

  const HttpReply real = upload("from=salesforce", zip, company_->admin);
  ASSERT_EQ(real.status, 202) << real.body;
  const json done = finished(real.Json()["id"]);
  ASSERT_EQ(done["status"], "succeeded") << done.dump();
  EXPECT_EQ(done["report"]["files"][1]["skipped"], 1) << done.dump();
  for (const json& c : done["report"]["checks"]) EXPECT_TRUE(c["ok"].get<bool>()) << c.dump();
  EXPECT_EQ(zipped(), 1);
  EXPECT_EQ(company_->Count("SELECT count(*) FROM attachments f JOIN accounts a ON a.id = "
                            "f.account_id WHERE a.external_id = 'SFZ-A1' AND f.file_name = "
                            "'Contract.pdf' AND f.content_type = 'application/pdf'"),
            1)
      << "the zip's Attachments folder is kept for the book's files";
  EXPECT_EQ(company_->Count("SELECT count(*) FROM opportunities o JOIN users u ON u.id = "
                            "o.owner_id WHERE o.external_id = 'SFZ-O1' AND o.amount_minor = "
                            "250000 AND u.email = ?",
                            {owner}),
            1);
  const json list = s().Get("/api/v1/import-books?limit=5", company_->admin).Json();
  EXPECT_EQ(list["items"][0]["id"], done["id"]) << list.dump();
  EXPECT_FALSE(list["items"][0].contains("report")) << "the list leaves the reports out";

  // Not a zip, no source, or a zip with no export in it: said, and nothing written.
  const HttpReply not_zip = upload("from=salesforce", "Id,Name\n1,x\n", company_->admin);
  EXPECT_EQ(not_zip.status, 422);
  EXPECT_NE(not_zip.body.find("file"), std::string::npos) << not_zip.body;
  const HttpReply veeva = upload("from=veeva", zip, company_->admin);
  EXPECT_EQ(veeva.status, 422);
  EXPECT_NE(veeva.body.find("from"), std::string::npos) << veeva.body;
  const HttpReply empty =
      upload("from=hubspot", StoredZip({{"notes.csv", "a,b\n1,2\n"}}), company_->admin);
  ASSERT_EQ(empty.status, 202) << empty.body;
  const json empty_done = finished(empty.Json()["id"]);
  EXPECT_EQ(empty_done["status"], "failed");
  EXPECT_NE(empty_done["problem"].get<std::string>().find("the zip holds no file"),
            std::string::npos)
      << empty_done.dump();
  EXPECT_EQ(empty_done["problem"].get<std::string>().find("/tmp"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::imports
