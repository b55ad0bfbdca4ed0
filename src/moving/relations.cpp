#include "moving/relations.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "core/validation.hpp"
#include "imports/cells.hpp"
#include "moving/source_files.hpp"
#include "records/opportunities.hpp"
#include "selling/line_items.hpp"
#include "selling/opportunity_store.hpp"

namespace rapport::moving {
namespace {

using imports::ImportReport;
using imports::Trim;

// The file's header, read through its profile, and a way to find its columns.
struct Header {
  std::vector<std::string> names;
  // The first column named any of `keys` (normalised), noted in the report as giving `field`.
  std::optional<std::size_t> Find(std::initializer_list<std::string_view> keys,
                                  std::string_view field, ImportReport& report) const {
    for (std::string_view key : keys) {
      if (auto i = IndexOf(names, key)) {
        report.columns.emplace_back(std::string(field), names[*i]);
        return i;
      }
    }
    return std::nullopt;
  }
};

// Opens `file` and reads its header; the rows follow from `records`.
Result<std::unique_ptr<ProfiledRecords>> OpenWithHeader(const BookFile& file, Source source,
                                                        Header& header) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records, OpenProfiled(file, source));
  RAPPORT_ASSIGN_OR_RETURN(bool any, records->Next(header.names));
  if (!any) return Error(ErrorCode::kMalformed, "the file is empty: it needs a header row");
  return records;
}

std::string Cell(const std::vector<std::string>& row, std::optional<std::size_t> i) {
  return i && *i < row.size() ? std::string(Trim(row[*i])) : std::string();
}

void Reject(ImportReport& report, std::int64_t line, const std::string& column,
            std::string problem) {
  ++report.rejected;
  if (report.rejections.size() < imports::kRejectionsKept) {
    report.rejections.push_back({line, column, std::move(problem)});
  }
}

void AddCheck(std::vector<BookCheck>& checks, const BookFile& file, std::string what,
              std::string expected, std::string found) {
  const bool ok = expected == found;
  checks.push_back({file.name, std::move(what), std::move(expected), std::move(found), ok});
}

// A record of the book by its external id: its id and account (and a deal's currency).
struct Known {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string currency;
};

Result<std::unordered_map<std::string, Known>> KnownByExternalId(db::Transaction& tx,
                                                                 const std::string& table) {
  const bool deals = table == "opportunities";
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT external_id, id, account_id" + std::string(deals ? ", currency" : "") +
               " FROM " + table + " WHERE external_id IS NOT NULL"));
  std::unordered_map<std::string, Known> known;
  for (const db::Row& r : rows) {
    known[r.Text(0)] = {r.Int(1), r.Int(2), deals ? r.Text(3) : std::string()};
  }
  return known;
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// Salesforce's contact roles (and people's words for them) as the buying influences.
std::string BuyingRoleOf(std::string_view role) {
  static const std::map<std::string, std::string> kRoles = {
      {"economicbuyer", "economic_buyer"},
      {"economicdecisionmaker", "economic_buyer"},
      {"decisionmaker", "economic_buyer"},
      {"budgetholder", "economic_buyer"},
      {"userbuyer", "user_buyer"},
      {"businessuser", "user_buyer"},
      {"user", "user_buyer"},
      {"enduser", "user_buyer"},
      {"clinicaluser", "user_buyer"},
      {"technicalbuyer", "technical_buyer"},
      {"evaluator", "technical_buyer"},
      {"technicalevaluator", "technical_buyer"},
      {"coach", "coach"},
      {"champion", "coach"},
  };
  auto it = kRoles.find(imports::NormalizeHeader(role));
  return it == kRoles.end() ? "other" : it->second;
}

// "2", "2.0", "2.00" -> 2; nullopt for a fraction or anything else.
std::optional<std::int64_t> WholeNumber(std::string_view text) {
  const std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  if (dot != std::string_view::npos) {
    for (char c : text.substr(dot + 1)) {
      if (c != '0') return std::nullopt;
    }
  }
  std::int64_t n = 0;
  if (!imports::ParseInteger(whole, n)) return std::nullopt;
  return n;
}

