#include "api/resource.hpp"

#include <atomic>
#include <cctype>
#include <charconv>
#include <set>

#include "api/access.hpp"
#include "api/custom_values.hpp"
#include "api/text_filter.hpp"
#include "core/validation.hpp"
#include "records/countries.hpp"

namespace rapport::api {
namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;

// Tables whose rows belong to an account (reach follows the account).
bool IsAccountScoped(std::string_view table) {
  return table == "contacts" || table == "opportunities" || table == "activities" ||
         table == "purchases" || table == "tasks" || table == "success_plans" ||
         table == "milestones" || table == "cases" || table == "trials";
}

bool IsTimeType(FieldType t) { return t == FieldType::kDate || t == FieldType::kInstant; }

std::string Hex(std::string_view text) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : text) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

bool Unhex(std::string_view hex, std::string& out) {
  if (hex.size() % 2) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (ec != std::errc() || end != hex.data() + i + 2) return false;
    out += static_cast<char>(v);
  }
  return true;
}

std::string BuildColumns(const ResourceSpec& spec) {
  std::string out = "t.id";
  for (const auto& f : spec.fields) out += ", t." + f.name;
  if (spec.timestamps) out += ", t.created_at, t.updated_at, t.version";
  if (spec.custom_fields) out += ", t.custom";
  return out;
}

// Where the custom column is in a row of Columns(spec) (the last).
size_t CustomColumn(const ResourceSpec& spec) {
  return spec.fields.size() + 1 + (spec.timestamps ? 3 : 0);
}

// The select list, built once when the spec is registered.
const std::string& Columns(const ResourceSpec& spec) { return spec.select_columns; }

std::string ReachCondition(const ResourceSpec& spec, const Caller& caller) {
  return RecordReachCondition(spec.scope, caller);
}

// How many territories there are, looked up at most once a minute (they change rarely).
std::int64_t TerritoryCount(ApiContext& ctx) {
  static std::atomic<std::int64_t> count{-1};
  static std::atomic<Instant> checked_at{0};
  const Instant now = ctx.clock.Now();
  if (count.load() < 0 || now - checked_at.load() > 60 * kMicrosPerSecond) {
    std::int64_t n = -1;
    const Status s = ctx.database.Read([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(n, tx.QueryInt("SELECT count(*) FROM territories"));
      return Ok();
    });
    if (s.ok()) {
      count = n;
      checked_at = now;
    }
  }
  return count.load();
}

// The reach of a list. Someone whose territories are a small part of the company's reaches
// accounts scattered thinly through the table: their list is driven from the set of those
// accounts (measured at 1M accounts, a rep's list by name: 30 ms -> 4.6 ms a request). Where
// the reach is a good share of the accounts (a small company, managers), walking the sort index
// until a page is found is cheaper (2,000 accounts: 0.21 ms against 0.44 ms).
bool SmallReach(ApiContext& ctx, const ResourceSpec& spec, const Caller& caller) {
  if (spec.scope == Scope::kReference || caller.all_accounts || IsManager(caller)) return false;
  const std::int64_t territories = TerritoryCount(ctx);
  return territories >= 0 &&
         static_cast<std::int64_t>(caller.territory_ids.size()) * 20 < territories;
}

std::string ListReachCondition(ApiContext& ctx, const ResourceSpec& spec, const Caller& caller) {
  if (!SmallReach(ctx, spec, caller)) return ReachCondition(spec, caller);
  const std::string set = AccountReachSet(caller);
  if (spec.scope == Scope::kAccount) return "t.id IN (" + set + ")";
  if (spec.scope == Scope::kTask) {
    return "(t.owner_id = " + std::to_string(caller.user_id) + " OR t.account_id IN (" + set + "))";
  }
  return "t.account_id IN (" + set + ")";
}

const FieldSpec* FindField(const ResourceSpec& spec, std::string_view name) {
  for (const auto& f : spec.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

void WriteField(JsonWriter& w, const FieldSpec& f, const db::Row& row, size_t i) {
  w.Key(f.name);
  if (row.IsNull(i)) {
    w.Null();
    return;
  }
  switch (f.type) {
    case FieldType::kReference:
      w.String(FormatId(row.Int(i)));
      break;
    case FieldType::kInteger:
      w.Int(row.Int(i));
      break;
    case FieldType::kBoolean:
      w.Bool(row.Int(i) != 0);
      break;
    case FieldType::kInstant:
      w.String(FormatInstant(row.Int(i)));
      break;
    default:
      w.String(row.Text(i));
  }
}

// `extra`: the record's extra_json_many fields when the caller read them for a whole page.
Status WriteRecord(db::Transaction& tx, const ResourceSpec& spec, const db::Row& row, JsonWriter& w,
                   const ResourceSpec::ExtraFields* extra = nullptr) {
  w.StartObject();
  w.Key("id").String(FormatId(row.Int(0)));
  for (size_t i = 0; i < spec.fields.size(); ++i) WriteField(w, spec.fields[i], row, i + 1);
  if (spec.timestamps) {
    const size_t base = spec.fields.size() + 1;
    w.Key("created_at").String(FormatInstant(row.Int(base)));
    w.Key("updated_at").String(FormatInstant(row.Int(base + 1)));
    w.Key("version").Int(row.Int(base + 2));
  }
  if (spec.custom_fields) {
    const size_t i = CustomColumn(spec);
    w.Key("custom");
    if (row.IsNull(i)) {
      w.StartObject().EndObject();
    } else {
      w.Raw(row.Text(i));  // written by ParseCustomValues
    }
  }
  if (spec.extra_json) RAPPORT_RETURN_IF_ERROR(spec.extra_json(tx, row.Int(0), w));
  if (spec.extra_json_many) {
    std::unordered_map<std::int64_t, ResourceSpec::ExtraFields> read;
    if (!extra) {
      RAPPORT_ASSIGN_OR_RETURN(read, spec.extra_json_many(tx, {row.Int(0)}));
      extra = &read[row.Int(0)];
    }
    for (const auto& [name, json] : *extra) w.Key(name).Raw(json);
  }
  w.EndObject();
  return Ok();
}

// A text field's value (string, email, enumeration, currency or country code).
Result<db::Value> TextFieldValue(const FieldSpec& f, const std::string& text,
                                 const std::string& name) {
  switch (f.type) {
    case FieldType::kEnum:
      RAPPORT_RETURN_IF_ERROR(CheckOneOf(name, text, f.values));
      return db::Value(text);
    case FieldType::kEmail:
      RAPPORT_RETURN_IF_ERROR(CheckEmail(name, text));
      return db::Value(Lowercase(text));
    case FieldType::kCurrency:
      if (!IsCurrencyCode(text)) {
        return Error::InvalidField(name, "must be a three-letter ISO 4217 code such as GBP");
      }
      return db::Value(text);
    case FieldType::kCountry:
      if (!records::IsCountryCode(text)) {
        return Error::InvalidField(name, "must be an ISO 3166-1 alpha-2 country code such as GB");
      }
      return db::Value(text);
    default:
      break;
  }
  if (f.required || !f.nullable) RAPPORT_RETURN_IF_ERROR(CheckRequired(name, text, f.max_length));
  if (text.size() > f.max_length) {
    return Error::InvalidField(name,
                               "is longer than " + std::to_string(f.max_length) + " characters");
  }
  return db::Value(text);
}

// A reference's id, when it names a record the caller may refer to.
Result<db::Value> ReferenceValue(db::Transaction& tx, const Caller& caller, const FieldSpec& f,
                                 const JsonValue& v, const std::string& name) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, ParseIdValue(v, name));
  if (f.references == "accounts" && !caller.all_accounts) {
    RAPPORT_RETURN_IF_ERROR(CheckAccountInReach(tx, caller, id, name));
  } else if (IsAccountScoped(f.references) && !caller.all_accounts) {
    // A contact or opportunity is referable only when its account is in reach.
    RAPPORT_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT 1 FROM " + f.references +
                                                       " r JOIN accounts a ON a.id = "
                                                       "r.account_id WHERE r.id = ? AND " +
                                                       AccountReachCondition(caller, "a"),
                                                   {id}));
    if (!row) return Error::InvalidField(name, "refers to no " + f.references + " " + FormatId(id));
  } else {
    RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, f.references, id, name));
  }
  return db::Value(id);
}

