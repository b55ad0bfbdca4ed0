// Segmentation: every account in reach (potential customers who are not accounts yet arrive with
// market data, as prospects) with what it buys from us now (trailing-year revenue), what
// it could buy (potential value and units), the competitors' share and how old that market data is
// (stale past the rule's limit), and a designation: set by hand, else proposed by the rule a
// manager tunes.
//   proposed = prospect  when it buys nothing yet and the headroom is under the hunting minimum,
//              hunting   when the headroom (potential - current) reaches the hunting minimum and
//                        our share of its potential is under the maintain share,
//              maintain  otherwise (we already have most of it, or there is little left).
// Market data arrives as CSV (POST /api/v1/imports/market-data): a dry run shows each account's
// change against what we had; without dry_run the same changes are applied in one transaction.
#include "selling/segmentation.hpp"

#include <charconv>
#include <map>

#include "accounts/account_store.hpp"
#include "api/access.hpp"
#include "api/csv.hpp"
#include "api/query.hpp"
#include "audit/audit_log.hpp"
#include "imports/csv_reader.hpp"

namespace rapport::selling {
namespace {

using api::JsonValue;
using Kind = api::JsonValue::Kind;

struct Rule {
  std::int64_t hunting_min_headroom_minor = 0;
  std::int64_t maintain_min_share_percent = 0;
  std::int64_t stale_after_days = 0;
  std::int64_t version = 0;
};

Result<Rule> LoadRule(db::Transaction& tx) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne("SELECT hunting_min_headroom_minor, maintain_min_share_percent, "
                  "stale_after_days, version FROM segmentation_rules ORDER BY id LIMIT 1"));
  if (!row) return Error(ErrorCode::kInternal, "the segmentation rule is missing");
  return Rule{row->Int("hunting_min_headroom_minor"), row->Int("maintain_min_share_percent"),
              row->Int("stale_after_days"), row->Int("version")};
}

std::string Propose(const Rule& rule, std::int64_t current, std::optional<std::int64_t> potential) {
  const std::int64_t headroom = potential ? *potential - current : 0;
  const bool big_share =
      potential && *potential > 0 && current * 100 >= *potential * rule.maintain_min_share_percent;
  if (current == 0 && headroom < rule.hunting_min_headroom_minor) return "prospect";
  if (headroom >= rule.hunting_min_headroom_minor && !big_share) return "hunting";
  return "maintain";
}

void WriteRule(api::JsonWriter& w, const Rule& rule) {
  w.StartObject()
      .Key("hunting_min_headroom_minor")
      .Int(rule.hunting_min_headroom_minor)
      .Key("maintain_min_share_percent")
      .Int(rule.maintain_min_share_percent)
      .Key("stale_after_days")
      .Int(rule.stale_after_days)
      .Key("version")
      .Int(rule.version)
      .EndObject();
}

Result<std::int64_t> ParseNumber(std::string_view text, const std::string& field,
                                 bool money = false) {
  // Money as pounds with up to two decimals ("1250.50", read as minor units); others whole.
  std::string digits(text);
  if (money) {
    const auto dot = digits.find('.');
    std::string cents = "00";
    if (dot != std::string::npos) {
      cents = digits.substr(dot + 1) + "00";
      cents = cents.substr(0, 2);
      digits = digits.substr(0, dot);
    }
    digits += cents;
  }
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < 0) {
    return Error::InvalidField(field, "'" + std::string(text) + "' is not a number");
  }
  return value;
}

struct MarketRow {
  int line = 0;
  std::int64_t account_id = 0;  // 0: a potential customer who is not an account yet
  std::string name;
  accounts::AccountFields create;  // the account to create for it
  std::optional<std::int64_t> old_value, old_units, old_share;
  std::optional<std::string> old_on;
  std::int64_t value = 0, units = 0, share = 0;
  std::string on;
};

// GET /api/v1/reports/segmentation's query: the filters as SQL over accounts "a", and the page.
struct SegmentationQuery {
  std::string where;
  db::Params params;
  std::optional<std::string> designation;
  int limit = 100;
  std::int64_t offset = 0;
  bool csv = false;
};

