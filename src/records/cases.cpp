#include "records/cases.hpp"

namespace rapport::records {
namespace {

// A time the system stamps.
Field Stamp(std::string column, std::string description = "") {
  return {.column = std::move(column),
          .type = Type::kInstant,
          .writable = false,
          .description = std::move(description),
          .in_files = false};
}

Record Cases() {
  Record r{"cases", "case", {}};
  r.fields = {
      {.column = "account_id",
       .type = Type::kReference,
       .required = true,
       .nullable = false,
       .filterable = true,
       .references = "accounts"},
      {.column = "contact_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "contacts",
       .description = "who raised it"},
      {.column = "kind",
       .type = Type::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kCaseKinds)},
      {.column = "priority",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kCasePriorities)},
      {.column = "subject", .required = true, .nullable = false, .max_length = 300},
      {.column = "description", .max_length = 8000},
      {.column = "owner_id",
       .type = Type::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users",
       .description = "who sees it through (default: the caller)"},
      {.column = "departments",
       .max_length = 300,
       .description = "the departments involved, comma-separated (billing, logistics, ...)"},
      {.column = "status",
       .type = Type::kEnum,
       .nullable = false,
       .filterable = true,
       .values = ValuesOf(kCaseStatuses)},
      {.column = "opened_at",
       .type = Type::kInstant,
       .writable = false,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.column = "first_response_due_at",
       .type = Type::kInstant,
       .writable = false,
       .nullable = false,
       .description = "from the service level of its kind and priority"},
      {.column = "resolution_due_at",
       .type = Type::kInstant,
       .writable = false,
       .nullable = false,
       .sortable = true},
      Stamp("first_response_at", "the first outbound message"),
      Stamp("resolved_at"),
      {.column = "resolution", .max_length = 8000},
      {.column = "escalation_level",
       .type = Type::kInteger,
       .writable = false,
       .nullable = false,
       .filterable = true},
      {.column = "escalated_to_id",
       .type = Type::kReference,
       .writable = false,
       .filterable = true,
       .references = "users"},
      Stamp("escalated_at"),
      {.column = "review_task_id",
       .type = Type::kReference,
       .writable = false,
       .references = "tasks",
       .description = "the review call scheduled on resolution"},
  };
  for (Field& field : r.fields) field.in_files = false;
  return r;
}

}  // namespace

const Record& CaseRecord() {
  static const Record record = Cases();
  return record;
}

}  // namespace rapport::records
