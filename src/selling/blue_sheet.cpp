#include "selling/blue_sheet.hpp"

#include <algorithm>
#include <set>

#include "db/dialect.hpp"
#include "selling/opportunity_store.hpp"

namespace rapport::selling {
namespace {

template <typename List>
bool OneOf(const std::string& value, const List& list) {
  return std::find_if(std::begin(list), std::end(list),
                      [&](const auto& item) { return value == item; }) != std::end(list);
}

std::string Join(const char* const* begin, const char* const* end) {
  std::string out;
  for (auto it = begin; it != end; ++it) out += (out.empty() ? "" : ", ") + std::string(*it);
  return out;
}

constexpr const char* kInfluenceRoles[] = {"economic_buyer", "user_buyer", "technical_buyer",
                                           "coach", "other"};
constexpr const char* kDegrees[] = {"low", "medium", "high"};

Status CheckInfluence(db::Transaction& tx, std::int64_t account_id, const BuyingInfluence& b,
                      const std::string& at) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> contact,
      tx.QueryOne("SELECT account_id FROM contacts WHERE id = ?", {b.contact_id}));
  if (!contact) return Error::InvalidField(at + ".contact_id", "there is no such contact");
  if (contact->Int("account_id") != account_id) {
    return Error::InvalidField(at + ".contact_id", "works at another account");
  }
  std::set<std::string> seen;
  for (const std::string& role : b.roles) {
    if (!OneOf(role, kInfluenceRoles)) {
      return Error::InvalidField(at + ".roles",
                                 "'" + role + "' is not one of " +
                                     Join(std::begin(kInfluenceRoles), std::end(kInfluenceRoles)));
    }
    if (!seen.insert(role).second) {
      return Error::InvalidField(at + ".roles", "names '" + role + "' twice");
    }
  }
  if (b.response_mode && !OneOf(*b.response_mode, kResponseModes)) {
    return Error::InvalidField(
        at + ".response_mode",
        "must be one of " + Join(std::begin(kResponseModes), std::end(kResponseModes)));
  }
  if (b.degree_of_influence && !OneOf(*b.degree_of_influence, kDegrees)) {
    return Error::InvalidField(at + ".degree_of_influence", "must be low, medium or high");
  }
  if (b.rating && (*b.rating < -3 || *b.rating > 3)) {
    return Error::InvalidField(at + ".rating", "must be from -3 to +3");
  }
  if (b.win_theme && (b.win_theme->empty() || b.win_theme->size() > 200)) {
    return Error::InvalidField(at + ".win_theme", "must be 1 to 200 characters");
  }
  if (b.business_result && b.business_result->size() > 1000) {
    return Error::InvalidField(at + ".business_result", "is longer than 1000 characters");
  }
  return Ok();
}

}  // namespace

Result<BlueSheet> LoadBlueSheet(db::Transaction& tx, std::int64_t opportunity_id) {
  RAPPORT_ASSIGN_OR_RETURN(Opportunity opportunity, GetOpportunity(tx, opportunity_id));
  BlueSheet sheet;
  sheet.opportunity_id = opportunity.id;
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> head,
      tx.QueryOne("SELECT strengths, red_flags_noted, version FROM blue_sheets WHERE "
                  "opportunity_id = ?",
                  {opportunity_id}));
  if (head) {
    sheet.strengths = head->OptText("strengths");
    sheet.red_flags_noted = head->OptText("red_flags_noted");
    sheet.version = head->Int("version");
  }
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows influences,
      tx.Query("SELECT c.id, c.first_name, c.last_name, c.job_title, c.function, c.stance, "
               "c.left_at, b.response_mode, b.degree_of_influence, b.rating, b.win_theme, "
               "b.business_result, (SELECT max(x.occurred_at) FROM activity_contacts ac JOIN "
               "activities x ON x.id = ac.activity_id WHERE ac.contact_id = c.id AND x.kind IN "
               "('call', 'visit', 'meeting')) AS last_met_at FROM contacts c LEFT JOIN "
               "buying_influences b ON b.contact_id = c.id AND b.opportunity_id = ? WHERE c.id IN "
               "(SELECT contact_id "
               "FROM opportunity_contact_roles WHERE opportunity_id = ? UNION SELECT contact_id "
               "FROM buying_influences WHERE opportunity_id = ?) ORDER BY c.last_name, "
               "c.first_name, c.id",
               {opportunity_id, opportunity_id, opportunity_id}));
  RAPPORT_ASSIGN_OR_RETURN(std::vector<ContactRole> roles, ContactRolesOf(tx, opportunity_id));
  for (const auto& row : influences) {
    BuyingInfluence b;
    b.contact_id = row.Int("id");
    b.name = row.Text("first_name") + " " + row.Text("last_name");
    b.job_title = row.Text("job_title");
    b.function = row.Text("function");
    b.stance = row.Text("stance");
    b.left = !row.IsNull("left_at");
    b.response_mode = row.OptText("response_mode");
    b.degree_of_influence = row.OptText("degree_of_influence");
    b.rating = row.OptInt("rating");
    b.win_theme = row.OptText("win_theme");
    b.business_result = row.OptText("business_result");
    b.last_met_at = row.OptInt("last_met_at");
    for (const ContactRole& role : roles) {
      if (role.contact_id == b.contact_id) b.roles.push_back(role.role);
    }
    sheet.buying_influences.push_back(std::move(b));
  }
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows actions,
      tx.Query("SELECT id, description, shortlisted, owner_id, due_on, task_id FROM "
               "blue_sheet_actions WHERE opportunity_id = ? ORDER BY id",
               {opportunity_id}));
  for (const auto& row : actions) {
    sheet.possible_actions.push_back({row.Int("id"), row.Text("description"),
                                      row.Int("shortlisted") == 1, row.OptInt("owner_id"),
                                      row.OptText("due_on"), row.OptInt("task_id")});
  }
  return sheet;
}

