// The operationId of a route in the OpenAPI document, in the words client generators turn into
// method names: the route's own (RouteDoc::operation_id), or one made from its method and pattern
// (listAccounts, getAccount, createAccount, updateAccount, deleteAccount, getAccountHistory,
// listAccountAttachments, createCaseMessage, replaceOpportunityBlueSheet, runJob,
// importExchangeRates, getForecastReport).
#pragma once

#include <string>
#include <vector>

#include "api/router.hpp"

namespace rapport::api {

// `patterns`: every route's pattern, to tell a collection (`/accounts` beside `/accounts/{id}`,
// `/jobs` beside `/jobs/{name}/run`) from a single thing (`/company-settings`).
std::string OperationId(const Route& route, const std::vector<std::string>& patterns);

}  // namespace rapport::api
