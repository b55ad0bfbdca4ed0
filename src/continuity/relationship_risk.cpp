#include "continuity/relationship_risk.hpp"

#include <charconv>

#include "api/access.hpp"
#include "api/csv.hpp"
#include "api/query.hpp"

namespace rapport::continuity {
namespace {

struct RiskRow {
  std::int64_t rank = 0;
  std::int64_t account_id = 0;
  std::string name;
  std::string type;
  std::optional<std::int64_t> owner_id;
  std::string owner_name;
  std::int64_t revenue_minor = 0;
  std::int64_t contacts = 0;
  std::int64_t people_in_touch = 0;
  std::optional<Instant> last_contact;
  bool top = false;
  std::vector<const char*> risks;
};

struct ReportQuery {
  std::optional<std::int64_t> owner_id;
  std::optional<std::int64_t> territory_id;
  int limit = 50;
  std::int64_t offset = 0;
  bool csv = false;
};

Result<ReportQuery> ParseQuery(const api::Request& r) {
  ReportQuery q;
  std::string format = "json";
  api::Query query(r);
  query.Id("owner_id", q.owner_id).Id("territory_id", q.territory_id).Limit(q.limit, 500);
  query.OffsetCursor(q.offset).OneOf("format", format, {"csv", "json"});
  RAPPORT_RETURN_IF_ERROR(query.Finish());
  q.csv = format == "csv";
  if (q.csv) {
    q.limit = 100'000;  // the whole report, as far as anyone would open it in a spreadsheet
    q.offset = 0;
  }
  return q;
}

// Where each column of the report's query sits in its rows.
struct RiskColumns {
  explicit RiskColumns(const db::Row& row)
      : id(row.IndexOf("id")),
        name(row.IndexOf("name")),
        type(row.IndexOf("type")),
        owner_id(row.IndexOf("owner_id")),
        owner_name(row.IndexOf("owner_name")),
        owner_status(row.IndexOf("owner_status")),
        revenue(row.IndexOf("revenue")),
        contacts(row.IndexOf("contacts")),
        people_in_touch(row.IndexOf("people_in_touch")),
        sponsor_code(row.IndexOf("sponsor_code")),
        last_contact_at(row.IndexOf("last_contact_at")),
        cadence_days(row.IndexOf("cadence_days")),
        owner_changed_at(row.IndexOf("owner_changed_at")),
        key_contacts_gone(row.IndexOf("key_contacts_gone")) {}
  size_t id, name, type, owner_id, owner_name, owner_status, revenue, contacts, people_in_touch,
      sponsor_code, last_contact_at, cadence_days, owner_changed_at, key_contacts_gone;
};

// The report's row of one account, ranked `rank`, with what puts it at risk (`top`: how many
// ranks are the top accounts).
RiskRow ReadRisk(const db::Row& row, const RiskColumns& columns, std::int64_t rank,
                 std::int64_t top, Instant now) {
  RiskRow r;
  r.rank = rank;
  r.account_id = row.Int(columns.id);
  r.name = row.Text(columns.name);
  r.type = row.Text(columns.type);
  r.owner_id = row.OptInt(columns.owner_id);
  r.owner_name = row.Text(columns.owner_name);
  r.revenue_minor = row.Int(columns.revenue);
  r.contacts = row.Int(columns.contacts);
  r.people_in_touch = row.Int(columns.people_in_touch);
  r.last_contact = row.OptInt(columns.last_contact_at);
  r.top = r.rank <= top && r.revenue_minor > 0;
  if (r.people_in_touch <= 1) r.risks.push_back("single_threaded");
  if (r.contacts <= 1) r.risks.push_back("one_contact");
  // sponsor_code: sponsors + 1000 x sponsors paired with a peer at the customer.
  const std::int64_t sponsor_code = row.Int(columns.sponsor_code);
  const std::int64_t sponsors = sponsor_code % 1000, paired = sponsor_code / 1000;
  if (r.top && sponsors == 0) r.risks.push_back("no_executive_sponsor");
  if (r.top && sponsors > 0 && paired == 0) r.risks.push_back("sponsor_without_peer");
  if (!row.IsNull(columns.cadence_days) &&
      (!r.last_contact || *r.last_contact < now - row.Int(columns.cadence_days) * kMicrosPerDay)) {
    r.risks.push_back("out_of_cadence");
  }
  const std::string owner_status = row.Text(columns.owner_status);
  if (!r.owner_id || owner_status == "left" || owner_status == "on_leave") {
    r.risks.push_back("owner_leaving");
  } else if (!row.IsNull(columns.owner_changed_at) &&
             row.Int(columns.owner_changed_at) > now - 90 * kMicrosPerDay) {
    r.risks.push_back("owner_new");
  }
  if (row.Int(columns.key_contacts_gone) > 0) r.risks.push_back("key_contact_gone");
  return r;
}

Result<std::vector<RiskRow>> RunReport(db::Transaction& tx, const api::Caller& c,
                                       const ReportQuery& q, Instant now, std::int64_t& total) {
  std::string where =
      "a.archived_at IS NULL AND a.status = 'customer' AND " + api::AccountReachCondition(c, "a");
  db::Params filter;
  if (q.owner_id) {
    where += " AND a.owner_id = ?";
    filter.push_back(*q.owner_id);
  }
  if (q.territory_id) {
    where +=
        " AND a.territory_id IN (WITH RECURSIVE below(id) AS (SELECT id FROM territories WHERE "
        "id = ? UNION ALL SELECT t.id FROM territories t JOIN below ON t.parent_id = below.id) "
        "SELECT id FROM below)";
    filter.push_back(*q.territory_id);
  }
  RAPPORT_ASSIGN_OR_RETURN(total,
                           tx.QueryInt("SELECT count(*) FROM accounts a WHERE " + where, filter));
  const std::int64_t top = (total + 4) / 5;
  // The page: accounts ranked by their trailing-year revenue (an index walk over account_revenue),
  // then what puts each at risk, for those accounts only.
  db::Params page = filter;
  page.push_back(std::int64_t{q.limit});
  page.push_back(q.offset);
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows ranked,
      tx.Query("SELECT r.account_id FROM account_revenue r JOIN accounts a ON a.id = r.account_id "
               "WHERE " +
                   where + " ORDER BY r.revenue_12m_minor DESC, r.account_id LIMIT ? OFFSET ?",
               page));
  std::string ids;
  for (const auto& row : ranked) {
    ids += (ids.empty() ? "" : ", ") + std::to_string(row.Int("account_id"));
  }
  if (ids.empty()) return std::vector<RiskRow>{};
  const Instant year_ago = now - 365 * kMicrosPerDay;
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT a.id, a.name, a.type, a.owner_id, u.name AS owner_name, "
               "u.status AS owner_status, r.revenue_12m_minor AS revenue, "
               "(SELECT count(*) FROM contacts c WHERE c.account_id = a.id AND c.left_at IS NULL) "
               "AS contacts, "
               "(SELECT count(DISTINCT x.user_id) FROM activities x WHERE x.account_id = a.id AND "
               "x.occurred_at > ? AND x.occurred_at <= ?) AS people_in_touch, "
               "(SELECT count(*) FROM account_team_members m WHERE m.account_id = a.id AND "
               "m.team_role = 'executive_sponsor') + (SELECT count(*) FROM account_team_members m "
               "WHERE m.account_id = a.id AND m.team_role = 'executive_sponsor' AND "
               "m.peer_contact_id IS NOT NULL) * 1000 AS sponsor_code, "
               "(SELECT max(x.occurred_at) FROM activities x WHERE x.account_id = a.id AND "
               "x.occurred_at <= ?) AS last_contact_at, "
               "coalesce(a.contact_cadence_days, (SELECT g.contact_cadence_days FROM segments g "
               "WHERE g.name = a.segment)) AS cadence_days, "
               "(SELECT max(h.changed_at) FROM audit_history h WHERE h.table_name = 'accounts' AND "
               "h.record_id = a.id AND h.field = 'owner_id') AS owner_changed_at, "
               "(SELECT count(*) FROM contacts c WHERE c.account_id = a.id AND c.left_at > ? AND "
               "(c.influence = 'high' OR c.kol = 1)) AS key_contacts_gone "
               "FROM accounts a JOIN account_revenue r ON r.account_id = a.id "
               "LEFT JOIN users u ON u.id = a.owner_id WHERE a.id IN (" +
                   ids + ") ORDER BY revenue DESC, a.id",
               {year_ago, now, now, year_ago}));
  std::vector<RiskRow> out;
  out.reserve(rows.size());
  if (rows.empty()) return out;
  // Up to 100,000 rows for a CSV: each column's place is looked up once, not once a row.
  const RiskColumns columns(rows.front());
  std::int64_t rank = q.offset;
  for (const auto& row : rows) out.push_back(ReadRisk(row, columns, ++rank, top, now));
  return out;
}

