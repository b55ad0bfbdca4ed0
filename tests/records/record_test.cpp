// The schema holds each record to its declaration (records/): every declared column exists, takes
// NULL exactly when the declaration says it may, takes every value of a declared enumeration and
// nothing else, and refuses a reference to a row that does not exist. Checked by writing to the
// database on both backends (each write rolled back), so a CHECK, NOT NULL or foreign key that
// drifts from the declaration fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "audit/audit_log.hpp"
#include "records/accounts.hpp"
#include "records/call_plans.hpp"
#include "records/cases.hpp"
#include "records/countries.hpp"
#include "records/custom_fields.hpp"
#include "records/opportunities.hpp"
#include "records/purchases.hpp"
#include "records/success.hpp"
#include "records/tasks.hpp"
#include "support/storage_fixture.hpp"

namespace rapport::records {
namespace {

using ::rapport::testing::StorageTest;

class RecordSchemaTest : public StorageTest {
 protected:
  // Whether the database takes `value` in `column` of row `id`; the write is rolled back.
  bool Takes(const Record& record, const Field& field, std::int64_t id, db::Value value) {
    bool took = false;
    const Status s = database_->Write([&](db::Transaction& tx) -> Status {
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("UPDATE " + record.table + " SET " + field.column + " = ? WHERE id = ?",
                     {std::move(value), id}));
      took = true;
      return Error(ErrorCode::kConflict, "rolled back on purpose");
    });
    EXPECT_FALSE(s.ok());
    return took;
  }

  // Inserts a row of `table` (with created_at/updated_at when `timestamps`); returns its id.
  std::int64_t Insert(const std::string& table, const audit::FieldValues& values,
                      bool timestamps = true) {
    std::int64_t id = 0;
    Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(id, audit::InsertAudited(tx, System(), table, values, timestamps));
      return Ok();
    });
    return id;
  }

  std::int64_t MakeSuccessPlan(std::int64_t account, std::int64_t owner) {
    return Insert("success_plans", {{"account_id", account},
                                    {"owner_id", owner},
                                    {"title", std::string("Uptime")},
                                    {"customer_definition", std::string("Pumps up 99%")}});
  }

  void ExpectSchemaAgrees(const Record& record, std::int64_t id) {
    for (const Field& field : record.fields) {
      SCOPED_TRACE(record.table + "." + field.column);
      Read([&](db::Transaction& tx) -> Status {
        auto read =
            tx.QueryOne("SELECT " + field.column + " FROM " + record.table + " WHERE id = ?", {id});
        EXPECT_TRUE(read.ok()) << "no such column";
        return Ok();
      });
      EXPECT_EQ(Takes(record, field, id, db::Null()), field.nullable)
          << (field.nullable ? "declared nullable, the column refuses NULL"
                             : "declared not nullable, the column takes NULL");
      if (field.type == Type::kEnum) {
        for (std::string_view value : field.values) {
          EXPECT_TRUE(Takes(record, field, id, std::string(value))) << "refuses " << value;
        }
        EXPECT_FALSE(Takes(record, field, id, std::string("not_declared")))
            << "the column takes a value the declaration does not list";
      }
      if (field.type == Type::kCountry) {
        EXPECT_TRUE(Takes(record, field, id, std::string("GB"))) << "refuses GB";
        EXPECT_FALSE(Takes(record, field, id, std::string("gb"))) << "takes a lower-case code";
        EXPECT_FALSE(Takes(record, field, id, std::string("United Kingdom")))
            << "takes a country's name, not its code";
      }
      if (field.type == Type::kReference) {
        EXPECT_FALSE(Takes(record, field, id, std::int64_t{987'654'321}))
            << "a reference to no " << field.references << " row was taken";
      }
    }
  }
};

TEST_P(RecordSchemaTest, AccountsAreStoredAsDeclared) {
  const std::int64_t owner = MakeUser("owner@example.org");
  ExpectSchemaAgrees(AccountRecord(), MakeAccount("St Mary's", owner));
}

