// GET /api/v1/accounts/{id}/overview: the account 360 in one call.
#include <set>

#include "accounts/account_routes.hpp"
#include "api/access.hpp"
#include "settings/currencies.hpp"

namespace rapport::accounts {
namespace {

std::string Year(const Clock& clock, int back) {
  int y;
  unsigned m, d;
  CivilFromDays(clock.Now() / kMicrosPerDay, y, m, d);
  return std::to_string(y - back);
}

void Account(api::JsonWriter& w, const db::Row& r) {
  w.StartObject()
      .Key("id")
      .String(api::FormatId(r.Int("id")))
      .Key("name")
      .String(r.Text("name"))
      .Key("type")
      .String(r.Text("type"))
      .Key("status")
      .String(r.Text("status"))
      .EndObject();
}

// Time invested in a quarter: calls, visits, meetings and emails, and how many of us took part.
struct Quarter {
  std::string name;
  Instant from = 0, to = 0;
  std::int64_t calls = 0, visits = 0, meetings = 0, emails = 0, other = 0;
  std::set<std::int64_t> people;
};

// The last eight calendar quarters up to `now`, newest first (the newest ends now).
std::vector<Quarter> LastEightQuarters(Instant now) {
  std::vector<Quarter> quarters(8);
  int year;
  unsigned month, day;
  CivilFromDays(now / kMicrosPerDay, year, month, day);
  int q = static_cast<int>((month - 1) / 3);
  for (int i = 0; i < 8; ++i) {
    Quarter& quarter = quarters[i];
    quarter.name = std::to_string(year) + "-Q" + std::to_string(q + 1);
    quarter.from = DaysFromCivil(year, static_cast<unsigned>(q * 3 + 1), 1) * kMicrosPerDay;
    quarter.to = i == 0 ? now : quarters[i - 1].from;
    if (--q < 0) {
      q = 3;
      --year;
    }
  }
  return quarters;
}

// Activities of account `id` counted by the database per quarter, kind and person: an account
// with a million logged emails costs a scan of its index, not a million rows here.
db::Statement TimeInvestedStatement(std::int64_t id, const std::vector<Quarter>& quarters,
                                    Instant now) {
  std::string bucket = "CASE";
  db::Params params;
  for (std::size_t i = 0; i + 1 < quarters.size(); ++i) {
    bucket += " WHEN occurred_at >= ? THEN " + std::to_string(i);
    params.push_back(quarters[i].from);
  }
  bucket += " ELSE " + std::to_string(quarters.size() - 1) + " END";
  params.insert(params.end(), {id, quarters.back().from, now});
  return {"SELECT " + bucket +
              " AS quarter_index, kind, user_id, count(*) AS activity_count FROM activities WHERE "
              "account_id = ? AND occurred_at >= ? AND occurred_at <= ? GROUP BY 1, 2, 3",
          std::move(params)};
}

// The parts of the 360, in the order OverviewStatements reads them.
enum Part : std::size_t {
  kAccount,
  kParents,
  kChildren,
  kContacts,
  kTeam,
  kOpenOpportunities,
  kRecentActivities,
  kTimeInvested,
  kOpenTasks,
  kPurchases,
  kRevenue,
  kUnconvertedRevenue,
  kCompanyCurrency,
};

// What the 360 shows of the account beyond its header, read and written under the same names:
// its addresses, switchboard, website, size and identifiers.
constexpr std::string_view kDetails[] = {"street",
                                         "city",
                                         "country",
                                         "shipping_street",
                                         "shipping_city",
                                         "shipping_region",
                                         "shipping_postcode",
                                         "shipping_country",
                                         "phone",
                                         "website",
                                         "email_domain",
                                         "industry",
                                         "employees",
                                         "beds",
                                         "description",
                                         "ods_code",
                                         "gln",
                                         "company_number"};

std::string DetailColumns() {
  std::string columns;
  for (std::string_view column : kDetails) {
    if (!columns.empty()) columns += ", ";
    columns.append("a.").append(column);
  }
  return columns;
}

// Every part of the 360 as one batch: on PostgreSQL one round trip, not eleven. The parts of an
// account out of the caller's reach are read for nothing and never shown. Revenue covers the
// calendar years `last_year` and `this_year` (periods are "YYYY-MM").
std::vector<db::Statement> OverviewStatements(std::int64_t id, const api::Caller& caller,
                                              db::Statement time_invested,
                                              const std::string& last_year,
                                              const std::string& this_year) {
  return {
      {"SELECT a.id, a.name, a.type, a.status, a.parent_id, a.customer_since, a.region, "
       "a.postcode, a.owner_id, o.name AS owner_name, a.territory_id, t.name AS territory_name, "
       "a.distributor_id, d.name AS distributor_name, a.version, " +
           DetailColumns() +
           ", a.custom FROM accounts a LEFT JOIN users o ON o.id = a.owner_id "
           "LEFT JOIN territories t ON t.id = a.territory_id "
           "LEFT JOIN distributors d ON d.id = a.distributor_id WHERE a.id = ? AND " +
           api::AccountReachCondition(caller, "a"),
       {id}},
      // Parents up to the top, nearest first (the hierarchy is shallow: department, hospital,
      // system; at most 10 are shown).
      {"WITH RECURSIVE up (id, name, type, status, parent_id, depth) AS (SELECT p.id, p.name, "
       "p.type, p.status, p.parent_id, 1 FROM accounts a JOIN accounts p ON p.id = a.parent_id "
       "WHERE a.id = ? UNION ALL SELECT p.id, p.name, p.type, p.status, p.parent_id, "
       "up.depth + 1 FROM up JOIN accounts p ON p.id = up.parent_id WHERE up.depth < 10) "
       "SELECT id, name, type, status, parent_id FROM up ORDER BY depth",
       {id}},
      {"SELECT id, name, type, status FROM accounts WHERE parent_id = ? AND archived_at IS NULL "
       "ORDER BY name, id LIMIT 200",
       {id}},
      {"SELECT c.id, c.first_name, c.last_name, c.job_title, c.function, c.stance, c.influence, "
       "c.colour, c.kol, (SELECT max(act.occurred_at) FROM activity_contacts ac JOIN activities "
       "act ON act.id = ac.activity_id WHERE ac.contact_id = c.id) AS last_contact, c.left_at "
       "FROM contacts c WHERE c.account_id = ? ORDER BY c.left_at IS NOT NULL, c.last_name, "
       "c.first_name, c.id LIMIT 500",
       {id}},
      {"SELECT m.user_id, u.name, m.team_role, m.is_primary, u.status FROM account_team_members m "
       "JOIN users u ON u.id = m.user_id WHERE m.account_id = ? ORDER BY m.is_primary DESC, u.name",
       {id}},
      {"SELECT o.id, o.name, o.stage, o.amount_minor, o.currency, o.close_date, o.probability, "
       "o.owner_id, u.name AS owner_name FROM opportunities o JOIN users u ON u.id = o.owner_id "
       "WHERE o.account_id = ? AND o.stage NOT IN ('closed_won', 'closed_lost') ORDER BY "
       "o.close_date, o.id LIMIT 100",
       {id}},
      {"SELECT act.id, act.kind, act.occurred_at, act.subject, act.outcome, act.user_id, "
       "u.name AS user_name FROM activities act JOIN users u ON u.id = act.user_id WHERE "
       "act.account_id = ? ORDER BY act.occurred_at DESC, act.id DESC LIMIT 20",
       {id}},
      std::move(time_invested),
      {"SELECT t.id, t.subject, t.due_on, t.owner_id, u.name AS owner_name FROM tasks t JOIN "
       "users u ON u.id = t.owner_id WHERE t.account_id = ? AND t.done_at IS NULL ORDER BY "
       "t.due_on IS NULL, t.due_on, t.id LIMIT 100",
       {id}},
      {"SELECT p.id, p.product_id, pr.name AS product_name, pr.lifecycle, p.quantity, "
       "p.purchased_on, p.warranty_end, p.lot_expiry FROM purchases p JOIN products pr ON "
       "pr.id = p.product_id WHERE p.account_id = ? ORDER BY p.purchased_on DESC, p.id DESC LIMIT "
       "100",
       {id}},
      // In the company's currency, each month's lines at the rate of its first day.
      {"SELECT sl.period, sum(" +
           settings::InStoredCompanyCurrencySql("sl.revenue_minor", "sl.currency",
                                                "sl.period || '-01'") +
           ") AS total_minor FROM sales_lines sl WHERE sl.account_id = ? AND sl.period >= ? AND "
           "sl.period < ? GROUP BY sl.period ORDER BY sl.period",
       {id, last_year + "-01", this_year + "-99"}},
      // What the sums above leave out: lines in a currency with no exchange rate.
      {std::string(
           "SELECT currency, sum(revenue_minor) AS total_minor, count(*) AS line_count FROM "
           "sales_lines sl WHERE account_id = ? AND period >= ? AND period < ? AND currency <> ") +
           settings::kCompanyCurrencySql +
           " AND NOT EXISTS (SELECT 1 FROM exchange_rates xr WHERE xr.currency = sl.currency) "
           "GROUP BY currency ORDER BY currency",
       {id, last_year + "-01", this_year + "-99"}},
      {std::string("SELECT ") + settings::kCompanyCurrencySql + " AS currency", {}},
  };
}

void WriteAccount(api::JsonWriter& w, std::int64_t id, const db::Row& account) {
  w.Key("account")
      .StartObject()
      .Key("id")
      .String(api::FormatId(id))
      .Key("name")
      .String(account.Text("name"))
      .Key("type")
      .String(account.Text("type"))
      .Key("status")
      .String(account.Text("status"))
      .Key("customer_since")
      .OptString(account.OptText("customer_since"))
      .Key("region")
      .OptString(account.OptText("region"))
      .Key("postcode")
      .OptString(account.OptText("postcode"))
      .Key("owner");
  if (account.IsNull("owner_id")) {
    w.Null();
  } else {
    w.StartObject()
        .Key("id")
        .String(api::FormatId(account.Int("owner_id")))
        .Key("name")
        .String(account.Text("owner_name"))
        .EndObject();
  }
  w.Key("territory").OptString(account.OptText("territory_name"));
  w.Key("distributor").OptString(account.OptText("distributor_name"));
  w.Key("version").Int(account.Int("version"));
  for (std::string_view column : kDetails) {
    w.Key(column).Value(account.at(account.IndexOf(column)));
  }
  // Its custom field values, as the API keeps them (api/custom_values.hpp).
  w.Key("custom");
  if (account.IsNull("custom")) {
    w.StartObject().EndObject();
  } else {
    w.Raw(account.Text("custom"));
  }
  w.EndObject();
}

void WriteAccounts(api::JsonWriter& w, const char* key, const db::Rows& accounts) {
  w.Key(key).StartArray();
  for (const auto& a : accounts) Account(w, a);
  w.EndArray();
}

void WriteContacts(api::JsonWriter& w, const db::Rows& contacts) {
  w.Key("contacts").StartArray();
  for (const auto& c : contacts) {
    w.StartObject()
        .Key("id")
        .String(api::FormatId(c.Int("id")))
        .Key("name")
        .String(c.Text("first_name") + " " + c.Text("last_name"))
        .Key("job_title")
        .OptString(c.OptText("job_title"))
        .Key("function")
        .String(c.Text("function"))
        .Key("stance")
        .String(c.Text("stance"))
        .Key("influence")
        .String(c.Text("influence"))
        .Key("colour")
        .OptString(c.OptText("colour"))
        .Key("kol")
        .Bool(c.Bool("kol"))
        .Key("last_contacted_at");
    if (c.IsNull("last_contact"))
      w.Null();
    else
      w.String(FormatInstant(c.Int("last_contact")));
    w.Key("left").Bool(!c.IsNull("left_at"));
    w.EndObject();
  }
  w.EndArray();
}

void WriteTeam(api::JsonWriter& w, const db::Rows& team) {
  w.Key("team").StartArray();
  for (const auto& m : team) {
    w.StartObject()
        .Key("user_id")
        .String(api::FormatId(m.Int("user_id")))
        .Key("name")
        .String(m.Text("name"))
        .Key("team_role")
        .String(m.Text("team_role"))
        .Key("is_primary")
        .Bool(m.Bool("is_primary"))
        .Key("status")
        .String(m.Text("status"))
        .EndObject();
  }
  w.EndArray();
}

void WriteOpenOpportunities(api::JsonWriter& w, const db::Rows& opportunities) {
  w.Key("open_opportunities").StartArray();
  for (const auto& o : opportunities) {
    w.StartObject()
        .Key("id")
        .String(api::FormatId(o.Int("id")))
        .Key("name")
        .String(o.Text("name"))
        .Key("stage")
        .String(o.Text("stage"))
        .Key("amount_minor")
        .Int(o.Int("amount_minor"))
        .Key("currency")
        .String(o.Text("currency"))
        .Key("close_date")
        .String(o.Text("close_date"))
        .Key("probability")
        .Int(o.Int("probability"))
        .Key("owner")
        .StartObject()
        .Key("id")
        .String(api::FormatId(o.Int("owner_id")))
        .Key("name")
        .String(o.Text("owner_name"))
        .EndObject()
        .EndObject();
  }
  w.EndArray();
}

void WriteRecentActivities(api::JsonWriter& w, const db::Rows& activities) {
  w.Key("recent_activities").StartArray();
  for (const auto& a : activities) {
    w.StartObject()
        .Key("id")
        .String(api::FormatId(a.Int("id")))
        .Key("kind")
        .String(a.Text("kind"))
        .Key("occurred_at")
        .String(FormatInstant(a.Int("occurred_at")))
        .Key("subject")
        .String(a.Text("subject"))
        .Key("outcome")
        .OptString(a.OptText("outcome"))
        .Key("user")
        .StartObject()
        .Key("id")
        .String(api::FormatId(a.Int("user_id")))
        .Key("name")
        .String(a.Text("user_name"))
        .EndObject()
        .EndObject();
  }
  w.EndArray();
}

// Counts `invested` (TimeInvestedStatement's rows) into `quarters` and writes them oldest first.
void WriteTimeInvested(api::JsonWriter& w, std::vector<Quarter> quarters,
                       const db::Rows& invested) {
  for (const auto& a : invested) {
    Quarter& quarter = quarters.at(static_cast<std::size_t>(a.Int("quarter_index")));
    const std::string kind = a.Text("kind");
    (kind == "call"      ? quarter.calls
     : kind == "visit"   ? quarter.visits
     : kind == "meeting" ? quarter.meetings
     : kind == "email"   ? quarter.emails
                         : quarter.other) += a.Int("activity_count");
    quarter.people.insert(a.Int("user_id"));
  }
  w.Key("time_invested").StartArray();
  for (auto it = quarters.rbegin(); it != quarters.rend(); ++it) {  // oldest first
    w.StartObject()
        .Key("quarter")
        .String(it->name)
        .Key("calls")
        .Int(it->calls)
        .Key("visits")
        .Int(it->visits)
        .Key("meetings")
        .Int(it->meetings)
        .Key("emails")
        .Int(it->emails)
        .Key("notes")
        .Int(it->other)
        .Key("people")
        .Int(static_cast<std::int64_t>(it->people.size()))
        .EndObject();
  }
  w.EndArray();
}

void WriteOpenTasks(api::JsonWriter& w, const db::Rows& tasks) {
  w.Key("open_tasks").StartArray();
  for (const auto& t : tasks) {
    w.StartObject()
        .Key("id")
        .String(api::FormatId(t.Int("id")))
        .Key("subject")
        .String(t.Text("subject"))
        .Key("due_on")
        .OptString(t.OptText("due_on"))
        .Key("owner")
        .StartObject()
        .Key("id")
        .String(api::FormatId(t.Int("owner_id")))
        .Key("name")
        .String(t.Text("owner_name"))
        .EndObject()
        .EndObject();
  }
  w.EndArray();
}

void WritePurchases(api::JsonWriter& w, const db::Rows& purchases) {
  w.Key("purchases").StartArray();
  for (const auto& p : purchases) {
    w.StartObject()
        .Key("id")
        .String(api::FormatId(p.Int("id")))
        .Key("product")
        .StartObject()
        .Key("id")
        .String(api::FormatId(p.Int("product_id")))
        .Key("name")
        .String(p.Text("product_name"))
        .Key("lifecycle")
        .String(p.Text("lifecycle"))
        .EndObject()
        .Key("quantity")
        .Int(p.Int("quantity"))
        .Key("purchased_on")
        .String(p.Text("purchased_on"))
        .Key("warranty_end")
        .OptString(p.OptText("warranty_end"))
        .Key("lot_expiry")
        .OptString(p.OptText("lot_expiry"))
        .EndObject();
  }
  w.EndArray();
}

// Revenue by month, this calendar year against last.
void WriteRevenue(api::JsonWriter& w, const db::Rows& revenue, const db::Rows& unconverted,
                  const std::string& currency, const std::string& last_year,
                  const std::string& this_year) {
  std::int64_t totals[2] = {0, 0};
  std::int64_t months[2][12] = {};
  for (const auto& r : revenue) {
    const std::string period = r.Text("period");
    const int which = period.starts_with(this_year) ? 0 : 1;
    const int month = std::stoi(period.substr(5, 2)) - 1;
    const std::int64_t total = r.Int("total_minor");
    if (month >= 0 && month < 12) months[which][month] += total;
    totals[which] += total;
  }
  w.Key("revenue")
      .StartObject()
      .Key("currency")
      .String(currency)
      .Key("this_year")
      .StartObject()
      .Key("year")
      .Int(std::stoi(this_year))
      .Key("total_minor")
      .Int(totals[0])
      .Key("by_month_minor")
      .StartArray();
  for (auto v : months[0]) w.Int(v);
  w.EndArray().EndObject();
  w.Key("last_year")
      .StartObject()
      .Key("year")
      .Int(std::stoi(last_year))
      .Key("total_minor")
      .Int(totals[1])
      .Key("by_month_minor")
      .StartArray();
  for (auto v : months[1]) w.Int(v);
  w.EndArray().EndObject();
  // Left out of the totals: sales in a currency with no rate to the company's, in their own.
  w.Key("unconverted").StartArray();
  for (const db::Row& r : unconverted) {
    w.StartObject()
        .Key("currency")
        .String(r.Text("currency"))
        .Key("total_minor")
        .Int(r.Int("total_minor"))
        .Key("lines")
        .Int(r.Int("line_count"))
        .EndObject();
  }
  w.EndArray();
  w.EndObject();
}

Result<api::Response> Overview(api::ApiContext& ctx, const api::Request& request,
                               const api::Caller& caller) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(request.PathParam("id"), "id"));
  const Instant now = ctx.clock.Now();
  const std::vector<Quarter> quarters = LastEightQuarters(now);
  const std::string this_year = Year(ctx.clock, 0), last_year = Year(ctx.clock, 1);
  const std::vector<db::Statement> statements = OverviewStatements(
      id, caller, TimeInvestedStatement(id, quarters, now), last_year, this_year);
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(std::vector<db::Rows> parts, tx.QueryAll(statements));
    if (parts[kAccount].empty())
      return Error(ErrorCode::kNotFound, "no account " + api::FormatId(id));
    w.StartObject();
    WriteAccount(w, id, parts[kAccount].front());
    WriteAccounts(w, "parents", parts[kParents]);
    WriteAccounts(w, "children", parts[kChildren]);
    WriteContacts(w, parts[kContacts]);
    WriteTeam(w, parts[kTeam]);
    WriteOpenOpportunities(w, parts[kOpenOpportunities]);
    WriteRecentActivities(w, parts[kRecentActivities]);
    WriteTimeInvested(w, quarters, parts[kTimeInvested]);
    WriteOpenTasks(w, parts[kOpenTasks]);
    WritePurchases(w, parts[kPurchases]);
    WriteRevenue(
        w, parts[kRevenue], parts[kUnconvertedRevenue],
        parts[kCompanyCurrency].empty() ? "GBP" : parts[kCompanyCurrency][0].Text("currency"),
        last_year, this_year);
    w.EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterAccountOverviewRoute(api::Router& router, api::ApiContext& context) {
  router.Add(
      {"GET",
       "/api/v1/accounts/{id}/overview",
       api::Access::kSignedIn,
       api::Reach::Record("accounts", "account", api::Scope::kAccount),
       [&context](const api::Request& r, const api::Caller& c) { return Overview(context, r, c); },
       {"The account 360: hierarchy, contacts, team, open deals, timeline, tasks, purchases, "
        "revenue this year against last",
        "Accounts",
        {},
        "",
        R"({"type":"object"})"}});
}

}  // namespace rapport::accounts
