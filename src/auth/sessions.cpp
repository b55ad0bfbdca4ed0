#include "auth/sessions.hpp"

#include <sodium.h>

#include "api/access.hpp"
#include "core/validation.hpp"
#include "users/password.hpp"
#include "users/user_store.hpp"

namespace rapport::auth {
namespace {

constexpr std::int64_t kWebSessionLifetime = 12 * 3600 * kMicrosPerSecond;

std::string JoinIds(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

Result<std::vector<std::int64_t>> Ids(db::Transaction& tx, const std::string& sql,
                                      const db::Params& params) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql, params));
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const auto& r : rows) ids.push_back(r.Int(0));
  return ids;
}

}  // namespace

std::string RandomToken(const char* prefix) {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char encoded[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(prefix) + encoded;
}

std::string HashToken(std::string_view token) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Result<IssuedSession> IssueSession(db::Transaction& tx, const Clock& clock, std::int64_t user_id,
                                   std::string_view kind, std::int64_t lifetime_micros) {
  if (sodium_init() < 0) return Error(ErrorCode::kInternal, "libsodium failed to initialise");
  IssuedSession s;
  s.token = RandomToken("rpt_");
  s.csrf_token = RandomToken("");
  s.expires_at = clock.Now() + lifetime_micros;
  RAPPORT_ASSIGN_OR_RETURN(
      s.session_id,
      tx.QueryInt("INSERT INTO sessions (user_id, token_hash, csrf_hash, kind, created_at, "
                  "expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                  {user_id, HashToken(s.token), HashToken(s.csrf_token), std::string(kind),
                   clock.Now(), s.expires_at}));
  return s;
}

bool LoginThrottle::Blocked(const std::string& key, Instant now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  if (now - it->second.first > window_) {
    entries_.erase(it);
    return false;
  }
  return it->second.failures >= max_failures_;
}

void LoginThrottle::Failed(const std::string& key, Instant now) {
  std::lock_guard lock(mutex_);
  if (entries_.size() > 100'000) {
    // Bounded memory under a flood: drop what has expired, never a live lockout.
    std::erase_if(entries_, [&](const auto& e) { return now - e.second.first > window_; });
  }
  auto& e = entries_[key];
  if (e.failures == 0 || now - e.first > window_) e = Entry{0, now};
  ++e.failures;
}

void LoginThrottle::Succeeded(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

Sessions::Sessions(db::Database& database, const Clock& clock, api::AccessGeneration& generation)
    : database_(database),
      clock_(clock),
      generation_(generation),
      per_email_(5, 15 * 60 * kMicrosPerSecond),
      per_address_(50, 15 * 60 * kMicrosPerSecond) {}

Result<SignInResult> Sessions::SignIn(std::string_view email_in, std::string_view password,
                                      const std::string& remote_address) {
  const std::string email = Lowercase(email_in);
  const Instant now = clock_.Now();
  if (per_email_.Blocked(email, now) || per_address_.Blocked(remote_address, now)) {
    return Error(ErrorCode::kResourceExhausted,
                 "too many failed sign-ins; try again in a few minutes");
  }
  const Error refused(ErrorCode::kUnauthenticated, "wrong email or password");
  std::optional<std::string> hash;
  std::int64_t user_id = 0;
  std::string status;
  RAPPORT_RETURN_IF_ERROR(database_.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("SELECT id, password_hash, status FROM users WHERE email = ?", {email}));
    if (row) {
      user_id = row->Int("id");
      hash = row->OptText("password_hash");
      status = row->Text("status");
    }
    return Ok();
  }));
  // Verify even for unknown users, so timing does not tell which emails exist.
  static const std::string kDummy = users::HashPassword("not-a-real-password").value();
  const bool verified = users::VerifyPassword(hash.value_or(kDummy), password) && hash.has_value();
  if (!verified || status == "left") {
    per_email_.Failed(email, now);
    per_address_.Failed(remote_address, now);
    return refused;
  }
  per_email_.Succeeded(email);
  SignInResult result;
  RAPPORT_RETURN_IF_ERROR(database_.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(result.session,
                             IssueSession(tx, clock_, user_id, "web", kWebSessionLifetime));
    RAPPORT_ASSIGN_OR_RETURN(auto user, users::GetUser(tx, user_id));
    result.caller.user_id = user.id;
    result.caller.session_id = result.session.session_id;
    result.caller.email = user.email;
    result.caller.name = user.name;
    result.caller.role = user.role;
    return Ok();
  }));
  return result;
}