TEST_P(RecordSchemaTest, ContactsAreStoredAsDeclared) {
  const std::int64_t account = MakeAccount("St Mary's");
  ExpectSchemaAgrees(ContactRecord(), MakeContact(account, "Ann", "Lee"));
}

TEST_P(RecordSchemaTest, OpportunitiesAreStoredAsDeclared) {
  const std::int64_t owner = MakeUser("owner@example.org");
  const std::int64_t account = MakeAccount("St Mary's", owner);
  std::int64_t id = 0;
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(id, audit::InsertAudited(tx, System(), "opportunities",
                                                      {{"account_id", account},
                                                       {"owner_id", owner},
                                                       {"name", std::string("Infusion pumps")},
                                                       {"close_date", std::string("2027-03-31")}}));
    return Ok();
  });
  ExpectSchemaAgrees(OpportunityRecord(), id);

  const std::int64_t product = Insert("products", {{"sku", std::string("P-1")},
                                                   {"name", std::string("Pump")},
                                                   {"family", std::string("Infusion")}});
  ExpectSchemaAgrees(OpportunityLineItemRecord(), Insert("opportunity_line_items",
                                                         {{"opportunity_id", id},
                                                          {"position", std::int64_t{1}},
                                                          {"product_id", product},
                                                          {"quantity", std::int64_t{2}},
                                                          {"list_price_minor", std::int64_t{100}},
                                                          {"sale_price_minor", std::int64_t{90}},
                                                          {"total_minor", std::int64_t{180}}},
                                                         /*timestamps=*/false));
}

TEST_P(RecordSchemaTest, ActivitiesAreStoredAsDeclared) {
  const std::int64_t user = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("St Mary's", user);
  std::int64_t id = 0;
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(id, audit::InsertAudited(tx, System(), "activities",
                                                      {{"account_id", account},
                                                       {"user_id", user},
                                                       {"kind", std::string("call")},
                                                       {"occurred_at", std::int64_t{1'800'000'000}},
                                                       {"subject", std::string("Pumps")}}));
    return Ok();
  });
  ExpectSchemaAgrees(ActivityRecord(), id);
}

TEST_P(RecordSchemaTest, CasesAreStoredAsDeclared) {
  const std::int64_t owner = MakeUser("cs@example.org", "customer_success");
  const std::int64_t account = MakeAccount("St Mary's", owner);
  std::int64_t id = 0;
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(id, audit::InsertAudited(tx, System(), "cases",
                                                      {{"account_id", account},
                                                       {"kind", std::string("complaint")},
                                                       {"subject", std::string("Late delivery")},
                                                       {"owner_id", owner},
                                                       {"opened_at", std::int64_t{1}},
                                                       {"first_response_due_at", std::int64_t{2}},
                                                       {"resolution_due_at", std::int64_t{3}}}));
    return Ok();
  });
  ExpectSchemaAgrees(CaseRecord(), id);
}

TEST(CustomFields, KeysAreMadeFromLabelsAndChecked) {
  EXPECT_EQ(CustomFieldKeyOf("PO Number (SAP)"), "po_number_sap");
  EXPECT_EQ(CustomFieldKeyOf("  ICU beds  "), "icu_beds");
  EXPECT_EQ(CustomFieldKeyOf("2nd contact"), "field_2nd_contact");
  EXPECT_EQ(CustomFieldKeyOf("Trust_Tier__c"), "trust_tier_c");
  EXPECT_EQ(CustomFieldKeyOf("?!"), "");
  EXPECT_EQ(CustomFieldKeyOf(std::string(60, 'a')).size(), 40u);
  EXPECT_TRUE(IsCustomFieldKey(CustomFieldKeyOf("Contract renewal date")));
  EXPECT_TRUE(IsCustomFieldKey("po_number"));
  for (const char* bad : {"", "PO", "1st", "_x", "po-number", "po number", "x'y"}) {
    EXPECT_FALSE(IsCustomFieldKey(bad)) << bad;
  }
  EXPECT_FALSE(IsCustomFieldKey(std::string(41, 'a')));
  EXPECT_TRUE(TakesCustomFields("cases"));
  EXPECT_FALSE(TakesCustomFields("users"));
}

