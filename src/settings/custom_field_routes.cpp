#include "settings/custom_field_routes.hpp"

#include <set>

#include "records/custom_fields.hpp"

namespace rapport::settings {
namespace {

using api::FieldType;

constexpr size_t kMaxOptions = 500;

const char kOptionsSchema[] =
    R"({"type":"array","description":"a pick list's options in order: value (what records hold, never changes; the label when not given), label (may be renamed), retired (no longer offered; records keep it). Options left out are retired.","items":{"type":"object","properties":{"value":{"type":"string","maxLength":100},"label":{"type":"string","maxLength":100},"retired":{"type":"boolean"}},"required":["label"],"additionalProperties":false}})";

bool IsPickList(std::string_view type) { return type == "picklist" || type == "multi_picklist"; }

// A field's record type, key and type as they were (PATCH) or are about to be (create).
Status CheckDefinition(api::WriteContext& w) {
  if (!w.creating) {
    // Columns of `before`: id, then the spec's fields in order.
    const char* fixed[] = {"record_type", "key", "type"};
    for (size_t i = 0; i < 3; ++i) {
      const db::Value* given = w.Written(fixed[i]);
      if (given && std::get<std::string>(*given) != w.before->Text(i + 1)) {
        return Error::InvalidField(
            fixed[i], "cannot change once the field is made; retire it and add another");
      }
    }
  } else {
    const db::Value* key = w.Written("key");
    if (!key) {
      const std::string made = records::CustomFieldKeyOf(std::get<std::string>(w.After("label")));
      if (made.empty())
        return Error::InvalidField("key", "is required when the label has no letter");
      w.Set("key", made);
    }
    const std::string k = std::get<std::string>(w.After("key"));
    if (!records::IsCustomFieldKey(k)) {
      return Error::InvalidField("key",
                                 "must start with a lower-case letter and hold only lower-case "
                                 "letters, digits and underscores (40 at most), such as po_number");
    }
    RAPPORT_ASSIGN_OR_RETURN(
        auto taken, w.tx.QueryOne("SELECT 1 FROM custom_fields WHERE record_type = ? AND key = ?",
                                  {w.After("record_type"), k}));
    if (taken) {
      return Error(ErrorCode::kAlreadyExists, "a custom field with this key exists",
                   {FieldError{"key", "'" + k + "' is already a field of these records"}});
    }
  }
  const db::Value min = w.After("min_value"), max = w.After("max_value");
  if (std::holds_alternative<std::int64_t>(min) && std::holds_alternative<std::int64_t>(max) &&
      std::get<std::int64_t>(min) > std::get<std::int64_t>(max)) {
    return Error::InvalidField("min_value", "must not be more than max_value");
  }
  return Ok();
}

// after_write: the body's `options` (a pick list's), each upserted by value; those it leaves out
// are retired, never deleted, so records that hold them keep their label.
Status WriteOptions(db::Transaction& tx, std::int64_t id, const api::JsonValue& body,
                    bool creating) {
  using Kind = api::JsonValue::Kind;
  RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> field,
                           tx.QueryOne("SELECT type FROM custom_fields WHERE id = ?", {id}));
  const std::string type = field ? field->Text("type") : "";
  const api::JsonValue* options = body.Find("options");
  if (options && options->kind != Kind::kNull) {
    if (!IsPickList(type)) return Error::InvalidField("options", "only pick lists have options");
    if (options->kind != Kind::kArray) return Error::InvalidField("options", "must be an array");
    if (options->items.size() > kMaxOptions) {
      return Error::InvalidField("options", "has more than " + std::to_string(kMaxOptions));
    }
    std::set<std::string> given;
    for (size_t i = 0; i < options->items.size(); ++i) {
      const api::JsonValue& o = options->items[i];
      const std::string at = "options[" + std::to_string(i) + "]";
      if (o.kind != Kind::kObject) return Error::InvalidField(at, "must be an object");
      std::string value, label;
      bool retired = false;
      for (const auto& [key, v] : o.members) {
        if (key == "value" || key == "label") {
          if (v.kind != Kind::kString || v.text.empty() || v.text.size() > 100) {
            return Error::InvalidField(at + "." + key, "must be text of 1 to 100 characters");
          }
          (key == "value" ? value : label) = v.text;
        } else if (key == "retired") {
          if (v.kind != Kind::kBool)
            return Error::InvalidField(at + ".retired", "must be true or false");
          retired = v.boolean;
        } else {
          return Error::InvalidField(at + "." + key, "is not a field of an option");
        }
      }
      if (label.empty()) return Error::InvalidField(at + ".label", "is required");
      if (value.empty()) value = label;
      if (!given.insert(value).second) {
        return Error::InvalidField(at + ".value", "'" + value + "' is given twice");
      }
      const std::int64_t position = static_cast<std::int64_t>(i);
      const std::int64_t retired_flag = retired ? 1 : 0;
      RAPPORT_ASSIGN_OR_RETURN(
          auto existing,
          tx.QueryOne("SELECT id FROM custom_field_options WHERE field_id = ? AND value = ?",
                      {id, value}));
      if (existing) {
        RAPPORT_RETURN_IF_ERROR(tx.Execute(
            "UPDATE custom_field_options SET label = ?, position = ?, retired = ? WHERE id = ?",
            {label, position, retired_flag, existing->Int("id")}));
      } else {
        RAPPORT_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO custom_field_options (field_id, value, label, position, "
                       "retired) VALUES (?, ?, ?, ?, ?)",
                       {id, value, label, position, retired_flag}));
      }
    }
    // Those left out are retired, and follow the given ones in their order.
    RAPPORT_ASSIGN_OR_RETURN(db::Rows stored, tx.Query("SELECT id, value FROM custom_field_options "
                                                       "WHERE field_id = ? ORDER BY position, id",
                                                       {id}));
    std::int64_t position = static_cast<std::int64_t>(options->items.size());
    for (const db::Row& row : stored) {
      if (!given.contains(row.Text("value"))) {
        RAPPORT_RETURN_IF_ERROR(
            tx.Execute("UPDATE custom_field_options SET retired = 1, position = ? WHERE id = ?",
                       {position++, row.Int("id")}));
      }
    }
  }
  if (IsPickList(type) && (creating || options)) {
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t offered,
        tx.QueryInt("SELECT count(*) FROM custom_field_options WHERE field_id = ? AND retired = 0",
                    {id}));
    if (offered == 0) return Error::InvalidField("options", "a pick list needs an option to offer");
  }
  return Ok();
}

