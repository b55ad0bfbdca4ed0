// GET /api/v1/reports/forecast: the monthly-review numbers. For a period (default: this quarter),
// each person's deals closing in it by forecast category (commit, best case, pipeline), the
// weighted pipeline and what is already won, with the win rate, the average days from opening to
// closing and the calls and visits per order, rolled up the manager hierarchy so that a
// manager's line equals their own plus their people's; for each open stage, the win rate and days
// spent there by the deals closed in the period; and what changed in the last seven days
// (moved, slipped, pulled in, grew, shrank). As JSON, CSV or XLSX (libxlsxwriter).
#include "selling/forecast.hpp"

#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "api/access.hpp"
#include "api/csv.hpp"
#include "api/query.hpp"
#include "api/xlsx.hpp"
#include "selling/opportunity_store.hpp"
#include "settings/currencies.hpp"

namespace rapport::selling {
namespace {

struct Figures {
  std::int64_t commit = 0, best_case = 0, pipeline = 0, weighted = 0, won = 0, deals = 0;
  // Closed in the period: how many won and lost, the days from opening to closing them, and the
  // calls and visits made (for calls per order).
  std::int64_t won_count = 0, lost_count = 0, cycle_days = 0, calls = 0;
  void Add(const Figures& o) {
    commit += o.commit;
    best_case += o.best_case;
    pipeline += o.pipeline;
    weighted += o.weighted;
    won += o.won;
    deals += o.deals;
    won_count += o.won_count;
    lost_count += o.lost_count;
    cycle_days += o.cycle_days;
    calls += o.calls;
  }
};

struct Line {
  std::int64_t user_id = 0;
  std::string name;
  std::optional<std::int64_t> manager_id;
  int depth = 0;
  Figures own, total;
};

struct Change {
  std::int64_t opportunity_id = 0;
  std::string name, owner, kind, field, old_value, new_value;
  Instant at = 0;
};

// One open stage, over the deals closed in the period: how many passed through it, how many of
// those were won, and the days they spent in it (from the stage changes in the audit trail; a deal
// starts in the stage its first change left, or its final one, at its creation).
struct StageFigures {
  std::string stage;
  std::int64_t reached = 0, won = 0;
  Instant time_in_stage = 0;
};

struct Forecast {
  std::string from, to;
  std::string currency;  // the company's: every amount is in it
  // Deals left out of the sums because their currency has no exchange rate: currency -> deals.
  std::map<std::string, std::int64_t> unconverted;
  std::vector<Line> lines;  // tree order
  Figures total;
  std::vector<StageFigures> stages;
  std::vector<Change> changes;
};

// Walks each closed deal's stage changes (rows ordered by deal, then time) into `stages`.
void AddStageTimes(const db::Rows& deals, const db::Rows& moves,
                   const std::function<bool(std::int64_t)>& in_scope,
                   std::vector<StageFigures>& stages) {
  auto slot = [&](const std::string& stage) -> StageFigures* {
    for (auto& s : stages) {
      if (s.stage == stage) return &s;
    }
    return nullptr;
  };
  size_t m = 0;
  for (const auto& deal : deals) {
    // deal: id, stage, created_at, closed_at, owner_id; moves: record_id, old_value, new_value,
    // changed_at.
    const std::int64_t id = deal.Int("id");
    while (m < moves.size() && moves[m].Int("record_id") < id) ++m;
    const size_t first = m;
    while (m < moves.size() && moves[m].Int("record_id") == id) ++m;
    if (!in_scope(deal.Int("owner_id"))) continue;
    const bool won = deal.Text("stage") == "closed_won";
    std::string stage = first < m ? moves[first].Text("old_value") : deal.Text("stage");
    Instant entered = deal.Int("created_at");
    std::set<std::string> reached;
    auto leave = [&](Instant at) {
      if (StageFigures* s = slot(stage)) {
        s->time_in_stage += std::max<Instant>(0, at - entered);
        reached.insert(stage);
      }
    };
    for (size_t k = first; k < m; ++k) {
      leave(moves[k].Int("changed_at"));
      stage = moves[k].Text("new_value");
      entered = moves[k].Int("changed_at");
    }
    if (!deal.IsNull("closed_at")) leave(deal.Int("closed_at"));
    for (const auto& name : reached) {
      StageFigures* s = slot(name);
      ++s->reached;
      if (won) ++s->won;
    }
  }
}

// Each person's own figures in the period: open deals by forecast category (in the company's
// `currency`, converted at the rate of their close date), deals closed and their cycle, calls and
// visits. `reach` is the caller's, over accounts alias a.
Result<std::map<std::int64_t, Figures>> OwnFigures(db::Transaction& tx, const std::string& reach,
                                                   const std::string& from, const std::string& to,
                                                   const std::string& currency) {
  const std::string amount =
      settings::InCompanyCurrencySql("o.amount_minor", "o.currency", "o.close_date", currency);
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows sums,
      tx.Query("SELECT o.owner_id, CASE WHEN o.stage = 'closed_won' THEN 'won' ELSE "
               "coalesce(o.forecast_category, CASE WHEN o.probability >= 70 THEN 'commit' WHEN "
               "o.probability >= 40 THEN 'best_case' ELSE 'pipeline' END) END AS category, "
               "sum(" +
                   amount + ") AS total_minor, sum(" + amount +
                   " * o.probability) AS weighted_percent_minor, count(*) AS deal_count FROM "
                   "opportunities o JOIN accounts a ON a.id = o.account_id WHERE o.close_date >= ? "
                   "AND o.close_date <= ? AND o.stage <> 'closed_lost' AND " +
                   reach + " GROUP BY o.owner_id, 2",
               {from, to}));
  std::map<std::int64_t, Figures> own;
  for (const auto& row : sums) {
    Figures& fig = own[row.Int("owner_id")];
    const std::string category = row.Text("category");
    const std::int64_t amount = row.Int("total_minor");
    if (category == "won") {
      fig.won += amount;
    } else if (category == "omitted") {
      continue;
    } else {
      (category == "commit"      ? fig.commit
       : category == "best_case" ? fig.best_case
                                 : fig.pipeline) += amount;
      fig.weighted += row.Int("weighted_percent_minor") / 100;
    }
    fig.deals += row.Int("deal_count");
  }
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows closed,
      tx.Query("SELECT o.owner_id, sum(CASE WHEN o.stage = 'closed_won' THEN 1 ELSE 0 END) AS "
               "won_count, sum(CASE WHEN o.stage = 'closed_lost' THEN 1 ELSE 0 END) AS lost_count, "
               "sum((coalesce(o.closed_at, o.created_at) - o.created_at) / ?) AS cycle_days FROM "
               "opportunities o JOIN accounts a ON a.id = o.account_id WHERE o.stage IN "
               "('closed_won', 'closed_lost') AND o.close_date >= ? AND o.close_date <= ? AND " +
                   reach + " GROUP BY o.owner_id",
               {kMicrosPerDay, from, to}));
  for (const auto& row : closed) {
    Figures& fig = own[row.Int("owner_id")];
    fig.won_count = row.Int("won_count");
    fig.lost_count = row.Int("lost_count");
    fig.cycle_days = row.Int("cycle_days");
  }
  std::int64_t from_day = 0, to_day = 0;
  ParseDate(from, from_day);
  ParseDate(to, to_day);
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows calls,
      tx.Query(
          "SELECT x.user_id, count(*) AS call_count FROM activities x JOIN accounts a ON a.id = "
          "x.account_id WHERE x.kind IN ('call', 'visit') AND x.occurred_at >= ? AND "
          "x.occurred_at < ? AND " +
              reach + " GROUP BY x.user_id",
          {from_day * kMicrosPerDay, (to_day + 1) * kMicrosPerDay}));
  for (const auto& row : calls) own[row.Int("user_id")].calls = row.Int("call_count");
  return own;
}

