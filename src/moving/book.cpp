#include "moving/book.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "core/temp_files.hpp"
#include "core/validation.hpp"
#include "imports/cells.hpp"
#include "imports/import_routes.hpp"
#include "moving/cases.hpp"
#include "moving/files.hpp"
#include "moving/relations.hpp"
#include "moving/source_files.hpp"
#include "records/custom_fields.hpp"
#include "users/user_store.hpp"

namespace rapport::moving {

using namespace imports;  // NOLINT: the book is made of imports
namespace {

namespace fs = std::filesystem;

// ---- Finding the files --------------------------------------------------------------------

struct Role {
  Part part;
  RecordType type = RecordType::kAccounts;
};

// Which parts of the book a file is, by its name (without extension, lower case).
std::vector<Role> RolesOf(Source source, const std::string& stem) {
  const auto records = [](RecordType type) { return Role{Part::kRecords, type}; };
  const Role met{Part::kActivityContacts, RecordType::kActivities};
  const Role open_tasks{Part::kOpenTasks, RecordType::kActivities};
  if (source == Source::kSalesforce) {
    if (stem == "user") return {{Part::kUsers}};
    if (stem == "account") return {records(RecordType::kAccounts)};
    if (stem == "contact") return {records(RecordType::kContacts)};
    if (stem == "opportunity") return {records(RecordType::kOpportunities)};
    if (stem == "opportunitycontactrole") return {{Part::kContactRoles}};
    if (stem == "product2") return {{Part::kProducts}};
    if (stem == "opportunitylineitem") return {{Part::kLineItems}};
    // A task done is an activity; one not done yet is a task.
    if (stem == "task") {
      return {records(RecordType::kActivities), open_tasks, met};
    }
    // An event still to come is a task (a visit planned), not an activity.
    if (stem == "event") return {records(RecordType::kActivities), met, open_tasks};
    if (stem == "case") return {{Part::kCases}};
    if (stem == "casecomment") return {{Part::kCaseComments}};
    if (stem == "attachment" || stem == "contentversion") return {{Part::kFiles}};
    return {};
  }
  // HubSpot names its exports "hubspot-crm-exports-all-deals-2026-11-30" and the like.
  const std::string key = NormalizeHeader(stem);
  const auto has = [&](const char* word) { return key.find(word) != std::string::npos; };
  if (has("user") || has("owner")) return {{Part::kUsers}};
  if (has("lineitem")) return {{Part::kLineItems}};
  if (has("product")) return {{Part::kProducts}};
  if (has("compan")) return {records(RecordType::kAccounts)};
  if (has("contact")) return {records(RecordType::kContacts)};
  // A deal's associated contacts are its contact roles.
  if (has("deal")) return {records(RecordType::kOpportunities), {Part::kContactRoles}};
  if (has("ticket")) return {{Part::kCases}};
  // Calls, meetings, emails and notes are activities; tasks done too, the others tasks.
  if (const auto kind = HubSpotActivityKind(stem)) {
    if (*kind == "task" || *kind == "meeting") {
      return {records(RecordType::kActivities), open_tasks, met};
    }
    return {records(RecordType::kActivities), met};
  }
  return {};
}

// The order references need: users, accounts, contacts, deals, their contact roles, products,
// line items, activities.
int OrderOf(const BookFile& f) {
  switch (f.part) {
    case Part::kUsers:
      return 0;
    case Part::kContactRoles:
      return 4;
    case Part::kProducts:
      return 5;
    case Part::kLineItems:
      return 6;
    case Part::kActivityContacts:
      return 8;
    case Part::kOpenTasks:
      return 9;
    case Part::kCases:
      return 10;
    case Part::kCaseComments:
      return 11;
    case Part::kFiles:
      return 12;
    case Part::kRecords:
      break;
  }
  switch (f.type) {
    case RecordType::kAccounts:
      return 1;
    case RecordType::kContacts:
      return 2;
    case RecordType::kOpportunities:
      return 3;
    case RecordType::kActivities:
      return 7;
    case RecordType::kSalesLines:
      return 13;
  }
  return 14;
}

// ---- Owners -------------------------------------------------------------------------------

struct SourceUser {
  std::string email, name;
  bool active = true;
};

// The users file: each user by the keys records name them with (their id, email and name).
Result<std::unordered_map<std::string, SourceUser>> ReadUsers(const BookFile& file) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<RecordSource> records, OpenFile(file.path));
  std::vector<std::string> header, row;
  RAPPORT_ASSIGN_OR_RETURN(bool any, records->Next(header));
  std::unordered_map<std::string, SourceUser> users;
  if (!any) return users;
  const auto col = [&](std::initializer_list<std::string_view> keys) -> std::optional<std::size_t> {
    for (std::string_view k : keys) {
      if (auto i = IndexOf(header, k)) return i;
    }
    return std::nullopt;
  };
  const auto id = col({"id", "userid", "ownerid", "recordid"});
  const auto email = col({"email", "emailaddress", "username"});
  const auto name = col({"name", "fullname"});
  const auto first = col({"firstname"});
  const auto last = col({"lastname"});
  const auto active = col({"isactive", "active"});
  if (!email) {
    return Error(ErrorCode::kMalformed, file.name + ": a users file needs an Email column");
  }
  const auto cell = [&](std::optional<std::size_t> i) {
    return i && *i < row.size() ? std::string(Trim(row[*i])) : std::string();
  };
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    SourceUser user;
    user.email = Lowercase(cell(email));
    user.name = cell(name);
    if (user.name.empty()) {
      user.name = cell(first);
      if (!cell(last).empty()) user.name += (user.name.empty() ? "" : " ") + cell(last);
    }
    user.active = !active || cell(active).empty() || IsTrue(cell(active));
    if (user.email.empty()) continue;
    if (id && !cell(id).empty()) users[cell(id)] = user;
    users[user.email] = user;
    if (!user.name.empty()) users.emplace(Lowercase(user.name), user);
  }
  return users;
}

