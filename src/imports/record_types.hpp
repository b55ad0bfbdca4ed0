// What each importable record type holds: its fields, the column each fills, how a cell is read,
// and the header names other CRMs' exports use for it (Salesforce's reports and Data Loader,
// HubSpot's exports), so that their files import without a mapping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/database.hpp"
#include "records/custom_fields.hpp"
#include "records/record.hpp"

namespace rapport::imports {

enum class RecordType { kAccounts, kContacts, kOpportunities, kActivities, kSalesLines };

enum class Kind {
  kText,
  kEmail,
  kInteger,
  kMoney,    // "1,234.50", "£1234.5" -> minor units
  kPercent,  // "40", "40%"
  kDate,     // YYYY-MM-DD (a time after it is ignored)
  kInstant,  // YYYY-MM-DD[THH:MM[:SS][Z]] in UTC
  kPeriod,   // YYYY-MM (a date gives its month)
  kEnum,
  kBool,
  kCurrency,  // three letters
  kCountry,   // an ISO 3166-1 code or a country's name -> its alpha-2 code
  kCustom,    // a custom field's value (Field::custom), kept as JSON text in the record's custom
};

// A cell that names another record.
enum class Ref {
  kNone,
  kAccount,      // by external id
  kContact,      // by external id
  kOpportunity,  // by external id
  kUser,         // by email, or by name when only one user has it
  kTerritory,    // by name
  kDistributor,  // by name
  kProduct,      // by SKU
};

struct Field {
  std::string name;    // what users call it and map columns to ("owner", "account")
  std::string column;  // the column it fills ("owner_id", "account_id")
  Kind kind = Kind::kText;
  Ref ref = Ref::kNone;
  bool required = false;             // a new record needs it
  db::Value fallback;                // a new record's value when the file has none
  std::vector<std::string> aliases;  // other header names, normalised (see NormalizeHeader)
  std::vector<std::string> values;   // kEnum: the allowed values
  std::vector<std::pair<std::string, std::string>> value_aliases;  // normalised -> value
  std::int64_t min = 0, max = 0;  // kInteger bounds (max 0: unbounded above)
  std::size_t max_length = 200;   // kText, in characters
  bool self_reference = false;    // names a record of the same type, set once all rows are in
  const records::CustomField* custom = nullptr;  // kCustom: the field (owned by the caller)
};

struct RecordSpec {
  RecordType type;
  std::string name;           // "accounts", "sales-lines"
  std::string table;          // "accounts", "sales_lines"
  bool versioned = true;      // has updated_at and version
  std::vector<Field> fields;  // external_id first
};

const RecordSpec& SpecOf(RecordType type);
// `spec` with the company's custom fields `custom` after its own fields, each named
// "custom.<key>" and also found under its label, its key and its Salesforce API name
// ("Trust_Tier__c"); account lookups are left out (files do not carry them yet). The fields
// point into `custom`, which must outlive the spec.
RecordSpec WithCustomFields(const RecordSpec& spec,
                            const std::vector<records::CustomField>& custom);
// A declared record's fields as files hold them (records/record.hpp): those `in_files`, in its
// order.
std::vector<Field> FieldsOf(const records::Record& record);
// "accounts", "contacts", "opportunities", "activities", "sales-lines" (or "sales_lines").
std::optional<RecordType> ParseRecordType(std::string_view name);
// The names ParseRecordType takes, for messages and help.
inline constexpr const char* kRecordTypeNames =
    "accounts, contacts, opportunities, activities or sales-lines";
const std::vector<RecordType>& AllRecordTypes();

// Whose export a file is. Most columns mean what their names say whichever CRM wrote them, but
// a few mean something else in one CRM's export than in Rapport's own: Salesforce's and
// HubSpot's account `Type` is the relationship (Customer - Direct, Prospect, Partner), not
// Rapport's kind of organisation (hospital, pharmacy).
enum class Source { kRapport, kSalesforce, kHubSpot };
// "rapport", "salesforce", "hubspot" (any case).
std::optional<Source> ParseSource(std::string_view name);
inline constexpr const char* kSourceNames = "rapport, salesforce or hubspot";
// The field a `source` export's column (its normalised header) fills for `type`, where that
// differs from the column's name: "" ignores it; nullopt when the column means what it says.
std::optional<std::string> SourceColumn(Source source, RecordType type, std::string_view key);

// "Account Name" -> "accountname": lower case, letters and digits only.
std::string NormalizeHeader(std::string_view header);

}  // namespace rapport::imports