// Lines by the management hierarchy: each person's own figures and their team's total, from
// the people whose manager is outside the report down; the report's total in `f.total`.
Status AddLines(db::Transaction& tx, const api::Caller& c,
                const std::function<bool(std::int64_t)>& in_scope,
                std::map<std::int64_t, Figures>& own, Forecast& f) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows users,
                           tx.Query("SELECT id, name, manager_id FROM users ORDER BY name, id"));
  std::map<std::int64_t, std::vector<std::int64_t>> reports;
  std::map<std::int64_t, std::pair<std::string, std::optional<std::int64_t>>> people;
  for (const auto& u : users) {
    people[u.Int("id")] = {u.Text("name"), u.OptInt("manager_id")};
    if (!u.IsNull("manager_id")) reports[u.Int("manager_id")].push_back(u.Int("id"));
  }
  std::map<std::int64_t, Figures> totals;
  std::set<std::int64_t> visiting;
  std::function<Figures(std::int64_t)> total_of = [&](std::int64_t id) -> Figures {
    if (auto it = totals.find(id); it != totals.end()) return it->second;
    Figures t = in_scope(id) ? own[id] : Figures{};
    if (visiting.insert(id).second) {
      for (std::int64_t r : reports[id]) t.Add(total_of(r));
    }
    totals[id] = t;
    return t;
  };
  std::function<void(std::int64_t, int)> emit = [&](std::int64_t id, int depth) {
    const Figures t = total_of(id);
    if (t.deals == 0 && !(in_scope(id) && id == c.user_id)) return;
    f.lines.push_back(
        {id, people[id].first, people[id].second, depth, in_scope(id) ? own[id] : Figures{}, t});
    for (std::int64_t r : reports[id]) emit(r, depth + 1);
  };
  // Roots: people whose manager is outside the report (or who have none).
  for (const auto& [id, person] : people) {
    if (!in_scope(id)) continue;
    const auto& manager = person.second;
    if (manager && in_scope(*manager) && people.count(*manager)) continue;
    emit(id, 0);
    f.total.Add(total_of(id));
  }
  return Ok();
}

