// `rapport import` driven as an operator would, over SQLite and PostgreSQL: other CRMs' exports
// import without a mapping, a second import of the same files changes nothing, a bad row is named
// by its line and column and nothing is written, a file that is not CSV in UTF-8 is refused whole,
// and an import killed half-way leaves nothing behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "db/dialect.hpp"
#include "db/migrations.hpp"
#include "imports/cells.hpp"
#include "moving/cases.hpp"
#include "support/run_command.hpp"
#include "support/run_rapport.hpp"
#include "support/test_database.hpp"

namespace rapport::imports {
namespace {

using nlohmann::json;
using ::rapport::testing::CommandResult;
using ::rapport::testing::RunCommand;
using ::rapport::testing::RunningCommand;
using ::rapport::testing::TempDir;
using ::rapport::testing::TestDatabase;

using ::rapport::testing::RunRapport;

class ImportTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    if (!target_.available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_EQ(RunRapport({"migrate", "--db", target_.url()}).exit_code, 0);
    for (const auto& [email, name, role] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"ann@example.org", "Ann Owner", "rep"},
             {"bob@example.org", "Bob Seller", "account_manager"}}) {
      const auto added = RunRapport({"user", "add", "--db", target_.url(), "--email", email,
                                     "--name", name, "--role", role, "--password-stdin"},
                                    "a long password\n");
      ASSERT_EQ(added.exit_code, 0) << added.err;
    }
    Exec("INSERT INTO territories (name, created_at, updated_at) VALUES ('London', 1, 1)");
    Exec(
        "INSERT INTO products (sku, name, family, created_at, updated_at) VALUES "
        "('BED-1', 'Bed', 'beds', 1, 1), ('PUMP-2', 'Pump', 'infusion', 1, 1)");
  }

  std::unique_ptr<db::Database> Open() {
    auto database = db::Database::Open(target_.url());
    EXPECT_TRUE(database.ok());
    return database.ok() ? std::move(database).value() : nullptr;
  }
  void Exec(const std::string& sql) {
    auto database = Open();
    const Status s = database->Write([&](db::Transaction& tx) { return tx.ExecuteScript(sql); });
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }
  std::int64_t Count(const std::string& sql) {
    auto database = Open();
    std::int64_t n = -1;
    const Status s = database->Read([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(n, tx.QueryInt(sql));
      return Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return n;
  }
  // Every row of `sql`, cells joined, for comparing what is stored before and after.
  std::vector<std::string> Rows(const std::string& sql, const db::Params& params = {}) {
    auto database = Open();
    std::vector<std::string> out;
    const Status s = database->Read([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql, params));
      for (const db::Row& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) line += (r.IsNull(i) ? "∅" : r.Text(i)) + "|";
        out.push_back(line);
      }
      return Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return out;
  }
  std::string File(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  // `rapport import --json`: the report, with the exit code in "exit".
  json Import(const std::string& type, const std::string& path,
              std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"import", "--db",   target_.url(), "--type",
                                     type,     "--file", path,          "--json"};
    args.insert(args.end(), more.begin(), more.end());
    const auto result = RunRapport(args);
    json report = json::parse(result.out, nullptr, false);
    EXPECT_FALSE(report.is_discarded()) << result.out << result.err;
    if (report.is_discarded()) report = json::object();
    report["exit"] = result.exit_code;
    return report;
  }

  // `rapport import --from SOURCE --dir` of dir_ with `--json`: the report, the exit code in
  // "exit".
  json Book(const std::string& source, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"import", "--db",  target_.url(),        "--from",
                                     source,   "--dir", dir_.path().string(), "--json"};
    args.insert(args.end(), more.begin(), more.end());
    const auto result = RunRapport(args);
    json report = json::parse(result.out, nullptr, false);
    EXPECT_FALSE(report.is_discarded()) << result.out << result.err;
    if (report.is_discarded()) report = json::object();
    report["exit"] = result.exit_code;
    return report;
  }
  // A book's checks by "file what": what was found.
  static std::map<std::string, std::string> Checks(const json& report) {
    std::map<std::string, std::string> checks;
    for (const json& c : report["checks"]) {
      EXPECT_TRUE(c["ok"].get<bool>()) << c.dump();
      checks[c["file"].get<std::string>() + " " + c["what"].get<std::string>()] =
          c["found"].get<std::string>();
    }
    return checks;
  }

  TestDatabase target_{GetParam()};
  TempDir dir_;
};

// A Salesforce account report (BOM, CRLF, quoted commas and quotes, a parent further down).
const char* kSalesforceAccounts =
    "\xEF\xBB\xBF"
    "Account ID,Account Name,Type,Parent Account ID,Billing State/Province,"
    "Billing Zip/Postal Code,Account Owner,Territory,Customer Since,Rating\r\n"
    "001A,\"St Mary's Hospital, Paddington\",Hospital,001S,London,W2 1NY,ann@example.org,London,"
    "2019-04-01,Hot\r\n"
    "001B,\"The \"\"Royal\"\" Brompton\",hospital,001S,London,SW3 6NP,Ann Owner,,,Warm\r\n"
    "001S,Imperial College Healthcare,Health System,,London,,bob@example.org,London,,Cold\r\n";

constexpr const char* kAccountColumns =
    "SELECT external_id, name, type, status, parent_id, region, postcode, owner_id, territory_id, "
    "customer_since, version FROM accounts ORDER BY external_id";

TEST_P(ImportTest, ADealWithoutACurrencyIsInTheCompanysCurrency) {
  Exec("UPDATE company_settings SET currency = 'EUR'");
  const json accounts =
      Import("accounts", File("accounts.csv", "Account ID,Account Name\nA1,Clinique Sud\n"));
  ASSERT_EQ(accounts["created"], 1) << accounts.dump();
  const json deals =
      Import("opportunities",
             File("deals.csv",
                  "Deal ID,Deal Name,Deal Stage,Amount,Close Date,Deal owner,Associated Company "
                  "IDs,CurrencyIsoCode\n"
                  "O1,Beds,Appointment Scheduled,1000,2027-01-31,ann@example.org,A1,\n"
                  "O2,Pumps,Appointment Scheduled,2000,2027-02-28,ann@example.org,A1,GBP\n"));
  ASSERT_EQ(deals["created"], 2) << deals.dump();
  EXPECT_EQ(Rows("SELECT external_id, currency FROM opportunities ORDER BY external_id"),
            (std::vector<std::string>{"O1|EUR|", "O2|GBP|"}));
}

TEST_P(ImportTest, OtherCrmsExportsImportAndASecondImportChangesNothing) {
  const json first = Import("accounts", File("accounts.csv", kSalesforceAccounts));
  ASSERT_EQ(first["exit"], 0) << first.dump();
  EXPECT_EQ(first["status"], "succeeded");
  EXPECT_EQ(first["created"], 3);
  EXPECT_EQ(first["columns"]["external_id"], "Account ID");
  EXPECT_EQ(first["columns"]["postcode"], "Billing Zip/Postal Code");
  EXPECT_EQ(first["ignored_columns"], json::array({"Rating"}));
  EXPECT_EQ(Count("SELECT count(*) FROM accounts a JOIN accounts p ON p.id = a.parent_id WHERE "
                  "p.external_id = '001S' AND a.external_id IN ('001A', '001B')"),
            2);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE name = 'The \"Royal\" Brompton' AND "
                  "owner_id = (SELECT id FROM users WHERE email = 'ann@example.org')"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE type = 'health_system' AND territory_id "
                  "= (SELECT id FROM territories WHERE name = 'London')"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_history WHERE table_name = 'accounts' AND action "
                  "= 'create'"),
            3);
  // Each account has its own line, naming the import that made it.
  EXPECT_EQ(Count("SELECT count(*) FROM accounts a WHERE (SELECT count(*) FROM audit_history h "
                  "WHERE h.table_name = 'accounts' AND h.record_id = a.id AND h.action = "
                  "'create' AND h.new_value = (SELECT 'import ' || max(id) FROM imports)) = 1"),
            3);
  const auto accounts = Rows(kAccountColumns);

  // HubSpot's contact export names the account by "Associated Company IDs".
  const std::string contacts =
      File("contacts.csv",
           "Record ID,First Name,Last Name,Email,Job Title,Associated Company IDs,Reports To\n"
           "C1,Ada,Lovelace,ada@stmarys.example,Head of Procurement,001A,\n"
           "C2,Grace,Hopper,grace@stmarys.example,Theatre Manager,001A,C1\n");
  const std::string deals =
      File("deals.csv",
           "Deal ID,Deal Name,Deal Stage,Amount,Close Date,Deal owner,Associated Company IDs\n"
           "D1,Beds for theatres,Closed Won,\"12,500.00\",2026-10-01,bob@example.org,001A\n"
           "D2,Pumps,Appointment Scheduled,900,2027-01-15,Ann Owner,001B\n");
  const std::string calls = File(
      "activities.csv",
      "Activity ID,Account ID,Assigned To,Type,Date,Subject,Comments,Opportunity ID\n"
      "T1,001A,ann@example.org,Call,2026-11-02T09:30:00Z,Intro call,\"two lines\nof notes\",D1\n"
      "T2,001B,Bob Seller,Visit,2026-11-03,Site visit,,\n");
  const std::string lines = File("sales.csv",
                                 "Line ID,Account ID,Product Code,Month,Amount,Qty\n"
                                 "L1,001A,BED-1,2026-09,\"£1,200.50\",2\n"
                                 "L2,001A,PUMP-2,2026-10-15,300,1\n");
  for (const auto& [type, path, rows] :
       std::vector<std::tuple<std::string, std::string, int>>{{"contacts", contacts, 2},
                                                              {"opportunities", deals, 2},
                                                              {"activities", calls, 2},
                                                              {"sales-lines", lines, 2}}) {
    const json report = Import(type, path);
    EXPECT_EQ(report["exit"], 0) << type << " " << report.dump();
    EXPECT_EQ(report["created"], rows) << type << " " << report.dump();
    EXPECT_EQ(report["rejected"], 0) << type << " " << report.dump();
  }
  EXPECT_EQ(Count("SELECT count(*) FROM contacts c JOIN contacts b ON b.id = c.reports_to_id "
                  "WHERE c.external_id = 'C2' AND b.external_id = 'C1'"),
            1);
  EXPECT_EQ(Count("SELECT amount_minor FROM opportunities WHERE external_id = 'D1' AND stage = "
                  "'closed_won'"),
            1'250'000);
  EXPECT_EQ(Count("SELECT count(*) FROM activities a JOIN opportunities o ON o.id = "
                  "a.opportunity_id WHERE a.external_id = 'T1' AND a.kind = 'call'"),
            1);
  EXPECT_EQ(Count("SELECT sum(revenue_minor) FROM sales_lines"), 150'050);
  EXPECT_EQ(Count("SELECT count(*) FROM sales_lines WHERE period = '2026-10'"), 1);

  // The same files again: every row found by its external id, nothing changed.
  const char* kEverything[] = {
      kAccountColumns,
      "SELECT external_id, account_id, first_name, last_name, email, job_title, reports_to_id, "
      "version FROM contacts ORDER BY external_id",
      "SELECT external_id, account_id, owner_id, name, stage, amount_minor, close_date, version "
      "FROM opportunities ORDER BY external_id",
      "SELECT external_id, account_id, user_id, kind, occurred_at, subject, body, opportunity_id, "
      "version FROM activities ORDER BY external_id",
      "SELECT external_id, account_id, product_id, period, revenue_minor, quantity FROM "
      "sales_lines ORDER BY external_id"};
  std::vector<std::vector<std::string>> before;
  for (const char* sql : kEverything) before.push_back(Rows(sql));
  EXPECT_EQ(before[0], accounts);
  for (const auto& [type, path] : std::vector<std::pair<std::string, std::string>>{
           {"accounts", File("accounts.csv", kSalesforceAccounts)},
           {"contacts", contacts},
           {"opportunities", deals},
           {"activities", calls},
           {"sales-lines", lines}}) {
    const json again = Import(type, path);
    EXPECT_EQ(again["exit"], 0) << type << " " << again.dump();
    EXPECT_EQ(again["created"], 0) << type;
    EXPECT_EQ(again["updated"], 0) << type << " " << again.dump();
    EXPECT_GE(again["unchanged"], 2) << type;
  }
  for (std::size_t i = 0; i < std::size(kEverything); ++i) {
    EXPECT_EQ(Rows(kEverything[i]), before[i]) << kEverything[i];
  }

  // An export, in CSV and in XLSX, imports back as it is: nothing changes.
  for (const auto& [type, rows] : std::vector<std::pair<std::string, int>>{{"accounts", 3},
                                                                           {"contacts", 2},
                                                                           {"opportunities", 2},
                                                                           {"activities", 2},
                                                                           {"sales-lines", 2}}) {
    for (const std::string extension : {"csv", "xlsx"}) {
      const std::string out = dir_.File(type + "-export." + extension);
      const auto exported =
          RunRapport({"export", "--db", target_.url(), "--type", type, "--out", out});
      ASSERT_EQ(exported.exit_code, 0) << exported.err;
      EXPECT_NE(exported.out.find(std::to_string(rows) + " " + type), std::string::npos)
          << exported.out;
      const json back = Import(type, out);
      EXPECT_EQ(back["exit"], 0) << type << " " << extension << " " << back.dump();
      EXPECT_EQ(back["unchanged"], rows) << type << " " << extension << " " << back.dump();
      EXPECT_EQ(back["ignored_columns"], json::array()) << type << " " << extension;
    }
  }
  for (std::size_t i = 0; i < std::size(kEverything); ++i) {
    EXPECT_EQ(Rows(kEverything[i]), before[i]) << kEverything[i];
  }

  // A changed file updates what changed, field by field in the audit trail.
  const json changed = Import("accounts", File("changed.csv",
                                               "Account ID,Account Name,Billing Zip/Postal Code\n"
                                               "001A,\"St Mary's Hospital, Paddington\",W2 1NZ\n"));
  EXPECT_EQ(changed["updated"], 1) << changed.dump();
  EXPECT_EQ(Count("SELECT count(*) FROM audit_history WHERE table_name = 'accounts' AND field = "
                  "'postcode' AND old_value = 'W2 1NY' AND new_value = 'W2 1NZ'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts WHERE external_id = '001A' AND version = 2 AND "
                  "type = 'hospital'"),
            1)
      << "columns the file does not have stay as they were";
}