// ---- Surveying a file and checking the result against it ----------------------------------

// What a file says of one record.
struct Expected {
  std::vector<std::string> references;  // per checked reference field (external ids)
  std::int64_t money = 0;               // the checked money field, minor units
  bool has_money = false;
  std::string currency;
};

// A reference the check compares: the field and the table it names.
struct CheckedReference {
  const Field* field;
  const char* table;
};

// What the survey of one file found.
// A column no field takes, which --keep-columns makes a custom field of, and what its cells hold.
struct KeptColumn {
  std::size_t index = 0;
  std::string header;
  bool any = false, all_checkbox = true, all_number = true, all_date = true, long_text = false;

  void See(std::string_view cell) {
    if (cell.empty()) return;
    any = true;
    const std::string lower = Lowercase(cell);
    all_checkbox = all_checkbox && (lower == "true" || lower == "false");
    all_date = all_date && cell.size() == 10 && cell[4] == '-' && cell[7] == '-' &&
               std::all_of(cell.begin(), cell.end(), [](char c) {
                 return std::isdigit(static_cast<unsigned char>(c)) || c == '-';
               });
    std::int64_t minor = 0;
    all_number = all_number && cell.find(',') == std::string_view::npos &&
                 cell.find_first_of("£$€") == std::string_view::npos && ParseMoney(cell, minor);
    long_text = long_text || cell.size() > 255 || cell.find('\n') != std::string_view::npos;
  }
  // The custom field type its cells fit ("" when it has none).
  std::string Type() const {
    if (!any) return "";
    if (all_checkbox) return "checkbox";
    if (all_date) return "date";
    if (all_number) return "number";
    return long_text ? "long_text" : "text";
  }
};

// Whether a column no field takes is the source's own custom field, worth keeping: Salesforce
// marks them (__c); HubSpot's are any but its system columns.
bool Keepable(Source source, const std::string& header) {
  if (source == Source::kSalesforce) return header.size() > 3 && header.ends_with("__c");
  const std::string key = NormalizeHeader(header);
  for (const char* system :
       {"associated", "numberof", "last", "hs", "createdate", "recordsource", "pipeline", "merged",
        "timezone", "owner", "became", "dateof", "firstconversion", "recentconversion",
        "originalsource", "latestsource"}) {
    if (key.starts_with(system)) return false;
  }
  return true;
}

