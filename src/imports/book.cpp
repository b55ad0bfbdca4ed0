#include "imports/book.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "core/validation.hpp"
#include "imports/cells.hpp"
#include "imports/csv_reader.hpp"
#include "imports/import_routes.hpp"
#include "imports/xlsx_reader.hpp"
#include "users/user_store.hpp"

namespace rapport::imports {
namespace {

namespace fs = std::filesystem;

// ---- Reading a file of the folder ---------------------------------------------------------

// A file's records: CSV streamed from the open file, XLSX read whole (it is compressed).
class FileRecords final : public RecordSource {
 public:
  static Result<std::unique_ptr<RecordSource>> Open(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) return Error::InvalidField("--dir", "cannot open " + path);
    auto records = std::unique_ptr<FileRecords>(new FileRecords(file));
    char head[4] = {0, 0, 0, 0};
    const std::size_t head_size = std::fread(head, 1, sizeof head, file);
    std::rewind(file);
    if (LooksLikeZip(std::string_view(head, head_size))) {
      std::ifstream in(path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto opened = OpenXlsx(std::move(bytes));
      if (!opened.ok()) {
        return Error(ErrorCode::kMalformed,
                     fs::path(path).filename().string() + ": " + opened.error().message());
      }
      records->inner_ = std::move(opened).value();
    } else {
      records->inner_ = std::make_unique<CsvReader>([file](char* buffer, std::size_t capacity) {
        return std::fread(buffer, 1, capacity, file);
      });
    }
    return std::unique_ptr<RecordSource>(std::move(records));
  }
  ~FileRecords() override {
    inner_.reset();
    std::fclose(file_);
  }
  Result<bool> Next(std::vector<std::string>& fields) override { return inner_->Next(fields); }
  std::int64_t line() const override { return inner_->line(); }
  std::uint64_t bytes_read() const override { return inner_->bytes_read(); }

 private:
  explicit FileRecords(std::FILE* file) : file_(file) {}
  std::FILE* file_;
  std::unique_ptr<RecordSource> inner_;
};

// ---- The source's profile -----------------------------------------------------------------

// What a source's file means that its header alone does not say: rows to skip, cells to read
// otherwise, columns to add, and columns mapped other than by their names.
struct Profile {
  std::vector<std::pair<std::string, std::string>> mapping;  // header -> field ("" ignores)
  std::vector<std::size_t> skip_when_true;  // rows deleted in the source (IsDeleted)
  std::vector<std::size_t> skip_when_set;   // rows merged into another (MasterRecordId)
  std::vector<std::pair<std::size_t, std::string (*)(std::string_view)>> rewrites;
  // Columns added to each row: a name, and the cell from the row's others.
  struct Derived {
    std::string header;
    std::size_t from;
    std::string prefix;  // the cell of `from` when it starts with this, else empty
  };
  std::vector<Derived> derived;
};

bool IsTrue(std::string_view cell) {
  const std::string v = Lowercase(Trim(cell));
  return v == "true" || v == "1" || v == "yes";
}

// HubSpot writes several associated records as "123;456": the first is the primary one.
std::string FirstOfList(std::string_view cell) {
  return std::string(Trim(cell.substr(0, cell.find(';'))));
}

// HubSpot's deal probability runs from 0 to 1; Rapport's is a percent.
std::string FractionAsPercent(std::string_view cell) {
  cell = Trim(cell);
  if (cell.empty()) return "";
  char* end = nullptr;
  const std::string text(cell);
  const double fraction = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || fraction < 0 || fraction > 1) return text;
  return std::to_string(static_cast<int>(fraction * 100 + 0.5));
}

std::optional<std::size_t> IndexOf(const std::vector<std::string>& header,
                                   std::string_view normalised) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (NormalizeHeader(header[i]) == normalised) return i;
  }
  return std::nullopt;
}

// Salesforce's custom field columns ("ODS_Code__c") name a built-in field as often as a custom
// one: mapped to the built-in field whose name or alias they spell, when there is one.
void MapCustomColumnsToFields(const RecordSpec& spec, const std::vector<std::string>& header,
                              Profile& profile) {
  for (const std::string& h : header) {
    if (h.size() < 4 || !h.ends_with("__c")) continue;
    const std::string key = NormalizeHeader(std::string_view(h).substr(0, h.size() - 3));
    for (const Field& f : spec.fields) {
      bool named = NormalizeHeader(f.name) == key;
      for (const std::string& alias : f.aliases) named = named || alias == key;
      if (named && !IndexOf(header, NormalizeHeader(f.name))) {
        profile.mapping.emplace_back(h, f.name);
        break;
      }
    }
  }
}

