#include "moving/cases.hpp"

#include <initializer_list>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "audit/audit_log.hpp"
#include "core/clock.hpp"
#include "core/validation.hpp"
#include "imports/cells.hpp"
#include "moving/parts.hpp"
#include "moving/source_files.hpp"

namespace rapport::moving {
namespace {

using imports::ImportReport;

constexpr std::int64_t kMicrosPerHour = kMicrosPerDay / 24;

bool HasAny(std::string_view text, std::initializer_list<std::string_view> words) {
  for (std::string_view word : words) {
    if (text.find(word) != std::string_view::npos) return true;
  }
  return false;
}

// The kind a picklist value names, "" when it names none.
std::string KindOfWords(std::string_view value) {
  const std::string w = Lowercase(value);
  if (w.empty()) return "";
  if (HasAny(w, {"bill", "invoice", "payment", "credit note", "pricing", "price"})) {
    return "billing_query";
  }
  if (HasAny(w, {"complain"})) return "complaint";
  if (HasAny(w, {"return", "rma", "recall"})) return "return";
  if (HasAny(w, {"order", "deliver", "shipment", "shipping", "stock"})) return "order";
  if (HasAny(w, {"technical", "mechanical", "electrical", "electronic", "structural", "product",
                 "breakdown", "performance", "install", "equipment", "defect", "fault", "problem",
                 "malfunction", "repair"})) {
    return "technical";
  }
  return "";
}

// The columns of a cases file (Salesforce's Case, HubSpot's tickets).
struct CaseColumns {
  std::optional<std::size_t> id, account, contact, owner, subject, description, type, reason,
      status, is_closed, priority, opened, closed, first_response, resolution;
};

CaseColumns FindCaseColumns(const Header& header, ImportReport& report) {
  CaseColumns c;
  c.id = header.Find({"id", "ticketid", "recordid", "caseid"}, "external_id", report);
  c.account = header.Find(
      {"accountid", "associatedcompanyidsprimary", "associatedcompanyids", "associatedcompanyid"},
      "account", report);
  c.contact =
      header.Find({"contactid", "associatedcontactids", "associatedcontactid"}, "contact", report);
  c.owner = header.Find({"ownerid", "ticketowner", "caseowner", "owner"}, "owner", report);
  c.subject = header.Find({"subject", "ticketname", "name", "title"}, "subject", report);
  c.description =
      header.Find({"description", "ticketdescription", "content"}, "description", report);
  c.type = header.Find({"type", "category", "ticketcategory", "casetype"}, "kind", report);
  c.reason = header.Find({"reason", "casereason"}, "kind (when its type says none)", report);
  c.status = header.Find({"status", "ticketstatus", "pipelinestage"}, "status", report);
  c.is_closed = header.Find({"isclosed"}, "status (closed)", report);
  c.priority = header.Find({"priority", "ticketpriority"}, "priority", report);
  c.opened = header.Find({"createddate", "createdate", "createdat", "openeddate", "opened"},
                         "opened_at", report);
  c.closed = header.Find({"closeddate", "closedate", "closedat"}, "resolved_at", report);
  c.first_response = header.Find({"firstresponsedate", "firstagentreplydate",
                                  "firstagentemailresponsedate", "firstresponseat"},
                                 "first_response_at", report);
  c.resolution =
      header.Find({"resolution", "resolutionc", "resolutionnotes"}, "resolution", report);
  return c;
}

// The fields a case's import writes, in the order it writes them.
constexpr StoredField kCaseFields[] = {{"account_id", false},
                                       {"contact_id", false},
                                       {"kind", true},
                                       {"priority", true},
                                       {"subject", true},
                                       {"description", true},
                                       {"owner_id", false},
                                       {"status", true},
                                       {"opened_at", false},
                                       {"first_response_due_at", false},
                                       {"resolution_due_at", false},
                                       {"first_response_at", false},
                                       {"resolved_at", false},
                                       {"resolution", true}};

// Hours to first response and to resolution, by kind and priority.
using ServiceLevels = std::map<std::pair<std::string, std::string>, std::pair<int, int>>;

Result<ServiceLevels> LoadServiceLevels(db::Transaction& tx) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT kind, priority, first_response_hours, resolution_hours FROM case_slas"));
  ServiceLevels levels;
  for (const db::Row& r : rows) {
    levels[{r.Text("kind"), r.Text("priority")}] = {static_cast<int>(r.Int("first_response_hours")),
                                                    static_cast<int>(r.Int("resolution_hours"))};
  }
  return levels;
}

// What a cases file's rows are matched against.
struct CaseBook {
  std::unordered_map<std::string, Known> accounts, contacts;
  std::unordered_map<std::int64_t, std::int64_t> account_owners;  // filled as asked
  BookUsers users;
  ServiceLevels levels;
};

// What the rows came to, beyond the report's counts.
struct CaseTally {
  std::int64_t left_out = 0;   // neither account nor contact
  std::int64_t elsewhere = 0;  // a contact of another account, not linked
  std::set<std::string> in_file, open_in_file;
  std::unordered_map<std::string, std::string> account_given;  // case -> account as the file says
};

Result<std::int64_t> AccountOwner(db::Transaction& tx, CaseBook& book, std::int64_t account) {
  if (auto it = book.account_owners.find(account); it != book.account_owners.end()) {
    return it->second;
  }
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t owner,
                           tx.QueryInt("SELECT owner_id FROM accounts WHERE id = ?", {account}));
  book.account_owners[account] = owner;
  return owner;
}

