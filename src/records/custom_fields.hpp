// Custom fields: the fields an admin adds to accounts, contacts, opportunities, activities and
// cases, each a row of custom_fields (migration 23). A record keeps their values in its `custom`
// column, one JSON object keyed by the field's key ({"po_number": "PO-1", "icu_beds": 12}).
// A picklist's options are rows of custom_field_options: a record holds the option's value, which
// never changes, so an option's label can be renamed and the option retired (no longer offered)
// without changing a record's history. Plain data; LoadCustomFields reads within the caller's
// transaction, so any thread may call it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace rapport::records {

// The record types that take custom fields: their tables.
inline constexpr std::string_view kCustomFieldTables[] = {"accounts", "contacts", "opportunities",
                                                          "activities", "cases"};

// The kinds of value a custom field holds, as the API names them.
inline constexpr std::string_view kCustomFieldTypes[] = {
    "text",            // a line of text (max_length, default 255)
    "long_text",       // several lines (max_length, default 32,000)
    "number",          // a number, whole or decimal (min_value, max_value)
    "money",           // minor units (pence), in the company's currency (min_value, max_value)
    "date",            // YYYY-MM-DD
    "checkbox",        // true or false
    "picklist",        // one option's value
    "multi_picklist",  // several options' values
    "user",            // a user's id
    "account",         // an account's id (in the writer's reach)
};

struct CustomFieldOption {
  std::string value;  // what records hold; never changes
  std::string label;  // what people see; may be renamed
  bool retired = false;
};

struct CustomField {
  std::int64_t id = 0;
  std::string key;    // "po_number": the name in the API's `custom` object
  std::string label;  // "PO number": the name people and files use
  std::string type;   // one of kCustomFieldTypes
  bool required = false;
  std::optional<std::int64_t> max_length;
  std::optional<std::int64_t> min_value, max_value;
  std::string help;
  std::vector<CustomFieldOption> options;  // pick lists, in their order

  // The longest text the field takes (text and long_text).
  std::int64_t MaxLength() const;
  // The option of `value`, or nullptr.
  const CustomFieldOption* Option(std::string_view value) const;
};

// Whether `table` takes custom fields.
bool TakesCustomFields(std::string_view table);

// Whether `key` may name a custom field: a lower-case letter, then lower-case letters, digits
// and underscores, 40 at most.
bool IsCustomFieldKey(std::string_view key);

// A key made from a label: "PO Number (SAP)" -> "po_number_sap"; "" when the label has no letter
// or digit ("field" is prefixed when it starts with a digit).
std::string CustomFieldKeyOf(std::string_view label);

// The fields of `table` in use (not archived), in their order (position, then id), with their
// options.
Result<std::vector<CustomField>> LoadCustomFields(db::Transaction& tx, std::string_view table);

// The field of `key` among `fields`, or nullptr.
const CustomField* FindCustomField(std::span<const CustomField> fields, std::string_view key);

}  // namespace rapport::records
