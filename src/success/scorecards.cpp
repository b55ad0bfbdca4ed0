#include "success/scorecards.hpp"

#include <map>
#include <optional>
#include <sstream>

#include "accounts/cadence.hpp"
#include "api/access.hpp"
#include "api/csv.hpp"
#include "api/query.hpp"
#include "api/xlsx.hpp"
#include "core/period.hpp"
#include "settings/currencies.hpp"
#include "success/surveys.hpp"

namespace rapport::success {
namespace {

struct Scorecard {
  std::int64_t accounts_handled = 0;
  std::int64_t check_in_calls_made = 0, check_in_calls_due = 0;
  std::int64_t billing_queries_resolved = 0;
  std::optional<double> billing_query_hours;  // mean hours to resolve
  std::optional<double> satisfaction_index;   // 0-100
  std::int64_t survey_answers = 0;
  std::int64_t repeat_sales_minor = 0, new_range_sales_minor = 0, cross_sell_minor = 0;
};

struct Person {
  std::int64_t id;
  std::string name;
  Scorecard current, previous;
};

// The figures of `period` for the people in `ids` (a comma list of integers).
Status Fill(db::Transaction& tx, const std::string& ids, const Period& period,
            std::map<std::int64_t, Scorecard*>& cards) {
  const Instant from = period.first_day * kMicrosPerDay;
  const Instant to = (period.last_day + 1) * kMicrosPerDay;
  const std::string first_month = MonthOf(period.first_day).label;
  const std::string last_month = MonthOf(period.last_day).label;
  const std::int64_t days = period.last_day - period.first_day + 1;
  const std::string mine = "a.owner_id IN (" + ids + ")";
  auto each = [&](const std::string& sql, const db::Params& params,
                  const std::function<void(Scorecard&, const db::Row&)>& set) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql, params));
    for (const auto& r : rows) {
      auto it = cards.find(r.Int("owner_id"));
      if (it != cards.end()) set(*it->second, r);
    }
    return Ok();
  };
  RAPPORT_RETURN_IF_ERROR(each(
      "SELECT owner_id, count(*) AS accounts_handled, coalesce(sum(CASE WHEN cadence IS NULL "
      "THEN 0 ELSE (? + cadence - 1) / cadence END), 0) AS calls_due FROM (SELECT a.owner_id, " +
          accounts::CadenceDaysSql() + " AS cadence FROM accounts a WHERE " + mine +
          " AND a.archived_at IS NULL) t GROUP BY owner_id",
      {days}, [](Scorecard& s, const db::Row& r) {
        s.accounts_handled = r.Int("accounts_handled");
        s.check_in_calls_due = r.Int("calls_due");
      }));
  RAPPORT_RETURN_IF_ERROR(
      each("SELECT a.owner_id, count(*) AS calls_made FROM activities x JOIN accounts a ON a.id = "
           "x.account_id AND "
           "a.owner_id = x.user_id WHERE " +
               mine +
               " AND x.kind IN ('call', 'visit', 'meeting') AND x.opportunity_id IS NULL AND "
               "x.occurred_at >= ? AND x.occurred_at < ? GROUP BY a.owner_id",
           {from, to},
           [](Scorecard& s, const db::Row& r) { s.check_in_calls_made = r.Int("calls_made"); }));
  RAPPORT_RETURN_IF_ERROR(each(
      "SELECT c.owner_id, count(*) AS resolved_count, sum(c.resolved_at - c.opened_at) AS "
      "resolve_micros FROM cases c WHERE "
      "c.owner_id IN (" +
          ids +
          ") AND c.kind = 'billing_query' AND c.resolved_at >= ? AND c.resolved_at < ? GROUP BY "
          "c.owner_id",
      {from, to}, [](Scorecard& s, const db::Row& r) {
        s.billing_queries_resolved = r.Int("resolved_count");
        if (r.Int("resolved_count") > 0) {
          s.billing_query_hours =
              static_cast<double>(r.Int("resolve_micros")) / r.Int("resolved_count") / 3600e6;
        }
      }));
  RAPPORT_RETURN_IF_ERROR(
      each("SELECT a.owner_id, count(*) AS answers, sum(" + SatisfactionIndexSql("s") +
               ") AS index_total FROM surveys s JOIN accounts a ON a.id = s.account_id WHERE " +
               mine + " AND s.answered_at >= ? AND s.answered_at < ? GROUP BY a.owner_id",
           {from, to}, [](Scorecard& s, const db::Row& r) {
             s.survey_answers = r.Int("answers");
             if (r.Int("answers") > 0) {
               s.satisfaction_index = static_cast<double>(r.Int("index_total")) / r.Int("answers");
             }
           }));
  // Sales in the period: a product the account had bought before is a repeat sale; a product new
  // to it from a family it already buys is cross-sell; a family new to it is a new range. The
  // unary + keeps SQLite on the (account_id, period) index for the earlier lines: by product it
  // would read every account's history of that product (minutes at a million accounts).
  RAPPORT_RETURN_IF_ERROR(each(
      "SELECT owner_id, coalesce(sum(CASE WHEN seen_product = 1 THEN revenue_minor ELSE 0 END), "
      "0) AS repeat_minor, coalesce(sum(CASE WHEN seen_product = 0 AND seen_family = 0 THEN "
      "revenue_minor ELSE 0 END), 0) AS new_range_minor, coalesce(sum(CASE WHEN seen_product = 0 "
      "AND seen_family = 1 THEN revenue_minor ELSE 0 END), 0) AS cross_sell_minor FROM (SELECT "
      "a.owner_id, " +
          settings::InStoredCompanyCurrencySql("sl.revenue_minor", "sl.currency",
                                               "sl.period || '-01'") +
          " AS revenue_minor, CASE WHEN EXISTS (SELECT 1 FROM "
          "sales_lines p WHERE p.account_id = sl.account_id AND +p.product_id = sl.product_id AND "
          "p.period < ?) THEN 1 ELSE 0 END AS seen_product, CASE WHEN EXISTS (SELECT 1 FROM "
          "sales_lines p JOIN products q ON q.id = p.product_id WHERE p.account_id = sl.account_id "
          "AND q.family = pr.family AND p.period < ?) THEN 1 ELSE 0 END AS seen_family FROM "
          "sales_lines sl JOIN accounts a ON a.id = sl.account_id JOIN products pr ON pr.id = "
          "sl.product_id WHERE " +
          mine + " AND sl.period >= ? AND sl.period <= ?) t GROUP BY owner_id",
      {first_month, first_month, first_month, last_month}, [](Scorecard& s, const db::Row& r) {
        s.repeat_sales_minor = r.Int("repeat_minor");
        s.new_range_sales_minor = r.Int("new_range_minor");
        s.cross_sell_minor = r.Int("cross_sell_minor");
      }));
  return Ok();
}

