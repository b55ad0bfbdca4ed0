#include "products/product_routes.hpp"

namespace rapport::products {
namespace {

using api::FieldType;

api::ResourceSpec ProductSpec() {
  api::ResourceSpec s;
  s.plural = "products";
  s.singular = "product";
  s.tag = "Products";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      {.name = "sku", .required = true, .nullable = false, .sortable = true, .max_length = 60},
      {.name = "name", .required = true, .nullable = false, .sortable = true, .max_length = 200},
      {.name = "family",
       .required = true,
       .nullable = false,
       .filterable = true,
       .max_length = 100},
      {.name = "lifecycle",
       .type = FieldType::kEnum,
       .nullable = false,
       .filterable = true,
       .values = {"active", "retiring", "retired"}},
      {.name = "successor_id", .type = FieldType::kReference, .references = "products"},
      {.name = "list_price_minor",
       .type = FieldType::kInteger,
       .nullable = false,
       .min = 0,
       .description = "in minor units of currency"},
      {.name = "currency", .type = FieldType::kCurrency, .nullable = false},
  };
  return s;
}

api::ResourceSpec PurchaseSpec() {
  api::ResourceSpec s;
  s.plural = "purchases";
  s.singular = "purchase";
  s.tag = "Products";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.managers_only_delete = true;
  s.timestamps = false;
  s.fields = {
      api::RequiredReference("account_id", "accounts"),
      api::RequiredReference("product_id", "products"),
      {.name = "quantity",
       .type = FieldType::kInteger,
       .required = true,
       .nullable = false,
       .min = 1},
      {.name = "purchased_on",
       .type = FieldType::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.name = "installed_on", .type = FieldType::kDate},
      {.name = "warranty_end", .type = FieldType::kDate, .filterable = true},
      {.name = "lot_expiry", .type = FieldType::kDate, .filterable = true},
      {.name = "renews_on",
       .type = FieldType::kDate,
       .filterable = true,
       .description = "when a subscription renews"},
      {.name = "contract_ref", .max_length = 100},
      {.name = "amount_minor", .type = FieldType::kInteger, .nullable = false, .min = 0},
      {.name = "currency", .type = FieldType::kCurrency, .nullable = false},
      {.name = "created_at", .type = FieldType::kInstant, .writable = false},
  };
  s.before_write = [](api::WriteContext& w) -> Status {
    api::StampCreatedAt(w);
    return Ok();
  };
  return s;
}

}  // namespace

void RegisterProductRoutes(api::Router& router, api::ApiContext& context) {
  api::RegisterResource(router, context, ProductSpec());
  api::RegisterResource(router, context, PurchaseSpec());
}

}  // namespace rapport::products
