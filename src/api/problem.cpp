#include "api/problem.hpp"

#include "api/json.hpp"

namespace rapport::api {
namespace {

struct ProblemKind {
  int status;
  const char* type;
  const char* title;
};

ProblemKind KindOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return {422, "invalid-input", "The request has invalid fields"};
    case ErrorCode::kMalformed:
      return {400, "malformed-request", "The request cannot be read"};
    case ErrorCode::kNotFound:
      return {404, "not-found", "No such record"};
    case ErrorCode::kAlreadyExists:
      return {409, "already-exists", "A record with this key already exists"};
    case ErrorCode::kConflict:
      return {409, "conflict", "The records' state does not allow this"};
    case ErrorCode::kStale:
      return {412, "stale-record", "Someone else changed this record; reload it and try again"};
    case ErrorCode::kFailedPrecondition:
      return {409, "failed-precondition", "This cannot be done in the current state"};
    case ErrorCode::kPermissionDenied:
      return {403, "forbidden", "You may not do this"};
    case ErrorCode::kUnauthenticated:
      return {401, "unauthenticated", "Sign in first"};
    case ErrorCode::kGone:
      return {410, "gone", "This link has been used or has expired"};
    case ErrorCode::kResourceExhausted:
      return {429, "too-many-requests", "Too many attempts; wait and try again"};
    case ErrorCode::kUnavailable:
      return {503, "unavailable", "A service Rapport depends on is unavailable"};
    case ErrorCode::kInternal:
      break;
  }
  return {500, "internal", "Something went wrong on our side"};
}

ProblemKind KindOf(TransportProblem problem) {
  switch (problem) {
    case TransportProblem::kNoSuchRoute:
      return {404, "not-found", "No such resource"};
    case TransportProblem::kMethodNotAllowed:
      return {405, "method-not-allowed", "This resource does not support the method"};
    case TransportProblem::kPayloadTooLarge:
      return {413, "payload-too-large", "The request body is too large"};
    case TransportProblem::kUnsupportedMediaType:
      return {415, "unsupported-media-type", "Send the body as application/json"};
    case TransportProblem::kBadRequest:
      return {400, "malformed-request", "The request cannot be read"};
    case TransportProblem::kInternal:
      break;
  }
  return {500, "internal", "Something went wrong on our side"};
}

Response Build(const ProblemKind& kind, const std::string& detail, const Error* error,
               const Request& request) {
  JsonWriter w;
  w.StartObject();
  w.Key("type").String(std::string("/problems/") + kind.type);
  w.Key("title").String(kind.title);
  w.Key("status").Int(kind.status);
  // Internal details stay in the log, never in the response.
  w.Key("detail").String(kind.status == 500 ? "The error has been logged with its request id."
                                            : detail);
  w.Key("instance").String(request.path);
  if (!request.request_id.empty()) w.Key("request_id").String(request.request_id);
  if (error && !error->fields().empty()) {
    w.Key("errors").StartArray();
    for (const auto& f : error->fields()) {
      w.StartObject().Key("field").String(f.field).Key("message").String(f.message).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  Response response = Response::Json(w.Take(), kind.status);
  response.content_type = "application/problem+json";
  // The database away (a failover, a restart): worth trying again shortly.
  if (kind.status == 503) response.headers.emplace_back("Retry-After", "2");
  return response;
}

}  // namespace

int StatusOf(ErrorCode code) { return KindOf(code).status; }

Response ProblemResponse(const Error& error, const Request& request) {
  return Build(KindOf(error.code()), error.message(), &error, request);
}

Response ProblemResponse(TransportProblem problem, const std::string& detail,
                         const Request& request) {
  return Build(KindOf(problem), detail, nullptr, request);
}

}  // namespace rapport::api