// An instant cell: `fallback` when empty; nullopt (the row rejected) when it is not one.
std::optional<db::Value> InstantCell(const Header& header, std::optional<std::size_t> column,
                                     const std::vector<std::string>& row, std::int64_t line,
                                     db::Value fallback, ImportReport& report) {
  const std::string cell = Cell(row, column);
  if (cell.empty()) return fallback;
  Instant at = 0;
  if (!imports::ParseInstantCell(cell, at)) {
    Reject(report, line, header.names[*column],
           Quoted(cell) + " is not a date and time (YYYY-MM-DDTHH:MM:SSZ)");
    return std::nullopt;
  }
  return db::Value(at);
}

// A text cell within `max` characters: nullopt (the row rejected) when longer.
std::optional<db::Value> TextCell(const Header& header, std::optional<std::size_t> column,
                                  const std::vector<std::string>& row, std::int64_t line,
                                  std::size_t max, ImportReport& report) {
  const std::string cell = Cell(row, column);
  if (cell.empty()) return db::Null();
  if (Utf8Characters(cell) > max) {
    Reject(report, line, header.names[*column],
           "is longer than " + std::to_string(max) + " characters");
    return std::nullopt;
  }
  return db::Value(cell);
}

// A cases file's row as its case's fields (in kCaseFields' order), or nullopt when the row is
// rejected (noted in the report) or left out (counted in `tally`).
Result<std::optional<audit::FieldValues>> ReadCaseRow(const RelationContext& context,
                                                      CaseBook& book, const Header& header,
                                                      const CaseColumns& columns,
                                                      const std::vector<std::string>& row,
                                                      std::int64_t line, CaseTally& tally,
                                                      ImportReport& report) {
  using Read = std::optional<audit::FieldValues>;
  const std::vector<std::string> account_keys = ListedKeys(Cell(row, columns.account));
  const std::vector<std::string> contact_keys = ListedKeys(Cell(row, columns.contact));
  const Known* account = nullptr;
  const Known* contact = nullptr;
  if (!account_keys.empty()) {
    auto a = book.accounts.find(account_keys.front());
    if (a == book.accounts.end()) {
      Reject(report, line, header.names[*columns.account],
             Quoted(account_keys.front()) + " is not an account of the book");
      return Read();
    }
    account = &a->second;
  }
  if (!contact_keys.empty()) {
    auto c = book.contacts.find(contact_keys.front());
    if (c == book.contacts.end()) {
      Reject(report, line, header.names[*columns.contact],
             Quoted(contact_keys.front()) + " is not a contact of the book");
      return Read();
    }
    contact = &c->second;
  }
  if (!account && !contact) {
    ++tally.left_out;  // a case is kept at an account: this one has none to be kept at
    return Read();
  }
  const std::int64_t account_id = account ? account->id : contact->account_id;
  db::Value contact_id = db::Null();
  if (contact && contact->account_id == account_id) {
    contact_id = contact->id;
  } else if (contact) {
    ++tally.elsewhere;
  }
  // A Salesforce queue (00G...) holds cases no one has taken: the account's owner takes them.
  const std::string owner_key = Cell(row, columns.owner);
  std::int64_t owner_id = 0;
  if (owner_key.empty() ||
      (context.source == Source::kSalesforce && owner_key.starts_with("00G"))) {
    RAPPORT_ASSIGN_OR_RETURN(owner_id, AccountOwner(context.tx, book, account_id));
  } else if (auto owner = OwnerOf(context, book.users, owner_key)) {
    owner_id = *owner;
  } else {
    Reject(report, line, header.names[*columns.owner],
           Quoted(owner_key) + " is not a user of the book");
    return Read();
  }
  std::string subject = Cell(row, columns.subject);
  if (subject.empty()) subject = "(no subject)";
  if (Utf8Characters(subject) > 300) {
    Reject(report, line, header.names[*columns.subject], "is longer than 300 characters");
    return Read();
  }
  const auto description = TextCell(header, columns.description, row, line, 8000, report);
  const auto resolution = TextCell(header, columns.resolution, row, line, 8000, report);
  if (!description || !resolution) return Read();
  const std::string kind = CaseKindOf(Cell(row, columns.type), Cell(row, columns.reason));
  const std::string priority = CasePriorityOf(Cell(row, columns.priority));
  const std::string status =
      CaseStatusOf(Cell(row, columns.status), IsTrue(Cell(row, columns.is_closed)));
  const auto opened = InstantCell(header, columns.opened, row, line, context.actor.at, report);
  if (!opened) return Read();
  const auto level = book.levels.find({kind, priority});
  if (level == book.levels.end()) {
    Reject(report, line, columns.priority ? header.names[*columns.priority] : "priority",
           "there is no service level for a " + priority + " " + kind +
               " case (set one in Admin, Service levels)");
    return Read();
  }
  const Instant from = std::get<std::int64_t>(*opened);
  const auto first_response =
      InstantCell(header, columns.first_response, row, line, db::Null(), report);
  if (!first_response) return Read();
  db::Value resolved_at = db::Null();
  if (status == "resolved" || status == "closed") {
    const auto closed = InstantCell(header, columns.closed, row, line, db::Null(), report);
    if (!closed) return Read();
    resolved_at = *closed;
  }
  if (!account_keys.empty()) tally.account_given[Cell(row, columns.id)] = account_keys.front();
  if (status == "open" || status == "waiting_on_customer") {
    tally.open_in_file.insert(Cell(row, columns.id));
  }
  return Read(
      audit::FieldValues{{"account_id", account_id},
                         {"contact_id", contact_id},
                         {"kind", kind},
                         {"priority", priority},
                         {"subject", subject},
                         {"description", *description},
                         {"owner_id", owner_id},
                         {"status", status},
                         {"opened_at", *opened},
                         {"first_response_due_at", from + level->second.first * kMicrosPerHour},
                         {"resolution_due_at", from + level->second.second * kMicrosPerHour},
                         {"first_response_at", *first_response},
                         {"resolved_at", resolved_at},
                         {"resolution", *resolution}});
}

