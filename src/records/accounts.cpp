#include "records/accounts.hpp"

namespace rapport::records {
namespace {

// Where the account is: its billing address (the one every CRM has) and where deliveries go.
std::vector<Field> AccountAddresses() {
  return {
      {.column = "street",
       .max_length = 500,
       .description = "the billing address's street lines, one per line",
       .file_aliases = {"billingstreet", "streetaddress", "address", "addressline1", "address1",
                        "billingaddress"}},
      {.column = "city",
       .filterable = true,
       .max_length = 100,
       .file_aliases = {"billingcity", "town", "towncity"}},
      {.column = "region",
       .filterable = true,
       .max_length = 100,
       .file_aliases = {"billingstate", "billingstateprovince", "stateregion", "state", "county"}},
      {.column = "postcode",
       .filterable = true,
       .max_length = 20,
       .file_aliases = {"billingpostalcode", "billingzippostalcode", "billingzip", "postalcode",
                        "zip", "zipcode"}},
      {.column = "country",
       .type = Type::kCountry,
       .filterable = true,
       .description = "ISO 3166-1 alpha-2; files may give its name",
       .file_aliases = {"billingcountry", "countryregion", "billingcountrycode", "countrycode"}},
      {.column = "shipping_street",
       .max_length = 500,
       .description = "where deliveries go, when not to the billing address",
       .file_aliases = {"shippingstreet", "deliverystreet", "shippingaddress"}},
      {.column = "shipping_city",
       .max_length = 100,
       .file_aliases = {"shippingcity", "deliverycity"}},
      {.column = "shipping_region",
       .max_length = 100,
       .file_aliases = {"shippingstate", "shippingstateprovince", "shippingcounty"}},
      {.column = "shipping_postcode",
       .max_length = 20,
       .file_aliases = {"shippingpostalcode", "shippingzippostalcode", "shippingzip",
                        "shippingpostcode", "deliverypostcode"}},
      {.column = "shipping_country",
       .type = Type::kCountry,
       .file_aliases = {"shippingcountry", "shippingcountrycode", "deliverycountry"}},
  };
}

// How to reach the account, its size and its official identifiers.
std::vector<Field> AccountDetails() {
  return {
      {.column = "phone",
       .max_length = 40,
       .description = "the switchboard",
       .file_aliases = {"phonenumber", "switchboard", "mainphone", "telephone", "tel"}},
      {.column = "website",
       .max_length = 300,
       .file_aliases = {"websiteurl", "url", "web", "homepage"}},
      {.column = "email_domain",
       .max_length = 200,
       .description = "the domain of its people's email addresses (nhs.net, hospital.org)",
       .file_aliases = {"companydomainname", "domain", "domainname", "emaildomain"}},
      {.column = "industry", .filterable = true, .max_length = 100},
      {.column = "employees",
       .type = Type::kInteger,
       .min = 0,
       .max = 10'000'000,
       .file_aliases = {"numberofemployees", "employeecount", "headcount", "staff"}},
      {.column = "beds",
       .type = Type::kInteger,
       .min = 0,
       .max = 100'000,
       .description = "inpatient beds, the measure of a hospital's size",
       .file_aliases = {"numberofbeds", "bedcount"}},
      {.column = "description",
       .max_length = 4000,
       .file_aliases = {"aboutus", "about", "accountdescription"}},
      {.column = "ods_code",
       .filterable = true,
       .max_length = 20,
       .description = "NHS Organisation Data Service code",
       .file_aliases = {"odscode", "nhsodscode", "organisationcode", "organizationcode",
                        "orgcode"}},
      {.column = "gln",
       .filterable = true,
       .max_length = 13,
       .description = "GS1 Global Location Number",
       .file_aliases = {"globallocationnumber"}},
      {.column = "company_number",
       .max_length = 40,
       .description = "company, charity or VAT registration number",
       .file_aliases = {"companynumber", "registrationnumber", "companyregistrationnumber",
                        "vatnumber", "taxid"}},
  };
}

// Who covers the account: owner, territory and distributor.
std::vector<Field> AccountCoverage() {
  return {
      {.column = "owner_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "users",
       .file_name = "owner",
       .file_aliases = {"owneremail", "accountowner", "companyowner", "ownername"}},
      {.column = "territory_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "territories",
       .file_name = "territory",
       .file_aliases = {"territoryname", "salesterritory"}},
      {.column = "distributor_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "distributors",
       .file_name = "distributor",
       .file_aliases = {"distributorname", "dealer"}},
  };
}

// The account as a market: segment, potential, share and designation.
std::vector<Field> AccountMarket() {
  return {
      // As long as a segment's name, which it names.
      {.column = "segment",
       .filterable = true,
       .max_length = 50,
       .file_aliases = {"accountsegment", "tier"}},
      {.column = "customer_since",
       .type = Type::kDate,
       .filterable = true,
       .file_aliases = {"customersince", "becameacustomerdate"}},
      {.column = "contact_cadence_days",
       .type = Type::kInteger,
       .min = 1,
       .max = 3650,
       .description = "how often someone should be in touch",
       .file_aliases = {"contactcadencedays", "cadencedays"}},
      {.column = "potential_value_minor",
       .type = Type::kMoney,
       .min = 0,
       .description = "what the account could buy from us a year, in minor units",
       .file_name = "potential_value",
       .file_aliases = {"potential", "potentialvalue"}},
      {.column = "potential_units",
       .type = Type::kInteger,
       .min = 0,
       .max = 1'000'000'000,
       .file_aliases = {"potentialunits"}},
      {.column = "competitor_share_percent",
       .type = Type::kPercent,
       .min = 0,
       .max = 100,
       .description = "the competitors' share of this account's market",
       .file_aliases = {"competitorshare", "competitorsharepercent"}},
      {.column = "market_data_on",
       .type = Type::kDate,
       .description = "when the potential and share figures date from",
       .file_aliases = {"marketdataon", "marketdatadate"}},
      {.column = "designation",
       .type = Type::kEnum,
       .filterable = true,
       .values = ValuesOf(kDesignations),
       .description = "set by hand; when empty the segmentation rule proposes one"},
      {.column = "archived_at", .type = Type::kInstant, .writable = false, .in_files = false},
  };
}

Record Accounts() {
  Record r{"accounts", "account", {}};
  r.fields = {
      ExternalId({"id", "accountid", "recordid", "companyid", "companyrecordid"}),
      {.column = "name",
       .required = true,
       .nullable = false,
       .sortable = true,
       .max_length = 300,
       .file_aliases = {"accountname", "companyname", "organisation", "organization",
                        "organisationname", "organizationname"}},
      {.column = "type",
       .type = Type::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kAccountTypes),
       .file_aliases = {"accounttype", "organisationtype", "organizationtype"},
       .value_aliases = {{"healthsystem", "health_system"},
                         {"trust", "health_system"},
                         {"gppractice", "gp_practice"},
                         {"gp", "gp_practice"},
                         {"localauthority", "local_authority"},
                         {"commissioninggroup", "commissioning_group"},
                         {"ccg", "commissioning_group"},
                         {"icb", "commissioning_group"}},
       .file_default = std::string("other")},
      {.column = "status",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kAccountStatuses),
       .file_aliases = {"accountstatus", "lifecyclestage"},
       .value_aliases = {{"lead", "prospect"},
                         {"subscriber", "prospect"},
                         {"marketingqualifiedlead", "prospect"},
                         {"salesqualifiedlead", "prospect"},
                         {"opportunity", "prospect"},
                         {"evangelist", "customer"},
                         {"formercustomer", "former"},
                         // Salesforce's account Type (read as the status with --from salesforce)
                         {"customerdirect", "customer"},
                         {"customerchannel", "customer"},
                         // Partners and others are not customers of ours: kept, as prospects
                         // (a distributor is a record of its own, not an account's status).
                         {"channelpartnerreseller", "prospect"},
                         {"installationpartner", "prospect"},
                         {"technologypartner", "prospect"},
                         {"other", "prospect"},
                         {"churned", "former"}},
       .file_default = std::string("prospect")},
      {.column = "parent_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "accounts",
       .description = "health system above a hospital, hospital above a department",
       .file_name = "parent",
       .file_aliases = {"parentid", "parentaccountid", "parentexternalid", "parentcompanyid",
                        "parentaccount", "parentcompany"}},
  };
  for (auto part : {AccountAddresses(), AccountDetails(), AccountCoverage(), AccountMarket()}) {
    r.fields.insert(r.fields.end(), part.begin(), part.end());
  }
  return r;
}