// Turns a JSON value into the column value for field f, or says what is wrong with it.
Result<db::Value> FieldValue(db::Transaction& tx, const Caller& caller, const FieldSpec& f,
                             const JsonValue& v, const std::string& path = "") {
  using Kind = JsonValue::Kind;
  const std::string name = path.empty() ? f.name : path + "." + f.name;
  if (v.kind == Kind::kNull) {
    if (!f.nullable) return Error::InvalidField(name, "must not be null");
    return db::Null();
  }
  auto expect = [&](Kind kind, const char* what) -> Status {
    if (v.kind != kind) {
      return Error::InvalidField(
          name, std::string("must be ") + what + ", not " + JsonValue::KindName(v.kind));
    }
    return Ok();
  };
  switch (f.type) {
    case FieldType::kString:
    case FieldType::kEmail:
    case FieldType::kEnum:
    case FieldType::kCurrency:
    case FieldType::kCountry:
      RAPPORT_RETURN_IF_ERROR(expect(Kind::kString, "a string"));
      return TextFieldValue(f, v.text, name);
    case FieldType::kInteger: {
      RAPPORT_RETURN_IF_ERROR(expect(Kind::kInt, "an integer"));
      if (f.min && v.integer < *f.min) {
        return Error::InvalidField(name, "must be at least " + std::to_string(*f.min));
      }
      if (f.max && v.integer > *f.max) {
        return Error::InvalidField(name, "must be at most " + std::to_string(*f.max));
      }
      return db::Value(v.integer);
    }
    case FieldType::kBoolean:
      RAPPORT_RETURN_IF_ERROR(expect(Kind::kBool, "true or false"));
      return db::Value(std::int64_t{v.boolean ? 1 : 0});
    case FieldType::kDate: {
      RAPPORT_RETURN_IF_ERROR(expect(Kind::kString, "a date (YYYY-MM-DD)"));
      std::int64_t days;
      if (!ParseDate(v.text, days)) {
        return Error::InvalidField(name, "'" + v.text + "' is not a date (YYYY-MM-DD)");
      }
      return db::Value(v.text);
    }
    case FieldType::kInstant: {
      RAPPORT_RETURN_IF_ERROR(expect(Kind::kString, "a UTC time (2026-11-28T14:00:00Z)"));
      Instant at;
      if (!ParseInstant(v.text, at)) {
        return Error::InvalidField(
            name, "'" + v.text + "' is not a UTC time such as 2026-11-28T14:00:00Z");
      }
      return db::Value(at);
    }
    case FieldType::kReference:
      return ReferenceValue(tx, caller, f, v, name);
  }
  return Error(ErrorCode::kInternal, "unknown field type");
}

// Reads the body's fields into column values; every problem is reported, each naming its field.
Result<audit::FieldValues> ParseBody(db::Transaction& tx, const Caller& caller,
                                     const ResourceSpec& spec, const JsonValue& body,
                                     bool creating) {
  if (body.kind != JsonValue::Kind::kObject) {
    return Error(ErrorCode::kInvalidArgument, "the body must be a JSON object",
                 {FieldError{"body", "must be a JSON object"}});
  }
  audit::FieldValues values;
  std::vector<FieldError> problems;
  std::set<std::string_view> seen;
  for (const auto& [key, value] : body.members) {
    if (!seen.insert(key).second) {
      problems.push_back({key, "appears more than once"});
      continue;
    }
    const FieldSpec* f = FindField(spec, key);
    const bool extra = std::any_of(spec.extra_body_fields.begin(), spec.extra_body_fields.end(),
                                   [&](const auto& e) { return e.first == key; }) ||
                       (spec.custom_fields && key == "custom");
    if (extra) continue;
    if (!f) {
      problems.push_back({key, "is not a field of " + spec.singular});
      continue;
    }
    if (!f->writable) {
      problems.push_back({key, "is read-only"});
      continue;
    }
    auto parsed = FieldValue(tx, caller, *f, value);
    if (!parsed.ok()) {
      for (const auto& fe : parsed.error().fields()) problems.push_back(fe);
      if (parsed.error().fields().empty()) return parsed.error();
      continue;
    }
    values.emplace_back(f->name, std::move(parsed).value());
  }
  if (creating) {
    for (const auto& f : spec.fields) {
      if (f.required && !body.Find(f.name)) problems.push_back({f.name, "is required"});
    }
  }
  if (!problems.empty()) {
    std::string summary;
    for (const auto& p : problems)
      summary += (summary.empty() ? "" : "; ") + p.field + ": " + p.message;
    return Error(ErrorCode::kInvalidArgument, summary, std::move(problems));
  }
  return values;
}

}  // namespace

Result<std::optional<std::vector<audit::FieldValues>>> ParseItems(
    db::Transaction& tx, const Caller& caller, const JsonValue& body, const std::string& name,
    const std::vector<FieldSpec>& fields, const std::string& singular) {
  const JsonValue* items = body.kind == JsonValue::Kind::kObject ? body.Find(name) : nullptr;
  if (!items) return std::optional<std::vector<audit::FieldValues>>();
  if (items->kind != JsonValue::Kind::kArray) {
    return Error::InvalidField(name, "must be an array of " + singular + " objects");
  }
  std::vector<audit::FieldValues> out;
  for (size_t i = 0; i < items->items.size(); ++i) {
    const JsonValue& item = items->items[i];
    const std::string at = name + "[" + std::to_string(i) + "]";
    if (item.kind != JsonValue::Kind::kObject) return Error::InvalidField(at, "must be an object");
    audit::FieldValues values;
    for (const auto& [key, value] : item.members) {
      const auto f = std::find_if(fields.begin(), fields.end(),
                                  [&](const FieldSpec& spec) { return spec.name == key; });
      if (f == fields.end()) {
        return Error::InvalidField(at + "." + key, "is not a field of " + singular);
      }
      RAPPORT_ASSIGN_OR_RETURN(db::Value v, FieldValue(tx, caller, *f, value, at));
      values.emplace_back(f->name, std::move(v));
    }
    for (const FieldSpec& f : fields) {
      if (f.required && std::holds_alternative<std::monostate>(ValueOf(values, f.name))) {
        return Error::InvalidField(at + "." + f.name, "is required");
      }
    }
    out.push_back(std::move(values));
  }
  return std::optional<std::vector<audit::FieldValues>>(std::move(out));
}

db::Value ValueOf(const audit::FieldValues& values, std::string_view column) {
  for (const auto& [name, value] : values) {
    if (name == column) return value;
  }
  return db::Null();
}

