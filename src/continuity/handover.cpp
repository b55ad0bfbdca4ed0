#include "continuity/handover.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

#include "audit/events.hpp"
#include "settings/currencies.hpp"

namespace rapport::continuity {
namespace {

constexpr const char* kOpenStages = "('prospecting', 'qualification', 'proposal', 'negotiation')";

Result<UserSummary> LoadUser(db::Transaction& tx, std::int64_t id, const std::string& field) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne("SELECT id, name, email, status, manager_id FROM users WHERE id = ?", {id}));
  if (!row) return Error::InvalidField(field, "there is no user " + std::to_string(id));
  return UserSummary{row->Int("id"), row->Text("name"), row->Text("email"), row->Text("status"),
                     row->OptInt("manager_id")};
}

// A distributor, in the shape of the person handing over (id 0: not a user).
Result<UserSummary> LoadDistributor(db::Transaction& tx, std::int64_t id,
                                    const std::string& field) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(
          "SELECT name, coalesce(email, '') AS email, status FROM distributors WHERE id = ?",
          {id}));
  if (!row) return Error::InvalidField(field, "there is no distributor " + std::to_string(id));
  return UserSummary{0, row->Text("name"), row->Text("email"), row->Text("status"), std::nullopt};
}

// Accounts go to the first rule that matches them, else to the default successor.
class SuccessorChooser {
 public:
  SuccessorChooser(const HandoverRequest& request, std::map<std::int64_t, std::int64_t> parents)
      : request_(request), parents_(std::move(parents)) {}

  std::optional<std::int64_t> For(std::optional<std::int64_t> territory_id,
                                  const std::string& postcode) const {
    const SuccessorRule* rule = RuleFor(territory_id, postcode);
    return rule ? std::optional<std::int64_t>(rule->successor_id) : request_.successor_id;
  }

  // The first rule that matches, or nullptr (the default successor).
  const SuccessorRule* RuleFor(std::optional<std::int64_t> territory_id,
                               const std::string& postcode) const {
    for (const SuccessorRule& rule : request_.rules) {
      if (rule.territory_id && territory_id && Within(*territory_id, *rule.territory_id)) {
        return &rule;
      }
      if (rule.postcode_prefix && !rule.postcode_prefix->empty() &&
          StartsWithIgnoringCase(postcode, *rule.postcode_prefix)) {
        return &rule;
      }
    }
    return nullptr;
  }

 private:
  bool Within(std::int64_t territory, std::int64_t ancestor) const {
    for (int depth = 0; depth < 50; ++depth) {
      if (territory == ancestor) return true;
      auto it = parents_.find(territory);
      if (it == parents_.end()) return false;
      territory = it->second;
    }
    return false;
  }
  static bool StartsWithIgnoringCase(const std::string& text, const std::string& prefix) {
    if (text.size() < prefix.size()) return false;
    return strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
  }

  const HandoverRequest& request_;
  std::map<std::int64_t, std::int64_t> parents_;  // territory -> parent
};

std::string Fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    const std::string token = "{" + key + "}";
    for (size_t at = text.find(token); at != std::string::npos;
         at = text.find(token, at + value.size())) {
      text.replace(at, token.size(), value);
    }
  }
  return text;
}

// Where each kind of plan item lives and which column names its holder.
struct Target {
  const char* table;
  const char* column;
  bool versioned;
};

Target TargetOf(const std::string& record_type) {
  if (record_type == "account") return {"accounts", "owner_id", true};
  if (record_type == "opportunity") return {"opportunities", "owner_id", true};
  if (record_type == "task") return {"tasks", "owner_id", true};
  if (record_type == "meeting") return {"activities", "user_id", true};
  if (record_type == "territory") return {"territories", "owner_id", true};
  if (record_type == "case") return {"cases", "owner_id", true};
  if (record_type == "success_plan") return {"success_plans", "owner_id", true};
  if (record_type == "trial") return {"trials", "owner_id", true};
  return {"account_team_members", "user_id", false};
}

// The leaver's revenue split on a deal goes to the successor (added to theirs), or, to keep the
// team, to the others on the deal in proportion to their parts (the largest takes the remainder);
// with nobody else on it, to the successor.
Status MoveSplit(db::Transaction& tx, std::int64_t opportunity, std::int64_t leaver,
                 std::int64_t successor, bool keep_team) {
  RAPPORT_ASSIGN_OR_RETURN(
      auto held, tx.QueryOne("SELECT percent FROM opportunity_splits WHERE opportunity_id = ? AND "
                             "user_id = ?",
                             {opportunity, leaver}));
  if (!held) return Ok();
  const std::int64_t part = held->Int("percent");
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM opportunity_splits WHERE opportunity_id = ? AND user_id = ?",
                 {opportunity, leaver}));
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows others,
      tx.Query("SELECT user_id, percent FROM opportunity_splits WHERE opportunity_id = ? ORDER BY "
               "percent DESC, user_id",
               {opportunity}));
  if (!keep_team || others.empty()) {
    return tx.Execute(
        "INSERT INTO opportunity_splits (opportunity_id, user_id, percent) VALUES (?, ?, ?) ON "
        "CONFLICT (opportunity_id, user_id) DO UPDATE SET percent = opportunity_splits.percent + "
        "excluded.percent",
        {opportunity, successor, part});
  }
  std::int64_t rest = 0;
  for (const auto& o : others) rest += o.Int("percent");
  std::int64_t given = 0;
  std::vector<std::int64_t> shares;
  for (const auto& o : others) {
    shares.push_back(part * o.Int("percent") / rest);
    given += shares.back();
  }
  shares[0] += part - given;
  for (size_t i = 0; i < others.size(); ++i) {
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "UPDATE opportunity_splits SET percent = percent + ? WHERE opportunity_id = ? AND "
        "user_id = ?",
        {shares[i], opportunity, others[i].Int("user_id")}));
  }
  return Ok();
}

Status Discard(const Result<int>& result) {
  if (!result.ok()) return result.error();
  return Ok();
}