// Salesforce Data Loader's Account and Contact extracts keep the whole record: both addresses
// (a multi-line street), the switchboard, website, industry, size and description; a contact's
// salutation, department, direct line and mobile (Phone and MobilePhone are two numbers).
TEST_P(ImportTest, CompleteRecordsKeepAddressesPhonesSizeAndTheirContactsNumbers) {
  const json accounts = Import(
      "accounts",
      File("Account.csv",
           "Id,Name,BillingStreet,BillingCity,BillingState,BillingPostalCode,BillingCountry,"
           "ShippingStreet,ShippingCity,ShippingPostalCode,ShippingCountry,Phone,Website,Industry,"
           "NumberOfEmployees,Beds,Description,ODS Code\n"
           "001A,Hôpital Saint-Éloi,\"80 Avenue Augustin Fliche\nBâtiment B\",Montpellier,"
           "Occitanie,34090,France,\"Goods In, Gate 3\",Montpellier,34295,fr,+33 4 67 33 67 33,"
           "www.chu-montpellier.fr,Hospital & Health Care,11000,2800,\"University hospital;\n"
           "cardiology lead site\",\n"
           "001B,St Mary's Hospital,Praed Street,London,London,W2 1NY,United Kingdom,,,,,"
           "020 3312 6666,https://www.imperial.nhs.uk,Hospital & Health Care,,,,RYJ02\n"));
  ASSERT_EQ(accounts["exit"], 0) << accounts.dump();
  EXPECT_EQ(accounts["created"], 2) << accounts.dump();
  EXPECT_EQ(accounts["ignored_columns"], json::array()) << accounts.dump();
  EXPECT_EQ(Rows("SELECT street, city, region, postcode, country, shipping_street, "
                 "shipping_postcode, shipping_country, phone, website, industry, employees, beds, "
                 "description, ods_code FROM accounts ORDER BY external_id"),
            (std::vector<std::string>{
                "80 Avenue Augustin Fliche\nBâtiment B|Montpellier|Occitanie|34090|FR|Goods In, "
                "Gate 3|34295|FR|+33 4 67 33 67 33|www.chu-montpellier.fr|Hospital & Health "
                "Care|11000|2800|University hospital;\ncardiology lead site|∅|",
                "Praed Street|London|London|W2 1NY|GB|∅|∅|∅|020 3312 6666|"
                "https://www.imperial.nhs.uk|Hospital & Health Care|∅|∅|∅|RYJ02|"}));

  const json contacts = Import(
      "contacts",
      File("Contact.csv",
           "Id,AccountId,Salutation,FirstName,LastName,Title,Department,Phone,MobilePhone,Email\n"
           "003A,001A,Dr,Amélie,Durand,Head of Cardiology,Cardiologie,+33 4 67 33 00 01,"
           "+33 6 12 34 56 78,a-durand@chu-montpellier.fr\n"
           "003B,001B,Ms,Ada,Lovelace,Head of Procurement,Procurement,,07700 900123,\n"));
  ASSERT_EQ(contacts["exit"], 0) << contacts.dump();
  EXPECT_EQ(contacts["created"], 2) << contacts.dump();
  EXPECT_EQ(Rows("SELECT salutation, first_name, department, phone, mobile, function FROM "
                 "contacts ORDER BY external_id"),
            (std::vector<std::string>{"Dr|Amélie|Cardiologie|+33 4 67 33 00 01|+33 6 12 34 56 78|"
                                      "other|",
                                      "Ms|Ada|Procurement|∅|07700 900123|other|"}));

  // An export imports back unchanged, the new columns included.
  const std::string out = dir_.File("accounts-export.csv");
  ASSERT_EQ(
      RunRapport({"export", "--db", target_.url(), "--type", "accounts", "--out", out}).exit_code,
      0);
  const json back = Import("accounts", out);
  EXPECT_EQ(back["unchanged"], 2) << back.dump();
  EXPECT_EQ(back["ignored_columns"], json::array()) << back.dump();

  // A country no one has heard of is refused, by line and column, and nothing is written.
  const json narnia = Import("accounts", File("narnia.csv",
                                              "Id,Name,BillingCountry\n"
                                              "001C,Cair Paravel Infirmary,Narnia\n"));
  EXPECT_NE(narnia["exit"], 0) << narnia.dump();
  EXPECT_NE(narnia.dump().find("BillingCountry"), std::string::npos) << narnia.dump();
  EXPECT_NE(narnia.dump().find("is not a country"), std::string::npos) << narnia.dump();
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 2);
}

// Salesforce's and HubSpot's account Type is the relationship, not the kind of organisation:
// read as Rapport's `type` it refuses the file, so --from says whose export it is.
TEST_P(ImportTest, AnExportFromSalesforceOrHubSpotReadsItsTypeAsTheRelationship) {
  const std::string salesforce = File("Account.csv",
                                      "Id,Name,Type,BillingCity,BillingCountry\n"
                                      "001A,Leeds General Infirmary,Customer - Direct,Leeds,UK\n"
                                      "001B,Airedale General Hospital,Prospect,Keighley,UK\n"
                                      "001C,Northern Medical Supplies,Channel Partner / "
                                      "Reseller,Wakefield,UK\n");
  const json as_ours = Import("accounts", salesforce);
  EXPECT_NE(as_ours["exit"], 0) << as_ours.dump();
  EXPECT_EQ(as_ours["columns"]["type"], "Type") << as_ours.dump();
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 0);

  const json from_salesforce = Import("accounts", salesforce, {"--from", "salesforce"});
  ASSERT_EQ(from_salesforce["exit"], 0) << from_salesforce.dump();
  EXPECT_EQ(from_salesforce["created"], 3);
  EXPECT_EQ(from_salesforce["columns"]["status"], "Type");
  EXPECT_EQ(
      Rows("SELECT external_id, type, status, city, country FROM accounts ORDER BY "
           "external_id"),
      (std::vector<std::string>{"001A|other|customer|Leeds|GB|", "001B|other|prospect|Keighley|GB|",
                                "001C|other|prospect|Wakefield|GB|"}));

  const json from_hubspot =
      Import("accounts",
             File("companies.csv",
                  "Record ID,Company name,Type,Lifecycle Stage,City,Country/Region,Phone Number\n"
                  "9001,Harrogate District Hospital,Partner,Customer,Harrogate,United Kingdom,"
                  "01423 885959\n"),
             {"--from", "hubspot"});
  ASSERT_EQ(from_hubspot["exit"], 0) << from_hubspot.dump();
  EXPECT_EQ(from_hubspot["ignored_columns"], json::array({"Type"})) << from_hubspot.dump();
  EXPECT_EQ(Rows("SELECT status, city, country, phone FROM accounts WHERE external_id = '9001'"),
            (std::vector<std::string>{"customer|Harrogate|GB|01423 885959|"}));

  const auto unknown = RunRapport({"import", "--db", target_.url(), "--type", "accounts", "--file",
                                   salesforce, "--from", "veeva"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("--from"), std::string::npos) << unknown.err;
}