// Win rate and days per stage, over the deals closed in the period.
Status AddStages(db::Transaction& tx, const std::string& reach, const std::string& from,
                 const std::string& to, const std::function<bool(std::int64_t)>& in_scope,
                 Forecast& f) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows closed_deals,
      tx.Query("SELECT o.id, o.stage, o.created_at, o.closed_at, o.owner_id FROM opportunities o "
               "JOIN accounts a ON a.id = o.account_id WHERE o.stage IN ('closed_won', "
               "'closed_lost') AND o.close_date >= ? AND o.close_date <= ? AND " +
                   reach + " ORDER BY o.id",
               {from, to}));
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows moves,
      tx.Query("SELECT h.record_id, h.old_value, h.new_value, h.changed_at FROM opportunities o "
               "JOIN accounts a ON a.id = o.account_id JOIN audit_history h ON h.table_name = "
               "'opportunities' AND h.record_id = o.id WHERE h.action = 'update' AND h.field = "
               "'stage' AND o.stage IN ('closed_won', 'closed_lost') AND o.close_date >= ? AND "
               "o.close_date <= ? AND " +
                   reach + " ORDER BY h.record_id, h.changed_at, h.id",
               {from, to}));
  for (std::string_view stage : kStages) {
    if (!IsClosedStage(stage)) f.stages.push_back({std::string(stage)});
  }
  AddStageTimes(closed_deals, moves, in_scope, f.stages);
  return Ok();
}

// Deals moved, slipped, pulled in, grown or shrunk in the last seven days.
Status AddChanges(db::Transaction& tx, const std::string& reach, Instant now,
                  const std::function<bool(std::int64_t)>& in_scope, Forecast& f) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows changes,
      tx.Query("SELECT o.id, o.name, u.name AS owner_name, h.field, h.old_value, h.new_value, "
               "h.changed_at, o.owner_id FROM audit_history h JOIN opportunities o ON o.id = "
               "h.record_id JOIN accounts a ON a.id = o.account_id JOIN users u ON u.id = "
               "o.owner_id WHERE "
               "h.table_name = 'opportunities' AND h.action = 'update' AND h.field IN ('stage', "
               "'close_date', 'amount_minor') AND h.changed_at >= ? AND " +
                   reach + " ORDER BY h.changed_at DESC, h.id DESC LIMIT 500",
               {now - 7 * kMicrosPerDay}));
  for (const auto& row : changes) {
    if (!in_scope(row.Int("owner_id"))) continue;
    Change ch{
        row.Int("id"),     row.Text("name"),      row.Text("owner_name"), "",
        row.Text("field"), row.Text("old_value"), row.Text("new_value"),  row.Int("changed_at")};
    if (ch.field == "stage") {
      ch.kind = "moved";
    } else if (ch.field == "close_date") {
      ch.kind = ch.new_value > ch.old_value ? "slipped" : "pulled_in";
    } else {
      ch.kind =
          std::atoll(ch.new_value.c_str()) > std::atoll(ch.old_value.c_str()) ? "grew" : "shrank";
    }
    f.changes.push_back(std::move(ch));
  }
  return Ok();
}