Status CheckRequest(const HandoverRequest& request) {
  if (std::find_if(std::begin(kHandoverReasons), std::end(kHandoverReasons), [&](const char* r) {
        return request.reason == r;
      }) == std::end(kHandoverReasons)) {
    return Error::InvalidField("reason",
                               "must be one of resigned, promoted, moved, leave, "
                               "territory_split, distributor_change");
  }
  std::int64_t day = 0;
  if (!ParseDate(request.effective_on, day)) {
    return Error::InvalidField("effective_on", "must be a date, YYYY-MM-DD");
  }
  if (request.first_contact_days < 1 || request.first_contact_days > 90) {
    return Error::InvalidField("first_contact_days", "must be from 1 to 90");
  }
  if (request.ownership_limit < 1) {
    return Error::InvalidField("ownership_limit", "must be at least 1");
  }
  const bool by_distributor = request.from_distributor_id.has_value();
  if (by_distributor != (request.reason == "distributor_change")) {
    return by_distributor
               ? Error::InvalidField("reason", "must be distributor_change for a distributor")
               : Error::InvalidField("from_distributor_id", "is required for a distributor change");
  }
  if (by_distributor && request.from_user_id != 0) {
    return Error::InvalidField("from_user_id", "give a person or a distributor, not both");
  }
  if (!by_distributor && request.from_user_id == 0) {
    return Error::InvalidField("from_user_id", "is required");
  }
  if (request.to_distributor_id && !by_distributor) {
    return Error::InvalidField("to_distributor_id", "only a distributor change has one");
  }
  if (request.reason == "leave") {
    std::int64_t back = 0;
    if (!request.cover_ends_on) {
      return Error::InvalidField("cover_ends_on", "is required for leave: the day they are back");
    }
    if (!ParseDate(*request.cover_ends_on, back) || back <= day) {
      return Error::InvalidField("cover_ends_on", "must be a date after effective_on");
    }
  } else if (request.cover_ends_on) {
    return Error::InvalidField("cover_ends_on", "only leave has a cover that ends");
  }
  if (!request.successor_id && request.rules.empty()) {
    return Error::InvalidField("successor_user_id",
                               "give a successor, or rules that split the accounts");
  }
  for (size_t i = 0; i < request.rules.size(); ++i) {
    const SuccessorRule& rule = request.rules[i];
    if (!rule.territory_id && (!rule.postcode_prefix || rule.postcode_prefix->empty())) {
      return Error::InvalidField("rules[" + std::to_string(i) + "]",
                                 "needs a territory_id or a postcode_prefix");
    }
  }
  return Ok();
}

}  // namespace

int HandoverPlan::Count(const std::string& record_type) const {
  return static_cast<int>(std::count_if(items.begin(), items.end(), [&](const PlanItem& item) {
    return item.record_type == record_type;
  }));
}

