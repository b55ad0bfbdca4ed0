// A record's custom fields over HTTP: the `custom` object of a create or PATCH checked against
// the company's custom fields (records/custom_fields.hpp) as built-in fields are (types, limits,
// options, references in the caller's reach; required on create), each problem named
// "custom.<key>"; merged over what the record holds (a key given null is cleared, keys not given
// are kept); and the filters `custom.<key>=` of a list. Stateless functions; safe from any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/caller.hpp"
#include "api/json.hpp"
#include "audit/audit_log.hpp"
#include "db/database.hpp"
#include "records/custom_fields.hpp"

namespace rapport::api {

struct CustomValueChange {
  std::string key;
  std::optional<std::string> before, after;  // the values as JSON text; nullopt: none
};

struct CustomWrite {
  std::optional<std::string> json;         // the record's `custom` after the write; nullopt: {}
  std::vector<CustomValueChange> changes;  // the keys whose value changes
};

// The write the body's `custom` member (nullptr when the body has none) makes to a record whose
// `custom` column holds `stored` (nullopt for a new record, or none). On create, every required
// field must be given even when the body has no `custom`.
Result<CustomWrite> ParseCustomValues(db::Transaction& tx, const Caller& caller,
                                      std::span<const records::CustomField> fields,
                                      const JsonValue* custom,
                                      const std::optional<std::string>& stored, bool creating,
                                      std::string_view singular);

// What a write of `given` (key -> the value as JSON text; nullopt clears it) does to a record
// whose `custom` column holds `stored`: the keys not given are kept. kMalformed when `stored` is
// not a JSON object.
Result<CustomWrite> MergeCustomValues(
    const std::optional<std::string>& stored,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& given);

// Writes `write` to the record `id` of `table` and each changed value to the trail
// ("custom.<key>"); `bump_version` moves its version on (when nothing else of it changed).
Status WriteCustomChanges(db::Transaction& tx, std::string_view table, const audit::Actor& actor,
                          std::int64_t id, const CustomWrite& write, bool bump_version);

// The condition (over `column`, a record's custom JSON) and its parameter for the list filter
// `param` ("custom.trust_tier", or with _from / _to for dates, numbers and money) = `text`.
// kInvalidArgument naming `param` when no custom field of `fields` has its key, or the value is
// not one of the field's.
Status AddCustomFilter(db::Backend backend, std::span<const records::CustomField> fields,
                       std::string_view column, const std::string& param, const std::string& text,
                       std::string& where, db::Params& params);

// The SQL expression a list sorted by the custom field `param` ("custom.contract_end", from
// `?sort=`) orders by: the member of `column` as its type sorts (numbers as numbers, dates and
// text as text, a checkbox as 0 or 1), a record without a value first (an empty text, the lowest
// number, unticked), so that it is never NULL and cursors page past every record.
// kInvalidArgument naming `sort` when no custom field of `fields` has the key, or its type does
// not sort (long text, multi-picklist, lookup).
Result<std::string> CustomSortExpression(db::Backend backend,
                                         std::span<const records::CustomField> fields,
                                         std::string_view column, const std::string& param);

// The JSON Schema of `fields` as a record's `custom` object (for OpenAPI).
std::string CustomValuesSchema(std::span<const records::CustomField> fields);

// The name of that schema among the OpenAPI document's components ("CustomFieldsOfAccounts"),
// which the records of `table` refer to.
std::string CustomFieldsSchemaName(std::string_view table);

// Every record type's custom fields in use (records::kCustomFieldTables), table by table.
using CustomFieldsByTable = std::vector<std::pair<std::string, std::vector<records::CustomField>>>;
Result<CustomFieldsByTable> LoadCustomFieldsByTable(db::Database& database);

}  // namespace rapport::api
