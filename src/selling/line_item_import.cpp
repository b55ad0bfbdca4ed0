#include "selling/line_item_import.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/access.hpp"
#include "api/csv.hpp"
#include "api/query.hpp"
#include "core/validation.hpp"
#include "imports/cells.hpp"
#include "imports/csv_reader.hpp"
#include "imports/record_types.hpp"
#include "records/opportunities.hpp"
#include "selling/line_items.hpp"

namespace rapport::selling {
namespace {

// A file's columns, by the names Rapport, Salesforce and HubSpot give them (normalised).
struct Column {
  const char* name;
  std::vector<std::string> aliases;
  bool required;
};

const std::vector<Column>& Columns() {
  static const std::vector<Column> columns = {
      {"opportunity",
       {"opportunity", "opportunityid", "opportunityexternalid", "dealid", "associateddeal",
        "associateddealid", "deal"},
       true},
      {"product", {"product", "productcode", "sku", "productsku", "hssku"}, true},
      {"quantity", {"quantity", "qty"}, true},
      {"list_price", {"listprice"}, false},
      {"sale_price", {"saleprice", "salesprice", "unitprice", "price"}, false},
      {"discount_percent",
       {"discountpercent", "discount", "discountpercentage", "hsdiscountpercentage"},
       false},
      {"description", {"description", "linedescription", "note"}, false},
      {"position", {"position", "sortorder"}, false},
      // The line's total as the source computed it: the line must come to it.
      {"total", {"total", "totalprice", "linetotal", "netprice"}, false},
      // The source's product id, for a line with no product code (see Options).
      {"source_product", {"product2id"}, false},
      {"currency", {"currency", "currencyisocode"}, false},
  };
  return columns;
}

// "10", "12.5", "10.00", "10%" -> hundredths of a percent (1000, 1250); nullopt when it is not a
// percentage from 0 to 100 with at most two decimals.
std::optional<std::int64_t> ParseDiscountHundredths(std::string_view text) {
  if (text.ends_with('%')) text = imports::Trim(text.substr(0, text.size() - 1));
  std::int64_t hundredths = 0;
  if (text.empty() || text[0] == '-' || !imports::ParseMoney(text, hundredths) ||
      hundredths > 10'000 || text.find_first_not_of("0123456789.") != std::string_view::npos) {
    return std::nullopt;
  }
  return hundredths;
}

// "12", "12.00" -> 12; false for a fraction or anything else (Salesforce writes quantities with
// two decimals).
bool ParseWholeNumber(std::string_view text, std::int64_t& out) {
  const std::size_t dot = text.find('.');
  if (dot != std::string_view::npos) {
    const std::string_view fraction = text.substr(dot + 1);
    if (!std::all_of(fraction.begin(), fraction.end(), [](char c) { return c == '0'; })) {
      return false;
    }
    text = text.substr(0, dot);
  }
  return imports::ParseInteger(text, out);
}

// One row of the file: its cells by Rapport's column name, and its problems as they are found.
class RowCells {
 public:
  RowCells(std::int64_t line_number, const std::vector<std::string>& cells,
           const std::map<std::string, std::size_t>& at, const std::vector<std::string>& header,
           std::vector<LineItemFile::Problem>& problems)
      : line_number_(line_number), cells_(cells), at_(at), header_(header), problems_(problems) {}

  // The cell of `name`, trimmed; empty when the file has no such column.
  std::string_view operator()(const char* name) const {
    auto it = at_.find(name);
    if (it == at_.end() || it->second >= cells_.size()) return {};
    return imports::Trim(cells_[it->second]);
  }

  void Problem(const char* column, std::string message) {
    auto it = at_.find(column);
    problems_.push_back(
        {line_number_, column, it == at_.end() ? "" : header_[it->second], std::move(message)});
  }

