// The route table: capabilities add their routes (method, path pattern with {params}, who may
// call, a handler, documentation for OpenAPI); the server hands every request to Dispatch. The
// Router authenticates, runs the handler, and turns any Error (or escaped exception) into a
// problem document: one place for all of it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/caller.hpp"
#include "api/http.hpp"

namespace rapport::api {

enum class Access {
  kPublic,    // no sign-in (health, login, the OpenAPI document)
  kSignedIn,  // a valid session; the handler applies the reach rules through the Caller
};

using Handler = std::function<Result<Response>(const Request&, const Caller&)>;

// What OpenAPI says about a route.
struct QueryDoc {
  std::string name;
  std::string type;  // "string", "integer", "boolean"
  std::string description;
};

struct RouteDoc {
  std::string summary;
  std::string tag;
  std::vector<QueryDoc> query;
  std::string request_schema;   // a JSON Schema (text), or "" when there is no body
  std::string response_schema;  // a JSON Schema (text) of the success body, or ""
  int success_status = 200;
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/accounts/{id}"
  Access access = Access::kSignedIn;
  Handler handler;
  RouteDoc doc;
  std::vector<std::string> segments;  // the pattern split at '/', filled by Router::Add
  // The Content-Type a body must have; several are separated by ", ".
  std::string body_type = "application/json";
  std::size_t body_limit = 0;  // the largest body it takes; 0: the server's limit
};

// The content types of a route's body_type ("text/csv, application/..." -> each).
std::vector<std::string_view> BodyTypes(std::string_view body_type);

class Router {
 public:
  // REQUIRES: authenticator outlives the router.
  explicit Router(Authenticator& authenticator) : authenticator_(authenticator) {}

  void Add(Route route);
  const std::vector<Route>& routes() const { return routes_; }
  // The body limit of the route a request for `path` (undecoded, without the query) would reach;
  // 0 when it has none of its own.
  std::size_t BodyLimit(std::string_view method, std::string_view path) const;

  // Never throws. `matched_pattern` receives the route's pattern (for the access log).
  Response Dispatch(Request& request, std::string& matched_pattern) const;

 private:
  Authenticator& authenticator_;
  std::vector<Route> routes_;
};

}  // namespace rapport::api
