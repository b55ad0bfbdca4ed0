// Opportunities: each a single sales objective (SSO) on one account with one deadline, owned by a
// user, moving through stages; and the contacts who play a buying role in it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "db/database.hpp"
#include "records/opportunities.hpp"

namespace rapport::selling {

using records::kStages;
inline constexpr std::string_view kBuyingRoles[] = {"economic_buyer", "user_buyer",
                                                    "technical_buyer", "coach", "other"};

bool IsClosedStage(std::string_view stage);

struct Opportunity {
  std::int64_t id = 0;
  std::optional<std::string> external_id;
  std::int64_t account_id = 0;
  std::int64_t owner_id = 0;
  std::string name;
  std::string stage;
  std::int64_t amount_minor = 0;
  std::string currency;
  std::string close_date;  // YYYY-MM-DD
  std::int64_t probability = 0;
  std::optional<std::string> next_step;
  std::optional<std::string> lost_reason;
  std::optional<Instant> closed_at;
  Instant created_at = 0;
  Instant updated_at = 0;
  std::int64_t version = 0;
};

struct OpportunityFields {
  std::optional<std::string> external_id;
  std::optional<std::int64_t> account_id;
  std::optional<std::int64_t> owner_id;
  std::optional<std::string> name;
  std::optional<std::string> stage;
  std::optional<std::int64_t> amount_minor;
  std::optional<std::string> currency;
  std::optional<std::string> close_date;
  std::optional<std::int64_t> probability;
  std::optional<std::optional<std::string>> next_step;
  std::optional<std::optional<std::string>> lost_reason;
};

Result<Opportunity> CreateOpportunity(db::Transaction& tx, const audit::Actor& actor,
                                      const OpportunityFields& fields);
Result<Opportunity> GetOpportunity(db::Transaction& tx, std::int64_t id);
// Moving into a closed stage stamps closed_at; moving out clears it.
Result<Opportunity> UpdateOpportunity(db::Transaction& tx, const audit::Actor& actor,
                                      std::int64_t id, std::optional<std::int64_t> expected_version,
                                      const OpportunityFields& fields);
Result<std::vector<Opportunity>> OpenOpportunitiesOfAccount(db::Transaction& tx,
                                                            std::int64_t account_id);

struct ContactRole {
  std::int64_t id = 0;
  std::int64_t opportunity_id = 0;
  std::int64_t contact_id = 0;
  std::string role;
};

// The contact must belong to the opportunity's account (or one of its parents/children is not
// enough: same account only).
Result<ContactRole> AddContactRole(db::Transaction& tx, const audit::Actor& actor,
                                   std::int64_t opportunity_id, std::int64_t contact_id,
                                   std::string_view role);
Result<std::vector<ContactRole>> ContactRolesOf(db::Transaction& tx, std::int64_t opportunity_id);

}  // namespace rapport::selling