const UserSummary* HandoverPlan::Successor(std::int64_t id) const {
  for (const UserSummary& s : successors) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

int HandoverProgress::State(const std::string& state) const {
  return static_cast<int>(
      std::count_if(accounts.begin(), accounts.end(),
                    [&](const AccountProgress& a) { return a.state == state; }));
}

namespace {

// Works out a handover's plan in one transaction: who hands over to whom, everything that moves
// with its successor, the introductions to send and what to warn about. Used once per plan.
class HandoverPlanner {
 public:
  HandoverPlanner(db::Transaction& tx, const HandoverRequest& request, Instant now)
      : tx_(tx),
        request_(request),
        now_(now),
        by_distributor_(request.from_distributor_id.has_value()),
        scope_(by_distributor_ ? "a.distributor_id = ?" : "a.owner_id = ?"),
        scope_id_(by_distributor_ ? db::Value(*request.from_distributor_id)
                                  : db::Value(request.from_user_id)),
        leaver_(request.from_user_id) {
    plan_.request = request;
    plan_.marks_leaver_left = request.reason == "resigned";
  }

  Result<HandoverPlan> Plan() {
    RAPPORT_RETURN_IF_ERROR(CheckRequest(request_));
    RAPPORT_RETURN_IF_ERROR(LoadLeaver());
    RAPPORT_RETURN_IF_ERROR(LoadSuccessors());
    RAPPORT_RETURN_IF_ERROR(LoadChooser());
    RAPPORT_RETURN_IF_ERROR(PlanAccounts());
    RAPPORT_RETURN_IF_ERROR(PlanOpportunities());
    RAPPORT_RETURN_IF_ERROR(PlanTasks());
    RAPPORT_RETURN_IF_ERROR(PlanHeldRecords());
    RAPPORT_RETURN_IF_ERROR(PlanMeetings());
    RAPPORT_RETURN_IF_ERROR(PlanSplits());
    RAPPORT_RETURN_IF_ERROR(PlanTerritories());
    RAPPORT_RETURN_IF_ERROR(PlanTeamPlaces());
    RAPPORT_RETURN_IF_ERROR(WarnSingleThreaded());
    RAPPORT_RETURN_IF_ERROR(PlanIntroductions());
    RAPPORT_RETURN_IF_ERROR(WarnOverOwnershipLimit());
    return std::move(plan_);
  }

 private:
  // The person handing over, or the distributor being replaced (and its replacement checked).
  Status LoadLeaver() {
    if (!by_distributor_) {
      RAPPORT_ASSIGN_OR_RETURN(plan_.leaver, LoadUser(tx_, request_.from_user_id, "from_user_id"));
      return Ok();
    }
    RAPPORT_ASSIGN_OR_RETURN(
        plan_.leaver, LoadDistributor(tx_, *request_.from_distributor_id, "from_distributor_id"));
    if (request_.to_distributor_id) {
      if (*request_.to_distributor_id == *request_.from_distributor_id) {
        return Error::InvalidField("to_distributor_id", "is the distributor being replaced");
      }
      RAPPORT_ASSIGN_OR_RETURN(
          UserSummary to, LoadDistributor(tx_, *request_.to_distributor_id, "to_distributor_id"));
      if (to.status != "active") {
        return Error::InvalidField("to_distributor_id", to.name + " is " + to.status);
      }
    }
    return Ok();
  }

  // Every successor must exist, be active and not be the leaver.
  Status AddSuccessor(std::int64_t id, const std::string& field) {
    if (id == request_.from_user_id) {
      return Error::InvalidField(field, "is the person handing over");
    }
    if (plan_.Successor(id) != nullptr) return Ok();
    RAPPORT_ASSIGN_OR_RETURN(UserSummary user, LoadUser(tx_, id, field));
    if (user.status != "active") {
      return Error::InvalidField(field, user.name + " is " + user.status + ", not active");
    }
    plan_.successors.push_back(std::move(user));
    return Ok();
  }

  // The default successor and each rule's, with the territories the rules name.
  Status LoadSuccessors() {
    if (request_.successor_id) {
      RAPPORT_RETURN_IF_ERROR(AddSuccessor(*request_.successor_id, "successor_user_id"));
    }
    for (size_t i = 0; i < request_.rules.size(); ++i) {
      const std::string field = "rules[" + std::to_string(i) + "]";
      RAPPORT_RETURN_IF_ERROR(
          AddSuccessor(request_.rules[i].successor_id, field + ".successor_user_id"));
      for (const auto& [territory, name] :
           {std::pair{request_.rules[i].territory_id, ".territory_id"},
            std::pair{request_.rules[i].to_territory_id, ".to_territory_id"}}) {
        if (!territory) continue;
        RAPPORT_ASSIGN_OR_RETURN(
            std::int64_t found,
            tx_.QueryInt("SELECT count(*) FROM territories WHERE id = ?", {*territory}));
        if (found == 0) return Error::InvalidField(field + name, "no such territory");
      }
    }
    return Ok();
  }

  Status LoadChooser() {
    std::map<std::int64_t, std::int64_t> parents;
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows territory_rows,
        tx_.Query("SELECT id, parent_id FROM territories WHERE parent_id IS NOT NULL"));
    for (const auto& row : territory_rows) parents[row.Int("id")] = row.Int("parent_id");
    chooser_.emplace(request_, std::move(parents));
    return Ok();
  }

  // The accounts that move: the person's own, or those the distributor serves.
  Status PlanAccounts() {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows accounts,
                             tx_.Query("SELECT a.id, a.name, a.territory_id, a.postcode FROM "
                                       "accounts a WHERE " +
                                           scope_ + " AND a.archived_at IS NULL ORDER BY a.id",
                                       {scope_id_}));
    for (const auto& row : accounts) {
      const std::int64_t id = row.Int("id");
      const std::string name = row.Text("name");
      const std::optional<std::int64_t> territory_id = row.OptInt("territory_id");
      const std::string postcode = row.Text("postcode");
      const auto successor = chooser_->For(territory_id, postcode);
      const SuccessorRule* rule = chooser_->RuleFor(territory_id, postcode);
      account_successor_[id] = successor;
      account_name_[id] = name;
      PlanItem item{"account", id, id, name, successor};
      if (rule && rule->to_territory_id && rule->to_territory_id != territory_id) {
        item.to_territory_id = rule->to_territory_id;
      }
      plan_.items.push_back(std::move(item));
      if (!successor) {
        plan_.warnings.push_back(
            {"no_successor", name + " has no successor: no rule matches it", id, std::nullopt});
      }
    }
    return Ok();
  }

  // Whatever hangs off an account follows the account; anything else goes to the default.
  std::optional<std::int64_t> Follow(std::optional<std::int64_t> account_id) const {
    if (account_id) {
      auto it = account_successor_.find(*account_id);
      if (it != account_successor_.end()) return it->second;
    }
    return request_.successor_id;
  }

  // Adds `item` to the plan, warning when nobody takes it.
  void Add(PlanItem item, const std::string& what) {
    if (!item.successor_id) {
      plan_.warnings.push_back({"no_successor", what + " '" + item.label + "' has no successor",
                                item.account_id, std::nullopt});
    }
    plan_.items.push_back(std::move(item));
  }

  Status PlanOpportunities() {
    const std::string today = FormatDate(now_ / kMicrosPerDay);
    const std::string in_30_days = FormatDate(now_ / kMicrosPerDay + 30);
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows opportunities,
        tx_.Query(by_distributor_
                      ? "SELECT o.id, o.name, o.account_id, o.close_date FROM opportunities o "
                        "JOIN accounts a ON a.id = o.account_id WHERE " +
                            scope_ + " AND a.archived_at IS NULL AND o.owner_id = a.owner_id AND " +
                            "o.stage IN " + kOpenStages + " ORDER BY o.id"
                      : std::string("SELECT id, name, account_id, close_date FROM opportunities "
                                    "WHERE owner_id = ? AND stage IN ") +
                            kOpenStages + " ORDER BY id",
                  {scope_id_}));
    for (const auto& row : opportunities) {
      const std::int64_t account_id = row.Int("account_id");
      Add({"opportunity", row.Int("id"), account_id, row.Text("name"), Follow(account_id)},
          "The opportunity");
      const std::string close = row.Text("close_date");
      if (close <= in_30_days) {
        plan_.warnings.push_back({"closing_soon",
                                  "'" + row.Text("name") + "' closes on " + close +
                                      (close < today ? " (already past)" : "") +
                                      ": the successor must pick it up at once",
                                  account_id, std::nullopt});
      }
    }
    return Ok();
  }

  Status PlanTasks() {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows tasks,
        tx_.Query(by_distributor_
                      ? "SELECT t.id, t.subject, t.account_id FROM tasks t JOIN accounts a ON "
                        "a.id = t.account_id WHERE " +
                            scope_ +
                            " AND a.archived_at IS NULL AND t.owner_id = a.owner_id AND "
                            "t.done_at IS NULL ORDER BY t.id"
                      : "SELECT id, subject, account_id FROM tasks WHERE owner_id = ? AND "
                        "done_at IS NULL ORDER BY id",
                  {scope_id_}));
    for (const auto& row : tasks) {
      const std::optional<std::int64_t> account_id = row.OptInt("account_id");
      Add({"task", row.Int("id"), account_id, row.Text("subject"), Follow(account_id)}, "The task");
    }
    return Ok();
  }

  // Open cases, live success plans and undecided trials: what the customer is waiting on.
  Status PlanHeldRecords() {
    struct Held {
      const char* type;
      const char* table;
      const char* label;
      const char* open;  // condition over alias t
      const char* what;  // for the warning
    };
    static constexpr Held kHeld[] = {
        {"case", "cases", "t.subject", "t.status IN ('open', 'waiting_on_customer')", "The case"},
        {"success_plan", "success_plans", "t.title", "t.status IN ('draft', 'active')",
         "The success plan"},
        {"trial", "trials", "t.objectives", "t.decision IS NULL", "The trial"},
    };
    for (const Held& held : kHeld) {
      const std::string table = held.table;
      RAPPORT_ASSIGN_OR_RETURN(
          db::Rows rows,
          tx_.Query(by_distributor_
                        ? "SELECT t.id, " + std::string(held.label) +
                              " AS record_label, t.account_id FROM " + table +
                              " t JOIN accounts a ON a.id = t.account_id WHERE " + scope_ +
                              " AND a.archived_at IS NULL AND t.owner_id = a.owner_id AND " +
                              held.open + " ORDER BY t.id"
                        : "SELECT t.id, " + std::string(held.label) +
                              " AS record_label, t.account_id FROM " + table +
                              " t WHERE t.owner_id = ? AND " + held.open + " ORDER BY t.id",
                    {scope_id_}));
      for (const auto& row : rows) {
        const std::int64_t account_id = row.Int("account_id");
        Add({held.type, row.Int("id"), account_id, row.Text("record_label"), Follow(account_id)},
            held.what);
      }
    }
    return Ok();
  }

  // A distributor has no meetings, territories or team places of ours: leaver is 0, no rows.
  Status PlanMeetings() {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows meetings,
        tx_.Query("SELECT id, subject, account_id FROM activities WHERE user_id = ? AND "
                  "occurred_at > ? AND kind IN ('meeting', 'visit', 'call') ORDER BY id",
                  {leaver_, now_}));
    for (const auto& row : meetings) {
      const std::int64_t account_id = row.Int("account_id");
      Add({"meeting", row.Int("id"), account_id, row.Text("subject"), Follow(account_id)},
          "The meeting");
    }
    return Ok();
  }

  // Revenue splits the person holds on open deals (someone on leave keeps theirs).
  Status PlanSplits() {
    if (request_.reason == "leave") return Ok();
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows splits,
        tx_.Query(std::string("SELECT s.opportunity_id, o.name, o.account_id FROM "
                              "opportunity_splits s JOIN opportunities o ON o.id = "
                              "s.opportunity_id WHERE s.user_id = ? AND o.stage IN ") +
                      kOpenStages + " ORDER BY s.opportunity_id",
                  {leaver_}));
    for (const auto& row : splits) {
      const std::int64_t account_id = row.Int("account_id");
      PlanItem item{"split", row.Int("opportunity_id"), account_id, row.Text("name"),
                    Follow(account_id)};
      // Keep the team: the others on the deal share the leaver's part.
      if (request_.team_rule == TeamRule::kKeepTeam) item.action = "remove";
      Add(std::move(item), "The revenue split on");
    }
    return Ok();
  }

  Status PlanTerritories() {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows territories,
        tx_.Query("SELECT id, name FROM territories WHERE owner_id = ? ORDER BY id", {leaver_}));
    for (const auto& row : territories) {
      const std::int64_t id = row.Int("id");
      Add({"territory", id, std::nullopt, row.Text("name"), chooser_->For(id, "")},
          "The territory");
    }
    return Ok();
  }

  // The leaver's places on account teams: the successor takes each, unless they already hold it
  // or the team keeps it (the account owner's place always moves).
  Status PlanTeamPlaces() {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows team,
        tx_.Query("SELECT m.id, m.account_id, m.team_role, a.name FROM account_team_members m "
                  "JOIN accounts a ON a.id = m.account_id WHERE m.user_id = ? ORDER BY m.id",
                  {leaver_}));
    for (const auto& row : team) {
      const std::int64_t account_id = row.Int("account_id");
      const std::string team_role = row.Text("team_role");
      PlanItem item{"team_member", row.Int("id"), account_id,
                    row.Text("name") + " (" + team_role + ")", Follow(account_id)};
      const bool owner_place = team_role == "account_owner";
      if (request_.team_rule == TeamRule::kKeepTeam && !owner_place) item.action = "remove";
      if (item.action == "reassign" && item.successor_id) {
        RAPPORT_ASSIGN_OR_RETURN(
            std::int64_t already,
            tx_.QueryInt("SELECT count(*) FROM account_team_members WHERE account_id = ? AND "
                         "user_id = ? AND team_role = ?",
                         {account_id, *item.successor_id, team_role}));
        if (already > 0) item.action = "remove";  // the successor already holds this place
      }
      if (item.action == "reassign") {
        Add(std::move(item), "The team place");
      } else {
        plan_.items.push_back(std::move(item));  // nobody needs to take a place that goes
      }
    }
    return Ok();
  }

  // Who is at risk, account by account: no contact at the customer, or only one.
  Status WarnSingleThreaded() {
    std::map<std::int64_t, std::int64_t> active_contacts;
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows contact_counts,
        tx_.Query(
            "SELECT c.account_id, count(*) AS active_contacts FROM contacts c JOIN accounts a ON "
            "a.id = c.account_id WHERE " +
                scope_ + " AND a.archived_at IS NULL AND c.left_at IS NULL GROUP BY c.account_id",
            {scope_id_}));
    for (const auto& row : contact_counts) {
      active_contacts[row.Int("account_id")] = row.Int("active_contacts");
    }
    for (const auto& [id, name] : account_name_) {
      const std::int64_t n = active_contacts[id];
      if (n <= 1) {
        plan_.warnings.push_back({"single_threaded",
                                  name + (n == 0 ? " has no contact at the customer"
                                                 : " hangs on one contact at the customer"),
                                  id, std::nullopt});
      }
    }
    return Ok();
  }

  // Top accounts: the top fifth of this book by revenue over the last twelve months.
  Result<std::set<std::int64_t>> TopAccounts() {
    // The month eleven months back (about 334 days) and this one: twelve periods.
    const std::string since = FormatDate(now_ / kMicrosPerDay - 334).substr(0, 7);
    // In the company's currency, each month's lines at the rate of its first day.
    const std::string in_company =
        settings::InStoredCompanyCurrencySql("s.revenue_minor", "s.currency", "s.period || '-01'");
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows revenue,
        tx_.Query("SELECT s.account_id, sum(" + in_company +
                      ") AS revenue FROM sales_lines s JOIN accounts a ON a.id = s.account_id "
                      "WHERE " +
                      scope_ +
                      " AND a.archived_at IS NULL AND s.period >= ? GROUP BY s.account_id "
                      "HAVING sum(" +
                      in_company + ") > 0 ORDER BY revenue DESC, s.account_id",
                  {scope_id_, since}));
    std::set<std::int64_t> top_accounts;
    const size_t top = (account_name_.size() + 4) / 5;
    for (size_t i = 0; i < revenue.size() && i < top; ++i) {
      top_accounts.insert(revenue[i].Int("account_id"));
    }
    return top_accounts;
  }

  // The successor's active manager (not the leaver), who also introduces them at top accounts;
  // nullopt when there is none. Looked up once per successor.
  Result<std::optional<UserSummary>> ManagerOf(std::int64_t successor) {
    auto known = managers_.find(successor);
    if (known != managers_.end()) return known->second;
    std::optional<UserSummary>& manager = managers_[successor];
    const UserSummary* s = plan_.Successor(successor);
    if (s != nullptr && s->manager_id && *s->manager_id != leaver_) {
      RAPPORT_ASSIGN_OR_RETURN(UserSummary found,
                               LoadUser(tx_, *s->manager_id, "successor_user_id"));
      if (found.status == "active") manager = found;
    }
    return manager;
  }

  // Key contacts (still at the customer, reachable by email and not having refused it or any
  // contact, and high influence, a KOL, or in a buying role on an open deal) are introduced to
  // their account's successor, and at top accounts by the successor's manager too.
  Status PlanIntroductions() {
    RAPPORT_ASSIGN_OR_RETURN(const std::set<std::int64_t> top_accounts, TopAccounts());
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows key_contacts,
        tx_.Query(std::string("SELECT c.id, c.account_id, c.first_name, c.last_name, c.email "
                              "FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE ") +
                      scope_ +
                      " AND a.archived_at IS NULL AND c.left_at IS NULL AND c.email IS NOT NULL "
                      "AND c.email <> '' AND c.email_opted_out = 0 AND c.do_not_contact = 0 "
                      "AND (c.influence = 'high' OR c.kol = 1 OR EXISTS "
                      "(SELECT 1 FROM opportunity_contact_roles r JOIN opportunities o ON o.id = "
                      "r.opportunity_id WHERE r.contact_id = c.id AND o.stage IN " +
                      kOpenStages + ")) ORDER BY c.account_id, c.id",
                  {scope_id_}));
    std::set<std::int64_t> introduced_accounts;
    for (const auto& row : key_contacts) {
      const std::int64_t account_id = row.Int("account_id");
      const auto successor = account_successor_[account_id];
      if (!successor) continue;
      introduced_accounts.insert(account_id);
      const std::string first_name = row.Text("first_name");
      PlannedIntroduction intro{account_id,
                                row.Int("id"),
                                first_name + " " + row.Text("last_name"),
                                first_name,
                                row.Text("email"),
                                *successor,
                                *successor,
                                false};
      plan_.introductions.push_back(intro);
      if (top_accounts.count(account_id) == 0) continue;
      RAPPORT_ASSIGN_OR_RETURN(const std::optional<UserSummary> manager, ManagerOf(*successor));
      if (!manager) continue;
      intro.sender_id = manager->id;
      intro.from_manager = true;
      plan_.introductions.push_back(intro);
      if (plan_.Successor(manager->id) == nullptr) {
        // Not a successor, but their name and address go on the message.
        plan_.successors.push_back(*manager);
      }
    }
    for (const auto& [id, name] : account_name_) {
      if (account_successor_[id] && introduced_accounts.count(id) == 0) {
        plan_.warnings.push_back({"no_key_contact",
                                  name + " has no key contact we may email: nobody there "
                                         "will be introduced",
                                  id, std::nullopt});
      }
    }
    return Ok();
  }

  // Successors who would own too much.
  Status WarnOverOwnershipLimit() {
    std::map<std::int64_t, std::int64_t> incoming;
    for (const auto& [id, successor] : account_successor_) {
      if (successor) ++incoming[*successor];
    }
    for (const auto& [successor, n] : incoming) {
      RAPPORT_ASSIGN_OR_RETURN(
          std::int64_t owned,
          tx_.QueryInt("SELECT count(*) FROM accounts WHERE owner_id = ? AND archived_at IS NULL",
                       {successor}));
      if (owned + n > request_.ownership_limit) {
        const UserSummary* s = plan_.Successor(successor);
        plan_.warnings.push_back({"over_ownership_limit",
                                  (s ? s->name : std::to_string(successor)) + " would own " +
                                      std::to_string(owned + n) + " accounts (limit " +
                                      std::to_string(request_.ownership_limit) + ")",
                                  std::nullopt, successor});
      }
    }
    return Ok();
  }

  db::Transaction& tx_;
  const HandoverRequest& request_;
  const Instant now_;
  const bool by_distributor_;
  const std::string scope_;   // the accounts that move, over alias a
  const db::Value scope_id_;  // its parameter
  const std::int64_t leaver_;
  std::optional<SuccessorChooser> chooser_;
  HandoverPlan plan_;
  std::map<std::int64_t, std::optional<std::int64_t>> account_successor_;
  std::map<std::int64_t, std::string> account_name_;
  std::map<std::int64_t, std::optional<UserSummary>> managers_;  // successor -> active manager
};

}  // namespace