// Compares the cases written with the file: every case, each account as the file gives it, the
// open ones.
Status CheckCases(db::Transaction& tx, const BookFile& file, const CaseTally& tally,
                  std::vector<BookCheck>& checks) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows written,
      tx.Query("SELECT c.external_id, c.status, a.external_id AS account FROM cases c JOIN "
               "accounts a ON a.id = c.account_id WHERE c.external_id IS NOT NULL"));
  const std::size_t external_id = ColumnOf(written, "external_id"),
                    status = ColumnOf(written, "status"), account = ColumnOf(written, "account");
  std::int64_t found = 0, accounts = 0, open = 0;
  for (const db::Row& r : written) {
    const std::string key = r.Text(external_id);
    if (!tally.in_file.count(key)) continue;
    ++found;
    if (auto given = tally.account_given.find(key); given != tally.account_given.end() &&
                                                    !r.IsNull(account) &&
                                                    r.Text(account) == given->second) {
      ++accounts;
    }
    const std::string s = r.Text(status);
    open += s == "open" || s == "waiting_on_customer";
  }
  const auto count = [](std::size_t n) { return WithCommas(static_cast<std::int64_t>(n)); };
  AddCheck(checks, file, "cases", count(tally.in_file.size()), WithCommas(found));
  AddCheck(checks, file, "account as the file gives it", count(tally.account_given.size()),
           WithCommas(accounts));
  AddCheck(checks, file, "open cases", count(tally.open_in_file.size()), WithCommas(open));
  if (tally.left_out > 0) {
    AddCheck(checks, file, "cases with neither account nor contact, left out",
             WithCommas(tally.left_out), WithCommas(tally.left_out));
  }
  if (tally.elsewhere > 0) {
    AddCheck(checks, file, "contacts of another account, not linked", WithCommas(tally.elsewhere),
             WithCommas(tally.elsewhere));
  }
  return Ok();
}

}  // namespace

