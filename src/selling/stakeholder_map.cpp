// GET /api/v1/accounts/{id}/stakeholder-map: every contact at the customer placed by function,
// stance, influence and personality colour, with reporting lines and the buying roles they hold on
// open deals, and who is missing (no procurement, no board, no finance contact, no advocate).
#include "selling/stakeholder_map.hpp"

#include <map>
#include <set>

#include "api/access.hpp"

namespace rapport::selling {
namespace {

struct Gap {
  const char* code;
  const char* message;
};

Result<api::Response> StakeholderMap(api::ApiContext& ctx, const api::Request& r,
                                     const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_RETURN_IF_ERROR(api::CheckAccountInReach(tx, c, id));
    RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> account,
                             tx.QueryOne("SELECT id, name FROM accounts WHERE id = ?", {id}));
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows contacts,
        tx.Query(
            "SELECT c.id, c.first_name, c.last_name, c.job_title, c.function, c.stance, "
            "c.influence, c.colour, c.kol, c.reports_to_id, c.left_at, c.version, (SELECT "
            "max(x.occurred_at) FROM activity_contacts ac JOIN activities x ON x.id = "
            "ac.activity_id WHERE ac.contact_id = c.id) AS last_contacted_at FROM contacts c WHERE "
            "c.account_id = ? ORDER BY c.last_name, c.first_name, c.id",
            {id}));
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows roles,
        tx.Query("SELECT DISTINCT r.contact_id, r.role FROM opportunity_contact_roles r JOIN "
                 "opportunities o ON o.id = r.opportunity_id WHERE o.account_id = ? AND o.stage "
                 "NOT IN ('closed_won', 'closed_lost') ORDER BY r.contact_id, r.role",
                 {id}));
    std::multimap<std::int64_t, std::string> roles_of;
    for (const auto& row : roles) roles_of.emplace(row.Int("contact_id"), row.Text("role"));
    std::set<std::string> functions, stances;
    w.StartObject().Key("account").StartObject();
    w.Key("id").String(api::FormatId(account->Int("id")));
    w.Key("name").String(account->Text("name"));
    w.EndObject().Key("contacts").StartArray();
    for (const auto& row : contacts) {
      const bool left = !row.IsNull("left_at");
      if (!left) {
        functions.insert(row.Text("function"));
        stances.insert(row.Text("stance"));
      }
      w.StartObject().Key("id").String(api::FormatId(row.Int("id")));
      w.Key("name").String(row.Text("first_name") + " " + row.Text("last_name"));
      w.Key("job_title").OptString(row.OptText("job_title"));
      w.Key("function").String(row.Text("function")).Key("stance").String(row.Text("stance"));
      w.Key("influence").String(row.Text("influence"));
      w.Key("colour").OptString(row.OptText("colour"));
      w.Key("kol").Bool(row.Int("kol") == 1);
      w.Key("reports_to_id").OptId(row.OptInt("reports_to_id"));
      w.Key("left").Bool(left).Key("version").Int(row.Int("version"));
      w.Key("last_contacted_at").OptInstant(row.OptInt("last_contacted_at"));
      w.Key("buying_roles").StartArray();
      auto [from, to] = roles_of.equal_range(row.Int("id"));
      for (auto it = from; it != to; ++it) w.String(it->second);
      w.EndArray().EndObject();
    }
    w.EndArray();
    static constexpr Gap kGaps[] = {
        {"no_procurement", "No procurement contact"},
        {"no_board", "No board or executive contact"},
        {"no_finance", "No finance contact"},
        {"no_advocate", "No advocate: nobody there speaks for us"},
    };
    w.Key("missing").StartArray();
    for (const Gap& gap : kGaps) {
      const std::string code = gap.code;
      const bool missing = code == "no_procurement" ? functions.count("procurement") == 0
                           : code == "no_board"     ? functions.count("executive") == 0
                           : code == "no_finance"   ? functions.count("finance") == 0
                                                    : stances.count("advocate") == 0;
      if (missing) {
        w.StartObject().Key("code").String(gap.code).Key("message").String(gap.message);
        w.EndObject();
      }
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

}  // namespace

void RegisterStakeholderMapRoute(api::Router& router, api::ApiContext& ctx) {
  router.Add(
      {"GET",
       "/api/v1/accounts/{id}/stakeholder-map",
       api::Access::kSignedIn,
       api::Reach::Record("accounts", "account", api::Scope::kAccount),
       [&ctx](const api::Request& r, const api::Caller& c) { return StakeholderMap(ctx, r, c); },
       {"Who is who at the customer: function, stance, influence, colour, reporting lines, "
        "buying roles, and who is missing",
        "Strategic selling",
        {},
        "",
        R"({"type":"object","properties":{"account":{"type":"object"},"contacts":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"},"function":{"type":"string"},"stance":{"type":"string"},"influence":{"type":"string"},"colour":{"type":["string","null"]},"reports_to_id":{"type":["string","null"]},"buying_roles":{"type":"array","items":{"type":"string"}}}}},"missing":{"type":"array","items":{"type":"object","properties":{"code":{"type":"string"},"message":{"type":"string"}}}}}})"}});
}

}  // namespace rapport::selling
