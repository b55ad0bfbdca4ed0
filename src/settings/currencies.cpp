#include "settings/currencies.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/validation.hpp"
#include "imports/csv_reader.hpp"
#include "imports/record_types.hpp"

namespace rapport::settings {
namespace {

using api::FieldType;
using api::JsonValue;

const char kReferenceData[] = "reference data: everyone signed in reads it";
constexpr std::int64_t kMaxRateMicros = 1'000'000'000'000;

// `code` when it is three capital letters; a bug otherwise (it goes into SQL).
std::string_view CheckedCode(std::string_view code) {
  if (!IsCurrencyCode(code)) {
    throw std::logic_error("not a currency code: " + std::string(code));
  }
  return code;
}

void WriteSettings(api::JsonWriter& w, const db::Row& row) {
  w.StartObject()
      .Key("currency")
      .String(row.Text("currency"))
      .Key("version")
      .Int(row.Int("version"))
      .Key("updated_at")
      .String(FormatInstant(row.Int("updated_at")))
      .EndObject();
}

Result<db::Row> LoadSettings(db::Transaction& tx) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(
          "SELECT currency, version, updated_at FROM company_settings ORDER BY id LIMIT 1"));
  if (!row) return Error(ErrorCode::kInternal, "company_settings has no row");
  return *row;
}

Result<api::Response> GetCompanySettings(api::ApiContext& ctx) {
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row row, LoadSettings(tx));
    WriteSettings(w, row);
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

// PUT /company-settings {"currency": "EUR"} (If-Match its version). Rates are per unit of the
// company's currency, so changing it leaves rates an admin must restate; a currency that has
// rates of its own cannot become the company's.
Result<api::Response> PutCompanySettings(api::ApiContext& ctx, const api::Request& r,
                                         const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, api::ParseJson(r.body));
  if (body.kind != JsonValue::Kind::kObject) {
    return Error::InvalidField("body", "must be an object");
  }
  audit::FieldValues changes;
  for (const auto& [key, value] : body.members) {
    if (key == "version" || key == "updated_at") continue;
    if (key != "currency") return Error::InvalidField(key, "is not a company setting");
    if (value.kind != JsonValue::Kind::kString || !IsCurrencyCode(value.text)) {
      return Error::InvalidField("currency", "must be a three-letter ISO 4217 code, like GBP");
    }
    changes.emplace_back("currency", value.text);
  }
  RAPPORT_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, api::ExpectedVersion(r));
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    for (const auto& [column, value] : changes) {
      RAPPORT_ASSIGN_OR_RETURN(
          auto rated, tx.QueryOne("SELECT 1 FROM exchange_rates WHERE currency = ?", {value}));
      if (rated) {
        return Error::InvalidField("currency", "has exchange rates of its own: delete them first");
      }
    }
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, tx.QueryInt("SELECT min(id) FROM company_settings"));
    RAPPORT_ASSIGN_OR_RETURN(
        int changed, audit::UpdateAudited(tx, {c.user_id, ctx.clock.Now()}, "company_settings", id,
                                          expected, changes));
    (void)changed;
    RAPPORT_ASSIGN_OR_RETURN(db::Row row, LoadSettings(tx));
    WriteSettings(w, row);
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

// "1.1625" -> 1162500: a positive decimal, rounded half up to millionths; nullopt when it is not
// one.
std::optional<std::int64_t> ParseRate(std::string_view text) {
  std::int64_t whole = 0, micros = 0;
  std::size_t i = 0, digits = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
    if (whole > 1'000'000) return std::nullopt;
    whole = whole * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    std::int64_t scale = 100'000;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
      const int digit = text[i] - '0';
      if (scale > 0) {
        micros += digit * scale;
        scale /= 10;
      } else if (scale == 0) {
        if (digit >= 5) ++micros;  // the seventh decimal rounds
        scale = -1;
      }
    }
  }
  if (i != text.size() || digits == 0) return std::nullopt;
  const std::int64_t rate = whole * 1'000'000 + micros;
  if (rate <= 0 || rate > kMaxRateMicros) return std::nullopt;
  return rate;
}