// A percent with up to two decimals ("12.5", "10.00", "10%") in hundredths of a percent.
std::optional<std::int64_t> PercentHundredths(std::string_view text) {
  if (text.ends_with('%')) text.remove_suffix(1);
  std::int64_t hundredths = 0;
  if (!imports::ParseMoney(text, hundredths) || hundredths < 0 || hundredths > 10'000) {
    return std::nullopt;
  }
  return hundredths;
}

}  // namespace

Status ImportProducts(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  const auto id = header.Find({"id", "recordid", "productid"}, "external_id", report);
  const auto sku = header.Find({"productcode", "sku", "code"}, "sku", report);
  const auto name = header.Find({"name", "productname"}, "name", report);
  const auto family = header.Find({"family", "productfamily", "producttype"}, "family", report);
  if (!sku && !id) {
    return Error(ErrorCode::kMalformed, "no column gives a product's code (ProductCode, SKU)");
  }
  std::unordered_map<std::string, std::int64_t> by_sku;
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, context.tx.Query("SELECT sku, id FROM products"));
  for (const db::Row& r : rows) by_sku[r.Text(0)] = r.Int(1);
  std::set<std::string> in_file;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    // A product without a code is known by the source's id.
    const std::string code = Cell(row, sku).empty() ? Cell(row, id) : Cell(row, sku);
    if (code.empty()) {
      Reject(report, records->line(), sku ? header.names[*sku] : "", "a product needs a code");
      continue;
    }
    if (code.size() > 100) {
      Reject(report, records->line(), sku ? header.names[*sku] : header.names[*id],
             "is longer than 100 characters");
      continue;
    }
    in_file.insert(code);
    auto known = by_sku.find(code);
    std::int64_t product_id = 0;
    if (known != by_sku.end()) {
      product_id = known->second;
      ++report.unchanged;
    } else {
      std::string product_name = Cell(row, name).empty() ? code : Cell(row, name);
      std::string product_family = Cell(row, family).empty() ? "other" : Cell(row, family);
      RAPPORT_ASSIGN_OR_RETURN(product_id,
                               audit::InsertAudited(context.tx, context.actor, "products",
                                                    {{"sku", code},
                                                     {"name", product_name.substr(0, 300)},
                                                     {"family", product_family.substr(0, 100)}}));
      by_sku[code] = product_id;
      ++report.created;
    }
    if (!Cell(row, id).empty()) context.products_by_source_id[Cell(row, id)] = product_id;
    context.products_by_source_id[code] = product_id;
  }
  std::int64_t found = 0;
  for (const std::string& code : in_file) found += by_sku.count(code);
  AddCheck(checks, file, "products", WithCommas(static_cast<std::int64_t>(in_file.size())),
           WithCommas(found));
  return Ok();
}

