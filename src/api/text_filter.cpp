#include "api/text_filter.hpp"

#include <algorithm>
#include <optional>

#include "db/dialect.hpp"

namespace rapport::api {
namespace {

// What a text matches, as the two queries of the index: the exact one (db::FullTextQuery) and
// the candidates' (db::CandidateFullTextQuery), which finds those and more at less cost.
struct TextQueries {
  std::string exact;
  std::string candidates;
};

// Some of a list's rows: its conditions and, for an index with a lead, one side of the key (the
// rows whose lead begins with it, or the others).
struct Part {
  std::string where;  // over alias t
  db::Params params;
  db::LeadPart side = db::LeadPart::kAll;
  std::string marker;  // db::LeadMarkerQuery of the key, for a side
};

// Ids as a JSON array, for db::IdIn.
std::string IdArray(const std::vector<std::int64_t>& ids) {
  std::string array = "[";
  for (std::int64_t id : ids) array += (array.size() > 1 ? "," : "") + std::to_string(id);
  return array + "]";
}

// Every match of the part read from the index and sorted (the index's cheaper query when it
// finds more, with each row then tested against the words as typed).
Result<db::Rows> ReadMatchesSorted(db::Transaction& tx, const TextFilteredList& list,
                                   const Part& part, const TextQueries& text) {
  const db::Backend backend = tx.backend();
  const std::string& table = list.index->table;
  std::string matches = "SELECT t.* FROM " + table + " t WHERE " + part.where + " AND " +
                        list.seek + " AND " +
                        db::FullTextCondition(backend, *list.index, "t", part.side);
  db::Params params = part.params;
  params.insert(params.end(), list.seek_params.begin(), list.seek_params.end());
  params.push_back(text.candidates);
  if (part.side != db::LeadPart::kAll) params.push_back(part.marker);
  if (text.candidates != text.exact) {
    matches += " AND " + db::FullTextRowTest(backend, *list.index, "t");
    params.push_back(text.exact);
  }
  // Planned apart: PostgreSQL would otherwise walk the order's index and test each row (it
  // expects the matches spread through the order, and the walk has just found they are not:
  // 'mer' at 1M accounts read 501,445 rows in name order in 1.7 s).
  return tx.Query("SELECT " + list.columns + " FROM " + db::PlannedApart(backend, matches) +
                      " t ORDER BY " + list.order + " LIMIT " + std::to_string(list.rows),
                  params);
}

// The first rows of a walk: `stretch` rows of the list's order from the page's start (and
// `from`, a condition the order's index serves), each tested against `where` and the text.
// `whole` when they are the part's first rows in order: the walk found a page, or read every
// row there is from the start.
struct Walked {
  db::Rows rows;
  bool whole = false;
};

Result<Walked> Walk(db::Transaction& tx, const TextFilteredList& list, const std::string& from,
                    const db::Params& from_params, const Part& part, const std::string& exact,
                    std::int64_t stretch) {
  const db::Backend backend = tx.backend();
  const db::FullTextIndex& index = *list.index;
  // A window of the list's order from the page's start, whose rows the LIMIT over it takes in
  // that order (both engines; the API tests compare every order with the index's answer), so
  // the walk stops at the page's last match.
  const std::string window = " FROM " + index.table + " t WHERE " + from + " AND " + list.seek +
                             " ORDER BY " + list.order + " LIMIT " + std::to_string(stretch);
  const std::string walk =
      "SELECT " + list.columns + " FROM " + index.table +
      " t WHERE t.id IN (SELECT t.id FROM (SELECT t.*" + window + ") t WHERE " + part.where +
      " AND " + db::FullTextRowTest(backend, index, "t") + db::InOrderOf(backend, list.order) +
      " LIMIT " + std::to_string(list.rows) + ") ORDER BY " + list.order;
  db::Params window_params = from_params;
  window_params.insert(window_params.end(), list.seek_params.begin(), list.seek_params.end());
  db::Params params = window_params;
  params.insert(params.end(), part.params.begin(), part.params.end());
  params.push_back(exact);
  Walked walked;
  RAPPORT_ASSIGN_OR_RETURN(walked.rows, tx.Query(walk, params));
  if (walked.rows.size() >= static_cast<size_t>(list.rows)) {
    walked.whole = true;
    return walked;
  }
  // A short page is the whole answer when the walk read every row from the page's start.
  RAPPORT_ASSIGN_OR_RETURN(
      const std::int64_t read,
      tx.QueryInt("SELECT count(*) FROM (SELECT t.id" + window + ") w", window_params));
  walked.whole = read < stretch;
  return walked;
}

// As far as a page would be if `matches` were spread evenly through the order, four times over
// (they cluster: names that begin with the word typed sit together), within bounds.
Result<std::int64_t> Stretch(db::Transaction& tx, const TextFilteredList& list,
                             std::int64_t matches) {
  RAPPORT_ASSIGN_OR_RETURN(const std::int64_t rows_there,
                           tx.QueryInt("SELECT coalesce(max(id), 0) FROM " + list.index->table));
  return std::clamp<std::int64_t>(4 * list.rows * rows_there / std::max<std::int64_t>(matches, 1),
                                  kTextWalk, kLongestTextWalk);
}

// What is known of a part's matches before it is read: on SQLite the ids of all of them when they
// are fewer than kFewMatches (one read of the search index both counts and finds them); else
// about how many there are.
struct Sighting {
  std::optional<std::string> ids;  // a JSON array (db::IdIn)
  std::int64_t matches = 0;
};

Result<Sighting> Sight(db::Transaction& tx, const TextFilteredList& list, const Part& part,
                       const TextQueries& text, std::string_view user_text, std::string_view key) {
  const db::FullTextIndex& index = *list.index;
  Sighting sighting{.matches = kFewMatches};
  if (tx.backend() == db::Backend::kSqlite) {
    RAPPORT_ASSIGN_OR_RETURN(
        db::MatchIds found,
        db::SqliteMatchIds(tx, index, text.candidates, kFewMatches, part.side, part.marker));
    if (found.count < kFewMatches) {
      sighting.matches = found.count;
      sighting.ids = std::move(found.ids);
    }
    return sighting;
  }
  if (part.side == db::LeadPart::kRest) {
    RAPPORT_ASSIGN_OR_RETURN(sighting.matches,
                             db::EstimateRestMatches(tx, index, user_text, key, kFewMatches));
  } else {
    RAPPORT_ASSIGN_OR_RETURN(sighting.matches,
                             db::EstimateFullTextMatches(tx, index, user_text, kFewMatches));
  }
  return sighting;
}

// SQLite: the part's first rows among `ids` (the candidates' ids, a JSON array), each tested
// against the words as typed.
Result<db::Rows> ReadAmong(db::Transaction& tx, const TextFilteredList& list, const Part& part,
                           const TextQueries& text, const std::string& ids) {
  if (ids == "[]") return db::Rows();
  const std::string& table = list.index->table;
  const std::string among = " FROM " + table + " t WHERE " + db::IdIn(tx.backend(), "t.id") +
                            " AND " + part.where + " AND " + list.seek + " ORDER BY " + list.order;
  db::Params params = {ids};
  params.insert(params.end(), part.params.begin(), part.params.end());
  params.insert(params.end(), list.seek_params.begin(), list.seek_params.end());
  const std::string page = " LIMIT " + std::to_string(list.rows);
  if (text.candidates == text.exact) {
    return tx.Query("SELECT " + list.columns + among + page, params);
  }
  // Sorted first, then tested in order until the page is full: the test costs more than the
  // sort ("royal infirm" at 1M accounts, 3,583 candidates: tested, then sorted, 20 ms; sorted,
  // then 51 tested, 5 ms). The candidates' order is the subquery's: SQLite reads it as a
  // co-routine (its LIMIT keeps it from being merged into the join, which would drop its ORDER
  // BY), and CROSS JOIN keeps it the outer loop.
  params.push_back(text.exact);
  return tx.Query("SELECT " + list.columns + " FROM " + table +
                      " t WHERE t.id IN (SELECT t.id FROM (SELECT t.id" + among +
                      " LIMIT -1) s CROSS JOIN " + table + " t ON t.id = s.id WHERE " +
                      db::FullTextRowTest(tx.backend(), *list.index, "t") + page + ") ORDER BY " +
                      list.order,
                  params);
}

// The part's first rows: walked when they are many, else (or when the walk found too few) read
// and sorted.
Result<db::Rows> ReadPart(db::Transaction& tx, const TextFilteredList& list, const Part& part,
                          const TextQueries& text, const Sighting& sighting) {
  if (sighting.ids) return ReadAmong(tx, list, part, text, *sighting.ids);
  if (sighting.matches < kFewMatches) return ReadMatchesSorted(tx, list, part, text);
  RAPPORT_ASSIGN_OR_RETURN(const std::int64_t stretch, Stretch(tx, list, sighting.matches));
  RAPPORT_ASSIGN_OR_RETURN(Walked walked, Walk(tx, list, "1 = 1", {}, part, text.exact, stretch));
  if (walked.whole) return std::move(walked.rows);
  return ReadMatchesSorted(tx, list, part, text);
}

// The first word typed, as the index folds it, when the list is in the order of its index's lead
// and the word has at least two characters, all ASCII letters or digits (the lead index's keys
// are folded only so). Its first db::kLeadKeyCharacters are the lead's key.
std::optional<std::string> LeadWord(db::Backend backend, const TextFilteredList& list,
                                    std::string_view text) {
  const db::FullTextIndex& index = *list.index;
  if (index.lead.empty()) return std::nullopt;
  const std::string lead = "t." + index.lead;
  if (list.order != lead + ", t.id" && list.order != lead + " DESC, t.id DESC") {
    return std::nullopt;
  }
  std::string first = db::FirstQueryWord(backend, text);
  if (first.size() < 2) return std::nullopt;
  for (char c : first) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return std::nullopt;
  }
  return first;
}

// The lead index's keys that begin with `key` (itself when it is whole), in order; nullopt when
// there are more than `most`.
Result<std::optional<std::vector<std::string>>> KeysFrom(db::Transaction& tx,
                                                         const TextFilteredList& list,
                                                         const std::string& key, int most) {
  if (key.size() == static_cast<size_t>(db::kLeadKeyCharacters)) {
    return std::optional<std::vector<std::string>>(std::vector<std::string>{key});
  }
  const std::string expression = db::LeadKeySql(tx.backend(), *list.index, "t");
  std::string end = key;
  ++end.back();  // ASCII: the first key after all that begin with `key`
  const std::string next = "SELECT min(" + expression + ") FROM " + list.index->table +
                           " t WHERE " + expression + " >= ? AND " + expression + " < ?";
  std::vector<std::string> keys;
  std::string after = key;
  // One seek of the index per key: each is the least key after the last.
  for (;;) {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(next, {after, end}));
    if (rows.empty() || rows.at(0).IsNull(0)) break;
    if (static_cast<int>(keys.size()) == most) return std::optional<std::vector<std::string>>();
    keys.push_back(rows.at(0).Text(0));
    after = keys.back() + '\x01';  // the least text after it (no text holds a NUL)
  }
  return std::optional<std::vector<std::string>>(std::move(keys));
}