// The columns of a rates file, by what Rapport and Salesforce's DatedConversionRate export call
// them.
const std::vector<std::pair<std::string, std::vector<std::string>>> kRateColumns = {
    {"currency", {"currency", "isocode", "currencyisocode", "currencycode"}},
    {"valid_from", {"validfrom", "startdate", "from", "date", "effectivedate"}},
    {"rate", {"rate", "conversionrate", "exchangerate", "ratemicros"}},
};

// POST /api/v1/exchange-rates/import (CSV: currency, valid_from, rate): each currency and day's
// rate added or changed. The whole file is checked first; with a problem anywhere, nothing is
// written.
// A row of an exchange-rate file.
struct RateRow {
  std::string line;  // "line 3", for problems
  std::string currency, valid_from;
  std::int64_t rate_micros;
};

// The file's columns by name (currency, valid_from, rate), from its header.
Result<std::map<std::string, std::size_t>> RateColumns(const std::vector<std::string>& header) {
  std::map<std::string, std::size_t> at;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string key = imports::NormalizeHeader(header[i]);
    for (const auto& [name, aliases] : kRateColumns) {
      if (std::find(aliases.begin(), aliases.end(), key) != aliases.end()) at.emplace(name, i);
    }
  }
  for (const auto& [name, aliases] : kRateColumns) {
    if (!at.count(name)) {
      return Error::InvalidField("body", "has no " + name +
                                             " column (the columns are currency, valid_from "
                                             "and rate, or Salesforce's IsoCode, StartDate and "
                                             "ConversionRate)");
    }
  }
  return at;
}

// Every row of a rate file, or its problems (up to 100), each naming its line and column.
Result<std::vector<RateRow>> ReadRateFile(const std::string& body) {
  imports::CsvReader in(imports::MemorySource(body));
  std::vector<std::string> header;
  RAPPORT_ASSIGN_OR_RETURN(bool any, in.Next(header));
  if (!any) return Error::InvalidField("body", "is empty");
  RAPPORT_ASSIGN_OR_RETURN(const auto at, RateColumns(header));
  std::vector<RateRow> rows;
  std::vector<FieldError> problems;
  std::vector<std::string> cells;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, in.Next(cells));
    if (!more) break;
    const std::string line = "line " + std::to_string(in.line());
    auto cell = [&](const std::string& name) {
      const std::size_t i = at.at(name);
      return i < cells.size() ? cells[i] : std::string();
    };
    RateRow row;
    row.line = line;
    row.currency = cell("currency");
    row.valid_from = cell("valid_from").substr(0, 10);
    std::int64_t day = 0;
    const std::optional<std::int64_t> rate = ParseRate(cell("rate"));
    if (!IsCurrencyCode(row.currency)) {
      problems.push_back({line + ".currency", "is not a three-letter ISO 4217 code such as EUR"});
    }
    if (!ParseDate(row.valid_from, day)) {
      problems.push_back({line + ".valid_from", "is not a date (YYYY-MM-DD)"});
    }
    if (!rate) problems.push_back({line + ".rate", "is not a positive number such as 1.1625"});
    if (problems.size() >= 100) break;
    row.rate_micros = rate.value_or(0);
    rows.push_back(std::move(row));
  }
  if (!problems.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 std::to_string(problems.size()) + " problems in the file; nothing imported",
                 std::move(problems));
  }
  return rows;
}

// Writes the rates: a new (currency, day) is created, a known one changed when its rate is not
// the same. Counts both.
Status WriteRates(db::Transaction& tx, const audit::Actor& actor, const std::vector<RateRow>& rows,
                  std::int64_t& created, std::int64_t& changed) {
  created = changed = 0;
  RAPPORT_ASSIGN_OR_RETURN(std::string company, CompanyCurrency(tx));
  std::vector<FieldError> own;
  for (const RateRow& row : rows) {
    if (row.currency == company) {
      own.push_back({row.line + ".currency", row.currency + " is the company's own currency"});
    }
  }
  if (!own.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 std::to_string(own.size()) + " problems in the file; nothing imported",
                 std::move(own));
  }
  for (const RateRow& row : rows) {
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> found,
        tx.QueryOne("SELECT id, rate_micros FROM exchange_rates WHERE currency = ? AND "
                    "valid_from = ?",
                    {row.currency, row.valid_from}));
    if (!found) {
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t id,
                               audit::InsertAudited(tx, actor, "exchange_rates",
                                                    {{"currency", row.currency},
                                                     {"valid_from", row.valid_from},
                                                     {"rate_micros", row.rate_micros}}));
      (void)id;
      ++created;
    } else if (found->Int("rate_micros") != row.rate_micros) {
      RAPPORT_ASSIGN_OR_RETURN(
          int n, audit::UpdateAudited(tx, actor, "exchange_rates", found->Int("id"), std::nullopt,
                                      {{"rate_micros", row.rate_micros}}));
      changed += n;
    }
  }
  return Ok();
}

