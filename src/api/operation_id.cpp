#include "api/operation_id.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "core/validation.hpp"

namespace rapport::api {
namespace {

bool IsParam(std::string_view segment) { return segment.starts_with('{'); }

// "blue-sheet", "message_templates", "openapi.json" -> "BlueSheet", "MessageTemplates",
// "OpenapiJson".
std::string Camel(std::string_view segment) {
  std::string out;
  bool upper = true;
  for (char c : segment) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

bool Plural(std::string_view word) { return word.ends_with('s') && !word.ends_with("ss"); }

// The last word of a camel-cased name, singular: "Opportunities" -> "Opportunity",
// "CaseSlas" -> "CaseSla", "Settings" stays plural only where the caller does not ask.
std::string Singular(std::string word) {
  if (word.ends_with("ies")) return word.substr(0, word.size() - 3) + "y";
  if (Plural(word)) word.pop_back();
  return word;
}

}  // namespace

std::string OperationId(const Route& route, const std::vector<std::string>& patterns) {
  if (!route.doc.operation_id.empty()) return route.doc.operation_id;
  std::string_view path = route.pattern;
  for (std::string_view prefix : {"/api/v1/", "/"}) {
    if (path.starts_with(prefix)) {
      path.remove_prefix(prefix.size());
      break;
    }
  }
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
  }
  const std::string method = Lowercase(route.method);
  if (segments.empty()) return method + "Root";
  const std::string_view last = segments.back();
  const bool ends_in_param = IsParam(last);
  const bool after_param = segments.size() > 1 && IsParam(segments[segments.size() - 2]);

  // A report or an insight is one thing named by its second word: getForecastReport.
  if (segments.size() == 2 && !ends_in_param &&
      (segments[0] == "reports" || segments[0] == "insights")) {
    return method + Camel(last) + (segments[0] == "reports" ? "Report" : "Insight");
  }
  // The things named on the way, each singular where an id follows it: "AccountAttachments".
  auto noun_of = [&](std::size_t end) {
    std::string noun;
    for (std::size_t i = 0; i < end; ++i) {
      if (IsParam(segments[i])) continue;
      const bool one = i + 1 < segments.size() && IsParam(segments[i + 1]);
      noun += one ? Singular(Camel(segments[i])) : Camel(segments[i]);
    }
    return noun;
  };
  const std::string noun = noun_of(segments.size());
  const bool collection =
      !ends_in_param &&
      (std::any_of(patterns.begin(), patterns.end(),
                   [&](const std::string& p) { return p.starts_with(route.pattern + "/{"); }) ||
       (after_param && Plural(last)));

  if (method == "get") return (collection ? "list" : "get") + noun;
  if (method == "patch") return "update" + noun;
  if (method == "put") return "replace" + noun;
  if (method == "delete") return "delete" + noun;
  if (method == "post") {
    // A verb after what it acts on: POST /jobs/{name}/run -> runJob, POST /exchange-rates/import
    // -> importExchangeRates.
    if (!ends_in_param && !collection && segments.size() > 1) {
      std::string verb = Camel(last);
      verb[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(verb[0])));
      return verb + noun_of(segments.size() - 1);
    }
    return "create" + Singular(noun);
  }
  return method + noun;
}

}  // namespace rapport::api