TEST_P(ImportTest, CustomFieldsAreImportedByLabelOrApiNameAndExportedBack) {
  Exec(
      "INSERT INTO custom_fields (id, record_type, key, label, type, created_at, updated_at) "
      "VALUES (1, 'accounts', 'trust_tier', 'Trust Tier', 'picklist', 1, 1), "
      "(2, 'accounts', 'icu_beds', 'ICU beds', 'number', 1, 1), "
      "(3, 'accounts', 'specialties', 'Specialties', 'multi_picklist', 1, 1), "
      "(4, 'accounts', 'framework', 'Framework agreement', 'checkbox', 1, 1), "
      "(5, 'accounts', 'key_account_lead', 'Key account lead', 'user', 1, 1), "
      "(6, 'accounts', 'annual_spend', 'Annual spend', 'money', 1, 1);"
      "INSERT INTO custom_field_options (field_id, value, label, position) VALUES "
      "(1, 'tier_1', 'Tier 1', 0), (1, 'tier_2', 'Tier 2', 1), "
      "(3, 'Cardiology', 'Cardiology', 0), (3, 'ICU', 'ICU', 1), (3, 'Oncology', 'Oncology', 2)");
  // Salesforce writes a custom field's API name (ICU_Beds__c); people write its label.
  const std::string path = File(
      "Account.csv",
      "Id,Name,Trust Tier,ICU_Beds__c,Specialties,Framework agreement,Key account lead,"
      "Annual spend\n"
      "001A,Leeds General Infirmary,Tier 1,24,Cardiology;ICU,yes,bob@example.org,\"1,250.50\"\n"
      "001B,Airedale General Hospital,tier 2,,,no,Ann Owner,\n");
  const json report = Import("accounts", path);
  ASSERT_EQ(report["exit"], 0) << report.dump();
  EXPECT_EQ(report["columns"]["custom.icu_beds"], "ICU_Beds__c") << report.dump();
  EXPECT_EQ(report["ignored_columns"], json::array()) << report.dump();
  const std::int64_t bob = Count("SELECT id FROM users WHERE email = 'bob@example.org'");
  const std::int64_t ann = Count("SELECT id FROM users WHERE email = 'ann@example.org'");
  EXPECT_EQ(Rows("SELECT external_id, custom FROM accounts ORDER BY external_id"),
            (std::vector<std::string>{
                "001A|{\"trust_tier\":\"tier_1\",\"icu_beds\":24,\"specialties\":[\"Cardiology\","
                "\"ICU\"],\"framework\":true,\"key_account_lead\":\"" +
                    std::to_string(bob) + "\",\"annual_spend\":125050}|",
                "001B|{\"trust_tier\":\"tier_2\",\"framework\":false,\"key_account_lead\":\"" +
                    std::to_string(ann) + "\"}|"}));

  // Exported as custom.<key>, it imports back unchanged.
  const std::string out = dir_.File("accounts-export.csv");
  ASSERT_EQ(
      RunRapport({"export", "--db", target_.url(), "--type", "accounts", "--out", out}).exit_code,
      0);
  const json back = Import("accounts", out);
  EXPECT_EQ(back["unchanged"], 2) << back.dump();
  EXPECT_EQ(back["ignored_columns"], json::array()) << back.dump();

  // A second file updates what it gives: an empty cell clears, each change in the trail.
  const json update =
      Import("accounts", File("update.csv", "Id,ICU beds,Trust Tier\n001A,30,\n001B,12,Tier 2\n"));
  ASSERT_EQ(update["exit"], 0) << update.dump();
  EXPECT_EQ(update["updated"], 2) << update.dump();
  EXPECT_EQ(Rows("SELECT custom FROM accounts WHERE external_id = '001A'"),
            (std::vector<std::string>{
                "{\"icu_beds\":30,\"specialties\":[\"Cardiology\",\"ICU\"],\"framework\":true,"
                "\"key_account_lead\":\"" +
                std::to_string(bob) + "\",\"annual_spend\":125050}|"}));
  EXPECT_EQ(
      Rows("SELECT field, old_value, new_value FROM audit_history WHERE field LIKE "
           "'custom.%' ORDER BY id"),
      (std::vector<std::string>{"custom.icu_beds|24|30|", "custom.trust_tier|\"tier_1\"|\u2205|",
                                "custom.icu_beds|\u2205|12|"}));

  // A value that is not an option is refused by line and column, and nothing is written.
  const json bad =
      Import("accounts",
             File("bad.csv", "Id,Trust Tier,Specialties\n001A,Tier 9,\n001B,,Cardiology;Gyn\n"));
  EXPECT_EQ(bad["exit"], 1) << bad.dump();
  ASSERT_EQ(bad["rejections"].size(), 2u) << bad.dump();
  EXPECT_EQ(bad["rejections"][0]["line"], 2);
  EXPECT_EQ(bad["rejections"][0]["column"], "Trust Tier");
  EXPECT_EQ(bad["rejections"][1]["column"], "Specialties");
  EXPECT_EQ(Count("SELECT count(*) FROM audit_history WHERE field LIKE 'custom.%'"), 3);
}

TEST_P(ImportTest, ABadRowIsNamedByLineAndColumnAndNothingIsWritten) {
  const std::string path =
      File("accounts.csv",
           "Account ID,Account Name,Type,Customer Since,Account Owner\n"
           "G1,Good Hospital,hospital,2020-01-01,ann@example.org\n"
           "G2,,hospital,,\n"                             // line 3: no name for a new account
           "G3,Castle,castle,2020-13-01,\n"               // line 4: two bad cells
           "G4,\"Multi\nline\",hospital,,nobody@x.org\n"  // lines 5-6: no such user
           "G1,Again,hospital,,\n"                        // line 7: G1 twice
           "G5,Ragged\n"                                  // line 8: too few fields
           "G6,Fine Too,gp practice,,Bob Seller\n");
  const std::string errors = dir_.File("errors.csv");
  const json report = Import("accounts", path, {"--errors", errors});
  EXPECT_EQ(report["exit"], 1);
  EXPECT_EQ(report["status"], "rejected");
  EXPECT_EQ(report["rows_read"], 7);
  EXPECT_EQ(report["rejected"], 5);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 0) << "all or nothing";
  std::map<std::int64_t, std::string> where;
  std::vector<std::int64_t> lines;
  for (const auto& r : report["rejections"]) {
    where[r["line"].get<std::int64_t>()] += r["column"].get<std::string>() + ";";
    lines.push_back(r["line"].get<std::int64_t>());
  }
  // In the file's order, though line 3 is refused when its batch is written and the others as
  // they are read.
  EXPECT_TRUE(std::is_sorted(lines.begin(), lines.end())) << report["rejections"].dump();
  EXPECT_EQ(where[3], "name;");
  EXPECT_EQ(where[4], "Type;Customer Since;");
  EXPECT_EQ(where[5], "Account Owner;");
  EXPECT_EQ(where[7], "Account ID;");
  EXPECT_EQ(where[8], ";");
  std::ifstream in(errors);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(file.find("4,Type,\"'castle' is not one of"), std::string::npos) << file;
  EXPECT_NE(file.find("8,,has 2 fields where the header has 5"), std::string::npos) << file;
  EXPECT_EQ(Count("SELECT rejected_count FROM imports WHERE status = 'rejected'"), 5);

  // A dry run says the same and writes nothing either; --partial writes the good rows.
  const json dry = Import("accounts", path, {"--dry-run", "--partial"});
  EXPECT_EQ(dry["created"], 2) << dry.dump();
  EXPECT_EQ(dry["written"], false);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 0);
  const json partial = Import("accounts", path, {"--partial"});
  EXPECT_EQ(partial["exit"], 0) << partial.dump();
  EXPECT_EQ(partial["created"], 2);
  EXPECT_EQ(Rows("SELECT external_id, type FROM accounts ORDER BY external_id"),
            (std::vector<std::string>{"G1|hospital|", "G6|gp_practice|"}));
}

// Records imported into an empty table are found by search as they were written: every indexed
// column, only the rows written (SQLite builds the index apart, on the import's reading thread).
TEST_P(ImportTest, ImportedRecordsAreFoundBySearchAsWritten) {
  std::string csv = "Account ID,Account Name,Type,Billing State/Province,Billing Zip/Postal Code\n";
  for (int i = 1; i <= 2500; ++i) {
    const bool nameless = i % 500 == 0;  // refused as its batch is written
    csv +=
        "S" + std::to_string(i) + "," +
        (nameless ? ""
                  : (i % 3 == 0 ? "Alpha" : "Beta") + std::string(" Clinic ") + std::to_string(i)) +
        ",hospital," + (i % 2 == 0 ? "North" : "") + ",AB" + std::to_string(i % 7) + " 1XY\n";
  }
  const json report = Import("accounts", File("clinics.csv", csv), {"--partial"});
  EXPECT_EQ(report["created"], 2495) << report.dump();
  EXPECT_EQ(report["rejected"], 5);

  const db::Backend backend = GetParam();
  const db::FullTextIndex* index = nullptr;
  for (const db::FullTextIndex& i : db::SearchIndexes()) {
    if (i.table == "accounts") index = &i;
  }
  ASSERT_NE(index, nullptr);
  auto found = [&](std::string_view typed) {
    return Rows("SELECT a.external_id FROM accounts a WHERE " +
                    db::FullTextCondition(backend, *index, "a") + " ORDER BY a.id",
                {db::FullTextQuery(backend, typed)});
  };
  const auto alpha = found("alpha");
  EXPECT_EQ(alpha.size(), 2500u / 3 - 1) << "one of the nameless (1500) is a multiple of 3";
  EXPECT_EQ(alpha, Rows("SELECT external_id FROM accounts WHERE name LIKE 'Alpha %' ORDER BY id"));
  EXPECT_EQ(found("clinic 12"),
            Rows("SELECT external_id FROM accounts WHERE name LIKE '% Clinic 12%' ORDER BY id"));
  EXPECT_EQ(found("north"),
            Rows("SELECT external_id FROM accounts WHERE region = 'North' ORDER BY id"));
  EXPECT_EQ(found("ab3"),
            Rows("SELECT external_id FROM accounts WHERE postcode LIKE 'AB3 %' ORDER BY id"));
  EXPECT_EQ(found("clinic").size(), 2495u);
}

TEST_P(ImportTest, AFileThatIsNotCsvInUtf8IsRefusedWhole) {
  const std::string good_row = "Account ID,Account Name\nOK1,Fine\n";
  const std::string long_line = good_row + "X2,\"" + std::string(2 << 20, 'a') + "\"\n";
  for (const auto& [bytes, says] : std::vector<std::pair<std::string, std::string>>{
           {good_row + "Q1,\"never closed\n",
            "line 3: a quoted field opened on this line is "
            "never closed"},
           {good_row + "L1,Caf\xE9\n", "line 3: field 2 is not UTF-8"},
           {std::string("\xFF\xFE"
                        "A\0c\0",
                        6),
            "UTF-16"},
           {std::string("PK\x03\x04rest of a zip", 18), "not a readable XLSX workbook"},
           {good_row + std::string("N1,a\0b\n", 7), "NUL"},
           {long_line, "line 3: a record longer than 1024 KiB"},
           {"", "the file is empty"},
           {"Rating,Fax\nHot,0113 000\n", "no column of the header names a field"},
           {"Account ID,Account Name,Name\nA,B,C\n", "two columns give name"}}) {
    const json report = Import("accounts", File("bad.csv", bytes));
    EXPECT_EQ(report["exit"], 1) << says;
    EXPECT_EQ(report["status"], "failed") << says;
    EXPECT_NE(report["problem"].get<std::string>().find(says), std::string::npos)
        << report["problem"] << " should say " << says;
    // The row before the bad line was read (and would have been written): the report says so.
    if (says.starts_with("line 3")) {
      EXPECT_EQ(report["rows_read"], 1) << says;
    }
  }
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 0);
  // An explicit mapping settles which column is the name.
  const json mapped = Import("accounts", File("two.csv", "Account ID,Account Name,Name\nA,B,C\n"),
                             {"--map", "Name=", "--map", "Account Name=name"});
  EXPECT_EQ(mapped["created"], 1) << mapped.dump();
  EXPECT_EQ(Rows("SELECT name FROM accounts"), std::vector<std::string>{"B|"});
}