std::string Csv(const std::vector<RiskRow>& rows) {
  api::CsvWriter w;
  for (const char* h : {"rank", "account_id", "account", "type", "owner", "revenue_12m",
                        "top_account", "contacts", "people_in_touch", "last_contact", "risks"}) {
    w.Cell(h);
  }
  w.EndRow();
  for (const RiskRow& r : rows) {
    std::string risks;
    for (const char* risk : r.risks) risks += (risks.empty() ? "" : " ") + std::string(risk);
    w.Cell(r.rank)
        .Cell(r.account_id)
        .Cell(r.name)
        .Cell(r.type)
        .Cell(r.owner_name)
        .Cell(std::to_string(r.revenue_minor / 100) + "." +
              std::to_string(100 + r.revenue_minor % 100).substr(1))
        .Cell(r.top ? "yes" : "no")
        .Cell(r.contacts)
        .Cell(r.people_in_touch)
        .Cell(r.last_contact ? FormatDate(*r.last_contact / kMicrosPerDay) : "")
        .Cell(risks)
        .EndRow();
  }
  return w.Take();
}

Result<api::Response> GetRelationshipRisk(api::ApiContext& ctx, const api::Request& r,
                                          const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(ReportQuery q, ParseQuery(r));
  std::vector<RiskRow> rows;
  std::int64_t total = 0;
  const Instant now = ctx.clock.Now();
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(rows, RunReport(tx, c, q, now, total));
    return Ok();
  }));
  if (q.csv) {
    api::Response response;
    response.content_type = "text/csv; charset=utf-8";
    response.body = Csv(rows);
    response.WithHeader("Content-Disposition", "attachment; filename=\"relationship-risk.csv\"");
    return response;
  }
  api::JsonWriter w;
  w.StartObject().Key("total").Int(total).Key("items").StartArray();
  for (const RiskRow& row : rows) {
    w.StartObject()
        .Key("rank")
        .Int(row.rank)
        .Key("account_id")
        .String(api::FormatId(row.account_id))
        .Key("name")
        .String(row.name)
        .Key("type")
        .String(row.type)
        .Key("owner_id");
    w.OptId(row.owner_id);
    w.Key("owner_name").String(row.owner_name);
    w.Key("revenue_12m_minor").Int(row.revenue_minor);
    w.Key("top_account").Bool(row.top);
    w.Key("contacts").Int(row.contacts);
    w.Key("people_in_touch").Int(row.people_in_touch);
    w.Key("last_contact_at");
    w.OptInstant(row.last_contact);
    w.Key("risks").StartArray();
    for (const char* risk : row.risks) w.String(risk);
    w.EndArray().EndObject();
  }
  w.EndArray().Key("next_cursor");
  if (q.offset + static_cast<std::int64_t>(rows.size()) < total && !rows.empty()) {
    w.String(std::to_string(q.offset + static_cast<std::int64_t>(rows.size())));
  } else {
    w.Null();
  }
  w.EndObject();
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterRelationshipRiskRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/reports/relationship-risk",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) {
         return GetRelationshipRisk(ctx, r, c);
       },
       {"Customer accounts ranked by revenue with what puts each relationship at risk "
        "(?format=csv for all of them)",
        "Continuity",
        {{"owner_id", "string", "accounts of this owner"},
         {"territory_id", "string", "accounts in this territory or below it"},
         {"limit", "integer", "1 to 500 (default 50)"},
         {"cursor", "string", "next_cursor of the previous page"},
         {"format", "string", "json (default) or csv"}},
        "",
        R"({"type":"object","properties":{"total":{"type":"integer"},"items":{"type":"array","items":{"type":"object","properties":{"rank":{"type":"integer"},"account_id":{"type":"string"},"name":{"type":"string"},"revenue_12m_minor":{"type":"integer"},"top_account":{"type":"boolean"},"risks":{"type":"array","items":{"type":"string"}}}}},"next_cursor":{"type":["string","null"]}}})"}});
}

}  // namespace rapport::continuity
