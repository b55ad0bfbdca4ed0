#include "moving/source_files.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/validation.hpp"
#include "imports/cells.hpp"
#include "imports/csv_reader.hpp"
#include "imports/xlsx_reader.hpp"
#include "imports/zip.hpp"
#include "moving/files.hpp"

namespace rapport::moving {

using namespace imports;  // NOLINT: the book is made of imports
namespace fs = std::filesystem;

namespace {

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

// A note has no subject: its first line stands for one (at most 80 characters, cut at a word).
std::string FirstLineAsSubject(std::string_view body) {
  body = Trim(body.substr(0, body.find_first_of("\r\n")));
  if (body.empty()) return "Note";
  if (Utf8Characters(body) <= 80) return std::string(body);
  std::size_t cut = 0, characters = 0;
  for (std::size_t i = 0; i < body.size() && characters < 77; ++i) {
    if ((static_cast<unsigned char>(body[i]) & 0xC0) != 0x80) ++characters;
    cut = i + 1;
  }
  while (cut < body.size() && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) ++cut;
  // Cut at a word's end: where the next word starts, or back to the last space.
  const std::size_t space = body.substr(0, cut).rfind(' ');
  if (body[cut] != ' ' && space != std::string_view::npos && space > cut / 2) cut = space;
  return std::string(Trim(body.substr(0, cut))) + "...";
}

// Rows dated after the run's day in `when` are planned: the open tasks take them, the rest the
// activities (see Profile::when_column).
void PlanFuture(const BookFile& file, std::optional<std::size_t> when, Profile& p) {
  if (file.today.empty()) return;
  // Without a date every row is done: a column past the row reads as empty, never planned.
  p.when_column = when.value_or(Profile::kEveryRow);
  p.today = file.today;
  p.keep_past = file.part != Part::kOpenTasks;
}

// HubSpot's activity exports: each kind names its subject, body and outcome its own way; its
// tasks' Task type (Call, Email, To-do) gives the kind of those done.
void ProfileHubSpotActivities(const BookFile& file, const std::vector<std::string>& header,
                              Profile& p) {
  const auto at = [&](std::string_view key) { return IndexOf(header, key); };
  const auto map = [&](std::string_view key, std::string field) {
    if (auto i = at(key)) p.mapping.emplace_back(header[*i], std::move(field));
  };
  const std::optional<std::string> kind = HubSpotActivityKind(fs::path(file.name).stem().string());
  if (!kind) return;
  if (*kind == "task") {
    // The open ones are tasks (a status other than Completed), the rest activities.
    p.split_done = true;
    p.done_column = at("taskstatus");
    p.done_is_status = p.done_column.has_value();
    p.keep_done = file.part != Part::kOpenTasks;
    if (file.part != Part::kRecords) return;
    map("tasktitle", "subject");
    map("tasktype", "kind");
    if (!at("tasktype")) p.derived.push_back({"Kind", Profile::kEveryRow, "", nullptr, "note"});
    // Its Activity date is its due date, said again.
    if (at("activitydate")) {
      if (auto due = at("duedate")) p.mapping.emplace_back(header[*due], "");
    }
    return;
  }
  // A meeting still to come is a task, not an activity.
  if (*kind == "meeting") {
    PlanFuture(file, at("activitydate") ? at("activitydate") : at("meetingstarttime"), p);
  }
  if (file.part != Part::kRecords) return;
  p.derived.push_back({"Kind", Profile::kEveryRow, "", nullptr, *kind});
  map("calltitle", "subject");
  map("callnotes", "body");
  map("meetingname", "subject");
  map("meetingtitle", "subject");
  map("meetingdescription", "body");
  map("meetingoutcome", "outcome");
  map("emailsubject", "subject");
  map("emailbody", "body");
  map("emailtext", "body");
  map("notebody", "body");
  if (*kind == "note" && !at("subject")) {
    if (auto body = at("notebody")) {
      p.derived.push_back({"Subject", *body, "", &FirstLineAsSubject, ""});
    }
  }
}

}  // namespace

std::optional<std::string> HubSpotActivityKind(std::string_view stem) {
  const std::string key = NormalizeHeader(stem);
  // Only HubSpot's own names ("hubspot-crm-exports-all-calls-2026-11-30"): a stray notes.csv or
  // call-list.csv in the folder is not an activity export.
  if (key.find("crmexports") == std::string::npos) return std::nullopt;
  const auto has = [&](const char* word) { return key.find(word) != std::string::npos; };
  if (has("call")) return "call";
  if (has("meeting")) return "meeting";
  if (has("email")) return "email";
  if (has("note")) return "note";
  if (has("task")) return "task";
  return std::nullopt;
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
    // Task.csv: those done are activities, the others tasks.
    if (Lowercase(fs::path(file.name).stem().string()) == "task" &&
        (file.part == Part::kOpenTasks || file.type == RecordType::kActivities)) {
      p.split_done = true;
      p.done_column = at("isclosed");
      if (!p.done_column) {
        p.done_column = at("status");
        p.done_is_status = p.done_column.has_value();
      }
      p.keep_done = file.part != Part::kOpenTasks;
    }
    // Event.csv: those still to come are tasks (visits planned), the others activities.
    if (Lowercase(fs::path(file.name).stem().string()) == "event") {
      std::optional<std::size_t> when = at("activitydatetime");
      if (!when) when = at("activitydate");
      if (!when) when = at("startdatetime");
      PlanFuture(file, when, p);
    }
    if (file.part != Part::kRecords) return p;
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
    if (file.type == RecordType::kActivities) ProfileHubSpotActivities(file, header, p);
    // A deal's contact roles read the whole list of its contacts; a record its first.
    const bool record = file.part == Part::kRecords || file.part == Part::kOpenTasks;
    for (std::size_t i = 0; record && i < header.size(); ++i) {
      const std::string key = NormalizeHeader(header[i]);
      if (key.starts_with("associated") && key.ends_with("ids")) {
        p.rewrites.emplace_back(i, &FirstOfList);
      }
      if (key == "dealprobability") p.rewrites.emplace_back(i, &FractionAsPercent);
    }
    if (file.part == Part::kRecords && file.type == RecordType::kContacts) {
      ignore("companyname");  // a contact's own text, not a link: Associated Company IDs is
      ignore("associatedcompany");
    }
    if (file.part == Part::kRecords && file.type == RecordType::kActivities) {
      map("associateddealids", "opportunity");
    }
  }
  return p;
}