Result<api::Response> ImportExchangeRates(api::ApiContext& ctx, const api::Request& r,
                                          const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(const std::vector<RateRow> rows, ReadRateFile(r.body));
  const audit::Actor actor{c.user_id, ctx.clock.Now()};
  std::int64_t created = 0, changed = 0;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    return WriteRates(tx, actor, rows, created, changed);
  }));
  api::JsonWriter w;
  w.StartObject()
      .Key("rows")
      .Int(static_cast<std::int64_t>(rows.size()))
      .Key("created")
      .Int(created)
      .Key("changed")
      .Int(changed)
      .EndObject();
  return api::Response::Json(w.Take());
}

api::ResourceSpec ExchangeRateSpec() {
  api::ResourceSpec s;
  s.plural = "exchange_rates";
  s.path = "exchange-rates";
  s.singular = "exchange rate";
  s.tag = "Settings";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      {.name = "currency",
       .type = FieldType::kCurrency,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true,
       .description = "the currency converted to the company's"},
      {.name = "valid_from",
       .type = FieldType::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true,
       .description = "the rate holds from this day until the currency's next rate"},
      {.name = "rate_micros",
       .type = FieldType::kInteger,
       .required = true,
       .nullable = false,
       .min = 1,
       .max = kMaxRateMicros,
       .description = "how many units of the currency one unit of the company's buys, in "
                      "millionths (1.1625 EUR to the pound: 1162500)"},
  };
  s.before_write = [](api::WriteContext& w) -> Status {
    const db::Value* currency = w.Written("currency");
    if (!currency) return Ok();
    RAPPORT_ASSIGN_OR_RETURN(std::string company, CompanyCurrency(w.tx));
    if (std::get<std::string>(*currency) == company) {
      return Error::InvalidField("currency", "is the company's own currency");
    }
    return Ok();
  };
  return s;
}

}  // namespace

Result<std::string> CompanyCurrency(db::Transaction& tx) {
  RAPPORT_ASSIGN_OR_RETURN(db::Row row, LoadSettings(tx));
  return row.Text("currency");
}

std::string RateSql(std::string_view currency, std::string_view date) {
  // Inside the subqueries below a bare `currency` is exchange_rates' own column, which matches
  // every rate: the caller's must name its table ("sl.currency") or be a quoted code. A bug in
  // the calling code, refused where the statement is built rather than answered wrongly.
  if (currency.find('.') == std::string_view::npos && !currency.starts_with('\'')) {
    throw std::logic_error("RateSql: qualify the currency column: " + std::string(currency));
  }
  // Compared as text ("YYYY-MM-DD"), so that `date` may be a DATE column or a string built in the
  // query (a sales line's period || '-01') on both engines.
  const std::string cur(currency), at = "CAST(" + std::string(date) + " AS TEXT)";
  return "coalesce((SELECT xr.rate_micros FROM exchange_rates xr WHERE xr.currency = " + cur +
         " AND CAST(xr.valid_from AS TEXT) <= " + at +
         " ORDER BY xr.valid_from DESC LIMIT 1), (SELECT xr.rate_micros FROM exchange_rates xr "
         "WHERE xr.currency = " +
         cur + " ORDER BY xr.valid_from LIMIT 1))";
}