std::string CaseKindOf(std::string_view type, std::string_view reason) {
  std::string kind = KindOfWords(type);
  if (kind.empty()) kind = KindOfWords(reason);
  return kind.empty() ? "other" : kind;
}

std::string CaseStatusOf(std::string_view status, bool closed) {
  const std::string w = Lowercase(status);
  const bool resolved = HasAny(w, {"resolv", "solved"});
  if (closed) return resolved ? "resolved" : "closed";
  if (resolved) return "resolved";
  if (HasAny(w, {"closed"})) return "closed";
  // HubSpot's "Waiting on us" waits on the company, not the customer.
  if (HasAny(w, {"on us", "on support", "on agent", "internal"})) return "open";
  if (HasAny(w, {"wait", "hold", "pending", "awaiting"})) return "waiting_on_customer";
  return "open";
}

std::string CasePriorityOf(std::string_view priority) {
  const std::string w = Lowercase(priority);
  if (HasAny(w, {"urgent", "critical", "highest", "emergency", "p1"})) return "urgent";
  if (HasAny(w, {"high", "p2"})) return "high";
  if (HasAny(w, {"low", "minor", "p4", "p5"})) return "low";
  return "normal";
}

Result<std::map<std::string, std::int64_t>> CaseOwners(const BookFile& file, Source source) {
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, source, header));
  ImportReport unused;
  const auto owner = header.Find({"ownerid", "ticketowner", "caseowner", "owner"}, "", unused);
  std::map<std::string, std::int64_t> owners;
  std::vector<std::string> row;
  while (owner) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    const std::string key = Cell(row, owner);
    if (key.empty() || (source == Source::kSalesforce && key.starts_with("00G"))) continue;
    ++owners[key];
  }
  return owners;
}

Status ImportCases(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  const CaseColumns columns = FindCaseColumns(header, report);
  if (!columns.id) return Error(ErrorCode::kMalformed, "a cases file needs its cases' Id");
  CaseBook book;
  RAPPORT_ASSIGN_OR_RETURN(book.accounts, KnownByExternalId(context.tx, "accounts"));
  RAPPORT_ASSIGN_OR_RETURN(book.contacts, KnownByExternalId(context.tx, "contacts"));
  RAPPORT_ASSIGN_OR_RETURN(book.users, LoadBookUsers(context.tx));
  RAPPORT_ASSIGN_OR_RETURN(book.levels, LoadServiceLevels(context.tx));
  RAPPORT_ASSIGN_OR_RETURN(auto existing, StoredByExternalId(context.tx, "cases", kCaseFields));
  RecordWriter writer(context, "cases", kCaseFields, std::move(existing), report);
  CaseTally tally;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    const std::string key = Cell(row, columns.id);
    if (key.empty()) {
      Reject(report, line, header.names[*columns.id], "a case needs its id");
      continue;
    }
    if (tally.in_file.count(key)) {
      ++report.unchanged;  // the same id twice in the file: the first is taken
      continue;
    }
    RAPPORT_ASSIGN_OR_RETURN(const std::optional<audit::FieldValues> values,
                             ReadCaseRow(context, book, header, columns, row, line, tally, report));
    if (!values) continue;
    tally.in_file.insert(key);
    RAPPORT_RETURN_IF_ERROR(writer.Write(key, *values));
  }
  RAPPORT_RETURN_IF_ERROR(writer.Finish());
  file.rows = records->rows();
  file.skipped = records->skipped();
  file.set_aside = records->set_aside() + tally.left_out;
  return CheckCases(context.tx, file, tally, checks);
}

