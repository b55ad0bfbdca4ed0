#include "records/record.hpp"

#include <stdexcept>

#include "records/accounts.hpp"
#include "records/call_plans.hpp"
#include "records/cases.hpp"
#include "records/opportunities.hpp"
#include "records/purchases.hpp"
#include "records/success.hpp"
#include "records/tasks.hpp"

namespace rapport::records {

const Field* Record::Find(std::string_view column) const {
  for (const Field& f : fields) {
    if (f.column == column) return &f;
  }
  return nullptr;
}

const std::vector<const Record*>& AllRecords() {
  static const std::vector<const Record*> all = {
      &AccountRecord(),     &ContactRecord(),   &OpportunityRecord(), &ActivityRecord(),
      &TaskRecord(),        &CaseRecord(),      &PurchaseRecord(),    &CallPlanRecord(),
      &SuccessPlanRecord(), &MilestoneRecord(), &TrialRecord(),       &OpportunityLineItemRecord()};
  return all;
}

std::size_t Record::MaxLength(std::string_view column) const {
  const Field* field = Find(column);
  if (!field) throw std::logic_error(table + " declares no " + std::string(column));
  return field->max_length;
}

std::vector<std::string_view> ValuesOf(std::span<const std::string_view> values) {
  return {values.begin(), values.end()};
}

Field RequiredReference(std::string column, std::string table) {
  return {.column = std::move(column),
          .type = Type::kReference,
          .required = true,
          .nullable = false,
          .filterable = true,
          .references = std::move(table)};
}

Field ExternalId(std::vector<std::string> aliases) {
  aliases.push_back("externalid");
  return {.column = "external_id",
          .max_length = 100,
          .description = "id in another system (upsert key)",
          .file_aliases = std::move(aliases)};
}

}  // namespace rapport::records