Result<HandoverPlan> PlanHandover(db::Transaction& tx, const HandoverRequest& request,
                                  Instant now) {
  return HandoverPlanner(tx, request, now).Plan();
}

namespace {

// Moves each item of the plan to its successor (or removes it), noting it on the handover.
Status MoveItems(db::Transaction& tx, const audit::Actor& actor, const HandoverPlan& plan,
                 std::int64_t handover_id) {
  const HandoverRequest& request = plan.request;
  bool crossed_accounts = false;
  for (const PlanItem& item : plan.items) {
    if (item.record_type != "account" && !crossed_accounts) {
      crossed_accounts = true;
      CrashPoint("handover-midway");
    }
    if (item.record_type == "split") {
      RAPPORT_RETURN_IF_ERROR(MoveSplit(tx, item.record_id, request.from_user_id,
                                        *item.successor_id, item.action == "remove"));
    } else if (item.action == "remove") {
      RAPPORT_RETURN_IF_ERROR(
          tx.Execute("DELETE FROM account_team_members WHERE id = ?", {item.record_id}));
      RAPPORT_RETURN_IF_ERROR(
          audit::RecordAction(tx, actor, "account_team_members", item.record_id, "delete"));
    } else {
      const Target target = TargetOf(item.record_type);
      audit::FieldValues changes = {{target.column, *item.successor_id}};
      if (request.from_distributor_id && item.record_type == "account") {
        changes.emplace_back("distributor_id", db::OptionalInt(request.to_distributor_id));
      }
      if (item.to_territory_id) changes.emplace_back("territory_id", *item.to_territory_id);
      RAPPORT_RETURN_IF_ERROR(Discard(audit::UpdateAudited(
          tx, actor, target.table, item.record_id, std::nullopt, changes, target.versioned)));
    }
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO handover_items (handover_id, record_type, record_id, account_id, "
                   "successor_id, action, to_territory_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {handover_id, item.record_type, item.record_id, db::OptionalInt(item.account_id),
                    *item.successor_id, item.action, db::OptionalInt(item.to_territory_id)}));
  }
  return Ok();
}

