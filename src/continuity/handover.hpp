// Handovers: when a rep resigns, is promoted or moves, a territory is split or a distributor
// changes, everything the person looked after moves to a successor together, in one transaction:
// accounts, open opportunities, open tasks, upcoming meetings, territories and account-team places.
// Closed history stays with whoever did it. Each key contact gets an introduction (queued in the
// outbox in the same transaction) and the successor a first-contact task per key contact.
//
// PlanHandover works out what would move and warns about what is at risk; it writes nothing, so a
// dry run is the plan itself. CommitHandover carries out exactly that plan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/clock.hpp"
#include "db/database.hpp"

namespace rapport::continuity {

inline constexpr const char* kHandoverReasons[] = {
    "resigned", "promoted", "moved", "leave", "territory_split", "distributor_change"};

// Sends accounts matching a territory (or one below it) or a postcode prefix to a successor.
// A territory split: the matched accounts can also move into another territory.
struct SuccessorRule {
  std::optional<std::int64_t> territory_id;
  std::optional<std::string> postcode_prefix;
  std::int64_t successor_id = 0;
  std::optional<std::int64_t> to_territory_id;
};

enum class TeamRule {
  kReplaceLeaver,  // the successor takes every team place the leaver held
  kKeepTeam,       // the team stays; the leaver leaves it, the successor joins only as owner
};

struct HandoverRequest {
  std::int64_t from_user_id = 0;  // 0 when a distributor hands over
  // distributor_change: the distributor whose accounts move, and the one that takes them over
  // (none: we serve them directly through the successor).
  std::optional<std::int64_t> from_distributor_id;
  std::optional<std::int64_t> to_distributor_id;
  // leave: the day the person is back, when the cover ends by itself.
  std::optional<std::string> cover_ends_on;
  std::optional<std::int64_t> successor_id;  // for whatever no rule matches
  std::vector<SuccessorRule> rules;          // first match wins
  std::string reason;
  std::string effective_on;  // YYYY-MM-DD
  TeamRule team_rule = TeamRule::kReplaceLeaver;
  int first_contact_days = 14;
  int ownership_limit = 300;        // accounts a successor may own before the plan warns
  std::string company_name = "us";  // {company} in the introductions
};

struct PlanItem {
  std::string record_type;  // account, opportunity, task, meeting, territory, team_member, case,
                            // success_plan, trial, split (record_id: the opportunity)
  std::int64_t record_id = 0;
  std::optional<std::int64_t> account_id;
  std::string label;                         // name, subject, ...
  std::optional<std::int64_t> successor_id;  // nullopt: nobody to take it
  std::string action = "reassign";  // or "remove" (a team place; a split shared by the team)
  std::optional<std::int64_t> to_territory_id;  // accounts moving territory in a split
};

struct PlannedIntroduction {
  std::int64_t account_id = 0;
  std::int64_t contact_id = 0;
  std::string contact_name;
  std::string contact_first_name;
  std::string contact_email;
  std::int64_t successor_id = 0;
  std::int64_t sender_id = 0;  // the successor, or their manager for top accounts
  bool from_manager = false;
};

struct PlanWarning {
  std::string code;  // no_successor, single_threaded, closing_soon, over_ownership_limit, ...
  std::string message;
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> user_id;
};

struct UserSummary {
  std::int64_t id = 0;
  std::string name;
  std::string email;
  std::string status;
  std::optional<std::int64_t> manager_id;
};

struct HandoverPlan {
  HandoverRequest request;
  UserSummary leaver;                   // for a distributor: its name and email, id 0
  std::vector<UserSummary> successors;  // everyone who receives something
  std::vector<PlanItem> items;
  std::vector<PlannedIntroduction> introductions;
  std::vector<PlanWarning> warnings;
  bool marks_leaver_left = false;  // resigned: the leaver is marked left

  int Count(const std::string& record_type) const;
  const UserSummary* Successor(std::int64_t id) const;
};

// kInvalidArgument naming the field for an unknown or inactive user, a successor who is the
// leaver, a bad date or reason.
Result<HandoverPlan> PlanHandover(db::Transaction& tx, const HandoverRequest& request, Instant now);

// Carries out `plan` (from PlanHandover in the same transaction). kFailedPrecondition, changing
// nothing, when anything in the plan has no successor. Returns the handover's id.
Result<std::int64_t> CommitHandover(db::Transaction& tx, const audit::Actor& actor,
                                    const HandoverPlan& plan);

// Where a handover stands, account by account.
struct AccountProgress {
  std::int64_t account_id = 0;
  std::string name;
  std::int64_t successor_id = 0;
  std::string successor_name;
  int introductions = 0;
  int introductions_sent = 0;
  int first_contacts = 0;       // first-contact tasks
  int first_contacts_done = 0;  // done, or the successor has met the contact since
  std::optional<std::string> first_contact_due_on;
  std::string state;  // pending, introduced, first_contact_made, overdue
};

struct HandoverProgress {
  std::int64_t id = 0;
  UserSummary leaver;
  std::string reason;
  std::string effective_on;
  std::string team_rule;
  std::optional<std::int64_t> from_distributor_id, to_distributor_id;
  std::optional<std::string> cover_ends_on;
  std::optional<Instant> cover_ended_at;
  std::optional<std::int64_t> created_by;
  Instant created_at = 0;
  std::vector<std::pair<std::string, int>> counts;  // record_type -> items
  std::vector<AccountProgress> accounts;
  int State(const std::string& state) const;
};

// kNotFound when there is no such handover.
Result<HandoverProgress> LoadHandoverProgress(db::Transaction& tx, std::int64_t id, Instant now);

// Ends every cover (a handover for leave) whose end date has come: what the cover still holds
// goes back to the person, who is active again. Returns how many covers ended.
Result<int> EndCovers(db::Transaction& tx, const audit::Actor& actor);

// Test hook: when the environment variable RAPPORT_CRASH_AT names `point`, the process is killed
// (SIGKILL) there, as a power cut would. Used to prove a commit is all or nothing.
void CrashPoint(const char* point);

}  // namespace rapport::continuity