Result<SegmentationQuery> ParseSegmentationQuery(const api::Request& r, const api::Caller& c) {
  SegmentationQuery q;
  q.where = "a.archived_at IS NULL AND " + api::AccountReachCondition(c, "a");
  std::optional<std::string> region;
  std::string status, designation, format = "json";
  std::optional<std::int64_t> owner;
  api::Query query(r);
  query.Text("region", region).OneOf("status", status, {"prospect", "customer", "former"});
  query.Id("owner_id", owner)
      .OneOf("designation", designation, {"prospect", "hunting", "maintain"});
  query.Limit(q.limit, 500).OffsetCursor(q.offset).OneOf("format", format, {"csv", "json"});
  RAPPORT_RETURN_IF_ERROR(query.Finish());
  if (region) {
    q.where += " AND a.region = ?";
    q.params.push_back(*region);
  }
  if (!status.empty()) {
    q.where += " AND a.status = ?";
    q.params.push_back(status);
  }
  if (owner) {
    q.where += " AND a.owner_id = ?";
    q.params.push_back(*owner);
  }
  if (!designation.empty()) q.designation = designation;
  q.csv = format == "csv";
  if (q.csv) {
    q.limit = 100'000;
    q.offset = 0;
  }
  return q;
}

// One account of the segmentation, as read.
struct SegmentedAccount {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> region;
  std::string type;
  std::int64_t current_12m_minor = 0;
  std::optional<std::int64_t> potential_value_minor, potential_units, competitor_share_percent;
  std::optional<std::string> market_data_on, designation_by_hand;
  std::string status;
};

// The accounts matching `q`, by potential, largest first: a page's worth and one more (without a
// designation filter), or enough to fill a page after the rule (with one).
Result<std::vector<SegmentedAccount>> ReadSegmentedAccounts(db::Transaction& tx,
                                                            const SegmentationQuery& q) {
  db::Params params = q.params;
  params.push_back(std::int64_t{q.designation ? q.limit * 20 : q.limit + 1});
  params.push_back(q.offset);
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT a.id, a.name, a.region, a.type, coalesce(r.revenue_12m_minor, 0) AS "
               "current_12m_minor, a.potential_value_minor, a.potential_units, "
               "a.competitor_share_percent, a.market_data_on, a.designation, a.status FROM "
               "accounts a LEFT JOIN account_revenue r ON r.account_id = a.id WHERE " +
                   q.where +
                   " ORDER BY coalesce(a.potential_value_minor, 0) DESC, a.id LIMIT ? OFFSET ?",
               params));
  std::vector<SegmentedAccount> accounts;
  accounts.reserve(rows.size());
  if (rows.empty()) return accounts;
  // A CSV export reads up to 100,000 rows (20 times as many with a designation filter): the
  // columns are found once.
  const db::Row& first = rows.front();
  const std::size_t id = first.IndexOf("id");
  const std::size_t name = first.IndexOf("name");
  const std::size_t region = first.IndexOf("region");
  const std::size_t type = first.IndexOf("type");
  const std::size_t current = first.IndexOf("current_12m_minor");
  const std::size_t potential_value = first.IndexOf("potential_value_minor");
  const std::size_t potential_units = first.IndexOf("potential_units");
  const std::size_t competitor_share = first.IndexOf("competitor_share_percent");
  const std::size_t market_data_on = first.IndexOf("market_data_on");
  const std::size_t designation = first.IndexOf("designation");
  const std::size_t status = first.IndexOf("status");
  for (const db::Row& row : rows) {
    accounts.push_back({.id = row.Int(id),
                        .name = row.Text(name),
                        .region = row.OptText(region),
                        .type = row.Text(type),
                        .current_12m_minor = row.Int(current),
                        .potential_value_minor = row.OptInt(potential_value),
                        .potential_units = row.OptInt(potential_units),
                        .competitor_share_percent = row.OptInt(competitor_share),
                        .market_data_on = row.OptText(market_data_on),
                        .designation_by_hand = row.OptText(designation),
                        .status = row.Text(status)});
  }
  return accounts;
}

