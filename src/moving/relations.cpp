#include "moving/relations.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "core/clock.hpp"
#include "core/validation.hpp"
#include "imports/cells.hpp"
#include "moving/source_files.hpp"
#include "records/opportunities.hpp"
#include "selling/line_item_import.hpp"

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
  // An account is its own account.
  const std::string account = table == "accounts" ? "id" : "account_id";
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT external_id, id, " + account + std::string(deals ? ", currency" : "") +
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
  file.rows = records->rows();
  file.skipped = records->skipped();
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
  using Role = std::tuple<std::int64_t, std::int64_t, std::string>;  // deal, contact, role
  std::set<Role> in_file, there;
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows stored,
      context.tx.Query("SELECT opportunity_id, contact_id, role FROM opportunity_contact_roles"));
  for (const db::Row& r : stored) there.insert({r.Int(0), r.Int(1), r.Text(2)});
  std::vector<db::Params> added;
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
      const Role r{d->second.id, c->second.id, buying_role};
      in_file.insert(r);
      if (!there.insert(r).second) {
        ++report.unchanged;
        continue;
      }
      added.push_back({d->second.id, c->second.id, buying_role});
      ++report.created;
    }
  }
  // All at once: a round trip per role would cost PostgreSQL minutes on a large book.
  if (report.rejected == 0) {
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t first,
        audit::InsertManyAudited(context.tx, context.actor, "opportunity_contact_roles",
                                 {"opportunity_id", "contact_id", "role"}, std::move(added),
                                 /*timestamps=*/false));
    (void)first;
  }
  file.rows = records->rows();
  file.skipped = records->skipped();
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows written,
      context.tx.Query("SELECT opportunity_id, contact_id, role FROM opportunity_contact_roles"));
  std::int64_t found = 0;
  for (const db::Row& r : written) found += in_file.count(Role{r.Int(0), r.Int(1), r.Text(2)});
  AddCheck(checks, file, "contact roles", WithCommas(static_cast<std::int64_t>(in_file.size())),
           WithCommas(found));
  return Ok();
}

Status ImportLineItems(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenProfiled(file, context.source));
  selling::LineItemFile lines(context.tx, {.products_by_source_id = &context.products_by_source_id,
                                           .max_problems = imports::kRejectionsKept});
  RAPPORT_RETURN_IF_ERROR(lines.Read(*records));
  report.columns = lines.columns();
  report.rows_read = lines.rows();
  file.rows = records->rows();
  file.skipped = records->skipped();
  for (const selling::LineItemFile::Problem& p : lines.problems()) {
    Reject(report, p.line, p.header, p.message);
  }
  if (report.rejected > 0) return Ok();
  RAPPORT_ASSIGN_OR_RETURN(selling::LineItemFile::Written written, lines.Write(context.actor));
  report.created = written.lines_created;
  report.updated = written.lines_changed;
  report.unchanged = written.lines_unchanged;
  // The check: the lines and their totals by currency as written, and each deal at its lines'
  // total.
  std::int64_t lines_in_file = 0;
  std::map<std::string, std::int64_t> file_totals;  // by currency
  for (const auto& [id, deal] : lines.deals()) {
    lines_in_file += static_cast<std::int64_t>(deal.lines.size());
    for (const auto& [position, item] : deal.lines)
      file_totals[deal.deal.currency] += item.total_minor;
  }
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      context.tx.Query("SELECT o.id, o.currency, o.amount_minor, count(*), sum(l.total_minor) "
                       "FROM opportunity_line_items l JOIN opportunities o ON o.id = "
                       "l.opportunity_id GROUP BY o.id, o.currency, o.amount_minor"));
  std::int64_t lines_found = 0, deals_at_total = 0;
  std::map<std::string, std::int64_t> written_totals;
  for (const db::Row& r : rows) {
    if (!lines.deals().count(r.Int(0))) continue;
    lines_found += r.Int(3);
    written_totals[r.Text(1)] += r.Int(4);
    deals_at_total += r.Int(2) == r.Int(4);
  }
  AddCheck(checks, file, "line items", WithCommas(lines_in_file), WithCommas(lines_found));
  AddCheck(checks, file, "deals at their lines' total",
           WithCommas(static_cast<std::int64_t>(lines.deals().size())), WithCommas(deals_at_total));
  for (const auto& [currency, sum] : file_totals) {
    AddCheck(checks, file, "line totals " + currency, Money(sum), Money(written_totals[currency]));
  }
  return Ok();
}