Status ProfiledRecords::ReadHeader() {
  if (header_read_) return Ok();
  header_read_ = true;
  RAPPORT_ASSIGN_OR_RETURN(has_header_, inner_->Next(header_));
  profile_ = ProfileOf(source_, file_, header_);
  for (const auto& d : profile_.derived) header_.push_back(d.header);
  return Ok();
}

Result<bool> ProfiledRecords::Next(std::vector<std::string>& fields) {
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
      skip = skip || (i < fields.size() && !imports::Trim(fields[i]).empty());
    }
    if (skip) {
      ++skipped_;
      continue;
    }
    if (profile_.split_done) {
      const auto d = profile_.done_column;
      const std::string cell = d && *d < fields.size() ? Lowercase(imports::Trim(fields[*d])) : "";
      const bool done = !d || (profile_.done_is_status ? cell == "completed" : IsTrue(cell));
      if (done != profile_.keep_done) {
        ++set_aside_;
        continue;
      }
    }
    if (profile_.when_column) {
      const std::size_t w = *profile_.when_column;
      const std::string_view when = w < fields.size() ? imports::Trim(fields[w]) : "";
      const bool planned = when.substr(0, 10) > profile_.today;
      if (planned == profile_.keep_past) {
        ++set_aside_;
        continue;
      }
    }
    for (const auto& [i, rewrite] : profile_.rewrites) {
      if (i < fields.size()) fields[i] = rewrite(fields[i]);
    }
    const std::size_t width = fields.size();
    for (const auto& d : profile_.derived) {
      if (d.from == Profile::kEveryRow) {
        fields.push_back(d.constant);
        continue;
      }
      const std::string_view cell =
          d.from < width ? imports::Trim(fields[d.from]) : std::string_view();
      if (d.make) {
        fields.push_back(d.make(cell));
      } else {
        fields.push_back(cell.starts_with(d.prefix) ? std::string(cell) : std::string());
      }
    }
    return true;
  }
}

