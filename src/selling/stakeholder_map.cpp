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
        tx.Query("SELECT c.id, c.first_name, c.last_name, c.job_title, c.function, c.stance, "
                 "c.influence, c.colour, c.kol, c.reports_to_id, c.left_at, c.version, (SELECT "
                 "max(x.occurred_at) FROM activity_contacts ac JOIN activities x ON x.id = "
                 "ac.activity_id WHERE ac.contact_id = c.id) FROM contacts c WHERE "
                 "c.account_id = ? ORDER BY c.last_name, c.first_name, c.id",
                 {id}));
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows roles,
        tx.Query("SELECT DISTINCT r.contact_id, r.role FROM opportunity_contact_roles r JOIN "
                 "opportunities o ON o.id = r.opportunity_id WHERE o.account_id = ? AND o.stage "
                 "NOT IN ('closed_won', 'closed_lost') ORDER BY r.contact_id, r.role",
                 {id}));
    std::multimap<std::int64_t, std::string> roles_of;
    for (const auto& row : roles) roles_of.emplace(row.Int(0), row.Text(1));
    std::set<std::string> functions, stances;
    w.StartObject().Key("account").StartObject();
    w.Key("id").String(api::FormatId(account->Int(0))).Key("name").String(account->Text(1));
    w.EndObject().Key("contacts").StartArray();
    for (const auto& row : contacts) {
      const bool left = !row.IsNull(10);
      if (!left) {
        functions.insert(row.Text(4));
        stances.insert(row.Text(5));
      }
      w.StartObject().Key("id").String(api::FormatId(row.Int(0)));
      w.Key("name").String(row.Text(1) + " " + row.Text(2));
      w.Key("job_title").OptString(row.OptText(3));
      w.Key("function").String(row.Text(4)).Key("stance").String(row.Text(5));
      w.Key("influence").String(row.Text(6)).Key("colour").OptString(row.OptText(7));
      w.Key("kol").Bool(row.Int(8) == 1).Key("reports_to_id").OptId(row.OptInt(9));
      w.Key("left").Bool(left).Key("version").Int(row.Int(11));
      w.Key("last_contacted_at").OptInstant(row.OptInt(12));
      w.Key("buying_roles").StartArray();
      auto [from, to] = roles_of.equal_range(row.Int(0));
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