void WriteCard(api::JsonWriter& w, const Scorecard& s) {
  w.StartObject();
  w.Key("accounts_handled").Int(s.accounts_handled);
  w.Key("check_in_calls_made").Int(s.check_in_calls_made);
  w.Key("check_in_calls_due").Int(s.check_in_calls_due);
  w.Key("billing_queries_resolved").Int(s.billing_queries_resolved);
  w.Key("billing_query_hours");
  if (s.billing_query_hours)
    w.Double(*s.billing_query_hours);
  else
    w.Null();
  w.Key("satisfaction_index");
  if (s.satisfaction_index)
    w.Double(*s.satisfaction_index);
  else
    w.Null();
  w.Key("survey_answers").Int(s.survey_answers);
  w.Key("repeat_sales_minor").Int(s.repeat_sales_minor);
  w.Key("new_range_sales_minor").Int(s.new_range_sales_minor);
  w.Key("cross_sell_minor").Int(s.cross_sell_minor);
  w.EndObject();
}

const char* kColumns[] = {"Person",
                          "Period",
                          "Accounts handled",
                          "Check-in calls made",
                          "Check-in calls due",
                          "Billing queries resolved",
                          "Hours to resolve (mean)",
                          "Satisfaction index",
                          "Survey answers",
                          "Repeat sales",
                          "New-range sales",
                          "Cross-sell"};

// One row's cells after the person and period: numbers, or nullopt for none.
std::vector<std::optional<double>> Cells(const Scorecard& s) {
  return {static_cast<double>(s.accounts_handled),
          static_cast<double>(s.check_in_calls_made),
          static_cast<double>(s.check_in_calls_due),
          static_cast<double>(s.billing_queries_resolved),
          s.billing_query_hours,
          s.satisfaction_index,
          static_cast<double>(s.survey_answers),
          s.repeat_sales_minor / 100.0,
          s.new_range_sales_minor / 100.0,
          s.cross_sell_minor / 100.0};
}

std::string Csv(const std::vector<Person>& people, const Period& period, const Period& previous) {
  api::CsvWriter csv;
  for (const char* c : kColumns) csv.Cell(c);
  csv.EndRow();
  for (const auto& p : people) {
    for (const auto& [label, card] :
         {std::pair{period.label, &p.current}, std::pair{previous.label, &p.previous}}) {
      csv.Cell(p.name).Cell(label);
      for (const auto& v : Cells(*card)) {
        if (!v) {
          csv.Cell("");
        } else {
          std::ostringstream text;
          text << *v;
          csv.Cell(text.str());
        }
      }
      csv.EndRow();
    }
  }
  return csv.Take();
}

