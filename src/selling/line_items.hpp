// An opportunity's line items: the products on the deal, each a quantity at a unit list and sale
// price less a discount, in the deal's currency. While a deal has line items its amount is their
// total; they are written as a set through the opportunity (`line_items` in its body). Stateless
// functions, used within the opportunity's transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/caller.hpp"
#include "api/json.hpp"
#include "audit/audit_log.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace rapport::selling {

struct LineItem {
  std::int64_t product_id = 0;
  std::int64_t quantity = 0;
  std::int64_t list_price_minor = 0;  // a unit's, in the deal's currency
  std::int64_t sale_price_minor = 0;  // a unit's, before the discount
  std::int64_t discount_percent = 0;
  std::int64_t total_minor = 0;  // LineTotal of the above
  std::optional<std::string> description;
  std::string sku, product_name;  // the product's, as read
};

// quantity × sale price less `discount_percent`, rounded half up to the minor unit. REQUIRES:
// the limits of records::OpportunityLineItemRecord (no overflow within them).
std::int64_t LineTotal(std::int64_t quantity, std::int64_t sale_price_minor,
                       std::int64_t discount_percent);

// The body's `line_items` checked as the declaration says (problems named
// "line_items[i].field"), priced in `currency`: a list price not given is the product's when the
// product is priced in that currency, a sale price not given is the list price. nullopt when the
// body has no `line_items`.
Result<std::optional<std::vector<LineItem>>> ParseLineItems(db::Transaction& tx,
                                                            const api::Caller& caller,
                                                            const api::JsonValue& body,
                                                            std::string_view currency);

// The deal's line items in their order, with their products' SKUs and names.
Result<std::vector<LineItem>> LineItemsOf(db::Transaction& tx, std::int64_t opportunity_id);

// Replaces the deal's line items with `items`; a change goes to the deal's trail as
// "line_items" (each line as "2 × SKU at 100.00 less 10% = 180.00"). Whether they changed.
Result<bool> ReplaceLineItems(db::Transaction& tx, const audit::Actor& actor,
                              std::int64_t opportunity_id, const std::vector<LineItem>& items);

// How a deal's lines were replaced.
enum class LinesChange { kUnchanged, kAdded /* it had none */, kChanged };
// ReplaceLineItems for many deals at once, in a few statements whatever their number (imports):
// only the deals whose lines change are written. How each changed, in the order given.
Result<std::vector<LinesChange>> ReplaceLineItemsOfMany(
    db::Transaction& tx, const audit::Actor& actor,
    const std::vector<std::pair<std::int64_t, std::vector<LineItem>>>& deals);

// The line items of each of these deals (in one query), by deal.
Result<std::unordered_map<std::int64_t, std::vector<LineItem>>> LineItemsOfMany(
    db::Transaction& tx, const std::vector<std::int64_t>& opportunity_ids);

// The JSON array of a deal's `line_items`.
std::string LineItemsJson(const std::vector<LineItem>& items);

// The JSON Schemas of `line_items` as a body gives them and as the deal's JSON has them (OpenAPI).
extern const char kLineItemsSchema[];
extern const char kLineItemsJsonSchema[];

}  // namespace rapport::selling
