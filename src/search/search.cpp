#include "search/search.hpp"

#include "db/dialect.hpp"
#include "db/migrations.hpp"

namespace rapport::search {

Result<std::vector<Hit>> Search(db::Transaction& tx, std::string_view text, int limit,
                                const std::string& account_condition) {
  std::vector<Hit> hits;
  const std::string query = db::FullTextQuery(tx.backend(), text);
  if (query.empty()) return hits;
  const std::string title_pattern = db::FullTextTitlePattern(text);
  // In the order of db::SearchIndexes().
  const char* const kinds[] = {"account", "contact", "opportunity"};
  for (size_t i = 0; i < std::size(kinds); ++i) {
    const db::FullTextIndex& index = db::SearchIndexes().at(i);
    // The index's cheaper query, each match then tested against the words as typed.
    RAPPORT_ASSIGN_OR_RETURN(const std::string candidates,
                             db::CandidateFullTextQuery(tx, index, text));
    std::string condition;
    db::Params params = {title_pattern, candidates};
    if (candidates != query) {
      condition = db::FullTextRowTest(tx.backend(), index, "t");
      params.push_back(query);
    }
    if (!account_condition.empty()) {
      condition += std::string(condition.empty() ? "" : " AND ") +
                   (i == 0 ? "EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.id AND " +
                                 account_condition + ")"
                           : "EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND " +
                                 account_condition + ")");
    }
    params.push_back(std::int64_t{limit});
    const std::string sql =
        db::FullTextSearchSql(tx.backend(), index, "t.id, " + index.title, condition);
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql, params));
    for (const auto& r : rows) hits.push_back(Hit{kinds[i], r.Int(0), r.Text(1), r.Real(2)});
  }
  return hits;
}

}  // namespace rapport::search
