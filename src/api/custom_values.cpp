#include "api/custom_values.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "api/access.hpp"
#include "api/http.hpp"
#include "audit/audit_log.hpp"
#include "core/clock.hpp"
#include "core/validation.hpp"
#include "db/dialect.hpp"

namespace rapport::api {
namespace {

using Kind = JsonValue::Kind;
using records::CustomField;

// A JSON value as text (the values custom fields hold: scalars and arrays of strings).
void Write(JsonWriter& w, const JsonValue& v) {
  switch (v.kind) {
    case Kind::kNull:
      w.Null();
      break;
    case Kind::kBool:
      w.Bool(v.boolean);
      break;
    case Kind::kInt:
      w.Int(v.integer);
      break;
    case Kind::kDouble:
      w.Double(v.number);
      break;
    case Kind::kString:
      w.String(v.text);
      break;
    case Kind::kArray:
      w.StartArray();
      for (const auto& item : v.items) Write(w, item);
      w.EndArray();
      break;
    case Kind::kObject:
      w.StartObject();
      for (const auto& [key, item] : v.members) {
        w.Key(key);
        Write(w, item);
      }
      w.EndObject();
      break;
  }
}

std::string TextOf(const JsonValue& v) {
  JsonWriter w;
  Write(w, v);
  return w.Take();
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// The active options, for messages: 'gold', 'silver'.
std::string OptionList(const CustomField& f) {
  std::string out;
  for (const auto& o : f.options) {
    if (!o.retired) out += (out.empty() ? "" : ", ") + Quoted(o.value);
  }
  return out;
}

// Whether `value` may be chosen: an option still offered, or one the record already holds.
Status CheckOption(const CustomField& f, const std::string& name, const std::string& value,
                   const JsonValue* held) {
  const auto* option = f.Option(value);
  if (option && !option->retired) return Ok();
  const bool kept = held && ((held->kind == Kind::kString && held->text == value) ||
                             (held->kind == Kind::kArray &&
                              std::any_of(held->items.begin(), held->items.end(),
                                          [&](const JsonValue& i) { return i.text == value; })));
  if (option && kept) return Ok();
  if (option)
    return Error::InvalidField(name,
                               Quoted(value) + " is retired; choose one of: " + OptionList(f));
  return Error::InvalidField(name,
                             Quoted(value) + " is not an option; choose one of: " + OptionList(f));
}

Status CheckRange(const CustomField& f, const std::string& name, double n) {
  if (f.min_value && n < static_cast<double>(*f.min_value)) {
    return Error::InvalidField(name, "must be at least " + std::to_string(*f.min_value));
  }
  if (f.max_value && n > static_cast<double>(*f.max_value)) {
    return Error::InvalidField(name, "must be at most " + std::to_string(*f.max_value));
  }
  return Ok();
}

Status Expect(const JsonValue& v, Kind kind, const std::string& name, const char* what) {
  if (v.kind == kind) return Ok();
  return Error::InvalidField(
      name, std::string("must be ") + what + ", not " + JsonValue::KindName(v.kind));
}

// Checks a non-null value `v` of field `f` (`held`: what the record holds, or nullptr).
Status CheckValue(db::Transaction& tx, const Caller& caller, const CustomField& f,
                  const std::string& name, const JsonValue& v, const JsonValue* held) {
  const std::string& t = f.type;
  if (t == "text" || t == "long_text") {
    RAPPORT_RETURN_IF_ERROR(Expect(v, Kind::kString, name, "a string"));
    if (Utf8Characters(v.text) > static_cast<size_t>(f.MaxLength())) {
      return Error::InvalidField(name,
                                 "is longer than " + std::to_string(f.MaxLength()) + " characters");
    }
    if (t == "text" && v.text.find('\n') != std::string::npos) {
      return Error::InvalidField(name, "must be one line");
    }
    return Ok();
  }
  if (t == "number") {
    if (v.kind != Kind::kInt && v.kind != Kind::kDouble) {
      return Error::InvalidField(
          name, std::string("must be a number, not ") + JsonValue::KindName(v.kind));
    }
    return CheckRange(f, name, v.kind == Kind::kInt ? static_cast<double>(v.integer) : v.number);
  }
  if (t == "money") {
    RAPPORT_RETURN_IF_ERROR(
        Expect(v, Kind::kInt, name, "a whole number of minor units (pence: 1250 for 12.50)"));
    return CheckRange(f, name, static_cast<double>(v.integer));
  }
  if (t == "date") {
    RAPPORT_RETURN_IF_ERROR(Expect(v, Kind::kString, name, "a date (YYYY-MM-DD)"));
    std::int64_t days;
    if (!ParseDate(v.text, days)) {
      return Error::InvalidField(name, Quoted(v.text) + " is not a date (YYYY-MM-DD)");
    }
    return Ok();
  }
  if (t == "checkbox") return Expect(v, Kind::kBool, name, "true or false");
  if (t == "picklist") {
    RAPPORT_RETURN_IF_ERROR(Expect(v, Kind::kString, name, "a string"));
    return CheckOption(f, name, v.text, held);
  }
  if (t == "multi_picklist") {
    RAPPORT_RETURN_IF_ERROR(Expect(v, Kind::kArray, name, "an array of strings"));
    std::set<std::string_view> seen;
    for (const auto& item : v.items) {
      RAPPORT_RETURN_IF_ERROR(Expect(item, Kind::kString, name, "an array of strings"));
      if (!seen.insert(item.text).second) {
        return Error::InvalidField(name, Quoted(item.text) + " is given twice");
      }
      RAPPORT_RETURN_IF_ERROR(CheckOption(f, name, item.text, held));
    }
    return Ok();
  }
  if (t == "user" || t == "account") {
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, ParseId(v.kind == Kind::kString ? v.text : "", name));
    if (t == "account" && !caller.all_accounts) return CheckAccountInReach(tx, caller, id, name);
    return audit::CheckReference(tx, t == "user" ? "users" : "accounts", id, name);
  }
  return Error(ErrorCode::kInternal, "unknown custom field type " + t);
}

}  // namespace

Result<CustomWrite> ParseCustomValues(db::Transaction& tx, const Caller& caller,
                                      std::span<const CustomField> fields, const JsonValue* custom,
                                      const std::optional<std::string>& stored, bool creating,
                                      std::string_view singular) {
  JsonValue held;  // what the record holds, an object
  held.kind = Kind::kObject;
  if (stored && !stored->empty()) {
    RAPPORT_ASSIGN_OR_RETURN(held, ParseJson(*stored));
  }
  std::vector<FieldError> problems;
  if (custom && custom->kind != Kind::kObject && custom->kind != Kind::kNull) {
    problems.push_back({"custom", "must be an object of custom field values"});
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> given;
  std::set<std::string_view> seen;
  if (custom && custom->kind == Kind::kObject) {
    for (const auto& [key, value] : custom->members) {
      const std::string name = "custom." + key;
      if (!seen.insert(key).second) {
        problems.push_back({name, "appears more than once"});
        continue;
      }
      const CustomField* f = records::FindCustomField(fields, key);
      if (!f) {
        problems.push_back({name, "is not a custom field of " + std::string(singular)});
        continue;
      }
      if (value.kind == Kind::kNull) {
        if (f->required) {
          problems.push_back({name, "is required"});
        } else {
          given.emplace_back(key, std::nullopt);
        }
        continue;
      }
      Status ok = CheckValue(tx, caller, *f, name, value, held.Find(key));
      if (!ok.ok()) {
        if (ok.error().fields().empty()) return ok.error();
        for (const auto& fe : ok.error().fields()) problems.push_back(fe);
        continue;
      }
      given.emplace_back(key, TextOf(value));
    }
  }
  if (creating) {
    for (const auto& f : fields) {
      if (f.required && !seen.contains(f.key))
        problems.push_back({"custom." + f.key, "is required"});
    }
  }
  if (!problems.empty()) {
    std::string summary;
    for (const auto& p : problems)
      summary += (summary.empty() ? "" : "; ") + p.field + ": " + p.message;
    return Error(ErrorCode::kInvalidArgument, summary, std::move(problems));
  }
  return MergeCustomValues(stored, given);
}

Result<CustomWrite> MergeCustomValues(
    const std::optional<std::string>& stored,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& given) {
  // The record's values as JSON texts, in the order it holds them.
  std::vector<std::pair<std::string, std::string>> before;
  if (stored && !stored->empty()) {
    RAPPORT_ASSIGN_OR_RETURN(JsonValue held, ParseJson(*stored));
    if (held.kind != Kind::kObject) {
      return Error(ErrorCode::kMalformed, "custom field values are not a JSON object");
    }
    for (const auto& [key, value] : held.members) before.emplace_back(key, TextOf(value));
  }
  auto after = before;
  for (const auto& [key, value] : given) {
    auto it =
        std::find_if(after.begin(), after.end(), [&](const auto& m) { return m.first == key; });
    if (!value) {
      if (it != after.end()) after.erase(it);
    } else if (it != after.end()) {
      it->second = *value;
    } else {
      after.emplace_back(key, *value);
    }
  }
  CustomWrite out;
  auto find = [](const auto& values, const std::string& key) -> const std::string* {
    for (const auto& [k, v] : values) {
      if (k == key) return &v;
    }
    return nullptr;
  };
  // What changes, key by key: those it holds after, then those cleared.
  for (const auto& [key, value] : after) {
    const std::string* old = find(before, key);
    if (!old || *old != value) {
      out.changes.push_back({key, old ? std::optional<std::string>(*old) : std::nullopt, value});
    }
  }
  for (const auto& [key, value] : before) {
    if (!find(after, key)) out.changes.push_back({key, value, std::nullopt});
  }
  if (!after.empty()) {
    std::string json = "{";
    for (const auto& [key, value] : after) {
      if (json.size() > 1) json += ",";
      JsonWriter name;
      name.String(key);
      json += name.Take() + ":" + value;
    }
    out.json = json + "}";
  }
  return out;
}

Status WriteCustomChanges(db::Transaction& tx, std::string_view table, const audit::Actor& actor,
                          std::int64_t id, const CustomWrite& write, bool bump_version) {
  db::Params params{write.json ? db::Value(*write.json) : db::Null()};
  if (bump_version) params.push_back(actor.at);
  params.push_back(id);
  RAPPORT_RETURN_IF_ERROR(tx.Execute(
      "UPDATE " + std::string(table) + " SET custom = ?" +
          (bump_version ? ", updated_at = ?, version = version + 1" : "") + " WHERE id = ?",
      params));
  for (const auto& change : write.changes) {
    RAPPORT_RETURN_IF_ERROR(audit::RecordFieldChange(tx, actor, table, id, "custom." + change.key,
                                                     change.before, change.after));
  }
  return Ok();
}

Result<std::string> CustomSortExpression(db::Backend backend, std::span<const CustomField> fields,
                                         std::string_view column, const std::string& param) {
  const std::string key = param.substr(std::string_view("custom.").size());
  const CustomField* f = records::FindCustomField(fields, key);
  // The key is written into the SQL (db::JsonMember): only a key the API would have made.
  if (f && !records::IsCustomFieldKey(f->key)) {
    return Error(ErrorCode::kInternal, "custom field key '" + f->key + "' is malformed");
  }
  const std::string& t = f ? f->type : std::string();
  if (t == "number" || t == "money") {
    return "coalesce(" + db::JsonMember(backend, column, f->key, db::JsonMemberKind::kNumber) +
           ", -1e300)";
  }
  if (t == "checkbox") {
    return "coalesce(" + db::JsonMember(backend, column, f->key, db::JsonMemberKind::kBoolean) +
           ", 0)";
  }
  if (t == "text" || t == "date" || t == "picklist") {
    return "coalesce(" + db::JsonMember(backend, column, f->key, db::JsonMemberKind::kText) +
           ", '')";
  }
  return Error::InvalidField(
      "sort", "cannot sort by '" + param + "': " +
                  (f ? "a " + t + " custom field does not sort"
                     : "there is no custom field '" + key + "'") +
                  " (custom text, number, money, date, checkbox and picklist fields sort)");
}

Status AddCustomFilter(db::Backend backend, std::span<const CustomField> fields,
                       std::string_view column, const std::string& param, const std::string& text,
                       std::string& where, db::Params& params) {
  std::string key = param.substr(std::string_view("custom.").size());
  std::string op = " = ?";
  const CustomField* f = records::FindCustomField(fields, key);
  if (!f && key.ends_with("_from")) {
    key.resize(key.size() - 5);
    op = " >= ?";
  } else if (!f && key.ends_with("_to")) {
    key.resize(key.size() - 3);
    op = " < ?";
  }
  f = records::FindCustomField(fields, key);
  // The key is written into the SQL (db::JsonMember): only a key the API would have made.
  if (f && !records::IsCustomFieldKey(f->key)) {
    return Error(ErrorCode::kInternal, "custom field key '" + f->key + "' is malformed");
  }
  const bool range = op != " = ?";
  const bool ordered = f && (f->type == "date" || f->type == "number" || f->type == "money");
  if (!f || (range && !ordered) || f->type == "long_text") {
    return Error::InvalidField(param, "is not a filter of this list: no custom field '" + key +
                                          "' to filter by" +
                                          (range ? " with _from / _to (dates and numbers)" : ""));
  }
  const auto member = [&](db::JsonMemberKind kind) {
    return db::JsonMember(backend, column, f->key, kind);
  };
  const std::string& t = f->type;
  if (t == "number" || t == "money") {
    double n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      return Error::InvalidField(param, Quoted(text) + " is not a number");
    }
    where += " AND " + member(db::JsonMemberKind::kNumber) + op;
    if (n == static_cast<double>(static_cast<std::int64_t>(n))) {
      params.push_back(static_cast<std::int64_t>(n));
    } else {
      params.push_back(n);
    }
    return Ok();
  }
  if (t == "checkbox") {
    if (text != "true" && text != "false")
      return Error::InvalidField(param, "must be true or false");
    where += " AND " + member(db::JsonMemberKind::kBoolean) + " = ?";
    params.push_back(std::int64_t{text == "true" ? 1 : 0});
    return Ok();
  }
  if (t == "date") {
    std::int64_t days;
    if (!ParseDate(text, days)) {
      return Error::InvalidField(param, Quoted(text) + " is not a date (YYYY-MM-DD)");
    }
  } else if ((t == "picklist" || t == "multi_picklist") && !f->Option(text)) {
    return Error::InvalidField(
        param, Quoted(text) + " is not an option; choose one of: " + OptionList(*f));
  } else if (t == "user" || t == "account") {
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, ParseId(text, param));
    (void)id;
  }
  if (t == "multi_picklist") {
    where += " AND " + db::JsonArrayHas(backend, column, f->key);
  } else {
    where += " AND " + member(db::JsonMemberKind::kText) + op;
  }
  params.push_back(text);
  return Ok();
}

