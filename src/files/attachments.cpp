#include "files/attachments.hpp"

#include <sodium.h>

#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "api/access.hpp"
#include "api/json.hpp"
#include "audit/audit_log.hpp"
#include "core/validation.hpp"

namespace rapport::files {
namespace {

// A kind of record files attach to: where its routes sit and how an attachment names it.
struct RecordKind {
  std::string_view path;    // "success-plans": /api/v1/success-plans/{id}/attachments
  std::string_view table;   // "success_plans"
  std::string_view column;  // "success_plan_id", in attachments
  std::string_view noun;    // "success plan"
  std::string_view type;    // "success_plan", the record_type an attachment reports
  api::Scope scope;
};

constexpr std::array<RecordKind, 7> kRecordKinds = {{
    {"accounts", "accounts", "account_id", "account", "account", api::Scope::kAccount},
    {"contacts", "contacts", "contact_id", "contact", "contact", api::Scope::kViaAccount},
    {"opportunities", "opportunities", "opportunity_id", "opportunity", "opportunity",
     api::Scope::kViaAccount},
    {"success-plans", "success_plans", "success_plan_id", "success plan", "success_plan",
     api::Scope::kViaAccount},
    {"milestones", "milestones", "milestone_id", "milestone", "milestone", api::Scope::kViaAccount},
    {"trials", "trials", "trial_id", "trial", "trial", api::Scope::kViaAccount},
    {"cases", "cases", "case_id", "case", "case", api::Scope::kViaAccount},
}};

std::string_view ExtensionOf(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : file_name.substr(dot + 1);
}

bool ExtensionIs(std::string_view file_name, std::initializer_list<std::string_view> any) {
  const std::string extension = Lowercase(ExtensionOf(file_name));
  for (std::string_view one : any) {
    if (extension == one) return true;
  }
  return false;
}

// Text a person wrote: UTF-8 with no control characters but tab, line and page breaks.
bool IsPlainText(std::string_view bytes) {
  for (unsigned char c : bytes) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
    if (c == 0x7F) return false;
  }
  return IsUtf8(bytes);
}

const char* kAttachmentColumns =
    "f.id, f.account_id, f.contact_id, f.opportunity_id, f.success_plan_id, f.milestone_id, "
    "f.trial_id, f.case_id, f.file_name, f.content_type, f.size_bytes, f.sha256, f.description, "
    "f.uploaded_by, u.name AS uploaded_by_name, f.created_at";
const char* kAttachmentFrom = " FROM attachments f LEFT JOIN users u ON u.id = f.uploaded_by";

void WriteAttachment(api::JsonWriter& w, const db::Row& row) {
  w.StartObject().Key("id").String(api::FormatId(row.Int("id")));
  for (const RecordKind& kind : kRecordKinds) {
    if (row.IsNull(kind.column)) continue;
    w.Key("record_type").String(kind.type);
    w.Key("record_id").String(api::FormatId(row.Int(kind.column)));
  }
  w.Key("file_name").String(row.Text("file_name"));
  w.Key("content_type").String(row.Text("content_type"));
  w.Key("size_bytes").Int(row.Int("size_bytes"));
  w.Key("sha256").String(row.Text("sha256"));
  w.Key("description").OptString(row.OptText("description"));
  w.Key("uploaded_by").OptId(row.OptInt("uploaded_by"));
  w.Key("uploaded_by_name").OptString(row.OptText("uploaded_by_name"));
  w.Key("created_at").OptInstant(row.OptInt("created_at"));
  w.Key("download_url").String("/api/v1/attachments/" + api::FormatId(row.Int("id")) + "/content");
  w.EndObject();
}

Result<db::Row> LoadAttachment(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(std::string("SELECT ") + kAttachmentColumns + kAttachmentFrom + " WHERE f.id = ?",
                  {id}));
  if (!row) return Error(ErrorCode::kNotFound, "no attachment " + std::to_string(id));
  return std::move(*row);
}

// The record an attachment row hangs off: its kind and id.
std::pair<const RecordKind*, std::int64_t> RecordOf(const db::Row& row) {
  for (const RecordKind& kind : kRecordKinds) {
    if (!row.IsNull(kind.column)) return {&kind, row.Int(kind.column)};
  }
  return {nullptr, 0};
}

std::string SizeText(std::int64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < 1024 * 1024) return std::to_string((bytes + 512) / 1024) + " KB";
  const std::int64_t tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MB";
}