std::string Text(const std::optional<std::string>& s) { return s.value_or(""); }
std::string Text(const std::optional<std::int64_t>& n) { return n ? std::to_string(*n) : ""; }

Result<api::Response> GetSegmentation(api::ApiContext& ctx, const api::Request& r,
                                      const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(SegmentationQuery q, ParseSegmentationQuery(r, c));
  const Instant now = ctx.clock.Now();
  api::JsonWriter w;
  api::CsvWriter out;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(Rule rule, LoadRule(tx));
    RAPPORT_ASSIGN_OR_RETURN(std::vector<SegmentedAccount> accounts, ReadSegmentedAccounts(tx, q));
    const std::string stale_before = FormatDate(now / kMicrosPerDay - rule.stale_after_days);
    if (q.csv) {
      for (const char* h : {"account_id", "account", "region", "type", "current_12m",
                            "potential_value", "potential_units", "competitor_share_percent",
                            "market_data_on", "stale", "proposed", "designation", "status"}) {
        out.Cell(h);
      }
      out.EndRow();
    } else {
      w.StartObject().Key("rule");
      WriteRule(w, rule);
      w.Key("items").StartArray();
    }
    // The designation filter applies after the rule, so rows are read until the page is full.
    int written = 0;
    bool more = false;
    for (const SegmentedAccount& a : accounts) {
      const std::string proposed = Propose(rule, a.current_12m_minor, a.potential_value_minor);
      const std::string chosen = a.designation_by_hand.value_or(proposed);
      if (q.designation && chosen != *q.designation) continue;
      if (written == q.limit) {
        more = true;
        break;
      }
      ++written;
      const bool stale = !a.market_data_on || *a.market_data_on < stale_before;
      if (q.csv) {
        out.Cell(a.id).Cell(a.name).Cell(Text(a.region)).Cell(a.type);
        out.Cell(a.current_12m_minor).Cell(Text(a.potential_value_minor));
        out.Cell(Text(a.potential_units)).Cell(Text(a.competitor_share_percent));
        out.Cell(Text(a.market_data_on)).Cell(stale ? "yes" : "no").Cell(proposed).Cell(chosen);
        out.Cell(a.status);
        out.EndRow();
        continue;
      }
      w.StartObject().Key("account_id").String(api::FormatId(a.id));
      w.Key("name").String(a.name).Key("region").OptString(a.region);
      w.Key("type").String(a.type).Key("status").String(a.status);
      w.Key("current_12m_minor").Int(a.current_12m_minor);
      w.Key("potential_value_minor").OptInt(a.potential_value_minor);
      w.Key("potential_units").OptInt(a.potential_units);
      w.Key("competitor_share_percent").OptInt(a.competitor_share_percent);
      w.Key("market_data_on").OptString(a.market_data_on);
      w.Key("market_data_stale").Bool(stale);
      w.Key("proposed_designation").String(proposed);
      w.Key("designation_set_by_hand").OptString(a.designation_by_hand);
      w.Key("designation").String(chosen);
      w.EndObject();
    }
    if (!q.csv) {
      w.EndArray().Key("next_cursor");
      // The cursor is the offset of the next row read; with a designation filter rows skipped
      // are not counted, so paging goes by rows read.
      if (more) {
        w.String(std::to_string(
            q.offset + (q.designation ? static_cast<std::int64_t>(accounts.size()) : q.limit)));
      } else {
        w.Null();
      }
      w.EndObject();
    }
    return Ok();
  }));
  if (q.csv) {
    api::Response response;
    response.content_type = "text/csv; charset=utf-8";
    response.body = out.Take();
    response.WithHeader("Content-Disposition", "attachment; filename=\"segmentation.csv\"");
    return response;
  }
  return api::Response::Json(w.Take());
}