namespace {

using ExistingActions = std::map<std::int64_t, std::optional<std::int64_t>>;  // action -> task

// Every buying influence is a contact of the account, listed once, and every possible action
// is the sheet's own (or new), described, with a date and an owner who exists.
Status CheckSheet(db::Transaction& tx, const BlueSheet& sheet, std::int64_t account_id,
                  const ExistingActions& existing) {
  std::set<std::int64_t> contacts;
  for (size_t i = 0; i < sheet.buying_influences.size(); ++i) {
    const BuyingInfluence& b = sheet.buying_influences[i];
    const std::string at = "buying_influences[" + std::to_string(i) + "]";
    RAPPORT_RETURN_IF_ERROR(CheckInfluence(tx, account_id, b, at));
    if (!contacts.insert(b.contact_id).second) {
      return Error::InvalidField(at + ".contact_id", "is listed twice");
    }
  }
  for (size_t i = 0; i < sheet.possible_actions.size(); ++i) {
    const PossibleAction& a = sheet.possible_actions[i];
    const std::string at = "possible_actions[" + std::to_string(i) + "]";
    if (a.id && existing.find(*a.id) == existing.end()) {
      return Error::InvalidField(at + ".id", "is not an action of this Blue Sheet");
    }
    if (a.description.empty() || a.description.size() > 500) {
      return Error::InvalidField(at + ".description", "must be 1 to 500 characters");
    }
    std::int64_t day = 0;
    if (a.due_on && !ParseDate(*a.due_on, day)) {
      return Error::InvalidField(at + ".due_on", "must be a date, YYYY-MM-DD");
    }
    if (a.owner_id) {
      RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "users", *a.owner_id, at + ".owner_id"));
    }
  }
  return Ok();
}

// The buying influences: roles in opportunity_contact_roles, the rest in buying_influences.
Status WriteInfluences(db::Transaction& tx, const BlueSheet& sheet) {
  const std::int64_t id = sheet.opportunity_id;
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM opportunity_contact_roles WHERE opportunity_id = ?", {id}));
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM buying_influences WHERE opportunity_id = ?", {id}));
  for (const BuyingInfluence& b : sheet.buying_influences) {
    for (const std::string& role : b.roles) {
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO opportunity_contact_roles (opportunity_id, contact_id, role) "
                     "VALUES (?, ?, ?)",
                     {id, b.contact_id, role}));
    }
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO buying_influences (opportunity_id, contact_id, response_mode, "
        "degree_of_influence, rating, win_theme, business_result) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {id, b.contact_id, db::OptionalText(b.response_mode),
         db::OptionalText(b.degree_of_influence), db::OptionalInt(b.rating),
         db::OptionalText(b.win_theme), db::OptionalText(b.business_result)}));
  }
  return Ok();
}