 private:
  std::int64_t line_number_;
  const std::vector<std::string>& cells_;
  const std::map<std::string, std::size_t>& at_;
  const std::vector<std::string>& header_;
  std::vector<LineItemFile::Problem>& problems_;
};

// What a row says of its line apart from the deal and the product: the quantity, the prices and
// whole discount given, the description; and what the line is checked or placed by.
struct LineFigures {
  LineItem item;
  bool list_given = false, sale_given = false;
  std::int64_t discount_hundredths = 0;      // the discount as given, fractions kept
  std::optional<std::int64_t> source_total;  // the line's total as the source computed it
  std::int64_t position = 0;
};

// The row's figures, each one that is wrong noted as a problem.
LineFigures ReadFigures(RowCells& cell) {
  LineFigures figures;
  LineItem& item = figures.item;
  if (!ParseWholeNumber(cell("quantity"), item.quantity) || item.quantity < 1 ||
      item.quantity > 1'000'000) {
    cell.Problem("quantity", "is not a whole number from 1 to 1,000,000");
  }
  // True when the price is given (even if it is wrong).
  auto price = [&](const char* column, std::int64_t& out) {
    if (cell(column).empty()) return false;
    if (!imports::ParseMoney(cell(column), out) || out < 0 || out > records::kMaxUnitPriceMinor) {
      cell.Problem(column, "is not a price (like 1234.50)");
    }
    return true;
  };
  figures.list_given = price("list_price", item.list_price_minor);
  figures.sale_given = price("sale_price", item.sale_price_minor);
  if (!cell("discount_percent").empty()) {
    const std::optional<std::int64_t> discount = ParseDiscountHundredths(cell("discount_percent"));
    if (!discount) cell.Problem("discount_percent", "is not a percentage from 0 to 100");
    figures.discount_hundredths = discount.value_or(0);
    item.discount_percent = figures.discount_hundredths / 100;
  }
  if (!cell("total").empty()) {
    std::int64_t total = 0;
    if (!imports::ParseMoney(cell("total"), total) || total < 0) {
      cell.Problem("total", "is not an amount (like 1234.50)");
    }
    figures.source_total = total;
  }
  if (figures.discount_hundredths % 100 != 0 && !figures.source_total) {
    cell.Problem("discount_percent",
                 "is not a whole percentage, and no total says what the line comes to");
  }
  if (!cell("description").empty()) {
    if (Utf8Characters(cell("description")) > 500) {
      cell.Problem("description", "is longer than 500 characters");
    }
    item.description = std::string(cell("description"));
  }
  if (!cell("position").empty() && !imports::ParseInteger(cell("position"), figures.position)) {
    cell.Problem("position", "is not a whole number");
  }
  return figures;
}

}  // namespace

LineItemFile::LineItemFile(db::Transaction& tx, Options options) : tx_(tx), options_(options) {}

Status LineItemFile::Read(imports::RecordSource& in) {
  std::vector<std::string> header;
  RAPPORT_ASSIGN_OR_RETURN(bool any, in.Next(header));
  if (!any) return Error::InvalidField("body", "is empty");
  header_ = header;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string key = imports::NormalizeHeader(header[i]);
    for (const Column& c : Columns()) {
      if (std::find(c.aliases.begin(), c.aliases.end(), key) != c.aliases.end() &&
          at_.emplace(c.name, i).second) {
        columns_.emplace_back(c.name, header[i]);
      }
    }
  }
  for (const Column& c : Columns()) {
    if (c.required && !at_.count(c.name)) {
      return Error::InvalidField("body", std::string("has no ") + c.name +
                                             " column (Salesforce's OpportunityId, "
                                             "ProductCode and Quantity, for example)");
    }
  }
  // The rows first, then what they name looked up a few hundred at a time, then each row
  // checked: a round trip per deal would cost PostgreSQL minutes on a large file.
  std::vector<std::pair<std::int64_t, std::vector<std::string>>> rows;
  std::vector<std::string> cells;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, in.Next(cells));
    if (!more) break;
    rows.emplace_back(in.line(), cells);
  }
  RAPPORT_RETURN_IF_ERROR(Prefetch(rows));
  for (const auto& [line, row] : rows) {
    if (problems_.size() >= options_.max_problems) break;
    ++rows_;
    RAPPORT_RETURN_IF_ERROR(ReadRow(line, row));
  }
  return Ok();
}

