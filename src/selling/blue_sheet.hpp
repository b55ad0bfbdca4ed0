// The Blue Sheet (Miller Heiman strategic selling) of one opportunity, its single sales objective:
// the buying influences (each contact's roles, response mode, degree of influence, our rating
// -3..+3, win theme and the business result behind it), the strengths, the red flags the rep saw,
// and the possible actions, of which the shortlisted ones (with an owner and a date) become tasks.
//
// Red flags are also computed from the data, never only typed: see RedFlags().
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "db/database.hpp"

namespace rapport::selling {

inline constexpr const char* kResponseModes[] = {"growth", "trouble", "even_keel", "overconfident"};
inline constexpr const char* kWinThemes[] = {
    "price",       "ease",     "speed", "podium_presence", "work_life_balance",
    "recognition", "promotion"};  // or free text

struct BuyingInfluence {
  std::int64_t contact_id = 0;
  std::vector<std::string> roles;  // economic_buyer, user_buyer, technical_buyer, coach
  std::optional<std::string> response_mode;
  std::optional<std::string> degree_of_influence;  // low, medium, high
  std::optional<std::int64_t> rating;              // -3..+3
  std::optional<std::string> win_theme;
  std::optional<std::string> business_result;
  // Read only, from the contact and the activities.
  std::string name, job_title, function, stance;
  bool left = false;
  std::optional<Instant> last_met_at;  // last call, visit or meeting with them
};

struct PossibleAction {
  std::optional<std::int64_t> id;  // absent for a new one
  std::string description;
  bool shortlisted = false;
  std::optional<std::int64_t> owner_id;
  std::optional<std::string> due_on;
  std::optional<std::int64_t> task_id;  // read only: the task a shortlisted action became
};

struct RedFlag {
  std::string code;  // no_economic_buyer, no_coach, never_met, even_keel, overconfident,
                     // detractor_with_influence, contact_left, deadline_passed
  std::string message;
  std::optional<std::int64_t> contact_id;
};

struct BlueSheet {
  std::int64_t opportunity_id = 0;
  std::vector<BuyingInfluence> buying_influences;
  std::optional<std::string> strengths;
  std::optional<std::string> red_flags_noted;
  std::vector<PossibleAction> possible_actions;
  std::int64_t version = 0;  // 0 until first saved
};

Result<BlueSheet> LoadBlueSheet(db::Transaction& tx, std::int64_t opportunity_id);

// Replaces the Blue Sheet with `sheet` (influences, roles, actions). kStale when
// `expected_version` is given and differs. Contacts must work at the opportunity's account;
// shortlisted actions with an owner and a date become tasks (once). Returns the new version.
Result<std::int64_t> SaveBlueSheet(db::Transaction& tx, const audit::Actor& actor,
                                   const BlueSheet& sheet,
                                   std::optional<std::int64_t> expected_version);

// The red flags of the opportunities `condition` selects (over alias "o", with `params`), keyed
// by opportunity id. `today` is YYYY-MM-DD.
Result<std::map<std::int64_t, std::vector<RedFlag>>> RedFlags(db::Transaction& tx,
                                                              const std::string& condition,
                                                              const db::Params& params,
                                                              const std::string& today);

}  // namespace rapport::selling