// The distributor replaced is terminated; the person handing over goes on leave or, having
// resigned, is marked left and signed out everywhere.
Status UpdateLeaver(db::Transaction& tx, const audit::Actor& actor, const HandoverPlan& plan) {
  const HandoverRequest& request = plan.request;
  if (request.from_distributor_id) {
    RAPPORT_RETURN_IF_ERROR(
        Discard(audit::UpdateAudited(tx, actor, "distributors", *request.from_distributor_id,
                                     std::nullopt, {{"status", std::string("terminated")}})));
  }
  if (request.reason == "leave" && plan.leaver.status == "active") {
    RAPPORT_RETURN_IF_ERROR(
        Discard(audit::UpdateAudited(tx, actor, "users", request.from_user_id, std::nullopt,
                                     {{"status", std::string("on_leave")}})));
  }
  if (plan.marks_leaver_left) {
    std::int64_t day = 0;
    ParseDate(request.effective_on, day);
    const Instant left_at = std::min<Instant>(actor.at, day * kMicrosPerDay);
    RAPPORT_RETURN_IF_ERROR(
        Discard(audit::UpdateAudited(tx, actor, "users", request.from_user_id, std::nullopt,
                                     {{"status", std::string("left")}, {"left_at", left_at}})));
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                   {actor.at, request.from_user_id}));
  }
  return Ok();
}