Result<std::unique_ptr<RecordSource>> OpenFile(const std::string& path) {
  return FileRecords::Open(path);
}

bool IsTrue(std::string_view cell) {
  const std::string v = Lowercase(Trim(cell));
  return v == "true" || v == "1" || v == "yes";
}

std::optional<std::size_t> IndexOf(const std::vector<std::string>& header,
                                   std::string_view normalised) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (NormalizeHeader(header[i]) == normalised) return i;
  }
  return std::nullopt;
}

Result<std::unique_ptr<ProfiledRecords>> OpenProfiled(const BookFile& file, Source source) {
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<RecordSource> records, OpenFile(file.path));
  return std::make_unique<ProfiledRecords>(std::move(records), source, file);
}

Status ExtractZip(const std::string& bytes, const std::string& directory) {
  if (!LooksLikeZip(bytes)) {
    return Error::InvalidField("file",
                               "is not a zip file (an export as Salesforce or HubSpot "
                               "deliver it)");
  }
  auto archive = zip::Archive::Open(bytes);
  if (!archive.ok()) {
    return Error::InvalidField("file", "is not a readable zip file: " + archive.error().message());
  }
  const std::uint64_t budget = std::max<std::uint64_t>(std::uint64_t{100} * bytes.size(), 64 << 20);
  std::uint64_t written = 0;
  std::vector<char> buffer(1 << 16);
  for (const auto& [name, entry] : (*archive)->entries()) {
    const std::string base = fs::path(name).filename().string();
    const std::string extension = Lowercase(fs::path(base).extension().string());
    // The files' bytes keep their folder (Attachments/00P...), which the book looks in.
    const std::string folder = fs::path(name).parent_path().filename().string();
    const bool bytes_of_files = IsFilesFolder(Lowercase(folder));
    if (name.ends_with("/") || base.empty() || base.starts_with(".") || base == ".." ||
        name.find("__MACOSX") != std::string::npos ||
        (!bytes_of_files && extension != ".csv" && extension != ".xlsx")) {
      continue;
    }
    fs::path target = fs::path(directory) / base;
    if (bytes_of_files) {
      std::error_code ec;
      fs::create_directories(fs::path(directory) / folder, ec);
      target = fs::path(directory) / folder / base;
    }
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out) return Error(ErrorCode::kInternal, "cannot write " + base + " in " + directory);
    auto member = (*archive)->Stream(entry);
    if (!member.ok()) {
      return Error::InvalidField("file", base + " in the zip: " + member.error().message());
    }
    while (true) {
      Result<std::size_t> n = (*member)->Read(buffer.data(), buffer.size());
      if (!n.ok()) {
        return Error::InvalidField("file", base + " in the zip: " + n.error().message());
      }
      if (*n == 0) break;
      written += *n;
      if (written > budget) {
        return Error::InvalidField("file",
                                   "its files come to more than a hundred times its "
                                   "size: not imported");
      }
      out.write(buffer.data(), static_cast<std::streamsize>(*n));
    }
    if (!out) return Error(ErrorCode::kInternal, "cannot write " + base + " in " + directory);
  }
  return Ok();
}

std::string Money(std::int64_t minor) {
  const bool negative = minor < 0;
  const std::uint64_t abs = negative ? 0 - static_cast<std::uint64_t>(minor) : minor;
  char cents[4];
  std::snprintf(cents, sizeof cents, "%02u", static_cast<unsigned>(abs % 100));
  return (negative ? "-" : "") + WithCommas(static_cast<std::int64_t>(abs / 100)) + "." + cents;
}

}  // namespace rapport::moving
