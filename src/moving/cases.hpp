// Service cases moved in: Salesforce's Case.csv (with CaseComment.csv, each comment a message in
// the case's thread) and HubSpot's tickets export. Each case is found again by its source id, so
// a second run updates what changed and adds nothing.
//
// A case is placed as Rapport keeps cases: at an account (the file's, else its contact's; a case
// with neither is left out and counted), owned by a user (a Salesforce queue's case, or one with
// no owner, by the account's owner), of a kind, priority and status read from the source's
// picklists (see CaseKindOf and friends), due by the service level of its kind and priority
// counted from when it was opened. Open cases already past their service level are escalated by
// the scheduler's next run, as any other. Not thread-safe: runs in the book's transaction.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "moving/relations.hpp"

namespace rapport::moving {

// Each row a case (see above). A row naming an account or a contact the book does not hold, an
// owner no user matches, or a text over its limit, is rejected by line and column.
Status ImportCases(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks);

// Salesforce's CaseComment.csv: each comment a message in its case's thread, public ones
// (IsPublished) as sent to the customer, the others internal notes; its author matched as
// owners are (none when no user matches), dated when it was written.
Status ImportCaseComments(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks);

// The owners a cases file names (queues left out: their cases go to the account's owner), with
// how many cases each, matched to users with the records' owners.
Result<std::map<std::string, std::int64_t>> CaseOwners(const BookFile& file, Source source);

// Rapport's kind of case for the source's type (Salesforce's Type, HubSpot's Category), else its
// reason: billing_query, complaint, return, order, technical (a fault of a device: mechanical,
// electrical, breakdown, installation, a product issue...), or other.
std::string CaseKindOf(std::string_view type, std::string_view reason);
// Rapport's status for the source's: closed when the source says so (IsClosed, or a status that
// closes), resolved, waiting_on_customer (waiting, on hold, pending), else open.
std::string CaseStatusOf(std::string_view status, bool closed);
// low, normal (medium, or none given), high, urgent (critical, highest, P1); another word is
// normal.
std::string CasePriorityOf(std::string_view priority);

}  // namespace rapport::moving
