#include "records/tasks.hpp"

namespace rapport::records {
namespace {

Record Tasks() {
  Record r{"tasks", "task", {}};
  r.fields = {
      {.column = "owner_id",
       .type = Type::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users"},
      {.column = "account_id",
       .type = Type::kReference,
       .filterable = true,
       .references = "accounts"},
      {.column = "related_type", .type = Type::kEnum, .values = ValuesOf(kTaskRelatedTypes)},
      {.column = "related_id", .type = Type::kInteger, .min = 1},
      {.column = "subject", .required = true, .nullable = false, .max_length = 300},
      {.column = "due_on", .type = Type::kDate, .filterable = true},
      {.column = "done_at", .type = Type::kInstant},
  };
  for (Field& field : r.fields) field.in_files = false;
  return r;
}

}  // namespace

const Record& TaskRecord() {
  static const Record record = Tasks();
  return record;
}

}  // namespace rapport::records