Result<api::Response> GetSegmentationRule(api::ApiContext& ctx) {
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(Rule rule, LoadRule(tx));
    WriteRule(w, rule);
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> PutSegmentationRule(api::ApiContext& ctx, const api::Request& r,
                                          const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(JsonValue body, api::ParseJson(r.body));
  if (body.kind != Kind::kObject) return Error::InvalidField("body", "must be an object");
  audit::FieldValues changes;
  for (const auto& [key, value] : body.members) {
    if (key != "hunting_min_headroom_minor" && key != "maintain_min_share_percent" &&
        key != "stale_after_days") {
      if (key == "version") continue;
      return Error::InvalidField(key, "is not a setting of the rule");
    }
    if (value.kind != Kind::kInt || value.integer < 0 ||
        (key == "maintain_min_share_percent" && value.integer > 100) ||
        (key == "stale_after_days" && value.integer < 1)) {
      return Error::InvalidField(key, "is out of range");
    }
    changes.emplace_back(key, value.integer);
  }
  RAPPORT_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, api::ExpectedVersion(r));
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t id,
                             tx.QueryInt("SELECT min(id) FROM segmentation_rules"));
    RAPPORT_ASSIGN_OR_RETURN(
        int changed, audit::UpdateAudited(tx, {c.user_id, ctx.clock.Now()}, "segmentation_rules",
                                          id, expected, changes));
    (void)changed;
    RAPPORT_ASSIGN_OR_RETURN(Rule rule, LoadRule(tx));
    WriteRule(w, rule);
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

// Market data's columns, in any order: account (external id or id), potential_value,
// potential_units, competitor_share_percent, as_of; and for potential customers who are not
// accounts yet: name, type, region, postcode, territory (by name).
const std::vector<std::string> kMarketColumns = {"account", "potential_value", "potential_units",
                                                 "competitor_share_percent", "as_of"};
const std::vector<std::string> kNewCustomerColumns = {"name", "type", "region", "postcode",
                                                      "territory"};

// The position of each column the header names.
Result<std::map<std::string, size_t>> MarketColumns(const std::vector<std::string>& header) {
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    if (std::find(kMarketColumns.begin(), kMarketColumns.end(), h) == kMarketColumns.end() &&
        std::find(kNewCustomerColumns.begin(), kNewCustomerColumns.end(), h) ==
            kNewCustomerColumns.end()) {
      return Error::InvalidField("line 1." + h,
                                 "is not a column of market data (account, "
                                 "potential_value, potential_units, "
                                 "competitor_share_percent, as_of; for new potential "
                                 "customers name, type, region, postcode, territory)");
    }
    if (!column.emplace(h, i).second) return Error::InvalidField("line 1." + h, "appears twice");
  }
  for (const std::string& h : kMarketColumns) {
    if (!column.count(h)) return Error::InvalidField("line 1." + h, "is missing");
  }
  return column;
}

// Reads market data row by row, collecting every problem so the whole file is judged at once.
class MarketReader {
 public:
  MarketReader(db::Transaction& tx, const api::Caller& caller,
               const std::map<std::string, size_t>& column, size_t width)
      : tx_(tx), caller_(caller), column_(column), width_(width) {}

  // Adds the row on line `number` to `rows`, or its problems to problems().
  Status Read(int number, const std::vector<std::string>& cells, std::vector<MarketRow>& rows) {
    cells_ = &cells;
    const std::string at = "line " + std::to_string(number);
    if (cells.size() != width_) {
      problems_.push_back(
          {at, "has " + std::to_string(cells.size()) + " fields, not " + std::to_string(width_)});
      return Ok();
    }
    MarketRow row;
    row.line = number;
    RAPPORT_ASSIGN_OR_RETURN(bool known, ReadAccount(at, number, row));
    if (!known) return Ok();
    if (!ReadFigures(at, row)) return Ok();
    rows.push_back(std::move(row));
    return Ok();
  }

  std::vector<FieldError>& problems() { return problems_; }

 private:
  std::string Cell(const std::string& name) const {
    auto it = column_.find(name);
    return it == column_.end() ? std::string() : (*cells_)[it->second];
  }

