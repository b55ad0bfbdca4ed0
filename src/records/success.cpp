#include "records/success.hpp"

namespace rapport::records {
namespace {

Record SuccessPlans() {
  Record r{"success_plans", "success plan", {}};
  r.fields = {
      RequiredReference("account_id", "accounts"),
      {.column = "opportunity_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "opportunities",
       .description = "the deal it belongs to, if any"},
      {.column = "owner_id",
       .type = Type::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users",
       .description = "who looks after it on our side (default: the caller)"},
      {.column = "title", .required = true, .nullable = false, .max_length = 200},
      {.column = "customer_definition",
       .required = true,
       .nullable = false,
       .max_length = 4000,
       .description = "what success means to the customer, in their words"},
      {.column = "defined_by_contact_id",
       .type = Type::kReference,
       .references = "contacts",
       .description = "who said it"},
      {.column = "defined_on", .type = Type::kDate, .description = "when they said it"},
      {.column = "status",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kSuccessPlanStatuses)},
      {.column = "contract_value_minor", .type = Type::kMoney, .nullable = false, .min = 0},
      {.column = "currency", .type = Type::kCurrency, .nullable = false},
      {.column = "commission_user_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "users",
       .description = "whose commission the milestones hold back (default: the deal's owner)"},
      {.column = "commission_minor", .type = Type::kMoney, .nullable = false, .min = 0},
      {.column = "commission_earned_on",
       .type = Type::kDate,
       .description = "when the commission was earned (default: today, when there is one)"},
      {.column = "grace_days",
       .type = Type::kInteger,
       .nullable = false,
       .min = 0,
       .max = 365,
       .description = "days after a milestone's due date before its holdback is forfeited"},
  };
  for (Field& field : r.fields) field.in_files = false;
  return r;
}

Record Milestones() {
  Record r{"milestones", "milestone", {}};
  r.fields = {
      RequiredReference("success_plan_id", "success_plans"),
      {.column = "account_id",
       .type = Type::kReference,
       .writable = false,
       .nullable = false,
       .filterable = true,
       .references = "accounts",
       .description = "the plan's account"},
      {.column = "name", .required = true, .nullable = false, .max_length = 200},
      {.column = "kind",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kMilestoneKinds)},
      {.column = "due_on",
       .type = Type::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.column = "owner_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "users",
       .description = "who answers for it on our side"},
      {.column = "customer_owner_id",
       .type = Type::kReference,
       .references = "contacts",
       .description = "who answers for it on the customer's side"},
      {.column = "status",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kMilestoneStatuses)},
      {.column = "met_on",
       .type = Type::kDate,
       .description = "when it was met (default: today, when the status becomes met)"},
      {.column = "evidence", .max_length = 4000},
      {.column = "payment_share_percent",
       .type = Type::kPercent,
       .nullable = false,
       .min = 0,
       .max = 100,
       .description = "the share of the contract paid when it is met"},
      {.column = "commission_holdback_percent",
       .type = Type::kPercent,
       .nullable = false,
       .min = 0,
       .max = 100,
       .description = "the share of the rep's commission held back until it is met"},
  };
  for (Field& field : r.fields) field.in_files = false;
  return r;
}

Record Trials() {
  Record r{"trials", "trial", {}};
  r.fields = {
      RequiredReference("account_id", "accounts"),
      {.column = "product_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "products"},
      {.column = "opportunity_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "opportunities"},
      {.column = "owner_id",
       .type = Type::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users",
       .description = "who runs it (default: the caller)"},
      {.column = "starts_on",
       .type = Type::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.column = "ends_on",
       .type = Type::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.column = "objectives", .required = true, .nullable = false, .max_length = 4000},
      {.column = "success_criteria",
       .required = true,
       .nullable = false,
       .max_length = 4000,
       .description = "what success looks like, agreed with the customer"},
      {.column = "status",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kTrialStatuses)},
      {.column = "results", .max_length = 8000},
      {.column = "decision",
       .type = Type::kEnum,
       .filterable = true,
       .values = ValuesOf(kTrialDecisions)},
      {.column = "decided_on", .type = Type::kDate},
      {.column = "implementation_plan",
       .max_length = 8000,
       .description = "what happens after the trial"},
  };
  for (Field& field : r.fields) field.in_files = false;
  return r;
}

}  // namespace

const Record& SuccessPlanRecord() {
  static const Record record = SuccessPlans();
  return record;
}

const Record& MilestoneRecord() {
  static const Record record = Milestones();
  return record;
}

const Record& TrialRecord() {
  static const Record record = Trials();
  return record;
}

}  // namespace rapport::records