Status LineItemFile::Prefetch(
    const std::vector<std::pair<std::int64_t, std::vector<std::string>>>& rows) {
  std::set<std::string> deals, skus;
  const auto cell = [&](const std::vector<std::string>& row, const char* name) {
    auto it = at_.find(name);
    return it == at_.end() || it->second >= row.size()
               ? std::string()
               : std::string(imports::Trim(row[it->second]));
  };
  for (const auto& [line, row] : rows) {
    if (!cell(row, "opportunity").empty()) deals.insert(cell(row, "opportunity"));
    if (!cell(row, "product").empty()) skus.insert(cell(row, "product"));
  }
  const auto fetch = [&](const std::set<std::string>& keys, const std::string& select,
                         const auto& keep) -> Status {
    std::vector<std::string> all(keys.begin(), keys.end());
    constexpr std::size_t kPerQuery = 500;
    for (std::size_t from = 0; from < all.size(); from += kPerQuery) {
      const std::size_t to = std::min(all.size(), from + kPerQuery);
      db::Params params;
      std::string in;
      for (std::size_t k = from; k < to; ++k) {
        in += k == from ? "?" : ", ?";
        params.push_back(all[k]);
      }
      RAPPORT_ASSIGN_OR_RETURN(db::Rows found, tx_.Query(select + in + ")", params));
      for (const db::Row& r : found) keep(r);
    }
    return Ok();
  };
  // "#id" keys are not external ids: FindDeal reads them one by one.
  std::erase_if(deals, [](const std::string& key) { return key.starts_with('#'); });
  for (const std::string& key : deals) deal_cache_.emplace(key, std::nullopt);
  for (const std::string& sku : skus) product_cache_.emplace(sku, std::nullopt);
  RAPPORT_RETURN_IF_ERROR(fetch(
      deals,
      "SELECT external_id, id, currency, amount_minor FROM opportunities WHERE external_id IN (",
      [&](const db::Row& r) {
        deal_cache_[r.Text("external_id")] =
            Deal{r.Int("id"), r.Text("currency"), r.Int("amount_minor")};
      }));
  return fetch(
      skus, "SELECT sku, id, name, currency, list_price_minor FROM products WHERE sku IN (",
      [&](const db::Row& r) {
        product_cache_[r.Text("sku")] = Product{r.Int("id"), r.Text("sku"), r.Text("name"),
                                                r.Text("currency"), r.Int("list_price_minor")};
      });
}

Result<LineItemFile::Written> LineItemFile::Write(const audit::Actor& actor) {
  Written written;
  std::vector<std::pair<std::int64_t, std::vector<LineItem>>> sets;
  std::vector<std::int64_t> totals;
  for (auto& [id, deal] : deals_) {
    std::stable_sort(deal.lines.begin(), deal.lines.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<LineItem> items;
    std::int64_t total = 0;
    for (const auto& [position, item] : deal.lines) {
      total += item.total_minor;
      items.push_back(item);
    }
    sets.emplace_back(id, std::move(items));
    totals.push_back(total);
  }
  RAPPORT_ASSIGN_OR_RETURN(std::vector<LinesChange> lines,
                           ReplaceLineItemsOfMany(tx_, actor, sets));
  // Each deal's amount becomes its lines' total; a deal whose lines changed moves its ETag on.
  std::vector<db::Statement> updates;
  std::vector<std::int64_t> touched;  // the deals whose lines changed and amount did not
  std::vector<audit::FieldChange> trail;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    const std::int64_t id = sets[i].first;
    const std::int64_t was = deals_[id].deal.amount_minor;
    const bool amount_changed = was != totals[i];
    if (amount_changed) {
      updates.push_back(
          {"UPDATE opportunities SET amount_minor = ?, updated_at = ?, version = "
           "version + 1 WHERE id = ?",
           {totals[i], actor.at, id}});
      trail.push_back({id, "amount_minor", std::to_string(was), std::to_string(totals[i])});
    } else if (lines[i] != LinesChange::kUnchanged) {
      touched.push_back(id);
    }
    const auto n = static_cast<std::int64_t>(sets[i].second.size());
    if (amount_changed || lines[i] != LinesChange::kUnchanged) {
      ++written.deals_changed;
      (lines[i] == LinesChange::kAdded ? written.lines_created : written.lines_changed) += n;
    } else {
      written.lines_unchanged += n;
    }
  }
  constexpr std::size_t kPerBatch = 500;
  for (std::size_t from = 0; from < touched.size(); from += kPerBatch) {
    const std::vector<std::int64_t> ids(
        touched.begin() + from, touched.begin() + std::min(touched.size(), from + kPerBatch));
    db::Params params = {actor.at};
    const std::string in = db::IdPlaceholders(ids, params);
    RAPPORT_RETURN_IF_ERROR(tx_.Execute(
        "UPDATE opportunities SET updated_at = ?, version = version + 1 WHERE id IN (" + in + ")",
        params));
  }
  for (std::size_t from = 0; from < updates.size(); from += kPerBatch) {
    const std::vector<db::Statement> batch(
        updates.begin() + from, updates.begin() + std::min(updates.size(), from + kPerBatch));
    auto done = tx_.QueryAll(batch);
    if (!done.ok()) return done.error();
  }
  RAPPORT_RETURN_IF_ERROR(audit::RecordFieldChanges(tx_, actor, "opportunities", trail));
  return written;
}