Profile ProfileOf(Source source, const BookFile& file, const std::vector<std::string>& header) {
  Profile p;
  const auto at = [&](std::string_view key) { return IndexOf(header, key); };
  const auto ignore = [&](std::string_view key) {
    if (auto i = at(key)) p.mapping.emplace_back(header[*i], "");
  };
  const auto map = [&](std::string_view key, std::string field) {
    if (auto i = at(key)) p.mapping.emplace_back(header[*i], std::move(field));
  };
  if (source == Source::kSalesforce) {
    if (auto i = at("isdeleted")) p.skip_when_true.push_back(*i);
    if (auto i = at("masterrecordid")) p.skip_when_set.push_back(*i);
    // An owner is a user's id (005...), found through User.csv.
    if (file.type == RecordType::kAccounts || file.type == RecordType::kOpportunities) {
      map("ownerid", "owner");
    }
    if (file.type == RecordType::kActivities) {
      map("ownerid", "user");
      // A task's or event's subtype is what it was (Call, Email, Task, Event); its Type is
      // often empty.
      if (at("tasksubtype") || at("eventsubtype")) ignore("type");
      map("eventsubtype", "kind");
      // An event's ActivityDateTime is when it began (StartDateTime says it again, ActivityDate
      // without the time).
      if (at("activitydatetime")) {
        ignore("startdatetime");
        ignore("activitydate");
      }
      // WhatId names what it was about: an opportunity (006...), an account (001...), ...
      if (auto what = at("whatid")) {
        if (!at("opportunityid")) p.derived.push_back({"Opportunity", *what, "006"});
        if (!at("accountid")) p.derived.push_back({"Account", *what, "001"});
      }
    }
    if (file.type == RecordType::kContacts) {
      ignore("name");  // the full name, which FirstName and LastName give
    }
    MapCustomColumnsToFields(SpecOf(file.type), header, p);
  } else if (source == Source::kHubSpot) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      const std::string key = NormalizeHeader(header[i]);
      if (key.starts_with("associated") && key.ends_with("ids")) {
        p.rewrites.emplace_back(i, &FirstOfList);
      }
      if (key == "dealprobability") p.rewrites.emplace_back(i, &FractionAsPercent);
    }
    if (file.type == RecordType::kContacts) {
      ignore("companyname");  // a contact's own text, not a link: Associated Company IDs is
      ignore("associatedcompany");
    }
  }
  return p;
}

// A file's records as its profile reads them: deleted and merged rows left out (counted), cells
// rewritten, derived columns added.
class ProfiledRecords final : public RecordSource {
 public:
  ProfiledRecords(std::unique_ptr<RecordSource> inner, Source source, const BookFile& file)
      : inner_(std::move(inner)), source_(source), file_(file) {}

  // Reads the header, which gives the profile (the first Next returns it).
  Status ReadHeader() {
    if (header_read_) return Ok();
    header_read_ = true;
    RAPPORT_ASSIGN_OR_RETURN(has_header_, inner_->Next(header_));
    profile_ = ProfileOf(source_, file_, header_);
    for (const auto& d : profile_.derived) header_.push_back(d.header);
    return Ok();
  }

  Result<bool> Next(std::vector<std::string>& fields) override {
    if (!header_given_) {
      RAPPORT_RETURN_IF_ERROR(ReadHeader());
      header_given_ = true;
      fields = std::move(header_);
      return has_header_;
    }
    while (true) {
      RAPPORT_ASSIGN_OR_RETURN(bool more, inner_->Next(fields));
      if (!more) return false;
      ++rows_;
      bool skip = false;
      for (std::size_t i : profile_.skip_when_true)
        skip = skip || (i < fields.size() && IsTrue(fields[i]));
      for (std::size_t i : profile_.skip_when_set) {
        skip = skip || (i < fields.size() && !Trim(fields[i]).empty());
      }
      if (skip) {
        ++skipped_;
        continue;
      }
      for (const auto& [i, rewrite] : profile_.rewrites) {
        if (i < fields.size()) fields[i] = rewrite(fields[i]);
      }
      const std::size_t width = fields.size();
      for (const auto& d : profile_.derived) {
        const std::string_view cell = d.from < width ? Trim(fields[d.from]) : std::string_view();
        fields.push_back(cell.starts_with(d.prefix) ? std::string(cell) : std::string());
      }
      return true;
    }
  }
  std::int64_t line() const override { return inner_->line(); }
  std::uint64_t bytes_read() const override { return inner_->bytes_read(); }