Status WriteOptionsJson(db::Transaction& tx, std::int64_t id, api::JsonWriter& w) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query("SELECT value, label, retired FROM "
                                                   "custom_field_options WHERE field_id = ? "
                                                   "ORDER BY position, id",
                                                   {id}));
  w.Key("options").StartArray();
  for (const db::Row& row : rows) {
    w.StartObject()
        .Key("value")
        .String(row.Text("value"))
        .Key("label")
        .String(row.Text("label"))
        .Key("retired")
        .Bool(row.Bool("retired"))
        .EndObject();
  }
  w.EndArray();
  return Ok();
}

api::ResourceSpec CustomFieldSpec() {
  api::ResourceSpec s;
  s.plural = "custom_fields";
  s.path = "custom-fields";
  s.singular = "custom field";
  s.tag = "Settings";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kArchive;
  s.fields = {
      {.name = "record_type",
       .type = FieldType::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .values = {std::begin(records::kCustomFieldTables), std::end(records::kCustomFieldTables)},
       .description = "the records that have the field"},
      {.name = "key",
       .nullable = false,
       .max_length = 40,
       .description = "its name in a record's `custom` object (po_number); made from the label "
                      "when not given; fixed once made"},
      {.name = "label", .required = true, .nullable = false, .max_length = 100},
      {.name = "type",
       .type = FieldType::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .values = {std::begin(records::kCustomFieldTypes), std::end(records::kCustomFieldTypes)},
       .description = "fixed once made"},
      {.name = "required",
       .type = FieldType::kBoolean,
       .nullable = false,
       .description = "a new record must give it"},
      {.name = "max_length",
       .type = FieldType::kInteger,
       .min = 1,
       .max = 100000,
       .description = "text: the most characters (255, long text 32,000, when not given)"},
      {.name = "min_value", .type = FieldType::kInteger, .description = "numbers and money"},
      {.name = "max_value", .type = FieldType::kInteger, .description = "numbers and money"},
      {.name = "help", .max_length = 500, .description = "shown beside the field in forms"},
      {.name = "position",
       .type = FieldType::kInteger,
       .nullable = false,
       .sortable = true,
       .min = 0,
       .max = 10000,
       .description = "forms show fields by position"},
  };
  s.extra_body_fields = {{"options", kOptionsSchema}};
  s.before_write = &CheckDefinition;
  s.after_write = [](db::Transaction& tx, const api::Caller&, Instant, std::int64_t id,
                     const api::JsonValue& body,
                     bool creating) { return WriteOptions(tx, id, body, creating); };
  s.extra_json = &WriteOptionsJson;
  return s;
}

}  // namespace

void RegisterCustomFieldRoutes(api::Router& router, api::ApiContext& context) {
  api::RegisterResource(router, context, CustomFieldSpec());
}

}  // namespace rapport::settings