TEST_P(ImportTest, AnImportKilledHalfWayWritesNothing) {
  std::string csv = "Account ID,Account Name,Type,Region\n";
  for (int i = 0; i < 150'000; ++i) {
    csv += "K" + std::to_string(i) + ",Hospital number " + std::to_string(i) + ",hospital,R" +
           std::to_string(i % 50) + "\n";
  }
  const std::string path = File("big.csv", csv);
  RunningCommand import(
      {RAPPORT_BINARY, "import", "--db", target_.url(), "--type", "accounts", "--file", path});
  // The import's own row is written before its rows are; kill it once 100,000 rows are written
  // (uncommitted: the import is one transaction).
  ASSERT_TRUE(import.WaitForError("100,000 rows written", 120)) << import.Err();
  ASSERT_EQ(Count("SELECT count(*) FROM imports WHERE status = 'running'"), 1);
  import.Kill(SIGKILL);
  EXPECT_EQ(import.Wait(), 128 + SIGKILL) << "the import finished before it was killed";
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_history WHERE table_name = 'accounts'"), 0);
  // The next server to start says the import was interrupted, instead of "running" for ever.
  const std::string interrupted =
      "SELECT count(*) FROM imports WHERE status = 'failed' AND problem LIKE 'interrupted%' AND "
      "finished_at IS NOT NULL";
  EXPECT_EQ(Count(interrupted), 0);
  RunningCommand server(
      {RAPPORT_BINARY, "serve", "--db", target_.url(), "--listen", "127.0.0.1:0"});
  for (int i = 0; i < 200 && Count(interrupted) == 0; ++i) usleep(50'000);
  server.Kill(SIGTERM);
  server.Wait();
  EXPECT_EQ(Count(interrupted), 1);
  // The same file imports whole afterwards.
  const json report = Import("accounts", path);
  EXPECT_EQ(report["created"], 150'000) << report.dump();
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 150'000);
}

// An XLSX workbook as a spreadsheet writes one (openpyxl): shared strings, dates as formatted
// numbers, a sum with float noise, empty trailing cells left out, a second sheet not imported.
TEST_P(ImportTest, AnXlsxWorkbookImportsLikeItsCsv) {
  const std::string path = dir_.File("accounts.xlsx");
  const auto made = RunCommand({"/usr/bin/python3", "-c", R"py(
import sys, datetime, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Accounts"
ws.append(["Account ID", "Account Name", "Type", "Customer Since", "Potential", "Segment"])
ws.append(["X1", "St Mary's, Paddington", "Hospital", datetime.date(2019, 4, 1), 0.1 + 0.2, "A"])
ws.append(["X2", "Brompton", "hospital", datetime.datetime(2020, 2, 29, 0, 0), 1250, None])
ws.append([])
ws.append(["X3", "Harefield", "hospital"])
other = wb.create_sheet("Notes")
other.append(["not", "imported"])
wb.save(sys.argv[1])
)py",
                                path});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const json report = Import("accounts", path);
  ASSERT_EQ(report["exit"], 0) << report.dump();
  EXPECT_EQ(report["created"], 3);
  EXPECT_EQ(Count("SELECT count(*) FROM imports WHERE format = 'xlsx'"), 1);
  EXPECT_EQ(Rows("SELECT external_id, name, customer_since, potential_value_minor, segment FROM "
                 "accounts ORDER BY external_id"),
            (std::vector<std::string>{"X1|St Mary's, Paddington|2019-04-01|30|A|",
                                      "X2|Brompton|2020-02-29|125000|∅|", "X3|Harefield|∅|∅|∅|"}));
  // The same workbook again changes nothing.
  const json again = Import("accounts", path);
  EXPECT_EQ(again["unchanged"], 3) << again.dump();

  // A zip that is not a workbook, and a workbook cut short, are refused.
  const std::string zip = dir_.File("other.xlsx");
  ASSERT_EQ(RunCommand({"/usr/bin/python3", "-c",
                        "import sys, zipfile\n"
                        "with zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('a.txt', 'hi')",
                        zip})
                .exit_code,
            0);
  const json not_a_workbook = Import("accounts", zip);
  EXPECT_EQ(not_a_workbook["exit"], 1);
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const json cut = Import("accounts", File("cut.xlsx", bytes.substr(0, bytes.size() / 2)));
  EXPECT_EQ(cut["exit"], 1);
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 3);
}

// A Salesforce Data Export as it comes: one file per object, API names as headers, owners as
// user ids (resolved through User.csv), deleted and merged rows still in it, a parent and a
// manager further down their file, multi-line and non-ASCII text, custom fields that name
// built-in ones, a user who is inactive there and unknown here, and a file that is not part of
// the book.
class SalesforceBook {
 public:
  static void Write(TempDir& dir) {
    auto file = [&](const std::string& name, const std::string& bytes) {
      std::ofstream(dir.File(name), std::ios::binary) << bytes;
    };
    file("User.csv",
         "Id,Username,LastName,FirstName,Name,Email,IsActive,UserRoleId\r\n"
         "0051,ann@example.org.prod,Owner,Ann,Ann Owner,ann@example.org,true,\r\n"
         "0052,bob.s@example.org.prod,Seller,Bob,Bob Seller,BOB@example.org,true,\r\n"
         "0053,carol@example.org.prod,Closer,Carol,Carol Closer,carol@example.org,false,\r\n"
         "0054,dan@example.org.prod,Unused,Dan,Dan Unused,dan@example.org,true,\r\n");
    file("Account.csv",
         "Id,IsDeleted,MasterRecordId,Name,Type,ParentId,BillingStreet,BillingCity,BillingState,"
         "BillingPostalCode,BillingCountry,Phone,Website,Industry,NumberOfEmployees,OwnerId,"
         "CreatedDate,ODS_Code__c,Beds__c,Rating,Trust_Tier__c,ICU_Beds__c\r\n"
         "001A,false,,St Mary's Hospital,Customer - Direct,001S,\"Praed Street\r\nPaddington\","
         "London,London,W2 1NY,United Kingdom,020 3312 6666,imperial.nhs.uk,Hospital & Health "
         "Care,,0051,2019-03-01T10:00:00.000+0000,RYJ02,450,Hot,Gold,24\r\n"
         "001B,false,,Hôpital Saint-Éloi,Prospect,,80 Avenue Augustin Fliche,Montpellier,"
         "Occitanie,34090,France,+33 4 67 33 67 33,chu-montpellier.fr,Hospital & Health Care,"
         "11000,0053,2020-05-01T09:00:00.000Z,,2800,Warm,,\r\n"
         "001C,true,,Old Duplicate Ltd,Prospect,,,,,,,,,,,0051,2018-01-01T00:00:00.000Z,,,,,\r\n"
         "001D,true,001A,St Marys Hosp,Prospect,,,,,,,,,,,0051,2018-01-01T00:00:00.000Z,,,,,\r\n"
         "001S,false,,Imperial College Healthcare NHS Trust,Customer - Direct,,\"The Bays, South "
         "Wharf Road\",London,London,W2 1BL,United Kingdom,020 3311 3311,imperial.nhs.uk,"
         "Hospital & Health Care,14000,0052,2019-03-01T10:00:00.000Z,RYJ,,Hot,Silver,40\r\n");
    file("Contact.csv",
         "Id,IsDeleted,MasterRecordId,AccountId,LastName,FirstName,Salutation,Name,Title,"
         "Department,Phone,MobilePhone,Email,ReportsToId,OwnerId,HasOptedOutOfEmail\r\n"
         "003A,false,,001A,Lovelace,Ada,Ms,Ada Lovelace,Head of Procurement,Procurement,"
         "020 3312 0001,07700 900123,ada@imperial.nhs.uk,003B,0051,false\r\n"
         "003B,false,,001A,Nightingale,Florence,Dr,Florence Nightingale,Director of Nursing,"
         "Nursing,,,florence@imperial.nhs.uk,,0051,true\r\n"
         "003C,false,,001B,Durand,Amélie,Dr,Amélie Durand,Cheffe de cardiologie,Cardiologie,"
         "+33 4 67 33 00 01,,a-durand@chu-montpellier.fr,,0053,false\r\n"
         "003D,true,,001B,Gone,Old,,Old Gone,,,,,,,0053,false\r\n");
    file(
        "Opportunity.csv",
        "Id,IsDeleted,AccountId,Name,StageName,Amount,Probability,CloseDate,Type,LeadSource,"
        "IsClosed,IsWon,ForecastCategory,CurrencyIsoCode,OwnerId,NextStep,Description\r\n"
        "006A,false,001A,Theatre beds,Closed Won,125000.00,100,2026-10-01,New Business,Web,true,"
        "true,Closed,GBP,0051,,\"Twelve beds\r\nfor theatres\"\r\n"
        "006B,false,001B,Pompes à perfusion,Negotiation/Review,46800,90,2027-01-31,New Business,"
        ",false,false,Commit,EUR,0053,Send the tender pack,\r\n"
        "006C,false,001S,Monitoring,Prospecting,,10,2027-03-31,,,false,false,Pipeline,GBP,0052,,"
        "\r\n"
        "006D,true,001A,Deleted deal,Prospecting,999,10,2027-03-31,,,false,false,Pipeline,GBP,0051,"
        ",\r\n");
    file("Task.csv",
         "Id,IsDeleted,WhoId,WhatId,AccountId,Subject,ActivityDate,Status,Priority,OwnerId,"
         "Description,Type,TaskSubtype,IsClosed\r\n"
         "00T1,false,003A,006A,001A,Call about delivery,2026-09-15,Completed,Normal,0051,"
         "\"Spoke with Ada.\r\nDelivery confirmed.\",Call,Call,true\r\n"
         "00T2,false,003C,001B,001B,Send brochure,2026-11-20,Completed,Normal,0053,,,Email,true\r\n"
         // Not done yet: a task, not an activity.
         "00T3,false,003C,006B,001B,Send the tender pack,2026-12-20,Not Started,High,0053,,,"
         "Task,false\r\n");
    file("Event.csv",
         "Id,IsDeleted,WhoId,WhatId,AccountId,Subject,ActivityDateTime,ActivityDate,StartDateTime,"
         "EndDateTime,DurationInMinutes,OwnerId,Description,EventSubtype\r\n"
         "00U1,false,003C,006B,001B,Site visit,2026-11-03T09:30:00.000Z,2026-11-03,"
         "2026-11-03T09:30:00.000Z,2026-11-03T10:30:00.000Z,60,0053,,Event\r\n"
         // Still to come (the tests run on 2026-11-28): a visit planned, so a task.
         "00U2,false,003A,001A,001A,Theatre walk-round,2026-12-10T10:00:00.000Z,2026-12-10,"
         "2026-12-10T10:00:00.000Z,2026-12-10T11:00:00.000Z,60,0051,,Event\r\n");
    file("Lead.csv", "Id,LastName,Company\r\n00Q1,Smith,Acme\r\n");
    file("OpportunityContactRole.csv",
         "Id,IsDeleted,OpportunityId,ContactId,Role,IsPrimary\r\n"
         "00K1,false,006A,003A,Economic Decision Maker,true\r\n"
         "00K2,false,006A,003B,Business User,false\r\n"
         "00K3,false,006B,003C,Technical Buyer,true\r\n"
         "00K4,true,006B,003A,Influencer,false\r\n");
    file("Product2.csv",
         "Id,IsDeleted,Name,ProductCode,Family,IsActive\r\n"
         "01t1,false,Theatre bed,BED-1,beds,true\r\n"
         "01t2,false,Installation,,services,true\r\n"
         "01t3,false,Infusion pump,PUMP-2,infusion,true\r\n"
         "01t4,false,Giving set,PUMP-SET,consumables,true\r\n");
    // Lines whose totals Salesforce computed: a 4% discount, and a 12.5% one (kept as the unit
    // price it comes to); a line with no code names its product by id.
    file("OpportunityLineItem.csv",
         "Id,IsDeleted,OpportunityId,SortOrder,PricebookEntryId,Product2Id,ProductCode,Name,"
         "Quantity,TotalPrice,UnitPrice,ListPrice,Discount,Description\r\n"
         "00k2,false,006A,2,01u2,01t2,,Theatre beds - Installation,1.00,5000.00,5000.00,5000.00,,"
         "On site\r\n"
         "00k1,false,006A,1,01u1,01t1,BED-1,Theatre beds - Theatre bed,12.00,120000.00,10000.00,"
         "10500.00,,\r\n"
         "00k3,false,006B,1,01u3,01t3,PUMP-2,Pompes,32.00,38400.00,1250.00,1250.00,4.00,\r\n"
         "00k4,false,006B,2,01u4,01t4,PUMP-SET,Sets,8.00,8400.00,1200.00,1200.00,12.50,\r\n"
         "00k5,true,006A,3,01u1,01t1,BED-1,Deleted,1.00,1.00,1.00,1.00,,\r\n");
  }
};

