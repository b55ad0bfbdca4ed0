// Who may do what: the access rules, in one module, applied by every route.
//   admin: everything.
//   executive, rsm: the accounts in the territories of their management line (and accounts that
//     line owns); records hanging off those accounts.
//   everyone else: accounts they own, whose team they are on, or that sit in their territories.
// Reference data (users, territories, distributors, products) is readable by everyone signed in
// and changed by admins. A record outside the caller's reach answers 404, never 403.
#pragma once

#include <string>
#include <string_view>

#include "api/caller.hpp"
#include "api/router.hpp"
#include "db/database.hpp"

namespace rapport::api {

// A SQL condition over the record alias "t" of a table of `scope`, true for the records the caller
// reaches ("1 = 1" for reference data and admins).
std::string RecordReachCondition(Scope scope, const Caller& caller);

// The router's reach gate over the database: one indexed lookup per request for a record route
// (none for admins). Thread-safe.
class DatabaseReachGate : public ReachGate {
 public:
  // REQUIRES: database outlives the gate.
  explicit DatabaseReachGate(db::Database& database) : database_(database) {}
  Status Check(const Caller& caller, const Reach& reach, std::int64_t id) override;

 private:
  db::Database& database_;
};

// A SQL condition over accounts alias `alias` true for the accounts the caller reaches; "1 = 1"
// for an admin. Integers only are inlined; nothing from the request.
std::string AccountReachCondition(const Caller& caller, std::string_view alias);

// The same reach as a set of account ids ("SELECT id FROM accounts WHERE territory_id IN (...)
// UNION ..."), each part from its own index: lists of a caller with a small reach are driven from
// it rather than by walking a sort index past a million accounts out of reach. Not for
// admins (everything) nor for point lookups, where AccountReachCondition is cheaper.
std::string AccountReachSet(const Caller& caller);

// Fills caller.reach_a / reach_t from its reach; call whenever the reach changes.
void PrepareReach(Caller& caller);

// A SQL condition on a user-id `column` for the people whose work the caller sees: everyone for
// an admin, their management line for an executive or RSM, themselves for anyone else.
std::string PeopleInView(const Caller& caller, std::string_view column);

bool IsAdmin(const Caller& caller);
bool IsManager(const Caller& caller);  // admin, executive, rsm

// kNotFound (so as not to reveal it exists) when the account is out of the caller's reach.
Status CheckAccountInReach(db::Transaction& tx, const Caller& caller, std::int64_t account_id,
                           std::string_view field = "");

}  // namespace rapport::api
