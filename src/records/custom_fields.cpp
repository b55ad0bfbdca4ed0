#include "records/custom_fields.hpp"

#include <algorithm>

namespace rapport::records {

std::int64_t CustomField::MaxLength() const {
  if (max_length) return *max_length;
  return type == "long_text" ? 32000 : 255;
}

const CustomFieldOption* CustomField::Option(std::string_view value) const {
  for (const auto& option : options) {
    if (option.value == value) return &option;
  }
  return nullptr;
}

bool TakesCustomFields(std::string_view table) {
  return std::find(std::begin(kCustomFieldTables), std::end(kCustomFieldTables), table) !=
         std::end(kCustomFieldTables);
}

bool IsCustomFieldKey(std::string_view key) {
  if (key.empty() || key.size() > 40 || key[0] < 'a' || key[0] > 'z') return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string CustomFieldKeyOf(std::string_view label) {
  std::string key;
  bool gap = false;
  for (char c : label) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!word) {
      gap = !key.empty();
      continue;
    }
    if (gap) key += '_';
    gap = false;
    key += c;
  }
  if (!key.empty() && key[0] >= '0' && key[0] <= '9') key = "field_" + key;
  if (key.size() > 40) key.resize(40);
  while (!key.empty() && key.back() == '_') key.pop_back();
  return key;
}

Result<std::vector<CustomField>> LoadCustomFields(db::Transaction& tx, std::string_view table) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT f.id, f.key, f.label, f.type, f.required, f.max_length, f.min_value, "
               "f.max_value, f.help, o.value AS option_value, o.label AS option_label, "
               "o.retired AS option_retired FROM custom_fields f "
               "LEFT JOIN custom_field_options o ON o.field_id = f.id "
               "WHERE f.record_type = ? AND f.archived_at IS NULL "
               "ORDER BY f.position, f.id, o.position, o.id",
               {std::string(table)}));
  std::vector<CustomField> fields;
  for (const db::Row& row : rows) {
    if (fields.empty() || fields.back().id != row.Int("id")) {
      CustomField f;
      f.id = row.Int("id");
      f.key = row.Text("key");
      f.label = row.Text("label");
      f.type = row.Text("type");
      f.required = row.Bool("required");
      f.max_length = row.OptInt("max_length");
      f.min_value = row.OptInt("min_value");
      f.max_value = row.OptInt("max_value");
      f.help = row.OptText("help").value_or("");
      fields.push_back(std::move(f));
    }
    if (!row.IsNull("option_value")) {
      fields.back().options.push_back(
          {row.Text("option_value"), row.Text("option_label"), row.Bool("option_retired")});
    }
  }
  return fields;
}

const CustomField* FindCustomField(std::span<const CustomField> fields, std::string_view key) {
  for (const auto& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

}  // namespace rapport::records
