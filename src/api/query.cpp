#include "api/query.hpp"

#include "api/resource.hpp"
#include "core/clock.hpp"

namespace rapport::api {

Query::Query(const Request& request) : request_(request), taken_(request.query.size(), false) {}

const std::string* Query::Take(std::string_view name) {
  const std::string* value = nullptr;
  for (std::size_t i = 0; i < request_.query.size(); ++i) {
    if (request_.query[i].first != name) continue;
    taken_[i] = true;
    value = &request_.query[i].second;
  }
  return value;
}

void Query::Note(Error problem) {
  if (!problem_) problem_ = std::move(problem);
}

Query& Query::Id(std::string_view name, std::int64_t& out) {
  std::optional<std::int64_t> id;
  Id(name, id);
  if (id) out = *id;
  return *this;
}

Query& Query::Id(std::string_view name, std::optional<std::int64_t>& out) {
  if (const std::string* value = Take(name)) {
    Result<std::int64_t> id = ParseId(*value, name);
    if (id.ok()) {
      out = *id;
    } else {
      Note(id.error());
    }
  }
  return *this;
}

Query& Query::Limit(int& out, int max) {
  if (const std::string* value = Take("limit")) {
    Result<int> limit = ParseLimit(*value, max);
    if (limit.ok()) {
      out = *limit;
    } else {
      Note(limit.error());
    }
  }
  return *this;
}

Query& Query::OffsetCursor(std::int64_t& out) {
  if (const std::string* value = Take("cursor")) {
    Result<std::int64_t> offset = ParseOffsetCursor(*value);
    if (offset.ok()) {
      out = *offset;
    } else {
      Note(offset.error());
    }
  }
  return *this;
}

Query& Query::Date(std::string_view name, std::string& out) {
  if (const std::string* value = Take(name)) {
    std::int64_t day = 0;
    if (ParseDate(*value, day)) {
      out = *value;
    } else {
      Note(Error::InvalidField(std::string(name), "must be YYYY-MM-DD"));
    }
  }
  return *this;
}

Query& Query::Period(std::string_view name, rapport::Period& out) {
  if (const std::string* value = Take(name)) {
    if (auto period = ParsePeriod(*value)) {
      out = *period;
    } else {
      Note(Error::InvalidField(std::string(name), "must be YYYY-MM, YYYY-Qn or YYYY"));
    }
  }
  return *this;
}

Query& Query::OneOf(std::string_view name, std::string& out,
                    std::initializer_list<std::string_view> values) {
  const std::string* value = Take(name);
  if (!value) return *this;
  for (std::string_view allowed : values) {
    if (*value == allowed) {
      out = *value;
      return *this;
    }
  }
  std::string list;
  std::size_t i = 0;
  for (std::string_view allowed : values) {
    if (i > 0) list += i + 1 == values.size() ? " or " : ", ";
    list += allowed;
    ++i;
  }
  Note(Error::InvalidField(std::string(name), "must be " + list));
  return *this;
}

Query& Query::Text(std::string_view name, std::optional<std::string>& out) {
  if (const std::string* value = Take(name)) out = *value;
  return *this;
}

Status Query::Finish() const {
  if (problem_) return *problem_;
  for (std::size_t i = 0; i < request_.query.size(); ++i) {
    if (!taken_[i]) return UnknownParameter(request_.query[i].first);
  }
  return Ok();
}

}  // namespace rapport::api