struct Survey {
  std::vector<KeptColumn> kept;                       // with --keep-columns
  std::unordered_map<std::string, Expected> records;  // by external id
  std::vector<CheckedReference> references;
  const Field* money = nullptr;                // the record's money field (an opportunity's amount)
  std::map<std::string, std::int64_t> owners;  // as the file names them, with how many rows
};

const char* TableOf(Ref ref) {
  switch (ref) {
    case Ref::kAccount:
      return "accounts";
    case Ref::kContact:
      return "contacts";
    case Ref::kOpportunity:
      return "opportunities";
    default:
      return nullptr;
  }
}

Result<Survey> SurveyFile(BookFile& file, Source source, const ImportOptions& options,
                          const std::string& company_currency, bool keep_columns) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records, OpenProfiled(file, source));
  std::vector<std::string> header, row;
  RAPPORT_ASSIGN_OR_RETURN(bool any, records->Next(header));
  Survey survey;
  if (!any) return survey;
  ImportOptions mapped = options;
  mapped.mapping = records->profile().mapping;
  const RecordSpec& spec = SpecOf(file.type);
  RAPPORT_ASSIGN_OR_RETURN(std::vector<const Field*> fields, MapHeader(spec, header, mapped));
  std::optional<std::size_t> id_column, money_column, currency_column;
  std::vector<std::size_t> reference_columns, owner_columns;
  const bool takes_custom = records::TakesCustomFields(spec.table);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const Field* f = fields[i];
    if (!f) {
      if (keep_columns && takes_custom && Keepable(source, header[i])) {
        survey.kept.push_back({.index = i, .header = header[i]});
      }
      continue;
    }
    if (f == &spec.fields[0]) id_column = i;
    if (f->kind == Kind::kCurrency) currency_column = i;
    if (f->kind == Kind::kMoney && f->column == "amount_minor") {
      money_column = i;
      survey.money = f;
    }
    if (f->ref == Ref::kUser) owner_columns.push_back(i);
    if (const char* table = TableOf(f->ref)) {
      reference_columns.push_back(i);
      survey.references.push_back({f, table});
    }
  }
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    const auto cell = [&](std::size_t i) {
      return i < row.size() ? std::string(Trim(row[i])) : std::string();
    };
    for (std::size_t i : owner_columns) {
      if (!cell(i).empty()) ++survey.owners[cell(i)];
    }
    for (KeptColumn& k : survey.kept) k.See(cell(k.index));
    if (!id_column || cell(*id_column).empty()) continue;
    Expected e;
    for (std::size_t i : reference_columns) e.references.push_back(cell(i));
    if (money_column) {
      e.has_money = ParseMoney(cell(*money_column).empty() ? "0" : cell(*money_column), e.money);
      e.currency = currency_column ? Uppercase(cell(*currency_column)) : "";
      if (e.currency.empty()) e.currency = company_currency;
    }
    survey.records[cell(*id_column)] = std::move(e);
  }
  file.rows = records->rows();
  file.skipped = records->skipped();
  file.set_aside = records->set_aside();
  return survey;
}