TEST_P(ImportTest, ASalesforceExportImportsFromItsFolderInOneCheckedRun) {
  SalesforceBook::Write(dir_);
  const auto book = [&](std::vector<std::string> more) { return Book("salesforce", more); };
  const auto owner = [](const json& report, const std::string& key) {
    for (const json& o : report["owners"]) {
      if (o["key"] == key) return o;
    }
    return json();
  };

  // Carol owns records there and is no user here: named, and nothing written.
  const json unmatched = book({});
  EXPECT_NE(unmatched["exit"], 0) << unmatched.dump();
  EXPECT_EQ(unmatched["status"], "rejected") << unmatched.dump();
  EXPECT_EQ(owner(unmatched, "0053")["matched"], nullptr) << unmatched.dump();
  EXPECT_EQ(owner(unmatched, "0053")["email"], "carol@example.org");
  EXPECT_EQ(owner(unmatched, "0053")["active"], false);
  EXPECT_EQ(owner(unmatched, "0051")["matched"], "email");
  EXPECT_EQ(owner(unmatched, "0052")["matched"], "email") << "emails match in any case";
  EXPECT_TRUE(owner(unmatched, "0054").is_null()) << "a user who owns nothing is left out";
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 0);

  // A dry run with --create-users: the mapping and counts, the checks, and nothing written.
  const json dry = book({"--create-users", "--dry-run"});
  ASSERT_EQ(dry["exit"], 0) << dry.dump();
  EXPECT_EQ(dry["written"], false);
  ASSERT_EQ(dry["files"].size(), 13u) << dry.dump();
  EXPECT_EQ(dry["files"][7]["set_aside"], 1) << "the visit to come is not an activity";
  EXPECT_EQ(dry["files"][8]["set_aside"], 1) << "the open task is not an activity";
  EXPECT_EQ(dry["files"][10]["holds"], "contacts met");
  for (int i : {11, 12}) {
    EXPECT_EQ(dry["files"][i]["holds"], "open tasks");
    EXPECT_EQ(dry["files"][i]["import"]["created"], 1);
  }
  std::vector<std::string> order;
  for (const json& f : dry["files"]) order.push_back(f["name"]);
  EXPECT_EQ(order, (std::vector<std::string>{
                       "User.csv", "Account.csv", "Contact.csv", "Opportunity.csv",
                       "OpportunityContactRole.csv", "Product2.csv", "OpportunityLineItem.csv",
                       "Event.csv", "Task.csv", "Event.csv", "Task.csv", "Event.csv", "Task.csv"}));
  EXPECT_EQ(dry["ignored_files"], json::array({"Lead.csv"}));
  EXPECT_EQ(dry["files"][1]["rows"], 5);
  EXPECT_EQ(dry["files"][1]["skipped"], 2) << "one deleted, one merged";
  EXPECT_EQ(dry["files"][1]["import"]["created"], 3);
  EXPECT_EQ(dry["files"][1]["import"]["columns"]["owner"], "OwnerId");
  EXPECT_EQ(dry["files"][1]["import"]["columns"]["ods_code"], "ODS_Code__c");
  EXPECT_EQ(dry["files"][1]["import"]["columns"]["beds"], "Beds__c");
  EXPECT_EQ(dry["files"][1]["import"]["columns"]["status"], "Type");
  EXPECT_EQ(Count("SELECT count(*) FROM accounts"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM users"), 2) << "a dry run makes no user";

  const json first = book({"--create-users", "--keep-columns"});
  ASSERT_EQ(first["exit"], 0) << first.dump();
  // Salesforce's own fields with no field here became custom fields, typed by their cells.
  EXPECT_EQ(first["custom_fields"].size(), 2u) << first["custom_fields"].dump();
  EXPECT_EQ(Rows("SELECT record_type, key, label, type FROM custom_fields ORDER BY key"),
            (std::vector<std::string>{"accounts|icu_beds|ICU Beds|number|",
                                      "accounts|trust_tier|Trust Tier|text|"}));
  EXPECT_EQ(Rows("SELECT external_id, custom FROM accounts ORDER BY external_id"),
            (std::vector<std::string>{"001A|{\"trust_tier\":\"Gold\",\"icu_beds\":24}|", "001B|∅|",
                                      "001S|{\"trust_tier\":\"Silver\",\"icu_beds\":40}|"}));
  EXPECT_EQ(first["written"], true);
  EXPECT_EQ(owner(first, "0053")["matched"], "created");
  std::map<std::string, std::string> checks = Checks(first);
  EXPECT_EQ(checks["Account.csv records"], "3");
  EXPECT_EQ(checks["Account.csv parent as the file gives it"], "1");
  EXPECT_EQ(checks["Contact.csv reports_to as the file gives it"], "1") << first["checks"].dump();
  EXPECT_EQ(checks["Opportunity.csv amount GBP"], "125,000.00");
  EXPECT_EQ(checks["Opportunity.csv amount EUR"], "46,800.00");
  EXPECT_EQ(checks["OpportunityContactRole.csv contact roles"], "3");
  EXPECT_EQ(checks["Product2.csv products"], "4");
  EXPECT_EQ(checks["OpportunityLineItem.csv line items"], "4");
  EXPECT_EQ(checks["OpportunityLineItem.csv deals at their lines' total"], "2");
  EXPECT_EQ(checks["OpportunityLineItem.csv line totals GBP"], "125,000.00");
  EXPECT_EQ(checks["OpportunityLineItem.csv line totals EUR"], "46,800.00");
  EXPECT_EQ(checks["Task.csv opportunity as the file gives it"], "1");
  EXPECT_EQ(checks["Event.csv opportunity as the file gives it"], "1");
  EXPECT_EQ(checks["Task.csv open tasks"], "1");
  EXPECT_EQ(checks["Event.csv open tasks"], "1");
  EXPECT_EQ(Rows("SELECT t.external_id, t.subject, t.due_on, a.external_id FROM tasks t JOIN "
                 "accounts a ON a.id = t.account_id ORDER BY t.external_id"),
            (std::vector<std::string>{"00T3|Send the tender pack|2026-12-20|001B|",
                                      "00U2|Theatre walk-round|2026-12-10|001A|"}));
  // Who was met: each done task's and event's WhoId, on the activity's timeline.
  EXPECT_EQ(checks["Task.csv contacts met"], "2");
  EXPECT_EQ(checks["Event.csv contacts met"], "1");
  EXPECT_EQ(Rows("SELECT a.external_id, c.external_id FROM activity_contacts ac JOIN activities a "
                 "ON a.id = ac.activity_id JOIN contacts c ON c.id = ac.contact_id ORDER BY "
                 "a.external_id"),
            (std::vector<std::string>{"00T1|003A|", "00T2|003C|", "00U1|003C|"}));

  EXPECT_EQ(Rows("SELECT a.external_id, a.name, a.status, p.external_id, a.street, a.ods_code, "
                 "a.beds, u.email FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id "
                 "JOIN users u ON u.id = a.owner_id ORDER BY a.external_id"),
            (std::vector<std::string>{
                "001A|St Mary's Hospital|customer|001S|Praed Street\r\nPaddington|RYJ02|450|"
                "ann@example.org|",
                "001B|Hôpital Saint-Éloi|prospect|∅|80 Avenue Augustin Fliche|∅|2800|"
                "carol@example.org|",
                "001S|Imperial College Healthcare NHS Trust|customer|∅|The Bays, South Wharf "
                "Road|RYJ|∅|bob@example.org|"}));
  EXPECT_EQ(Count("SELECT count(*) FROM users WHERE email = 'carol@example.org' AND name = "
                  "'Carol Closer' AND password_hash IS NULL"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM users WHERE email = 'dan@example.org'"), 0);
  EXPECT_EQ(
      Rows("SELECT c.external_id, c.first_name, m.external_id, c.email_opted_out FROM "
           "contacts c LEFT JOIN contacts m ON m.id = c.reports_to_id ORDER BY "
           "c.external_id"),
      (std::vector<std::string>{"003A|Ada|003B|0|", "003B|Florence|∅|1|", "003C|Amélie|∅|0|"}));
  EXPECT_EQ(
      Rows("SELECT external_id, stage, amount_minor, currency, probability FROM "
           "opportunities ORDER BY external_id"),
      (std::vector<std::string>{"006A|closed_won|12500000|GBP|100|",
                                "006B|negotiation|4680000|EUR|90|", "006C|prospecting|0|GBP|10|"}));
  EXPECT_EQ(Rows("SELECT x.external_id, x.kind, a.external_id, o.external_id, u.email FROM "
                 "activities x JOIN accounts a ON a.id = x.account_id LEFT JOIN opportunities o "
                 "ON o.id = x.opportunity_id JOIN users u ON u.id = x.user_id ORDER BY "
                 "x.external_id"),
            (std::vector<std::string>{"00T1|call|001A|006A|ann@example.org|",
                                      "00T2|email|001B|∅|carol@example.org|",
                                      "00U1|meeting|001B|006B|carol@example.org|"}));
  EXPECT_EQ(Count("SELECT count(*) FROM imports WHERE status = 'succeeded' AND dry_run = 0"), 5);
  EXPECT_EQ(Rows("SELECT o.external_id, c.external_id, r.role FROM opportunity_contact_roles r "
                 "JOIN opportunities o ON o.id = r.opportunity_id JOIN contacts c ON c.id = "
                 "r.contact_id ORDER BY 1, 2"),
            (std::vector<std::string>{"006A|003A|economic_buyer|", "006A|003B|user_buyer|",
                                      "006B|003C|technical_buyer|"}));
  EXPECT_EQ(Rows("SELECT o.external_id, l.position, p.sku, l.quantity, l.list_price_minor, "
                 "l.sale_price_minor, l.discount_percent, l.total_minor FROM "
                 "opportunity_line_items l JOIN opportunities o ON o.id = l.opportunity_id JOIN "
                 "products p ON p.id = l.product_id ORDER BY 1, 2"),
            (std::vector<std::string>{"006A|1|BED-1|12|1050000|1000000|0|12000000|",
                                      "006A|2|01t2|1|500000|500000|0|500000|",
                                      "006B|1|PUMP-2|32|125000|125000|4|3840000|",
                                      "006B|2|PUMP-SET|8|120000|105000|0|840000|"}));
  EXPECT_EQ(Count("SELECT count(*) FROM products"), 4) << "two known by SKU, two made";
  EXPECT_EQ(Rows("SELECT t.external_id, u.email, a.external_id, t.related_type, o.external_id, "
                 "t.subject, t.due_on, t.done_at FROM tasks t JOIN users u ON u.id = t.owner_id "
                 "JOIN accounts a ON a.id = t.account_id JOIN opportunities o ON o.id = "
                 "t.related_id"),
            (std::vector<std::string>{"00T3|carol@example.org|001B|opportunity|006B|Send the "
                                      "tender pack|2026-12-20|∅|"}));

  // The same folder again: every record found by its external id, nothing changed.
  const json again = book({"--create-users"});
  ASSERT_EQ(again["exit"], 0) << again.dump();
  for (const json& f : again["files"]) {
    if (f["holds"] == "users") continue;
    EXPECT_EQ(f["import"]["created"], 0) << f.dump();
    EXPECT_EQ(f["import"]["updated"], 0) << f.dump();
  }
  EXPECT_EQ(Count("SELECT count(*) FROM users"), 3);

  // A deal whose amount is not its lines' total: the check says so and nothing is written.
  {
    std::ifstream in(dir_.File("Opportunity.csv"), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("46800"), 5, "48000");
    std::ofstream(dir_.File("Opportunity.csv"), std::ios::binary) << text;
  }
  const auto amounts = Rows("SELECT external_id, amount_minor, version FROM opportunities");
  const json mismatch = book({});
  EXPECT_NE(mismatch["exit"], 0) << mismatch.dump();
  EXPECT_EQ(mismatch["status"], "failed");
  EXPECT_NE(mismatch["problem"].get<std::string>().find(
                "Opportunity.csv, amount EUR: 48,000.00 in the file, 46,800.00 written"),
            std::string::npos)
      << mismatch.dump();
  EXPECT_EQ(Rows("SELECT external_id, amount_minor, version FROM opportunities"), amounts);
}

// Salesforce's cases come with the book: each at its account (or its contact's), its kind,
// priority and status read from Salesforce's picklists, due by Rapport's service level from when
// it was opened, a queue's case with the account's owner, a case with neither account nor
// contact left out and counted; each comment a message in the case's thread. A second run
// changes nothing; a case closed since is updated.
TEST_P(ImportTest, ASalesforceExportBringsItsCasesAndTheirThreads) {
  SalesforceBook::Write(dir_);
  const std::string case_header =
      "Id,IsDeleted,MasterRecordId,CaseNumber,ContactId,AccountId,Type,Status,Reason,Origin,"
      "Subject,Priority,Description,IsClosed,ClosedDate,IsEscalated,OwnerId,CreatedDate\r\n";
  const std::string open_monitor =
      "500C,false,,00001003,,001S,,New,Equipment Design,Web,Monitor alarms too quiet,Critical,,"
      "false,,true,00G1,2026-11-27T10:00:00.000+0000\r\n";
  const std::string other_cases =
      "500A,false,,00001001,003A,001A,Mechanical,Closed,Breakdown,Phone,Theatre bed will not "
      "lower,High,\"Bed 4 stuck\r\nin the raised position\",true,2026-10-03T12:00:00.000+0000,"
      "false,0051,2026-10-01T09:00:00.000+0000\r\n"
      "500B,false,,00001002,003C,,Billing,Waiting on Customer,,Email,Facture en double,Medium,,"
      "false,,false,0053,2026-11-20T08:00:00.000+0000\r\n"
      "500D,true,,00001004,,001A,Other,New,,Web,Deleted case,Low,,false,,false,0051,"
      "2026-11-01T10:00:00.000+0000\r\n"
      "500E,false,,00001005,,,Question,New,,Web,Web form enquiry,Low,,false,,false,00G1,"
      "2026-11-25T10:00:00.000+0000\r\n"
      "500F,false,,00001006,003C,001A,Complaint,Working,,Phone,Late delivery of the pumps,"
      "Medium,,false,,false,0051,2026-11-26T10:00:00.000Z\r\n";
  File("Case.csv", case_header + open_monitor + other_cases);
  File("CaseComment.csv",
       "Id,IsDeleted,ParentId,IsPublished,CommentBody,CreatedDate,CreatedById\r\n"
       "00a1,false,500A,true,Engineer booked for Thursday.,2026-10-01T10:00:00.000+0000,0051\r\n"
       "00a2,false,500A,false,\"Part ordered,\r\nfrom the factory\",2026-10-02T10:00:00.000+0000,"
       "0051\r\n"
       "00a3,false,500E,false,Spam?,2026-11-25T11:00:00.000+0000,0052\r\n"
       "00a4,true,500A,false,Deleted,2026-10-02T11:00:00.000+0000,0051\r\n");

  const json first = Book("salesforce", {"--create-users"});
  ASSERT_EQ(first["exit"], 0) << first.dump();
  const std::map<std::string, std::string> checks = Checks(first);
  EXPECT_EQ(checks.at("Case.csv cases"), "4");
  EXPECT_EQ(checks.at("Case.csv account as the file gives it"), "3");
  EXPECT_EQ(checks.at("Case.csv open cases"), "3");
  EXPECT_EQ(checks.at("Case.csv cases with neither account nor contact, left out"), "1");
  EXPECT_EQ(checks.at("Case.csv contacts of another account, not linked"), "1");
  EXPECT_EQ(checks.at("CaseComment.csv case comments"), "2");
  EXPECT_EQ(checks.at("CaseComment.csv comments of cases left out"), "1");
  std::vector<std::string> holds;
  for (const json& f : first["files"]) holds.push_back(f["holds"]);
  ASSERT_GE(holds.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(holds.end() - 2, holds.end()),
            (std::vector<std::string>{"cases", "case comments"}))
      << "cases come after the accounts, contacts and users they name";

  // Kind, priority and status from Salesforce's picklists; due by the service level of each
  // (technical/high: 4 h and 24 h; billing/normal: 8 h and 72 h; technical/urgent: 1 h and
  // 8 h; complaint/normal: 8 h and 72 h).
  EXPECT_EQ(
      Rows("SELECT c.external_id, a.external_id, k.external_id, c.kind, c.priority, c.status, "
           "u.email, (c.first_response_due_at - c.opened_at) / 3600000000, (c.resolution_due_at "
           "- c.opened_at) / 3600000000, c.resolved_at - c.opened_at, c.subject, c.description "
           "FROM cases c JOIN accounts a ON a.id = c.account_id LEFT JOIN contacts k ON k.id = "
           "c.contact_id JOIN users u ON u.id = c.owner_id ORDER BY c.external_id"),
      (std::vector<std::string>{
          "500A|001A|003A|technical|high|closed|ann@example.org|4|24|183600000000|Theatre bed "
          "will not lower|Bed 4 stuck\r\nin the raised position|",
          "500B|001B|003C|billing_query|normal|waiting_on_customer|carol@example.org|8|72|∅|"
          "Facture en double|∅|",
          "500C|001S|∅|technical|urgent|open|bob@example.org|1|8|∅|Monitor alarms too quiet|∅|",
          "500F|001A|∅|complaint|normal|open|ann@example.org|8|72|∅|Late delivery of the "
          "pumps|∅|"}));
  Instant opened = 0;
  ASSERT_TRUE(ParseInstantCell("2026-10-01T09:00:00Z", opened));
  EXPECT_EQ(Count("SELECT count(*) FROM cases WHERE external_id = '500A' AND opened_at = " +
                  std::to_string(opened)),
            1);
  EXPECT_EQ(Rows("SELECT c.external_id, m.direction, u.email, m.body FROM case_messages m JOIN "
                 "cases c ON c.id = m.case_id LEFT JOIN users u ON u.id = m.author_id ORDER BY "
                 "m.created_at"),
            (std::vector<std::string>{
                "500A|outbound|ann@example.org|Engineer booked for Thursday.|",
                "500A|internal|ann@example.org|Part ordered,\r\nfrom the factory|"}));

  // Again: nothing changes.
  const auto before = Rows("SELECT external_id, version, updated_at FROM cases ORDER BY 1");
  const json again = Book("salesforce", {"--create-users"});
  ASSERT_EQ(again["exit"], 0) << again.dump();
  for (const json& f : again["files"]) {
    if (f["holds"] == "users") continue;
    EXPECT_EQ(f["import"]["created"], 0) << f.dump();
    EXPECT_EQ(f["import"]["updated"], 0) << f.dump();
  }
  EXPECT_EQ(Rows("SELECT external_id, version, updated_at FROM cases ORDER BY 1"), before);
  EXPECT_EQ(Count("SELECT count(*) FROM case_messages"), 2);

  // Closed there since: updated here, with its resolution time.
  std::string closed = open_monitor;
  closed.replace(closed.find(",New,"), 5, ",Closed,");
  closed.replace(closed.find("false,,true"), 11, "true,2026-11-28T10:00:00.000Z,true");
  File("Case.csv", case_header + closed + other_cases);
  const json later = Book("salesforce", {"--create-users"});
  ASSERT_EQ(later["exit"], 0) << later.dump();
  const json& cases_file = later["files"][later["files"].size() - 2];
  EXPECT_EQ(cases_file["import"]["updated"], 1) << cases_file.dump();
  EXPECT_EQ(cases_file["import"]["unchanged"], 3) << cases_file.dump();
  EXPECT_EQ(Rows("SELECT status, (resolved_at - opened_at) / 3600000000 FROM cases WHERE "
                 "external_id = '500C'"),
            (std::vector<std::string>{"closed|24|"}));

  // A case at an account the book does not hold: named by line and column, nothing written.
  File("Case.csv", case_header + other_cases +
                       "500G,false,,00001007,,001Z,Other,New,,Web,Lost,Low,,false,,false,0051,"
                       "2026-11-26T10:00:00.000Z\r\n");
  const json bad = Book("salesforce", {"--create-users"});
  EXPECT_NE(bad["exit"], 0) << bad.dump();
  EXPECT_EQ(bad["status"], "rejected") << bad.dump();
  EXPECT_NE(bad.dump().find("'001Z' is not an account of the book"), std::string::npos)
      << bad.dump();
  EXPECT_EQ(Count("SELECT count(*) FROM cases WHERE external_id = '500G'"), 0);
}

// Salesforce's files come with the book: Attachment.csv with its bytes in Attachments/ (named
// by id, as the Data Export writes them) and ContentVersion.csv with the latest version of each
// file in ContentVersion/, each attached to its account, contact or deal; a file on a record the
// book does not hold (a lead) or of a type Rapport does not keep (a program) is left out and
// counted. A second run changes nothing; a new version there replaces the file's bytes here.
TEST_P(ImportTest, ASalesforceExportBringsItsFiles) {
  SalesforceBook::Write(dir_);
  std::filesystem::create_directories(dir_.path() / "Attachments");
  std::filesystem::create_directories(dir_.path() / "ContentVersion");
  const std::string contract = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
  const std::string plan = std::string("\x89PNG\r\n\x1a\n", 8) + "site plan pixels";
  File("Attachments/00P1", contract);
  File("Attachments/00P2", plan);
  File("Attachments/00P3", "%PDF-1.4\nlead brochure\n%%EOF\n");
  File("Attachments/00P4", std::string("MZ\x90\x00\x03\x00\x00\x00", 8) + "a program");
  File("Attachment.csv",
       "Id,IsDeleted,ParentId,Name,IsPrivate,ContentType,BodyLength,Body,OwnerId,CreatedDate,"
       "Description\r\n"
       "00P1,false,006A,Signed contract.pdf,false,application/pdf,44,Attachments/00P1,0051,"
       "2026-10-01T09:00:00.000Z,Countersigned by the trust\r\n"
       "00P2,false,001A,Théâtre site plan.png,false,image/png,24,Attachments/00P2,0052,"
       "2026-10-02T09:00:00.000Z,\r\n"
       "00P3,false,00Q1,Lead brochure.pdf,false,application/pdf,28,Attachments/00P3,0051,"
       "2026-10-03T09:00:00.000Z,\r\n"
       "00P4,false,001B,tool.exe,false,application/octet-stream,17,Attachments/00P4,0051,"
       "2026-10-04T09:00:00.000Z,\r\n"
       "00P5,true,001B,deleted.pdf,false,application/pdf,1,Attachments/00P5,0051,"
       "2026-10-04T09:00:00.000Z,\r\n");
  const std::string report_v2 = "Trial report, second version\nAll pumps in use.\n";
  File("ContentVersion/0682", report_v2);
  File("ContentVersion/0681", "Trial report, first version\n");
  const std::string versions =
      "Id,ContentDocumentId,Title,PathOnClient,FileExtension,FirstPublishLocationId,VersionData,"
      "IsLatest,OwnerId,Description\r\n"
      "0681,0691,Trial report,,txt,003C,ContentVersion/0681,false,0053,\r\n"
      "0682,0691,Trial report,,txt,003C,ContentVersion/0682,true,0053,Signed off\r\n";
  File("ContentVersion.csv", versions);

  const json first = Book("salesforce", {"--create-users"});
  ASSERT_EQ(first["exit"], 0) << first.dump();
  const std::map<std::string, std::string> checks = Checks(first);
  EXPECT_EQ(checks.at("Attachment.csv files"), "2");
  EXPECT_EQ(checks.at("Attachment.csv bytes"), std::to_string(contract.size() + plan.size()));
  EXPECT_EQ(checks.at("Attachment.csv files on records not in the book, left out"), "1");
  EXPECT_EQ(
      checks.at("Attachment.csv files of a type Rapport does not keep or too large, left out"),
      "1");
  EXPECT_EQ(checks.at("ContentVersion.csv files"), "1");
  EXPECT_EQ(Rows("SELECT f.external_id, coalesce(a.external_id, o.external_id, c.external_id), "
                 "f.file_name, f.content_type, f.size_bytes, f.description, u.email FROM "
                 "attachments f LEFT JOIN accounts a ON a.id = f.account_id LEFT JOIN "
                 "opportunities o ON o.id = f.opportunity_id LEFT JOIN contacts c ON c.id = "
                 "f.contact_id LEFT JOIN users u ON u.id = f.uploaded_by ORDER BY 1"),
            (std::vector<std::string>{
                "00P1|006A|Signed contract.pdf|application/pdf|" + std::to_string(contract.size()) +
                    "|Countersigned by the trust|ann@example.org|",
                "00P2|001A|Théâtre site plan.png|image/png|" + std::to_string(plan.size()) +
                    "|∅|bob@example.org|",
                "0691|003C|Trial report.txt|text/plain|" + std::to_string(report_v2.size()) +
                    "|Signed off|carol@example.org|"}));

  // Again: nothing changes.
  const json again = Book("salesforce", {"--create-users"});
  ASSERT_EQ(again["exit"], 0) << again.dump();
  for (const json& f : again["files"]) {
    if (f["holds"] != "files") continue;
    EXPECT_EQ(f["import"]["created"], 0) << f.dump();
    EXPECT_EQ(f["import"]["updated"], 0) << f.dump();
  }
  EXPECT_EQ(Count("SELECT count(*) FROM attachments"), 3);

  // A new version there: the file here takes its bytes.
  const std::string report_v3 = "Trial report, third version\n";
  File("ContentVersion/0683", report_v3);
  File("ContentVersion.csv",
       versions.substr(0, versions.find("0682")) +
           "0682,0691,Trial report,,txt,003C,ContentVersion/0682,false,0053,Signed off\r\n"
           "0683,0691,Trial report,,txt,003C,ContentVersion/0683,true,0053,Signed off\r\n");
  const json later = Book("salesforce", {"--create-users"});
  ASSERT_EQ(later["exit"], 0) << later.dump();
  EXPECT_EQ(Rows("SELECT external_id, size_bytes, version FROM attachments WHERE contact_id IS "
                 "NOT NULL"),
            (std::vector<std::string>{"0691|" + std::to_string(report_v3.size()) + "|2|"}))
      << "a Salesforce File is kept by its document: its latest version replaces the bytes";

  // A hostile export naming a file outside its folder (an absolute path, or an id that climbs
  // out): refused by line, nothing read from there, nothing written.
  TempDir outside;
  const std::string secret = outside.File("secret.txt");
  std::ofstream(secret, std::ios::binary) << "a server's secret\n";
  const auto attachments_before = Rows("SELECT external_id, version FROM attachments ORDER BY 1");
  for (const std::string& row :
       {"00P9,false,001A,secret.txt,false,text/plain,18," + secret + ",0051,,\r\n",
        "../../" + outside.path().filename().string() +
            "/secret.txt,false,001A,secret.txt,false,"
            "text/plain,18,,0051,,\r\n"}) {
    File("Attachment.csv",
         "Id,IsDeleted,ParentId,Name,IsPrivate,ContentType,BodyLength,Body,OwnerId,CreatedDate,"
         "Description\r\n" +
             row);
    const json hostile = Book("salesforce", {"--create-users"});
    EXPECT_EQ(hostile["status"], "rejected") << hostile.dump();
    EXPECT_NE(hostile.dump().find("the file's bytes are not in the export"), std::string::npos)
        << hostile.dump();
    EXPECT_EQ(Rows("SELECT external_id, version FROM attachments ORDER BY 1"), attachments_before);
  }
}

// How Salesforce's and HubSpot's case picklists read as Rapport's kinds, statuses and
// priorities.
TEST(CasePicklists, ReadAsRapportsKindsStatusesAndPriorities) {
  EXPECT_EQ(moving::CaseKindOf("Mechanical", ""), "technical");
  EXPECT_EQ(moving::CaseKindOf("", "Breakdown"), "technical");
  EXPECT_EQ(moving::CaseKindOf("Product issue", ""), "technical");
  EXPECT_EQ(moving::CaseKindOf("Billing issue", ""), "billing_query");
  EXPECT_EQ(moving::CaseKindOf("Question", "Invoice"), "billing_query");
  EXPECT_EQ(moving::CaseKindOf("Complaint", "Breakdown"), "complaint") << "the type comes first";
  EXPECT_EQ(moving::CaseKindOf("RMA", ""), "return");
  EXPECT_EQ(moving::CaseKindOf("Delivery", ""), "order");
  EXPECT_EQ(moving::CaseKindOf("Feature request", "Feedback"), "other");
  EXPECT_EQ(moving::CaseKindOf("", ""), "other");
  EXPECT_EQ(moving::CaseStatusOf("Closed", true), "closed");
  EXPECT_EQ(moving::CaseStatusOf("Resolved", true), "resolved");
  EXPECT_EQ(moving::CaseStatusOf("Closed", false), "closed");
  EXPECT_EQ(moving::CaseStatusOf("Working", false), "open");
  EXPECT_EQ(moving::CaseStatusOf("Escalated", false), "open");
  EXPECT_EQ(moving::CaseStatusOf("Waiting on contact", false), "waiting_on_customer");
  EXPECT_EQ(moving::CaseStatusOf("On Hold", false), "waiting_on_customer");
  EXPECT_EQ(moving::CaseStatusOf("Waiting on us", false), "open");
  EXPECT_EQ(moving::CasePriorityOf("Critical"), "urgent");
  EXPECT_EQ(moving::CasePriorityOf("Highest"), "urgent");
  EXPECT_EQ(moving::CasePriorityOf("High"), "high");
  EXPECT_EQ(moving::CasePriorityOf("Medium"), "normal");
  EXPECT_EQ(moving::CasePriorityOf(""), "normal");
  EXPECT_EQ(moving::CasePriorityOf("Low"), "low");
}

// HubSpot's exports: owners by name, several associated companies (the first is the primary),
// probabilities from 0 to 1, dates with a time.
TEST_P(ImportTest, AHubSpotExportImportsFromItsFolder) {
  auto file = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir_.File(name), std::ios::binary) << bytes;
  };
  file("hubspot-crm-exports-all-companies-2026-11-30.csv",
       "\"Record ID\",\"Company name\",\"Company owner\",\"Create Date\",\"Phone Number\",\"City\","
       "\"Country/Region\",\"Industry\",\"Lifecycle Stage\",\"Type\",\"Company Domain Name\","
       "\"Street Address\",\"Postal Code\",\"Number of Employees\",\"Annual Revenue\"\n"
       "\"9001\",\"Mercy Clinic\",\"Ann Owner\",\"2025-01-01 10:00\",\"+1 555 0100\","
       "\"Springfield\",\"United States\",\"HOSPITAL_HEALTH_CARE\",\"customer\",\"PROSPECT\","
       "\"mercy.example\",\"1 Main St\",\"62701\",\"1200\",\"5000000\"\n"
       "\"9002\",\"Clínica São Lucas\",\"bob@example.org\",\"2025-02-01 10:00\",\"\",\"Porto "
       "Alegre\",\"Brazil\",\"\",\"lead\",\"\",\"\",\"\",\"\",\"\",\"\"\n");
  file("hubspot-crm-exports-all-contacts-2026-11-30.csv",
       "\"Record ID\",\"First Name\",\"Last Name\",\"Email\",\"Phone Number\",\"Contact owner\","
       "\"Job Title\",\"Associated Company IDs\",\"Associated Company\",\"Company Name\"\n"
       "\"8001\",\"Grace\",\"Hopper\",\"grace@mercy.example\",\"\",\"Ann Owner\",\"Buyer\","
       "\"9001;9002\",\"Mercy Clinic;Clínica São Lucas\",\"Mercy\"\n");
  file("hubspot-crm-exports-all-deals-2026-11-30.csv",
       "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Amount\",\"Close Date\",\"Deal owner\","
       "\"Pipeline\",\"Associated Company IDs\",\"Associated Contact IDs\",\"Deal probability\"\n"
       "\"7001\",\"Beds\",\"Closed Won\",\"12500\",\"2026-10-01 00:00\",\"Ann Owner\",\"Sales "
       "Pipeline\",\"9001\",\"8001\",\"1\"\n"
       "\"7002\",\"Pumps\",\"Contract Sent\",\"900.5\",\"2027-01-15 00:00\",\"bob@example.org\","
       "\"Sales Pipeline\",\"9002\",\"\",\"0.8\"\n");
  // Tickets: HubSpot's statuses ("Waiting on us" is not the customer's wait), categories and
  // priorities; a ticket with no owner goes to its company's owner.
  file("hubspot-crm-exports-all-tickets-2026-11-30.csv",
       "\"Ticket ID\",\"Ticket name\",\"Ticket description\",\"Pipeline\",\"Ticket status\","
       "\"Priority\",\"Category\",\"Source\",\"Create date\",\"Close date\",\"Ticket owner\","
       "\"Associated Company IDs\",\"Associated Contact IDs\"\n"
       "\"6001\",\"Pump alarm\",\"Sounds at random\",\"Support Pipeline\",\"Waiting on us\","
       "\"High\",\"Product issue\",\"Email\",\"2026-11-20 09:00\",\"\",\"Ann Owner\",\"9001\","
       "\"8001\"\n"
       "\"6002\",\"Invoice query\",\"\",\"Support Pipeline\",\"Closed\",\"Low\",\"Billing "
       "issue\",\"Phone\",\"2026-11-01 09:00\",\"2026-11-02 15:30\",\"bob@example.org\","
       "\"9002\",\"\"\n"
       "\"6003\",\"Training\",\"\",\"Support Pipeline\",\"Waiting on contact\",\"\",\"General "
       "inquiry\",\"Chat\",\"2026-11-25 09:00\",\"\",\"\",\"9001;9002\",\"\"\n");
  const auto result = RunRapport({"import", "--db", target_.url(), "--from", "hubspot", "--dir",
                                  dir_.path().string(), "--json"});
  EXPECT_EQ(
      Rows("SELECT c.external_id, a.external_id, k.external_id, c.kind, c.priority, "
           "c.status, u.email, (c.resolved_at - c.opened_at) / 60000000 FROM cases c JOIN "
           "accounts a ON a.id = c.account_id LEFT JOIN contacts k ON k.id = c.contact_id "
           "JOIN users u ON u.id = c.owner_id ORDER BY c.external_id"),
      (std::vector<std::string>{"6001|9001|8001|technical|high|open|ann@example.org|∅|",
                                "6002|9002|∅|billing_query|low|closed|bob@example.org|1830|",
                                "6003|9001|∅|other|normal|waiting_on_customer|ann@example.org|∅|"}))
      << "tickets";
  EXPECT_EQ(Rows("SELECT o.external_id, c.external_id, r.role FROM opportunity_contact_roles r "
                 "JOIN opportunities o ON o.id = r.opportunity_id JOIN contacts c ON c.id = "
                 "r.contact_id"),
            (std::vector<std::string>{"7001|8001|other|"}))
      << "a deal's associated contacts";
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const json report = json::parse(result.out);
  EXPECT_EQ(report["owners"].size(), 2u) << report.dump();
  for (const json& c : report["checks"]) EXPECT_TRUE(c["ok"].get<bool>()) << c.dump();
  EXPECT_EQ(Rows("SELECT external_id, name, status, country, email_domain FROM accounts ORDER "
                 "BY external_id"),
            (std::vector<std::string>{"9001|Mercy Clinic|customer|US|mercy.example|",
                                      "9002|Clínica São Lucas|prospect|BR|∅|"}));
  EXPECT_EQ(Rows("SELECT c.external_id, a.external_id FROM contacts c JOIN accounts a ON a.id = "
                 "c.account_id"),
            (std::vector<std::string>{"8001|9001|"}));
  EXPECT_EQ(Rows("SELECT external_id, stage, amount_minor, probability, close_date FROM "
                 "opportunities ORDER BY external_id"),
            (std::vector<std::string>{"7001|closed_won|1250000|100|2026-10-01|",
                                      "7002|negotiation|90050|80|2027-01-15|"}));

  // Without a companies file there is no book.
  TempDir empty;
  std::ofstream(empty.File("notes.txt")) << "hello";
  const auto none = RunRapport(
      {"import", "--db", target_.url(), "--from", "hubspot", "--dir", empty.path().string()});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE((none.out + none.err).find("--dir"), std::string::npos) << none.out << none.err;
}

// HubSpot's activity exports, each kind in its own file with its own column names: calls,
// meetings, emails and notes become activities of that kind; tasks done become activities of
// their Task type, the open ones tasks; a note's first line is its subject. A second run changes
// nothing.
TEST_P(ImportTest, HubSpotActivityExportsBecomeTheTimelineAndOpenTasks) {
  auto file = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir_.File(name), std::ios::binary) << bytes;
  };
  file("hubspot-crm-exports-all-companies-2026-12-01.csv",
       "Record ID,Company name,Company owner,Lifecycle Stage\n"
       "9001,Mercy Clinic,Ann Owner,customer\n"
       "9002,St. Luke's,Ann Owner,customer\n");
  file("hubspot-crm-exports-all-contacts-2026-12-01.csv",
       "Record ID,First Name,Last Name,Contact owner,Associated Company IDs\n"
       "8001,Grace,Hopper,Ann Owner,9001\n"
       "8002,Alan,Turing,Ann Owner,9002\n");
  file("hubspot-crm-exports-all-deals-2026-12-01.csv",
       "Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal owner,Associated Company IDs\n"
       "7001,Beds,Contract Sent,12500,2027-01-15,Ann Owner,9001\n");
  file("hubspot-crm-exports-all-calls-2026-12-01.csv",
       "Record ID,Call Title,Activity date,Activity assigned to,Call notes,Call outcome,"
       "Associated Company IDs,Associated Company,Associated Deal IDs,Associated Contact IDs\n"
       "5001,Pricing follow-up,2026-11-20 14:30,Ann Owner,\"Asked for the\nrevised quote\","
       "Connected,9001;9002,Mercy Clinic;St. Luke's,7001,8001;8002\n");
  file("hubspot-crm-exports-all-meetings-2026-12-01.csv",
       "Record ID,Meeting name,Activity date,Activity assigned to,Meeting description,"
       "Meeting outcome,Meeting start time,Associated Company IDs\n"
       "5002,Quarterly review,2026-11-21 09:00,Ann Owner,Went through usage,Completed,"
       "2026-11-21 09:00,9002\n"
       // Still to come (the tests run on 2026-11-28): a task, not an activity.
       "5009,Trial kick-off,2026-12-05 10:00,Ann Owner,,Scheduled,2026-12-05 10:00,9001\n");
  file("hubspot-crm-exports-all-emails-2026-12-01.csv",
       "Record ID,Email subject,Email body,Activity date,Activity assigned to,"
       "Associated Company IDs\n"
       "5003,Your quote,Please find it attached,2026-11-22 10:00,Ann Owner,9001\n");
  file("hubspot-crm-exports-all-notes-2026-12-01.csv",
       "Record ID,Note body,Activity date,Activity assigned to,Associated Company IDs\n"
       "5004,\"Chief nurse café meeting went well: she wants a trial of the new pumps on two "
       "wards before the budget round in March\nSecond line\",2026-11-23 16:00,Ann Owner,9001\n"
       "5005,Short note,2026-11-24 16:00,Ann Owner,9002\n");
  file("hubspot-crm-exports-all-tasks-2026-12-01.csv",
       "Record ID,Task Title,Due date,Task status,Task type,Assigned to,Associated Company IDs,"
       "Associated Deal IDs\n"
       "5006,Call the buyer,2026-11-25 09:00,COMPLETED,CALL,Ann Owner,9001,7001\n"
       "5007,Send the contract,2026-12-15 09:00,NOT_STARTED,TODO,Ann Owner,,7001\n"
       "5008,Book the trial,2026-12-20 09:00,IN_PROGRESS,TODO,Ann Owner,9002,\n"
       // An owner with nothing but tasks to come is one of the book's too.
       "5010,Plan the visit,2026-12-22 09:00,NOT_STARTED,TODO,bea@example.org,9001,\n");
  auto book = [&] {
    const auto result = RunRapport({"import", "--db", target_.url(), "--from", "hubspot", "--dir",
                                    dir_.path().string(), "--create-users", "--json"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    return json::parse(result.out);
  };
  const json report = book();
  for (const json& c : report["checks"]) EXPECT_TRUE(c["ok"].get<bool>()) << c.dump();
  EXPECT_EQ(
      Rows("SELECT act.external_id, act.kind, act.subject, a.external_id, "
           "coalesce(o.external_id, '-'), coalesce(act.outcome, '-'), act.body FROM "
           "activities act JOIN accounts a ON a.id = act.account_id LEFT JOIN "
           "opportunities o ON o.id = act.opportunity_id ORDER BY act.external_id"),
      (std::vector<std::string>{
          "5001|call|Pricing follow-up|9001|7001|Connected|Asked for the\nrevised quote|",
          "5002|meeting|Quarterly review|9002|-|Completed|Went through usage|",
          "5003|email|Your quote|9001|-|-|Please find it attached|",
          "5004|note|Chief nurse café meeting went well: she wants a trial of the new "
          "pumps on two...|9001|-|-|Chief nurse café meeting went well: she wants a "
          "trial of the new pumps on two wards before the budget round in March\nSecond "
          "line|",
          "5005|note|Short note|9002|-|-|Short note|", "5006|call|Call the buyer|9001|7001|-|∅|"}));
  Instant called = 0;
  ASSERT_TRUE(ParseInstant("2026-11-20T14:30:00Z", called));
  EXPECT_EQ(Rows("SELECT occurred_at FROM activities WHERE external_id = '5001'"),
            (std::vector<std::string>{std::to_string(called) + "|"}));
  // The open tasks: the owner by name, the deal as what it is about (its account the deal's).
  EXPECT_EQ(
      Rows("SELECT t.external_id, t.subject, t.due_on, u.name, a.external_id, "
           "coalesce(t.related_type, '-') FROM tasks t JOIN users u ON u.id = t.owner_id "
           "JOIN accounts a ON a.id = t.account_id ORDER BY t.external_id"),
      (std::vector<std::string>{"5007|Send the contract|2026-12-15|Ann Owner|9001|opportunity|",
                                "5008|Book the trial|2026-12-20|Ann Owner|9002|-|",
                                "5009|Trial kick-off|2026-12-05|Ann Owner|9001|-|",
                                "5010|Plan the visit|2026-12-22|bea@example.org|9001|-|"}));
  // The same folder again: nothing created, nothing changed.
  const json again = book();
  for (const json& f : again["files"]) {
    if (!f.contains("import")) continue;
    EXPECT_EQ(f["import"]["created"], 0) << f.dump();
    EXPECT_EQ(f["import"]["updated"], 0) << f.dump();
  }
  // Who was on the call: Grace, of its company; Alan works at another, so is not on its timeline.
  EXPECT_EQ(Rows("SELECT a.external_id, c.external_id FROM activity_contacts ac JOIN activities a "
                 "ON a.id = ac.activity_id JOIN contacts c ON c.id = ac.contact_id"),
            (std::vector<std::string>{"5001|8001|"}));
  EXPECT_EQ(Count("SELECT count(*) FROM activities"), 6);
  EXPECT_EQ(Count("SELECT count(*) FROM tasks"), 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::imports