Status LineItemFile::ReadRow(std::int64_t line_number, const std::vector<std::string>& cells) {
  RowCells cell(line_number, cells, at_, header_, problems_);
  const std::size_t before = problems_.size();
  RAPPORT_ASSIGN_OR_RETURN(std::optional<Deal> deal, FindDeal(cell("opportunity")));
  if (!deal) {
    cell.Problem("opportunity", "'" + std::string(cell("opportunity")) +
                                    "' is not the external id of an opportunity");
  }
  std::optional<Product> product;
  if (const auto* by_id = options_.products_by_source_id;
      cell("product").empty() && by_id && by_id->count(std::string(cell("source_product")))) {
    RAPPORT_ASSIGN_OR_RETURN(product,
                             FindProductById(by_id->at(std::string(cell("source_product")))));
  } else {
    RAPPORT_ASSIGN_OR_RETURN(product, FindProduct(cell("product")));
  }
  if (!product) {
    cell.Problem(
        "product",
        "'" + std::string(cell("product").empty() ? cell("source_product") : cell("product")) +
            "' is not the SKU of a product");
  }
  LineFigures figures = ReadFigures(cell);
  LineItem& item = figures.item;
  if (deal && !cell("currency").empty() && cell("currency") != deal->currency) {
    cell.Problem("currency", "is not the deal's currency, " + deal->currency);
  }
  if (!deal || !product || problems_.size() > before) return Ok();
  if (!figures.list_given) {
    if (product->currency != deal->currency) {
      cell.Problem("list_price", "is needed: " + product->sku + " is priced in " +
                                     product->currency + " and the deal in " + deal->currency);
      return Ok();
    }
    item.list_price_minor = std::min(product->list_price_minor, records::kMaxUnitPriceMinor);
  }
  if (!figures.sale_given) item.sale_price_minor = item.list_price_minor;
  if (figures.discount_hundredths % 100 != 0) {
    // Discounts are whole percents: a fraction is kept as the unit price it comes to, when the
    // source's total says it to the minor unit.
    if (*figures.source_total % item.quantity != 0) {
      cell.Problem("discount_percent",
                   "is not a whole percentage, and the line's total does not divide into whole "
                   "units of currency per item");
      return Ok();
    }
    item.sale_price_minor = *figures.source_total / item.quantity;
    item.discount_percent = 0;
  }
  item.product_id = product->id;
  item.sku = product->sku;
  item.product_name = product->name;
  item.total_minor = LineTotal(item.quantity, item.sale_price_minor, item.discount_percent);
  if (figures.source_total && *figures.source_total != item.total_minor) {
    cell.Problem("total", "is not what the line comes to, " +
                              std::to_string(item.total_minor / 100) + "." +
                              (item.total_minor % 100 < 10 ? "0" : "") +
                              std::to_string(item.total_minor % 100));
    return Ok();
  }
  DealLines& lines = deals_[deal->id];
  lines.deal = *deal;
  if (lines.lines.size() >= records::kMaxLineItems) {
    cell.Problem("opportunity",
                 "has more than " + std::to_string(records::kMaxLineItems) + " lines in the file");
    return Ok();
  }
  lines.lines.emplace_back(figures.position, std::move(item));
  return Ok();
}

