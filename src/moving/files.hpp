// Files moved in with a Salesforce export: its Attachment.csv (each attachment's bytes in the
// export's Attachments folder, named by its id) and ContentVersion.csv (Salesforce Files: the
// latest version of each, its bytes in the ContentVersion folder), attached to the record of the
// book each was on (an account, contact, opportunity or case), found again by its id so that a
// second run changes nothing. A file on a record the book does not hold (a lead, an email), of a
// type Rapport does not keep (a program, an archive) or over files::kMaxFileBytes is left out and
// counted. Not thread-safe: runs in the book's transaction.
#pragma once

#include <vector>

#include "moving/relations.hpp"

namespace rapport::moving {

// The folders of an export that hold its files' bytes ("Attachments", "ContentVersion"), which a
// zip's extraction keeps (lower case: compare with the zip's folder names folded).
bool IsFilesFolder(std::string_view folder);

Status ImportFiles(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks);

}  // namespace rapport::moving