Status ImportContactRoles(RelationContext& context, BookFile& file,
                          std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  // Salesforce: a row per role. HubSpot: its deals, each with the contacts associated with it.
  const bool per_deal = context.source == Source::kHubSpot;
  const auto deal = per_deal ? header.Find({"recordid", "dealid", "id"}, "opportunity", report)
                             : header.Find({"opportunityid", "dealid"}, "opportunity", report);
  const auto contact =
      per_deal ? header.Find({"associatedcontactids", "associatedcontactid"}, "contacts", report)
               : header.Find({"contactid"}, "contact", report);
  const auto role = per_deal ? std::nullopt : header.Find({"role", "contactrole"}, "role", report);
  if (!deal || !contact) {
    return Error(ErrorCode::kMalformed, "no column names the deal and the contact");
  }
  RAPPORT_ASSIGN_OR_RETURN(auto deals, KnownByExternalId(context.tx, "opportunities"));
  RAPPORT_ASSIGN_OR_RETURN(auto contacts, KnownByExternalId(context.tx, "contacts"));
  std::set<std::tuple<std::int64_t, std::int64_t, std::string>> in_file;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    const std::string deal_key = Cell(row, deal);
    std::vector<std::string> contact_keys;
    const std::string contact_cell = Cell(row, contact);
    for (std::size_t from = 0; from <= contact_cell.size();) {
      const std::size_t to = std::min(contact_cell.find(';', from), contact_cell.size());
      const std::string key(Trim(std::string_view(contact_cell).substr(from, to - from)));
      if (!key.empty()) contact_keys.push_back(key);
      from = to + 1;
    }
    if (contact_keys.empty() && per_deal) continue;  // a deal with no contacts
    auto d = deals.find(deal_key);
    if (d == deals.end()) {
      Reject(report, line, header.names[*deal], Quoted(deal_key) + " is not a deal of the book");
      continue;
    }
    const std::string buying_role = BuyingRoleOf(Cell(row, role));
    for (const std::string& key : contact_keys) {
      auto c = contacts.find(key);
      if (c == contacts.end()) {
        Reject(report, line, header.names[*contact], Quoted(key) + " is not a contact of the book");
        continue;
      }
      if (c->second.account_id != d->second.account_id) {
        Reject(report, line, header.names[*contact],
               Quoted(key) + " works at another account than the deal's");
        continue;
      }
      in_file.insert({d->second.id, c->second.id, buying_role});
      RAPPORT_ASSIGN_OR_RETURN(
          std::optional<db::Row> there,
          context.tx.QueryOne("SELECT id FROM opportunity_contact_roles WHERE opportunity_id = ? "
                              "AND contact_id = ? AND role = ?",
                              {d->second.id, c->second.id, buying_role}));
      if (there) {
        ++report.unchanged;
        continue;
      }
      auto added = selling::AddContactRole(context.tx, context.actor, d->second.id, c->second.id,
                                           buying_role);
      if (!added.ok()) {
        Reject(report, line, header.names[*contact], added.error().message());
        continue;
      }
      ++report.created;
    }
  }
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows written,
      context.tx.Query("SELECT opportunity_id, contact_id, role FROM opportunity_contact_roles"));
  std::int64_t found = 0;
  for (const db::Row& r : written) found += in_file.count({r.Int(0), r.Int(1), r.Text(2)});
  AddCheck(checks, file, "contact roles", WithCommas(static_cast<std::int64_t>(in_file.size())),
           WithCommas(found));
  return Ok();
}

