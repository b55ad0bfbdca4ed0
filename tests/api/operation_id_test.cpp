// The operationIds client generators turn into method names, made from a route's method and
// pattern (or its own).
#include "api/operation_id.hpp"

#include <gtest/gtest.h>

namespace rapport::api {
namespace {

const std::vector<std::string> kPatterns = {"/api/v1/accounts",
                                            "/api/v1/accounts/{id}",
                                            "/api/v1/accounts/{id}/history",
                                            "/api/v1/accounts/{id}/attachments",
                                            "/api/v1/company-settings",
                                            "/api/v1/jobs",
                                            "/api/v1/jobs/{name}/run",
                                            "/api/v1/exchange-rates/import",
                                            "/api/v1/reports/red-flags",
                                            "/api/v1/opportunities/{id}/blue-sheet",
                                            "/api/v1/case-slas",
                                            "/api/v1/case-slas/{id}",
                                            "/api/v1/message_templates",
                                            "/api/v1/message_templates/{id}"};

std::string Id(const std::string& method, const std::string& pattern, std::string own = "") {
  Route route{method, pattern};
  route.doc.operation_id = std::move(own);
  return OperationId(route, kPatterns);
}

TEST(OperationId, ACollectionIsListedAndCreatedAndOneOfItIsReadUpdatedAndDeleted) {
  EXPECT_EQ(Id("GET", "/api/v1/accounts"), "listAccounts");
  EXPECT_EQ(Id("POST", "/api/v1/accounts"), "createAccount");
  EXPECT_EQ(Id("GET", "/api/v1/accounts/{id}"), "getAccount");
  EXPECT_EQ(Id("PATCH", "/api/v1/accounts/{id}"), "updateAccount");
  EXPECT_EQ(Id("DELETE", "/api/v1/accounts/{id}"), "deleteAccount");
  EXPECT_EQ(Id("GET", "/api/v1/accounts/{id}/history"), "getAccountHistory");
  EXPECT_EQ(Id("GET", "/api/v1/case-slas"), "listCaseSlas");
  EXPECT_EQ(Id("POST", "/api/v1/case-slas"), "createCaseSla");
  EXPECT_EQ(Id("GET", "/api/v1/message_templates"), "listMessageTemplates");
}

TEST(OperationId, WhatBelongsToARecordIsNamedAfterIt) {
  EXPECT_EQ(Id("GET", "/api/v1/accounts/{id}/attachments"), "listAccountAttachments");
  EXPECT_EQ(Id("POST", "/api/v1/accounts/{id}/attachments"), "createAccountAttachment");
  EXPECT_EQ(Id("GET", "/api/v1/opportunities/{id}/blue-sheet"), "getOpportunityBlueSheet");
  EXPECT_EQ(Id("PUT", "/api/v1/opportunities/{id}/blue-sheet"), "replaceOpportunityBlueSheet");
}

TEST(OperationId, SingleThingsVerbsAndReportsReadAsEnglish) {
  EXPECT_EQ(Id("GET", "/api/v1/company-settings"), "getCompanySettings");
  EXPECT_EQ(Id("GET", "/api/v1/jobs"), "listJobs");
  EXPECT_EQ(Id("POST", "/api/v1/jobs/{name}/run"), "runJob");
  EXPECT_EQ(Id("POST", "/api/v1/exchange-rates/import"), "importExchangeRates");
  EXPECT_EQ(Id("GET", "/api/v1/reports/red-flags"), "getRedFlagsReport");
  EXPECT_EQ(Id("POST", "/api/v1/auth/login", "signIn"), "signIn");
}

}  // namespace
}  // namespace rapport::api
