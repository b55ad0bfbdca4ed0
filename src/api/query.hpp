// A request's query parameters, read by name in one place per handler:
//
//   api::Query q(request);
//   q.Id("owner_id", owner).Limit(limit, 200).OneOf("format", format, {"json", "csv"});
//   RAPPORT_RETURN_IF_ERROR(q.Finish());
//
// Each reader takes its parameter (the last one given, when it appears more than once) into
// `out` when it is there, and leaves `out` alone when it is not. A bad value is kept as the
// problem (the first one); Finish() returns it, else refuses a parameter no reader took.
// Not thread-safe: one per request.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.hpp"
#include "core/period.hpp"
#include "core/result.hpp"

namespace rapport::api {

class Query {
 public:
  explicit Query(const Request& request);

  // An id ("42").
  Query& Id(std::string_view name, std::int64_t& out);
  Query& Id(std::string_view name, std::optional<std::int64_t>& out);
  // "limit": a page size, 1 to `max`.
  Query& Limit(int& out, int max);
  // "cursor" of offset paging: the offset it stands for.
  Query& OffsetCursor(std::int64_t& out);
  // A day, "YYYY-MM-DD".
  Query& Date(std::string_view name, std::string& out);
  // A month, quarter or year: "2026-11", "2026-Q4", "2026".
  Query& Period(std::string_view name, rapport::Period& out);
  // One of `values` ("json", "csv", ...).
  Query& OneOf(std::string_view name, std::string& out,
               std::initializer_list<std::string_view> values);
  // Any text.
  Query& Text(std::string_view name, std::optional<std::string>& out);

  // The problem with the first bad value read; else a parameter no reader took; else Ok.
  Status Finish() const;

 private:
  // The value of `name` (the last given), marking every occurrence taken; nullptr when absent.
  const std::string* Take(std::string_view name);
  // Keeps `problem` when it is the first.
  void Note(Error problem);

  const Request& request_;
  std::vector<bool> taken_;
  std::optional<Error> problem_;
};

}  // namespace rapport::api
