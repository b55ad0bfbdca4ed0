#include "selling/line_items.hpp"

#include <algorithm>

#include "api/resource.hpp"
#include "records/opportunities.hpp"

namespace rapport::selling {
namespace {

// The fields a caller gives for a line, from the declaration.
const std::vector<api::FieldSpec>& LineFields() {
  static const std::vector<api::FieldSpec> fields = [] {
    std::vector<api::FieldSpec> all = api::FieldsOf(records::OpportunityLineItemRecord());
    std::erase_if(all, [](const api::FieldSpec& f) { return !f.writable; });
    return all;
  }();
  return fields;
}

// 123456 -> "1234.56"
std::string Amount(std::int64_t minor) {
  std::string cents = std::to_string(minor % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return std::to_string(minor / 100) + "." + cents;
}

// One line as the trail writes it: "2 × P-1 at 100.00 (list 120.00) less 10% = 180.00 (note)".
std::string Describe(const LineItem& item) {
  std::string out =
      std::to_string(item.quantity) + " × " + item.sku + " at " + Amount(item.sale_price_minor);
  if (item.list_price_minor != item.sale_price_minor) {
    out += " (list " + Amount(item.list_price_minor) + ")";
  }
  if (item.discount_percent > 0) out += " less " + std::to_string(item.discount_percent) + "%";
  out += " = " + Amount(item.total_minor);
  if (item.description) out += " (" + *item.description + ")";
  return out;
}

std::optional<std::string> Describe(const std::vector<LineItem>& items) {
  if (items.empty()) return std::nullopt;
  std::string out;
  for (const LineItem& item : items) out += (out.empty() ? "" : "; ") + Describe(item);
  return out;
}

std::int64_t IntOr(const db::Value& value, std::int64_t fallback) {
  return std::holds_alternative<std::int64_t>(value) ? std::get<std::int64_t>(value) : fallback;
}

}  // namespace

const char kLineItemsSchema[] =
    R"j({"type":"array","maxItems":500,"description":"the products on the deal, in order; given, they replace the deal's lines and its amount becomes their total (empty: none, and the amount is the caller's again)","items":{"type":"object","properties":{"product_id":{"type":"string"},"quantity":{"type":"integer","minimum":1,"maximum":1000000},"list_price_minor":{"type":"integer","minimum":0,"maximum":10000000000,"description":"a unit's list price in the deal's currency (default: the product's, when it is priced in that currency)"},"sale_price_minor":{"type":"integer","minimum":0,"maximum":10000000000,"description":"a unit's price before the discount (default: the list price)"},"discount_percent":{"type":"integer","minimum":0,"maximum":100},"description":{"type":["string","null"],"maxLength":500}},"required":["product_id","quantity"],"additionalProperties":false}})j";

const char kLineItemsJsonSchema[] =
    R"j({"type":"array","description":"the products on the deal, in order; while there are any, the deal's amount is their total","items":{"type":"object","properties":{"product_id":{"type":"string"},"sku":{"type":"string"},"product_name":{"type":"string"},"quantity":{"type":"integer"},"list_price_minor":{"type":"integer"},"sale_price_minor":{"type":"integer"},"discount_percent":{"type":"integer"},"total_minor":{"type":"integer","description":"quantity × sale price less the discount"},"description":{"type":["string","null"]}},"required":["product_id","sku","product_name","quantity","list_price_minor","sale_price_minor","discount_percent","total_minor","description"]}})j";

std::int64_t LineTotal(std::int64_t quantity, std::int64_t sale_price_minor,
                       std::int64_t discount_percent) {
  const std::int64_t gross = quantity * sale_price_minor;
  const std::int64_t kept = 100 - discount_percent;
  return gross / 100 * kept + ((gross % 100) * kept + 50) / 100;
}

Result<std::optional<std::vector<LineItem>>> ParseLineItems(db::Transaction& tx,
                                                            const api::Caller& caller,
                                                            const api::JsonValue& body,
                                                            std::string_view currency) {
  RAPPORT_ASSIGN_OR_RETURN(
      auto parsed, api::ParseItems(tx, caller, body, "line_items", LineFields(), "a line item"));
  if (!parsed) return std::optional<std::vector<LineItem>>();
  if (parsed->size() > records::kMaxLineItems) {
    return Error::InvalidField(
        "line_items", "has more than " + std::to_string(records::kMaxLineItems) + " lines");
  }
  std::vector<LineItem> items;
  for (std::size_t i = 0; i < parsed->size(); ++i) {
    const audit::FieldValues& values = (*parsed)[i];
    const std::string at = "line_items[" + std::to_string(i) + "]";
    LineItem item;
    item.product_id = std::get<std::int64_t>(api::ValueOf(values, "product_id"));
    item.quantity = std::get<std::int64_t>(api::ValueOf(values, "quantity"));
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> product,
        tx.QueryOne("SELECT sku, name, list_price_minor, currency FROM products WHERE id = ?",
                    {item.product_id}));
    if (!product) return Error::InvalidField(at + ".product_id", "is no product");
    item.sku = product->Text("sku");
    item.product_name = product->Text("name");
    const db::Value list_price = api::ValueOf(values, "list_price_minor");
    if (std::holds_alternative<std::int64_t>(list_price)) {
      item.list_price_minor = std::get<std::int64_t>(list_price);
    } else if (product->Text("currency") == currency) {
      item.list_price_minor =
          std::min(product->Int("list_price_minor"), records::kMaxUnitPriceMinor);
    } else {
      return Error::InvalidField(at + ".list_price_minor",
                                 "is needed: " + item.sku + " is priced in " +
                                     product->Text("currency") + " and the deal in " +
                                     std::string(currency));
    }
    item.sale_price_minor = IntOr(api::ValueOf(values, "sale_price_minor"), item.list_price_minor);
    item.discount_percent = IntOr(api::ValueOf(values, "discount_percent"), 0);
    item.total_minor = LineTotal(item.quantity, item.sale_price_minor, item.discount_percent);
    const db::Value description = api::ValueOf(values, "description");
    if (std::holds_alternative<std::string>(description)) {
      item.description = std::get<std::string>(description);
    }
    items.push_back(std::move(item));
  }
  return std::optional<std::vector<LineItem>>(std::move(items));
}

Result<std::unordered_map<std::int64_t, std::vector<LineItem>>> LineItemsOfMany(
    db::Transaction& tx, const std::vector<std::int64_t>& opportunity_ids) {
  std::unordered_map<std::int64_t, std::vector<LineItem>> out;
  if (opportunity_ids.empty()) return out;
  db::Params params;
  const std::string in = db::IdPlaceholders(opportunity_ids, params);
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT l.opportunity_id, l.product_id, l.quantity, l.list_price_minor, "
               "l.sale_price_minor, l.discount_percent, l.total_minor, l.description, p.sku, "
               "p.name AS product_name FROM opportunity_line_items l JOIN products p ON p.id = "
               "l.product_id WHERE l.opportunity_id IN (" +
                   in + ") ORDER BY l.opportunity_id, l.position",
               params));
  if (rows.empty()) return out;
  // A bulk import reads up to 500 deals' lines per query here: the columns are found once.
  const db::Row& first = rows.front();
  const std::size_t opportunity_id = first.IndexOf("opportunity_id");
  const std::size_t product_id = first.IndexOf("product_id");
  const std::size_t quantity = first.IndexOf("quantity");
  const std::size_t list_price = first.IndexOf("list_price_minor");
  const std::size_t sale_price = first.IndexOf("sale_price_minor");
  const std::size_t discount = first.IndexOf("discount_percent");
  const std::size_t total = first.IndexOf("total_minor");
  const std::size_t description = first.IndexOf("description");
  const std::size_t sku = first.IndexOf("sku");
  const std::size_t product_name = first.IndexOf("product_name");
  for (const db::Row& row : rows) {
    out[row.Int(opportunity_id)].push_back({.product_id = row.Int(product_id),
                                            .quantity = row.Int(quantity),
                                            .list_price_minor = row.Int(list_price),
                                            .sale_price_minor = row.Int(sale_price),
                                            .discount_percent = row.Int(discount),
                                            .total_minor = row.Int(total),
                                            .description = row.OptText(description),
                                            .sku = row.Text(sku),
                                            .product_name = row.Text(product_name)});
  }
  return out;
}

