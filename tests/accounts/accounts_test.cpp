#include "accounts/account_store.hpp"

#include "support/storage_fixture.hpp"

namespace rapport::accounts {
namespace {

using ::rapport::testing::StorageTest;
using AccountsTest = StorageTest;

TEST_P(AccountsTest, KeepsTheHierarchyOfSystemsHospitalsAndDepartments) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t system = MakeAccount("Sheffield Teaching Hospitals", rep);
  const std::int64_t northern = MakeAccount("Northern General Hospital", rep, system);
  const std::int64_t hallamshire = MakeAccount("Royal Hallamshire Hospital", rep, system);
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto children, ChildAccounts(tx, system));
    EXPECT_EQ(children.size(), 2u);
    EXPECT_EQ(children.at(0).id, northern);
    EXPECT_EQ(children.at(1).id, hallamshire);
    RAPPORT_ASSIGN_OR_RETURN(auto hospital, GetAccount(tx, northern));
    EXPECT_EQ(hospital.parent_id, system);
    EXPECT_EQ(hospital.owner_id, rep);
    EXPECT_EQ(hospital.type, "hospital");
    EXPECT_EQ(hospital.version, 1);
    EXPECT_EQ(hospital.created_at, clock_.Now());
    return Ok();
  }));
  const Status self_parent = database_->Write([&](db::Transaction& tx) -> Status {
    AccountFields f;
    f.parent_id = std::optional<std::int64_t>(system);
    RAPPORT_ASSIGN_OR_RETURN(auto a, UpdateAccount(tx, System(), system, std::nullopt, f));
    return Ok();
  });
  ASSERT_FALSE(self_parent.ok());
  EXPECT_EQ(self_parent.error().fields().at(0).field, "parent_id");
}

TEST_P(AccountsTest, RefusesBadInputNamingTheField) {
  struct Case {
    AccountFields fields;
    const char* field;
  };
  std::vector<Case> cases;
  AccountFields no_name;
  no_name.type = "hospital";
  cases.push_back({no_name, "name"});
  AccountFields bad_type;
  bad_type.name = "X";
  bad_type.type = "spaceship";
  cases.push_back({bad_type, "type"});
  AccountFields bad_status = bad_type;
  bad_status.type = "hospital";
  bad_status.status = "friend";
  cases.push_back({bad_status, "status"});
  AccountFields bad_owner = bad_type;
  bad_owner.type = "hospital";
  bad_owner.owner_id = std::optional<std::int64_t>(31337);
  cases.push_back({bad_owner, "owner_id"});
  AccountFields bad_date = bad_type;
  bad_date.type = "hospital";
  bad_date.customer_since = std::optional<std::string>("2026-02-30");
  cases.push_back({bad_date, "customer_since"});
  for (const Case& c : cases) {
    const Status s = database_->Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(auto a, CreateAccount(tx, System(), c.fields));
      return Ok();
    });
    ASSERT_FALSE(s.ok()) << c.field;
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidArgument);
    ASSERT_FALSE(s.error().fields().empty()) << s.error().ToString();
    EXPECT_EQ(s.error().fields()[0].field, c.field);
  }
  EXPECT_EQ(Count("accounts"), 0);
  EXPECT_EQ(Count("audit_history"), 0);
}

TEST_P(AccountsTest, ListsByFilterWithAKeysetCursor) {
  const std::int64_t a = MakeUser("a@example.org"), b = MakeUser("b@example.org");
  std::vector<std::int64_t> mine;
  for (int i = 0; i < 7; ++i) {
    mine.push_back(MakeAccount("Mine " + std::to_string(i), a));
    MakeAccount("Theirs " + std::to_string(i), b);
  }
  std::vector<std::int64_t> seen;
  AccountFilter filter;
  filter.owner_id = a;
  filter.limit = 3;
  for (int page = 0; page < 5; ++page) {
    std::vector<Account> items;
    ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(items, ListAccounts(tx, filter));
      return Ok();
    }));
    if (items.empty()) break;
    for (const auto& item : items) {
      EXPECT_EQ(item.owner_id, a);
      seen.push_back(item.id);
    }
    filter.after_id = items.back().id;
  }
  EXPECT_EQ(seen, mine);
}

