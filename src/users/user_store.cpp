#include "users/user_store.hpp"

#include "core/validation.hpp"

namespace rapport::users {
namespace {

constexpr const char* kColumns =
    "id, email, name, role, status, manager_id, job_title, password_hash IS NOT NULL AS "
    "has_password, created_at, "
    "updated_at, version";

User FromRow(const db::Row& r) {
  return User{.id = r.Int("id"),
              .email = r.Text("email"),
              .name = r.Text("name"),
              .role = r.Text("role"),
              .status = r.Text("status"),
              .manager_id = r.OptInt("manager_id"),
              .job_title = r.OptText("job_title"),
              .has_password = r.Bool("has_password"),
              .created_at = r.Int("created_at"),
              .updated_at = r.Int("updated_at"),
              .version = r.Int("version")};
}

Result<User> GetWhere(db::Transaction& tx, const std::string& where, const db::Value& key,
                      const std::string& what) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(std::string("SELECT ") + kColumns + " FROM users WHERE " + where, {key}));
  if (!row) return Error(ErrorCode::kNotFound, "no user " + what);
  return FromRow(*row);
}

}  // namespace

Result<User> CreateUser(db::Transaction& tx, const audit::Actor& actor, const NewUser& user) {
  const std::string email = Lowercase(user.email);
  RAPPORT_RETURN_IF_ERROR(CheckEmail("email", email));
  RAPPORT_RETURN_IF_ERROR(CheckRequired("name", user.name, 200));
  RAPPORT_RETURN_IF_ERROR(CheckOneOf("role", user.role, kRoles));
  if (user.manager_id) {
    auto manager = GetUser(tx, *user.manager_id);
    if (!manager.ok()) {
      return Error::InvalidField(
          "manager_id", "no user " + std::to_string(*user.manager_id) + " to be the manager");
    }
  }
  auto taken = GetUserByEmail(tx, email);
  if (taken.ok()) {
    return Error(ErrorCode::kAlreadyExists, "a user with email " + email + " already exists",
                 {FieldError{"email", "is already taken"}});
  }
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t id,
      tx.QueryInt(
          "INSERT INTO users (email, name, role, status, manager_id, job_title, "
          "password_hash, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?, ?, ?, ?) "
          "RETURNING id",
          {email, user.name, user.role, db::OptionalInt(user.manager_id),
           db::OptionalText(user.job_title), db::OptionalText(user.password_hash), actor.at,
           actor.at}));
  RAPPORT_RETURN_IF_ERROR(audit::RecordCreate(tx, actor, "users", id));
  return GetUser(tx, id);
}

Result<User> GetUser(db::Transaction& tx, std::int64_t id) {
  return GetWhere(tx, "id = ?", id, std::to_string(id));
}

Result<User> GetUserByEmail(db::Transaction& tx, std::string_view email) {
  return GetWhere(tx, "email = ?", Lowercase(email), "with email " + std::string(email));
}

Result<std::vector<User>> ListUsers(db::Transaction& tx) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query(std::string("SELECT ") + kColumns + " FROM users ORDER BY id"));
  std::vector<User> users;
  for (const auto& r : rows) users.push_back(FromRow(r));
  return users;
}

Result<std::optional<std::string>> PasswordHashOf(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> row,
                           tx.QueryOne("SELECT password_hash FROM users WHERE id = ?", {id}));
  if (!row) return Error(ErrorCode::kNotFound, "no user " + std::to_string(id));
  return row->OptText(0);
}

Status SetPasswordHash(db::Transaction& tx, const audit::Actor& actor, std::int64_t id,
                       const std::string& hash) {
  RAPPORT_ASSIGN_OR_RETURN(auto user, GetUser(tx, id));
  RAPPORT_RETURN_IF_ERROR(tx.Execute(
      "UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 WHERE id = ?",
      {hash, actor.at, id}));
  // The hash itself never goes into the audit trail.
  return tx.Execute(
      "INSERT INTO audit_history (table_name, record_id, action, field, changed_by, changed_at) "
      "VALUES ('users', ?, 'update', 'password', ?, ?)",
      {id, db::OptionalInt(actor.user_id), actor.at});
}

Status SetUserStatus(db::Transaction& tx, const audit::Actor& actor, std::int64_t id,
                     std::string_view status) {
  RAPPORT_RETURN_IF_ERROR(CheckOneOf("status", status, kStatuses));
  audit::FieldValues changes = {{"status", std::string(status)}};
  changes.emplace_back("left_at", status == "left" ? db::Value(actor.at) : db::Null());
  RAPPORT_ASSIGN_OR_RETURN(int changed,
                           audit::UpdateAudited(tx, actor, "users", id, std::nullopt, changes));
  (void)changed;
  return Ok();
}

}  // namespace rapport::users