// The sheet itself (strengths, red flags): updated when `head` (id, version) says it exists.
Status WriteSheet(db::Transaction& tx, const audit::Actor& actor, const BlueSheet& sheet,
                  const std::optional<db::Row>& head) {
  const std::int64_t id = sheet.opportunity_id;
  std::int64_t sheet_id = 0;
  if (head) {
    sheet_id = head->Int("id");
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("UPDATE blue_sheets SET strengths = ?, red_flags_noted = ?, updated_at = ?, "
                   "version = version + 1 WHERE id = ?",
                   {db::OptionalText(sheet.strengths), db::OptionalText(sheet.red_flags_noted),
                    actor.at, sheet_id}));
    RAPPORT_RETURN_IF_ERROR(audit::RecordAction(tx, actor, "blue_sheets", sheet_id, "update"));
  } else {
    RAPPORT_ASSIGN_OR_RETURN(
        sheet_id,
        tx.QueryInt("INSERT INTO blue_sheets (opportunity_id, strengths, red_flags_noted, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    {id, db::OptionalText(sheet.strengths), db::OptionalText(sheet.red_flags_noted),
                     actor.at, actor.at}));
    RAPPORT_RETURN_IF_ERROR(audit::RecordCreate(tx, actor, "blue_sheets", sheet_id));
  }
  return Ok();
}

// Possible actions: kept, changed, added, dropped; shortlisted ones with an owner and a date
// become the owner's tasks (once), on the opportunity `opportunity_name` of `account_id`.
Status WriteActions(db::Transaction& tx, const audit::Actor& actor, const BlueSheet& sheet,
                    std::int64_t account_id, const std::string& opportunity_name,
                    ExistingActions existing) {
  const std::int64_t id = sheet.opportunity_id;
  std::set<std::int64_t> kept;
  for (const PossibleAction& a : sheet.possible_actions) {
    std::int64_t action_id = 0;
    std::optional<std::int64_t> task_id;
    if (a.id) {
      action_id = *a.id;
      task_id = existing[action_id];
      RAPPORT_RETURN_IF_ERROR(tx.Execute(
          "UPDATE blue_sheet_actions SET description = ?, shortlisted = ?, owner_id = ?, "
          "due_on = ? WHERE id = ?",
          {a.description, std::int64_t{a.shortlisted ? 1 : 0}, db::OptionalInt(a.owner_id),
           db::OptionalText(a.due_on), action_id}));
    } else {
      RAPPORT_ASSIGN_OR_RETURN(
          action_id,
          tx.QueryInt("INSERT INTO blue_sheet_actions (opportunity_id, description, shortlisted, "
                      "owner_id, due_on) VALUES (?, ?, ?, ?, ?) RETURNING id",
                      {id, a.description, std::int64_t{a.shortlisted ? 1 : 0},
                       db::OptionalInt(a.owner_id), db::OptionalText(a.due_on)}));
    }
    kept.insert(action_id);
    if (a.shortlisted && a.owner_id && a.due_on && !task_id) {
      RAPPORT_ASSIGN_OR_RETURN(
          std::int64_t task,
          audit::InsertAudited(tx, actor, "tasks",
                               {{"owner_id", *a.owner_id},
                                {"account_id", account_id},
                                {"related_type", std::string("opportunity")},
                                {"related_id", id},
                                {"subject", a.description + " (" + opportunity_name + ")"},
                                {"due_on", *a.due_on}}));
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("UPDATE blue_sheet_actions SET task_id = ? WHERE id = ?", {task, action_id}));
    }
  }
  for (const auto& [action_id, task] : existing) {
    if (kept.count(action_id) == 0) {
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("DELETE FROM blue_sheet_actions WHERE id = ?", {action_id}));
    }
  }
  return Ok();
}

}  // namespace

Result<std::int64_t> SaveBlueSheet(db::Transaction& tx, const audit::Actor& actor,
                                   const BlueSheet& sheet,
                                   std::optional<std::int64_t> expected_version) {
  const std::int64_t id = sheet.opportunity_id;
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> opportunity,
      tx.QueryOne(std::string("SELECT account_id, name FROM opportunities WHERE id = ?") +
                      db::LockRowSuffix(tx.backend()),
                  {id}));
  if (!opportunity) {
    return Error(ErrorCode::kNotFound, "opportunity " + std::to_string(id) + " does not exist");
  }
  const std::int64_t account_id = opportunity->Int("account_id");
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> head,
      tx.QueryOne("SELECT id, version FROM blue_sheets WHERE opportunity_id = ?", {id}));
  const std::int64_t current = head ? head->Int("version") : 0;
  if (expected_version && *expected_version != current) {
    return Error(ErrorCode::kStale, "the Blue Sheet was changed by someone else (version " +
                                        std::to_string(current) + ", expected " +
                                        std::to_string(*expected_version) + ")");
  }

  // Check everything before writing anything.
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows existing_actions,
      tx.Query("SELECT id, task_id FROM blue_sheet_actions WHERE opportunity_id = ?", {id}));
  ExistingActions existing;
  for (const auto& row : existing_actions) existing[row.Int("id")] = row.OptInt("task_id");
  RAPPORT_RETURN_IF_ERROR(CheckSheet(tx, sheet, account_id, existing));
  RAPPORT_RETURN_IF_ERROR(WriteInfluences(tx, sheet));
  RAPPORT_RETURN_IF_ERROR(WriteSheet(tx, actor, sheet, head));
  RAPPORT_RETURN_IF_ERROR(
      WriteActions(tx, actor, sheet, account_id, opportunity->Text("name"), std::move(existing)));
  return current + 1;
}

