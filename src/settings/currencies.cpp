#include "settings/currencies.hpp"

#include <stdexcept>

#include "core/validation.hpp"

namespace rapport::settings {
namespace {

using api::FieldType;
using api::JsonValue;

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
      .String(row.Text(0))
      .Key("version")
      .Int(row.Int(1))
      .Key("updated_at")
      .String(FormatInstant(row.Int(2)))
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
       .max = 1'000'000'000'000,
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
  return row.Text(0);
}

std::string RateSql(std::string_view currency, std::string_view date) {
  const std::string cur(currency), at(date);
  return "coalesce((SELECT xr.rate_micros FROM exchange_rates xr WHERE xr.currency = " + cur +
         " AND xr.valid_from <= " + at +
         " ORDER BY xr.valid_from DESC LIMIT 1), (SELECT xr.rate_micros FROM exchange_rates xr "
         "WHERE xr.currency = " +
         cur + " ORDER BY xr.valid_from LIMIT 1))";
}

std::string InCompanyCurrencySql(std::string_view amount, std::string_view currency,
                                 std::string_view date, std::string_view company) {
  const std::string cur(currency), value(amount);
  return "(CASE WHEN " + cur + " = '" + std::string(CheckedCode(company)) + "' THEN " + value +
         " ELSE CAST(round(" + value + " * 1000000.0 / " + RateSql(currency, date) +
         ") AS BIGINT) END)";
}

std::string InCurrencySql(std::string_view amount, std::string_view currency, std::string_view date,
                          std::string_view target, std::string_view company) {
  if (target == company) return InCompanyCurrencySql(amount, currency, date, company);
  const std::string code = "'" + std::string(CheckedCode(target)) + "'";
  return "(CASE WHEN " + std::string(currency) + " = " + code + " THEN " + std::string(amount) +
         " ELSE CAST(round(" + InCompanyCurrencySql(amount, currency, date, company) + " * " +
         RateSql(code, date) + " / 1000000.0) AS BIGINT) END)";
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
}

}  // namespace rapport::settings
