// The products on deals from a file, as Salesforce's OpportunityLineItem export or HubSpot's line
// items export write them (or Rapport's own columns), for POST /api/v1/imports/line-items and
// for moving in a whole export (moving/). Each deal named in the file gets the file's lines for
// it, in the file's order (or by SortOrder), priced as the API prices them
// (selling/line_items.hpp), and its amount becomes their total. The whole file is checked first;
// with a problem anywhere, nothing is written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/resource.hpp"
#include "audit/audit_log.hpp"
#include "imports/record_source.hpp"
#include "selling/line_items.hpp"

namespace rapport::selling {

void RegisterLineItemImportRoute(api::Router& router, api::ApiContext& context);

// Reads a line items file within the caller's transaction, then writes it. Not thread-safe.
class LineItemFile {
 public:
  struct Options {
    // The source's product ids (Salesforce's Product2Id) to products, for lines with no code.
    const std::unordered_map<std::string, std::int64_t>* products_by_source_id = nullptr;
    std::size_t max_problems = 100;  // reading stops once this many are found
  };
  // A problem of a row: its line, the column (Rapport's name, and the file's header), and why.
  struct Problem {
    std::int64_t line = 0;
    std::string column, header, message;
  };
  struct Deal {
    std::int64_t id = 0;
    std::string currency;
    std::int64_t amount_minor = 0;
  };
  // One deal's lines as the file gives them.
  struct DealLines {
    Deal deal;
    std::vector<std::pair<std::int64_t, LineItem>> lines;  // (position, line)
  };
  struct Written {
    std::int64_t deals_changed = 0;
    // Lines of deals that had none, of other deals changed, and of deals left as they were.
    std::int64_t lines_created = 0, lines_changed = 0, lines_unchanged = 0;
  };

  LineItemFile(db::Transaction& tx, Options options);
  LineItemFile(db::Transaction& tx) : LineItemFile(tx, Options()) {}

  // Reads and checks every row (the header first); problems() says what is wrong. A file with no
  // column for the deal, the product or the quantity is refused naming `body`.
  Status Read(imports::RecordSource& source);
  // Gives each deal its lines and their total as its amount.
  Result<Written> Write(const audit::Actor& actor);

  const std::vector<Problem>& problems() const { return problems_; }
  std::int64_t rows() const { return rows_; }
  const std::map<std::int64_t, DealLines>& deals() const { return deals_; }
  // The file's header for each of Rapport's columns it gives ("opportunity" -> "OpportunityId").
  const std::vector<std::pair<std::string, std::string>>& columns() const { return columns_; }

 private:
  struct Product {
    std::int64_t id = 0;
    std::string sku, name, currency;
    std::int64_t list_price_minor = 0;
  };
  Status ReadRow(std::int64_t line_number, const std::vector<std::string>& cells);
  // Looks up every deal and product the rows name, a few hundred a query, into the caches.
  Status Prefetch(const std::vector<std::pair<std::int64_t, std::vector<std::string>>>& rows);
  Result<std::optional<Deal>> FindDeal(std::string_view key);
  Result<std::optional<Product>> FindProduct(std::string_view sku);
  Result<std::optional<Product>> FindProductById(std::int64_t id);

  db::Transaction& tx_;
  Options options_;
  std::map<std::string, std::size_t> at_;
  std::vector<std::string> header_;
  std::vector<std::pair<std::string, std::string>> columns_;
  std::map<std::string, std::optional<Deal>> deal_cache_;
  std::map<std::string, std::optional<Product>> product_cache_;
  std::map<std::int64_t, DealLines> deals_;
  std::vector<Problem> problems_;
  std::int64_t rows_ = 0;
};

}  // namespace rapport::selling