Status Sessions::SignOut(std::int64_t session_id) {
  RAPPORT_RETURN_IF_ERROR(database_.Write([&](db::Transaction& tx) {
    return tx.Execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                      {clock_.Now(), session_id});
  }));
  // Only after the commit: a request that read the session just before it may be caching it now,
  // under the generation it read; moving the generation on makes that entry stale too.
  generation_.Bump();
  std::lock_guard lock(cache_mutex_);
  std::erase_if(cache_,
                [&](const auto& entry) { return entry.second->caller.session_id == session_id; });
  return Ok();
}

Result<std::shared_ptr<const Sessions::Cached>> Sessions::Load(const std::string& token_hash,
                                                               Instant now) {
  auto cached = std::make_shared<Cached>();
  cached->checked_at = now;
  cached->generation = generation_.Get();
  RAPPORT_RETURN_IF_ERROR(database_.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("SELECT s.id AS session_id, s.expires_at, s.revoked_at, s.csrf_hash, u.id AS "
                    "user_id, u.email, u.name, u.role, u.status FROM sessions s JOIN users u ON "
                    "u.id = s.user_id "
                    "WHERE s.token_hash = ?",
                    {token_hash}));
    if (!row || !row->IsNull("revoked_at") || row->Int("expires_at") <= now ||
        row->Text("status") == "left") {
      return Error(ErrorCode::kUnauthenticated, "the session has expired or was signed out");
    }
    api::Caller& caller = cached->caller;
    caller.session_id = row->Int("session_id");
    cached->csrf_hash = row->Text("csrf_hash");
    caller.user_id = row->Int("user_id");
    caller.email = row->Text("email");
    caller.name = row->Text("name");
    caller.role = row->Text("role");
    return ComputeReach(tx, caller);
  }));
  return std::shared_ptr<const Cached>(std::move(cached));
}

Result<std::shared_ptr<const api::Caller>> Sessions::Authenticate(const api::Request& request) {
  std::string_view token;
  bool via_cookie = false;
  std::string cookie;
  if (request.authorization.rfind("Bearer ", 0) == 0) {
    token = std::string_view(request.authorization).substr(7);
  } else if (cookie = request.Cookie(kSessionCookie); !cookie.empty()) {
    token = cookie;
    via_cookie = true;
  }
  if (token.empty()) {
    return Error(
        ErrorCode::kUnauthenticated,
        "send a session token as 'Authorization: Bearer <token>' (POST /api/v1/auth/login)");
  }
  const Instant now = clock_.Now();
  const std::string token_hash = HashToken(token);
  std::shared_ptr<const Cached> cached;
  {
    std::lock_guard lock(cache_mutex_);
    auto it = cache_.find(token_hash);
    if (it != cache_.end() && now - it->second->checked_at < kCallerCacheMicros &&
        it->second->generation == generation_.Get()) {
      cached = it->second;
    }
  }
  if (!cached) {
    RAPPORT_ASSIGN_OR_RETURN(cached, Load(token_hash, now));
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() > 50'000) cache_.clear();  // bounded; refilled on demand
    cache_[token_hash] = cached;
  }
  // The web app's cookie needs its CSRF token on anything that changes data.
  const bool changes = request.method != "GET" && request.method != "HEAD";
  if (via_cookie && changes && HashToken(request.csrf_token) != cached->csrf_hash) {
    return Error(ErrorCode::kPermissionDenied,
                 "a change made with the session cookie needs its X-CSRF-Token header");
  }
  return std::shared_ptr<const api::Caller>(cached, &cached->caller);
}

Status ComputeReach(db::Transaction& tx, api::Caller& caller) {
  if (caller.role == "admin") {
    caller.all_accounts = true;
    api::PrepareReach(caller);
    return Ok();
  }
  if (caller.role == "executive" || caller.role == "rsm") {
    // Everyone in their management line, themselves included.
    RAPPORT_ASSIGN_OR_RETURN(caller.user_ids,
                             Ids(tx,
                                 "WITH RECURSIVE line(id) AS (SELECT CAST(? AS BIGINT) UNION "
                                 "SELECT u.id FROM users u JOIN line l ON "
                                 "u.manager_id = l.id) SELECT id FROM line ORDER BY id",
                                 {caller.user_id}));
  } else {
    caller.user_ids = {caller.user_id};
  }
  // The territories those people own, and every territory below them.
  RAPPORT_ASSIGN_OR_RETURN(
      caller.territory_ids,
      Ids(tx,
          "WITH RECURSIVE reach(id) AS (SELECT id FROM territories WHERE owner_id IN (" +
              JoinIds(caller.user_ids) +
              ") UNION SELECT t.id FROM territories t JOIN reach r ON t.parent_id = r.id) "
              "SELECT id FROM reach ORDER BY id",
          {}));
  api::PrepareReach(caller);
  return Ok();
}

}  // namespace rapport::auth
