// Custom fields through the real binary over SQLite and PostgreSQL: admins add them, every record
// type that takes them checks, keeps, merges, lists and filters their values as it does its
// own fields, the trail records each change, and a pick list's options are renamed and retired
// without losing what records hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/api_server.hpp"
#include "support/demo_company.hpp"

namespace rapport::settings {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::HttpReply;

using ::rapport::testing::ExpectProblem;

class CustomFieldApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
    const json rep =
        s().Get("/api/v1/users?role=rep&status=active&limit=1", admin()).Json()["items"][0];
    rep_ = s().Login(rep["email"]);
  }
  ApiServer& s() { return *company_->server; }
  const std::string& admin() { return company_->admin; }
  // A new custom field, made by the admin.
  json AddField(json field) {
    const HttpReply made = s().Post("/api/v1/custom-fields", field, admin());
    EXPECT_EQ(made.status, 201) << made.body;
    return made.Json();
  }
  // The first account in the rep's reach.
  std::string RepAccount() {
    return s().Get("/api/v1/accounts?limit=1", rep_).Json()["items"][0]["id"];
  }

  DemoCompany* company_ = nullptr;
  std::string rep_;
};

TEST_P(CustomFieldApiTest, AnAccountKeepsCustomValuesCheckedLikeItsOwnFields) {
  const json tier = AddField({{"record_type", "accounts"},
                              {"label", "Trust tier"},
                              {"type", "picklist"},
                              {"options", {{{"label", "Tier 1"}}, {{"label", "Tier 2"}}}}});
  EXPECT_EQ(tier["key"], "trust_tier") << "the key is made from the label";
  EXPECT_EQ(tier["options"].size(), 2u);
  AddField({{"record_type", "accounts"},
            {"label", "ICU beds"},
            {"type", "number"},
            {"min_value", 0},
            {"max_value", 500}});
  AddField({{"record_type", "accounts"}, {"label", "Framework agreement"}, {"type", "checkbox"}});
  AddField({{"record_type", "accounts"}, {"label", "Contract renewal"}, {"type", "date"}});
  AddField({{"record_type", "accounts"},
            {"key", "specialties"},
            {"label", "Specialties"},
            {"type", "multi_picklist"},
            {"options", {{{"label", "Cardiology"}}, {{"label", "Oncology"}}, {{"label", "ICU"}}}}});
  AddField({{"record_type", "accounts"}, {"label", "Key contact at IDN"}, {"type", "user"}});

  const std::string path = "/api/v1/accounts/" + RepAccount();
  const json before = s().Get(path, rep_).Json();
  EXPECT_TRUE(before["custom"].is_object());

  // Wrong values are refused naming the field, and write nothing.
  ExpectProblem(s().Patch(path, {{"custom", {{"trust_tier", "Tier 9"}}}}, rep_), 422,
                "custom.trust_tier");
  ExpectProblem(s().Patch(path, {{"custom", {{"icu_beds", 501}}}}, rep_), 422, "custom.icu_beds");
  ExpectProblem(s().Patch(path, {{"custom", {{"icu_beds", "many"}}}}, rep_), 422,
                "custom.icu_beds");
  ExpectProblem(s().Patch(path, {{"custom", {{"contract_renewal", "31/12/2027"}}}}, rep_), 422,
                "custom.contract_renewal");
  ExpectProblem(s().Patch(path, {{"custom", {{"specialties", {"ICU", "ICU"}}}}}, rep_), 422,
                "custom.specialties");
  ExpectProblem(s().Patch(path, {{"custom", {{"key_contact_at_idn", "999999999"}}}}, rep_), 422,
                "custom.key_contact_at_idn");
  ExpectProblem(s().Patch(path, {{"custom", {{"colour", "red"}}}}, rep_), 422, "custom.colour");
  ExpectProblem(s().Patch(path, {{"custom", "Tier 1"}}, rep_), 422, "custom");
  EXPECT_EQ(s().Get(path, rep_).Json()["version"], before["version"]);

  const HttpReply set = s().Patch(path,
                                  {{"custom",
                                    {{"trust_tier", "Tier 1"},
                                     {"icu_beds", 24},
                                     {"framework_agreement", true},
                                     {"contract_renewal", "2027-03-31"},
                                     {"specialties", {"Cardiology", "ICU"}}}}},
                                  rep_);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.Json()["custom"]["trust_tier"], "Tier 1");
  EXPECT_EQ(set.Json()["version"], before["version"].get<int>() + 1);

  // A PATCH merges: keys not given are kept, null clears one.
  const HttpReply merged =
      s().Patch(path, {{"custom", {{"icu_beds", 30}, {"framework_agreement", nullptr}}}}, rep_);
  ASSERT_EQ(merged.status, 200) << merged.body;
  const json custom = s().Get(path, rep_).Json()["custom"];
  EXPECT_EQ(custom["trust_tier"], "Tier 1");
  EXPECT_EQ(custom["icu_beds"], 30);
  EXPECT_FALSE(custom.contains("framework_agreement"));
  EXPECT_EQ(custom["specialties"], json({"Cardiology", "ICU"}));

  const json history = s().Get(path + "/history", rep_).Json()["items"];
  EXPECT_TRUE(std::any_of(history.begin(), history.end(), [](const json& h) {
    return h["field"] == "custom.icu_beds" && h["old_value"] == "24" && h["new_value"] == "30";
  })) << history.dump();
  EXPECT_TRUE(std::any_of(history.begin(), history.end(), [](const json& h) {
    return h["field"] == "custom.framework_agreement" && h["new_value"].is_null();
  })) << history.dump();
}