namespace {

Result<std::optional<db::Row>> LoadInReach(db::Transaction& tx, const ResourceSpec& spec,
                                           const Caller& caller, std::int64_t id) {
  return tx.QueryOne("SELECT " + Columns(spec) + " FROM " + spec.plural + " t WHERE t.id = ? AND " +
                         ReachCondition(spec, caller),
                     {id});
}

Error NotFound(const ResourceSpec& spec, std::int64_t id) {
  return Error(ErrorCode::kNotFound, "no " + spec.singular + " " + FormatId(id));
}

// Reference data (users, products, ...) is read by everyone signed in and changed by admins.
Access WriteAccess(const ResourceSpec& spec) {
  return spec.scope == Scope::kReference ? Access::kAdmins : Access::kSignedIn;
}

const char kReferenceData[] = "reference data: everyone signed in reads it";

Reach ListReach(const ResourceSpec& spec) {
  return spec.scope == Scope::kReference ? Reach::None(kReferenceData) : Reach::Filtered();
}

Reach ItemReach(const ResourceSpec& spec) {
  return spec.scope == Scope::kReference ? Reach::None(kReferenceData)
                                         : Reach::Record(spec.plural, spec.singular, spec.scope);
}

Reach CreateReach(const ResourceSpec& spec) {
  if (spec.scope == Scope::kReference) return Reach::None(kReferenceData);
  return Reach::OwnRule(
      "the accounts it refers to must be in the caller's reach, and so must the new " +
      spec.singular);
}

// The response to a write: `row` is the record as written (LoadInReach, after the write).
Result<Response> RecordResponse(db::Transaction& tx, const ResourceSpec& spec, const db::Row& row,
                                std::int64_t id, int status) {
  JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(WriteRecord(tx, spec, row, w));
  Response response = Response::Json(w.Take(), status);
  if (spec.timestamps) response.WithHeader("ETag", ETagOf(row.Int(spec.fields.size() + 3)));
  if (status == 201) response.WithHeader("Location", "/api/v1/" + spec.path + "/" + FormatId(id));
  return response;
}

// ---- list ----

struct SortKey {
  const FieldSpec* field = nullptr;  // nullptr: id, or a custom field
  std::string custom;                // a custom field's sort ("custom.contract_end")
  std::string expression;            // and the SQL it orders by (CustomSortExpression)
  bool descending = false;
  // Whether the list is sorted by a value (then by id), not by id alone.
  bool ByValue() const { return field || !expression.empty(); }
  std::string Column() const {
    return !expression.empty() ? expression : field ? "t." + field->name : "t.id";
  }
  std::string Name() const {
    return (descending ? "-" : "") + (!custom.empty() ? custom : field ? field->name : "id");
  }
};

Result<db::Value> FilterValue(const FieldSpec& f, const std::string& param,
                              const std::string& text) {
  switch (f.type) {
    case FieldType::kReference: {
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, ParseId(text, param));
      return db::Value(id);
    }
    case FieldType::kInteger: {
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return Error::InvalidField(param, "'" + text + "' is not an integer");
      }
      return db::Value(n);
    }
    case FieldType::kBoolean:
      if (text != "true" && text != "false")
        return Error::InvalidField(param, "must be true or false");
      return db::Value(std::int64_t{text == "true" ? 1 : 0});
    case FieldType::kEnum:
      RAPPORT_RETURN_IF_ERROR(CheckOneOf(param, text, f.values));
      return db::Value(text);
    case FieldType::kDate: {
      std::int64_t days;
      if (!ParseDate(text, days))
        return Error::InvalidField(param, "'" + text + "' is not a date (YYYY-MM-DD)");
      return db::Value(text);
    }
    case FieldType::kInstant: {
      Instant at;
      if (!ParseInstant(text, at))
        return Error::InvalidField(param, "'" + text + "' is not a UTC time");
      return db::Value(at);
    }
    default:
      return db::Value(text);
  }
}

// `sql` with each of the qualified columns `renames` names replaced by another, where it stands
// as a whole name ("t.id", not "t.identifier" nor "at.id").
std::string RenameColumns(
    const std::string& sql,
    std::initializer_list<std::pair<std::string_view, std::string_view>> renames) {
  const auto part_of_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  };
  std::string out;
  out.reserve(sql.size() + 64);
  for (size_t i = 0; i < sql.size();) {
    bool renamed = false;
    if (i == 0 || !part_of_name(sql[i - 1])) {
      for (const auto& [from, to] : renames) {
        const size_t end = i + from.size();
        if (sql.compare(i, from.size(), from) == 0 &&
            (end == sql.size() || !part_of_name(sql[end]))) {
          out += to;
          i = end;
          renamed = true;
          break;
        }
      }
    }
    if (!renamed) out += sql[i++];
  }
  return out;
}

// A small reach's accounts by name: one stream per territory, owner and team place, each the
// first `rows` matching `where` (filters and cursor, over alias t) read in name order from its
// own index (accounts (territory_id, name, id), (owner_id, name, id)), so a page costs a few
// short index walks instead of reading and sorting every account in reach. Measured at 1M
// accounts in BENCHMARKS.md.
std::string ReachStreams(const Caller& caller, const std::string& where, const db::Params& params,
                         const std::string& order, int rows, db::Params& out) {
  std::string sql;
  int n = 0;
  auto add = [&](const std::string& from_where) {
    sql += std::string(sql.empty() ? "" : " UNION ") + "SELECT id FROM (SELECT t.id FROM " +
           from_where + " AND " + where + " ORDER BY " + order + " LIMIT " + std::to_string(rows) +
           ") AS reach_" + std::to_string(n++);
    out.insert(out.end(), params.begin(), params.end());
  };
  for (std::int64_t territory : caller.territory_ids) {
    add("accounts t WHERE t.territory_id = " + std::to_string(territory));
  }
  for (std::int64_t owner : caller.user_ids) {
    add("accounts t WHERE t.owner_id = " + std::to_string(owner));
  }
  // The accounts whose team the caller is on come in name order from the team members' own
  // copy of the name (migration 18): the stream's sort and cursor use the copy.
  const auto on_team = [](const std::string& text) {
    return RenameColumns(text,
                         {{"t.name", "reach_m.account_name"}, {"t.id", "reach_m.account_id"}});
  };
  sql +=
      " UNION SELECT id FROM (SELECT t.id FROM accounts t JOIN account_team_members reach_m ON "
      "reach_m.account_id = t.id WHERE reach_m.user_id = " +
      std::to_string(caller.user_id) + " AND " + on_team(where) + " ORDER BY " + on_team(order) +
      " LIMIT " + std::to_string(rows) + ") AS reach_" + std::to_string(n++);
  out.insert(out.end(), params.begin(), params.end());
  return sql;
}

// ?sort=name or ?sort=-name: a sortable field, a timestamp, or id.
Result<SortKey> ParseSort(const ResourceSpec& spec, const std::string& value) {
  const bool desc = !value.empty() && value[0] == '-';
  const std::string name = desc ? value.substr(1) : value;
  const FieldSpec* f = name == "id" ? nullptr : FindField(spec, name);
  const bool timestamp = spec.timestamps && (name == "created_at" || name == "updated_at");
  if (name != "id" && !timestamp && (!f || !f->sortable)) {
    std::string options = "id";
    for (const auto& field : spec.fields) {
      if (field.sortable) options += ", " + field.name;
    }
    if (spec.timestamps) options += ", created_at, updated_at";
    if (spec.custom_fields) options += ", custom.<key> of a custom field";
    return Error::InvalidField("sort", "cannot sort by '" + name + "'; choose one of: " + options +
                                           " (prefix - for descending)");
  }
  static const FieldSpec kCreated{"created_at", FieldType::kInstant};
  static const FieldSpec kUpdated{"updated_at", FieldType::kInstant};
  SortKey sort;
  sort.field = timestamp ? (name == "created_at" ? &kCreated : &kUpdated) : f;
  sort.descending = desc;
  return sort;
}

