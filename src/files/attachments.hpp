// Files attached to records: a signed success plan, a milestone's evidence, a contract, a case's
// screenshot, a trial report. An attachment hangs off one account, contact, opportunity, success
// plan, milestone, trial or case, is seen by whoever reaches that record, and goes when the record
// does. Its bytes are kept in the database (so one transaction, one backup and one erasure cover
// them), once per content under their SHA-256.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "api/resource.hpp"
#include "api/router.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace rapport::files {

// The largest file Rapport keeps.
constexpr std::size_t kMaxFileBytes = 20 * 1024 * 1024;

// The type of `bytes` judged by their content (PDF, PNG, JPEG, GIF, WebP, Office documents, plain
// text or CSV in UTF-8); `file_name`'s extension only tells apart formats that share a container
// (a .docx from an .xlsx). kInvalidArgument naming "file" for anything else (programs, scripts
// in binary form, archives of unknown content) or an empty file.
Result<std::string> ContentTypeOf(std::string_view bytes, std::string_view file_name);

// The name a file is kept and offered under: its last path component, trimmed; kInvalidArgument
// naming "file_name" when that is empty, over 255 bytes, not UTF-8 or holds control characters.
Result<std::string> CleanFileName(std::string_view name);

// The key a file's bytes are kept under: their SHA-256, in lower-case hex.
std::string Sha256Hex(std::string_view bytes);

// A record's erasure, in the caller's transaction: the files attached to the row `id` of the
// attachments' `column` ("contact_id"), and their bytes when no other file has the same content.
// Returns how many files went. REQUIRES: `column` comes from code.
Result<std::int64_t> EraseAttachments(db::Transaction& tx, std::string_view column,
                                      std::int64_t id);

// The attachment routes: list and upload under each record type, read, download and delete.
void RegisterAttachmentRoutes(api::Router& router, api::ApiContext& context);

}  // namespace rapport::files
