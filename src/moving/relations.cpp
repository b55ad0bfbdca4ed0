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
#include "moving/parts.hpp"
#include "moving/source_files.hpp"
#include "records/opportunities.hpp"
#include "selling/line_item_import.hpp"

namespace rapport::moving {
namespace {

using imports::ImportReport;
using imports::Trim;

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

// A deal's contact in a buying role: deal, contact, role.
using ContactRole = std::tuple<std::int64_t, std::int64_t, std::string>;

// Every contact role stored, as they come.
Result<std::vector<ContactRole>> StoredContactRoles(db::Transaction& tx) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT opportunity_id, contact_id, role FROM opportunity_contact_roles"));
  // Up to a row per role of the book: each column's place is looked up once.
  const std::size_t deal = ColumnOf(rows, "opportunity_id"), contact = ColumnOf(rows, "contact_id"),
                    role = ColumnOf(rows, "role");
  std::vector<ContactRole> roles;
  roles.reserve(rows.size());
  for (const db::Row& r : rows) roles.emplace_back(r.Int(deal), r.Int(contact), r.Text(role));
  return roles;
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
  for (const db::Row& r : rows) by_sku[r.Text("sku")] = r.Int("id");
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
  // A deals export without its associated contacts gives no roles (an export of its deals only).
  if (per_deal && deal && !contact) return Ok();
  if (!deal || !contact) {
    return Error(ErrorCode::kMalformed, "no column names the deal and the contact");
  }
  RAPPORT_ASSIGN_OR_RETURN(auto deals, KnownByExternalId(context.tx, "opportunities"));
  RAPPORT_ASSIGN_OR_RETURN(auto contacts, KnownByExternalId(context.tx, "contacts"));
  std::set<ContactRole> in_file, there;
  RAPPORT_ASSIGN_OR_RETURN(std::vector<ContactRole> stored, StoredContactRoles(context.tx));
  for (ContactRole& r : stored) there.insert(std::move(r));
  std::vector<db::Params> added;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    const std::string deal_key = Cell(row, deal);
    const std::vector<std::string> contact_keys = ListedKeys(Cell(row, contact));
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
      const ContactRole r{d->second.id, c->second.id, buying_role};
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
  RAPPORT_ASSIGN_OR_RETURN(const std::vector<ContactRole> written, StoredContactRoles(context.tx));
  std::int64_t found = 0;
  for (const ContactRole& r : written) found += in_file.count(r);
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
      context.tx.Query("SELECT o.id, o.currency, o.amount_minor, count(*) AS line_count, "
                       "sum(l.total_minor) AS lines_total_minor "
                       "FROM opportunity_line_items l JOIN opportunities o ON o.id = "
                       "l.opportunity_id GROUP BY o.id, o.currency, o.amount_minor"));
  std::int64_t lines_found = 0, deals_at_total = 0;
  std::map<std::string, std::int64_t> written_totals;
  // Up to a row per deal of the book: each column's place is looked up once.
  const std::size_t deal_id = ColumnOf(rows, "id"), currency_column = ColumnOf(rows, "currency"),
                    amount = ColumnOf(rows, "amount_minor"),
                    line_count = ColumnOf(rows, "line_count"),
                    lines_total = ColumnOf(rows, "lines_total_minor");
  for (const db::Row& r : rows) {
    if (!lines.deals().count(r.Int(deal_id))) continue;
    lines_found += r.Int(line_count);
    written_totals[r.Text(currency_column)] += r.Int(lines_total);
    deals_at_total += r.Int(amount) == r.Int(lines_total);
  }
  AddCheck(checks, file, "line items", WithCommas(lines_in_file), WithCommas(lines_found));
  AddCheck(checks, file, "deals at their lines' total",
           WithCommas(static_cast<std::int64_t>(lines.deals().size())), WithCommas(deals_at_total));
  for (const auto& [currency, sum] : file_totals) {
    AddCheck(checks, file, "line totals " + currency, Money(sum), Money(written_totals[currency]));
  }
  return Ok();
}