// ?name=value (equals) or ?name_from= / ?name_to= (a range of a date or time) over a filterable
// field: its condition on `where` and its value on `params`.
Status AddFilter(const ResourceSpec& spec, const std::string& key, const std::string& value,
                 std::string& where, db::Params& params) {
  std::string name = key;
  std::string op = " = ?";
  if (key.ends_with("_from")) {
    name = key.substr(0, key.size() - 5);
    op = " >= ?";
  } else if (key.ends_with("_to")) {
    name = key.substr(0, key.size() - 3);
    op = " < ?";
  }
  const FieldSpec* f = FindField(spec, name);
  const bool range = op != " = ?";
  if (!f || !f->filterable || (range && !IsTimeType(f->type)) ||
      (!range && IsTimeType(f->type) && f->type == FieldType::kInstant)) {
    return UnknownParameter(key);
  }
  RAPPORT_ASSIGN_OR_RETURN(db::Value v, FilterValue(*f, key, value));
  where += " AND t." + f->name + op;
  params.push_back(std::move(v));
  return Ok();
}

// Continues after `cursor` (a next_cursor this list gave out for the same sort).
Status AddCursor(const std::string& cursor, const SortKey& sort, std::string& where,
                 db::Params& params) {
  std::string decoded;
  const auto bad = Error(ErrorCode::kMalformed, "the cursor is not one this list gave out",
                         {FieldError{"cursor", "is invalid"}});
  if (!Unhex(cursor, decoded)) return bad;
  const auto first = decoded.find('\n'), last = decoded.rfind('\n');
  // "sort\nid" for the default order, "sort\nvalue\nid" for a sorted one.
  if (first == std::string::npos || decoded.substr(0, first) != sort.Name() ||
      sort.ByValue() == (first == last))
    return bad;
  std::int64_t after_id = 0;
  const std::string id_text = decoded.substr(last + 1);
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), after_id);
  if (ec != std::errc() || end != id_text.data() + id_text.size()) return bad;
  const std::string cmp = sort.descending ? " < ?" : " > ?";
  if (!sort.ByValue()) {
    where += std::string(" AND t.id") + cmp;
    params.push_back(after_id);
  } else {
    const std::string raw = decoded.substr(first + 1, last - first - 1);
    if (raw.empty()) return bad;
    db::Value v = raw.substr(1);
    if (raw[0] == 'i') {
      std::int64_t n = 0;
      std::from_chars(raw.data() + 1, raw.data() + raw.size(), n);
      v = n;
    } else if (raw[0] == 'd') {
      double d = 0;
      auto [end, ec] = std::from_chars(raw.data() + 1, raw.data() + raw.size(), d);
      if (ec != std::errc() || end != raw.data() + raw.size()) return bad;
      v = d;
    }
    // A row value, which both databases read as a range of the (column, id) index: PostgreSQL
    // does not for "c > ? OR (c = ? AND id > ?)", and walked the index from its start (377 ms
    // for a page at "B" of 1M accounts, against 0.5 ms). Rows whose value is NULL are past
    // every cursor either way.
    where += " AND (" + sort.Column() + ", t.id)" + cmp.substr(0, 2) + " (?, ?)";
    params.push_back(v);
    params.push_back(after_id);
  }
  return Ok();
}

// The next_cursor after `last`, a row of Columns(spec): the sort, its value and the id.
std::string NextCursor(const ResourceSpec& spec, const SortKey& sort, const db::Row& last) {
  std::string key = sort.Name() + "\n";
  if (!sort.expression.empty()) {
    // A custom field's sort value is selected after the record's columns (SortedColumns).
    const db::Value& v = last.at(last.size() - 1);
    if (const double* d = std::get_if<double>(&v)) {
      char text[32];
      const auto [end, ec] = std::to_chars(text, text + sizeof text, *d);
      key += "d" + std::string(text, ec == std::errc() ? end : text);
    } else {
      key += (std::holds_alternative<std::int64_t>(v) ? "i" : "s") + last.Text(last.size() - 1);
    }
    key += "\n";
  } else if (sort.field) {
    size_t column = 0;
    if (sort.field->name == "created_at" || sort.field->name == "updated_at") {
      column = spec.fields.size() + (sort.field->name == "created_at" ? 1 : 2);
    } else {
      for (size_t i = 0; i < spec.fields.size(); ++i) {
        if (&spec.fields[i] == sort.field) column = i + 1;
      }
    }
    const db::Value& v = last.at(column);
    key +=
        std::holds_alternative<std::int64_t>(v) ? "i" + last.Text(column) : "s" + last.Text(column);
    key += "\n";
  }
  key += std::to_string(last.Int(0));
  return Hex(key);
}

// A list's query parameters: its filters (in `where`, with their parameters), its page and sort,
// and the text it is filtered by.
struct ListQuery {
  std::string where;
  db::Params params;
  int limit = kDefaultLimit;
  SortKey sort;
  std::optional<std::string> cursor;
  std::optional<std::string> text_query;  // q, as typed
};

Result<ListQuery> ParseListQuery(ApiContext& ctx, const ResourceSpec& spec, const Request& request,
                                 std::string reach) {
  ListQuery list{.where = std::move(reach)};
  bool include_archived = false;
  const db::Backend backend = ctx.database.backend();
  std::set<std::string_view> seen;
  std::vector<std::pair<std::string, std::string>> custom_filters;  // custom.key=value
  for (const auto& [key, value] : request.query) {
    if (!seen.insert(key).second) {
      return Error(ErrorCode::kMalformed, "query parameter '" + key + "' is given twice",
                   {FieldError{key, "appears more than once"}});
    }
    if (key == "limit") {
      RAPPORT_ASSIGN_OR_RETURN(list.limit, ParseLimit(value, kMaxLimit));
    } else if (key == "cursor") {
      list.cursor = value;
    } else if (key == "sort" && spec.custom_fields &&
               (value.starts_with("custom.") || value.starts_with("-custom."))) {
      list.sort.descending = value[0] == '-';
      list.sort.custom = list.sort.descending ? value.substr(1) : value;
    } else if (key == "sort") {
      RAPPORT_ASSIGN_OR_RETURN(list.sort, ParseSort(spec, value));
    } else if (key == "q" && spec.search) {
      if (db::FullTextQuery(backend, value).empty())
        return Error::InvalidField("q", "has no word to search for");
      list.text_query = value;
    } else if (key == "updated_since" && spec.timestamps) {
      Instant at;
      if (!ParseInstant(value, at))
        return Error::InvalidField("updated_since", "'" + value + "' is not a UTC time");
      list.where += " AND t.updated_at >= ?";
      list.params.push_back(at);
    } else if (key == "archived" && spec.deletion == Deletion::kArchive) {
      if (value != "true" && value != "false")
        return Error::InvalidField("archived", "must be true or false");
      include_archived = value == "true";
    } else if (spec.custom_fields && key.starts_with("custom.")) {
      custom_filters.emplace_back(key, value);
    } else {
      RAPPORT_RETURN_IF_ERROR(AddFilter(spec, key, value, list.where, list.params));
    }
  }
  if (!custom_filters.empty() || !list.sort.custom.empty()) {
    RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(auto fields, records::LoadCustomFields(tx, spec.plural));
      for (const auto& [key, value] : custom_filters) {
        RAPPORT_RETURN_IF_ERROR(
            AddCustomFilter(backend, fields, "t.custom", key, value, list.where, list.params));
      }
      if (!list.sort.custom.empty()) {
        RAPPORT_ASSIGN_OR_RETURN(
            list.sort.expression,
            CustomSortExpression(backend, fields, "t.custom", list.sort.custom));
      }
      return Ok();
    }));
  }
  if (spec.deletion == Deletion::kArchive && !include_archived)
    list.where += " AND t.archived_at IS NULL";
  return list;
}