// More keys than this after a two-character word and its rows are read the one way.
constexpr int kMostLeadKeys = 48;

// The page of a list in the order of its index's lead, for a text whose first word is `word`
// (LeadWord), whose first characters are the lead's key:
// the matches whose lead begins with the key sit together in that order (the names that begin
// with "Mer"), where a walk from the page's start cannot reach them and reading them all costs
// what all of them cost. So the page is the first rows of two parts: those, read from the lead
// index in order (one run per key), each tested against the text; and the other matches, which
// the search index finds without them (its marker words), walked or read and sorted as any list.
// nullopt when the key has too many runs.
Result<std::optional<db::Rows>> ReadLedPage(db::Transaction& tx, const TextFilteredList& list,
                                            const TextQueries& text, std::string_view user_text,
                                            const std::string& word) {
  const db::Backend backend = tx.backend();
  const db::FullTextIndex& index = *list.index;
  const std::string key = word.substr(0, db::kLeadKeyCharacters);
  RAPPORT_ASSIGN_OR_RETURN(auto keys, KeysFrom(tx, list, key, kMostLeadKeys));
  if (!keys) return std::optional<db::Rows>();
  const std::string marker = db::LeadMarkerQuery(backend, key);
  const std::string begins =
      db::LeadKeySql(backend, index, "t", static_cast<int>(key.size())) + " = ?";
  std::vector<std::int64_t> ids;
  // The rows that begin with the key, one run of the lead index per key.
  const Part led{.where = list.where, .params = list.params};
  bool whole = true;
  for (const std::string& run : *keys) {
    RAPPORT_ASSIGN_OR_RETURN(
        Walked walked, Walk(tx, list, db::LeadKeySql(backend, index, "t") + " = ?", {run}, led,
                            text.exact, kTextWalk));
    if (!walked.whole) {
      whole = false;
      break;
    }
    for (const db::Row& row : walked.rows) ids.push_back(row.Int(0));
  }
  if (!whole) {
    // Few of them match: the matches among them, from the search index.
    ids.clear();
    Part matched{.where = list.where + " AND " + begins,
                 .params = list.params,
                 .side = db::LeadPart::kLed,
                 .marker = marker};
    matched.params.push_back(key);
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, ReadMatchesSorted(tx, list, matched, text));
    for (const db::Row& row : rows) ids.push_back(row.Int(0));
  }
  // The other matches.
  Part rest{.where = list.where + " AND NOT (" + begins + ")",
            .params = list.params,
            .side = db::LeadPart::kRest,
            .marker = marker};
  rest.params.push_back(key);
  // PostgreSQL's GIN index reads every entry of each word of a query: the other matches are
  // those of the first word typed less the marker's, each then tested against all the words
  // ("St. M" at 1M accounts: "m" begins a word of every postcode, 70 ms against 17).
  TextQueries rest_text = text;
  if (backend == db::Backend::kPostgres) {
    rest_text.candidates = db::FullTextQuery(backend, word);
  }
  RAPPORT_ASSIGN_OR_RETURN(const Sighting others, Sight(tx, list, rest, rest_text, user_text, key));
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, ReadPart(tx, list, rest, rest_text, others));
  for (const db::Row& row : rows) ids.push_back(row.Int(0));
  if (ids.empty()) return std::optional<db::Rows>(db::Rows());
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows page, tx.Query("SELECT " + list.columns + " FROM " + index.table + " t WHERE " +
                                  db::IdIn(backend, "t.id") + " ORDER BY " + list.order +
                                  " LIMIT " + std::to_string(list.rows),
                              {IdArray(ids)}));
  return std::optional<db::Rows>(std::move(page));
}

}  // namespace