TEST_P(CustomFieldApiTest, ListsFilterByCustomValues) {
  AddField({{"record_type", "accounts"},
            {"label", "Buying group"},
            {"type", "picklist"},
            {"options", {{{"label", "NHS Supply Chain"}}, {{"label", "Independent"}}}}});
  AddField({{"record_type", "accounts"}, {"label", "Theatre count"}, {"type", "number"}});
  AddField({{"record_type", "accounts"}, {"label", "Audited"}, {"type", "checkbox"}});
  AddField({{"record_type", "accounts"},
            {"label", "Modalities"},
            {"type", "multi_picklist"},
            {"options", {{{"label", "MRI"}}, {{"label", "CT"}}}}});
  const json accounts = s().Get("/api/v1/accounts?limit=3", admin()).Json()["items"];
  ASSERT_EQ(accounts.size(), 3u);
  const int theatres[] = {4, 12, 20};
  for (int i = 0; i < 3; ++i) {
    const HttpReply r = s().Patch("/api/v1/accounts/" + accounts[i]["id"].get<std::string>(),
                                  {{"custom",
                                    {{"buying_group", i == 1 ? "Independent" : "NHS Supply Chain"},
                                     {"theatre_count", theatres[i]},
                                     {"audited", i != 2},
                                     {"modalities", i == 0 ? json{"MRI", "CT"} : json{"CT"}}}}},
                                  admin());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto ids = [&](const std::string& query) {
    std::vector<std::string> out;
    const HttpReply r = s().Get("/api/v1/accounts?limit=500&" + query, admin());
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    const json items = r.Json()["items"];
    for (const auto& a : items) out.push_back(a["id"]);
    return out;
  };
  const std::string first = accounts[0]["id"], second = accounts[1]["id"],
                    third = accounts[2]["id"];
  EXPECT_EQ(ids("custom.buying_group=Independent"), std::vector<std::string>{second});
  EXPECT_EQ(ids("custom.theatre_count_from=10&custom.theatre_count_to=20"),
            std::vector<std::string>{second});
  EXPECT_EQ(ids("custom.theatre_count=20"), std::vector<std::string>{third});
  EXPECT_EQ(ids("custom.audited=false"), std::vector<std::string>{third});
  EXPECT_EQ(ids("custom.modalities=MRI"), std::vector<std::string>{first});
  EXPECT_EQ(ids("custom.modalities=CT").size(), 3u);
  ExpectProblem(s().Get("/api/v1/accounts?custom.buying_group=Other", admin()), 422,
                "custom.buying_group");
  ExpectProblem(s().Get("/api/v1/accounts?custom.nothing=1", admin()), 422, "custom.nothing");
  ExpectProblem(s().Get("/api/v1/accounts?custom.audited=yes", admin()), 422, "custom.audited");
}

// A list sorts by a custom field's value (numbers as numbers, whole or not; text; dates), either
// way, records without a value first, and its cursors page through every record in that order.
TEST_P(CustomFieldApiTest, ListsSortByCustomValuesAndPageThroughThem) {
  AddField({{"record_type", "accounts"},
            {"label", "Sort group"},
            {"type", "picklist"},
            {"options", {{{"label", "Yes"}}}}});
  AddField({{"record_type", "accounts"}, {"label", "Cath labs"}, {"type", "number"}});
  AddField({{"record_type", "accounts"}, {"label", "Site code"}, {"type", "text"}});
  AddField({{"record_type", "accounts"}, {"label", "Go live"}, {"type", "date"}});
  const json accounts = s().Get("/api/v1/accounts?limit=6&sort=-name", admin()).Json()["items"];
  ASSERT_EQ(accounts.size(), 6u);
  // Values out of the accounts' order; the sixth has none but its group.
  const json labs[] = {2.5, 10, 1, 2, 10, nullptr};
  const char* codes[] = {"Delta", "Alpha", "Echo", "Bravo", "Charlie", nullptr};
  const char* dates[] = {"2027-05-01", "2026-12-01", "2027-01-15",
                         "2026-12-01", "2028-01-01", nullptr};
  std::vector<std::string> id;
  for (int i = 0; i < 6; ++i) {
    id.push_back(accounts[i]["id"]);
    json custom = {{"sort_group", "Yes"}};
    if (!labs[i].is_null()) custom["cath_labs"] = labs[i];
    if (codes[i]) custom["site_code"] = codes[i];
    if (dates[i]) custom["go_live"] = dates[i];
    const HttpReply r = s().Patch("/api/v1/accounts/" + id.back(), {{"custom", custom}}, admin());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // Every page of the sorted list, `limit` at a time, followed by its cursors.
  auto sorted = [&](const std::string& sort, int limit) {
    std::vector<std::string> out;
    std::string cursor;
    for (int pages = 0; pages < 10; ++pages) {
      const HttpReply r = s().Get("/api/v1/accounts?custom.sort_group=Yes&sort=" + sort +
                                      "&limit=" + std::to_string(limit) +
                                      (cursor.empty() ? "" : "&cursor=" + cursor),
                                  admin());
      EXPECT_EQ(r.status, 200) << sort << ": " << r.body;
      if (r.status != 200) break;
      const json page = r.Json();
      for (const auto& a : page["items"]) out.push_back(a["id"]);
      if (page["next_cursor"].is_null()) break;
      cursor = page["next_cursor"];
    }
    return out;
  };
  // Ties in value go by id, as every sorted list does.
  const auto by_id = [&](std::vector<int> order, std::vector<std::pair<int, int>> ties) {
    for (auto [a, b] : ties) {
      auto i = std::find(order.begin(), order.end(), a),
           j = std::find(order.begin(), order.end(), b);
      if ((std::stoll(id[a]) < std::stoll(id[b])) != (i < j)) std::iter_swap(i, j);
    }
    std::vector<std::string> out;
    for (int k : order) out.push_back(id[k]);
    return out;
  };
  const auto labs_up = by_id({5, 2, 3, 0, 1, 4}, {{1, 4}});
  EXPECT_EQ(sorted("custom.cath_labs", 2), labs_up);
  EXPECT_EQ(sorted("custom.cath_labs", 6), labs_up);
  std::vector<std::string> labs_down(labs_up.rbegin(), labs_up.rend());
  EXPECT_EQ(sorted("-custom.cath_labs", 2), labs_down);
  EXPECT_EQ(sorted("custom.site_code", 4),
            (std::vector<std::string>{id[5], id[1], id[3], id[4], id[0], id[2]}));
  const auto live_up = by_id({5, 1, 3, 2, 0, 4}, {{1, 3}});
  EXPECT_EQ(sorted("-custom.go_live", 1),
            std::vector<std::string>(live_up.rbegin(), live_up.rend()));
  // A cursor of one sort is not another's.
  const json first =
      s().Get("/api/v1/accounts?custom.sort_group=Yes&sort=custom.cath_labs&limit=1", admin())
          .Json();
  ExpectProblem(s().Get("/api/v1/accounts?custom.sort_group=Yes&sort=custom.site_code&cursor=" +
                            first["next_cursor"].get<std::string>(),
                        admin()),
                400, "cursor");
  ExpectProblem(s().Get("/api/v1/accounts?sort=custom.nothing", admin()), 422, "sort");
  ExpectProblem(s().Get("/api/v1/accounts?sort=-custom.sort_group_x", admin()), 422, "sort");
}

TEST_P(CustomFieldApiTest, OptionsAreRenamedAndRetiredWithoutLosingWhatRecordsHold) {
  const json field = AddField({{"record_type", "contacts"},
                               {"label", "Preferred channel"},
                               {"type", "picklist"},
                               {"options", {{{"label", "Email"}}, {{"label", "Fax"}}}}});
  const std::string field_path = "/api/v1/custom-fields/" + field["id"].get<std::string>();
  const json contact = s().Get("/api/v1/contacts?limit=1", rep_).Json()["items"][0];
  const std::string path = "/api/v1/contacts/" + contact["id"].get<std::string>();
  ASSERT_EQ(s().Patch(path, {{"custom", {{"preferred_channel", "Fax"}}}}, rep_).status, 200);

  // Fax is retired (left out) and Email renamed; the contact keeps Fax.
  const HttpReply changed = s().Patch(
      field_path, {{"options", {{{"value", "Email"}, {"label", "E-mail"}}, {{"label", "Phone"}}}}},
      admin());
  ASSERT_EQ(changed.status, 200) << changed.body;
  const json options = changed.Json()["options"];
  ASSERT_EQ(options.size(), 3u) << options.dump();
  EXPECT_EQ(options[0], json({{"value", "Email"}, {"label", "E-mail"}, {"retired", false}}));
  EXPECT_EQ(options[2], json({{"value", "Fax"}, {"label", "Fax"}, {"retired", true}}));
  EXPECT_EQ(s().Get(path, rep_).Json()["custom"]["preferred_channel"], "Fax");
  // Kept while held; not chosen anew.
  EXPECT_EQ(s().Patch(path, {{"custom", {{"preferred_channel", "Fax"}}}}, rep_).status, 200);
  const json other = s().Get("/api/v1/contacts?limit=2", rep_).Json()["items"][1];
  ExpectProblem(s().Patch("/api/v1/contacts/" + other["id"].get<std::string>(),
                          {{"custom", {{"preferred_channel", "Fax"}}}}, rep_),
                422, "custom.preferred_channel");

  // Record type, key and type are fixed; only admins change fields.
  ExpectProblem(s().Patch(field_path, {{"type", "text"}}, admin()), 422, "type");
  ExpectProblem(s().Patch(field_path, {{"key", "channel"}}, admin()), 422, "key");
  EXPECT_EQ(s().Patch(field_path, {{"label", "Channel"}}, rep_).status, 403);
  EXPECT_EQ(s().Post("/api/v1/custom-fields",
                     {{"record_type", "contacts"}, {"label", "Mine"}, {"type", "text"}}, rep_)
                .status,
            403);
  ExpectProblem(
      s().Post("/api/v1/custom-fields",
               {{"record_type", "contacts"}, {"label", "Preferred channel"}, {"type", "text"}},
               admin()),
      409, "key");
  ExpectProblem(
      s().Post("/api/v1/custom-fields",
               {{"record_type", "contacts"}, {"label", "Ranked"}, {"type", "picklist"}}, admin()),
      422, "options");
  // Everyone signed in reads the fields (the app draws its forms from them).
  const json listed = s().Get("/api/v1/custom-fields?record_type=contacts", rep_).Json()["items"];
  EXPECT_TRUE(std::any_of(listed.begin(), listed.end(),
                          [](const json& f) { return f["key"] == "preferred_channel"; }));

  // A retired field is no longer offered nor taken; the contact keeps its value.
  ASSERT_EQ(s().Delete(field_path, admin()).status, 204);
  ExpectProblem(s().Patch(path, {{"custom", {{"preferred_channel", "Email"}}}}, rep_), 422,
                "custom.preferred_channel");
  EXPECT_EQ(s().Get(path, rep_).Json()["custom"]["preferred_channel"], "Fax");
}

TEST_P(CustomFieldApiTest, ARequiredFieldMustBeGivenOnCreate) {
  AddField({{"record_type", "opportunities"},
            {"label", "Tender reference"},
            {"type", "text"},
            {"required", true},
            {"max_length", 20}});
  const json account = s().Get("/api/v1/accounts/" + RepAccount(), rep_).Json();
  const json opportunity = {{"account_id", account["id"]},
                            {"name", "Ventilators 2027"},
                            {"amount_minor", 100000},
                            {"close_date", "2027-02-01"}};
  ExpectProblem(s().Post("/api/v1/opportunities", opportunity, rep_), 422,
                "custom.tender_reference");
  json too_long = opportunity;
  too_long["custom"] = {{"tender_reference", std::string(21, 'x')}};
  ExpectProblem(s().Post("/api/v1/opportunities", too_long, rep_), 422, "custom.tender_reference");
  json given = opportunity;
  given["custom"] = {{"tender_reference", "T-2027-014"}};
  const HttpReply made = s().Post("/api/v1/opportunities", given, rep_);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.Json()["custom"]["tender_reference"], "T-2027-014");
  ExpectProblem(s().Patch("/api/v1/opportunities/" + made.Json()["id"].get<std::string>(),
                          {{"custom", {{"tender_reference", nullptr}}}}, rep_),
                422, "custom.tender_reference");
  // Retired so that the other tests' opportunities need not give it.
  const json fields =
      s().Get("/api/v1/custom-fields?record_type=opportunities", admin()).Json()["items"];
  for (const auto& f : fields) {
    if (f["key"] == "tender_reference") {
      EXPECT_EQ(s().Delete("/api/v1/custom-fields/" + f["id"].get<std::string>(), admin()).status,
                204);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CustomFieldApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::settings
