// A list's page filtered by text (`q`), at the cost of the page rather than of every match.
//
// Two ways to the same rows: walk the list's order (its index) and test each row against the
// text, which costs about (rows in order) / (share that matches) rows; or read every match from
// the full-text index and sort them, which costs what the matches cost. A prefix that matches a
// third of a million accounts ("nor", through their region) is found in the first 150 rows of a
// walk, and a rare one ("fairh") in 200 matches. ReadTextFilteredPage chooses by an estimate of
// the matches (db::EstimateFullTextMatches), walks as far as a page would need if they were spread
// evenly (four times over, within bounds), and reads and sorts the matches when the walk finds
// less than a page: names that begin with the word typed sit together in name order. The walk
// reads kTextWalk rows of the order from `seek` and tests the list's conditions on each too, so a
// condition the order's index cannot serve (a rep's reach) never makes it read further.
//
// A list in the order of the index's lead (accounts by name) finds the matches that begin with
// the first word typed ("Mer": 24,800 names together at 1M accounts, where a walk from "A" cannot
// reach them) through the lead's own index, one run per key, and the other matches apart
// (ReadLedPage in the .cpp).
#pragma once

#include <string>
#include <string_view>

#include "db/database.hpp"
#include "db/migrations.hpp"

namespace rapport::api {

// Before anything else, a walk of this many pages' rows: a text that most rows match ("nor":
// every account, through its region) fills the page there, at about the cost of the plain list.
inline constexpr int kFirstWalk = 4;
// Fewer matches (db::EstimateFullTextMatches) than this are read and sorted without a walk.
inline constexpr int kFewMatches = 4000;
// A walk tests between these many rows (as many as a page would need if the matches were spread
// evenly, four times over) before the matches are read and sorted instead. At least 10,000: a
// word common in names sits in blocks ("Abbey Community Hospital" 3,000 rows into a million
// accounts by name, where an even spread would put the first of 254,000 matches at row 4); a walk
// that finds nothing costs about 10 ms.
inline constexpr int kTextWalk = 10000;
inline constexpr int kLongestTextWalk = 20000;

struct TextFilteredList {
  const db::FullTextIndex* index = nullptr;  // the list's table's search index
  std::string columns;                       // the SELECT list, over alias t, t.id first
  std::string where;                         // the list's other conditions, over alias t
  db::Params params;                         // where's parameters
  std::string seek;                          // where the page starts (a cursor), over alias t
  db::Params seek_params;                    // seek's parameters
  std::string order;                         // ORDER BY, over alias t, ending in t.id
  int rows = 0;                              // the page's rows (its limit and one more)
};

// The first `list.rows` rows (in `list.order`) of those that meet `list.where` and match `text`
// as db::FullTextCondition would. `text` has a word to search for.
Result<db::Rows> ReadTextFilteredPage(db::Transaction& tx, const TextFilteredList& list,
                                      std::string_view text);

}  // namespace rapport::api
