// What the parts of a book that are not plain records (relations.hpp, cases.hpp) share: a file
// opened through its source's profile with its header, cells, rejections and checks noted in the
// file's report, the book's records by their external ids, and owners matched to users.
// Stateless functions; the structs are values, not shared between threads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "db/database.hpp"
#include "moving/relations.hpp"
#include "moving/source_files.hpp"

namespace rapport::moving {

// The file's header, read through its profile, and a way to find its columns.
struct Header {
  std::vector<std::string> names;
  // The first column named any of `keys` (normalised), noted in the report as giving `field`.
  std::optional<std::size_t> Find(std::initializer_list<std::string_view> keys,
                                  std::string_view field, imports::ImportReport& report) const;
};

// Opens `file` and reads its header; the rows follow from the result.
Result<std::unique_ptr<ProfiledRecords>> OpenWithHeader(const BookFile& file, Source source,
                                                        Header& header);

// The row's cell at `i`, trimmed ("" when there is no such column or cell).
std::string Cell(const std::vector<std::string>& row, std::optional<std::size_t> i);

// The keys a cell lists, "8001;8002" as HubSpot writes several associated records, without
// empty ones.
std::vector<std::string> ListedKeys(std::string_view cell);

// Notes a rejected row in the report (the first imports::kRejectionsKept are kept).
void Reject(imports::ImportReport& report, std::int64_t line, const std::string& column,
            std::string problem);

// Adds a check of what was written (`found`) against the file (`expected`).
void AddCheck(std::vector<BookCheck>& checks, const BookFile& file, std::string what,
              std::string expected, std::string found);

// Where `column` sits in `rows`, the result of one query: for a loop over the many rows of a
// book, looked up once rather than once a row. 0 when there are no rows to read.
std::size_t ColumnOf(const db::Rows& rows, std::string_view column);

// A record of the book by its external id: its id and account (and a deal's currency).
struct Known {
  std::int64_t id = 0;
  std::int64_t account_id = 0;
  std::string currency;
};

// Every record of `table` (accounts, contacts, opportunities, activities, cases) that has an
// external id. REQUIRES: `table` comes from code.
Result<std::unordered_map<std::string, Known>> KnownByExternalId(db::Transaction& tx,
                                                                 const std::string& table);

// A cell as a rejection quotes it.
std::string Quoted(std::string_view text);

// The users here, by lowercase email and by lowercase name (of those who have not left; -1 when
// two or more share it).
struct BookUsers {
  std::unordered_map<std::string, std::int64_t> by_email, by_name;
};
Result<BookUsers> LoadBookUsers(db::Transaction& tx);

// The user a file names as owner: by the book's key for them (a Salesforce user id), else by
// email, else by name (HubSpot names owners by name; one only in open tasks or cases is not
// among the book's keys).
std::optional<std::int64_t> OwnerOf(const RelationContext& context, const BookUsers& users,
                                    const std::string& owner_key);

}  // namespace rapport::moving