  // The row's account in reach, or the prospect account to create; false with a problem noted.
  Result<bool> ReadAccount(const std::string& at, int number, MarketRow& row) {
    const std::string key = Cell("account");
    std::optional<db::Row> account;
    if (!key.empty()) {
      RAPPORT_ASSIGN_OR_RETURN(
          account, tx_.QueryOne("SELECT id, name, potential_value_minor, potential_units, "
                                "competitor_share_percent, market_data_on FROM accounts a WHERE "
                                "(a.external_id = ? OR CAST(a.id AS TEXT) = ?) AND " +
                                    api::AccountReachCondition(caller_, "a"),
                                {key, key}));
    }
    if (account) {
      row.account_id = account->Int("id");
      row.name = account->Text("name");
      row.old_value = account->OptInt("potential_value_minor");
      row.old_units = account->OptInt("potential_units");
      row.old_share = account->OptInt("competitor_share_percent");
      row.old_on = account->OptText("market_data_on");
      return true;
    }
    if (Cell("name").empty()) {
      problems_.push_back(
          {at + ".account",
           key.empty() ? "give an account, or a name for a potential customer who is not an "
                         "account yet"
                       : "no account '" + key +
                             "' in your reach (give a name to add it as a potential customer)"});
      return false;
    }
    return ReadNewCustomer(at, number, key, row);
  }

  // A potential customer who is not an account yet: a prospect, in a territory of the
  // importer's unless they are an admin.
  Result<bool> ReadNewCustomer(const std::string& at, int number, const std::string& key,
                               MarketRow& row) {
    if (!key.empty()) {
      RAPPORT_ASSIGN_OR_RETURN(
          std::int64_t taken,
          tx_.QueryInt("SELECT count(*) FROM accounts WHERE external_id = ?", {key}));
      if (taken > 0) {
        problems_.push_back({at + ".account", "'" + key + "' is an account outside your reach"});
        return false;
      }
      if (auto [it, fresh] = new_keys_.emplace(key, number); !fresh) {
        problems_.push_back(
            {at + ".account", "'" + key + "' is also new on line " + std::to_string(it->second)});
        return false;
      }
      row.create.external_id = key;
    }
    row.name = Cell("name");
    row.create.name = row.name;
    row.create.status = "prospect";
    const std::string type = Cell("type").empty() ? "other" : Cell("type");
    if (std::find(std::begin(accounts::kAccountTypes), std::end(accounts::kAccountTypes), type) ==
        std::end(accounts::kAccountTypes)) {
      problems_.push_back({at + ".type", "'" + type + "' is not a type of account"});
      return false;
    }
    row.create.type = type;
    if (!Cell("region").empty()) row.create.region = std::optional<std::string>(Cell("region"));
    if (!Cell("postcode").empty()) {
      row.create.postcode = std::optional<std::string>(Cell("postcode"));
    }
    std::optional<std::int64_t> territory;
    if (!Cell("territory").empty()) {
      RAPPORT_ASSIGN_OR_RETURN(
          std::optional<db::Row> found,
          tx_.QueryOne("SELECT id FROM territories WHERE name = ?", {Cell("territory")}));
      if (!found) {
        problems_.push_back({at + ".territory", "no territory '" + Cell("territory") + "'"});
        return false;
      }
      territory = found->Int("id");
    }
    if (!api::IsAdmin(caller_) &&
        (!territory || std::find(caller_.territory_ids.begin(), caller_.territory_ids.end(),
                                 *territory) == caller_.territory_ids.end())) {
      problems_.push_back(
          {at + ".territory", "name one of your territories for a new potential customer"});
      return false;
    }
    if (territory) row.create.territory_id = std::optional<std::int64_t>(territory);
    return true;
  }

