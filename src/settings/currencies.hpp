// Money in more than one currency: the company's own currency (company_settings), in which
// forecasts and reports add up, and the dated exchange rates that convert the others to it. A
// rate is how many units of its currency one unit of the company's buys (Salesforce's
// ConversionRate), in millionths, from its date until the next rate of that currency. A record
// keeps its amount in its own currency; reports convert at the rate of the day that matters (a
// deal's close date). Stateless functions over the caller's transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/resource.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace rapport::settings {

// The company's currency ("GBP" until an admin sets another).
Result<std::string> CompanyCurrency(db::Transaction& tx);

// A SQL expression for `amount` (minor units of `currency`) in `company` currency at the rate in
// force on `date`, a DATE or "YYYY-MM-DD" text (or, before a currency's first rate, at that first
// rate); NULL when the currency has no rate at all. The arguments are SQL expressions over the
// query's own tables, their columns qualified ("sl.currency"): inside the rate's subquery a bare
// `currency` would be the rate's own. `company` is a currency code (checked: three capital
// letters).
std::string InCompanyCurrencySql(std::string_view amount, std::string_view currency,
                                 std::string_view date, std::string_view company);

// The company's currency as a SQL expression, for statements built before their transaction.
inline constexpr char kCompanyCurrencySql[] =
    "(SELECT cs.currency FROM company_settings cs ORDER BY cs.id LIMIT 1)";

// InCompanyCurrencySql with the company's currency read by the statement itself.
std::string InStoredCompanyCurrencySql(std::string_view amount, std::string_view currency,
                                       std::string_view date);

// The same in `target` currency (through the company's: amount / its rate × target's rate).
std::string InCurrencySql(std::string_view amount, std::string_view currency, std::string_view date,
                          std::string_view target, std::string_view company);

// A SQL expression for the rate of `currency` on `date` (see InCompanyCurrencySql).
std::string RateSql(std::string_view currency, std::string_view date);

// A SQL condition true when `currency` (an expression) cannot be converted: neither the company's
// nor with any rate.
std::string UnconvertibleSql(std::string_view currency, std::string_view company);

// GET and PUT /api/v1/company-settings (the company's currency; admins change it) and the
// /api/v1/exchange-rates resource (everyone signed in reads, admins keep them).
void RegisterCurrencyRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::settings
