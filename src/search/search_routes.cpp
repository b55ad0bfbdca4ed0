#include "search/search_routes.hpp"

#include <algorithm>
#include <map>

#include "api/access.hpp"
#include "api/query.hpp"
#include "search/search.hpp"

namespace rapport::search {

namespace {

Result<api::Response> SearchRecords(api::ApiContext& ctx, const api::Request& r,
                                    const api::Caller& c) {
  std::optional<std::string> q;
  int limit = 10;
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Text("q", q).Limit(limit, 50).Finish());
  if (!q || q->empty()) return Error::InvalidField("q", "is required");
  if (q->size() > 200) return Error::InvalidField("q", "is longer than 200 characters");
  std::vector<Hit> hits;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        hits, Search(tx, *q, limit, c.all_accounts ? "" : api::AccountReachCondition(c, "a")));
    return Ok();
  }));
  // Ranks are comparable within a kind: interleave kinds by their position in each list,
  // accounts first at equal position.
  std::map<std::string, int> position;
  std::vector<std::pair<int, size_t>> order;
  for (size_t i = 0; i < hits.size(); ++i) order.emplace_back(position[hits[i].kind]++, i);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  api::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& [rank, i] : order) {
    w.StartObject()
        .Key("kind")
        .String(hits[i].kind)
        .Key("id")
        .String(api::FormatId(hits[i].id))
        .Key("title")
        .String(hits[i].title)
        .EndObject();
  }
  w.EndArray().EndObject();
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterSearchRoutes(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/search",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return SearchRecords(ctx, r, c); },
       {"Search accounts, contacts and opportunities (every word a prefix; names starting with the "
        "first word first, then shorter names)",
        "Search",
        {{"q", "string", "what to look for"},
         {"limit", "integer", "per kind, 1 to 50 (default 10)"}},
        "",
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"kind":{"type":"string","enum":["account","contact","opportunity"]},"id":{"type":"string"},"title":{"type":"string"}}}}}})",
        200,
        "searchRecords"}});
}

}  // namespace rapport::search
