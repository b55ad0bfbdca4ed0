// POST /api/v1/imports/line-items: the products on deals from a file, as Salesforce's
// OpportunityLineItem export or HubSpot's line items export write them (or Rapport's own
// columns). Each deal named in the file gets the file's lines for it, in the file's order (or by
// SortOrder), priced as the API prices them (selling/line_items.hpp), and its amount becomes
// their total. The whole file is checked first; with a problem anywhere, nothing is written.
#pragma once

#include "api/resource.hpp"

namespace rapport::selling {

void RegisterLineItemImportRoute(api::Router& router, api::ApiContext& context);

}  // namespace rapport::selling