  const Profile& profile() const { return profile_; }
  std::int64_t rows() const { return rows_; }
  std::int64_t skipped() const { return skipped_; }

 private:
  std::unique_ptr<RecordSource> inner_;
  Source source_;
  const BookFile& file_;
  bool header_read_ = false, header_given_ = false, has_header_ = false;
  std::vector<std::string> header_;
  Profile profile_;
  std::int64_t rows_ = 0, skipped_ = 0;
};

Result<std::unique_ptr<ProfiledRecords>> OpenProfiled(const BookFile& file, Source source) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<RecordSource> records, FileRecords::Open(file.path));
  return std::make_unique<ProfiledRecords>(std::move(records), source, file);
}

// ---- Finding the files --------------------------------------------------------------------

struct Role {
  bool users;
  RecordType type;
};

// Which part of the book a file is, by its name (without extension, lower case).
std::optional<Role> RoleOf(Source source, const std::string& stem) {
  if (source == Source::kSalesforce) {
    if (stem == "user") return Role{true, RecordType::kAccounts};
    if (stem == "account") return Role{false, RecordType::kAccounts};
    if (stem == "contact") return Role{false, RecordType::kContacts};
    if (stem == "opportunity") return Role{false, RecordType::kOpportunities};
    if (stem == "task" || stem == "event") return Role{false, RecordType::kActivities};
    return std::nullopt;
  }
  // HubSpot names its exports "hubspot-crm-exports-all-deals-2026-11-30" and the like.
  if (stem.find("user") != std::string::npos || stem.find("owner") != std::string::npos) {
    return Role{true, RecordType::kAccounts};
  }
  if (stem.find("compan") != std::string::npos) return Role{false, RecordType::kAccounts};
  if (stem.find("contact") != std::string::npos) return Role{false, RecordType::kContacts};
  if (stem.find("deal") != std::string::npos) return Role{false, RecordType::kOpportunities};
  return std::nullopt;
}

int OrderOf(const BookFile& f) { return f.users ? -1 : static_cast<int>(f.type); }

// ---- Owners -------------------------------------------------------------------------------

struct SourceUser {
  std::string email, name;
  bool active = true;
};

// The users file: each user by the keys records name them with (their id, email and name).
Result<std::unordered_map<std::string, SourceUser>> ReadUsers(const BookFile& file) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<RecordSource> records, FileRecords::Open(file.path));
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
struct Survey {
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
                          const std::string& company_currency) {
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
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const Field* f = fields[i];
    if (!f) continue;
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
  return survey;
}

std::string Money(std::int64_t minor) {
  const bool negative = minor < 0;
  const std::uint64_t abs = negative ? 0 - static_cast<std::uint64_t>(minor) : minor;
  char cents[4];
  std::snprintf(cents, sizeof cents, "%02u", static_cast<unsigned>(abs % 100));
  return (negative ? "-" : "") + WithCommas(static_cast<std::int64_t>(abs / 100)) + "." + cents;
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

}  // namespace

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
    std::optional<Role> role;
    if (extension == ".csv" || extension == ".xlsx") {
      role = RoleOf(source, Lowercase(path.stem().string()));
    }
    if (!role) {
      if (ignored) ignored->push_back(path.filename().string());
      continue;
    }
    BookFile file;
    file.name = path.filename().string();
    file.path = path.string();
    file.users = role->users;
    file.type = role->type;
    files.push_back(std::move(file));
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const BookFile& a, const BookFile& b) { return OrderOf(a) < OrderOf(b); });
  if (std::none_of(files.begin(), files.end(), [](const BookFile& f) { return !f.users; })) {
    return Error::InvalidField(
        "--dir", directory + " holds no file of " +
                     (source == Source::kSalesforce
                          ? std::string("a Salesforce export (Account.csv, Contact.csv, "
                                        "Opportunity.csv, Task.csv, Event.csv)")
                          : std::string("a HubSpot export (companies, contacts, deals)")));
  }
  return files;
}

