#include "moving/files.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <unordered_map>

#include "audit/audit_log.hpp"
#include "core/validation.hpp"
#include "files/attachments.hpp"
#include "moving/parts.hpp"
#include "moving/source_files.hpp"

namespace rapport::moving {
namespace {

namespace fs = std::filesystem;
using imports::ImportReport;

// The record types a file can hang off, as the book knows them, with the attachment's column.
struct Parents {
  struct Table {
    const char* table;
    const char* column;
    std::unordered_map<std::string, Known> known;
  };
  std::vector<Table> tables = {{"accounts", "account_id", {}},
                               {"contacts", "contact_id", {}},
                               {"opportunities", "opportunity_id", {}},
                               {"cases", "case_id", {}}};

  // The attachment's column and record id for the source's record `key`, if the book holds it.
  std::optional<std::pair<const char*, std::int64_t>> Find(const std::string& key) const {
    for (const Table& t : tables) {
      if (auto it = t.known.find(key); it != t.known.end()) {
        return std::make_pair(t.column, it->second.id);
      }
    }
    return std::nullopt;
  }
};

// The columns of an attachments file (Salesforce's Attachment or ContentVersion).
struct FileColumns {
  // A Salesforce File is kept by its document (ContentDocumentId), whose versions each have an
  // id of their own (the bytes' name in the export).
  std::optional<std::size_t> key, id, parent, name, title, extension, body, latest, owner,
      description;
  bool versions = false;  // ContentVersion: the latest version of each file only
};

FileColumns FindFileColumns(const Header& header, ImportReport& report) {
  FileColumns c;
  c.key = header.Find({"contentdocumentid", "id"}, "external_id", report);
  c.id = IndexOf(header.names, "id");
  c.parent = header.Find({"parentid", "firstpublishlocationid"}, "record", report);
  c.name = header.Find({"name", "pathonclient"}, "file_name", report);
  c.title = header.Find({"title"}, "file_name (when no name)", report);
  c.extension = header.Find({"fileextension"}, "file_name's extension", report);
  c.body = header.Find({"body", "versiondata"}, "content", report);
  c.latest = header.Find({"islatest"}, "latest version", report);
  c.owner = header.Find({"ownerid", "createdbyid"}, "uploaded_by", report);
  c.description = header.Find({"description"}, "description", report);
  c.versions = IndexOf(header.names, "versiondata").has_value();
  return c;
}

// The file at `path`, unless it is larger than `limit` (then `too_large` is set).
std::optional<std::string> ReadWhole(const fs::path& path, std::uintmax_t limit, bool& too_large) {
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  too_large = !ec && size > limit;
  if (ec || too_large) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// `relative` (a path the export's file names) under `book`, when it stays there: not absolute,
// no "..", and, followed through any links, still inside the book's folder. A hostile export
// cannot make the import read another file of the server.
std::optional<fs::path> InsideBook(const fs::path& book, const std::string& relative) {
  if (relative.empty() || relative.size() > 512) return std::nullopt;
  const fs::path given(relative);
  if (given.has_root_path()) return std::nullopt;
  for (const fs::path& part : given) {
    if (part == "..") return std::nullopt;
  }
  std::error_code ec;
  const fs::path path = book / given;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  const fs::path real = fs::canonical(path, ec);
  const fs::path root = fs::canonical(book, ec);
  if (ec) return std::nullopt;
  const auto [end, ignored] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  if (end != root.end()) return std::nullopt;
  return path;
}

// Where a file's bytes are in the export: the path its body cell gives (Data Export writes
// "Attachments/00P..."), else the folder's file named by its id.
std::optional<fs::path> BytesOf(const fs::path& book, const std::string& cell,
                                const std::string& id, bool versions) {
  if (auto given = InsideBook(book, cell)) return given;
  for (const char* folder :
       {versions ? "ContentVersion" : "Attachments", versions ? "contentversion" : "attachments"}) {
    if (auto named = InsideBook(book, std::string(folder) + "/" + id)) return named;
  }
  return std::nullopt;
}

// The first `max` characters of UTF-8 `text`.
std::string Cut(const std::string& text, std::size_t max) {
  std::size_t characters = 0, at = 0;
  for (; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80 && characters++ == max) break;
  }
  return text.substr(0, at);
}

// What a files part came to, beyond the report's counts.
struct FileTally {
  std::int64_t elsewhere = 0, not_kept = 0, bytes = 0;
  std::set<std::string> in_file;
};

}  // namespace

bool IsFilesFolder(std::string_view folder) {
  return folder == "attachments" || folder == "contentversion";
}

Status ImportFiles(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks) {
  ImportReport& report = file.report;
  Header header;
  RAPPORT_ASSIGN_OR_RETURN(std::unique_ptr<ProfiledRecords> records,
                           OpenWithHeader(file, context.source, header));
  const FileColumns columns = FindFileColumns(header, report);
  if (!columns.key || !columns.id || !columns.parent) {
    return Error(ErrorCode::kMalformed,
                 "an attachments file needs Id and ParentId (or FirstPublishLocationId)");
  }
  const fs::path book = fs::path(file.path).parent_path();
  Parents parents;
  for (Parents::Table& t : parents.tables) {
    RAPPORT_ASSIGN_OR_RETURN(t.known, KnownByExternalId(context.tx, t.table));
  }
  RAPPORT_ASSIGN_OR_RETURN(const BookUsers users, LoadBookUsers(context.tx));
  static constexpr StoredField kContent[] = {{"sha256", true}};
  RAPPORT_ASSIGN_OR_RETURN(const auto existing,
                           StoredByExternalId(context.tx, "attachments", kContent));
  FileTally tally;
  std::vector<std::string> row;
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(bool more, records->Next(row));
    if (!more) break;
    ++report.rows_read;
    const std::int64_t line = records->line();
    const std::string key = Cell(row, columns.key), id = Cell(row, columns.id);
    if (key.empty() || id.empty()) {
      Reject(report, line, header.names[key.empty() ? *columns.key : *columns.id],
             "a file needs its id");
      continue;
    }
    if (columns.latest && !Cell(row, columns.latest).empty() &&
        !IsTrue(Cell(row, columns.latest))) {
      continue;  // an older version of a file whose latest is in the file too
    }
    if (!tally.in_file.insert(key).second) continue;
    const auto parent = parents.Find(Cell(row, columns.parent));
    if (!parent) {
      ++tally.elsewhere;  // on a record the book does not hold: a lead, an email, a user
      tally.in_file.erase(key);
      continue;
    }
    std::string name = Cell(row, columns.name);
    if (name.empty()) {
      name = Cell(row, columns.title);
      if (const std::string ext = Cell(row, columns.extension); !ext.empty() && !name.empty()) {
        name += "." + ext;
      }
    }
    auto file_name = files::CleanFileName(name);
    if (!file_name.ok()) {
      Reject(report, line, columns.name ? header.names[*columns.name] : "Name",
             file_name.error().message());
      continue;
    }
    const auto path = BytesOf(book, Cell(row, columns.body), id, columns.versions);
    bool too_large = false;
    const std::optional<std::string> bytes =
        path ? ReadWhole(*path, files::kMaxFileBytes, too_large) : std::nullopt;
    if (too_large) {
      ++tally.not_kept;  // over the largest file Rapport keeps: left out, counted
      tally.in_file.erase(key);
      continue;
    }
    if (!bytes) {
      Reject(report, line, columns.body ? header.names[*columns.body] : "Body",
             "the file's bytes are not in the export (" +
                 std::string(columns.versions ? "ContentVersion/" : "Attachments/") + id + ")");
      continue;
    }
    auto content_type = files::ContentTypeOf(*bytes, *file_name);
    if (bytes->size() > files::kMaxFileBytes || !content_type.ok()) {
      ++tally.not_kept;  // a program, an archive, or too large: left out, counted
      tally.in_file.erase(key);
      continue;
    }
    const std::string sha256 = files::Sha256Hex(*bytes);
    const auto size = static_cast<std::int64_t>(bytes->size());
    tally.bytes += size;
    RAPPORT_RETURN_IF_ERROR(
        context.tx.Execute("INSERT INTO file_contents (sha256, size_bytes, content) VALUES (?, "
                           "?, ?) ON CONFLICT (sha256) DO NOTHING",
                           {sha256, size, db::Blob{*bytes}}));
    if (auto e = existing.find(key); e != existing.end()) {
      if (e->second.values[0] == db::Value(sha256)) {
        ++report.unchanged;
      } else {
        RAPPORT_RETURN_IF_ERROR(context.tx.Execute(
            "UPDATE attachments SET sha256 = ?, size_bytes = ?, content_type = ?, file_name = ?, "
            "updated_at = ?, version = version + 1 WHERE id = ?",
            {sha256, size, *content_type, *file_name, context.actor.at, e->second.id}));
        ++report.updated;
      }
      continue;
    }
    const std::string description = Cut(Cell(row, columns.description), 1000);
    const std::optional<std::int64_t> by = OwnerOf(context, users, Cell(row, columns.owner));
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t attachment,
        audit::InsertAudited(
            context.tx, context.actor, "attachments",
            {{parent->first, parent->second},
             {"file_name", *file_name},
             {"content_type", *content_type},
             {"size_bytes", size},
             {"sha256", sha256},
             {"description", description.empty() ? db::Null() : db::Value(description)},
             {"uploaded_by", by ? db::Value(*by) : db::Null()},
             {"external_id", key}}));
    (void)attachment;
    ++report.created;
  }
  file.rows = records->rows();
  file.skipped = records->skipped();
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows written,
      context.tx.Query("SELECT external_id, size_bytes FROM attachments WHERE external_id IS NOT "
                       "NULL"));
  std::int64_t found = 0, bytes = 0;
  const std::size_t external_id = ColumnOf(written, "external_id"),
                    size_bytes = ColumnOf(written, "size_bytes");  // looked up once
  for (const db::Row& r : written) {
    if (!tally.in_file.count(r.Text(external_id))) continue;
    ++found;
    bytes += r.Int(size_bytes);
  }
  AddCheck(checks, file, "files", WithCommas(static_cast<std::int64_t>(tally.in_file.size())),
           WithCommas(found));
  AddCheck(checks, file, "bytes", WithCommas(tally.bytes), WithCommas(bytes));
  if (tally.elsewhere > 0) {
    AddCheck(checks, file, "files on records not in the book, left out",
             WithCommas(tally.elsewhere), WithCommas(tally.elsewhere));
  }
  if (tally.not_kept > 0) {
    AddCheck(checks, file, "files of a type Rapport does not keep or too large, left out",
             WithCommas(tally.not_kept), WithCommas(tally.not_kept));
  }
  return Ok();
}

}  // namespace rapport::moving