TEST_P(RecordSchemaTest, CustomFieldsAreLoadedInOrderWithTheirOptions) {
  ASSERT_OK(database_->Write([](db::Transaction& tx) -> Status {
    for (const char* sql :
         {"INSERT INTO custom_fields (id, record_type, key, label, type, position, created_at, "
          "updated_at) VALUES (1, 'accounts', 'tier', 'Tier', 'picklist', 2, 0, 0)",
          "INSERT INTO custom_fields (id, record_type, key, label, type, position, created_at, "
          "updated_at) VALUES (2, 'accounts', 'beds', 'Beds', 'number', 1, 0, 0)",
          "INSERT INTO custom_fields (id, record_type, key, label, type, archived_at, created_at, "
          "updated_at) VALUES (3, 'accounts', 'old', 'Old', 'text', 5, 0, 0)",
          "INSERT INTO custom_fields (id, record_type, key, label, type, created_at, updated_at) "
          "VALUES (4, 'contacts', 'tier', 'Tier', 'text', 0, 0)",
          "INSERT INTO custom_field_options (field_id, value, label, position, retired) VALUES "
          "(1, 'b', 'Bronze', 1, 1), (1, 'g', 'Gold', 0, 0)"}) {
      RAPPORT_RETURN_IF_ERROR(tx.Execute(sql));
    }
    RAPPORT_ASSIGN_OR_RETURN(auto fields, LoadCustomFields(tx, "accounts"));
    EXPECT_EQ(fields.size(), 2u) << "archived fields and other records' are left out";
    if (fields.size() != 2) return Ok();
    EXPECT_EQ(fields[0].key, "beds");
    EXPECT_EQ(fields[1].key, "tier");
    EXPECT_EQ(fields[1].options.size(), 2u);
    EXPECT_EQ(fields[1].options.front().label, "Gold");
    EXPECT_TRUE(fields[1].Option("b") && fields[1].Option("b")->retired);
    EXPECT_EQ(fields[0].MaxLength(), 255);
    return Ok();
  }));
  // Two fields of one record type never share a key.
  EXPECT_FALSE(database_
                   ->Write([](db::Transaction& tx) {
                     return tx.Execute(
                         "INSERT INTO custom_fields (record_type, key, label, type, created_at, "
                         "updated_at) VALUES ('accounts', 'beds', 'B', 'text', 0, 0)");
                   })
                   .ok());
}

TEST(Countries, CodesAndNamesGiveTheAlpha2Code) {
  EXPECT_TRUE(IsCountryCode("GB"));
  EXPECT_TRUE(IsCountryCode("AD"));  // the first
  EXPECT_TRUE(IsCountryCode("ZW"));  // the last
  EXPECT_FALSE(IsCountryCode("gb"));
  EXPECT_FALSE(IsCountryCode("UK"));  // reserved, not assigned
  EXPECT_FALSE(IsCountryCode("GBR"));
  EXPECT_EQ(CountryCode("United Kingdom"), "GB");
  EXPECT_EQ(CountryCode(" united kingdom "), "GB");
  EXPECT_EQ(CountryCode("UK"), "GB");
  EXPECT_EQ(CountryCode("England"), "GB");
  EXPECT_EQ(CountryCode("gbr"), "GB");
  EXPECT_EQ(CountryCode("United States of America"), "US");
  EXPECT_EQ(CountryCode("Germany"), "DE");
  EXPECT_EQ(CountryCode("South Korea"), "KR");
  EXPECT_EQ(CountryCode("Narnia"), std::nullopt);
  EXPECT_EQ(CountryCode(""), std::nullopt);
}