// Compares what `file` put in the database with what its survey says, in `tx`.
Status CheckFile(db::Transaction& tx, const BookFile& file, const Survey& survey,
                 std::vector<BookCheck>& checks) {
  const RecordSpec& spec = SpecOf(file.type);
  std::string sql = "SELECT r.external_id";
  std::string joins;
  for (std::size_t k = 0; k < survey.references.size(); ++k) {
    const std::string alias = "j" + std::to_string(k);
    sql += ", " + alias + ".external_id, " + alias + ".id";
    joins += " LEFT JOIN " + std::string(survey.references[k].table) + " " + alias + " ON " +
             alias + ".id = r." + survey.references[k].field->column;
  }
  if (survey.money) sql += ", r." + survey.money->column + ", r.currency";
  sql += " FROM " + spec.table + " r" + joins + " WHERE r.external_id IS NOT NULL";
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql));
  std::int64_t found = 0;
  std::vector<std::int64_t> agree(survey.references.size(), 0);
  std::vector<std::int64_t> given(survey.references.size(), 0);
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> money;  // currency: file, written
  for (const auto& [id, e] : survey.records) {
    for (std::size_t k = 0; k < e.references.size(); ++k) given[k] += !e.references[k].empty();
    if (survey.money && e.has_money) money[e.currency].first += e.money;
  }
  for (const db::Row& r : rows) {
    auto it = survey.records.find(r.Text(0));
    if (it == survey.records.end()) continue;
    ++found;
    const Expected& e = it->second;
    for (std::size_t k = 0; k < survey.references.size(); ++k) {
      if (e.references[k].empty()) continue;
      const std::size_t c = 1 + 2 * k;
      // A reference is written as the file gives it: to the record of that external id, or
      // (a "#42" of Rapport's own export) to record 42.
      const bool same = r.IsNull(c + 1)
                            ? false
                            : (e.references[k].starts_with("#")
                                   ? "#" + std::to_string(r.Int(c + 1)) == e.references[k]
                                   : !r.IsNull(c) && r.Text(c) == e.references[k]);
      agree[k] += same;
    }
    if (survey.money && e.has_money) {
      const std::size_t c = 1 + 2 * survey.references.size();
      money[r.Text(c + 1)].second += r.Int(c);
    }
  }
  const auto check = [&](std::string what, std::string expected, std::string got) {
    const bool ok = expected == got;
    checks.push_back({file.name, std::move(what), std::move(expected), std::move(got), ok});
  };
  check("records", WithCommas(static_cast<std::int64_t>(survey.records.size())), WithCommas(found));
  for (std::size_t k = 0; k < survey.references.size(); ++k) {
    check(survey.references[k].field->name + " as the file gives it", WithCommas(given[k]),
          WithCommas(agree[k]));
  }
  for (const auto& [currency, sums] : money) {
    check(survey.money->name + " " + currency, Money(sums.first), Money(sums.second));
  }
  return Ok();
}

// Makes a custom field of each column kept (--keep-columns) that no field of the record type
// takes yet: a text, long text, number, date or checkbox field as its cells are.
Status KeepColumns(db::Transaction& tx, const audit::Actor& actor, const BookFile& file,
                   Source source, const Survey& survey, std::vector<KeptField>& made) {
  const std::string& table = SpecOf(file.type).table;
  RAPPORT_ASSIGN_OR_RETURN(std::vector<records::CustomField> existing,
                           records::LoadCustomFields(tx, table));
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t position,
                           tx.QueryInt("SELECT coalesce(max(position), 0) FROM custom_fields "
                                       "WHERE record_type = ?",
                                       {table}));
  for (const KeptColumn& column : survey.kept) {
    const std::string type = column.Type();
    if (type.empty()) continue;  // no row has a value
    std::string label = column.header;
    if (source == Source::kSalesforce) {
      label = label.substr(0, label.size() - 3);
      std::replace(label.begin(), label.end(), '_', ' ');
    }
    const std::string key = records::CustomFieldKeyOf(label);
    if (!records::IsCustomFieldKey(key)) continue;
    const std::string normalised = NormalizeHeader(column.header);
    const bool taken = std::any_of(existing.begin(), existing.end(), [&](const auto& f) {
      return f.key == key || NormalizeHeader(f.label) == normalised ||
             NormalizeHeader(f.key) + "c" == normalised;
    });
    if (taken) continue;
    db::Value max_length = db::Null();
    if (type == "text") max_length = std::int64_t{255};
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t id,
        audit::InsertAudited(tx, actor, "custom_fields",
                             {{"record_type", table},
                              {"key", key},
                              {"label", label.substr(0, 100)},
                              {"type", type},
                              {"max_length", max_length},
                              {"help", "from " + file.name + ", column " + column.header},
                              {"position", ++position}}));
    (void)id;
    existing.push_back({.key = key, .label = label, .type = type});
    made.push_back({file.name, column.header, table, key, label, type});
  }
  return Ok();
}

// ---- Owners to users ----------------------------------------------------------------------

