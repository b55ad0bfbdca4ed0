// A migrated, empty database on one backend per test, with a fixed clock and helpers that make the
// records most tests need.
#pragma once

#include "accounts/account_store.hpp"
#include "core/clock.hpp"
#include "db/migrations.hpp"
#include "support/test_database.hpp"
#include "users/user_store.hpp"

namespace rapport::testing {

class StorageTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  StorageTest() : test_db_(GetParam()), clock_(DaysFromCivil(2026, 11, 28) * kMicrosPerDay) {}

  void SetUp() override {
    RAPPORT_SKIP_IF_UNAVAILABLE(test_db_);
    database_ = test_db_.Open();
    ASSERT_NE(database_, nullptr);
    ASSERT_OK(db::Migrate(*database_, clock_));
  }

  audit::Actor System() const { return audit::Actor{std::nullopt, clock_.Now()}; }
  audit::Actor As(std::int64_t user_id) const { return audit::Actor{user_id, clock_.Now()}; }

  // Runs fn in a write transaction and fails the test if it fails.
  void Write(const db::TransactionFn& fn) {
    const Status s = database_->Write(fn);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }
  // The same in a read transaction.
  void Read(const db::TransactionFn& fn) {
    const Status s = database_->Read(fn);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }

  std::int64_t MakeUser(const std::string& email, const std::string& role = "rep") {
    std::int64_t id = 0;
    Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(auto user,
                               users::CreateUser(tx, System(), {email, "User " + email, role}));
      id = user.id;
      return Ok();
    });
    return id;
  }

  std::int64_t MakeAccount(const std::string& name, std::optional<std::int64_t> owner = {},
                           std::optional<std::int64_t> parent = {}) {
    std::int64_t id = 0;
    Write([&](db::Transaction& tx) -> Status {
      accounts::AccountFields f;
      f.name = name;
      f.type = parent ? "hospital" : "health_system";
      f.status = "customer";
      f.owner_id = owner;
      f.parent_id = parent;
      RAPPORT_ASSIGN_OR_RETURN(auto account, accounts::CreateAccount(tx, System(), f));
      id = account.id;
      return Ok();
    });
    return id;
  }

  std::int64_t MakeContact(std::int64_t account_id, const std::string& first,
                           const std::string& last) {
    std::int64_t id = 0;
    Write([&](db::Transaction& tx) -> Status {
      accounts::ContactFields f;
      f.account_id = account_id;
      f.first_name = first;
      f.last_name = last;
      RAPPORT_ASSIGN_OR_RETURN(auto contact, accounts::CreateContact(tx, System(), f));
      id = contact.id;
      return Ok();
    });
    return id;
  }

  std::int64_t Count(const std::string& table) {
    std::int64_t n = -1;
    Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(n, tx.QueryInt("SELECT count(*) FROM " + table));
      return Ok();
    });
    return n;
  }

  TestDatabase test_db_;
  FixedClock clock_;
  std::unique_ptr<db::Database> database_;
};

}  // namespace rapport::testing