// How to reach the contact.
std::vector<Field> ContactChannels() {
  return {
      {.column = "email", .type = Type::kEmail, .file_aliases = {"emailaddress", "workemail"}},
      {.column = "phone",
       .max_length = 40,
       .description = "their direct line",
       .file_aliases = {"phonenumber", "businessphone", "directline", "workphone", "officephone"}},
      {.column = "mobile",
       .max_length = 40,
       .file_aliases = {"mobilephone", "mobilephonenumber", "cellphone", "cell"}},
  };
}

// Where post for the contact goes.
std::vector<Field> ContactMailingAddress() {
  return {
      {.column = "mailing_street",
       .max_length = 500,
       .description = "where letters reach them, when not at the account's address",
       .file_aliases = {"mailingstreet", "mailingaddress", "streetaddress", "street"}},
      {.column = "mailing_city", .max_length = 100, .file_aliases = {"mailingcity", "city"}},
      {.column = "mailing_region",
       .max_length = 100,
       .file_aliases = {"mailingstate", "mailingstateprovince", "mailingcounty", "stateregion"}},
      {.column = "mailing_postcode",
       .max_length = 20,
       .file_aliases = {"mailingpostalcode", "mailingzippostalcode", "mailingzip", "postalcode",
                        "zip"}},
      {.column = "mailing_country",
       .type = Type::kCountry,
       .description = "ISO 3166-1 alpha-2; files may give its name",
       .file_aliases = {"mailingcountry", "mailingcountrycode", "countryregion"}},
      {.column = "assistant_name",
       .max_length = 200,
       .file_aliases = {"assistantname", "assistant"}},
      {.column = "assistant_phone",
       .max_length = 40,
       .file_aliases = {"assistantphone", "asstphone"}},
  };
}