// Introductions, queued in the outbox, and a first-contact task per key contact.
Status QueueIntroductions(db::Transaction& tx, const audit::Actor& actor, const HandoverPlan& plan,
                          std::int64_t handover_id) {
  const HandoverRequest& request = plan.request;
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> template_row,
      tx.QueryOne("SELECT subject, body FROM message_templates WHERE reason = ?",
                  {request.reason}));
  if (!template_row) {
    return Error(ErrorCode::kFailedPrecondition,
                 "there is no message template for '" + request.reason + "'");
  }
  std::int64_t effective_day = 0;
  ParseDate(request.effective_on, effective_day);
  const std::string due_on =
      FormatDate(std::max(effective_day, actor.at / kMicrosPerDay) + request.first_contact_days);
  std::map<std::int64_t, std::string> account_names;
  for (const PlanItem& item : plan.items) {
    if (item.record_type == "account") account_names[item.record_id] = item.label;
  }
  for (const PlannedIntroduction& intro : plan.introductions) {
    const UserSummary* successor = plan.Successor(intro.successor_id);
    const UserSummary* sender = plan.Successor(intro.sender_id);
    if (successor == nullptr || sender == nullptr) {
      return Error(ErrorCode::kInternal, "an introduction names a user outside the plan");
    }
    const std::map<std::string, std::string> values = {
        {"contact_first_name", intro.contact_first_name},
        {"contact_name", intro.contact_name},
        {"account_name", account_names[intro.account_id]},
        {"leaver_name", plan.leaver.name},
        {"successor_name", successor->name},
        {"successor_email", successor->email},
        {"sender_name", sender->name},
        {"company", request.company_name},
    };
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t message_id,
        tx.QueryInt(
            "INSERT INTO outbox (kind, sender_user_id, sender_name, sender_email, "
            "recipient_name, recipient_email, subject, body, account_id, contact_id, "
            "next_attempt_at, created_at) VALUES ('introduction', ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?) RETURNING id",
            {sender->id, sender->name, sender->email, intro.contact_name, intro.contact_email,
             Fill(template_row->Text("subject"), values), Fill(template_row->Text("body"), values),
             intro.account_id, intro.contact_id, actor.at, actor.at}));
    db::Value task_id = db::Null();
    if (!intro.from_manager) {
      RAPPORT_ASSIGN_OR_RETURN(
          std::int64_t id,
          audit::InsertAudited(tx, actor, "tasks",
                               {{"owner_id", intro.successor_id},
                                {"account_id", intro.account_id},
                                {"related_type", std::string("contact")},
                                {"related_id", intro.contact_id},
                                {"subject", "First contact after handover: " + intro.contact_name},
                                {"due_on", due_on}}));
      task_id = id;
    }
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO introductions (handover_id, account_id, contact_id, successor_id, "
                   "from_manager, message_id, task_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   {handover_id, intro.account_id, intro.contact_id, intro.successor_id,
                    std::int64_t{intro.from_manager ? 1 : 0}, message_id, task_id}));
  }
  return Ok();
}

}  // namespace

