#include "api/router.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <exception>
#include <stdexcept>

#include "api/access.hpp"
#include "api/problem.hpp"

namespace rapport::api {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    out.push_back(path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool Match(const std::vector<std::string>& p, const std::vector<std::string_view>& s,
           std::map<std::string, std::string, std::less<>>& params) {
  if (p.size() != s.size()) return false;
  std::map<std::string, std::string, std::less<>> found;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].size() > 2 && p[i].front() == '{' && p[i].back() == '}') {
      if (s[i].empty()) return false;
      found.emplace(p[i].substr(1, p[i].size() - 2), std::string(s[i]));
    } else if (p[i] != s[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

// "only admins may run a job now": the route's summary, as a sentence's end.
std::string RefusalOf(const Route& route) {
  std::string what = route.doc.summary.empty() ? "do this" : route.doc.summary;
  if (what.size() > 1 && std::isupper(static_cast<unsigned char>(what[0])) &&
      !std::isupper(static_cast<unsigned char>(what[1]))) {
    what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  }
  return std::string("only ") + (route.access == Access::kAdmins ? "admins" : "managers") +
         " may " + what;
}

bool WritesBody(const std::string& method) {
  return method == "POST" || method == "PATCH" || method == "PUT";
}

}  // namespace

Reach Reach::None(std::string why) {
  Reach r;
  r.kind = Kind::kNone;
  r.rule = std::move(why);
  return r;
}

Reach Reach::Record(std::string table, std::string noun, Scope scope, std::string param) {
  Reach r;
  r.kind = Kind::kRecord;
  r.table = std::move(table);
  r.noun = std::move(noun);
  r.scope = scope;
  r.param = std::move(param);
  return r;
}

Reach Reach::Filtered() {
  Reach r;
  r.kind = Kind::kFiltered;
  return r;
}

Reach Reach::OwnRule(std::string rule) {
  Reach r;
  r.kind = Kind::kOwnRule;
  r.rule = std::move(rule);
  return r;
}

std::string_view Reach::KindName() const {
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kRecord:
      return "record";
    case Kind::kFiltered:
      return "filtered";
    case Kind::kOwnRule:
      return "own-rule";
    case Kind::kUndeclared:
      break;
  }
  return "undeclared";
}

bool RoleMayCall(Access access, const Caller& caller) {
  switch (access) {
    case Access::kPublic:
    case Access::kSignedIn:
      return true;
    case Access::kManagers:
      return IsManager(caller);
    case Access::kAdmins:
      return IsAdmin(caller);
    case Access::kUndeclared:
      break;
  }
  return false;
}

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kPublic:
      return "public";
    case Access::kSignedIn:
      return "signed-in";
    case Access::kManagers:
      return "managers";
    case Access::kAdmins:
      return "admins";
    case Access::kUndeclared:
      break;
  }
  return "undeclared";
}

void Router::Add(Route route) {
  const std::string name = route.method + " " + route.pattern;
  if (route.access == Access::kUndeclared) {
    throw std::logic_error(name + " does not say who may call it");
  }
  if (route.reach.kind == Reach::Kind::kUndeclared) {
    throw std::logic_error(name + " does not say where it sits in the reach rules");
  }
  if (route.reach.kind == Reach::Kind::kRecord &&
      route.pattern.find("{" + route.reach.param + "}") == std::string::npos) {
    throw std::logic_error(name + " checks the reach of a record named by {" + route.reach.param +
                           "}, which its path lacks");
  }
  route.segments.clear();
  for (auto segment : Segments(route.pattern)) route.segments.emplace_back(segment);
  routes_.push_back(std::move(route));
}

std::vector<std::string_view> BodyTypes(std::string_view body_type) {
  std::vector<std::string_view> types;
  while (!body_type.empty()) {
    const auto comma = body_type.find(',');
    std::string_view one = body_type.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    if (!one.empty()) types.push_back(one);
    if (comma == std::string_view::npos) break;
    body_type.remove_prefix(comma + 1);
  }
  return types;
}

std::size_t Router::BodyLimit(std::string_view method, std::string_view path) const {
  const auto path_segments = Segments(path);
  for (const Route& route : routes_) {
    std::map<std::string, std::string, std::less<>> params;
    if (route.method == method && Match(route.segments, path_segments, params)) {
      return route.body_limit;
    }
  }
  return 0;
}

namespace {

// True when `content_type` is one of `accepted` ("text/csv, application/...").
bool Accepts(std::string_view accepted, std::string_view content_type) {
  for (std::string_view one : BodyTypes(accepted)) {
    if (content_type.starts_with(one)) return true;
  }
  return false;
}

}  // namespace

Response Router::Dispatch(Request& request, std::string& matched_pattern) const {
  try {
    const Route* found = nullptr;
    std::vector<std::string> allowed;
    const auto path_segments = Segments(request.path);
    for (const Route& route : routes_) {
      std::map<std::string, std::string, std::less<>> params;
      if (!Match(route.segments, path_segments, params)) continue;
      if (route.method == request.method || (request.method == "HEAD" && route.method == "GET")) {
        found = &route;
        request.path_params = std::move(params);
        break;
      }
      allowed.push_back(route.method);
    }
    if (!found) {
      if (!allowed.empty()) {
        std::string allow;
        for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
        matched_pattern = "(method not allowed)";
        return ProblemResponse(TransportProblem::kMethodNotAllowed,
                               request.method + " is not allowed here; use " + allow, request)
            .WithHeader("Allow", allow);
      }
      matched_pattern = "(no route)";
      return ProblemResponse(TransportProblem::kNoSuchRoute, "nothing lives at " + request.path,
                             request);
    }
    matched_pattern = found->pattern;
    static const auto kAnonymous = std::make_shared<const Caller>();
    std::shared_ptr<const Caller> caller = kAnonymous;
    if (found->access != Access::kPublic) {
      auto authenticated = authenticator_.Authenticate(request);
      if (!authenticated.ok()) return ProblemResponse(authenticated.error(), request);
      caller = std::move(authenticated).value();
      if (!RoleMayCall(found->access, *caller)) {
        return ProblemResponse(Error(ErrorCode::kPermissionDenied, RefusalOf(*found)), request);
      }
      if (found->reach.kind == Reach::Kind::kRecord && found->reach.scope != Scope::kReference) {
        auto id = ParseId(request.PathParam(found->reach.param), found->reach.param);
        if (!id.ok()) return ProblemResponse(id.error(), request);
        const Status reached = gate_.Check(*caller, found->reach, id.value());
        if (!reached.ok()) return ProblemResponse(reached.error(), request);
      }
    }
    // After the gate: someone who may not call the route learns nothing of what it takes.
    if (WritesBody(request.method) && !request.body.empty() &&
        !Accepts(found->body_type, request.content_type)) {
      return ProblemResponse(TransportProblem::kUnsupportedMediaType,
                             "Content-Type was '" + request.content_type + "'", request);
    }
    Result<Response> result = found->handler(request, *caller);
    if (!result.ok()) {
      if (result.error().code() == ErrorCode::kInternal ||
          result.error().code() == ErrorCode::kUnavailable) {
        spdlog::error("request {} {} {} failed: {}", request.request_id, request.method,
                      found->pattern, result.error().ToString());
      }
      return ProblemResponse(result.error(), request);
    }
    return std::move(result).value();
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {} threw: {}", request.request_id, request.method, request.path,
                  e.what());
  } catch (...) {
    spdlog::error("request {} {} {} threw a non-exception", request.request_id, request.method,
                  request.path);
  }
  return ProblemResponse(TransportProblem::kInternal, "", request);
}

}  // namespace rapport::api
