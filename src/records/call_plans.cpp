#include "records/call_plans.hpp"

namespace rapport::records {
namespace {

Record CallPlans() {
  Record r{"call_plans", "call plan", {}};
  r.fields = {
      RequiredReference("account_id", "accounts"),
      {.column = "user_id",
       .type = Type::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users",
       .description = "who makes the call (default: the caller)"},
      {.column = "opportunity_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "opportunities"},
      {.column = "planned_for",
       .type = Type::kInstant,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.column = "best_action",
       .required = true,
       .nullable = false,
       .max_length = 1000,
       .description = "the best action commitment we hope the customer makes"},
      {.column = "minimum_action",
       .required = true,
       .nullable = false,
       .max_length = 1000,
       .description = "the minimum acceptable action"},
      {.column = "questions", .max_length = 4000},
      {.column = "outcome",
       .type = Type::kEnum,
       .filterable = true,
       .values = ValuesOf(kCallPlanOutcomes),
       .description = "the review: which commitment we got"},
      {.column = "review_notes", .max_length = 4000},
      {.column = "follow_ups", .max_length = 4000},
      {.column = "reviewed_at", .type = Type::kInstant, .writable = false},
      {.column = "activity_id",
       .type = Type::kReference,
       .references = "activities",
       .description = "the call or visit logged for it"},
  };
  for (Field& field : r.fields) field.in_files = false;
  return r;
}

}  // namespace

const Record& CallPlanRecord() {
  static const Record record = CallPlans();
  return record;
}

}  // namespace rapport::records
