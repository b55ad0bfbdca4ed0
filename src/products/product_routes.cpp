#include "products/product_routes.hpp"

#include "records/purchases.hpp"

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
  s.fields = api::FieldsOf(records::PurchaseRecord());
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