// A page of `rows` (one more than the page when there are more) as the list's JSON.
Result<std::string> PageJson(db::Transaction& tx, const ResourceSpec& spec, const db::Rows& rows,
                             const ListQuery& list) {
  JsonWriter w;
  w.StartObject().Key("items").StartArray();
  const size_t shown = std::min(rows.size(), static_cast<size_t>(list.limit));
  std::unordered_map<std::int64_t, ResourceSpec::ExtraFields> extra;
  if (spec.extra_json_many && shown > 0) {
    std::vector<std::int64_t> ids;
    for (size_t i = 0; i < shown; ++i) ids.push_back(rows[i].Int(0));
    RAPPORT_ASSIGN_OR_RETURN(extra, spec.extra_json_many(tx, ids));
  }
  for (size_t i = 0; i < shown; ++i) {
    const ResourceSpec::ExtraFields* fields =
        spec.extra_json_many ? &extra[rows[i].Int(0)] : nullptr;
    RAPPORT_RETURN_IF_ERROR(WriteRecord(tx, spec, rows[i], w, fields));
  }
  w.EndArray().Key("next_cursor");
  if (rows.size() > static_cast<size_t>(list.limit)) {
    w.String(NextCursor(spec, list.sort, rows[shown - 1]));
  } else {
    w.Null();
  }
  w.EndObject();
  return w.Take();
}

Result<Response> List(ApiContext& ctx, const ResourceSpec& spec, const Request& request,
                      const Caller& caller) {
  // A small reach listing accounts by name reads them through per-territory streams; any other
  // list puts the reach in its WHERE.
  const bool small_reach = spec.scope == Scope::kAccount && SmallReach(ctx, spec, caller);
  RAPPORT_ASSIGN_OR_RETURN(
      ListQuery list,
      ParseListQuery(ctx, spec, request,
                     small_reach ? "1 = 1" : ListReachCondition(ctx, spec, caller)));
  const db::Backend backend = ctx.database.backend();
  std::string& where = list.where;
  db::Params& params = list.params;
  const SortKey& sort = list.sort;
  const bool streams = small_reach && sort.field && sort.field->name == "name";
  // A custom field's sort value is read after the record's columns, for the next cursor.
  const std::string columns =
      Columns(spec) + (sort.expression.empty() ? "" : ", " + sort.expression + " AS sort_value");
  // Where the page starts, apart for a text filter's walk (it starts there, then filters).
  std::string seek = "1 = 1";
  db::Params seek_params;
  if (list.cursor) {
    RAPPORT_RETURN_IF_ERROR(AddCursor(*list.cursor, sort, seek, seek_params));
  }
  const bool text_filtered = list.text_query && !streams;
  if (!text_filtered) {
    where += " AND " + seek;
    params.insert(params.end(), seek_params.begin(), seek_params.end());
  }
  const std::string dir = sort.descending ? " DESC" : "";
  const std::string order = (sort.ByValue() ? sort.Column() + dir + ", " : "") + "t.id" + dir;
  // Text in a small reach: each territory's stream walks its part of the name index testing each
  // row (the first page of a broad prefix is in its first rows), or, for few matches, takes
  // them from the full-text index (sql_few).
  std::string where_few;
  db::Params params_few;
  if (list.text_query && streams) {
    const std::string query = db::FullTextQuery(backend, *list.text_query);
    where_few = where + " AND " + db::FullTextCondition(backend, *spec.search, "t");
    params_few = params;
    params_few.push_back(query);
    where += " AND " + db::FullTextRowTest(backend, *spec.search, "t");
    params.push_back(query);
  }
  if (streams) {
    db::Params streamed;
    where =
        "t.id IN (" + ReachStreams(caller, where, params, order, list.limit + 1, streamed) + ")";
    params = std::move(streamed);
    if (!where_few.empty()) {
      db::Params streamed_few;
      where_few = "t.id IN (" +
                  ReachStreams(caller, where_few, params_few, order, list.limit + 1, streamed_few) +
                  ")";
      params_few = std::move(streamed_few);
    }
  } else if (small_reach) {
    where = ListReachCondition(ctx, spec, caller) + " AND " + where;
  }
  const std::string page = " ORDER BY " + order + " LIMIT " + std::to_string(list.limit + 1);
  const std::string select = "SELECT " + columns + " FROM " + spec.plural + " t WHERE ";
  const std::string sql = select + where + page;
  Response response;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    db::Rows rows;
    if (text_filtered) {
      RAPPORT_ASSIGN_OR_RETURN(rows,
                               ReadTextFilteredPage(tx,
                                                    TextFilteredList{.index = &*spec.search,
                                                                     .columns = columns,
                                                                     .where = where,
                                                                     .params = params,
                                                                     .seek = seek,
                                                                     .seek_params = seek_params,
                                                                     .order = order,
                                                                     .rows = list.limit + 1},
                                                    *list.text_query));
    } else if (!where_few.empty()) {
      RAPPORT_ASSIGN_OR_RETURN(
          const std::int64_t matches,
          db::EstimateFullTextMatches(tx, *spec.search, *list.text_query, kFewMatches));
      RAPPORT_ASSIGN_OR_RETURN(rows, matches < kFewMatches
                                         ? tx.Query(select + where_few + page, params_few)
                                         : tx.Query(sql, params));
    } else {
      RAPPORT_ASSIGN_OR_RETURN(rows, tx.Query(sql, params));
    }
    RAPPORT_ASSIGN_OR_RETURN(std::string json, PageJson(tx, spec, rows, list));
    response = Response::Json(std::move(json));
    return Ok();
  }));
  return response;
}

}  // namespace

std::vector<FieldSpec> FieldsOf(const records::Record& record) {
  std::vector<FieldSpec> fields;
  fields.reserve(record.fields.size());
  for (const records::Field& d : record.fields) {
    if (!d.in_api) continue;
    FieldSpec f{.name = d.column,
                .required = d.required,
                .writable = d.writable,
                .nullable = d.nullable,
                .filterable = d.filterable,
                .sortable = d.sortable,
                .max_length = d.max_length,
                .values = d.values,
                .references = d.references,
                .min = d.min,
                .max = d.max,
                .description = d.description};
    switch (d.type) {
      case records::Type::kText:
        f.type = FieldType::kString;
        break;
      case records::Type::kEmail:
        f.type = FieldType::kEmail;
        break;
      case records::Type::kInteger:
      case records::Type::kMoney:
      case records::Type::kPercent:
        f.type = FieldType::kInteger;
        break;
      case records::Type::kBoolean:
        f.type = FieldType::kBoolean;
        break;
      case records::Type::kDate:
        f.type = FieldType::kDate;
        break;
      case records::Type::kInstant:
        f.type = FieldType::kInstant;
        break;
      case records::Type::kEnum:
        f.type = FieldType::kEnum;
        break;
      case records::Type::kReference:
        f.type = FieldType::kReference;
        break;
      case records::Type::kCurrency:
        f.type = FieldType::kCurrency;
        break;
      case records::Type::kCountry:
        f.type = FieldType::kCountry;
        break;
    }
    fields.push_back(std::move(f));
  }
  return fields;
}

FieldSpec RequiredReference(std::string name, std::string table) {
  FieldSpec f;
  f.name = std::move(name);
  f.type = FieldType::kReference;
  f.required = true;
  f.nullable = false;
  f.filterable = true;
  f.references = std::move(table);
  return f;
}

namespace {
// Sets `column` to `value` on create when the body did not say.
void DefaultOnCreate(WriteContext& w, const std::string& column, db::Value value) {
  if (!w.creating || w.Written(column) != nullptr) return;
  w.values.emplace_back(column, std::move(value));
}
}  // namespace

void DefaultToCaller(WriteContext& w, const std::string& column) {
  DefaultOnCreate(w, column, w.caller.user_id);
}

void DefaultToNow(WriteContext& w, const std::string& column) { DefaultOnCreate(w, column, w.now); }

const db::Value* WriteContext::Written(std::string_view column) const {
  for (const auto& [name, value] : values) {
    if (name == column) return &value;
  }
  return nullptr;
}

