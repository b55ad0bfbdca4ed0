#include "records/record.hpp"

#include <stdexcept>

#include "records/accounts.hpp"
#include "records/cases.hpp"
#include "records/opportunities.hpp"

namespace rapport::records {

const Field* Record::Find(std::string_view column) const {
  for (const Field& f : fields) {
    if (f.column == column) return &f;
  }
  return nullptr;
}

const std::vector<const Record*>& AllRecords() {
  static const std::vector<const Record*> all = {
      &AccountRecord(), &ContactRecord(), &OpportunityRecord(), &ActivityRecord(), &CaseRecord()};
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

Field ExternalId(std::vector<std::string> aliases) {
  aliases.push_back("externalid");
  return {.column = "external_id",
          .max_length = 100,
          .description = "id in another system (upsert key)",
          .file_aliases = std::move(aliases)};
}

}  // namespace rapport::records
