#include "records/opportunities.hpp"

namespace rapport::records {
namespace {

// The account a record belongs to, as files name it.
Field AccountOf() {
  return {.column = "account_id",
          .type = Type::kReference,
          .required = true,
          .nullable = false,
          .filterable = true,
          .references = "accounts",
          .file_name = "account",
          .file_aliases = {"accountid", "accountexternalid", "associatedcompanyid",
                           "associatedcompanyids", "companyid"}};
}

Record Opportunities() {
  Record r{"opportunities", "opportunity", {}};
  r.fields = {
      ExternalId({"id", "opportunityid", "dealid", "recordid"}),
      AccountOf(),
      // The API defaults it to the caller; a file must say whose the deal is.
      {.column = "owner_id",
       .type = Type::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users",
       .file_name = "owner",
       .file_aliases = {"owneremail", "opportunityowner", "dealowner", "ownername"},
       .file_required = true},
      {.column = "name",
       .required = true,
       .nullable = false,
       .sortable = true,
       .max_length = 300,
       .file_aliases = {"opportunityname", "dealname"}},
      {.column = "stage",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kStages),
       .file_aliases = {"stagename", "dealstage"},
       .value_aliases = {{"closedwon", "closed_won"},
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
                         {"contractsent", "negotiation"}},
       .file_default = std::string("prospecting")},
      {.column = "amount_minor",
       .type = Type::kMoney,
       .nullable = false,
       .sortable = true,
       .min = 0,
       .description = "in minor units of currency",
       .file_name = "amount",
       .file_aliases = {"dealamount", "value"},
       .file_default = std::int64_t{0}},
      {.column = "currency",
       .type = Type::kCurrency,
       .nullable = false,
       .file_aliases = {"currencyisocode", "currencycode"},
       .file_default = std::string("GBP")},
      {.column = "close_date",
       .type = Type::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true,
       .file_aliases = {"closedate", "expectedclose"}},
      {.column = "probability",
       .type = Type::kPercent,
       .nullable = false,
       .min = 0,
       .max = 100,
       .file_aliases = {"probabilitypercent", "dealprobability"},
       .file_default = std::int64_t{10}},
      {.column = "next_step", .max_length = 500, .file_aliases = {"nextstep"}},
      {.column = "lost_reason",
       .max_length = 500,
       .description = "why the deal was lost: required to close it as lost",
       .file_aliases = {"lossreason", "closedlostreason"}},
      {.column = "won_by",
       .max_length = 200,
       .description = "who won when we lost",
       .in_files = false},
      {.column = "forecast_category",
       .type = Type::kEnum,
       .filterable = true,
       .values = ValuesOf(kForecastCategories),
       .description = "the rep's call; when empty the forecast goes by probability (70% and up "
                      "commit, 40% and up best case, else pipeline)",
       .in_files = false},
      {.column = "revisit_on",
       .type = Type::kDate,
       .filterable = true,
       .description = "when to go back to a lost deal (default: 180 days after losing it); the "
                      "owner gets a task",
       .in_files = false},
      {.column = "closed_at", .type = Type::kInstant, .writable = false, .in_files = false},
  };
  return r;
}

Record OpportunityLineItems() {
  Record r{"opportunity_line_items", "line item", {}};
  r.fields = {
      {.column = "opportunity_id",
       .type = Type::kReference,
       .writable = false,
       .nullable = false,
       .references = "opportunities"},
      {.column = "position", .type = Type::kInteger, .writable = false, .nullable = false},
      RequiredReference("product_id", "products"),
      {.column = "quantity",
       .type = Type::kInteger,
       .required = true,
       .nullable = false,
       .min = 1,
       .max = 1'000'000},
      {.column = "list_price_minor",
       .type = Type::kMoney,
       .nullable = false,
       .min = 0,
       .max = kMaxUnitPriceMinor,
       .description = "a unit's list price in the deal's currency (default: the product's, when "
                      "the product is priced in the deal's currency)"},
      {.column = "sale_price_minor",
       .type = Type::kMoney,
       .nullable = false,
       .min = 0,
       .max = kMaxUnitPriceMinor,
       .description = "a unit's price before the discount (default: the list price)"},
      {.column = "discount_percent",
       .type = Type::kPercent,
       .nullable = false,
       .min = 0,
       .max = 100,
       .description = "taken off the line's total (default 0)"},
      {.column = "total_minor",
       .type = Type::kMoney,
       .writable = false,
       .nullable = false,
       .description = "quantity × sale price, less the discount, to the minor unit"},
      {.column = "description", .max_length = 500},
  };
  for (Field& field : r.fields) field.in_files = false;
  return r;
}

Record Activities() {
  Record r{"activities", "activity", {}};
  Field external_id =
      ExternalId({"id", "activityid", "taskid", "eventid", "engagementid", "recordid"});
  external_id.in_api = false;
  r.fields = {
      external_id,
      AccountOf(),
      // The API defaults it to the caller; a file must say who did it.
      {.column = "user_id",
       .type = Type::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users",
       .description = "who did it (default: the caller)",
       .file_name = "user",
       .file_aliases = {"useremail", "assignedto", "owner", "activityowner", "activityassignedto"},
       .file_required = true},
      {.column = "kind",
       .type = Type::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kActivityKinds),
       .file_aliases = {"type", "activitytype", "tasksubtype", "engagementtype"},
       .value_aliases = {{"phonecall", "call"},
                         {"task", "note"},
                         {"todo", "note"},  // HubSpot's task types
                         {"linkedinconnect", "note"},
                         {"linkedinmessage", "note"},
                         {"event", "meeting"},
                         {"sitevisit", "visit"}},
       .file_default = std::string("note")},
      // The API defaults it to now by the server's clock; a file must say when.
      {.column = "occurred_at",
       .type = Type::kInstant,
       .nullable = false,
       .filterable = true,
       .sortable = true,
       .description = "when it happened (default: now)",
       .file_aliases = {"occurredat", "date", "activitydate", "duedate", "startdatetime",
                        "activitydatetime"},
       .file_required = true},
      {.column = "subject",
       .required = true,
       .nullable = false,
       .max_length = 300,
       .file_aliases = {"title"}},
      {.column = "body",
       .max_length = 20'000,
       .file_aliases = {"description", "comments", "notes", "activitybody"}},
      {.column = "outcome", .max_length = 2000, .file_aliases = {"calloutcome", "result"}},
      {.column = "next_step", .max_length = 2000, .file_aliases = {"nextstep"}},
      {.column = "opportunity_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "opportunities",
       .file_name = "opportunity",
       .file_aliases = {"opportunityid", "opportunityexternalid", "dealid"}},
  };
  return r;
}

}  // namespace

const Record& OpportunityRecord() {
  static const Record record = Opportunities();
  return record;
}

const Record& OpportunityLineItemRecord() {
  static const Record record = OpportunityLineItems();
  return record;
}

const Record& ActivityRecord() {
  static const Record record = Activities();
  return record;
}

}  // namespace rapport::records
