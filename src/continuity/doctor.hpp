// The invariants Rapport promises, checked over a whole database: nothing active is left with a
// person who has gone, every account has an owner, links agree with their accounts, and the
// storage itself is sound. `rapport doctor` runs these.
#pragma once

#include <string>
#include <vector>

#include "db/database.hpp"

namespace rapport::continuity {

struct Violation {
  std::string check;  // "account owned by a user who has left"
  std::int64_t count = 0;
  std::vector<std::string> examples;  // "accounts 12", ... (at most 10)
};

// Every failed check (an empty list when all hold).
Result<std::vector<Violation>> CheckInvariants(db::Database& database);

}  // namespace rapport::continuity