Result<db::Rows> ReadTextFilteredPage(db::Transaction& tx, const TextFilteredList& list,
                                      std::string_view text) {
  const db::Backend backend = tx.backend();
  TextQueries queries{.exact = db::FullTextQuery(backend, text)};
  const Part all{.where = list.where, .params = list.params};
  // A text that most rows match fills the page from the first rows of the order.
  RAPPORT_ASSIGN_OR_RETURN(Walked first,
                           Walk(tx, list, "1 = 1", {}, all, queries.exact, kFirstWalk * list.rows));
  if (first.whole) return std::move(first.rows);
  // Only now: on PostgreSQL the candidates' query asks the planner about each word.
  RAPPORT_ASSIGN_OR_RETURN(queries.candidates, db::CandidateFullTextQuery(tx, *list.index, text));
  RAPPORT_ASSIGN_OR_RETURN(const Sighting sighting, Sight(tx, list, all, queries, text, ""));
  if (sighting.matches >= kFewMatches) {
    if (const auto word = LeadWord(backend, list, text)) {
      RAPPORT_ASSIGN_OR_RETURN(auto page, ReadLedPage(tx, list, queries, text, *word));
      if (page) return std::move(*page);
    }
  }
  return ReadPart(tx, list, all, queries, sighting);
}

}  // namespace rapport::api
