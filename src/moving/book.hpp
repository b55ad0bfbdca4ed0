// Moving in: a whole book exported from Salesforce or HubSpot, imported from its folder in one run
// (`rapport import --from salesforce --dir DIR`).
//
// The folder holds the files as those systems write them: Salesforce's Data Export or Data
// Loader extracts by object (User.csv, Account.csv, Contact.csv, Opportunity.csv, Task.csv,
// Event.csv, Product2.csv, OpportunityLineItem.csv, OpportunityContactRole.csv), HubSpot's
// exports (companies, contacts, deals, products, line items, and users when exported from its
// settings). Each source has a profile: which file holds what, which columns mean something else
// there (a Salesforce OwnerId is a user's id, resolved through User.csv; HubSpot's deal
// probability runs from 0 to 1), and which rows are not records any more (Salesforce's deleted
// and merged rows, skipped).
//
// The run, in one transaction: the files are surveyed first (rows, owners, references, money);
// owners are matched to users by email, then by name, and those left unmatched are reported (or,
// when asked, created as users who cannot sign in until invited); the files are imported in
// the order their references need (accounts, contacts, opportunities, contact roles, products,
// line items, activities), each file of records with its own imports row; then the result is
// checked against the files (every record there, each reference as the file gives it, the money
// totals by currency). One rejected row or failed check and nothing is written; a dry run does it
// all and rolls back. A second run finds every record by its external id and changes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "db/database.hpp"
#include "imports/importer.hpp"
#include "imports/record_types.hpp"

namespace rapport::moving {

using imports::ImportReport;
using imports::RecordType;
using imports::Source;

struct BookOptions {
  Source source = Source::kSalesforce;  // salesforce or hubspot
  std::string directory;
  bool dry_run = false;
  bool create_users = false;  // owners no user matches become users (no password, no sign-in)
  // Columns no field takes that are the source's own fields (Salesforce's __c; HubSpot's
  // properties but its system ones) become custom fields, typed by their cells, and are imported.
  bool keep_columns = false;
  audit::Actor actor;
  const Clock* clock = nullptr;
  // Called as each file is read: its name, rows and bytes so far, and its size.
  std::function<void(const std::string& file, std::int64_t rows, std::uint64_t bytes,
                     std::uint64_t size)>
      progress;
  // Asked as often as progress; true stops the run, which then writes nothing.
  std::function<bool()> cancelled;
};

// What a file of the book holds.
enum class Part {
  kUsers,         // the source's users: owners' ids, emails and names (not imported)
  kRecords,       // records of `type`, imported as `rapport import --type` does
  kProducts,      // the catalogue the line items name (made products when not known by SKU)
  kContactRoles,  // who plays which part in a deal (HubSpot: its deals' associated contacts)
  kLineItems,     // the products on each deal
  kOpenTasks,     // tasks not yet done (Salesforce's Task.csv, HubSpot's tasks): Rapport's tasks
  kActivityContacts,  // the contacts each activity was with (WhoId, Associated Contact IDs)
  kCases,             // service cases (Salesforce's Case, HubSpot's tickets)
  kCaseComments,      // the comments on each case (Salesforce's CaseComment): its thread
  kFiles,             // files on records (Salesforce's Attachment and ContentVersion)
};

// One file of the book.
struct BookFile {
  std::string name;  // as in the folder
  std::string path;
  Part part = Part::kRecords;
  RecordType type = RecordType::kAccounts;  // of kRecords
  std::int64_t rows = 0;                    // records in the file (header not counted)
  std::int64_t skipped = 0;                 // deleted or merged in the source: not imported
  std::int64_t set_aside = 0;  // rows another part takes (a task not done yet is a task)
  double seconds = 0;          // how long its import took
  std::string today;           // the run's day (YYYY-MM-DD): a meeting after it is planned
  ImportReport report;         // its import (none for the users file); `columns` says which
                               // column gave what for every part
};

// An owner as the files name them, and the user they became.
struct Owner {
  std::string key;           // as the files write it (an id, an email or a name)
  std::string email, name;   // from the users file, or the key itself
  std::string matched;       // "email", "name", "created" or "" (unmatched)
  std::int64_t user_id = 0;  // 0 when unmatched
  bool active = true;        // in the source system
  std::int64_t records = 0;  // rows naming them
};

// A comparison of what was written with what the files say.
struct BookCheck {
  std::string file;
  std::string what;  // "records", "account", "amount GBP"...
  std::string expected, found;
  bool ok = false;
};

// A custom field made of a column (BookOptions::keep_columns).
struct KeptField {
  std::string file, column, table, key, label, type;
};

struct BookReport {
  std::string status = "running";  // succeeded, rejected, failed
  std::string problem;             // why, when not succeeded
  bool dry_run = false;
  bool written = false;
  std::vector<BookFile> files;       // in the order imported
  std::vector<std::string> ignored;  // files of the folder not part of the book
  std::vector<Owner> owners;
  std::vector<BookCheck> checks;
  std::vector<KeptField> custom_fields;  // made of columns
};

// The book's files in `directory` for `source`, in import order (the users file first); an
// error naming `--dir` when it holds none.
Result<std::vector<BookFile>> FindBook(Source source, const std::string& directory,
                                       std::vector<std::string>* ignored = nullptr);

// Imports the book (see above). Never throws for bad input: the report says what happened.
BookReport ImportBook(db::Database& database, const BookOptions& options);

// The same for an export delivered as a zip (`bytes`): its files are written to a folder of
// their own under the system's temporary folder, imported, and removed.
BookReport ImportBookZip(db::Database& database, BookOptions options, const std::string& bytes);

// The report as JSON (for --json and the API).
std::string BookReportJson(const BookReport& report);

// What a part is called in reports ("users", "accounts", "line items"...).
std::string PartName(const BookFile& file);

}  // namespace rapport::moving