Status CheckRecordExists(db::Transaction& tx, const RecordKind& kind, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne("SELECT 1 FROM " + std::string(kind.table) + " WHERE id = ?", {id}));
  if (!row)
    return Error(ErrorCode::kNotFound, "no " + std::string(kind.noun) + " " + std::to_string(id));
  return Ok();
}

Result<api::Response> ListAttachments(api::ApiContext& ctx, const RecordKind& kind,
                                      const api::Request& r) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  for (const auto& [key, value] : r.query) return api::UnknownParameter(key);
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(CheckRecordExists(tx, kind, id));
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query(std::string("SELECT ") + kAttachmentColumns + kAttachmentFrom + " WHERE f." +
                     std::string(kind.column) + " = ? ORDER BY f.created_at DESC, f.id DESC",
                 {id}));
    w.StartObject().Key("items").StartArray();
    for (const db::Row& row : rows) WriteAttachment(w, row);
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> Upload(api::ApiContext& ctx, const RecordKind& kind, const api::Request& r,
                             const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t record_id, api::ParseId(r.PathParam("id"), "id"));
  std::optional<std::string> name, description;
  for (const auto& [key, value] : r.query) {
    if (key == "file_name") {
      name = value;
    } else if (key == "description") {
      description = value;
    } else {
      return api::UnknownParameter(key);
    }
  }
  if (!name)
    return Error::InvalidField("file_name", "is required: the file's name, e.g. contract.pdf");
  RAPPORT_ASSIGN_OR_RETURN(std::string file_name, CleanFileName(*name));
  if (description) {
    if (description->empty()) {
      description.reset();
    } else if (!IsUtf8(*description) || Utf8Characters(*description) > 1000) {
      return Error::InvalidField("description", "must be UTF-8 text of at most 1000 characters");
    }
  }
  if (r.body.size() > kMaxFileBytes) {
    return Error::InvalidField("file", "is larger than " + SizeText(kMaxFileBytes));
  }
  RAPPORT_ASSIGN_OR_RETURN(std::string content_type, ContentTypeOf(r.body, file_name));
  const std::string sha256 = Sha256Hex(r.body);
  const auto size = static_cast<std::int64_t>(r.body.size());
  const audit::Actor actor{c.user_id, ctx.clock.Now()};
  api::JsonWriter w;
  std::int64_t id = 0;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(CheckRecordExists(tx, kind, record_id));
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO file_contents (sha256, size_bytes, content) VALUES (?, ?, ?) "
                   "ON CONFLICT (sha256) DO NOTHING",
                   {sha256, size, db::Blob{r.body}}));
    RAPPORT_ASSIGN_OR_RETURN(id,
                             audit::InsertAudited(tx, actor, "attachments",
                                                  {{std::string(kind.column), record_id},
                                                   {"file_name", file_name},
                                                   {"content_type", content_type},
                                                   {"size_bytes", size},
                                                   {"sha256", sha256},
                                                   {"description", db::OptionalText(description)},
                                                   {"uploaded_by", c.user_id}}));
    RAPPORT_RETURN_IF_ERROR(audit::RecordFieldChange(tx, actor, kind.table, record_id,
                                                     "attachments", std::nullopt,
                                                     file_name + " (" + SizeText(size) + ")"));
    RAPPORT_ASSIGN_OR_RETURN(db::Row row, LoadAttachment(tx, id));
    WriteAttachment(w, row);
    return Ok();
  }));
  return api::Response::Created(w.Take(), "/api/v1/attachments/" + api::FormatId(id));
}

Result<api::Response> GetAttachment(api::ApiContext& ctx, const api::Request& r) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row row, LoadAttachment(tx, id));
    WriteAttachment(w, row);
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

Result<api::Response> Download(api::ApiContext& ctx, const api::Request& r) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  std::string file_name, content_type, sha256, content;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<db::Row> row,
        tx.QueryOne("SELECT file_name, content_type, sha256 FROM attachments WHERE id = ?", {id}));
    if (!row) return Error(ErrorCode::kNotFound, "no attachment " + std::to_string(id));
    file_name = row->Text("file_name");
    content_type = row->Text("content_type");
    sha256 = row->Text("sha256");
    // The bytes as they are (PostgreSQL would otherwise send them as hex text, twice as long).
    RAPPORT_ASSIGN_OR_RETURN(
        std::optional<std::string> bytes,
        tx.QueryBytes("SELECT content FROM file_contents WHERE sha256 = ?", {sha256}));
    if (!bytes)
      return Error(ErrorCode::kInternal, "attachment " + std::to_string(id) + " has no content");
    content = std::move(*bytes);
    return Ok();
  }));
  if (content_type.starts_with("text/")) content_type += "; charset=utf-8";
  api::Response response = api::Response::Download(std::move(content), content_type, file_name);
  response.WithHeader("ETag", "\"" + sha256 + "\"");
  response.WithHeader("Cache-Control", "private, no-cache");
  return response;
}