namespace {

// `amount` in the currency `company_sql` (a SQL expression) names.
std::string ConvertSql(std::string_view amount, std::string_view currency, std::string_view date,
                       const std::string& company_sql) {
  const std::string cur(currency), value(amount);
  return "(CASE WHEN " + cur + " = " + company_sql + " THEN " + value + " ELSE CAST(round(" +
         value + " * 1000000.0 / " + RateSql(currency, date) + ") AS BIGINT) END)";
}

}  // namespace

std::string InCompanyCurrencySql(std::string_view amount, std::string_view currency,
                                 std::string_view date, std::string_view company) {
  return ConvertSql(amount, currency, date, "'" + std::string(CheckedCode(company)) + "'");
}

std::string InStoredCompanyCurrencySql(std::string_view amount, std::string_view currency,
                                       std::string_view date) {
  return ConvertSql(amount, currency, date, kCompanyCurrencySql);
}

std::string InCurrencySql(std::string_view amount, std::string_view currency, std::string_view date,
                          std::string_view target, std::string_view company) {
  if (target == company) return InCompanyCurrencySql(amount, currency, date, company);
  // amount × target's rate / source's rate, in one step (numeric, so that no bigint product
  // overflows on PostgreSQL), the company's own rate being one.
  const std::string cur(currency), value(amount);
  const std::string code = "'" + std::string(CheckedCode(target)) + "'";
  const std::string source = "(CASE WHEN " + cur + " = '" + std::string(CheckedCode(company)) +
                             "' THEN 1000000 ELSE " + RateSql(currency, date) + " END)";
  return "(CASE WHEN " + cur + " = " + code + " THEN " + value + " ELSE CAST(round(" + value +
         " * 1.0 * " + RateSql(code, date) + " / " + source + ") AS BIGINT) END)";
}

std::string UnconvertibleSql(std::string_view currency, std::string_view company) {
  const std::string cur(currency);
  return "(" + cur + " <> '" + std::string(CheckedCode(company)) +
         "' AND NOT EXISTS (SELECT 1 FROM exchange_rates xr WHERE xr.currency = " + cur + "))";
}

void RegisterCurrencyRoutes(api::Router& router, api::ApiContext& ctx) {
  static const char kSettings[] =
      R"({"type":"object","properties":{"currency":{"type":"string","pattern":"^[A-Z]{3}$","description":"the company's currency: forecasts and reports add up in it"},"version":{"type":"integer"},"updated_at":{"type":"string","format":"date-time"}},"required":["currency","version","updated_at"]})";
  router.Add({"GET",
              "/api/v1/company-settings",
              api::Access::kSignedIn,
              api::Reach::None("a company-wide setting"),
              [&ctx](const api::Request&, const api::Caller&) { return GetCompanySettings(ctx); },
              {"The company's settings: its currency", "Settings", {}, "", kSettings}});
  router.Add(
      {"PUT",
       "/api/v1/company-settings",
       api::Access::kAdmins,
       api::Reach::None("a company-wide setting"),
       [&ctx](const api::Request& r, const api::Caller& c) {
         return PutCompanySettings(ctx, r, c);
       },
       {"Change the company's currency (admins; If-Match its version)",
        "Settings",
        {},
        R"({"type":"object","properties":{"currency":{"type":"string","pattern":"^[A-Z]{3}$"}},"additionalProperties":false})",
        kSettings}});
  api::RegisterResource(router, ctx, ExchangeRateSpec());
  api::Route import{
      "POST",
      "/api/v1/exchange-rates/import",
      api::Access::kAdmins,
      api::Reach::None(kReferenceData),
      [&ctx](const api::Request& r, const api::Caller& c) {
        return ImportExchangeRates(ctx, r, c);
      },
      {"Import exchange rates (CSV columns currency, valid_from, rate; or Salesforce's "
       "DatedConversionRate export: IsoCode, StartDate, ConversionRate): each currency and day's "
       "rate added or changed; with a problem anywhere, nothing is written",
       "Settings",
       {},
       "",
       R"({"type":"object","properties":{"rows":{"type":"integer"},"created":{"type":"integer"},"changed":{"type":"integer"}},"required":["rows","created","changed"]})"}};
  import.body_type = "text/csv";
  router.Add(std::move(import));
}

}  // namespace rapport::settings
