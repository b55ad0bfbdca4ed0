#include "search/search.hpp"

#include <gmock/gmock.h>

#include "selling/opportunity_store.hpp"
#include "support/storage_fixture.hpp"

namespace rapport::search {
namespace {

using ::rapport::testing::StorageTest;
using SearchTest = StorageTest;

std::vector<std::string> Titles(db::Database& database, const std::string& text) {
  std::vector<std::string> titles;
  const Status s = database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto hits, Search(tx, text, 10));
    for (const auto& h : hits) titles.push_back(h.kind + ":" + h.title);
    return Ok();
  });
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  return titles;
}

TEST_P(SearchTest, EveryWordMatchesAsAPrefixAcrossKinds) {
  const std::int64_t rep = MakeUser("rep@example.org");
  const std::int64_t bedford = MakeAccount("Bedford Hospital", rep);
  MakeAccount("Bedale Surgery", rep);
  MakeAccount("Oxford University Hospitals", rep);
  MakeContact(bedford, "Hannah", "Bedingfield");
  Write([&](db::Transaction& tx) -> Status {
    selling::OpportunityFields f;
    f.account_id = bedford;
    f.owner_id = rep;
    f.name = "Bedside monitors";
    f.close_date = "2027-01-31";
    RAPPORT_ASSIGN_OR_RETURN(auto o, selling::CreateOpportunity(tx, System(), f));
    return Ok();
  });
  using ::testing::UnorderedElementsAre;
  EXPECT_THAT(Titles(*database_, "bed"),
              UnorderedElementsAre("account:Bedford Hospital", "account:Bedale Surgery",
                                   "contact:Hannah Bedingfield", "opportunity:Bedside monitors"));
  EXPECT_THAT(Titles(*database_, "BEDF hosp"), UnorderedElementsAre("account:Bedford Hospital"));
  EXPECT_THAT(Titles(*database_, "hann"), UnorderedElementsAre("contact:Hannah Bedingfield"));
  EXPECT_TRUE(Titles(*database_, "  ' \" * : & ").empty());
  EXPECT_TRUE(Titles(*database_, "zzz").empty());
}

TEST_P(SearchTest, AnAccountIsFoundByItsTownAndItsOdsCode) {
  const std::int64_t id = MakeAccount("Royal Infirmary");
  MakeAccount("Harrogate Surgery");
  Write([&](db::Transaction& tx) {
    return tx.Execute("UPDATE accounts SET city = 'Harrogate', ods_code = 'RCD01' WHERE id = ?",
                      {id});
  });
  using ::testing::UnorderedElementsAre;
  EXPECT_THAT(Titles(*database_, "harrog"),
              UnorderedElementsAre("account:Royal Infirmary", "account:Harrogate Surgery"));
  EXPECT_THAT(Titles(*database_, "rcd01"), UnorderedElementsAre("account:Royal Infirmary"));
  EXPECT_THAT(Titles(*database_, "royal harrogate"),
              UnorderedElementsAre("account:Royal Infirmary"));
}

TEST_P(SearchTest, ARenamedAccountIsFoundByItsNewNameOnly) {
  const std::int64_t id = MakeAccount("Lincoln County Hospital");
  Write([&](db::Transaction& tx) -> Status {
    accounts::AccountFields f;
    f.name = "Grantham and District Hospital";
    RAPPORT_ASSIGN_OR_RETURN(auto a, accounts::UpdateAccount(tx, System(), id, std::nullopt, f));
    return Ok();
  });
  EXPECT_TRUE(Titles(*database_, "lincoln").empty());
  EXPECT_THAT(Titles(*database_, "granth"),
              ::testing::ElementsAre("account:Grantham and District Hospital"));
}

TEST_P(SearchTest, NamesThatStartWithTheFirstWordTypedComeFirstThenShorterNames) {
  // Created so that the order of creation is the reverse of the ranking.
  MakeAccount("Royal Bedfordshire Clinic");
  MakeAccount("North Bed Unit");
  MakeAccount("Bedford General Hospital");
  MakeAccount("Bedale Surgery");
  EXPECT_THAT(
      Titles(*database_, "BEd"),
      ::testing::ElementsAre("account:Bedale Surgery", "account:Bedford General Hospital",
                             "account:North Bed Unit", "account:Royal Bedfordshire Clinic"));
  // Only the first word decides who starts: "gen" matches too, but no name starts with it.
  EXPECT_THAT(Titles(*database_, "gen bed"),
              ::testing::ElementsAre("account:Bedford General Hospital"));
}

TEST_P(SearchTest, WordsAreSplitAndFoldedAsTheIndexSplitsAndFoldsThem) {
  MakeAccount("Clinique Sainte\xE2\x80\x93Marie");  // an en dash between the words
  MakeAccount("H\xC3\xB4pital Saint-Louis");        // "Hôpital"
  // The en dash splits the word typed as it splits the name: two words, each a prefix.
  EXPECT_THAT(Titles(*database_, "sainte\xE2\x80\x93mar"),
              ::testing::ElementsAre("account:Clinique Sainte\xE2\x80\x93Marie"));
  EXPECT_THAT(Titles(*database_, "marie sainte"),
              ::testing::ElementsAre("account:Clinique Sainte\xE2\x80\x93Marie"));
  EXPECT_THAT(Titles(*database_, "saint"),
              ::testing::UnorderedElementsAre("account:Clinique Sainte\xE2\x80\x93Marie",
                                              "account:H\xC3\xB4pital Saint-Louis"));
  EXPECT_TRUE(Titles(*database_, "\xE2\x80\x93 \xE2\x9C\x93").empty());  // a dash and a tick
}

RAPPORT_ON_BOTH_BACKENDS(SearchTest);

}  // namespace
}  // namespace rapport::search
