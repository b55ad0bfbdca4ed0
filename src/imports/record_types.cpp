#include "imports/record_types.hpp"

#include <cctype>
#include <limits>

#include "records/accounts.hpp"
#include "records/opportunities.hpp"

namespace rapport::imports {
namespace {

Field ExternalId(std::vector<std::string> aliases) {
  Field f{.name = "external_id", .column = "external_id", .max_length = 100};
  f.aliases = std::move(aliases);
  f.aliases.push_back("externalid");
  return f;
}

Field Reference(std::string name, std::string column, Ref ref, bool required,
                std::vector<std::string> aliases) {
  return Field{.name = name,
               .column = column,
               .ref = ref,
               .required = required,
               .aliases = std::move(aliases)};
}

Field Typed(std::string name, std::string column, Kind kind, std::vector<std::string> aliases,
            bool required = false) {
  return Field{.name = name,
               .column = column,
               .kind = kind,
               .required = required,
               .aliases = std::move(aliases)};
}

Field Currency() {
  Field f = Typed("currency", "currency", Kind::kCurrency, {"currencyisocode", "currencycode"});
  f.fallback = std::string("GBP");
  return f;
}

Ref RefTo(const std::string& table) {
  if (table == "accounts") return Ref::kAccount;
  if (table == "contacts") return Ref::kContact;
  if (table == "opportunities") return Ref::kOpportunity;
  if (table == "users") return Ref::kUser;
  if (table == "territories") return Ref::kTerritory;
  if (table == "distributors") return Ref::kDistributor;
  if (table == "products") return Ref::kProduct;
  return Ref::kNone;
}

Kind KindOf(records::Type type) {
  switch (type) {
    case records::Type::kEmail:
      return Kind::kEmail;
    case records::Type::kInteger:
      return Kind::kInteger;
    case records::Type::kMoney:
      return Kind::kMoney;
    case records::Type::kPercent:
      return Kind::kPercent;
    case records::Type::kBoolean:
      return Kind::kBool;
    case records::Type::kDate:
      return Kind::kDate;
    case records::Type::kInstant:
      return Kind::kInstant;
    case records::Type::kEnum:
      return Kind::kEnum;
    case records::Type::kCurrency:
      return Kind::kCurrency;
    case records::Type::kCountry:
      return Kind::kCountry;
    case records::Type::kText:
    case records::Type::kReference:
      break;
  }
  return Kind::kText;
}

RecordSpec Accounts() {
  return {RecordType::kAccounts, "accounts", "accounts", true, FieldsOf(records::AccountRecord())};
}

RecordSpec Contacts() {
  return {RecordType::kContacts, "contacts", "contacts", true, FieldsOf(records::ContactRecord())};
}

RecordSpec Opportunities() {
  return {RecordType::kOpportunities, "opportunities", "opportunities", true,
          FieldsOf(records::OpportunityRecord())};
}

RecordSpec Activities() {
  return {RecordType::kActivities, "activities", "activities", true,
          FieldsOf(records::ActivityRecord())};
}

RecordSpec SalesLines() {
  RecordSpec s{RecordType::kSalesLines, "sales-lines", "sales_lines", false};
  s.fields.push_back(ExternalId({"id", "lineid", "invoicelineid", "salesline", "recordid"}));
  s.fields.push_back(Reference("account", "account_id", Ref::kAccount, true,
                               {"accountid", "accountexternalid", "customerid"}));
  s.fields.push_back(Reference("product", "product_id", Ref::kProduct, true,
                               {"sku", "productcode", "productsku", "itemcode"}));
  s.fields.push_back(Typed("period", "period", Kind::kPeriod, {"month", "invoicemonth"}, true));
  s.fields.push_back(Typed("revenue", "revenue_minor", Kind::kMoney,
                           {"amount", "totalprice", "netamount", "value"}, true));
  s.fields.push_back(Currency());
  Field quantity = Typed("quantity", "quantity", Kind::kInteger, {"qty", "units"});
  quantity.max = 1'000'000'000;
  quantity.fallback = std::int64_t{0};
  s.fields.push_back(quantity);
  return s;
}

}  // namespace

std::vector<Field> FieldsOf(const records::Record& record) {
  std::vector<Field> fields;
  for (const records::Field& d : record.fields) {
    if (!d.in_files) continue;
    Field f{.name = d.FileName(), .column = d.column, .kind = KindOf(d.type)};
    if (d.type == records::Type::kReference) {
      f.ref = RefTo(d.references);
      f.self_reference = d.references == record.table;
    }
    f.fallback = d.file_default;
    f.required = d.RequiredInFiles();
    f.aliases = d.file_aliases;
    f.values.assign(d.values.begin(), d.values.end());
    f.value_aliases = d.value_aliases;
    f.min = d.min.value_or(std::numeric_limits<std::int64_t>::min());
    f.max = d.max.value_or(0);
    f.max_length = d.max_length;
    fields.push_back(std::move(f));
  }
  return fields;
}

const RecordSpec& SpecOf(RecordType type) {
  static const std::vector<RecordSpec> specs = {Accounts(), Contacts(), Opportunities(),
                                                Activities(), SalesLines()};
  return specs[static_cast<int>(type)];
}

const std::vector<RecordType>& AllRecordTypes() {
  static const std::vector<RecordType> types = {RecordType::kAccounts, RecordType::kContacts,
                                                RecordType::kOpportunities, RecordType::kActivities,
                                                RecordType::kSalesLines};
  return types;
}

std::optional<RecordType> ParseRecordType(std::string_view name) {
  for (RecordType type : AllRecordTypes()) {
    const RecordSpec& spec = SpecOf(type);
    if (name == spec.name || name == spec.table) return type;
  }
  return std::nullopt;
}

std::optional<Source> ParseSource(std::string_view name) {
  const std::string key = NormalizeHeader(name);
  if (key == "rapport") return Source::kRapport;
  if (key == "salesforce") return Source::kSalesforce;
  if (key == "hubspot") return Source::kHubSpot;
  return std::nullopt;
}

std::optional<std::string> SourceColumn(Source source, RecordType type, std::string_view key) {
  if (type != RecordType::kAccounts || key != "type") return std::nullopt;
  switch (source) {
    case Source::kRapport:
      return std::nullopt;
    case Source::kSalesforce:
      return "status";  // Customer - Direct, Customer - Channel, Prospect, ...
    case Source::kHubSpot:
      return "";  // Prospect, Partner, Reseller, Vendor: its Lifecycle Stage gives the status
  }
  return std::nullopt;
}

std::string NormalizeHeader(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (unsigned char c : header) {
    if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

RecordSpec WithCustomFields(const RecordSpec& spec,
                            const std::vector<records::CustomField>& custom) {
  RecordSpec out = spec;
  for (const records::CustomField& c : custom) {
    if (c.type == "account") continue;  // files do not name accounts in custom fields yet
    Field f;
    f.name = "custom." + c.key;
    f.column = "custom";
    f.kind = Kind::kCustom;
    f.required = c.required;
    f.custom = &c;
    f.aliases = {NormalizeHeader(c.label), NormalizeHeader(c.key), NormalizeHeader(c.key) + "c"};
    out.fields.push_back(std::move(f));
  }
  return out;
}

}  // namespace rapport::imports