Result<std::int64_t> CommitHandover(db::Transaction& tx, const audit::Actor& actor,
                                    const HandoverPlan& plan) {
  const HandoverRequest& request = plan.request;
  const auto unplaced = std::count_if(plan.items.begin(), plan.items.end(), [](const PlanItem& i) {
    return !i.successor_id && i.action == "reassign";
  });
  if (unplaced > 0) {
    return Error(ErrorCode::kFailedPrecondition,
                 std::to_string(unplaced) +
                     " records in the plan have no successor: give successor_user_id or a rule "
                     "that covers them",
                 {FieldError{"successor_user_id", "does not cover everything"}});
  }
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t handover_id,
      tx.QueryInt(
          "INSERT INTO handovers (from_user_id, from_distributor_id, to_distributor_id, "
          "cover_ends_on, reason, effective_on, team_rule, first_contact_days, created_by, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          {request.from_user_id == 0 ? db::Null() : db::Value(request.from_user_id),
           db::OptionalInt(request.from_distributor_id), db::OptionalInt(request.to_distributor_id),
           db::OptionalText(request.cover_ends_on), request.reason, request.effective_on,
           std::string(request.team_rule == TeamRule::kKeepTeam ? "keep_team" : "replace_leaver"),
           std::int64_t{request.first_contact_days}, db::OptionalInt(actor.user_id), actor.at}));
  RAPPORT_RETURN_IF_ERROR(MoveItems(tx, actor, plan, handover_id));
  RAPPORT_RETURN_IF_ERROR(UpdateLeaver(tx, actor, plan));
  RAPPORT_RETURN_IF_ERROR(QueueIntroductions(tx, actor, plan, handover_id));
  // For the company's other systems (webhooks): the accounts' new owners come as their own
  // account.updated events.
  std::string successors;
  for (const UserSummary& s : plan.successors) {
    successors += (successors.empty() ? "" : ",") + ("\"" + std::to_string(s.id) + "\"");
  }
  std::string extra = audit::JsonMember("reason", request.reason) + "," +
                      audit::JsonMember("effective_on", request.effective_on) + "," +
                      audit::JsonMember("accounts", plan.Count("account")) +
                      ",\"successor_ids\":[" + successors + "]";
  if (request.from_user_id != 0) {
    extra += "," + audit::JsonMember("from_user_id", std::to_string(request.from_user_id));
  }
  if (request.from_distributor_id) {
    extra += "," +
             audit::JsonMember("from_distributor_id", std::to_string(*request.from_distributor_id));
  }
  RAPPORT_RETURN_IF_ERROR(
      audit::PublishEvent(tx, actor.at,
                          {.type = "handover.committed",
                           .object = "handover",
                           .object_id = handover_id,
                           .path = "/api/v1/handovers/" + std::to_string(handover_id),
                           .changed_by = actor.user_id,
                           .extra = extra}));
  return handover_id;
}

namespace {

// The handover itself: who handed over, why, from when, and who made it.
Status LoadProgressHead(db::Transaction& tx, std::int64_t id, HandoverProgress& progress) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> head,
      tx.QueryOne("SELECT from_user_id, reason, effective_on, team_rule, created_by, created_at, "
                  "from_distributor_id, to_distributor_id, cover_ends_on, cover_ended_at "
                  "FROM handovers WHERE id = ?",
                  {id}));
  if (!head) return Error(ErrorCode::kNotFound, "there is no handover " + std::to_string(id));
  progress.id = id;
  progress.from_distributor_id = head->OptInt("from_distributor_id");
  progress.to_distributor_id = head->OptInt("to_distributor_id");
  progress.cover_ends_on = head->OptText("cover_ends_on");
  progress.cover_ended_at = head->OptInt("cover_ended_at");
  if (progress.from_distributor_id) {
    RAPPORT_ASSIGN_OR_RETURN(progress.leaver,
                             LoadDistributor(tx, *progress.from_distributor_id, "id"));
  } else {
    RAPPORT_ASSIGN_OR_RETURN(progress.leaver,
                             LoadUser(tx, head->Int("from_user_id"), "from_user_id"));
  }
  progress.reason = head->Text("reason");
  progress.effective_on = head->Text("effective_on");
  progress.team_rule = head->Text("team_rule");
  progress.created_by = head->OptInt("created_by");
  progress.created_at = head->Int("created_at");
  return Ok();
}

// How many items of each kind the handover moved.
Status CountProgressItems(db::Transaction& tx, HandoverProgress& progress) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows counts, tx.Query("SELECT record_type, count(*) AS item_count FROM handover_items "
                                "WHERE handover_id = ? GROUP BY record_type ORDER BY record_type",
                                {progress.id}));
  for (const auto& row : counts) {
    progress.counts.emplace_back(row.Text("record_type"), static_cast<int>(row.Int("item_count")));
  }
  return Ok();
}

// Where each account handed over sits in progress.accounts.
using AccountIndex = std::map<std::int64_t, size_t>;

// The accounts handed over, each with its successor.
Result<AccountIndex> LoadProgressAccounts(db::Transaction& tx, HandoverProgress& progress) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows accounts,
      tx.Query("SELECT hi.account_id, a.name AS account_name, hi.successor_id, "
               "u.name AS successor_name FROM handover_items hi "
               "JOIN accounts a ON a.id = hi.account_id JOIN users u ON u.id = hi.successor_id "
               "WHERE hi.handover_id = ? AND hi.record_type = 'account' ORDER BY a.name, a.id",
               {progress.id}));
  AccountIndex index;
  for (const auto& row : accounts) {
    AccountProgress a;
    a.account_id = row.Int("account_id");
    a.name = row.Text("account_name");
    a.successor_id = row.Int("successor_id");
    a.successor_name = row.Text("successor_name");
    index[a.account_id] = progress.accounts.size();
    progress.accounts.push_back(std::move(a));
  }
  return index;
}

// The introductions queued for each account, and how many of them are sent.
Status CountProgressIntroductions(db::Transaction& tx, const AccountIndex& index,
                                  HandoverProgress& progress) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows messages,
      tx.Query("SELECT i.account_id, count(*) AS introduction_count, "
               "sum(CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END) AS sent_count "
               "FROM introductions i JOIN outbox o ON o.id = i.message_id "
               "WHERE i.handover_id = ? GROUP BY i.account_id",
               {progress.id}));
  for (const auto& row : messages) {
    auto it = index.find(row.Int("account_id"));
    if (it == index.end()) continue;
    progress.accounts[it->second].introductions = static_cast<int>(row.Int("introduction_count"));
    progress.accounts[it->second].introductions_sent = static_cast<int>(row.Int("sent_count"));
  }
  return Ok();
}