  // The potential, share and date; false with the problems noted.
  bool ReadFigures(const std::string& at, MarketRow& row) {
    auto value = ParseNumber(Cell("potential_value"), at + ".potential_value", true);
    auto units = ParseNumber(Cell("potential_units"), at + ".potential_units");
    auto share = ParseNumber(Cell("competitor_share_percent"), at + ".competitor_share_percent");
    std::int64_t day = 0;
    const bool dated = ParseDate(Cell("as_of"), day);
    if (!value.ok()) problems_.push_back(value.error().fields()[0]);
    if (!units.ok()) problems_.push_back(units.error().fields()[0]);
    if (!share.ok() || *share > 100) {
      problems_.push_back({at + ".competitor_share_percent", "must be 0 to 100"});
    }
    if (!dated) problems_.push_back({at + ".as_of", "must be YYYY-MM-DD"});
    if (!value.ok() || !units.ok() || !share.ok() || *share > 100 || !dated) return false;
    row.value = *value;
    row.units = *units;
    row.share = *share;
    row.on = Cell("as_of");
    return true;
  }

  db::Transaction& tx_;
  const api::Caller& caller_;
  const std::map<std::string, size_t>& column_;
  const size_t width_;
  const std::vector<std::string>* cells_ = nullptr;
  std::vector<FieldError> problems_;
  std::map<std::string, int> new_keys_;  // a new customer's account cell -> its line
};

// Writes each row that changes something (creating the new prospects, unless a dry run) and
// what changed, as the response's body.
Status ApplyMarketRows(db::Transaction& tx, const audit::Actor& actor, bool dry_run,
                       std::vector<MarketRow>& rows, api::JsonWriter& w) {
  int changed = 0, created = 0;
  w.StartObject().Key("dry_run").Bool(dry_run).Key("changes").StartArray();
  for (MarketRow& m : rows) {
    const bool is_new = m.account_id == 0;
    const bool differs = m.old_value != m.value || m.old_units != m.units ||
                         m.old_share != m.share || m.old_on != m.on;
    if (!differs) continue;
    ++(is_new ? created : changed);
    if (is_new && !dry_run) {
      RAPPORT_ASSIGN_OR_RETURN(accounts::Account made,
                               accounts::CreateAccount(tx, actor, m.create));
      m.account_id = made.id;
    }
    w.StartObject().Key("line").Int(m.line).Key("new_account").Bool(is_new);
    w.Key("account_id");
    if (m.account_id == 0) {
      w.Null();
    } else {
      w.String(api::FormatId(m.account_id));
    }
    w.Key("name").String(m.name);
    w.Key("potential_value_minor").StartObject().Key("was").OptInt(m.old_value);
    w.Key("now").Int(m.value).EndObject();
    w.Key("potential_units").StartObject().Key("was").OptInt(m.old_units);
    w.Key("now").Int(m.units).EndObject();
    w.Key("competitor_share_percent").StartObject().Key("was").OptInt(m.old_share);
    w.Key("now").Int(m.share).EndObject();
    w.Key("market_data_on").StartObject().Key("was").OptString(m.old_on);
    w.Key("now").String(m.on).EndObject();
    w.EndObject();
    if (!dry_run) {
      RAPPORT_ASSIGN_OR_RETURN(
          int n, audit::UpdateAudited(tx, actor, "accounts", m.account_id, std::nullopt,
                                      {{"potential_value_minor", m.value},
                                       {"potential_units", m.units},
                                       {"competitor_share_percent", m.share},
                                       {"market_data_on", m.on}}));
      (void)n;
    }
  }
  w.EndArray().Key("rows").Int(static_cast<std::int64_t>(rows.size()));
  w.Key("changed").Int(changed).Key("created").Int(created).EndObject();
  return Ok();
}

