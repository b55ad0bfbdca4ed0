#include "imports/record_types.hpp"

#include <cctype>

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

RecordSpec Accounts() {
  RecordSpec s{RecordType::kAccounts, "accounts", "accounts"};
  s.fields.push_back(ExternalId({"id", "accountid", "recordid", "companyid", "companyrecordid"}));
  s.fields.push_back(Text("name",
                          {"accountname", "companyname", "organisation", "organization",
                           "organisationname", "organizationname"},
                          true));
  s.fields.push_back(Enum("type",
                          {"health_system", "hospital", "department", "gp_practice", "pharmacy",
                           "local_authority", "commissioning_group", "other"},
                          "other", {"accounttype", "organisationtype", "organizationtype"},
                          {{"healthsystem", "health_system"},
                           {"trust", "health_system"},
                           {"gppractice", "gp_practice"},
                           {"gp", "gp_practice"},
                           {"localauthority", "local_authority"},
                           {"commissioninggroup", "commissioning_group"},
                           {"ccg", "commissioning_group"},
                           {"icb", "commissioning_group"}}));
  s.fields.push_back(Enum("status", {"prospect", "customer", "former"}, "prospect",
                          {"accountstatus", "lifecyclestage"},
                          {{"lead", "prospect"},
                           {"subscriber", "prospect"},
                           {"marketingqualifiedlead", "prospect"},
                           {"salesqualifiedlead", "prospect"},
                           {"opportunity", "prospect"},
                           {"evangelist", "customer"},
                           {"formercustomer", "former"},
                           {"churned", "former"}}));
  Field parent = Reference("parent", "parent_id", Ref::kAccount, false,
                           {"parentid", "parentaccountid", "parentexternalid", "parentcompanyid",
                            "parentaccount", "parentcompany"});
  parent.self_reference = true;
  s.fields.push_back(parent);
  s.fields.push_back(
      Text("region", {"billingstate", "billingstateprovince", "stateregion", "state", "county"}));
  s.fields.push_back(Text(
      "postcode",
      {"billingpostalcode", "billingzippostalcode", "billingzip", "postalcode", "zip", "zipcode"},
      false, 20));
  s.fields.push_back(Reference("owner", "owner_id", Ref::kUser, false,
                               {"owneremail", "accountowner", "companyowner", "ownername"}));
  s.fields.push_back(Reference("territory", "territory_id", Ref::kTerritory, false,
                               {"territoryname", "salesterritory"}));
  s.fields.push_back(Reference("distributor", "distributor_id", Ref::kDistributor, false,
                               {"distributorname", "dealer"}));
  s.fields.push_back(Text("segment", {"accountsegment", "tier"}, false, 100));
  s.fields.push_back(Typed("customer_since", "customer_since", Kind::kDate,
                           {"customersince", "becameacustomerdate"}));
  Field cadence = Typed("contact_cadence_days", "contact_cadence_days", Kind::kInteger,
                        {"contactcadencedays", "cadencedays"});
  cadence.min = 1;
  cadence.max = 3650;
  s.fields.push_back(cadence);
  s.fields.push_back(Typed("potential_value", "potential_value_minor", Kind::kMoney,
                           {"potential", "potentialvalue"}));
  Field units = Typed("potential_units", "potential_units", Kind::kInteger, {"potentialunits"});
  units.max = 1'000'000'000;
  s.fields.push_back(units);
  return s;
}

RecordSpec Contacts() {
  RecordSpec s{RecordType::kContacts, "contacts", "contacts"};
  s.fields.push_back(ExternalId({"id", "contactid", "recordid"}));
  s.fields.push_back(
      Reference("account", "account_id", Ref::kAccount, true,
                {"accountid", "accountexternalid", "associatedcompanyid", "associatedcompanyids",
                 "companyid", "primaryassociatedcompanyid"}));
  s.fields.push_back(Text("first_name", {"firstname", "givenname"}, true, 100));
  s.fields.push_back(Text("last_name", {"lastname", "surname", "familyname"}, true, 100));
  s.fields.push_back(Text("job_title", {"title", "jobtitle", "position"}));
  s.fields.push_back(Enum("function",
                          {"clinician", "procurement", "finance", "executive", "department_manager",
                           "personal_assistant", "stores", "business_development", "it", "other"},
                          "other", {"department", "role"},
                          {{"purchasing", "procurement"},
                           {"departmentmanager", "department_manager"},
                           {"personalassistant", "personal_assistant"},
                           {"pa", "personal_assistant"},
                           {"businessdevelopment", "business_development"}}));
  s.fields.push_back(Enum("stance", {"advocate", "neutral", "detractor"}, "neutral", {}));
  s.fields.push_back(Enum("influence", {"low", "medium", "high"}, "medium", {}));
  s.fields.push_back(Typed("email", "email", Kind::kEmail, {"emailaddress", "workemail"}));
  s.fields.push_back(
      Text("phone", {"phonenumber", "businessphone", "mobilephone", "mobile"}, false, 50));
  Field reports_to = Reference("reports_to", "reports_to_id", Ref::kContact, false,
                               {"reportstoid", "reportsto", "manager"});
  reports_to.self_reference = true;
  s.fields.push_back(reports_to);
  Field kol = Typed("kol", "kol", Kind::kBool, {"keyopinionleader"});
  kol.fallback = std::int64_t{0};
  s.fields.push_back(kol);
  return s;
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