// How the contact wants to hear from us, and whether at all: every outbound message honours it.
std::vector<Field> ContactConsent() {
  return {
      {.column = "preferred_channel",
       .type = Type::kEnum,
       .filterable = true,
       .values = ValuesOf(kChannels),
       .description = "how they like to hear from us",
       .file_aliases = {"preferredchannel", "preferredcontactmethod"},
       .value_aliases = {{"call", "phone"},
                         {"telephone", "phone"},
                         {"meeting", "visit"},
                         {"videocall", "video"},
                         {"post", "letter"}}},
      {.column = "email_opted_in",
       .type = Type::kBoolean,
       .nullable = false,
       .filterable = true,
       .description = "they agreed to hear from us by email",
       .file_aliases = {"emailoptin", "optedin", "marketingemailconsent"},
       .file_default = std::int64_t{0}},
      {.column = "email_opted_out",
       .type = Type::kBoolean,
       .nullable = false,
       .filterable = true,
       .description = "they asked for no email: introductions and surveys pass them by",
       .file_aliases = {"hasoptedoutofemail", "emailoptout", "unsubscribedfromallemail",
                        "optedoutofemail"},
       .file_default = std::int64_t{0}},
      {.column = "consent_on",
       .type = Type::kDate,
       .description = "when they opted in or out",
       .file_aliases = {"consentdate", "emailconsentdate", "optindate", "optoutdate"}},
      {.column = "consent_source",
       .max_length = 200,
       .description = "how we learnt it (a form, a call, a conference sign-up)",
       .file_aliases = {"consentsource", "legalbasis", "optinsource"}},
      {.column = "do_not_contact",
       .type = Type::kBoolean,
       .nullable = false,
       .filterable = true,
       .description = "they asked not to be contacted at all",
       .file_aliases = {"donotcontact"},
       .file_default = std::int64_t{0}},
  };
}