Status MatchOwners(db::Transaction& tx, const BookOptions& options,
                   const std::unordered_map<std::string, SourceUser>& source_users,
                   const std::map<std::string, std::int64_t>& named, std::vector<Owner>& owners,
                   std::unordered_map<std::string, std::int64_t>& user_keys) {
  RAPPORT_ASSIGN_OR_RETURN(std::vector<users::User> users, users::ListUsers(tx));
  std::unordered_map<std::string, std::int64_t> by_email;
  std::unordered_map<std::string, std::int64_t> by_name;  // -1: more than one
  std::set<std::string> taken;  // every user's email, those who left included
  for (const users::User& u : users) {
    taken.insert(Lowercase(u.email));
    // Someone who has left holds no accounts: their records go to whoever holds them now.
    if (u.status == "left") continue;
    by_email[Lowercase(u.email)] = u.id;
    auto [it, inserted] = by_name.emplace(Lowercase(u.name), u.id);
    if (!inserted) it->second = -1;
  }
  for (const auto& [key, records] : named) {
    Owner owner{.key = key, .records = records};
    auto known = source_users.find(key);
    if (known == source_users.end()) known = source_users.find(Lowercase(key));
    if (known != source_users.end()) {
      owner.email = known->second.email;
      owner.name = known->second.name;
      owner.active = known->second.active;
    } else if (key.find('@') != std::string::npos) {
      owner.email = Lowercase(key);
    } else {
      owner.name = key;
    }
    if (auto it = by_email.find(owner.email); !owner.email.empty() && it != by_email.end()) {
      owner.matched = "email";
      owner.user_id = it->second;
    } else if (auto n = by_name.find(Lowercase(owner.name));
               !owner.name.empty() && n != by_name.end() && n->second > 0) {
      owner.matched = "name";
      owner.user_id = n->second;
    } else if (options.create_users && !owner.email.empty() && !taken.count(owner.email)) {
      users::NewUser user{.email = owner.email,
                          .name = owner.name.empty() ? owner.email : owner.name,
                          .role = "rep"};
      auto created = users::CreateUser(tx, options.actor, user);
      if (!created.ok()) {
        return Error(created.error().code(),
                     "owner " + key + " cannot be made a user: " + created.error().message());
      }
      owner.matched = "created";
      owner.user_id = created->id;
      by_email[owner.email] = created->id;
      taken.insert(owner.email);
    }
    if (owner.user_id != 0) user_keys[key] = owner.user_id;
    owners.push_back(std::move(owner));
  }
  return Ok();
}

Status ImportRelation(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks) {
  switch (file.part) {
    case Part::kProducts:
      return ImportProducts(context, file, checks);
    case Part::kContactRoles:
      return ImportContactRoles(context, file, checks);
    case Part::kLineItems:
      return ImportLineItems(context, file, checks);
    case Part::kOpenTasks:
      return ImportOpenTasks(context, file, checks);
    case Part::kActivityContacts:
      return ImportActivityContacts(context, file, checks);
    case Part::kCases:
      return ImportCases(context, file, checks);
    case Part::kCaseComments:
      return ImportCaseComments(context, file, checks);
    case Part::kFiles:
      return ImportFiles(context, file, checks);
    case Part::kUsers:
    case Part::kRecords:
      break;
  }
  return Ok();
}

}  // namespace

std::string PartName(const BookFile& file) {
  switch (file.part) {
    case Part::kUsers:
      return "users";
    case Part::kProducts:
      return "products";
    case Part::kContactRoles:
      return "contact roles";
    case Part::kLineItems:
      return "line items";
    case Part::kOpenTasks:
      return "open tasks";
    case Part::kActivityContacts:
      return "contacts met";
    case Part::kCases:
      return "cases";
    case Part::kCaseComments:
      return "case comments";
    case Part::kFiles:
      return "files";
    case Part::kRecords:
      break;
  }
  return SpecOf(file.type).name;
}