Status ImportLineItems(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  const auto deal = header.Find(
      {"opportunityid", "associateddealids", "associateddealid", "dealid"}, "opportunity", report);
  const auto code = header.Find({"productcode", "sku"}, "product", report);
  const auto source_product = header.Find({"product2id", "productid"}, "product", report);
  const auto quantity = header.Find({"quantity", "qty"}, "quantity", report);
  const auto unit = header.Find({"unitprice", "salesprice", "price"}, "sale_price", report);
  const auto list = header.Find({"listprice"}, "list_price", report);
  const auto discount = header.Find({"discount", "discountpercentage", "discountpercent"},
                                    "discount_percent", report);
  const auto unit_discount = header.Find({"unitdiscount"}, "unit_discount", report);
  const auto total = header.Find({"totalprice", "netprice", "amount"}, "total", report);
  const auto description = header.Find({"description"}, "description", report);
  const auto sort = header.Find({"sortorder", "position"}, "position", report);
  if (!deal || (!code && !source_product) || !quantity || !unit) {
    return Error(ErrorCode::kMalformed,
                 "a line items file needs the deal, the product, the quantity and the unit price "
                 "(OpportunityId, ProductCode or Product2Id, Quantity, UnitPrice)");
  }
  RAPPORT_ASSIGN_OR_RETURN(auto deals, KnownByExternalId(context.tx, "opportunities"));
  std::unordered_map<std::string, std::int64_t> by_sku;
  std::unordered_map<std::int64_t, std::string> sku_of;
  RAPPORT_ASSIGN_OR_RETURN(db::Rows products, context.tx.Query("SELECT sku, id FROM products"));
  for (const db::Row& r : products) {
    by_sku[r.Text(0)] = r.Int(1);
    sku_of[r.Int(1)] = r.Text(0);
  }
  struct Line {
    std::int64_t sort, line;
    selling::LineItem item;
  };
  std::vector<std::int64_t> order;  // deals as they first appear
  std::unordered_map<std::int64_t, std::vector<Line>> lines_of;
  std::map<std::string, std::int64_t> file_totals;  // by currency
  std::vector<std::string> row;
  const auto column = [&](std::optional<std::size_t> i) {
    return i ? header.names[*i] : std::string();
  };
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    const std::string deal_key(Trim(Cell(row, deal).substr(0, Cell(row, deal).find(';'))));
    auto d = deals.find(deal_key);
    if (d == deals.end()) {
      Reject(report, line, column(deal), Quoted(deal_key) + " is not a deal of the book");
      continue;
    }
    std::optional<std::int64_t> product;
    if (auto p = by_sku.find(Cell(row, code)); !Cell(row, code).empty() && p != by_sku.end()) {
      product = p->second;
    } else if (auto s = context.products_by_source_id.find(Cell(row, source_product));
               !Cell(row, source_product).empty() && s != context.products_by_source_id.end()) {
      product = s->second;
    }
    if (!product) {
      Reject(report, line, column(code ? code : source_product),
             Quoted(Cell(row, code).empty() ? Cell(row, source_product) : Cell(row, code)) +
                 " is not a product (by its code) of the book or of Rapport");
      continue;
    }
    selling::LineItem item;
    item.product_id = *product;
    item.sku = sku_of.count(*product) ? sku_of[*product] : std::string();
    const auto qty = WholeNumber(Cell(row, quantity));
    if (!qty || *qty < 1 || *qty > 1'000'000) {
      Reject(report, line, column(quantity),
             Quoted(Cell(row, quantity)) + " is not a whole quantity from 1 to 1,000,000");
      continue;
    }
    item.quantity = *qty;
    if (!imports::ParseMoney(Cell(row, unit), item.sale_price_minor) || item.sale_price_minor < 0 ||
        item.sale_price_minor > records::kMaxUnitPriceMinor) {
      Reject(report, line, column(unit), Quoted(Cell(row, unit)) + " is not a unit price");
      continue;
    }
    item.list_price_minor = item.sale_price_minor;
    if (!Cell(row, list).empty() &&
        (!imports::ParseMoney(Cell(row, list), item.list_price_minor) ||
         item.list_price_minor < 0 || item.list_price_minor > records::kMaxUnitPriceMinor)) {
      Reject(report, line, column(list), Quoted(Cell(row, list)) + " is not a list price");
      continue;
    }
    std::int64_t per_unit_off = 0;
    if (!Cell(row, unit_discount).empty() &&
        (!imports::ParseMoney(Cell(row, unit_discount), per_unit_off) || per_unit_off < 0 ||
         per_unit_off > item.sale_price_minor)) {
      Reject(report, line, column(unit_discount),
             Quoted(Cell(row, unit_discount)) + " is not a discount of the unit price");
      continue;
    }
    item.sale_price_minor -= per_unit_off;
    std::int64_t hundredths = 0;
    if (!Cell(row, discount).empty()) {
      const auto parsed = PercentHundredths(Cell(row, discount));
      if (!parsed) {
        Reject(report, line, column(discount),
               Quoted(Cell(row, discount)) + " is not a percent from 0 to 100");
        continue;
      }
      hundredths = *parsed;
    }
    std::optional<std::int64_t> source_total;
    if (!Cell(row, total).empty()) {
      std::int64_t t = 0;
      if (!imports::ParseMoney(Cell(row, total), t) || t < 0) {
        Reject(report, line, column(total), Quoted(Cell(row, total)) + " is not a total");
        continue;
      }
      source_total = t;
    }
    if (hundredths % 100 == 0) {
      item.discount_percent = hundredths / 100;
    } else if (source_total && *source_total % item.quantity == 0) {
      // Rapport's discounts are whole percents: a fraction is kept as the unit price it came to.
      item.sale_price_minor = *source_total / item.quantity;
      item.discount_percent = 0;
    } else {
      Reject(report, line, column(discount),
             "a discount of " + Cell(row, discount) +
                 "% cannot be kept to the minor unit: Rapport's discounts are whole percents");
      continue;
    }
    item.total_minor =
        selling::LineTotal(item.quantity, item.sale_price_minor, item.discount_percent);
    if (source_total && *source_total != item.total_minor) {
      Reject(report, line, column(total),
             "the line comes to " + Money(item.total_minor) + ", the file says " +
                 Money(*source_total));
      continue;
    }
    if (!Cell(row, description).empty()) item.description = Cell(row, description).substr(0, 500);
    std::int64_t position = line;
    if (!Cell(row, sort).empty()) imports::ParseInteger(Cell(row, sort), position);
    if (!lines_of.count(d->second.id)) order.push_back(d->second.id);
    lines_of[d->second.id].push_back({position, line, std::move(item)});
    file_totals[d->second.currency] += lines_of[d->second.id].back().item.total_minor;
  }
  if (report.rejected > 0) return Ok();
  std::int64_t lines_in_file = 0, deals_at_total = 0;
  for (std::int64_t deal_id : order) {
    std::vector<Line>& lines = lines_of[deal_id];
    if (lines.size() > records::kMaxLineItems) {
      Reject(report, lines.back().line, column(deal),
             "a deal takes at most " + std::to_string(records::kMaxLineItems) + " lines");
      continue;
    }
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
      return std::tie(a.sort, a.line) < std::tie(b.sort, b.line);
    });
    std::vector<selling::LineItem> items;
    std::int64_t sum = 0;
    for (Line& l : lines) {
      sum += l.item.total_minor;
      items.push_back(std::move(l.item));
    }
    lines_in_file += static_cast<std::int64_t>(items.size());
    RAPPORT_ASSIGN_OR_RETURN(std::vector<selling::LineItem> before,
                             selling::LineItemsOf(context.tx, deal_id));
    RAPPORT_ASSIGN_OR_RETURN(bool changed,
                             selling::ReplaceLineItems(context.tx, context.actor, deal_id, items));
    const auto n = static_cast<std::int64_t>(items.size());
    (changed ? (before.empty() ? report.created : report.updated) : report.unchanged) += n;
    // While a deal has line items its amount is their total.
    RAPPORT_ASSIGN_OR_RETURN(int amount_changed,
                             audit::UpdateAudited(context.tx, context.actor, "opportunities",
                                                  deal_id, std::nullopt, {{"amount_minor", sum}}));
    (void)amount_changed;
  }
  // The check: the lines and their totals by currency as written, and each deal at its lines'
  // total.
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows written,
      context.tx.Query("SELECT o.id, o.currency, o.amount_minor, count(*), sum(l.total_minor) "
                       "FROM opportunity_line_items l JOIN opportunities o ON o.id = "
                       "l.opportunity_id GROUP BY o.id, o.currency, o.amount_minor"));
  std::int64_t lines_found = 0;
  std::map<std::string, std::int64_t> written_totals;
  for (const db::Row& r : written) {
    if (!lines_of.count(r.Int(0))) continue;
    lines_found += r.Int(3);
    written_totals[r.Text(1)] += r.Int(4);
    deals_at_total += r.Int(2) == r.Int(4);
  }
  AddCheck(checks, file, "line items", WithCommas(lines_in_file), WithCommas(lines_found));
  AddCheck(checks, file, "deals at their lines' total",
           WithCommas(static_cast<std::int64_t>(order.size())), WithCommas(deals_at_total));
  for (const auto& [currency, sum] : file_totals) {
    AddCheck(checks, file, "line totals " + currency, Money(sum), Money(written_totals[currency]));
  }
  return Ok();
}

}  // namespace rapport::moving