BookReport ImportBook(db::Database& database, const BookOptions& options) {
  BookReport report;
  report.dry_run = options.dry_run;
  const auto fail = [&](const Error& error) {
    report.status = "failed";
    report.problem = error.message();
    return report;
  };
  auto found = FindBook(options.source, options.directory, &report.ignored);
  if (!found.ok()) return fail(found.error());
  report.files = std::move(found).value();

  ImportOptions base;
  base.source = options.source;
  base.dry_run = options.dry_run;
  base.actor = options.actor;
  base.clock = options.clock;

  std::string company_currency = "GBP";
  Status read = database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> company,
        tx.QueryOne("SELECT currency FROM company_settings ORDER BY id LIMIT 1"));
    if (company) company_currency = company->Text(0);
    return Ok();
  });
  if (!read.ok()) return fail(read.error());

  // The survey: every file read once before anything is written.
  std::unordered_map<std::string, SourceUser> source_users;
  std::vector<Survey> surveys(report.files.size());
  std::map<std::string, std::int64_t> owners_named;
  for (std::size_t i = 0; i < report.files.size(); ++i) {
    BookFile& file = report.files[i];
    if (file.users) {
      auto users = ReadUsers(file);
      if (!users.ok()) return fail(users.error());
      source_users = std::move(users).value();
      continue;
    }
    auto survey = SurveyFile(file, options.source, base, company_currency);
    if (!survey.ok()) {
      return fail(Error(survey.error().code(), file.name + ": " + survey.error().message()));
    }
    surveys[i] = std::move(survey).value();
    for (const auto& [key, n] : surveys[i].owners) owners_named[key] += n;
  }

  // Each file's imports row, so that Admin's list shows the run as it goes.
  for (BookFile& file : report.files) {
    if (file.users) continue;
    ImportOptions begun = base;
    begun.type = file.type;
    begun.file_name = file.name;
    begun.format = Lowercase(fs::path(file.name).extension().string()) == ".xlsx" ? "xlsx" : "csv";
    auto id = BeginImport(database, begun);
    if (!id.ok()) return fail(id.error());
    file.report.import_id = *id;
    file.report.dry_run = options.dry_run;
  }

  std::unordered_map<std::string, std::int64_t> user_keys;
  bool rolled_back_on_purpose = false;
  const Status status = database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(
        MatchOwners(tx, options, source_users, owners_named, report.owners, user_keys));
    for (std::size_t i = 0; i < report.files.size(); ++i) {
      BookFile& file = report.files[i];
      if (file.users) continue;
      RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                               OpenProfiled(file, options.source));
      ImportOptions run = base;
      run.type = file.type;
      run.file_name = file.name;
      run.user_keys = &user_keys;
      std::uint64_t size = 0;
      std::error_code ec;
      size = fs::file_size(file.path, ec);
      if (options.progress) {
        run.progress = [&options, &file, size](std::int64_t rows, std::uint64_t bytes) {
          options.progress(file.name, rows, bytes, size);
        };
      }
      RAPPORT_RETURN_IF_ERROR(records->ReadHeader());
      run.mapping = records->profile().mapping;
      const Status imported = ImportWithin(tx, file.report.import_id, *records, run, file.report);
      if (!imported.ok()) {
        return Error(imported.error().code(), file.name + ": " + imported.error().message());
      }
      if (file.report.status == "rejected") {
        report.status = "rejected";
        report.problem = file.name + ": " + WithCommas(file.report.rejected) +
                         " rows rejected; nothing was written";
        rolled_back_on_purpose = true;
        return Error(ErrorCode::kConflict, "rolled back");
      }
      RAPPORT_RETURN_IF_ERROR(CheckFile(tx, file, surveys[i], report.checks));
    }
    for (const BookCheck& c : report.checks) {
      if (!c.ok) {
        return Error(ErrorCode::kInternal, "the check failed: " + c.file + ", " + c.what + ": " +
                                               c.expected + " in the file, " + c.found +
                                               " written");
      }
    }
    report.status = "succeeded";
    if (options.dry_run) {
      rolled_back_on_purpose = true;
      return Error(ErrorCode::kConflict, "rolled back");
    }
    for (BookFile& file : report.files) {
      if (file.users) continue;
      file.report.written = true;
      RAPPORT_RETURN_IF_ERROR(SettleImport(tx, file.report, base));
    }
    report.written = true;
    return Ok();
  });
  if (!status.ok() && !rolled_back_on_purpose) {
    report.status = "failed";
    report.problem = status.error().message();
    report.written = false;
  }
  if (!report.written) {
    for (BookFile& file : report.files) {
      if (file.users) continue;
      file.report.written = false;
      if (file.report.status == "running" || report.status == "failed") {
        if (report.status == "failed") {
          MarkFailed(file.report, Error(ErrorCode::kInternal, report.problem));
        } else {
          file.report.status = "rejected";
        }
      }
      const Status settled = database.Write(
          [&](db::Transaction& tx) -> Status { return SettleImport(tx, file.report, base); });
      (void)settled;  // the report still says what happened
    }
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
    w.Key("holds").String(f.users ? "users" : SpecOf(f.type).name);
    w.Key("rows").Int(f.rows);
    w.Key("skipped").Int(f.skipped);
    if (!f.users) {
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

}  // namespace rapport::imports
