// Signing in: passwords checked against argon2id hashes, sessions as random bearer tokens stored
// only as BLAKE2b hashes, expiring, revocable; a CSRF token for the web app's cookie; brute force
// counted per email and per address and refused with kResourceExhausted for a while.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/caller.hpp"
#include "api/http.hpp"
#include "core/clock.hpp"
#include "db/database.hpp"

namespace rapport::auth {

inline constexpr const char* kSessionCookie = "rapport_session";

struct IssuedSession {
  std::int64_t session_id = 0;
  std::string token;       // shown once; only its hash is stored
  std::string csrf_token;  // the web app sends it back as X-CSRF-Token
  Instant expires_at = 0;
};

// Creates a session for the user. `kind` is "web" (sign-in) or "script" (rapport token create).
Result<IssuedSession> IssueSession(db::Transaction& tx, const Clock& clock, std::int64_t user_id,
                                   std::string_view kind, std::int64_t lifetime_micros);

// 256 random bits, URL-safe base64, after `prefix`.
std::string RandomToken(const char* prefix);
// A hex BLAKE2b-256 digest: how tokens are stored and looked up.
std::string HashToken(std::string_view token);

// Counts failed sign-ins per key (email, address) in a sliding window. Thread-safe.
class LoginThrottle {
 public:
  LoginThrottle(int max_failures, std::int64_t window_micros)
      : max_failures_(max_failures), window_(window_micros) {}
  bool Blocked(const std::string& key, Instant now);
  void Failed(const std::string& key, Instant now);
  void Succeeded(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    Instant first = 0;
  };
  int max_failures_;
  std::int64_t window_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

struct SignInResult {
  api::Caller caller;
  IssuedSession session;
};

// Signs people in and out and authenticates each request by its session. Thread-safe: one is
// shared by every server thread (the caller cache is locked; each throttle locks its own).
class Sessions final : public api::Authenticator {
 public:
  Sessions(db::Database& database, const Clock& clock, api::AccessGeneration& generation);

  // Email + password; kUnauthenticated for a wrong pair or a user who has left (the same answer
  // for both, and for an unknown email), kResourceExhausted after too many failures.
  Result<SignInResult> SignIn(std::string_view email, std::string_view password,
                              const std::string& remote_address);
  Status SignOut(std::int64_t session_id);

  // Bearer token, or the session cookie (which needs the CSRF header to change anything).
  Result<std::shared_ptr<const api::Caller>> Authenticate(const api::Request& request) override;

  // How long a checked session is trusted without asking the database again. Sign-out and changes
  // to users or territories on this server take effect at once; on another server sharing the
  // PostgreSQL database, within this time.
  static constexpr std::int64_t kCallerCacheMicros = 5 * kMicrosPerSecond;

 private:
  struct Cached {
    api::Caller caller;
    std::string csrf_hash;
    Instant checked_at = 0;
    std::uint64_t generation = 0;
  };
  Result<std::shared_ptr<const Cached>> Load(const std::string& token_hash, Instant now);

  db::Database& database_;
  const Clock& clock_;
  api::AccessGeneration& generation_;
  LoginThrottle per_email_;
  LoginThrottle per_address_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Cached>> cache_;  // by token hash
};

// The accounts a user may reach (see api::Caller): computed from role, management line and
// territories.
Status ComputeReach(db::Transaction& tx, api::Caller& caller);

}  // namespace rapport::auth
