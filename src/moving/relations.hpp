// The parts of a book that are not records of one file each: the product catalogue, who plays
// which part in each deal (contact roles), and the products on each deal (line items). Each reads
// its file through the source's profile, writes within the book's transaction, fills the file's
// report (created, updated, unchanged, and each rejected row by line and column, with the
// columns it read), and adds its checks of what was written against the file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.hpp"
#include "db/database.hpp"
#include "moving/book.hpp"

namespace rapport::moving {

struct RelationContext {
  db::Transaction& tx;
  const audit::Actor& actor;
  Source source;
  // Users as the book's files name them (a Salesforce user id), to users (book.cpp's owners).
  const std::unordered_map<std::string, std::int64_t>* user_keys = nullptr;
  // The source's product ids (Salesforce's Product2Id) to products, filled by ImportProducts.
  std::unordered_map<std::string, std::int64_t> products_by_source_id;
};

// Products by SKU (the source's product code, or its id when it has none): known ones are
// used as they are, others are made.
Status ImportProducts(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks);

// Each row a deal, a contact and their role (Salesforce's OpportunityContactRole; HubSpot's
// deals with their associated contacts, each as "other"). Roles map to the buying influences
// (Economic Buyer, Business User, Technical Buyer, Coach); the contact must work at the deal's
// account. A role already there is unchanged.
Status ImportContactRoles(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks);

// Each row a line of a deal (its product by SKU or source id, quantity, unit and list price,
// discount, and the total the source computed, which must come out the same). A deal's lines
// replace those it had, and its amount becomes their total.
Status ImportLineItems(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks);

// Salesforce's tasks not done yet (Task.csv): each a task of its owner, on its account and about
// its deal (WhatId), due on its ActivityDate, found again by its id (a second run updates what
// changed).
Status ImportOpenTasks(RelationContext& context, BookFile& file, std::vector<BookCheck>& checks);

// The owners an open-tasks part of `file` names, with how many tasks each: matched to users with
// the records' owners (an owner with only tasks to come is still one of the book's).
Result<std::map<std::string, std::int64_t>> OpenTaskOwners(const BookFile& file, Source source);

// Who was met: the contacts an activity file names for each activity (Salesforce's WhoId when it
// is a contact, HubSpot's Associated Contact IDs), linked to the activity as the timeline shows
// them, when they work at its account (a contact of another account is counted, not linked). A
// link already there is unchanged; none is removed.
Status ImportActivityContacts(RelationContext& context, BookFile& file,
                              std::vector<BookCheck>& checks);

}  // namespace rapport::moving