Result<Forecast> Build(db::Transaction& tx, const api::Caller& c, const std::string& from,
                       const std::string& to, Instant now) {
  Forecast f;
  f.from = from;
  f.to = to;
  RAPPORT_ASSIGN_OR_RETURN(f.currency, settings::CompanyCurrency(tx));
  const std::string reach = api::AccountReachCondition(c, "a");
  RAPPORT_ASSIGN_OR_RETURN(auto own, OwnFigures(tx, reach, from, to, f.currency));
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows unconverted,
      tx.Query("SELECT o.currency, count(*) AS deal_count FROM opportunities o JOIN accounts a ON "
               "a.id = o.account_id WHERE o.close_date >= ? AND o.close_date <= ? AND o.stage <> "
               "'closed_lost' AND " +
                   settings::UnconvertibleSql("o.currency", f.currency) + " AND " + reach +
                   " GROUP BY o.currency",
               {from, to}));
  for (const db::Row& row : unconverted) {
    f.unconverted[row.Text("currency")] = row.Int("deal_count");
  }
  // Who the report is about: everyone for an admin, the caller's line for the others.
  const std::set<std::int64_t> line(c.user_ids.begin(), c.user_ids.end());
  const std::function<bool(std::int64_t)> in_scope = [&](std::int64_t id) {
    return c.all_accounts || line.count(id) > 0;
  };
  RAPPORT_RETURN_IF_ERROR(AddLines(tx, c, in_scope, own, f));
  RAPPORT_RETURN_IF_ERROR(AddStages(tx, reach, from, to, in_scope, f));
  RAPPORT_RETURN_IF_ERROR(AddChanges(tx, reach, now, in_scope, f));
  return f;
}

void WriteFigures(api::JsonWriter& w, const Figures& f) {
  w.StartObject()
      .Key("commit_minor")
      .Int(f.commit)
      .Key("best_case_minor")
      .Int(f.best_case)
      .Key("pipeline_minor")
      .Int(f.pipeline)
      .Key("weighted_minor")
      .Int(f.weighted)
      .Key("won_minor")
      .Int(f.won)
      .Key("deals")
      .Int(f.deals)
      .Key("won_count")
      .Int(f.won_count)
      .Key("lost_count")
      .Int(f.lost_count);
  const std::int64_t closed = f.won_count + f.lost_count;
  w.Key("win_rate");
  if (closed > 0)
    w.Double(static_cast<double>(f.won_count) / static_cast<double>(closed));
  else
    w.Null();
  w.Key("average_cycle_days");
  if (closed > 0)
    w.Double(static_cast<double>(f.cycle_days) / static_cast<double>(closed));
  else
    w.Null();
  w.Key("calls").Int(f.calls).Key("calls_per_order");
  if (f.won_count > 0)
    w.Double(static_cast<double>(f.calls) / static_cast<double>(f.won_count));
  else
    w.Null();
  w.EndObject();
}

std::string Money(std::int64_t minor) {
  return std::to_string(minor / 100) + "." +
         std::to_string(100 + std::llabs(minor % 100)).substr(1);
}

std::string Csv(const Forecast& f) {
  api::CsvWriter w;
  for (const char* h : {"person", "level", "commit", "best_case", "pipeline", "weighted", "won",
                        "deals", "own_commit", "own_best_case", "own_pipeline", "own_won",
                        "won_count", "lost_count", "calls", "currency"}) {
    w.Cell(h);
  }
  w.EndRow();
  for (const Line& l : f.lines) {
    w.Cell(l.name).Cell(static_cast<std::int64_t>(l.depth));
    for (std::int64_t v :
         {l.total.commit, l.total.best_case, l.total.pipeline, l.total.weighted, l.total.won}) {
      w.Cell(Money(v));
    }
    w.Cell(l.total.deals);
    for (std::int64_t v : {l.own.commit, l.own.best_case, l.own.pipeline, l.own.won}) {
      w.Cell(Money(v));
    }
    w.Cell(l.total.won_count).Cell(l.total.lost_count).Cell(l.total.calls).Cell(f.currency);
    w.EndRow();
  }
  return w.Take();
}

