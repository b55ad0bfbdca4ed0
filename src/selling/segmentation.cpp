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
  return Rule{row->Int(0), row->Int(1), row->Int(2), row->Int(3)};
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

}  // namespace

void RegisterSegmentationRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/reports/segmentation",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) -> Result<api::Response> {
         std::string where = "a.archived_at IS NULL AND " + api::AccountReachCondition(c, "a");
         db::Params params;
         std::optional<std::string> designation;
         int limit = 100;
         std::int64_t offset = 0;
         bool csv = false;
         for (const auto& [key, value] : r.query) {
           if (key == "region") {
             where += " AND a.region = ?";
             params.push_back(value);
           } else if (key == "status") {
             if (value != "prospect" && value != "customer" && value != "former") {
               return Error::InvalidField(key, "must be prospect, customer or former");
             }
             where += " AND a.status = ?";
             params.push_back(value);
           } else if (key == "owner_id") {
             RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(value, key));
             where += " AND a.owner_id = ?";
             params.push_back(id);
           } else if (key == "designation") {
             if (value != "prospect" && value != "hunting" && value != "maintain") {
               return Error::InvalidField(key, "must be prospect, hunting or maintain");
             }
             designation = value;
           } else if (key == "limit") {
             RAPPORT_ASSIGN_OR_RETURN(limit, api::ParseLimit(value, 500));
           } else if (key == "cursor") {
             RAPPORT_ASSIGN_OR_RETURN(offset, api::ParseOffsetCursor(value));
           } else if (key == "format") {
             if (value != "csv" && value != "json") {
               return Error::InvalidField(key, "must be csv or json");
             }
             csv = value == "csv";
           } else {
             return api::UnknownParameter(key);
           }
         }
         if (csv) {
           limit = 100'000;
           offset = 0;
         }
         const Instant now = ctx.clock.Now();
         api::JsonWriter w;
         api::CsvWriter out;
         bool more = false;
         RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
           RAPPORT_ASSIGN_OR_RETURN(Rule rule, LoadRule(tx));
           // By potential, largest first; the designation filter applies after the rule, so
           // rows are read until the page is full.
           db::Params page = params;
           RAPPORT_ASSIGN_OR_RETURN(
               db::Rows rows,
               tx.Query("SELECT a.id, a.name, a.region, a.type, coalesce(r.revenue_12m_minor, 0), "
                        "a.potential_value_minor, a.potential_units, a.competitor_share_percent, "
                        "a.market_data_on, a.designation, a.status FROM accounts a LEFT JOIN "
                        "account_revenue r ON r.account_id = a.id WHERE " +
                            where +
                            " ORDER BY coalesce(a.potential_value_minor, 0) DESC, a.id LIMIT ? "
                            "OFFSET ?",
                        [&] {
                          db::Params p = page;
                          p.push_back(std::int64_t{designation ? limit * 20 : limit + 1});
                          p.push_back(offset);
                          return p;
                        }()));
           const std::string stale_before = FormatDate(now / kMicrosPerDay - rule.stale_after_days);
           if (csv) {
             for (const char* h :
                  {"account_id", "account", "region", "type", "current_12m", "potential_value",
                   "potential_units", "competitor_share_percent", "market_data_on", "stale",
                   "proposed", "designation", "status"}) {
               out.Cell(h);
             }
             out.EndRow();
           } else {
             w.StartObject().Key("rule");
             WriteRule(w, rule);
             w.Key("items").StartArray();
           }
           int written = 0;
           for (const auto& row : rows) {
             const std::string proposed = Propose(rule, row.Int(4), row.OptInt(5));
             const std::string chosen = row.IsNull(9) ? proposed : row.Text(9);
             if (designation && chosen != *designation) continue;
             if (written == limit) {
               more = true;
               break;
             }
             ++written;
             const bool stale = row.IsNull(8) || row.Text(8) < stale_before;
             if (csv) {
               out.Cell(row.Int(0)).Cell(row.Text(1)).Cell(row.Text(2)).Cell(row.Text(3));
               out.Cell(row.Int(4)).Cell(row.Text(5)).Cell(row.Text(6)).Cell(row.Text(7));
               out.Cell(row.Text(8)).Cell(stale ? "yes" : "no").Cell(proposed).Cell(chosen);
               out.Cell(row.Text(10));
               out.EndRow();
               continue;
             }
             w.StartObject().Key("account_id").String(api::FormatId(row.Int(0)));
             w.Key("name").String(row.Text(1)).Key("region").OptString(row.OptText(2));
             w.Key("type").String(row.Text(3)).Key("status").String(row.Text(10));
             w.Key("current_12m_minor").Int(row.Int(4));
             w.Key("potential_value_minor").OptInt(row.OptInt(5));
             w.Key("potential_units").OptInt(row.OptInt(6));
             w.Key("competitor_share_percent").OptInt(row.OptInt(7));
             w.Key("market_data_on").OptString(row.OptText(8));
             w.Key("market_data_stale").Bool(stale);
             w.Key("proposed_designation").String(proposed);
             w.Key("designation_set_by_hand").OptString(row.OptText(9));
             w.Key("designation").String(chosen);
             w.EndObject();
           }
           if (!csv) {
             w.EndArray().Key("next_cursor");
             // The cursor is the offset of the next row read; with a designation filter rows
             // skipped are not counted, so paging goes by rows read.
             if (more)
               w.String(std::to_string(
                   offset + (designation ? static_cast<std::int64_t>(rows.size()) : limit)));
             else
               w.Null();
             w.EndObject();
           }
           return Ok();
         }));
         if (csv) {
           api::Response response;
           response.content_type = "text/csv; charset=utf-8";
           response.body = out.Take();
           response.WithHeader("Content-Disposition", "attachment; filename=\"segmentation.csv\"");
           return response;
         }
         return api::Response::Json(w.Take());
       },
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
              [&ctx](const api::Request&, const api::Caller&) -> Result<api::Response> {
                api::JsonWriter w;
                RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
                  RAPPORT_ASSIGN_OR_RETURN(Rule rule, LoadRule(tx));
                  WriteRule(w, rule);
                  return Ok();
                }));
                return api::Response::Json(w.Take());
              },
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
       [&ctx](const api::Request& r, const api::Caller& c) -> Result<api::Response> {
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
               int changed, audit::UpdateAudited(tx, {c.user_id, ctx.clock.Now()},
                                                 "segmentation_rules", id, expected, changes));
           (void)changed;
           RAPPORT_ASSIGN_OR_RETURN(Rule rule, LoadRule(tx));
           WriteRule(w, rule);
           return Ok();
         }));
         return api::Response::Json(w.Take());
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
      [&ctx](const api::Request& r, const api::Caller& c) -> Result<api::Response> {
        const bool dry_run = r.QueryParam("dry_run").value_or("false") == "true";
        // Columns, in any order: account (external id or id), potential_value, potential_units,
        // competitor_share_percent, as_of; and for potential customers who are not accounts
        // yet: name, type, region, postcode, territory (by name). A row whose account matches
        // nothing but that has a name becomes a prospect account (with the account cell as its
        // external id), in a territory of the importer's unless they are an admin.
        // The import's CSV reader: quoted fields, a BOM, and a file that is not CSV in UTF-8
        // refused naming its line.
        imports::CsvReader in(imports::MemorySource(r.body));
        std::vector<std::string> header;
        RAPPORT_ASSIGN_OR_RETURN(bool any, in.Next(header));
        if (!any) return Error::InvalidField("body", "is empty");
        static const std::vector<std::string> kRequired = {
            "account", "potential_value", "potential_units", "competitor_share_percent", "as_of"};
        static const std::vector<std::string> kOptional = {"name", "type", "region", "postcode",
                                                           "territory"};
        std::map<std::string, size_t> column;
        for (size_t i = 0; i < header.size(); ++i) {
          const std::string& h = header[i];
          if (std::find(kRequired.begin(), kRequired.end(), h) == kRequired.end() &&
              std::find(kOptional.begin(), kOptional.end(), h) == kOptional.end()) {
            return Error::InvalidField("line 1." + h,
                                       "is not a column of market data (account, "
                                       "potential_value, potential_units, "
                                       "competitor_share_percent, as_of; for new potential "
                                       "customers name, type, region, postcode, territory)");
          }
          if (!column.emplace(h, i).second) {
            return Error::InvalidField("line 1." + h, "appears twice");
          }
        }
        for (const std::string& h : kRequired) {
          if (!column.count(h)) return Error::InvalidField("line 1." + h, "is missing");
        }
        std::vector<MarketRow> rows;
        const Instant now = ctx.clock.Now();
        api::JsonWriter w;
        RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
          std::vector<FieldError> problems;
          std::vector<std::string> cells;
          std::map<std::string, int> new_keys;  // a new customer's account cell -> its line
          while (true) {
            RAPPORT_ASSIGN_OR_RETURN(bool more, in.Next(cells));
            if (!more) break;
            const int number = static_cast<int>(in.line());
            const std::string at = "line " + std::to_string(number);
            if (cells.size() != header.size()) {
              problems.push_back({at, "has " + std::to_string(cells.size()) + " fields, not " +
                                          std::to_string(header.size())});
              continue;
            }
            auto cell = [&](const std::string& name) -> std::string {
              auto it = column.find(name);
              return it == column.end() ? std::string() : cells[it->second];
            };
            const std::string key = cell("account");
            MarketRow row;
            row.line = number;
            std::optional<db::Row> account;
            if (!key.empty()) {
              RAPPORT_ASSIGN_OR_RETURN(
                  account,
                  tx.QueryOne("SELECT id, name, potential_value_minor, potential_units, "
                              "competitor_share_percent, market_data_on FROM accounts a WHERE "
                              "(a.external_id = ? OR CAST(a.id AS TEXT) = ?) AND " +
                                  api::AccountReachCondition(c, "a"),
                              {key, key}));
            }
            if (account) {
              row.account_id = account->Int(0);
              row.name = account->Text(1);
              row.old_value = account->OptInt(2);
              row.old_units = account->OptInt(3);
              row.old_share = account->OptInt(4);
              row.old_on = account->OptText(5);
            } else if (cell("name").empty()) {
              problems.push_back(
                  {at + ".account",
                   key.empty()
                       ? "give an account, or a name for a potential customer who is not an "
                         "account yet"
                       : "no account '" + key +
                             "' in your reach (give a name to add it as a potential customer)"});
              continue;
            } else {
              // A potential customer who is not an account yet.
              if (!key.empty()) {
                RAPPORT_ASSIGN_OR_RETURN(
                    std::int64_t taken,
                    tx.QueryInt("SELECT count(*) FROM accounts WHERE external_id = ?", {key}));
                if (taken > 0) {
                  problems.push_back(
                      {at + ".account", "'" + key + "' is an account outside your reach"});
                  continue;
                }
                if (auto [it, fresh] = new_keys.emplace(key, number); !fresh) {
                  problems.push_back({at + ".account", "'" + key + "' is also new on line " +
                                                           std::to_string(it->second)});
                  continue;
                }
                row.create.external_id = key;
              }
              row.name = cell("name");
              row.create.name = row.name;
              row.create.status = "prospect";
              const std::string type = cell("type").empty() ? "other" : cell("type");
              if (std::find(std::begin(accounts::kAccountTypes), std::end(accounts::kAccountTypes),
                            type) == std::end(accounts::kAccountTypes)) {
                problems.push_back({at + ".type", "'" + type + "' is not a type of account"});
                continue;
              }
              row.create.type = type;
              if (!cell("region").empty())
                row.create.region = std::optional<std::string>(cell("region"));
              if (!cell("postcode").empty())
                row.create.postcode = std::optional<std::string>(cell("postcode"));
              std::optional<std::int64_t> territory;
              if (!cell("territory").empty()) {
                RAPPORT_ASSIGN_OR_RETURN(
                    std::optional<db::Row> found,
                    tx.QueryOne("SELECT id FROM territories WHERE name = ?", {cell("territory")}));
                if (!found) {
                  problems.push_back(
                      {at + ".territory", "no territory '" + cell("territory") + "'"});
                  continue;
                }
                territory = found->Int(0);
              }
              if (!api::IsAdmin(c) &&
                  (!territory || std::find(c.territory_ids.begin(), c.territory_ids.end(),
                                           *territory) == c.territory_ids.end())) {
                problems.push_back({at + ".territory",
                                    "name one of your territories for a new potential customer"});
                continue;
              }
              if (territory) row.create.territory_id = std::optional<std::int64_t>(territory);
            }
            auto value = ParseNumber(cell("potential_value"), at + ".potential_value", true);
            auto units = ParseNumber(cell("potential_units"), at + ".potential_units");
            auto share =
                ParseNumber(cell("competitor_share_percent"), at + ".competitor_share_percent");
            std::int64_t day = 0;
            const bool dated = ParseDate(cell("as_of"), day);
            if (!value.ok()) problems.push_back(value.error().fields()[0]);
            if (!units.ok()) problems.push_back(units.error().fields()[0]);
            if (!share.ok() || *share > 100) {
              problems.push_back({at + ".competitor_share_percent", "must be 0 to 100"});
            }
            if (!dated) problems.push_back({at + ".as_of", "must be YYYY-MM-DD"});
            if (!value.ok() || !units.ok() || !share.ok() || *share > 100 || !dated) continue;
            row.value = *value;
            row.units = *units;
            row.share = *share;
            row.on = cell("as_of");
            rows.push_back(std::move(row));
          }
          if (!problems.empty()) {
            return Error(
                ErrorCode::kInvalidArgument,
                std::to_string(problems.size()) + " problems in the file; nothing imported",
                problems);
          }
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
                                       accounts::CreateAccount(tx, {c.user_id, now}, m.create));
              m.account_id = made.id;
            }
            w.StartObject().Key("line").Int(m.line).Key("new_account").Bool(is_new);
            w.Key("account_id");
            if (m.account_id == 0)
              w.Null();
            else
              w.String(api::FormatId(m.account_id));
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
                  int n,
                  audit::UpdateAudited(tx, {c.user_id, now}, "accounts", m.account_id, std::nullopt,
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
        }));
        return api::Response::Json(w.Take());
      },
      {"Import market data (CSV columns account, potential_value, potential_units, "
       "competitor_share_percent, as_of; and name, type, region, postcode, territory to add "
       "potential customers who are not accounts yet as prospects); ?dry_run=true shows the "
       "changes only",
       "Strategic selling",
       {{"dry_run", "boolean", "show what would change, write nothing"}},
       "",
       R"({"type":"object","properties":{"dry_run":{"type":"boolean"},"changes":{"type":"array","items":{"type":"object"}},"rows":{"type":"integer"},"changed":{"type":"integer"},"created":{"type":"integer"}}})"}};
  import.body_type = "text/csv";
  router.Add(std::move(import));
}

}  // namespace rapport::selling