TEST_P(AccountsTest, ContactsBelongToAnAccountAndAreValidated) {
  const std::int64_t account = MakeAccount("Derby Royal Hospital");
  const std::int64_t head = MakeContact(account, "Priya", "Shah");
  Write([&](db::Transaction& tx) -> Status {
    ContactFields f;
    f.account_id = account;
    f.first_name = "Tom";
    f.last_name = "Akers";
    f.function = "procurement";
    f.stance = "advocate";
    f.influence = "high";
    f.colour = std::optional<std::string>("green");
    f.kol = true;
    f.email = std::optional<std::string>("tom.akers@nhs.example");
    f.reports_to_id = std::optional<std::int64_t>(head);
    RAPPORT_ASSIGN_OR_RETURN(auto c, CreateContact(tx, System(), f));
    EXPECT_EQ(c.stance, "advocate");
    EXPECT_TRUE(c.kol);
    EXPECT_EQ(c.reports_to_id, head);
    return Ok();
  });
  for (auto [field, mutate] :
       std::vector<std::pair<std::string, std::function<void(ContactFields&)>>>{
           {"stance", [](ContactFields& f) { f.stance = "hostile"; }},
           {"colour", [](ContactFields& f) { f.colour = std::optional<std::string>("purple"); }},
           {"email", [](ContactFields& f) { f.email = std::optional<std::string>("nope"); }},
           {"function", [](ContactFields& f) { f.function = "astronaut"; }},
           {"account_id", [](ContactFields& f) { f.account_id = 999999; }}}) {
    ContactFields f;
    f.account_id = account;
    f.first_name = "Bad";
    f.last_name = "Input";
    mutate(f);
    const Status s = database_->Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(auto c, CreateContact(tx, System(), f));
      return Ok();
    });
    ASSERT_FALSE(s.ok()) << field;
    EXPECT_EQ(s.error().fields().at(0).field, field);
  }
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto contacts, ContactsOfAccount(tx, account));
    EXPECT_EQ(contacts.size(), 2u);
    EXPECT_EQ(contacts.at(0).last_name, "Akers");
    return Ok();
  }));
}

// Migration 18: a team member's copy of its account's name follows the account through a rename
// and the member through a move to another account, so that lists can read teams in name order.
TEST_P(AccountsTest, ATeamMemberCarriesItsAccountsNameThroughRenamesAndMoves) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t derby = MakeAccount("Derby Royal Hospital");
  const std::int64_t leeds = MakeAccount("Leeds General Infirmary");
  auto copied = [&]() {
    std::string name;
    EXPECT_TRUE(database_
                    ->Read([&](db::Transaction& tx) -> Status {
                      RAPPORT_ASSIGN_OR_RETURN(auto row,
                                               tx.QueryOne("SELECT account_name FROM "
                                                           "account_team_members WHERE user_id = ?",
                                                           {rep}));
                      if (row) name = row->Text(0);
                      return Ok();
                    })
                    .ok());
    return name;
  };
  Write([&](db::Transaction& tx) -> Status {
    return tx.Execute(
        "INSERT INTO account_team_members (account_id, user_id, team_role, created_at) VALUES "
        "(?, ?, 'rep', 0)",
        {derby, rep});
  });
  EXPECT_EQ(copied(), "Derby Royal Hospital");
  Write([&](db::Transaction& tx) -> Status {
    AccountFields f;
    f.name = "Royal Derby Hospital";
    RAPPORT_ASSIGN_OR_RETURN(auto a, UpdateAccount(tx, System(), derby, std::nullopt, f));
    return Ok();
  });
  EXPECT_EQ(copied(), "Royal Derby Hospital");
  Write([&](db::Transaction& tx) -> Status {
    return tx.Execute("UPDATE account_team_members SET account_id = ? WHERE user_id = ?",
                      {leeds, rep});
  });
  EXPECT_EQ(copied(), "Leeds General Infirmary");
}

RAPPORT_ON_BOTH_BACKENDS(AccountsTest);

}  // namespace
}  // namespace rapport::accounts