Result<std::optional<LineItemFile::Deal>> LineItemFile::FindDeal(std::string_view key) {
  if (key.empty()) return std::optional<Deal>();
  auto it = deal_cache_.find(std::string(key));
  if (it != deal_cache_.end()) return it->second;
  // "#42" is deal 42 itself (the export writes that for a deal without an external id).
  std::int64_t id = 0;
  const bool by_id = key.size() > 1 && key[0] == '#' &&
                     key.find_first_not_of("0123456789", 1) == std::string_view::npos &&
                     imports::ParseInteger(key.substr(1), id);
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      by_id
          ? tx_.QueryOne("SELECT id, currency, amount_minor FROM opportunities WHERE id = ?", {id})
          : tx_.QueryOne("SELECT id, currency, amount_minor FROM opportunities WHERE "
                         "external_id = ?",
                         {std::string(key)}));
  std::optional<Deal> deal;
  if (row) deal = Deal{row->Int("id"), row->Text("currency"), row->Int("amount_minor")};
  deal_cache_.emplace(std::string(key), deal);
  return deal;
}

Result<std::optional<LineItemFile::Product>> LineItemFile::FindProductById(std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx_.QueryOne("SELECT id, sku, name, currency, list_price_minor FROM products WHERE id = ?",
                   {id}));
  if (!row) return std::optional<Product>();
  return std::optional<Product>(Product{row->Int("id"), row->Text("sku"), row->Text("name"),
                                        row->Text("currency"), row->Int("list_price_minor")});
}

Result<std::optional<LineItemFile::Product>> LineItemFile::FindProduct(std::string_view sku) {
  if (sku.empty()) return std::optional<Product>();
  auto it = product_cache_.find(std::string(sku));
  if (it != product_cache_.end()) return it->second;
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx_.QueryOne("SELECT id, sku, name, currency, list_price_minor FROM products WHERE sku = ?",
                   {std::string(sku)}));
  std::optional<Product> product;
  if (row) {
    product = Product{row->Int("id"), row->Text("sku"), row->Text("name"), row->Text("currency"),
                      row->Int("list_price_minor")};
  }
  product_cache_.emplace(std::string(sku), product);
  return product;
}