Result<std::vector<BookFile>> FindBook(Source source, const std::string& directory,
                                       std::vector<std::string>* ignored) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    return Error::InvalidField("--dir", directory + " is not a folder");
  }
  std::vector<BookFile> files;
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    if (entry.is_regular_file()) entries.push_back(entry.path());
  }
  std::sort(entries.begin(), entries.end());
  for (const fs::path& path : entries) {
    const std::string extension = Lowercase(path.extension().string());
    std::vector<Role> roles;
    if (extension == ".csv" || extension == ".xlsx") {
      roles = RolesOf(source, Lowercase(path.stem().string()));
    }
    if (roles.empty() && ignored) ignored->push_back(path.filename().string());
    for (const Role& role : roles) {
      BookFile file;
      file.name = path.filename().string();
      file.path = path.string();
      file.part = role.part;
      file.type = role.type;
      files.push_back(std::move(file));
    }
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const BookFile& a, const BookFile& b) { return OrderOf(a) < OrderOf(b); });
  if (std::none_of(files.begin(), files.end(),
                   [](const BookFile& f) { return f.part == Part::kRecords; })) {
    return Error::InvalidField(
        "--dir", directory + " holds no file of " +
                     (source == Source::kSalesforce
                          ? std::string("a Salesforce export (Account.csv, Contact.csv, "
                                        "Opportunity.csv, Task.csv, Event.csv)")
                          : std::string("a HubSpot export (companies, contacts, deals, and calls, "
                                        "meetings, emails, notes and tasks)")));
  }
  return files;
}

namespace {

// One run of ImportBook: its steps, each filling the report.
class BookRun {
 public:
  BookRun(db::Database& database, const BookOptions& options, BookReport& report)
      : database_(database), options_(options), report_(report) {
    base_.source = options.source;
    base_.dry_run = options.dry_run;
    base_.actor = options.actor;
    base_.clock = options.clock;
  }

  // Every file read once before anything is written: the users file, and what each file of
  // records holds (rows, owners, references, money).
  Status SurveyFiles() {
    RAPPORT_RETURN_IF_ERROR(database_.Read([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(
          std::optional<db::Row> company,
          tx.QueryOne("SELECT currency FROM company_settings ORDER BY id LIMIT 1"));
      if (company) company_currency_ = company->Text("currency");
      return Ok();
    }));
    surveys_.resize(report_.files.size());
    for (std::size_t i = 0; i < report_.files.size(); ++i) {
      BookFile& file = report_.files[i];
      if (file.part == Part::kUsers) {
        RAPPORT_ASSIGN_OR_RETURN(source_users_, ReadUsers(file));
      } else if (file.part == Part::kRecords) {
        auto survey =
            SurveyFile(file, options_.source, base_, company_currency_, options_.keep_columns);
        if (!survey.ok()) {
          return Error(survey.error().code(), file.name + ": " + survey.error().message());
        }
        surveys_[i] = std::move(survey).value();
        for (const auto& [key, n] : surveys_[i].owners) owners_named_[key] += n;
      } else if (file.part == Part::kOpenTasks || file.part == Part::kCases) {
        RAPPORT_ASSIGN_OR_RETURN(const auto owners, file.part == Part::kCases
                                                        ? CaseOwners(file, options_.source)
                                                        : OpenTaskOwners(file, options_.source));
        for (const auto& [key, n] : owners) owners_named_[key] += n;
      }
    }
    return Ok();
  }

  // Each file of records has its imports row, so that Admin's list shows the run as it goes.
  Status BeginImports() {
    for (BookFile& file : report_.files) {
      if (file.part != Part::kRecords) continue;
      ImportOptions begun = base_;
      begun.type = file.type;
      begun.file_name = file.name;
      begun.format =
          Lowercase(fs::path(file.name).extension().string()) == ".xlsx" ? "xlsx" : "csv";
      RAPPORT_ASSIGN_OR_RETURN(file.report.import_id, BeginImport(database_, begun));
      file.report.dry_run = options_.dry_run;
    }
    return Ok();
  }

  // Everything in one transaction: owners, custom fields, each file, the checks, the settling.
  // A rejected row, a failed check or a dry run roll it back.
  void Write() {
    const Status status = database_.Write([&](db::Transaction& tx) { return WriteWithin(tx); });
    if (!status.ok() && !rolled_back_on_purpose_) {
      report_.status = "failed";
      report_.problem = status.error().message();
      report_.written = false;
    }
    if (!report_.written) SettleUnwritten();
  }