Result<std::string> Xlsx(const Forecast& f) {
  return api::XlsxWorkbook([&](lxw_workbook* book) {
    lxw_format* bold = workbook_add_format(book);
    format_set_bold(bold);
    lxw_format* money = workbook_add_format(book);
    format_set_num_format(money, "#,##0.00");
    lxw_format* money_bold = workbook_add_format(book);
    format_set_num_format(money_bold, "#,##0.00");
    format_set_bold(money_bold);

    lxw_worksheet* sheet = workbook_add_worksheet(book, "Forecast");
    worksheet_write_string(
        sheet, 0, 0, ("Forecast " + f.from + " to " + f.to + ", in " + f.currency).c_str(), bold);
    const char* headers[] = {"Person",   "Commit", "Best case", "Pipeline",
                             "Weighted", "Won",    "Deals"};
    for (int i = 0; i < 7; ++i) worksheet_write_string(sheet, 2, i, headers[i], bold);
    worksheet_set_column(sheet, 0, 0, 32, nullptr);
    worksheet_set_column(sheet, 1, 5, 14, money);
    lxw_row_t row = 3;
    auto write = [&](const std::string& name, const Figures& t, lxw_format* number,
                     lxw_format* text) {
      worksheet_write_string(sheet, row, 0, name.c_str(), text);
      const std::int64_t values[] = {t.commit, t.best_case, t.pipeline, t.weighted, t.won};
      for (int i = 0; i < 5; ++i) {
        worksheet_write_number(sheet, row, i + 1, static_cast<double>(values[i]) / 100.0, number);
      }
      worksheet_write_number(sheet, row, 6, static_cast<double>(t.deals), text);
      ++row;
    };
    for (const Line& l : f.lines)
      write(std::string(l.depth * 2, ' ') + l.name, l.total, money, nullptr);
    write("Total", f.total, money_bold, bold);

    lxw_worksheet* stages = workbook_add_worksheet(book, "Stages");
    const char* stage_headers[] = {"Stage", "Deals reached", "Won", "Win rate", "Average days"};
    for (int i = 0; i < 5; ++i) worksheet_write_string(stages, 0, i, stage_headers[i], bold);
    worksheet_set_column(stages, 0, 0, 18, nullptr);
    lxw_row_t at = 1;
    for (const StageFigures& s : f.stages) {
      worksheet_write_string(stages, at, 0, s.stage.c_str(), nullptr);
      worksheet_write_number(stages, at, 1, static_cast<double>(s.reached), nullptr);
      worksheet_write_number(stages, at, 2, static_cast<double>(s.won), nullptr);
      if (s.reached > 0) {
        worksheet_write_number(stages, at, 3, static_cast<double>(s.won) / s.reached, nullptr);
        worksheet_write_number(stages, at, 4,
                               static_cast<double>(s.time_in_stage) / kMicrosPerDay / s.reached,
                               nullptr);
      }
      ++at;
    }

    lxw_worksheet* changes = workbook_add_worksheet(book, "Changes this week");
    const char* change_headers[] = {"Opportunity", "Owner", "What", "From", "To", "When"};
    for (int i = 0; i < 6; ++i) worksheet_write_string(changes, 0, i, change_headers[i], bold);
    worksheet_set_column(changes, 0, 0, 36, nullptr);
    lxw_row_t r = 1;
    for (const Change& ch : f.changes) {
      worksheet_write_string(changes, r, 0, ch.name.c_str(), nullptr);
      worksheet_write_string(changes, r, 1, ch.owner.c_str(), nullptr);
      worksheet_write_string(changes, r, 2, ch.kind.c_str(), nullptr);
      worksheet_write_string(changes, r, 3, ch.old_value.c_str(), nullptr);
      worksheet_write_string(changes, r, 4, ch.new_value.c_str(), nullptr);
      worksheet_write_string(changes, r, 5, FormatInstant(ch.at).c_str(), nullptr);
      ++r;
    }
  });
}

// This quarter, as dates.
std::pair<std::string, std::string> ThisQuarter(Instant now) {
  int year;
  unsigned month, day;
  CivilFromDays(now / kMicrosPerDay, year, month, day);
  const unsigned first = (month - 1) / 3 * 3 + 1;
  const std::int64_t start = DaysFromCivil(year, first, 1);
  const std::int64_t next =
      first == 10 ? DaysFromCivil(year + 1, 1, 1) : DaysFromCivil(year, first + 3, 1);
  return {FormatDate(start), FormatDate(next - 1)};
}

