#include "users/password.hpp"
#include "users/user_store.hpp"

#include "support/storage_fixture.hpp"

namespace rapport::users {
namespace {

using ::rapport::testing::StorageTest;
using UsersTest = StorageTest;

Error CreateError(db::Database& database, const audit::Actor& actor, const NewUser& user) {
  std::optional<Error> error;
  const Status s = database.Write([&](db::Transaction& tx) -> Status {
    auto created = CreateUser(tx, actor, user);
    if (!created.ok()) return created.error();
    return Ok();
  });
  EXPECT_FALSE(s.ok()) << "expected " << user.email << " to be refused";
  return s.ok() ? Error(ErrorCode::kInternal, "no error") : s.error();
}

TEST_P(UsersTest, CreatesAndFindsByEmailWhateverItsCase) {
  const std::int64_t manager = MakeUser("rsm.north@example.org", "rsm");
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        auto user,
        CreateUser(tx, System(), {"Jane.Doe@Example.ORG", "Jane Doe", "account_manager", manager}));
    EXPECT_EQ(user.email, "jane.doe@example.org");
    EXPECT_EQ(user.status, "active");
    EXPECT_EQ(user.manager_id, manager);
    EXPECT_FALSE(user.has_password);
    RAPPORT_ASSIGN_OR_RETURN(auto found, GetUserByEmail(tx, "JANE.DOE@example.org"));
    EXPECT_EQ(found.id, user.id);
    return Ok();
  });
}

TEST_P(UsersTest, RefusesBadInputNamingTheFieldAndWritesNothing) {
  MakeUser("taken@example.org");
  const auto before = Count("users");
  struct Case {
    NewUser user;
    const char* field;
    ErrorCode code;
  };
  const Case cases[] = {
      {{"not-an-email", "X", "rep"}, "email", ErrorCode::kInvalidArgument},
      {{"ok@example.org", "  ", "rep"}, "name", ErrorCode::kInvalidArgument},
      {{"ok@example.org", "X", "wizard"}, "role", ErrorCode::kInvalidArgument},
      {{"ok@example.org", "X", "rep", 9999}, "manager_id", ErrorCode::kInvalidArgument},
      {{"TAKEN@example.org", "X", "rep"}, "email", ErrorCode::kAlreadyExists},
  };
  for (const Case& c : cases) {
    const Error e = CreateError(*database_, System(), c.user);
    EXPECT_EQ(e.code(), c.code) << e.ToString();
    ASSERT_FALSE(e.fields().empty()) << e.ToString();
    EXPECT_EQ(e.fields()[0].field, c.field);
  }
  EXPECT_EQ(Count("users"), before);
}

TEST_P(UsersTest, PasswordsAreStoredAsArgon2idHashes) {
  const std::int64_t id = MakeUser("secure@example.org");
  auto hash = HashPassword("correct horse battery");
  ASSERT_OK(hash);
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  Write([&](db::Transaction& tx) { return SetPasswordHash(tx, System(), id, *hash); });
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto stored, PasswordHashOf(tx, id));
    EXPECT_TRUE(stored.has_value());
    EXPECT_TRUE(VerifyPassword(*stored, "correct horse battery"));
    EXPECT_FALSE(VerifyPassword(*stored, "wrong horse battery"));
    RAPPORT_ASSIGN_OR_RETURN(auto history, audit::History(tx, "users", id));
    for (const auto& h : history) {
      EXPECT_NE(h.new_value.value_or(""), *stored) << "the hash must not reach the audit trail";
    }
    return Ok();
  }));
  EXPECT_FALSE(HashPassword("short").ok());
}

TEST_P(UsersTest, ALeaverIsStampedAndAudited) {
  const std::int64_t id = MakeUser("leaver@example.org");
  Write([&](db::Transaction& tx) { return SetUserStatus(tx, System(), id, "left"); });
  const Status bad = database_->Write(
      [&](db::Transaction& tx) { return SetUserStatus(tx, System(), id, "retired"); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields().at(0).field, "status");
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto user, GetUser(tx, id));
    EXPECT_EQ(user.status, "left");
    RAPPORT_ASSIGN_OR_RETURN(auto left_at,
                             tx.QueryInt("SELECT left_at FROM users WHERE id = ?", {id}));
    EXPECT_EQ(left_at, clock_.Now());
    return Ok();
  }));
}

RAPPORT_ON_BOTH_BACKENDS(UsersTest);

}  // namespace
}  // namespace rapport::users