db::Value WriteContext::After(std::string_view column) const {
  if (const db::Value* v = Written(column)) return *v;
  if (!before || !spec) return db::Null();
  for (size_t i = 0; i < spec->fields.size(); ++i) {
    if (spec->fields[i].name == column) return before->at(i + 1);  // after the id
  }
  return db::Null();
}

void WriteContext::Set(const std::string& column, db::Value value) {
  for (auto& [name, v] : values) {
    if (name == column) {
      v = std::move(value);
      return;
    }
  }
  values.emplace_back(column, std::move(value));
}

void StampCreatedAt(WriteContext& w) {
  if (w.creating) w.values.emplace_back("created_at", w.now);
}

Result<std::int64_t> ParseIdValue(const JsonValue& value, std::string_view field) {
  if (value.kind != JsonValue::Kind::kString) {
    return Error::InvalidField(std::string(field), std::string("must be an id string, not ") +
                                                       JsonValue::KindName(value.kind));
  }
  return ParseId(value.text, field);
}

std::string ETagOf(std::int64_t version) { return "\"v" + std::to_string(version) + "\""; }

Result<std::optional<std::int64_t>> ExpectedVersion(const Request& request) {
  std::string tag = request.if_match;
  if (tag.empty() || tag == "*") return std::optional<std::int64_t>();
  if (tag.rfind("W/", 0) == 0) tag = tag.substr(2);
  if (tag.size() < 4 || tag.front() != '"' || tag.back() != '"' || tag[1] != 'v') {
    return Error(ErrorCode::kMalformed,
                 "If-Match must be an ETag this API gave out, such as \"v3\"",
                 {FieldError{"If-Match", "is not an ETag of this API"}});
  }
  std::int64_t version = 0;
  auto [end, ec] = std::from_chars(tag.data() + 2, tag.data() + tag.size() - 1, version);
  if (ec != std::errc() || end != tag.data() + tag.size() - 1) {
    return Error(ErrorCode::kMalformed, "If-Match is not an ETag of this API",
                 {FieldError{"If-Match", "is not an ETag of this API"}});
  }
  return std::optional<std::int64_t>(version);
}

namespace {

// GET /{plural}/{id}: one record in the caller's reach, with its ETag.
Result<Response> GetRecord(ApiContext& ctx, const ResourceSpec& spec, const Request& r,
                           const Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, ParseId(r.PathParam("id"), "id"));
  Result<Response> out = Error(ErrorCode::kInternal, "unset");
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto row, LoadInReach(tx, spec, c, id));
    if (!row) return NotFound(spec, id);
    JsonWriter w;
    RAPPORT_RETURN_IF_ERROR(WriteRecord(tx, spec, *row, w));
    Response response = Response::Json(w.Take());
    if (spec.timestamps) {
      response.WithHeader("ETag", ETagOf(row->Int(spec.fields.size() + 3)));
    }
    out = std::move(response);
    return Ok();
  }));
  return out;
}

// The body's custom field values (`custom`), checked, and on a PATCH (`id`) merged over what
// the record holds, read under the row's lock so that two writers of different keys both land.
Result<CustomWrite> ParseCustom(db::Transaction& tx, const ResourceSpec& spec, const Caller& c,
                                const JsonValue& body, std::optional<std::int64_t> id) {
  const JsonValue* given = body.Find("custom");
  if (!given && id) return CustomWrite{};
  std::optional<std::string> stored;
  if (id) {
    RAPPORT_ASSIGN_OR_RETURN(auto row,
                             tx.QueryOne("SELECT custom FROM " + spec.plural + " WHERE id = ?" +
                                             db::LockRowSuffix(tx.backend()),
                                         {*id}));
    if (row) stored = row->OptText(0);
  }
  RAPPORT_ASSIGN_OR_RETURN(auto fields, records::LoadCustomFields(tx, spec.plural));
  return ParseCustomValues(tx, c, fields, given, stored, !id, spec.singular);
}

// POST /{plural}: a new record, which the caller must be able to see afterwards.
Result<Response> CreateRecord(ApiContext& ctx, const ResourceSpec& spec, const Request& r,
                              const Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, ParseJson(r.body));
  Result<Response> out = Error(ErrorCode::kInternal, "unset");
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(audit::FieldValues values, ParseBody(tx, c, spec, body, true));
    if (spec.custom_fields) {
      RAPPORT_ASSIGN_OR_RETURN(CustomWrite custom, ParseCustom(tx, spec, c, body, std::nullopt));
      if (custom.json) values.emplace_back("custom", *custom.json);
    }
    const Instant now = ctx.clock.Now();
    if (spec.before_write) {
      WriteContext wc{tx, c, now, std::nullopt, values, body, true, &spec};
      RAPPORT_RETURN_IF_ERROR(spec.before_write(wc));
    }
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t id,
        audit::InsertAudited(tx, {c.user_id, now}, spec.plural, values, spec.timestamps));
    if (spec.after_write) RAPPORT_RETURN_IF_ERROR(spec.after_write(tx, c, now, id, body, true));
    RAPPORT_ASSIGN_OR_RETURN(auto visible, LoadInReach(tx, spec, c, id));
    if (!visible) {
      return Error(ErrorCode::kPermissionDenied,
                   "you would not be able to see this " + spec.singular +
                       " afterwards; choose an owner or territory you cover");
    }
    out = RecordResponse(tx, spec, *visible, id, 201);
    return out.ok() ? Ok() : Status(out.error());
  }));
  if (spec.changes_access) ctx.access_generation.Bump();
  return out;
}

// PATCH /{plural}/{id}: some fields of a record (If-Match: its ETag).
Result<Response> UpdateRecord(ApiContext& ctx, const ResourceSpec& spec, const Request& r,
                              const Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, ParseId(r.PathParam("id"), "id"));
  RAPPORT_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, ExpectedVersion(r));
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, ParseJson(r.body));
  Result<Response> out = Error(ErrorCode::kInternal, "unset");
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto before, LoadInReach(tx, spec, c, id));
    if (!before) return NotFound(spec, id);
    RAPPORT_ASSIGN_OR_RETURN(audit::FieldValues values, ParseBody(tx, c, spec, body, false));
    CustomWrite custom;
    if (spec.custom_fields) {
      RAPPORT_ASSIGN_OR_RETURN(custom, ParseCustom(tx, spec, c, body, id));
    }
    const Instant now = ctx.clock.Now();
    if (spec.before_write) {
      WriteContext wc{tx, c, now, before, values, body, false, &spec};
      RAPPORT_RETURN_IF_ERROR(spec.before_write(wc));
    }
    RAPPORT_ASSIGN_OR_RETURN(
        int changed, audit::UpdateAudited(tx, {c.user_id, now}, spec.plural, id, expected, values,
                                          spec.timestamps));
    if (!custom.changes.empty()) {
      RAPPORT_RETURN_IF_ERROR(WriteCustomChanges(tx, spec.plural, {c.user_id, now}, id, custom,
                                                 changed == 0 && spec.timestamps));
      ++changed;
    }
    if (spec.after_write) RAPPORT_RETURN_IF_ERROR(spec.after_write(tx, c, now, id, body, false));
    // A change only to what the hooks keep (contact_ids, members, markers, ...)
    // is a change of the record too: its ETag moves on.
    const bool linked = std::any_of(spec.extra_body_fields.begin(), spec.extra_body_fields.end(),
                                    [&](const auto& e) { return body.Find(e.first) != nullptr; });
    if (changed == 0 && linked && spec.timestamps) {
      RAPPORT_RETURN_IF_ERROR(tx.Execute("UPDATE " + spec.plural +
                                             " SET updated_at = ?, version = "
                                             "version + 1 WHERE id = ?",
                                         {now, id}));
    }
    RAPPORT_ASSIGN_OR_RETURN(auto visible, LoadInReach(tx, spec, c, id));
    if (!visible) {
      return Error(ErrorCode::kPermissionDenied, "you would not be able to see this " +
                                                     spec.singular +
                                                     " afterwards; ask a manager to reassign it");
    }
    out = RecordResponse(tx, spec, *visible, id, 200);
    return out.ok() ? Ok() : Status(out.error());
  }));
  if (spec.changes_access) ctx.access_generation.Bump();
  return out;
}

