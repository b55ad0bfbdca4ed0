// The one place where outcomes become HTTP statuses: RFC 9457 problem documents
// (application/problem+json) with a stable type, a title, the status and, for invalid input, each
// field with what is wrong with it.
#pragma once

#include <string>

#include "api/http.hpp"
#include "core/result.hpp"

namespace rapport::api {

int StatusOf(ErrorCode code);
Response ProblemResponse(const Error& error, const Request& request);

// Failures the HTTP layer itself finds (no route, wrong method, body too large, not JSON).
enum class TransportProblem {
  kNoSuchRoute,
  kMethodNotAllowed,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kBadRequest,
  kInternal
};
Response ProblemResponse(TransportProblem problem, const std::string& detail,
                         const Request& request);

}  // namespace rapport::api
