// The route table: capabilities add their routes (method, path pattern with {params}, who may
// call, where the route sits in the reach rules, a handler, documentation for OpenAPI); the server
// hands every request to Dispatch. The Router authenticates, refuses roles the route does not
// admit and records out of the caller's reach, runs the handler, and turns any Error (or escaped
// exception) into a problem document: one place for all of it. Routes are added before serving
// starts; Dispatch is then thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api/caller.hpp"
#include "api/http.hpp"

namespace rapport::api {

// Who may call a route. Every route says so: Router::Add refuses one that does not, and the
// router refuses a caller of another role (403) before the handler runs.
enum class Access {
  kUndeclared,
  kPublic,    // no sign-in (health, login, the OpenAPI document, a survey's answer page)
  kSignedIn,  // anyone signed in, within their reach
  kManagers,  // admins, executives and regional sales managers (IsManager)
  kAdmins,    // admins (IsAdmin)
};

// How a record hangs off the accounts a caller reaches (access.hpp).
enum class Scope {
  kReference,   // not account-bound: everyone signed in reads it (users, products, ...)
  kAccount,     // the record is an account
  kViaAccount,  // the record has an account_id
  kTask,        // an account_id (optional), or owned by the caller
};

// Where a route sits in the reach rules. Every signed-in route says so (Router::Add refuses one
// that does not); a kRecord route's record is checked by the router before the handler runs.
struct Reach {
  enum class Kind {
    kUndeclared,
    kNone,      // nothing account-bound: reference data, the caller's own session, admin tools
    kRecord,    // the path parameter `param` names a row of `table`; out of reach answers 404
    kFiltered,  // a list or report: the handler reads only what the caller reaches
    kOwnRule,   // a rule of the capability's own, `rule`, applied by the handler
  };
  Kind kind = Kind::kUndeclared;
  std::string table;  // kRecord: "opportunities"
  std::string noun;   // kRecord: "opportunity", for "no opportunity 42"
  Scope scope = Scope::kReference;
  std::string param;  // kRecord: "id"
  std::string rule;   // kNone, kOwnRule: the rule in words (shown in OpenAPI)

  static Reach None(std::string why);
  static Reach Record(std::string table, std::string noun, Scope scope, std::string param = "id");
  static Reach Filtered();
  static Reach OwnRule(std::string rule);
  // "none", "record", "filtered", "own-rule" (OpenAPI's x-rapport-reach).
  std::string_view KindName() const;
};

// Checks a kRecord route's record against the caller's reach (implemented over the database in
// access.cpp). Thread-safe: called from every server thread.
class ReachGate {
 public:
  virtual ~ReachGate() = default;
  // Ok when `caller` reaches row `id` of reach.table; kNotFound (never revealing that it exists)
  // otherwise.
  virtual Status Check(const Caller& caller, const Reach& reach, std::int64_t id) = 0;
};

// Whether a caller's role may call a route of `access` (reach aside).
bool RoleMayCall(Access access, const Caller& caller);
// "public", "signed-in", "managers", "admins" (OpenAPI's x-rapport-access).
std::string_view AccessName(Access access);

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
  // The OpenAPI operationId; "": made from the method and pattern (api/operation_id.hpp).
  std::string operation_id;
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/accounts/{id}"
  Access access = Access::kUndeclared;
  Reach reach;
  Handler handler;
  RouteDoc doc;
  std::vector<std::string> segments;  // the pattern split at '/', filled by Router::Add
  // The Content-Type a body must have; several are separated by ", ".
  std::string body_type = "application/json";
  std::size_t body_limit = 0;  // the largest body it takes; 0: the server's limit
};

// The content types of a route's body_type ("text/csv, application/..." -> each).
std::vector<std::string_view> BodyTypes(std::string_view body_type);

// The route table. Every route is added before serving starts; from then on it is only read, and
// Dispatch and BodyLimit are thread-safe (the handlers, gate and authenticator must be too).
class Router {
 public:
  // REQUIRES: authenticator and gate outlive the router.
  Router(Authenticator& authenticator, ReachGate& gate)
      : authenticator_(authenticator), gate_(gate) {}

  // Throws std::logic_error (a bug, found at start-up) when the route does not declare who may
  // call it and where it sits in the reach rules, or names a path parameter it lacks.
  void Add(Route route);
  const std::vector<Route>& routes() const { return routes_; }
  // The body limit of the route a request for `path` (undecoded, without the query) would reach;
  // 0 when it has none of its own.
  std::size_t BodyLimit(std::string_view method, std::string_view path) const;

  // Never throws. `matched_pattern` receives the route's pattern (for the access log).
  Response Dispatch(Request& request, std::string& matched_pattern) const;

 private:
  Authenticator& authenticator_;
  ReachGate& gate_;
  std::vector<Route> routes_;
};

}  // namespace rapport::api