// POST /api/v1/imports/market-data: the whole file is checked first; with a problem anywhere,
// nothing is written.
Result<api::Response> ImportMarketData(api::ApiContext& ctx, const api::Request& r,
                                       const api::Caller& c) {
  const bool dry_run = r.QueryParam("dry_run").value_or("false") == "true";
  // The import's CSV reader: quoted fields, a BOM, and a file that is not CSV in UTF-8 refused
  // naming its line.
  imports::CsvReader in(imports::MemorySource(r.body));
  std::vector<std::string> header;
  RAPPORT_ASSIGN_OR_RETURN(bool any, in.Next(header));
  if (!any) return Error::InvalidField("body", "is empty");
  RAPPORT_ASSIGN_OR_RETURN(auto column, MarketColumns(header));
  const audit::Actor actor{c.user_id, ctx.clock.Now()};
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    MarketReader reader(tx, c, column, header.size());
    std::vector<MarketRow> rows;
    std::vector<std::string> cells;
    while (true) {
      RAPPORT_ASSIGN_OR_RETURN(bool more, in.Next(cells));
      if (!more) break;
      RAPPORT_RETURN_IF_ERROR(reader.Read(static_cast<int>(in.line()), cells, rows));
    }
    if (!reader.problems().empty()) {
      return Error(
          ErrorCode::kInvalidArgument,
          std::to_string(reader.problems().size()) + " problems in the file; nothing imported",
          std::move(reader.problems()));
    }
    return ApplyMarketRows(tx, actor, dry_run, rows, w);
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterSegmentationRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/reports/segmentation",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetSegmentation(ctx, r, c); },
       {"Accounts by potential with current business, competitor share, market-data age and "
        "designation (set by hand or proposed by the rule)",
        "Strategic selling",
        {{"region", "string", "accounts in this region"},
         {"owner_id", "string", "accounts of this owner"},
         {"status", "string", "prospect (potential customers not buying yet), customer or former"},
         {"designation", "string", "prospect, hunting or maintain"},
         {"limit", "integer", "1 to 500 (default 100)"},
         {"cursor", "string", "next_cursor of the previous page"},
         {"format", "string", "json (default) or csv"}},
        "",
        R"({"type":"object","properties":{"rule":{"type":"object"},"items":{"type":"array","items":{"type":"object"}},"next_cursor":{"type":["string","null"]}}})"}});

  router.Add({"GET",
              "/api/v1/segmentation-rule",
              api::Access::kSignedIn,
              api::Reach::None("a company-wide setting"),
              [&ctx](const api::Request&, const api::Caller&) { return GetSegmentationRule(ctx); },
              {"The rule that proposes designations",
               "Strategic selling",
               {},
               "",
               R"({"type":"object"})"}});

  router.Add(
      {"PUT",
       "/api/v1/segmentation-rule",
       api::Access::kManagers,
       api::Reach::None("a company-wide setting"),
       [&ctx](const api::Request& r, const api::Caller& c) {
         return PutSegmentationRule(ctx, r, c);
       },
       {"Tune the segmentation rule (managers; If-Match its version)",
        "Strategic selling",
        {},
        R"({"type":"object","properties":{"hunting_min_headroom_minor":{"type":"integer","minimum":0},"maintain_min_share_percent":{"type":"integer","minimum":0,"maximum":100},"stale_after_days":{"type":"integer","minimum":1}}})",
        R"({"type":"object"})"}});

  api::Route import{
      "POST",
      "/api/v1/imports/market-data",
      api::Access::kManagers,
      api::Reach::OwnRule(
          "rows only for accounts in the caller's reach; new accounts in the caller's territories"),
      [&ctx](const api::Request& r, const api::Caller& c) { return ImportMarketData(ctx, r, c); },
      {"Import market data (CSV columns account, potential_value, potential_units, "
       "competitor_share_percent, as_of; and name, type, region, postcode, territory to add "
       "potential customers who are not accounts yet as prospects); ?dry_run=true shows the "
       "changes only",
       "Strategic selling",
       {{"dry_run", "boolean", "show what would change, write nothing"}},
       "",
       R"({"type":"object","properties":{"dry_run":{"type":"boolean"},"changes":{"type":"array","items":{"type":"object"}},"rows":{"type":"integer"},"changed":{"type":"integer"},"created":{"type":"integer"}}})",
       200,
       "importMarketData"}};
  import.body_type = "text/csv";
  router.Add(std::move(import));
}

}  // namespace rapport::selling