Result<std::vector<LineItem>> LineItemsOf(db::Transaction& tx, std::int64_t opportunity_id) {
  RAPPORT_ASSIGN_OR_RETURN(auto many, LineItemsOfMany(tx, {opportunity_id}));
  return std::move(many[opportunity_id]);
}

Result<std::vector<LinesChange>> ReplaceLineItemsOfMany(
    db::Transaction& tx, const audit::Actor& actor,
    const std::vector<std::pair<std::int64_t, std::vector<LineItem>>>& deals) {
  std::vector<LinesChange> changed(deals.size(), LinesChange::kUnchanged);
  std::vector<audit::FieldChange> trail;
  std::vector<std::size_t> rewritten;  // indexes into `deals`
  constexpr std::size_t kPerQuery = 500;
  for (std::size_t from = 0; from < deals.size(); from += kPerQuery) {
    const std::size_t to = std::min(deals.size(), from + kPerQuery);
    std::vector<std::int64_t> ids;
    for (std::size_t i = from; i < to; ++i) ids.push_back(deals[i].first);
    RAPPORT_ASSIGN_OR_RETURN(auto before, LineItemsOfMany(tx, ids));
    std::vector<std::int64_t> stale;
    for (std::size_t i = from; i < to; ++i) {
      const std::optional<std::string> was = Describe(before[deals[i].first]);
      const std::optional<std::string> now = Describe(deals[i].second);
      if (was == now) continue;
      changed[i] = was ? LinesChange::kChanged : LinesChange::kAdded;
      rewritten.push_back(i);
      stale.push_back(deals[i].first);
      trail.push_back({deals[i].first, "line_items", was, now});
    }
    if (stale.empty()) continue;
    db::Params params;
    const std::string in = db::IdPlaceholders(stale, params);
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "DELETE FROM opportunity_line_items WHERE opportunity_id IN (" + in + ")", params));
  }
  if (!rewritten.empty()) {
    RAPPORT_ASSIGN_OR_RETURN(
        std::unique_ptr<db::BulkLoader> loader,
        tx.Load("opportunity_line_items",
                {"opportunity_id", "position", "product_id", "quantity", "list_price_minor",
                 "sale_price_minor", "discount_percent", "total_minor", "description"}));
    for (std::size_t i : rewritten) {
      const auto& [opportunity_id, items] = deals[i];
      for (std::size_t k = 0; k < items.size(); ++k) {
        const LineItem& item = items[k];
        RAPPORT_RETURN_IF_ERROR(loader->Add(db::Params{
            opportunity_id, static_cast<std::int64_t>(k + 1), item.product_id, item.quantity,
            item.list_price_minor, item.sale_price_minor, item.discount_percent, item.total_minor,
            item.description ? db::Value(*item.description) : db::Null()}));
      }
    }
    RAPPORT_RETURN_IF_ERROR(loader->Finish());
  }
  RAPPORT_RETURN_IF_ERROR(audit::RecordFieldChanges(tx, actor, "opportunities", trail));
  return changed;
}

Result<bool> ReplaceLineItems(db::Transaction& tx, const audit::Actor& actor,
                              std::int64_t opportunity_id, const std::vector<LineItem>& items) {
  RAPPORT_ASSIGN_OR_RETURN(std::vector<LinesChange> changed,
                           ReplaceLineItemsOfMany(tx, actor, {{opportunity_id, items}}));
  return changed.front() != LinesChange::kUnchanged;
}

std::string LineItemsJson(const std::vector<LineItem>& items) {
  api::JsonWriter w;
  w.StartArray();
  for (const LineItem& item : items) {
    w.StartObject()
        .Key("product_id")
        .String(api::FormatId(item.product_id))
        .Key("sku")
        .String(item.sku)
        .Key("product_name")
        .String(item.product_name)
        .Key("quantity")
        .Int(item.quantity)
        .Key("list_price_minor")
        .Int(item.list_price_minor)
        .Key("sale_price_minor")
        .Int(item.sale_price_minor)
        .Key("discount_percent")
        .Int(item.discount_percent)
        .Key("total_minor")
        .Int(item.total_minor)
        .Key("description")
        .OptString(item.description)
        .EndObject();
  }
  w.EndArray();
  return w.Take();
}

}  // namespace rapport::selling
