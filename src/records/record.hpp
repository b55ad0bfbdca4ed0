// A record type declared once: its table, and for each field its type, limits, enumeration,
// reference, whether callers may set, filter or sort by it, and what files call it. The API's
// parsing and OpenAPI schema (api::FieldsOf), the import's and export's columns
// (imports::FieldsOf) and the tests that hold the schema's CHECKs to it all read this one
// declaration, so they cannot disagree. Immutable once built; safe to read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/database.hpp"

namespace rapport::records {

enum class Type {
  kText,
  kEmail,
  kInteger,
  kMoney,    // minor units (pence); files write "1,234.50"
  kPercent,  // a whole number 0..100; files may write "40%"
  kBoolean,
  kDate,     // "YYYY-MM-DD"
  kInstant,  // ISO 8601 UTC
  kEnum,
  kReference,  // the id of a row of `references`
  kCurrency,   // ISO 4217
  kCountry,    // ISO 3166-1 alpha-2 ("GB"); files may write its name (see countries.hpp)
};

struct Field {
  std::string column;  // "owner_id", "potential_value_minor"
  Type type = Type::kText;
  bool required = false;  // a new record needs it
  bool writable = true;   // callers set it; false: the system does
  bool in_api = true;     // the API shows and takes it
  bool nullable = true;
  bool filterable = false;               // lists filter by it
  bool sortable = false;                 // lists sort by it (NOT NULL columns only)
  std::size_t max_length = 200;          // kText, in characters
  std::vector<std::string_view> values;  // kEnum
  std::string references;                // kReference: the table
  std::optional<std::int64_t> min, max;  // kInteger, kMoney
  std::string description;

  // In files (imports and exports).
  bool in_files = true;
  std::string file_name;                  // what a file's column is called; "" for `column`
  std::vector<std::string> file_aliases;  // other CRMs' header names, normalised
  std::vector<std::pair<std::string, std::string>> value_aliases;  // kEnum: normalised -> value
  db::Value file_default;  // a new record's value when a file gives none
  // Whether a file's row needs it: by default, when it is required and has no file_default. The
  // API may default what a file must say (an opportunity's owner: the caller).
  std::optional<bool> file_required;

  // The name a file uses for this field.
  const std::string& FileName() const { return file_name.empty() ? column : file_name; }
  // Whether a file's row must give it.
  bool RequiredInFiles() const {
    return file_required.value_or(required && std::holds_alternative<std::monostate>(file_default));
  }
};

struct Record {
  std::string table;     // "accounts"
  std::string singular;  // "account"
  std::vector<Field> fields;

  // The field of `column`, or nullptr.
  const Field* Find(std::string_view column) const;
  // The longest text `column` takes. REQUIRES: the record declares `column` (else logic_error).
  std::size_t MaxLength(std::string_view column) const;
};

// Every declared record type: accounts, contacts, opportunities, activities, tasks, cases,
// purchases, call plans, success plans, milestones, trials and opportunities' line items.
const std::vector<const Record*>& AllRecords();

// The enumeration `values` as a field's values.
std::vector<std::string_view> ValuesOf(std::span<const std::string_view> values);

// A required, filterable reference: `column` names a row of `table` ("account_id", "accounts").
Field RequiredReference(std::string column, std::string table);

// An external_id field (the upsert key in files), called by other CRMs' names `aliases`.
Field ExternalId(std::vector<std::string> aliases);

}  // namespace rapport::records