Status ImportOpenTasks(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  const auto id = header.Find({"id", "taskid"}, "external_id", report);
  const auto owner = header.Find({"ownerid", "owner", "assignedto"}, "owner", report);
  const auto account = header.Find({"accountid"}, "account", report);
  const auto what = header.Find({"whatid"}, "related", report);
  const auto subject = header.Find({"subject"}, "subject", report);
  const auto due = header.Find({"activitydate", "duedate"}, "due_on", report);
  if (!id || !owner) {
    return Error(ErrorCode::kMalformed, "a task file needs its tasks' Id and OwnerId");
  }
  RAPPORT_ASSIGN_OR_RETURN(auto accounts, KnownByExternalId(context.tx, "accounts"));
  RAPPORT_ASSIGN_OR_RETURN(auto deals, KnownByExternalId(context.tx, "opportunities"));
  std::unordered_map<std::string, std::int64_t> users_by_email;
  RAPPORT_ASSIGN_OR_RETURN(db::Rows users, context.tx.Query("SELECT email, id FROM users"));
  for (const db::Row& r : users) users_by_email[Lowercase(r.Text(0))] = r.Int(1);
  struct Existing {
    std::int64_t id;
    std::vector<db::Value> values;
  };
  std::unordered_map<std::string, Existing> existing;
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows stored,
      context.tx.Query("SELECT external_id, id, owner_id, account_id, related_type, related_id, "
                       "subject, due_on FROM tasks WHERE external_id IS NOT NULL"));
  for (const db::Row& r : stored) {
    std::vector<db::Value> values;
    for (std::size_t c = 2; c < 8; ++c) {
      values.push_back(r.IsNull(c)                  ? db::Null()
                       : c == 4 || c == 6 || c == 7 ? db::Value(r.Text(c))
                                                    : db::Value(r.Int(c)));
    }
    existing[r.Text(0)] = {r.Int(1), std::move(values)};
  }
  std::set<std::string> in_file, new_keys;
  std::vector<db::Params> new_tasks;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    const std::string key = Cell(row, id);
    if (key.empty()) {
      Reject(report, line, header.names[*id], "a task needs its id");
      continue;
    }
    std::optional<std::int64_t> owner_id;
    const std::string owner_key = Cell(row, owner);
    if (context.user_keys) {
      if (auto k = context.user_keys->find(owner_key); k != context.user_keys->end()) {
        owner_id = k->second;
      }
    }
    if (auto e = users_by_email.find(Lowercase(owner_key));
        !owner_id && e != users_by_email.end()) {
      owner_id = e->second;
    }
    if (!owner_id) {
      Reject(report, line, header.names[*owner], Quoted(owner_key) + " is not a user of the book");
      continue;
    }
    db::Value account_id = db::Null(), related_type = db::Null(), related_id = db::Null();
    if (auto a = accounts.find(Cell(row, account)); a != accounts.end()) account_id = a->second.id;
    if (auto d = deals.find(Cell(row, what)); !Cell(row, what).empty() && d != deals.end()) {
      related_type = std::string("opportunity");
      related_id = d->second.id;
      if (std::holds_alternative<std::monostate>(account_id)) account_id = d->second.account_id;
    } else if (std::holds_alternative<std::monostate>(account_id)) {
      if (auto a = accounts.find(Cell(row, what)); a != accounts.end()) account_id = a->second.id;
    }
    if (!Cell(row, account).empty() && std::holds_alternative<std::monostate>(account_id)) {
      Reject(report, line, header.names[*account],
             Quoted(Cell(row, account)) + " is not an account of the book");
      continue;
    }
    std::string text = Cell(row, subject);
    if (text.empty()) text = "(no subject)";
    if (Utf8Characters(text) > 300) {
      Reject(report, line, header.names[*subject], "is longer than 300 characters");
      continue;
    }
    db::Value due_on = db::Null();
    if (const std::string d = Cell(row, due).substr(0, 10); !d.empty()) {
      std::int64_t days = 0;
      if (!ParseDate(d, days)) {
        Reject(report, line, header.names[*due], Quoted(Cell(row, due)) + " is not a date");
        continue;
      }
      due_on = d;
    }
    in_file.insert(key);
    const audit::FieldValues values = {
        {"owner_id", *owner_id},    {"account_id", account_id}, {"related_type", related_type},
        {"related_id", related_id}, {"subject", text},          {"due_on", due_on}};
    if (auto it = existing.find(key); it != existing.end()) {
      RAPPORT_ASSIGN_OR_RETURN(
          int changed, audit::WriteChanges(context.tx, context.actor, "tasks", it->second.id,
                                           it->second.values, values));
      ++(changed > 0 ? report.updated : report.unchanged);
      continue;
    }
    if (!new_keys.insert(key).second) {
      ++report.unchanged;  // the same id twice in the file: the first is taken
      continue;
    }
    db::Params created;
    for (const auto& [column, value] : values) created.push_back(value);
    created.push_back(key);
    new_tasks.push_back(std::move(created));
    ++report.created;
  }
  // All at once: a round trip per task would cost PostgreSQL minutes on a large book.
  if (report.rejected == 0) {
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t first,
        audit::InsertManyAudited(context.tx, context.actor, "tasks",
                                 {"owner_id", "account_id", "related_type", "related_id", "subject",
                                  "due_on", "external_id"},
                                 std::move(new_tasks)));
    (void)first;
  }
  file.rows = records->rows();
  file.skipped = records->skipped();
  file.set_aside = records->set_aside();
  RAPPORT_ASSIGN_OR_RETURN(db::Rows written,
                           context.tx.Query("SELECT external_id FROM tasks WHERE external_id IS "
                                            "NOT NULL AND done_at IS NULL"));
  std::int64_t found = 0;
  for (const db::Row& r : written) found += in_file.count(r.Text(0));
  AddCheck(checks, file, "open tasks", WithCommas(static_cast<std::int64_t>(in_file.size())),
           WithCommas(found));
  return Ok();
}

}  // namespace rapport::moving