std::string CustomValuesSchema(std::span<const CustomField> fields) {
  JsonWriter w;
  w.StartObject().Key("type").String("object");
  w.Key("description").String("The company's custom fields (GET /api/v1/custom-fields), by key");
  w.Key("properties").StartObject();
  for (const auto& f : fields) {
    w.Key(f.key).StartObject();
    const std::string& t = f.type;
    const char* type = "string";
    if (t == "number") type = "number";
    if (t == "money") type = "integer";
    if (t == "checkbox") type = "boolean";
    if (t == "multi_picklist") type = "array";
    w.Key("type").StartArray().String(type).String("null").EndArray();
    w.Key("title").String(f.label);
    if (!f.help.empty()) w.Key("description").String(f.help);
    if (t == "text" || t == "long_text") w.Key("maxLength").Int(f.MaxLength());
    if (t == "date") w.Key("format").String("date");
    if ((t == "number" || t == "money") && f.min_value) w.Key("minimum").Int(*f.min_value);
    if ((t == "number" || t == "money") && f.max_value) w.Key("maximum").Int(*f.max_value);
    if (t == "picklist" || t == "multi_picklist") {
      if (t == "multi_picklist") w.Key("items").StartObject().Key("type").String("string");
      w.Key("enum").StartArray();
      for (const auto& o : f.options) w.String(o.value);
      if (t == "picklist") w.Null();
      w.EndArray();
      if (t == "multi_picklist") w.EndObject();
    }
    w.EndObject();
  }
  w.EndObject().EndObject();
  return w.Take();
}

std::string CustomFieldsSchemaName(std::string_view table) {
  std::string name = "CustomFieldsOf";
  name += static_cast<char>(table[0] - 'a' + 'A');
  name.append(table.substr(1));
  return name;
}

Result<CustomFieldsByTable> LoadCustomFieldsByTable(db::Database& database) {
  CustomFieldsByTable out;
  RAPPORT_RETURN_IF_ERROR(database.Read([&](db::Transaction& tx) -> Status {
    for (std::string_view table : records::kCustomFieldTables) {
      RAPPORT_ASSIGN_OR_RETURN(auto fields, records::LoadCustomFields(tx, table));
      out.emplace_back(std::string(table), std::move(fields));
    }
    return Ok();
  }));
  return out;
}

}  // namespace rapport::api