 private:
  Status WriteWithin(db::Transaction& tx) {
    RAPPORT_RETURN_IF_ERROR(
        MatchOwners(tx, options_, source_users_, owners_named_, report_.owners, user_keys_));
    for (std::size_t i = 0; i < report_.files.size(); ++i) {
      if (report_.files[i].part != Part::kRecords) continue;
      RAPPORT_RETURN_IF_ERROR(KeepColumns(tx, options_.actor, report_.files[i], options_.source,
                                          surveys_[i], report_.custom_fields));
    }
    RelationContext relations{tx, options_.actor, options_.source, &user_keys_, {}};
    for (BookFile& file : report_.files) {
      if (file.part == Part::kUsers) continue;
      const auto started = std::chrono::steady_clock::now();
      const Status written = file.part == Part::kRecords
                                 ? ImportRecords(tx, file)
                                 : ImportRelation(relations, file, report_.checks);
      file.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (!written.ok()) {
        return Error(written.error().code(), file.name + ": " + written.error().message());
      }
      if (file.part != Part::kRecords) {
        file.report.status = file.report.rejected > 0 ? "rejected" : "succeeded";
      }
      if (file.report.status == "rejected") {
        report_.status = "rejected";
        report_.problem = file.name + ": " + WithCommas(file.report.rejected) +
                          " rows rejected; nothing was written";
        return RollBack();
      }
    }
    // Checked once everything is written: line items set their deals' amounts.
    for (std::size_t i = 0; i < report_.files.size(); ++i) {
      if (report_.files[i].part != Part::kRecords) continue;
      RAPPORT_RETURN_IF_ERROR(CheckFile(tx, report_.files[i], surveys_[i], report_.checks));
    }
    for (const BookCheck& c : report_.checks) {
      if (!c.ok) {
        return Error(ErrorCode::kInternal, "the check failed: " + c.file + ", " + c.what + ": " +
                                               c.expected + " in the file, " + c.found +
                                               " written");
      }
    }
    report_.status = "succeeded";
    if (options_.dry_run) return RollBack();
    for (BookFile& file : report_.files) {
      if (file.part == Part::kUsers) continue;
      file.report.written = true;
      if (file.part == Part::kRecords)
        RAPPORT_RETURN_IF_ERROR(SettleImport(tx, file.report, base_));
    }
    report_.written = true;
    return Ok();
  }

  // A file of records, as `rapport import` does it, through the source's profile.
  Status ImportRecords(db::Transaction& tx, BookFile& file) {
    RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                             OpenProfiled(file, options_.source));
    ImportOptions run = base_;
    run.type = file.type;
    run.file_name = file.name;
    run.user_keys = &user_keys_;
    run.cancelled = options_.cancelled;
    std::error_code ec;
    const std::uint64_t size = fs::file_size(file.path, ec);
    if (options_.progress) {
      run.progress = [this, &file, size](std::int64_t rows, std::uint64_t bytes) {
        options_.progress(file.name, rows, bytes, size);
      };
    }
    RAPPORT_RETURN_IF_ERROR(records->ReadHeader());
    run.mapping = records->profile().mapping;
    return ImportWithin(tx, file.report.import_id, *records, run, file.report);
  }

  Status RollBack() {
    rolled_back_on_purpose_ = true;
    return Error(ErrorCode::kConflict, "rolled back");
  }

  // The imports rows of a run that wrote nothing say so.
  void SettleUnwritten() {
    for (BookFile& file : report_.files) {
      if (file.part != Part::kRecords) continue;
      file.report.written = false;
      if (report_.status == "failed") {
        MarkFailed(file.report, Error(ErrorCode::kInternal, report_.problem));
      } else if (file.report.status == "running") {
        file.report.status = "rejected";
      }
      const Status settled = database_.Write(
          [&](db::Transaction& tx) -> Status { return SettleImport(tx, file.report, base_); });
      (void)settled;  // the report still says what happened
    }
  }

  db::Database& database_;
  const BookOptions& options_;
  BookReport& report_;
  ImportOptions base_;
  std::string company_currency_ = "GBP";
  std::unordered_map<std::string, SourceUser> source_users_;
  std::vector<Survey> surveys_;
  std::map<std::string, std::int64_t> owners_named_;
  std::unordered_map<std::string, std::int64_t> user_keys_;
  bool rolled_back_on_purpose_ = false;
};

}  // namespace