Result<api::Response> GetForecast(api::ApiContext& ctx, const api::Request& r,
                                  const api::Caller& c) {
  const Instant now = ctx.clock.Now();
  auto [from, to] = ThisQuarter(now);
  std::string format = "json";
  api::Query query(r);
  query.Date("from", from).Date("to", to).OneOf("format", format, {"json", "csv", "xlsx"});
  RAPPORT_RETURN_IF_ERROR(query.Finish());
  if (to < from) return Error::InvalidField("to", "is before from");
  Forecast forecast;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(forecast, Build(tx, c, from, to, now));
    return Ok();
  }));
  const std::string file = "forecast-" + from + "-" + to;
  if (format == "csv") {
    api::Response response;
    response.content_type = "text/csv; charset=utf-8";
    response.body = Csv(forecast);
    response.WithHeader("Content-Disposition", "attachment; filename=\"" + file + ".csv\"");
    return response;
  }
  if (format == "xlsx") {
    RAPPORT_ASSIGN_OR_RETURN(std::string bytes, Xlsx(forecast));
    api::Response response;
    response.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    response.body = std::move(bytes);
    response.WithHeader("Content-Disposition", "attachment; filename=\"" + file + ".xlsx\"");
    return response;
  }
  api::JsonWriter w;
  w.StartObject().Key("from").String(forecast.from).Key("to").String(forecast.to);
  w.Key("currency").String(forecast.currency).Key("unconverted").StartArray();
  for (const auto& [currency, deals] : forecast.unconverted) {
    w.StartObject().Key("currency").String(currency).Key("deals").Int(deals).EndObject();
  }
  w.EndArray();
  w.Key("rows").StartArray();
  for (const Line& l : forecast.lines) {
    w.StartObject().Key("user_id").String(api::FormatId(l.user_id));
    w.Key("name").String(l.name).Key("manager_id");
    w.OptId(l.manager_id);
    w.Key("depth").Int(l.depth).Key("own");
    WriteFigures(w, l.own);
    w.Key("total");
    WriteFigures(w, l.total);
    w.EndObject();
  }
  w.EndArray().Key("total");
  WriteFigures(w, forecast.total);
  w.Key("stages").StartArray();
  for (const StageFigures& s : forecast.stages) {
    w.StartObject().Key("stage").String(s.stage).Key("deals_reached").Int(s.reached);
    w.Key("won").Int(s.won).Key("win_rate");
    if (s.reached > 0)
      w.Double(static_cast<double>(s.won) / static_cast<double>(s.reached));
    else
      w.Null();
    w.Key("average_days");
    if (s.reached > 0)
      w.Double(static_cast<double>(s.time_in_stage) / static_cast<double>(kMicrosPerDay) /
               static_cast<double>(s.reached));
    else
      w.Null();
    w.EndObject();
  }
  w.EndArray();
  w.Key("changes").StartArray();
  for (const Change& ch : forecast.changes) {
    w.StartObject().Key("opportunity_id").String(api::FormatId(ch.opportunity_id));
    w.Key("name").String(ch.name).Key("owner_name").String(ch.owner);
    w.Key("kind").String(ch.kind).Key("field").String(ch.field);
    w.Key("old_value").String(ch.old_value).Key("new_value").String(ch.new_value);
    w.Key("changed_at").String(FormatInstant(ch.at)).EndObject();
  }
  w.EndArray().EndObject();
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterForecastRoute(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/reports/forecast",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetForecast(ctx, r, c); },
       {"The forecast for a period (default this quarter): commit, best case, pipeline, weighted "
        "and won per person in the company's currency (each deal converted at the rate of its "
        "close date), rolled up the manager hierarchy, and the week's changes",
        "Strategic selling",
        {{"from", "string", "first close date (YYYY-MM-DD)"},
         {"to", "string", "last close date (YYYY-MM-DD)"},
         {"format", "string", "json (default), csv or xlsx"}},
        "",
        R"({"type":"object","properties":{"from":{"type":"string"},"to":{"type":"string"},"currency":{"type":"string","description":"the company's: every amount is in it"},"unconverted":{"type":"array","description":"deals left out of the sums: their currency has no exchange rate","items":{"type":"object","properties":{"currency":{"type":"string"},"deals":{"type":"integer"}},"required":["currency","deals"]}},"rows":{"type":"array","items":{"type":"object","properties":{"user_id":{"type":"string"},"name":{"type":"string"},"depth":{"type":"integer"},"own":{"type":"object"},"total":{"type":"object"}}}},"total":{"type":"object"},"changes":{"type":"array","items":{"type":"object"}}}})"}});
}

}  // namespace rapport::selling
