#include "selling/line_items.hpp"
#include "selling/opportunity_store.hpp"

#include "support/storage_fixture.hpp"

namespace rapport::selling {
namespace {

using ::rapport::testing::StorageTest;
using SellingTest = StorageTest;

OpportunityFields NewDeal(std::int64_t account, std::int64_t owner) {
  OpportunityFields f;
  f.account_id = account;
  f.owner_id = owner;
  f.name = "Ultrasound fleet replacement";
  f.amount_minor = 12'500'000;
  f.currency = "GBP";
  f.close_date = "2027-03-31";
  f.probability = 20;
  return f;
}

TEST_P(SellingTest, ClosingAnOpportunityStampsWhenAndReopeningClearsIt) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("York Hospital", rep);
  std::int64_t id = 0;
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto o, CreateOpportunity(tx, As(rep), NewDeal(account, rep)));
    EXPECT_EQ(o.stage, "prospecting");
    EXPECT_FALSE(o.closed_at.has_value());
    id = o.id;
    return Ok();
  });
  clock_.Advance(kMicrosPerDay);
  Write([&](db::Transaction& tx) -> Status {
    OpportunityFields won;
    won.stage = "closed_won";
    won.probability = 100;
    RAPPORT_ASSIGN_OR_RETURN(auto o, UpdateOpportunity(tx, As(rep), id, 1, won));
    EXPECT_EQ(o.closed_at, clock_.Now());
    RAPPORT_ASSIGN_OR_RETURN(auto open, OpenOpportunitiesOfAccount(tx, account));
    EXPECT_TRUE(open.empty());
    OpportunityFields reopened;
    reopened.stage = "negotiation";
    RAPPORT_ASSIGN_OR_RETURN(auto again, UpdateOpportunity(tx, As(rep), id, 2, reopened));
    EXPECT_FALSE(again.closed_at.has_value());
    return Ok();
  });
}

TEST_P(SellingTest, RefusesBadDealsNamingTheField) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("York Hospital", rep);
  for (auto [field, mutate] :
       std::vector<std::pair<std::string, std::function<void(OpportunityFields&)>>>{
           {"stage", [](OpportunityFields& f) { f.stage = "dreaming"; }},
           {"probability", [](OpportunityFields& f) { f.probability = 101; }},
           {"amount_minor", [](OpportunityFields& f) { f.amount_minor = -1; }},
           {"close_date", [](OpportunityFields& f) { f.close_date = "next year"; }},
           {"currency", [](OpportunityFields& f) { f.currency = "POUNDS"; }},
           {"owner_id", [](OpportunityFields& f) { f.owner_id = 777; }},
           {"name", [](OpportunityFields& f) { f.name.reset(); }}}) {
    OpportunityFields f = NewDeal(account, rep);
    mutate(f);
    const Status s = database_->Write([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(auto o, CreateOpportunity(tx, System(), f));
      return Ok();
    });
    ASSERT_FALSE(s.ok()) << field;
    EXPECT_EQ(s.error().fields().at(0).field, field);
  }
  EXPECT_EQ(Count("opportunities"), 0);
}

TEST_P(SellingTest, BuyingRolesComeFromTheDealsAccount) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t account = MakeAccount("York Hospital", rep);
  const std::int64_t other = MakeAccount("Hull Royal Infirmary", rep);
  const std::int64_t finance = MakeContact(account, "Fatima", "Khan");
  const std::int64_t stranger = MakeContact(other, "Owen", "Reid");
  std::int64_t id = 0;
  Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto o, CreateOpportunity(tx, As(rep), NewDeal(account, rep)));
    id = o.id;
    RAPPORT_ASSIGN_OR_RETURN(auto role, AddContactRole(tx, As(rep), id, finance, "economic_buyer"));
    return Ok();
  });
  const Status s = database_->Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto role, AddContactRole(tx, As(rep), id, stranger, "coach"));
    return Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().fields().at(0).field, "contact_id");
  ASSERT_OK(database_->Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto roles, ContactRolesOf(tx, id));
    EXPECT_EQ(roles.size(), 1u);
    EXPECT_EQ(roles.at(0).role, "economic_buyer");
    return Ok();
  }));
}

RAPPORT_ON_BOTH_BACKENDS(SellingTest);

TEST(LineTotal, IsQuantityTimesPriceLessTheDiscountRoundedHalfUp) {
  EXPECT_EQ(LineTotal(3, 100'000, 10), 270'000);
  EXPECT_EQ(LineTotal(3, 333, 15), 849);  // 999 × 0.85 = 849.15
  EXPECT_EQ(LineTotal(1, 1, 50), 1);      // 0.5 rounds up
  EXPECT_EQ(LineTotal(1, 3, 50), 2);      // 1.5 rounds up
  EXPECT_EQ(LineTotal(7, 1'000, 100), 0);
  // The largest line the declaration allows does not overflow.
  EXPECT_EQ(LineTotal(1'000'000, 10'000'000'000, 1), 9'900'000'000'000'000);
}

}  // namespace
}  // namespace rapport::selling