// DELETE /{plural}/{id}: deletes the record, or archives it (Deletion::kArchive).
Result<Response> DeleteRecord(ApiContext& ctx, const ResourceSpec& spec, const Request& r,
                              const Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, ParseId(r.PathParam("id"), "id"));
  RAPPORT_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, ExpectedVersion(r));
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto before, LoadInReach(tx, spec, c, id));
    if (!before) return NotFound(spec, id);
    const audit::Actor actor{c.user_id, ctx.clock.Now()};
    if (spec.timestamps && expected) {
      // Locked until the delete commits, so the version cannot change in between.
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t version,
                               tx.QueryInt("SELECT version FROM " + spec.plural + " WHERE id = ?" +
                                               db::LockRowSuffix(tx.backend()),
                                           {id}));
      if (*expected != version) {
        return Error(ErrorCode::kStale,
                     "the " + spec.singular + " was changed by someone else; reload it");
      }
    }
    if (spec.deletion == Deletion::kArchive) {
      RAPPORT_ASSIGN_OR_RETURN(
          int changed,
          audit::UpdateAudited(tx, actor, spec.plural, id, expected, {{"archived_at", actor.at}}));
      (void)changed;
      return audit::RecordAction(tx, actor, spec.plural, id, "archive");
    }
    Status deleted = tx.Execute("DELETE FROM " + spec.plural + " WHERE id = ?", {id});
    if (!deleted.ok() && deleted.error().code() == ErrorCode::kFailedPrecondition) {
      return Error(ErrorCode::kConflict,
                   "the " + spec.singular + " is still referred to by other records");
    }
    RAPPORT_RETURN_IF_ERROR(deleted);
    return audit::RecordAction(tx, actor, spec.plural, id, "delete");
  }));
  if (spec.changes_access) ctx.access_generation.Bump();
  return Response::NoContent();
}

// GET /{plural}/{id}/history: who changed what on a record.
Result<Response> GetRecordHistory(ApiContext& ctx, const ResourceSpec& spec, const Request& r,
                                  const Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, ParseId(r.PathParam("id"), "id"));
  Response response;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto row, LoadInReach(tx, spec, c, id));
    if (!row) return NotFound(spec, id);
    RAPPORT_ASSIGN_OR_RETURN(auto entries, audit::History(tx, spec.plural, id));
    RAPPORT_ASSIGN_OR_RETURN(db::Rows names,
                             tx.Query("SELECT DISTINCT u.id, u.name FROM audit_history h "
                                      "JOIN users u ON u.id = h.changed_by "
                                      "WHERE h.table_name = ? AND h.record_id = ?",
                                      {spec.plural, id}));
    std::map<std::int64_t, std::string> who;
    for (const auto& n : names) who[n.Int("id")] = n.Text("name");
    JsonWriter w;
    w.StartObject().Key("items").StartArray();
    for (const auto& e : entries) {
      w.StartObject();
      w.Key("action").String(e.action);
      w.Key("field").OptString(e.field);
      w.Key("old_value").OptString(e.old_value);
      w.Key("new_value").OptString(e.new_value);
      w.Key("changed_by");
      if (e.changed_by) {
        w.StartObject()
            .Key("id")
            .String(FormatId(*e.changed_by))
            .Key("name")
            .String(who[*e.changed_by])
            .EndObject();
      } else {
        w.Null();
      }
      w.Key("changed_at").String(FormatInstant(e.changed_at));
      w.EndObject();
    }
    w.EndArray().EndObject();
    response = Response::Json(w.Take());
    return Ok();
  }));
  return response;
}

// The query parameters GET /{plural} takes, for OpenAPI.
std::vector<QueryDoc> ListQueryDocs(const ResourceSpec& spec) {
  std::vector<QueryDoc> list_query = {
      {"limit", "integer", "page size, 1 to 500 (default 50)"},
      {"cursor", "string", "next_cursor of the previous page"},
      {"sort", "string",
       spec.custom_fields ? "a sortable field, or custom.<key> of a custom text, number, money, "
                            "date, checkbox or picklist field (records without a value first), "
                            "prefixed by - for descending"
                          : "a sortable field, prefixed by - for descending"}};
  if (spec.search) list_query.push_back({"q", "string", "full-text search, every word a prefix"});
  if (spec.timestamps) list_query.push_back({"updated_since", "string", "UTC time"});
  if (spec.deletion == Deletion::kArchive)
    list_query.push_back({"archived", "boolean", "include archived"});
  for (const auto& f : spec.fields) {
    if (!f.filterable) continue;
    if (IsTimeType(f.type)) {
      list_query.push_back({f.name + "_from", "string", "inclusive lower bound"});
      list_query.push_back({f.name + "_to", "string", "exclusive upper bound"});
    } else {
      list_query.push_back({f.name,
                            f.type == FieldType::kInteger   ? "integer"
                            : f.type == FieldType::kBoolean ? "boolean"
                                                            : "string",
                            "equals"});
    }
  }
  return list_query;
}

}  // namespace

void RegisterResource(Router& router, ApiContext& ctx, ResourceSpec spec_in) {
  spec_in.select_columns = BuildColumns(spec_in);
  if (spec_in.path.empty()) spec_in.path = spec_in.plural;
  auto spec = std::make_shared<const ResourceSpec>(std::move(spec_in));
  const std::string base = "/api/v1/" + spec->path;
  const std::string item = base + "/{id}";
  const std::string record_schema = RecordSchema(*spec, false);
  const std::string input_schema = RecordSchema(*spec, true);

  const std::vector<QueryDoc> list_query = ListQueryDocs(*spec);

  router.Add(
      {"GET",
       base,
       Access::kSignedIn,
       ListReach(*spec),
       [&ctx, spec](const Request& r, const Caller& c) { return List(ctx, *spec, r, c); },
       {"List " + spec->plural, spec->tag, list_query, "",
        R"({"type":"object","properties":{"items":{"type":"array","items":)" + record_schema +
            R"(},"next_cursor":{"type":["string","null"]}},"required":["items","next_cursor"]})"}});

  router.Add(
      {"GET",
       item,
       Access::kSignedIn,
       ItemReach(*spec),
       [&ctx, spec](const Request& r, const Caller& c) { return GetRecord(ctx, *spec, r, c); },
       {"Get one " + spec->singular, spec->tag, {}, "", record_schema}});

  if (spec->creatable)
    router.Add(
        {"POST",
         base,
         WriteAccess(*spec),
         CreateReach(*spec),
         [&ctx, spec](const Request& r, const Caller& c) { return CreateRecord(ctx, *spec, r, c); },
         {"Create " + spec->singular, spec->tag, {}, input_schema, record_schema, 201}});

  router.Add(
      {"PATCH",
       item,
       WriteAccess(*spec),
       ItemReach(*spec),
       [&ctx, spec](const Request& r, const Caller& c) { return UpdateRecord(ctx, *spec, r, c); },
       {"Change some fields of a " + spec->singular + " (If-Match: its ETag)",
        spec->tag,
        {},
        input_schema,
        record_schema}});

  if (spec->deletion != Deletion::kNone) {
    router.Add(
        {"DELETE",
         item,
         spec->managers_only_delete ? Access::kManagers : WriteAccess(*spec),
         ItemReach(*spec),
         [&ctx, spec](const Request& r, const Caller& c) { return DeleteRecord(ctx, *spec, r, c); },
         {spec->deletion == Deletion::kArchive ? "Archive a " + spec->singular
                                               : "Delete a " + spec->singular,
          spec->tag,
          {},
          "",
          "",
          204}});
  }

  router.Add({"GET",
              item + "/history",
              Access::kSignedIn,
              ItemReach(*spec),
              [&ctx, spec](const Request& r, const Caller& c) {
                return GetRecordHistory(ctx, *spec, r, c);
              },
              {"Who changed what on a " + spec->singular,
               spec->tag,
               {},
               "",
               R"({"type":"object","properties":{"items":{"type":"array"}}})"}});
}