// The first-contact tasks of each account, how many are made and the earliest due; returns the
// accounts with one not made and past due. A first contact is made when its task is done or the
// successor has since called on, visited or met the contact. CROSS JOIN keeps SQLite starting
// from the contact's few activities rather than the successor's many (PostgreSQL reads it as a
// plain join): 135 s -> well under a second for a 1,451-account handover at the 1M-account scale.
Result<std::set<std::int64_t>> CountFirstContacts(db::Transaction& tx, const AccountIndex& index,
                                                  Instant now, HandoverProgress& progress) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows first_contacts,
      tx.Query(
          "SELECT i.account_id, t.due_on, CASE WHEN t.done_at IS NOT NULL OR EXISTS (SELECT "
          "1 FROM activity_contacts ac CROSS JOIN activities x WHERE x.id = ac.activity_id AND "
          "ac.contact_id = i.contact_id AND x.user_id = i.successor_id AND x.kind IN "
          "('call', 'visit', 'meeting') AND x.created_at >= ?) THEN 1 ELSE 0 END "
          "AS first_contact_made "
          "FROM introductions i JOIN tasks t ON t.id = i.task_id WHERE i.handover_id = ?",
          {progress.created_at, progress.id}));
  const std::string today = FormatDate(now / kMicrosPerDay);
  std::set<std::int64_t> overdue;
  for (const auto& row : first_contacts) {
    auto it = index.find(row.Int("account_id"));
    if (it == index.end()) continue;
    AccountProgress& a = progress.accounts[it->second];
    ++a.first_contacts;
    const bool done = row.Int("first_contact_made") == 1;
    if (done) ++a.first_contacts_done;
    const std::string due = row.Text("due_on");
    if (!a.first_contact_due_on || due < *a.first_contact_due_on) a.first_contact_due_on = due;
    if (!done && due < today) overdue.insert(a.account_id);
  }
  return overdue;
}

// Each account's state, from its introductions and first contacts.
void SetAccountStates(const std::set<std::int64_t>& overdue, HandoverProgress& progress) {
  for (AccountProgress& a : progress.accounts) {
    if (a.first_contacts > 0 && a.first_contacts_done == a.first_contacts) {
      a.state = "first_contact_made";
    } else if (overdue.count(a.account_id) > 0) {
      a.state = "overdue";
    } else if (a.introductions > 0 && a.introductions_sent == a.introductions) {
      a.state = "introduced";
    } else {
      a.state = "pending";
    }
  }
}

}  // namespace

Result<HandoverProgress> LoadHandoverProgress(db::Transaction& tx, std::int64_t id, Instant now) {
  HandoverProgress progress;
  RAPPORT_RETURN_IF_ERROR(LoadProgressHead(tx, id, progress));
  RAPPORT_RETURN_IF_ERROR(CountProgressItems(tx, progress));
  RAPPORT_ASSIGN_OR_RETURN(const AccountIndex index, LoadProgressAccounts(tx, progress));
  RAPPORT_RETURN_IF_ERROR(CountProgressIntroductions(tx, index, progress));
  RAPPORT_ASSIGN_OR_RETURN(const std::set<std::int64_t> overdue,
                           CountFirstContacts(tx, index, now, progress));
  SetAccountStates(overdue, progress);
  return progress;
}

Result<int> EndCovers(db::Transaction& tx, const audit::Actor& actor) {
  const std::string today = FormatDate(actor.at / kMicrosPerDay);
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows covers, tx.Query("SELECT id, from_user_id FROM handovers WHERE reason = 'leave' AND "
                                "cover_ended_at IS NULL AND cover_ends_on <= ? ORDER BY id",
                                {today}));
  for (const auto& cover : covers) {
    const std::int64_t cover_id = cover.Int("id");
    const std::int64_t person = cover.Int("from_user_id");
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows items,
        tx.Query("SELECT record_type, record_id, successor_id FROM handover_items WHERE "
                 "handover_id = ? AND action = 'reassign' ORDER BY id",
                 {cover_id}));
    for (const auto& item : items) {
      const std::string type = item.Text("record_type");
      const std::int64_t record_id = item.Int("record_id");
      const Target target = TargetOf(type);
      // Only what the cover still holds, and still open, goes back.
      std::string still = std::string("SELECT count(*) FROM ") + target.table +
                          " WHERE id = ? AND " + target.column + " = ?";
      if (type == "opportunity") still += std::string(" AND stage IN ") + kOpenStages;
      if (type == "task") still += " AND done_at IS NULL";
      if (type == "case") still += " AND status IN ('open', 'waiting_on_customer')";
      if (type == "success_plan") still += " AND status IN ('draft', 'active')";
      if (type == "trial") still += " AND decision IS NULL";
      if (type == "team_member") {
        still +=
            " AND NOT EXISTS (SELECT 1 FROM account_team_members o WHERE o.account_id = "
            "account_team_members.account_id AND o.team_role = "
            "account_team_members.team_role AND o.user_id = " +
            std::to_string(person) + ")";
      }
      RAPPORT_ASSIGN_OR_RETURN(std::int64_t held,
                               tx.QueryInt(still, {record_id, item.Int("successor_id")}));
      if (held == 0) continue;
      RAPPORT_RETURN_IF_ERROR(
          Discard(audit::UpdateAudited(tx, actor, target.table, record_id, std::nullopt,
                                       {{target.column, person}}, target.versioned)));
    }
    RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> status,
                             tx.QueryOne("SELECT status FROM users WHERE id = ?", {person}));
    if (status && status->Text("status") == "on_leave") {
      RAPPORT_RETURN_IF_ERROR(Discard(audit::UpdateAudited(tx, actor, "users", person, std::nullopt,
                                                           {{"status", std::string("active")}})));
    }
    RAPPORT_RETURN_IF_ERROR(
        tx.Execute("UPDATE handovers SET cover_ended_at = ? WHERE id = ?", {actor.at, cover_id}));
  }
  return static_cast<int>(covers.size());
}

void CrashPoint(const char* point) {
  const char* at = std::getenv("RAPPORT_CRASH_AT");
  if (at != nullptr && std::strcmp(at, point) == 0) std::raise(SIGKILL);
}

}  // namespace rapport::continuity