BookReport ImportBook(db::Database& database, const BookOptions& options) {
  BookReport report;
  report.dry_run = options.dry_run;
  auto found = FindBook(options.source, options.directory, &report.ignored);
  if (!found.ok()) {
    report.status = "failed";
    report.problem = found.error().message();
    return report;
  }
  report.files = std::move(found).value();
  const std::string today = FormatInstant(options.actor.at).substr(0, 10);
  for (BookFile& file : report.files) file.today = today;
  BookRun run(database, options, report);
  Status begun = run.SurveyFiles();
  if (begun.ok()) begun = run.BeginImports();
  if (!begun.ok()) {
    report.status = "failed";
    report.problem = begun.error().message();
    return report;
  }
  run.Write();
  return report;
}

BookReport ImportBookZip(db::Database& database, BookOptions options, const std::string& bytes) {
  std::string pattern = TempPattern("book");
  BookReport report;
  report.dry_run = options.dry_run;
  if (!mkdtemp(pattern.data())) {
    report.status = "failed";
    report.problem = "cannot make a folder for the export's files: " + pattern;
    return report;
  }
  struct Removed {
    std::string path;
    ~Removed() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } folder{pattern};
  const Status extracted = ExtractZip(bytes, folder.path);
  if (!extracted.ok()) {
    report.status = "failed";
    report.problem = extracted.error().message();
    return report;
  }
  options.directory = folder.path;
  report = ImportBook(database, options);
  // The folder is the run's own: the problem names the zip instead.
  for (std::size_t at; (at = report.problem.find(folder.path)) != std::string::npos;) {
    report.problem.replace(at, folder.path.size(), "the zip");
  }
  return report;
}

std::string BookReportJson(const BookReport& report) {
  api::JsonWriter w;
  w.StartObject();
  w.Key("status").String(report.status);
  w.Key("dry_run").Bool(report.dry_run);
  w.Key("written").Bool(report.written);
  w.Key("problem");
  if (report.problem.empty()) {
    w.Null();
  } else {
    w.String(report.problem);
  }
  w.Key("files").StartArray();
  for (const BookFile& f : report.files) {
    w.StartObject();
    w.Key("name").String(f.name);
    w.Key("holds").String(PartName(f));
    w.Key("rows").Int(f.rows);
    w.Key("skipped").Int(f.skipped);
    w.Key("set_aside").Int(f.set_aside);
    w.Key("seconds").Double(f.seconds);
    if (f.part != Part::kUsers) {
      w.Key("import");
      WriteReportJson(w, f.report);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("ignored_files").StartArray();
  for (const std::string& name : report.ignored) w.String(name);
  w.EndArray();
  w.Key("owners").StartArray();
  for (const Owner& o : report.owners) {
    w.StartObject();
    w.Key("key").String(o.key);
    w.Key("email").String(o.email);
    w.Key("name").String(o.name);
    w.Key("matched");
    if (o.matched.empty()) {
      w.Null();
    } else {
      w.String(o.matched);
    }
    w.Key("user_id").OptId(o.user_id ? std::optional<std::int64_t>(o.user_id) : std::nullopt);
    w.Key("active").Bool(o.active);
    w.Key("records").Int(o.records);
    w.EndObject();
  }
  w.EndArray();
  w.Key("custom_fields").StartArray();
  for (const KeptField& f : report.custom_fields) {
    w.StartObject();
    w.Key("file").String(f.file);
    w.Key("column").String(f.column);
    w.Key("record_type").String(f.table);
    w.Key("key").String(f.key);
    w.Key("label").String(f.label);
    w.Key("type").String(f.type);
    w.EndObject();
  }
  w.EndArray();
  w.Key("checks").StartArray();
  for (const BookCheck& c : report.checks) {
    w.StartObject();
    w.Key("file").String(c.file);
    w.Key("what").String(c.what);
    w.Key("expected").String(c.expected);
    w.Key("found").String(c.found);
    w.Key("ok").Bool(c.ok);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace rapport::moving
