// The contact cadence: how often an account should hear from us. An account's own cadence wins,
// else its segment's; an account with neither has none. Written once here for the SQL that the
// overdue list, the nightly alerts, the scorecards and the health score share.
#pragma once

#include <string>
#include <string_view>

namespace rapport::accounts {

// The cadence in days, as a SQL expression over accounts alias `a` (NULL when none is set).
inline std::string CadenceDaysSql(std::string_view a = "a") {
  const std::string alias(a);
  return "coalesce(" + alias +
         ".contact_cadence_days, (SELECT g.contact_cadence_days FROM "
         "segments g WHERE g.name = " +
         alias + ".segment))";
}

// The time of the account's last contact, its latest activity at or before the one parameter
// (?) this expression takes, over accounts alias `a` (NULL when there was none).
inline std::string LastContactSql(std::string_view a = "a") {
  return "(SELECT max(x.occurred_at) FROM activities x WHERE x.account_id = " + std::string(a) +
         ".id AND x.occurred_at <= ?)";
}

}  // namespace rapport::accounts
