// Who is calling: the signed-in user and their reach (which accounts they may see), worked out
// once per request by the Authenticator.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace rapport::api {

struct Request;

struct Caller {
  std::int64_t user_id = 0;
  std::int64_t session_id = 0;
  std::string email;
  std::string name;
  std::string role;
  // Reach. An admin reaches every account; anyone else the accounts in `territory_ids`, owned by
  // one of `user_ids`, or whose account team includes them.
  bool all_accounts = false;
  std::vector<std::int64_t> territory_ids;
  std::vector<std::int64_t> user_ids;
  // AccountReachCondition over aliases "a" and "t", worked out once per caller (see access.hpp).
  std::string reach_a;
  std::string reach_t;
};

// Bumped by every change to what a Caller is built from (users, territories), so that callers
// cached by the Authenticator are rebuilt at once. Thread-safe.
struct AccessGeneration {
  std::atomic<std::uint64_t> value{0};
  void Bump() { value.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t Get() const { return value.load(std::memory_order_relaxed); }
};

// Establishes who is calling: kUnauthenticated without a valid, unexpired session. Implementations
// must be thread-safe: the Router calls Authenticate from every server thread.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Shared: a session's Caller is worked out once and reused while it is fresh.
  virtual Result<std::shared_ptr<const Caller>> Authenticate(const Request& request) = 0;
};

}  // namespace rapport::api
