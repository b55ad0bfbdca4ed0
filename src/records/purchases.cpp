#include "records/purchases.hpp"

namespace rapport::records {
namespace {

Record Purchases() {
  Record r{"purchases", "purchase", {}};
  r.fields = {
      RequiredReference("account_id", "accounts"),
      RequiredReference("product_id", "products"),
      {.column = "quantity", .type = Type::kInteger, .required = true, .nullable = false, .min = 1},
      {.column = "purchased_on",
       .type = Type::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.column = "installed_on", .type = Type::kDate},
      {.column = "warranty_end", .type = Type::kDate, .filterable = true},
      {.column = "lot_expiry", .type = Type::kDate, .filterable = true},
      {.column = "renews_on",
       .type = Type::kDate,
       .filterable = true,
       .description = "when a subscription renews"},
      {.column = "contract_ref", .max_length = 100},
      {.column = "amount_minor", .type = Type::kMoney, .nullable = false, .min = 0},
      {.column = "currency", .type = Type::kCurrency, .nullable = false},
      {.column = "created_at", .type = Type::kInstant, .writable = false, .nullable = false},
  };
  for (Field& field : r.fields) field.in_files = false;
  return r;
}

}  // namespace

const Record& PurchaseRecord() {
  static const Record record = Purchases();
  return record;
}

}  // namespace rapport::records
