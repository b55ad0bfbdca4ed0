#include "api/access.hpp"

namespace rapport::api {
namespace {

std::string JoinIds(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out.empty() ? "0" : out;  // IN (0): matches nothing
}

}  // namespace

bool IsAdmin(const Caller& caller) { return caller.all_accounts || caller.role == "admin"; }

std::string PeopleInView(const Caller& caller, std::string_view column) {
  if (IsAdmin(caller)) return "1 = 1";
  if (IsManager(caller)) return std::string(column) + " IN (" + JoinIds(caller.user_ids) + ")";
  return std::string(column) + " = " + std::to_string(caller.user_id);
}

bool IsManager(const Caller& caller) {
  return IsAdmin(caller) || caller.role == "executive" || caller.role == "rsm";
}

namespace {

std::string BuildReachCondition(const Caller& caller, std::string_view alias) {
  if (caller.all_accounts) return "1 = 1";
  const std::string a(alias);
  return "(" + a + ".territory_id IN (" + JoinIds(caller.territory_ids) + ") OR " + a +
         ".owner_id IN (" + JoinIds(caller.user_ids) +
         ") OR EXISTS (SELECT 1 FROM account_team_members reach_m WHERE reach_m.account_id = " + a +
         ".id AND reach_m.user_id = " + std::to_string(caller.user_id) + "))";
}

}  // namespace

std::string AccountReachSet(const Caller& caller) {
  return "SELECT reach_s.id FROM accounts reach_s WHERE reach_s.territory_id IN (" +
         JoinIds(caller.territory_ids) +
         ") UNION SELECT reach_o.id FROM accounts reach_o WHERE reach_o.owner_id IN (" +
         JoinIds(caller.user_ids) +
         ") UNION SELECT reach_m.account_id FROM account_team_members reach_m WHERE "
         "reach_m.user_id = " +
         std::to_string(caller.user_id);
}

void PrepareReach(Caller& caller) {
  caller.reach_a = BuildReachCondition(caller, "a");
  caller.reach_t = BuildReachCondition(caller, "t");
}

std::string AccountReachCondition(const Caller& caller, std::string_view alias) {
  if (alias == "a" && !caller.reach_a.empty()) return caller.reach_a;
  if (alias == "t" && !caller.reach_t.empty()) return caller.reach_t;
  return BuildReachCondition(caller, alias);
}

std::string RecordReachCondition(Scope scope, const Caller& caller) {
  if (scope == Scope::kReference || caller.all_accounts) return "1 = 1";
  if (scope == Scope::kAccount) return AccountReachCondition(caller, "t");
  const std::string via = "EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND " +
                          AccountReachCondition(caller, "a") + ")";
  if (scope == Scope::kTask) {
    return "(t.owner_id = " + std::to_string(caller.user_id) +
           " OR (t.account_id IS NOT NULL AND " + via + "))";
  }
  return via;
}

Status DatabaseReachGate::Check(const Caller& caller, const Reach& reach, std::int64_t id) {
  if (caller.all_accounts || reach.scope == Scope::kReference) return Ok();
  bool reached = false;
  RAPPORT_RETURN_IF_ERROR(database_.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto row,
                             tx.QueryOne("SELECT 1 FROM " + reach.table + " t WHERE t.id = ? AND " +
                                             RecordReachCondition(reach.scope, caller),
                                         {id}));
    reached = row.has_value();
    return Ok();
  }));
  if (reached) return Ok();
  return Error(ErrorCode::kNotFound, "no " + reach.noun + " " + std::to_string(id));
}

Status CheckAccountInReach(db::Transaction& tx, const Caller& caller, std::int64_t account_id,
                           std::string_view field) {
  RAPPORT_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT 1 FROM accounts a WHERE a.id = ? AND " +
                                                     AccountReachCondition(caller, "a"),
                                                 {account_id}));
  if (row) return Ok();
  if (!field.empty()) {
    return Error::InvalidField(std::string(field), "no account " + std::to_string(account_id));
  }
  return Error(ErrorCode::kNotFound, "no account " + std::to_string(account_id));
}

}  // namespace rapport::api