// Where the contact stands: who they report to, and whether they have left.
std::vector<Field> ContactPlace() {
  return {
      {.column = "reports_to_id",
       .type = Type::kReference,
       .references = "contacts",
       .description = "whom they report to at the customer (a contact of the same account)",
       .file_name = "reports_to",
       .file_aliases = {"reportstoid", "reportsto", "manager"}},
      {.column = "left_at",
       .type = Type::kInstant,
       .description = "when they left the customer",
       .file_aliases = {"leftat", "lefton"}},
  };
}

Record Contacts() {
  Record r{"contacts", "contact", {}};
  r.fields = {
      ExternalId({"id", "contactid", "recordid"}),
      {.column = "account_id",
       .type = Type::kReference,
       .required = true,
       .nullable = false,
       .filterable = true,
       .references = "accounts",
       .file_name = "account",
       .file_aliases = {"accountid", "accountexternalid", "associatedcompanyid",
                        "associatedcompanyids", "companyid", "primaryassociatedcompanyid"}},
      {.column = "first_name",
       .required = true,
       .nullable = false,
       .max_length = 100,
       .file_aliases = {"firstname", "givenname"}},
      {.column = "last_name",
       .required = true,
       .nullable = false,
       .sortable = true,
       .max_length = 100,
       .file_aliases = {"lastname", "surname", "familyname"}},
      {.column = "salutation",
       .max_length = 20,
       .description = "Dr, Prof, Mr, Ms, ...",
       .file_aliases = {"prefix", "honorific"}},
      {.column = "job_title", .max_length = 200, .file_aliases = {"title", "jobtitle", "position"}},
      {.column = "department",
       .max_length = 100,
       .description = "their department at the customer, in its words (Cardiology, Theatres)"},
      {.column = "function",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kContactFunctions),
       .file_aliases = {"role", "contactfunction"},
       .value_aliases = {{"purchasing", "procurement"},
                         {"departmentmanager", "department_manager"},
                         {"personalassistant", "personal_assistant"},
                         {"pa", "personal_assistant"},
                         {"businessdevelopment", "business_development"}},
       .file_default = std::string("other")},
      {.column = "stance",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kStances),
       .description = "towards us",
       .file_default = std::string("neutral")},
      {.column = "influence",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kInfluences),
       .file_default = std::string("medium")},
      {.column = "colour",
       .type = Type::kEnum,
       .filterable = true,
       .values = ValuesOf(kColours),
       .description = "personality colour: how they like to be communicated with",
       .file_aliases = {"personalitycolour", "personalitycolor", "color"}},
      {.column = "kol",
       .type = Type::kBoolean,
       .nullable = false,
       .filterable = true,
       .description = "key opinion leader",
       .file_aliases = {"keyopinionleader"},
       .file_default = std::int64_t{0}},
  };
  for (auto part : {ContactChannels(), ContactMailingAddress(), ContactConsent(), ContactPlace()}) {
    r.fields.insert(r.fields.end(), part.begin(), part.end());
  }
  return r;
}

}  // namespace

const Record& AccountRecord() {
  static const Record record = Accounts();
  return record;
}

const Record& ContactRecord() {
  static const Record record = Contacts();
  return record;
}

}  // namespace rapport::records