Result<api::Response> DeleteAttachment(api::ApiContext& ctx, const api::Request& r,
                                       const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  const audit::Actor actor{c.user_id, ctx.clock.Now()};
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Row row, LoadAttachment(tx, id));
    if (row.OptInt("uploaded_by") != c.user_id && !api::IsManager(c)) {
      return Error(ErrorCode::kPermissionDenied,
                   "only whoever attached a file, or a manager, may remove it");
    }
    const auto [kind, record_id] = RecordOf(row);
    RAPPORT_RETURN_IF_ERROR(tx.Execute("DELETE FROM attachments WHERE id = ?", {id}));
    RAPPORT_RETURN_IF_ERROR(audit::RecordAction(tx, actor, "attachments", id, "delete"));
    if (kind) {
      RAPPORT_RETURN_IF_ERROR(audit::RecordFieldChange(
          tx, actor, kind->table, record_id, "attachments", row.Text("file_name"), std::nullopt));
    }
    return Ok();
  }));
  return api::Response::NoContent();
}

constexpr const char* kAttachmentSchema =
    R"({"type":"object","properties":{"id":{"type":"string"},"record_type":{"type":"string","enum":["account","contact","opportunity","success_plan","milestone","trial","case"]},"record_id":{"type":"string"},"file_name":{"type":"string"},"content_type":{"type":"string"},"size_bytes":{"type":"integer"},"sha256":{"type":"string"},"description":{"type":["string","null"]},"uploaded_by":{"type":["string","null"]},"uploaded_by_name":{"type":["string","null"]},"created_at":{"type":["string","null"],"format":"date-time"},"download_url":{"type":"string"}},"required":["id","record_type","record_id","file_name","content_type","size_bytes","sha256","download_url"]})";

}  // namespace

Result<std::int64_t> EraseAttachments(db::Transaction& tx, std::string_view column,
                                      std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows erased,
      tx.Query("DELETE FROM attachments WHERE " + std::string(column) + " = ? RETURNING sha256",
               {id}));
  // The bytes go when no other file has the same content.
  for (const db::Row& f : erased) {
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "DELETE FROM file_contents WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM attachments a "
        "WHERE a.sha256 = file_contents.sha256)",
        {f.Text("sha256")}));
  }
  return static_cast<std::int64_t>(erased.size());
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