namespace {

Result<api::Response> ImportLineItems(api::ApiContext& ctx, const api::Request& r,
                                      const api::Caller& c) {
  const audit::Actor actor{c.user_id, ctx.clock.Now()};
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    LineItemFile file(tx);
    imports::CsvReader in(imports::MemorySource(r.body));
    RAPPORT_RETURN_IF_ERROR(file.Read(in));
    if (!file.problems().empty()) {
      const std::size_t n = file.problems().size();
      std::vector<FieldError> errors;
      for (const LineItemFile::Problem& p : file.problems()) {
        errors.push_back({"line " + std::to_string(p.line) + "." + p.column, p.message});
      }
      return Error(ErrorCode::kInvalidArgument,
                   std::to_string(n) + (n >= 100 ? " problems or more" : " problems") +
                       " in the file; nothing imported",
                   std::move(errors));
    }
    RAPPORT_ASSIGN_OR_RETURN(LineItemFile::Written written, file.Write(actor));
    const std::int64_t changed = written.deals_changed;
    w.StartObject()
        .Key("rows")
        .Int(file.rows())
        .Key("opportunities")
        .Int(static_cast<std::int64_t>(file.deals().size()))
        .Key("changed")
        .Int(changed)
        .EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

// A minor amount as the file writes money: "1234.50".
std::string Decimal(std::int64_t minor) {
  return std::to_string(minor / 100) + "." + (minor % 100 < 10 ? "0" : "") +
         std::to_string(minor % 100);
}

// The lines of the deals in the caller's reach, in the columns the import reads (a deal by its
// external id, "#id" when it has none), streamed a page at a time: imported back, nothing
// changes.
Result<api::Response> ExportLineItems(api::ApiContext& ctx, const api::Request& r,
                                      const api::Caller& c) {
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Finish());
  struct Progress {
    std::int64_t after = 0;  // the last line sent
    bool header_sent = false;
  };
  auto progress = std::make_shared<Progress>();
  db::Database& database = ctx.database;
  const std::string sql =
      "SELECT l.id, coalesce(o.external_id, '#' || o.id) AS opportunity, p.sku, l.quantity, "
      "l.list_price_minor, l.sale_price_minor, l.discount_percent, l.description, l.position, "
      "l.total_minor, o.currency FROM opportunity_line_items l JOIN opportunities o ON o.id = "
      "l.opportunity_id JOIN accounts a ON a.id = o.account_id JOIN products p ON p.id = "
      "l.product_id WHERE l.id > ? AND " +
      api::AccountReachCondition(c, "a") + " ORDER BY l.id LIMIT 5000";
  return api::Response::StreamedDownload(
      [progress, sql, &database](std::string& out) -> Result<bool> {
        api::CsvWriter csv;
        if (!progress->header_sent) {
          progress->header_sent = true;
          for (const char* h :
               {"opportunity", "product", "quantity", "list_price", "sale_price",
                "discount_percent", "description", "position", "total", "currency"}) {
            csv.Cell(h);
          }
          csv.EndRow();
        }
        db::Rows rows;
        RAPPORT_RETURN_IF_ERROR(database.Read([&](db::Transaction& tx) -> Status {
          RAPPORT_ASSIGN_OR_RETURN(rows, tx.Query(sql, {progress->after}));
          return Ok();
        }));
        for (const db::Row& row : rows) {
          csv.Cell(row.Text("opportunity"));
          csv.Cell(row.Text("sku"));
          csv.Cell(row.Text("quantity"));
          csv.Cell(Decimal(row.Int("list_price_minor")));
          csv.Cell(Decimal(row.Int("sale_price_minor")));
          csv.Cell(row.Text("discount_percent"));
          csv.Cell(row.Text("description"));
          csv.Cell(row.Text("position"));
          csv.Cell(Decimal(row.Int("total_minor")));
          csv.Cell(row.Text("currency"));
          csv.EndRow();
          progress->after = row.Int("id");
        }
        out = csv.Take();
        return !rows.empty();
      },
      "text/csv; charset=utf-8", "line-items.csv");
}

}  // namespace

void RegisterLineItemImportRoute(api::Router& router, api::ApiContext& ctx) {
  // Registered before imports' /api/v1/exports/{type} (selling's routes come first), which would
  // otherwise take the path.
  router.Add(
      {"GET",
       "/api/v1/exports/line-items",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return ExportLineItems(ctx, r, c); },
       {"Export the products on the deals in reach as CSV, in the columns "
        "POST /api/v1/imports/line-items reads, so an edited export imports back",
        "Opportunities",
        {},
        "",
        "",
        200,
        "exportLineItems"}});
  api::Route import{
      "POST",
      "/api/v1/imports/line-items",
      api::Access::kAdmins,
      api::Reach::None("admins import for the whole company"),
      [&ctx](const api::Request& r, const api::Caller& c) { return ImportLineItems(ctx, r, c); },
      {"Import the products on deals (CSV: opportunity (external id), product (SKU), quantity, "
       "list_price, sale_price, discount_percent, description, position; or Salesforce's "
       "OpportunityLineItem export: OpportunityId, ProductCode, Quantity, ListPrice, UnitPrice, "
       "Discount, Description, SortOrder). Each deal in the file gets the file's lines and its "
       "amount becomes their total; with a problem anywhere, nothing is written",
       "Opportunities",
       {},
       "",
       R"({"type":"object","properties":{"rows":{"type":"integer"},"opportunities":{"type":"integer"},"changed":{"type":"integer"}},"required":["rows","opportunities","changed"]})",
       200,
       "importLineItems"}};
  import.body_type = "text/csv";
  router.Add(std::move(import));
}

}  // namespace rapport::selling