std::string RecordSchema(const ResourceSpec& spec, bool for_input) {
  JsonWriter w;
  w.StartObject().Key("type").String("object").Key("properties").StartObject();
  if (!for_input) w.Key("id").StartObject().Key("type").String("string").EndObject();
  for (const auto& f : spec.fields) {
    if (for_input && !f.writable) continue;
    w.Key(f.name).StartObject();
    const char* type = "string";
    if (f.type == FieldType::kInteger) type = "integer";
    if (f.type == FieldType::kBoolean) type = "boolean";
    w.Key("type");
    if (f.nullable) {
      w.StartArray().String(type).String("null").EndArray();
    } else {
      w.String(type);
    }
    if (f.type == FieldType::kEnum) {
      w.Key("enum").StartArray();
      for (auto v : f.values) w.String(v);
      if (f.nullable) w.Null();
      w.EndArray();
    }
    if (f.type == FieldType::kDate) w.Key("format").String("date");
    if (f.type == FieldType::kInstant) w.Key("format").String("date-time");
    if (f.type == FieldType::kEmail) w.Key("format").String("email");
    if (f.type == FieldType::kCurrency) w.Key("pattern").String("^[A-Z]{3}$");
    if (f.type == FieldType::kCountry) w.Key("pattern").String("^[A-Z]{2}$");
    if (f.type == FieldType::kString)
      w.Key("maxLength").Int(static_cast<std::int64_t>(f.max_length));
    if (f.min) w.Key("minimum").Int(*f.min);
    if (f.max) w.Key("maximum").Int(*f.max);
    if (!f.description.empty()) w.Key("description").String(f.description);
    w.EndObject();
  }
  if (spec.custom_fields) {
    // OpenAPI 3.1 lets a description stand beside a $ref.
    w.Key("custom")
        .StartObject()
        .Key("$ref")
        .String("#/components/schemas/" + CustomFieldsSchemaName(spec.plural))
        .Key("description")
        .String(for_input ? "custom field values by key: a key given null clears its value, keys "
                            "not given are kept"
                          : "custom field values by key; a field without a value is left out")
        .EndObject();
  }
  if (for_input) {
    for (const auto& [name, schema] : spec.extra_body_fields) w.Key(name).Raw(schema);
  } else {
    for (const auto& [name, schema] : spec.extra_json_fields) w.Key(name).Raw(schema);
  }
  if (!for_input && spec.timestamps) {
    for (const char* t : {"created_at", "updated_at"}) {
      w.Key(t)
          .StartObject()
          .Key("type")
          .String("string")
          .Key("format")
          .String("date-time")
          .EndObject();
    }
    w.Key("version").StartObject().Key("type").String("integer").EndObject();
  }
  w.EndObject();
  if (for_input) {
    w.Key("additionalProperties").Bool(false);
  } else {
    // A record is always written whole: every field, null when empty.
    w.Key("required").StartArray().String("id");
    for (const auto& f : spec.fields) w.String(f.name);
    if (spec.timestamps) w.String("created_at").String("updated_at").String("version");
    if (spec.custom_fields) w.String("custom");
    for (const auto& extra : spec.extra_json_fields) w.String(extra.first);
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

Status ContactLinks::Write(db::Transaction& tx, std::int64_t id, const JsonValue& body,
                           bool created) const {
  const JsonValue* ids = body.Find("contact_ids");
  if (!ids) {
    // Moved to another account: the contacts stay only if they work there.
    if (created || !body.Find("account_id")) return Ok();
    return tx.Execute("DELETE FROM " + link_table + " WHERE " + link_column +
                          " = ? AND contact_id NOT IN (SELECT c.id FROM contacts c JOIN " + table +
                          " r ON r.account_id = c.account_id WHERE r.id = ?)",
                      {id, id});
  }
  if (ids->kind != JsonValue::Kind::kArray) {
    return Error::InvalidField("contact_ids", "must be an array of contact ids");
  }
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t account,
                           tx.QueryInt("SELECT account_id FROM " + table + " WHERE id = ?", {id}));
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM " + link_table + " WHERE " + link_column + " = ?", {id}));
  for (size_t i = 0; i < ids->items.size(); ++i) {
    const std::string field = "contact_ids[" + std::to_string(i) + "]";
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t contact, ParseIdValue(ids->items[i], field));
    RAPPORT_ASSIGN_OR_RETURN(
        auto row, tx.QueryOne("SELECT account_id FROM contacts WHERE id = ?", {contact}));
    if (!row || row->Int(0) != account) {
      return Error::InvalidField(field, "no contact " + FormatId(contact) + " at this account");
    }
    RAPPORT_RETURN_IF_ERROR(tx.Execute("INSERT INTO " + link_table + " (" + link_column +
                                           ", contact_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                                       {id, contact}));
  }
  return Ok();
}

Status ContactLinks::WriteJson(db::Transaction& tx, std::int64_t id, JsonWriter& w) const {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows, tx.Query("SELECT contact_id FROM " + link_table + " WHERE " + link_column +
                                  " = ? ORDER BY contact_id",
                              {id}));
  w.Key("contact_ids").StartArray();
  for (const auto& r : rows) w.String(FormatId(r.Int("contact_id")));
  w.EndArray();
  return Ok();
}

void ContactLinks::InstallOn(ResourceSpec& spec) const {
  const ContactLinks links = *this;
  spec.extra_body_fields.emplace_back("contact_ids",
                                      R"({"type":"array","items":{"type":"string"}})");
  spec.after_write = [links](db::Transaction& tx, const Caller&, Instant, std::int64_t id,
                             const JsonValue& body,
                             bool created) { return links.Write(tx, id, body, created); };
  spec.extra_json = [links](db::Transaction& tx, std::int64_t id, JsonWriter& w) {
    return links.WriteJson(tx, id, w);
  };
}

Error UnknownParameter(const std::string& key) {
  return Error(ErrorCode::kMalformed, "unknown query parameter '" + key + "'",
               {FieldError{key, "is not a parameter here"}});
}

Result<int> ParseLimit(std::string_view value, int max) {
  int limit = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), limit);
  if (ec != std::errc() || end != value.data() + value.size() || limit < 1 || limit > max) {
    return Error::InvalidField("limit", "must be an integer from 1 to " + std::to_string(max));
  }
  return limit;
}

void WriteOffsetPage(JsonWriter& w, const db::Rows& rows, int limit, std::int64_t offset,
                     const std::function<void(const db::Row&)>& write) {
  w.Key("items").StartArray();
  for (std::size_t i = 0; i < rows.size() && i < static_cast<std::size_t>(limit); ++i) {
    write(rows[i]);
  }
  w.EndArray().Key("next_cursor");
  if (rows.size() > static_cast<std::size_t>(limit)) {
    w.String(std::to_string(offset + limit));
  } else {
    w.Null();
  }
}

Result<std::int64_t> ParseOffsetCursor(std::string_view value) {
  std::int64_t offset = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), offset);
  if (ec != std::errc() || end != value.data() + value.size() || offset < 0) {
    return Error(ErrorCode::kMalformed, "the cursor is not one this report gave out",
                 {FieldError{"cursor", "is invalid"}});
  }
  return offset;
}

}  // namespace rapport::api
