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
    std::string condition;
    if (!account_condition.empty()) {
      condition = i == 0 ? "EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.id AND " +
                               account_condition + ")"
                         : "EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND " +
                               account_condition + ")";
    }
    const std::string sql =
        db::FullTextSearchSql(tx.backend(), index, "t.id, " + index.title, condition);
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                             tx.Query(sql, {title_pattern, query, std::int64_t{limit}}));
    for (const auto& r : rows) hits.push_back(Hit{kinds[i], r.Int(0), r.Text(1), r.Real(2)});
  }
  return hits;
}

}  // namespace rapport::search