namespace {

// A task file's owner column (Salesforce's, HubSpot's tasks' and its meetings').
std::optional<std::size_t> FindOwner(const Header& header, ImportReport& report) {
  return header.Find({"ownerid", "owner", "assignedto", "activityassignedto"}, "owner", report);
}

// The columns of a task file.
struct TaskColumns {
  std::optional<std::size_t> id, owner, account, what, subject, due;
};

// The fields a task's import writes, in the order it writes them.
constexpr StoredField kTaskFields[] = {{"owner_id", false},    {"account_id", false},
                                       {"related_type", true}, {"related_id", false},
                                       {"subject", true},      {"due_on", true}};

// What a task file's rows are matched against: the book's records and users.
struct TaskBook {
  std::unordered_map<std::string, Known> accounts, deals;
  BookUsers users;
};

Result<TaskBook> LoadTaskBook(db::Transaction& tx) {
  TaskBook book;
  RAPPORT_ASSIGN_OR_RETURN(book.accounts, KnownByExternalId(tx, "accounts"));
  RAPPORT_ASSIGN_OR_RETURN(book.deals, KnownByExternalId(tx, "opportunities"));
  RAPPORT_ASSIGN_OR_RETURN(book.users, LoadBookUsers(tx));
  return book;
}

// A task file's row as its task's fields (in kTaskFields' order), or nullopt when the row is
// rejected (noted in the report).
std::optional<audit::FieldValues> ReadTaskRow(const RelationContext& context, const TaskBook& book,
                                              const Header& header, const TaskColumns& columns,
                                              const std::vector<std::string>& row,
                                              std::int64_t line, ImportReport& report) {
  const std::string owner_key = Cell(row, columns.owner);
  const std::optional<std::int64_t> owner_id = OwnerOf(context, book.users, owner_key);
  if (!owner_id) {
    Reject(report, line, header.names[*columns.owner],
           Quoted(owner_key) + " is not a user of the book");
    return std::nullopt;
  }
  db::Value account_id = db::Null(), related_type = db::Null(), related_id = db::Null();
  const std::string account = Cell(row, columns.account), what = Cell(row, columns.what);
  if (auto a = book.accounts.find(account); a != book.accounts.end()) account_id = a->second.id;
  if (auto d = book.deals.find(what); !what.empty() && d != book.deals.end()) {
    related_type = std::string("opportunity");
    related_id = d->second.id;
    if (std::holds_alternative<std::monostate>(account_id)) account_id = d->second.account_id;
  } else if (std::holds_alternative<std::monostate>(account_id)) {
    if (auto a = book.accounts.find(what); a != book.accounts.end()) account_id = a->second.id;
  }
  if (!account.empty() && std::holds_alternative<std::monostate>(account_id)) {
    Reject(report, line, header.names[*columns.account],
           Quoted(account) + " is not an account of the book");
    return std::nullopt;
  }
  std::string text = Cell(row, columns.subject);
  if (text.empty()) text = "(no subject)";
  if (Utf8Characters(text) > 300) {
    Reject(report, line, header.names[*columns.subject], "is longer than 300 characters");
    return std::nullopt;
  }
  db::Value due_on = db::Null();
  if (const std::string d = Cell(row, columns.due).substr(0, 10); !d.empty()) {
    std::int64_t days = 0;
    if (!ParseDate(d, days)) {
      Reject(report, line, header.names[*columns.due],
             Quoted(Cell(row, columns.due)) + " is not a date");
      return std::nullopt;
    }
    due_on = d;
  }
  return audit::FieldValues{
      {"owner_id", *owner_id},    {"account_id", account_id}, {"related_type", related_type},
      {"related_id", related_id}, {"subject", text},          {"due_on", due_on}};
}

}  // namespace

Result<std::map<std::string, std::int64_t>> OpenTaskOwners(const BookFile& file, Source source) {
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, source, header));
  ImportReport unused;
  const auto owner = FindOwner(header, unused);
  std::map<std::string, std::int64_t> owners;
  std::vector<std::string> row;
  while (owner) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    if (const std::string key = Cell(row, owner); !key.empty()) ++owners[key];
  }
  return owners;
}

