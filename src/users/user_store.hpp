// Users: the people on our side (reps, managers, admins...), with role, status and manager.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "db/database.hpp"

namespace rapport::users {

inline constexpr std::string_view kRoles[] = {"admin",
                                              "executive",
                                              "rsm",
                                              "rep",
                                              "account_manager",
                                              "inside_sales",
                                              "customer_success",
                                              "clinical_specialist"};
inline constexpr std::string_view kStatuses[] = {"active", "on_leave", "left"};

struct User {
  std::int64_t id = 0;
  std::string email;
  std::string name;
  std::string role;
  std::string status;
  std::optional<std::int64_t> manager_id;
  std::optional<std::string> job_title;
  bool has_password = false;
  Instant created_at = 0;
  Instant updated_at = 0;
  std::int64_t version = 0;
};

struct NewUser {
  std::string email;
  std::string name;
  std::string role;
  std::optional<std::int64_t> manager_id;
  std::optional<std::string> job_title;
  std::optional<std::string> password_hash;
};

// Validates (email, name, role, manager) and inserts; kAlreadyExists when the email is taken.
Result<User> CreateUser(db::Transaction& tx, const audit::Actor& actor, const NewUser& user);
Result<User> GetUser(db::Transaction& tx, std::int64_t id);
// Case-insensitive.
Result<User> GetUserByEmail(db::Transaction& tx, std::string_view email);
Result<std::vector<User>> ListUsers(db::Transaction& tx);
// The stored argon2id hash, or nullopt when the user cannot sign in with a password.
Result<std::optional<std::string>> PasswordHashOf(db::Transaction& tx, std::int64_t id);
Status SetPasswordHash(db::Transaction& tx, const audit::Actor& actor, std::int64_t id,
                       const std::string& hash);
Status SetUserStatus(db::Transaction& tx, const audit::Actor& actor, std::int64_t id,
                     std::string_view status);

}  // namespace rapport::users
