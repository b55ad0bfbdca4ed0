// The API's view of HTTP: a Request as a handler sees it and the Response it returns. The server
// (src/server) translates to and from the wire; capabilities see only these.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace rapport::api {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/api/v1/accounts/42", decoded, without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string body;
  std::string content_type;
  std::string authorization;
  std::string if_match;
  std::string cookie;
  std::string csrf_token;  // X-CSRF-Token
  std::string request_id;
  std::string remote_address;
  std::map<std::string, std::string, std::less<>> path_params;  // filled by the Router

  std::optional<std::string> QueryParam(std::string_view name) const;
  std::string PathParam(std::string_view name) const;
  // The value of one cookie, or "".
  std::string Cookie(std::string_view name) const;
};

// The next piece of a streamed body, appended to `out`: true while more follows, false at the
// end; an error cuts the transfer short (the client sees it incomplete).
using BodyStream = std::function<Result<bool>(std::string& out)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  BodyStream stream;  // when set, the body is sent as it comes (chunked), not from `body`

  static Response Json(std::string body, int status = 200);
  static Response Created(std::string body, std::string location);
  static Response NoContent();
  // A file to save (CSV, XLSX): the body with its type, named `filename`.
  static Response Download(std::string body, std::string content_type, std::string_view filename);
  // A file to save whose bytes come from `stream`, piece by piece.
  static Response StreamedDownload(BodyStream stream, std::string content_type,
                                   std::string_view filename);
  Response& WithHeader(std::string name, std::string value);
};

// Ids are opaque strings in the API ("42"); kInvalidArgument naming `field` otherwise.
Result<std::int64_t> ParseId(const std::string& text, std::string_view field);
std::string FormatId(std::int64_t id);

// Splits "a=1&b=x%20y" into decoded pairs; false on a malformed escape.
bool ParseQuery(std::string_view raw, std::vector<std::pair<std::string, std::string>>& out);
// Decodes %XX and '+' (in queries); false on a malformed escape.
bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space);

}  // namespace rapport::api