TEST(RecordDeclaration, EveryFieldIsNamedOnceInTheApiAndInFiles) {
  ASSERT_EQ(AllRecords().size(), 12u);
  for (const Record* record : AllRecords()) {
    std::set<std::string> columns, file_names;
    for (const Field& field : record->fields) {
      EXPECT_TRUE(columns.insert(field.column).second) << record->table << "." << field.column;
      if (field.in_files) {
        EXPECT_TRUE(file_names.insert(field.FileName()).second)
            << record->table << ": two fields are called " << field.FileName() << " in files";
      }
      if (field.type == Type::kEnum) {
        EXPECT_FALSE(field.values.empty()) << field.column;
      }
      if (field.type == Type::kReference) {
        EXPECT_FALSE(field.references.empty()) << field.column;
      }
    }
    const bool in_files = std::any_of(record->fields.begin(), record->fields.end(),
                                      [](const Field& f) { return f.in_files; });
    if (in_files) {
      EXPECT_EQ(record->fields.front().column, "external_id") << "files key records by it";
    }
  }
}

TEST_P(RecordSchemaTest, TasksAreStoredAsDeclared) {
  const std::int64_t owner = MakeUser("rep@example.org");
  ExpectSchemaAgrees(TaskRecord(),
                     Insert("tasks", {{"owner_id", owner}, {"subject", std::string("Call back")}}));
}

TEST_P(RecordSchemaTest, PurchasesAreStoredAsDeclared) {
  const std::int64_t account = MakeAccount("St Mary's");
  const std::int64_t product = Insert("products", {{"sku", std::string("P-1")},
                                                   {"name", std::string("Pump")},
                                                   {"family", std::string("Infusion")}});
  const std::int64_t id = Insert("purchases",
                                 {{"account_id", account},
                                  {"product_id", product},
                                  {"quantity", std::int64_t{2}},
                                  {"purchased_on", std::string("2026-01-31")},
                                  {"created_at", std::int64_t{1}}},
                                 /*timestamps=*/false);
  ExpectSchemaAgrees(PurchaseRecord(), id);
}

TEST_P(RecordSchemaTest, CallPlansAreStoredAsDeclared) {
  const std::int64_t user = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("St Mary's", user);
  ExpectSchemaAgrees(CallPlanRecord(),
                     Insert("call_plans", {{"account_id", account},
                                           {"user_id", user},
                                           {"planned_for", std::int64_t{1'800'000'000}},
                                           {"best_action", std::string("Agree a trial")},
                                           {"minimum_action", std::string("Meet the buyer")}}));
}

TEST_P(RecordSchemaTest, SuccessPlansAndMilestonesAreStoredAsDeclared) {
  const std::int64_t owner = MakeUser("cs@example.org", "customer_success");
  const std::int64_t account = MakeAccount("St Mary's", owner);
  const std::int64_t plan = MakeSuccessPlan(account, owner);
  ExpectSchemaAgrees(SuccessPlanRecord(), plan);
  ExpectSchemaAgrees(MilestoneRecord(),
                     Insert("milestones", {{"success_plan_id", plan},
                                           {"account_id", account},
                                           {"name", std::string("Installed")},
                                           {"due_on", std::string("2027-01-31")}}));
}

TEST_P(RecordSchemaTest, TrialsAreStoredAsDeclared) {
  const std::int64_t owner = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("St Mary's", owner);
  ExpectSchemaAgrees(TrialRecord(),
                     Insert("trials", {{"account_id", account},
                                       {"owner_id", owner},
                                       {"starts_on", std::string("2027-01-01")},
                                       {"ends_on", std::string("2027-01-31")},
                                       {"objectives", std::string("Try the pumps")},
                                       {"success_criteria", std::string("No alarms")}}));
}

// Every declared record is held to the schema by one of the tests above.
TEST(RecordDeclaration, EveryRecordHasASchemaTest) {
  std::set<std::string> tested = {
      "accounts",  "contacts",   "opportunities", "activities", "tasks",  "cases",
      "purchases", "call_plans", "success_plans", "milestones", "trials", "opportunity_line_items"};
  for (const Record* record : AllRecords())
    EXPECT_EQ(tested.count(record->table), 1u) << record->table;
  EXPECT_EQ(tested.size(), AllRecords().size());
}

RAPPORT_ON_BOTH_BACKENDS(RecordSchemaTest);

}  // namespace
}  // namespace rapport::records