Status ImportOpenTasks(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  TaskColumns columns;
  columns.id = header.Find({"id", "taskid", "recordid"}, "external_id", report);
  columns.owner = FindOwner(header, report);
  columns.account = header.Find({"accountid", "associatedcompanyids"}, "account", report);
  columns.what = header.Find({"whatid", "associateddealids"}, "related", report);
  columns.subject =
      header.Find({"subject", "tasktitle", "title", "meetingname"}, "subject", report);
  columns.due = header.Find({"duedate", "activitydate"}, "due_on", report);
  if (!columns.id || !columns.owner) {
    return Error(ErrorCode::kMalformed, "a task file needs its tasks' Id and OwnerId");
  }
  RAPPORT_ASSIGN_OR_RETURN(const TaskBook book, LoadTaskBook(context.tx));
  RAPPORT_ASSIGN_OR_RETURN(auto existing, StoredByExternalId(context.tx, "tasks", kTaskFields));
  RecordWriter writer(context, "tasks", kTaskFields, std::move(existing), report);
  std::set<std::string> in_file;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    const std::string key = Cell(row, columns.id);
    if (key.empty()) {
      Reject(report, line, header.names[*columns.id], "a task needs its id");
      continue;
    }
    const std::optional<audit::FieldValues> values =
        ReadTaskRow(context, book, header, columns, row, line, report);
    if (!values) continue;
    in_file.insert(key);
    RAPPORT_RETURN_IF_ERROR(writer.Write(key, *values));
  }
  RAPPORT_RETURN_IF_ERROR(writer.Finish());
  file.rows = records->rows();
  file.skipped = records->skipped();
  file.set_aside = records->set_aside();
  RAPPORT_ASSIGN_OR_RETURN(const std::int64_t found,
                           CountWritten(context.tx, "tasks", in_file, "done_at IS NULL"));
  AddCheck(checks, file, "open tasks", WithCommas(static_cast<std::int64_t>(in_file.size())),
           WithCommas(found));
  return Ok();
}

Status ImportActivityContacts(RelationContext& context, BookFile& file,
                              std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  const bool salesforce = context.source == Source::kSalesforce;
  const auto activity = header.Find({"id", "recordid", "activityid"}, "activity", report);
  const auto contact =
      salesforce ? header.Find({"whoid"}, "contacts", report)
                 : header.Find({"associatedcontactids", "associatedcontactid"}, "contacts", report);
  if (!activity || !contact) return Ok();  // the file does not say who was met
  RAPPORT_ASSIGN_OR_RETURN(auto activities, KnownByExternalId(context.tx, "activities"));
  RAPPORT_ASSIGN_OR_RETURN(auto contacts, KnownByExternalId(context.tx, "contacts"));
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows stored, context.tx.Query("SELECT activity_id, contact_id FROM activity_contacts"));
  std::set<std::pair<std::int64_t, std::int64_t>> there, in_file;
  for (const db::Row& r : stored) there.emplace(r.Int("activity_id"), r.Int("contact_id"));
  std::vector<db::Params> added;
  std::int64_t elsewhere = 0;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    std::vector<std::string> keys = ListedKeys(Cell(row, contact));
    // Salesforce's WhoId names a lead (00Q...) as often as a contact (003...).
    if (salesforce) std::erase_if(keys, [](const std::string& k) { return !k.starts_with("003"); });
    if (keys.empty()) continue;
    const std::string activity_key = Cell(row, activity);
    auto a = activities.find(activity_key);
    if (a == activities.end()) {
      Reject(report, line, header.names[*activity],
             Quoted(activity_key) + " is not an activity of the book");
      continue;
    }
    for (const std::string& key : keys) {
      auto c = contacts.find(key);
      if (c == contacts.end()) {
        Reject(report, line, header.names[*contact], Quoted(key) + " is not a contact of the book");
        continue;
      }
      if (c->second.account_id != a->second.account_id) {
        ++elsewhere;  // met about another account: that account's timeline does not hold it
        continue;
      }
      const std::pair link{a->second.id, c->second.id};
      if (!in_file.insert(link).second) continue;
      if (!there.insert(link).second) {
        ++report.unchanged;
        continue;
      }
      added.push_back({link.first, link.second});
      ++report.created;
    }
  }
  if (report.rejected == 0 && !added.empty()) {
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<db::BulkLoader> loader,
                             context.tx.Load("activity_contacts", {"activity_id", "contact_id"}));
    for (db::Params& link : added) RAPPORT_RETURN_IF_ERROR(loader->Add(std::move(link)));
    RAPPORT_RETURN_IF_ERROR(loader->Finish());
  }
  file.rows = records->rows();
  file.skipped = records->skipped();
  file.set_aside = records->set_aside();
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows written, context.tx.Query("SELECT activity_id, contact_id FROM activity_contacts"));
  std::int64_t found = 0;
  for (const db::Row& r : written) {
    found += in_file.count({r.Int("activity_id"), r.Int("contact_id")});
  }
  AddCheck(checks, file, "contacts met", WithCommas(static_cast<std::int64_t>(in_file.size())),
           WithCommas(found));
  if (elsewhere > 0) {
    AddCheck(checks, file, "contacts of another account, not linked", WithCommas(elsewhere),
             WithCommas(elsewhere));
  }
  return Ok();
}

}  // namespace rapport::moving