Result<std::string> Xlsx(const std::vector<Person>& people, const Period& period,
                         const Period& previous) {
  return api::XlsxWorkbook([&](lxw_workbook* book) {
    lxw_format* bold = workbook_add_format(book);
    format_set_bold(bold);
    lxw_worksheet* sheet = workbook_add_worksheet(book, "Scorecards");
    worksheet_write_string(sheet, 0, 0, ("Account managers' scorecards, " + period.label).c_str(),
                           bold);
    for (int i = 0; i < 12; ++i) worksheet_write_string(sheet, 2, i, kColumns[i], bold);
    worksheet_set_column(sheet, 0, 0, 28, nullptr);
    worksheet_set_column(sheet, 2, 11, 16, nullptr);
    lxw_row_t row = 3;
    for (const auto& p : people) {
      for (const auto& [label, card] :
           {std::pair{period.label, &p.current}, std::pair{previous.label, &p.previous}}) {
        worksheet_write_string(sheet, row, 0, p.name.c_str(), nullptr);
        worksheet_write_string(sheet, row, 1, label.c_str(), nullptr);
        lxw_col_t col = 2;
        for (const auto& v : Cells(*card)) {
          if (v) worksheet_write_number(sheet, row, col, *v, nullptr);
          ++col;
        }
        ++row;
      }
    }
  });
}

Result<api::Response> GetScorecards(api::ApiContext& ctx, const api::Request& r,
                                    const api::Caller& c) {
  const Instant now = ctx.clock.Now();
  Period period = MonthOf(now / kMicrosPerDay);
  std::string format = "json", role = "account_manager";
  std::optional<std::int64_t> only;
  api::Query query(r);
  query.Period("period", period).OneOf("format", format, {"json", "csv", "xlsx"});
  query.OneOf("role", role, {"account_manager", "customer_success", "rep", "inside_sales", "any"});
  RAPPORT_RETURN_IF_ERROR(query.Id("user_id", only).Finish());
  const Period previous = period.Previous();
  std::vector<Person> people;
  std::string currency;  // the company's: the sales figures are in it
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    // A manager sees their line side by side; anyone else their own card.
    std::string sql = "SELECT u.id, u.name FROM users u WHERE " + api::PeopleInView(c, "u.id") +
                      " AND u.status <> 'left'";
    db::Params params;
    if (role != "any") {
      sql += " AND u.role = ?";
      params.push_back(role);
    }
    if (only) {
      sql += " AND u.id = ?";
      params.push_back(*only);
    }
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql + " ORDER BY u.name, u.id", params));
    if (rows.empty()) return Ok();
    people.reserve(rows.size());
    std::string ids;
    for (const auto& row : rows) {
      people.push_back({row.Int("id"), row.Text("name"), {}, {}});
      ids += (ids.empty() ? "" : ",") + std::to_string(row.Int("id"));
    }
    std::map<std::int64_t, Scorecard*> current, before;
    for (auto& p : people) {
      current[p.id] = &p.current;
      before[p.id] = &p.previous;
    }
    RAPPORT_ASSIGN_OR_RETURN(currency, settings::CompanyCurrency(tx));
    RAPPORT_RETURN_IF_ERROR(Fill(tx, ids, period, current));
    return Fill(tx, ids, previous, before);
  }));
  if (format == "csv") {
    return api::Response::Download(Csv(people, period, previous), "text/csv; charset=utf-8",
                                   "scorecards-" + period.label + ".csv");
  }
  if (format == "xlsx") {
    RAPPORT_ASSIGN_OR_RETURN(std::string bytes, Xlsx(people, period, previous));
    return api::Response::Download(
        std::move(bytes), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "scorecards-" + period.label + ".xlsx");
  }
  api::JsonWriter w;
  w.StartObject().Key("period").String(period.label);
  w.Key("from").String(FormatDate(period.first_day));
  w.Key("to").String(FormatDate(period.last_day));
  w.Key("previous_period").String(previous.label);
  w.Key("currency").String(currency);
  w.Key("items").StartArray();
  for (const auto& p : people) {
    w.StartObject().Key("user_id").String(api::FormatId(p.id)).Key("name").String(p.name);
    w.Key("current");
    WriteCard(w, p.current);
    w.Key("previous");
    WriteCard(w, p.previous);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterScorecardRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/reports/scorecards",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetScorecards(ctx, r, c); },
       {"Account managers' scorecards for a period (default: this month) beside the period "
        "before: check-in calls made vs due, billing queries resolved and hours to resolve, "
        "satisfaction index, repeat / new-range / cross-sell sales, accounts handled",
        "Customer success",
        {{"period", "string", "YYYY-MM, YYYY-Qn or YYYY"},
         {"role", "string", "account_manager (default), customer_success, rep, inside_sales, any"},
         {"user_id", "string", "one person"},
         {"format", "string", "json (default), csv or xlsx"}},
        "",
        R"({"type":"object","properties":{"period":{"type":"string"},"items":{"type":"array","items":{"type":"object"}}}})"}});
}

}  // namespace rapport::success