Result<std::map<std::int64_t, std::vector<RedFlag>>> RedFlags(db::Transaction& tx,
                                                              const std::string& condition,
                                                              const db::Params& params,
                                                              const std::string& today) {
  std::map<std::int64_t, std::vector<RedFlag>> flags;
  const std::string open =
      " AND o.stage IN ('prospecting', 'qualification', 'proposal', 'negotiation')";
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows heads,
      tx.Query("SELECT o.id, o.close_date, (SELECT count(*) FROM opportunity_contact_roles r "
               "WHERE r.opportunity_id = o.id AND r.role = 'economic_buyer') AS economic_buyers, "
               "(SELECT count(*) FROM opportunity_contact_roles r WHERE r.opportunity_id = o.id "
               "AND r.role = 'coach') AS coaches FROM opportunities o WHERE " +
                   condition + open,
               params));
  for (const auto& row : heads) {
    auto& list = flags[row.Int("id")];
    if (row.Int("economic_buyers") == 0) {
      list.push_back({"no_economic_buyer", "No economic buyer identified", std::nullopt});
    }
    if (row.Int("coaches") == 0) {
      list.push_back({"no_coach", "No coach: nobody inside guides us", std::nullopt});
    }
    if (row.Text("close_date") < today) {
      list.push_back({"deadline_passed", "The deadline (" + row.Text("close_date") + ") has passed",
                      std::nullopt});
    }
  }
  if (heads.empty()) return flags;
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows people,
      tx.Query("SELECT i.opportunity_id, c.id, c.first_name, c.last_name, c.left_at, c.stance, "
               "c.influence, b.response_mode, b.degree_of_influence, CASE WHEN EXISTS (SELECT 1 "
               "FROM activity_contacts ac JOIN activities x ON x.id = ac.activity_id WHERE "
               "ac.contact_id = c.id AND x.kind IN ('call', 'visit', 'meeting')) THEN 1 ELSE 0 "
               "END AS ever_met FROM (SELECT r.opportunity_id, r.contact_id FROM "
               "opportunity_contact_roles r UNION SELECT b2.opportunity_id, b2.contact_id FROM "
               "buying_influences b2) i JOIN "
               "opportunities o ON o.id = i.opportunity_id JOIN contacts c ON c.id = "
               "i.contact_id LEFT JOIN buying_influences b ON b.opportunity_id = "
               "i.opportunity_id AND b.contact_id = i.contact_id WHERE " +
                   condition + open + " ORDER BY i.opportunity_id, c.last_name, c.id",
               params));
  for (const auto& row : people) {
    auto& list = flags[row.Int("opportunity_id")];
    const std::int64_t contact = row.Int("id");
    const std::string name = row.Text("first_name") + " " + row.Text("last_name");
    if (!row.IsNull("left_at")) {
      list.push_back({"contact_left", name + " has left the customer", contact});
      continue;
    }
    if (row.Int("ever_met") == 0) {
      list.push_back(
          {"never_met", name + " has never been met (no call, visit or meeting)", contact});
    }
    const std::string mode = row.Text("response_mode");
    if (mode == "even_keel") {
      list.push_back({"even_keel", name + " is in even keel: sees no reason to change", contact});
    } else if (mode == "overconfident") {
      list.push_back(
          {"overconfident", name + " is overconfident: sees no reason to change", contact});
    }
    const std::string degree =
        row.IsNull("degree_of_influence") ? row.Text("influence") : row.Text("degree_of_influence");
    if (row.Text("stance") == "detractor" && degree == "high") {
      list.push_back(
          {"detractor_with_influence", name + " is a detractor with high influence", contact});
    }
  }
  return flags;
}

}  // namespace rapport::selling
