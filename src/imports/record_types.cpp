#include "imports/record_types.hpp"

#include <cctype>
#include <limits>

#include "records/accounts.hpp"

namespace rapport::imports {
namespace {

Field ExternalId(std::vector<std::string> aliases) {
  Field f{.name = "external_id", .column = "external_id", .max_length = 100};
  f.aliases = std::move(aliases);
  f.aliases.push_back("externalid");
  return f;
}

Field Text(std::string name, std::vector<std::string> aliases, bool required = false,
           std::size_t max_length = 200) {
  return Field{.name = name,
               .column = name,
               .required = required,
               .aliases = std::move(aliases),
               .max_length = max_length};
}

Field Enum(std::string name, std::vector<std::string> values, std::string fallback,
           std::vector<std::string> aliases,
           std::vector<std::pair<std::string, std::string>> value_aliases = {}) {
  Field f{.name = name, .column = name, .kind = Kind::kEnum, .aliases = std::move(aliases)};
  f.values = std::move(values);
  f.value_aliases = std::move(value_aliases);
  if (!fallback.empty()) f.fallback = fallback;
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
  RecordSpec s{RecordType::kOpportunities, "opportunities", "opportunities"};
  s.fields.push_back(ExternalId({"id", "opportunityid", "dealid", "recordid"}));
  s.fields.push_back(Reference("account", "account_id", Ref::kAccount, true,
                               {"accountid", "accountexternalid", "associatedcompanyid",
                                "associatedcompanyids", "companyid"}));
  s.fields.push_back(Reference("owner", "owner_id", Ref::kUser, true,
                               {"owneremail", "opportunityowner", "dealowner", "ownername"}));
  s.fields.push_back(Text("name", {"opportunityname", "dealname"}, true));
  s.fields.push_back(
      Enum("stage",
           {"prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"},
           "prospecting", {"stagename", "dealstage"},
           {{"closedwon", "closed_won"},
            {"won", "closed_won"},
            {"closedlost", "closed_lost"},
            {"lost", "closed_lost"},
            {"proposalpricequote", "proposal"},
            {"negotiationreview", "negotiation"},
            {"needsanalysis", "qualification"},
            {"appointmentscheduled", "prospecting"},
            {"qualifiedtobuy", "qualification"},
            {"presentationscheduled", "proposal"},
            {"decisionmakerboughtin", "negotiation"},
            {"contractsent", "negotiation"}}));
  s.fields.push_back(Typed("amount", "amount_minor", Kind::kMoney, {"dealamount", "value"}));
  s.fields.back().fallback = std::int64_t{0};
  s.fields.push_back(Currency());
  s.fields.push_back(
      Typed("close_date", "close_date", Kind::kDate, {"closedate", "expectedclose"}, true));
  Field probability = Typed("probability", "probability", Kind::kPercent,
                            {"probabilitypercent", "dealprobability"});
  probability.max = 100;
  probability.fallback = std::int64_t{10};
  s.fields.push_back(probability);
  s.fields.push_back(Text("next_step", {"nextstep"}, false, 500));
  s.fields.push_back(Text("lost_reason", {"lossreason", "closedlostreason"}, false, 500));
  return s;
}

RecordSpec Activities() {
  RecordSpec s{RecordType::kActivities, "activities", "activities"};
  s.fields.push_back(
      ExternalId({"id", "activityid", "taskid", "eventid", "engagementid", "recordid"}));
  s.fields.push_back(Reference("account", "account_id", Ref::kAccount, true,
                               {"accountid", "accountexternalid", "associatedcompanyid",
                                "associatedcompanyids", "companyid"}));
  s.fields.push_back(
      Reference("user", "user_id", Ref::kUser, true,
                {"useremail", "assignedto", "owner", "activityowner", "activityassignedto"}));
  s.fields.push_back(Enum(
      "kind", {"call", "visit", "email", "meeting", "note"}, "note",
      {"type", "activitytype", "tasksubtype", "engagementtype"},
      {{"phonecall", "call"}, {"task", "note"}, {"event", "meeting"}, {"sitevisit", "visit"}}));
  s.fields.push_back(
      Typed("occurred_at", "occurred_at", Kind::kInstant,
            {"occurredat", "date", "activitydate", "duedate", "startdatetime", "activitydatetime"},
            true));
  s.fields.push_back(Text("subject", {"title"}, true));
  s.fields.push_back(
      Text("body", {"description", "comments", "notes", "activitybody"}, false, 20'000));
  s.fields.push_back(Text("outcome", {"calloutcome", "result"}, false, 500));
  s.fields.push_back(Text("next_step", {"nextstep"}, false, 500));
  s.fields.push_back(Reference("opportunity", "opportunity_id", Ref::kOpportunity, false,
                               {"opportunityid", "opportunityexternalid", "dealid"}));
  return s;
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
    f.required = d.required && std::holds_alternative<std::monostate>(d.file_default);
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

std::string NormalizeHeader(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (unsigned char c : header) {
    if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

}  // namespace rapport::imports