Result<std::string> ContentTypeOf(std::string_view bytes, std::string_view file_name) {
  if (bytes.empty()) return Error::InvalidField("file", "is empty");
  const auto starts = [&](std::string_view magic) { return bytes.starts_with(magic); };
  if (starts("%PDF-")) return std::string("application/pdf");
  if (starts("\x89PNG\r\n\x1a\n")) return std::string("image/png");
  if (starts("\xFF\xD8\xFF")) return std::string("image/jpeg");
  if (starts("GIF87a") || starts("GIF89a")) return std::string("image/gif");
  if (starts("RIFF") && bytes.size() >= 12 && bytes.substr(8, 4) == "WEBP") {
    return std::string("image/webp");
  }
  if (starts(std::string_view("PK\x03\x04", 4))) {
    // Office Open XML documents are ZIP archives; the name says which.
    if (ExtensionIs(file_name, {"docx"})) {
      return std::string("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    }
    if (ExtensionIs(file_name, {"xlsx"})) {
      return std::string("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    }
    if (ExtensionIs(file_name, {"pptx"})) {
      return std::string(
          "application/vnd.openxmlformats-officedocument.presentationml.presentation");
    }
    return Error::InvalidField("file",
                               "is a ZIP archive; attach documents (.docx, .xlsx, .pptx) "
                               "or their contents instead");
  }
  if (starts("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    // Office 97-2003 documents and Outlook messages share one container.
    if (ExtensionIs(file_name, {"doc"})) return std::string("application/msword");
    if (ExtensionIs(file_name, {"xls"})) return std::string("application/vnd.ms-excel");
    if (ExtensionIs(file_name, {"ppt"})) return std::string("application/vnd.ms-powerpoint");
    if (ExtensionIs(file_name, {"msg"})) return std::string("application/vnd.ms-outlook");
    return Error::InvalidField("file",
                               "is an Office 97-2003 file without a .doc, .xls, .ppt or "
                               ".msg name");
  }
  std::string_view text = bytes;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a byte order mark
  if (IsPlainText(text)) {
    if (ExtensionIs(file_name, {"csv"})) return std::string("text/csv");
    return std::string("text/plain");
  }
  return Error::InvalidField(
      "file",
      "is not a kind of file Rapport keeps: PDF, PNG, JPEG, GIF or WebP images, Word, "
      "Excel or PowerPoint documents, Outlook messages, or plain text in UTF-8");
}

Result<std::string> CleanFileName(std::string_view name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  while (!name.empty() && (name.front() == ' ' || name.front() == '.')) name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (name.empty()) return Error::InvalidField("file_name", "is empty");
  if (name.size() > 255) return Error::InvalidField("file_name", "is longer than 255 bytes");
  if (!IsUtf8(name)) return Error::InvalidField("file_name", "is not UTF-8");
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7F) {
      return Error::InvalidField("file_name", "holds a control character");
    }
  }
  return std::string(name);
}

void RegisterAttachmentRoutes(api::Router& router, api::ApiContext& ctx) {
  const std::string list_schema =
      std::string(R"({"type":"object","properties":{"items":{"type":"array","items":)") +
      kAttachmentSchema + "}}}";
  for (const RecordKind& kind : kRecordKinds) {
    const std::string pattern = "/api/v1/" + std::string(kind.path) + "/{id}/attachments";
    const std::string noun(kind.noun);
    router.Add(
        {"GET",
         pattern,
         api::Access::kSignedIn,
         api::Reach::Record(std::string(kind.table), noun, kind.scope),
         [&ctx, &kind](const api::Request& r, const api::Caller&) {
           return ListAttachments(ctx, kind, r);
         },
         {"The files attached to a " + noun + ", newest first", "Files", {}, "", list_schema}});
    api::Route upload{
        "POST",
        pattern,
        api::Access::kSignedIn,
        api::Reach::Record(std::string(kind.table), noun, kind.scope),
        [&ctx, &kind](const api::Request& r, const api::Caller& c) {
          return Upload(ctx, kind, r, c);
        },
        {"Attach a file to a " + noun +
             ": the body is the file's bytes (at most 20 MB); its type is judged by its "
             "content, not the Content-Type sent",
         "Files",
         {{"file_name", "string", "the file's name, e.g. signed-plan.pdf (required)"},
          {"description", "string", "what the file is, at most 1000 characters"}},
         "",
         kAttachmentSchema,
         201}};
    upload.body_type =
        "application/octet-stream, application/pdf, image/png, image/jpeg, image/gif, "
        "image/webp, text/plain, text/csv, application/msword, application/vnd.ms-excel, "
        "application/vnd.ms-powerpoint, application/vnd.ms-outlook, "
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document, "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, "
        "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    upload.body_limit = kMaxFileBytes;
    router.Add(std::move(upload));
  }
  const api::Reach attachment =
      api::Reach::Record("attachments_in_reach", "attachment", api::Scope::kViaAccount);
  router.Add({"GET",
              "/api/v1/attachments/{id}",
              api::Access::kSignedIn,
              attachment,
              [&ctx](const api::Request& r, const api::Caller&) { return GetAttachment(ctx, r); },
              {"One attached file's details", "Files", {}, "", kAttachmentSchema}});
  router.Add({"GET",
              "/api/v1/attachments/{id}/content",
              api::Access::kSignedIn,
              attachment,
              [&ctx](const api::Request& r, const api::Caller&) { return Download(ctx, r); },
              {"An attached file's bytes, as a download", "Files", {}, "", ""}});
  router.Add(
      {"DELETE",
       "/api/v1/attachments/{id}",
       api::Access::kSignedIn,
       attachment,
       [&ctx](const api::Request& r, const api::Caller& c) { return DeleteAttachment(ctx, r, c); },
       {"Remove an attached file (whoever attached it, or a manager)", "Files", {}, "", "", 204}});
}

}  // namespace rapport::files
