// `rapport import` driven as an operator would, over SQLite and PostgreSQL: other CRMs' exports
// import without a mapping, a second import of the same files changes nothing, a bad row is named
// by its line and column and nothing is written, a file that is not CSV in UTF-8 is refused whole,
// and an import killed half-way leaves nothing behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>

#include "db/dialect.hpp"
#include "db/migrations.hpp"
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

INSTANTIATE_TEST_SUITE_P(Backends, ImportTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::imports
