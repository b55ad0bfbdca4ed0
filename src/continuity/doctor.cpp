#include "continuity/doctor.hpp"

namespace rapport::continuity {
namespace {

struct Check {
  const char* name;
  const char* table;  // what the ids name
  const char* sql;    // selects the ids of offending rows, as column id
};

// Each selects the ids that break the rule; none may exist.
constexpr Check kChecks[] = {
    {"account owned by a user who has left", "accounts",
     "SELECT a.id FROM accounts a JOIN users u ON u.id = a.owner_id "
     "WHERE a.archived_at IS NULL AND u.status = 'left'"},
    {"account without an owner", "accounts",
     "SELECT id FROM accounts WHERE archived_at IS NULL AND owner_id IS NULL"},
    {"open opportunity owned by a user who has left", "opportunities",
     "SELECT o.id FROM opportunities o JOIN users u ON u.id = o.owner_id "
     "WHERE o.stage NOT IN ('closed_won', 'closed_lost') AND u.status = 'left'"},
    {"open task assigned to a user who has left", "tasks",
     "SELECT t.id FROM tasks t JOIN users u ON u.id = t.owner_id "
     "WHERE t.done_at IS NULL AND u.status = 'left'"},
    {"open case owned by a user who has left", "cases",
     "SELECT c.id FROM cases c JOIN users u ON u.id = c.owner_id "
     "WHERE c.status IN ('open', 'waiting_on_customer') AND u.status = 'left'"},
    {"success plan looked after by a user who has left", "success_plans",
     "SELECT p.id FROM success_plans p JOIN users u ON u.id = p.owner_id "
     "WHERE p.status IN ('draft', 'active') AND u.status = 'left'"},
    {"undecided trial run by a user who has left", "trials",
     "SELECT t.id FROM trials t JOIN users u ON u.id = t.owner_id "
     "WHERE t.decision IS NULL AND u.status = 'left'"},
    {"revenue split held by a user who has left on an open deal", "opportunities",
     "SELECT s.opportunity_id AS id FROM opportunity_splits s JOIN users u ON u.id = s.user_id "
     "JOIN opportunities o ON o.id = s.opportunity_id WHERE u.status = 'left' AND o.stage NOT IN "
     "('closed_won', 'closed_lost')"},
    {"territory owned by a user who has left", "territories",
     "SELECT t.id FROM territories t JOIN users u ON u.id = t.owner_id WHERE u.status = 'left'"},
    {"contact met at an activity of another account", "activities",
     "SELECT ac.activity_id AS id FROM activity_contacts ac JOIN activities a ON "
     "a.id = ac.activity_id JOIN contacts c ON c.id = ac.contact_id WHERE c.account_id <> "
     "a.account_id"},
    {"buying role held by a contact of another account", "opportunities",
     "SELECT r.opportunity_id AS id FROM opportunity_contact_roles r JOIN opportunities o ON "
     "o.id = r.opportunity_id JOIN contacts c ON c.id = r.contact_id "
     "WHERE c.account_id <> o.account_id"},
    {"user who has left without the date they left", "users",
     "SELECT id FROM users WHERE status = 'left' AND left_at IS NULL"},
    {"team member whose copy of its account's name is stale", "account_team_members",
     "SELECT m.id FROM account_team_members m JOIN accounts a ON a.id = m.account_id "
     "WHERE m.account_name <> a.name"},
    {"account that is its own ancestor", "accounts",
     "WITH RECURSIVE up(origin, id, depth) AS (SELECT id, parent_id, 1 FROM accounts "
     "WHERE parent_id IS NOT NULL UNION ALL SELECT up.origin, a.parent_id, up.depth + 1 FROM up "
     "JOIN accounts a ON a.id = up.id WHERE a.parent_id IS NOT NULL AND up.depth < 50) "
     "SELECT DISTINCT up.origin AS id FROM up WHERE up.id = up.origin"},
};

}  // namespace

Result<std::vector<Violation>> CheckInvariants(db::Database& database) {
  std::vector<Violation> violations;
  RAPPORT_RETURN_IF_ERROR(database.Read([&](db::Transaction& tx) -> Status {
    for (const Check& check : kChecks) {
      RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(check.sql));
      if (rows.empty()) continue;
      Violation v{check.name, static_cast<std::int64_t>(rows.size()), {}};
      for (size_t i = 0; i < rows.size() && i < 10; ++i) {
        v.examples.push_back(std::string(check.table) + " " + rows[i].Text("id"));
      }
      violations.push_back(std::move(v));
    }
    if (tx.backend() == db::Backend::kSqlite) {
      // PostgreSQL enforces its constraints always; SQLite's file can still be damaged.
      RAPPORT_ASSIGN_OR_RETURN(db::Rows quick, tx.Query("PRAGMA quick_check"));
      if (quick.size() != 1 || quick[0].Text("quick_check") != "ok") {
        Violation v{"the SQLite file is damaged (PRAGMA quick_check)",
                    static_cast<std::int64_t>(quick.size()),
                    {}};
        for (size_t i = 0; i < quick.size() && i < 10; ++i)
          v.examples.push_back(quick[i].Text("quick_check"));
        violations.push_back(std::move(v));
      }
      RAPPORT_ASSIGN_OR_RETURN(db::Rows orphans, tx.Query("PRAGMA foreign_key_check"));
      if (!orphans.empty()) {
        Violation v{"row referring to a row that does not exist",
                    static_cast<std::int64_t>(orphans.size()),
                    {}};
        for (size_t i = 0; i < orphans.size() && i < 10; ++i) {
          v.examples.push_back(orphans[i].Text("table") + " " + orphans[i].Text("rowid") + " -> " +
                               orphans[i].Text("parent"));
        }
        violations.push_back(std::move(v));
      }
    }
    return Ok();
  }));
  return violations;
}

}  // namespace rapport::continuity