Status ImportCaseComments(RelationContext& context, BookFile& file,
                          std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  const auto id = header.Find({"id"}, "external_id", report);
  const auto parent = header.Find({"parentid", "caseid"}, "case", report);
  const auto body = header.Find({"commentbody", "body"}, "body", report);
  const auto published = header.Find({"ispublished"}, "direction", report);
  const auto created = header.Find({"createddate"}, "created_at", report);
  const auto author = header.Find({"createdbyid"}, "author", report);
  if (!id || !parent || !body) {
    return Error(ErrorCode::kMalformed, "a case comments file needs Id, ParentId and CommentBody");
  }
  RAPPORT_ASSIGN_OR_RETURN(const auto cases, KnownByExternalId(context.tx, "cases"));
  RAPPORT_ASSIGN_OR_RETURN(const BookUsers users, LoadBookUsers(context.tx));
  static constexpr StoredField kBody[] = {{"body", true}};
  RAPPORT_ASSIGN_OR_RETURN(const auto existing,
                           StoredByExternalId(context.tx, "case_messages", kBody));
  std::set<std::string> in_file;
  std::int64_t left_out = 0;
  std::vector<db::Params> added;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    const std::string key = Cell(row, id);
    if (key.empty()) {
      Reject(report, line, header.names[*id], "a comment needs its id");
      continue;
    }
    const std::string text = Cell(row, body);
    if (text.empty() || !in_file.insert(key).second) continue;
    const auto c = cases.find(Cell(row, parent));
    if (c == cases.end()) {
      ++left_out;  // its case was left out (no account) or is not in the export
      in_file.erase(key);
      continue;
    }
    const auto at = InstantCell(header, created, row, line, context.actor.at, report);
    if (!at) continue;
    if (auto e = existing.find(key); e != existing.end()) {
      if (e->second.values[0] == db::Value(text)) {
        ++report.unchanged;
      } else {
        RAPPORT_RETURN_IF_ERROR(context.tx.Execute("UPDATE case_messages SET body = ? WHERE id = ?",
                                                   {text, e->second.id}));
        ++report.updated;
      }
      continue;
    }
    const std::optional<std::int64_t> by = OwnerOf(context, users, Cell(row, author));
    added.push_back({c->second.id,
                     std::string(IsTrue(Cell(row, published)) ? "outbound" : "internal"),
                     by ? db::Value(*by) : db::Null(), text, *at, key});
    ++report.created;
  }
  if (report.rejected == 0 && !added.empty()) {
    RAPPORT_ASSIGN_OR_RETURN(
        std::unique_ptr<db::BulkLoader> loader,
        context.tx.Load("case_messages", {"case_id", "direction", "author_id", "body", "created_at",
                                          "external_id"}));
    for (db::Params& message : added) RAPPORT_RETURN_IF_ERROR(loader->Add(std::move(message)));
    RAPPORT_RETURN_IF_ERROR(loader->Finish());
  }
  file.rows = records->rows();
  file.skipped = records->skipped();
  RAPPORT_ASSIGN_OR_RETURN(const std::int64_t found,
                           CountWritten(context.tx, "case_messages", in_file));
  AddCheck(checks, file, "case comments", WithCommas(static_cast<std::int64_t>(in_file.size())),
           WithCommas(found));
  if (left_out > 0) {
    AddCheck(checks, file, "comments of cases left out", WithCommas(left_out),
             WithCommas(left_out));
  }
  return Ok();
}

}  // namespace rapport::moving
