// Accounts (customer and prospect organisations, in a hierarchy: health system -> hospital ->
// department) and their contacts (the people there).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "db/database.hpp"
#include "records/accounts.hpp"

namespace rapport::accounts {

// The enumerations, as declared in records/accounts.hpp.
using records::kAccountStatuses;
using records::kAccountTypes;
using records::kColours;
using records::kContactFunctions;
using records::kInfluences;
using records::kStances;

struct Account {
  std::int64_t id = 0;
  std::optional<std::string> external_id;
  std::string name;
  std::optional<std::int64_t> parent_id;
  std::string type;
  std::string status;
  std::optional<std::string> customer_since;  // YYYY-MM-DD
  std::optional<std::string> region;
  std::optional<std::string> postcode;
  std::optional<std::int64_t> owner_id;
  std::optional<std::int64_t> territory_id;
  std::optional<std::int64_t> distributor_id;
  Instant created_at = 0;
  Instant updated_at = 0;
  std::int64_t version = 0;
};

// The fields a caller sets; on update, only those present change.
struct AccountFields {
  std::optional<std::string> external_id;
  std::optional<std::string> name;
  std::optional<std::optional<std::int64_t>> parent_id;
  std::optional<std::string> type;
  std::optional<std::string> status;
  std::optional<std::optional<std::string>> customer_since;
  std::optional<std::optional<std::string>> region;
  std::optional<std::optional<std::string>> postcode;
  std::optional<std::optional<std::int64_t>> owner_id;
  std::optional<std::optional<std::int64_t>> territory_id;
  std::optional<std::optional<std::int64_t>> distributor_id;
};

Result<Account> CreateAccount(db::Transaction& tx, const audit::Actor& actor,
                              const AccountFields& fields);
Result<Account> GetAccount(db::Transaction& tx, std::int64_t id);
// kStale when expected_version is given and out of date; the audit trail records each change.
Result<Account> UpdateAccount(db::Transaction& tx, const audit::Actor& actor, std::int64_t id,
                              std::optional<std::int64_t> expected_version,
                              const AccountFields& fields);

struct AccountFilter {
  std::optional<std::int64_t> owner_id;
  std::optional<std::int64_t> territory_id;
  std::optional<std::string> status;
  std::optional<std::string> type;
  std::optional<std::int64_t> after_id;  // keyset cursor: ids greater than this
  int limit = 50;
};
Result<std::vector<Account>> ListAccounts(db::Transaction& tx, const AccountFilter& filter);
Result<std::vector<Account>> ChildAccounts(db::Transaction& tx, std::int64_t parent_id);

struct Contact {
  std::int64_t id = 0;
  std::optional<std::string> external_id;
  std::int64_t account_id = 0;
  std::string first_name;
  std::string last_name;
  std::optional<std::string> job_title;
  std::string function;
  std::string stance;
  std::string influence;
  std::optional<std::string> colour;
  bool kol = false;
  std::optional<std::string> email;
  std::optional<std::string> phone;
  std::optional<std::int64_t> reports_to_id;
  std::optional<Instant> left_at;
  Instant created_at = 0;
  Instant updated_at = 0;
  std::int64_t version = 0;
};

struct ContactFields {
  std::optional<std::int64_t> account_id;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::optional<std::string>> job_title;
  std::optional<std::string> function;
  std::optional<std::string> stance;
  std::optional<std::string> influence;
  std::optional<std::optional<std::string>> colour;
  std::optional<bool> kol;
  std::optional<std::optional<std::string>> email;
  std::optional<std::optional<std::string>> phone;
  std::optional<std::optional<std::int64_t>> reports_to_id;
  std::optional<std::optional<Instant>> left_at;
};

Result<Contact> CreateContact(db::Transaction& tx, const audit::Actor& actor,
                              const ContactFields& fields);
Result<Contact> GetContact(db::Transaction& tx, std::int64_t id);
Result<Contact> UpdateContact(db::Transaction& tx, const audit::Actor& actor, std::int64_t id,
                              std::optional<std::int64_t> expected_version,
                              const ContactFields& fields);
Result<std::vector<Contact>> ContactsOfAccount(db::Transaction& tx, std::int64_t account_id);

}  // namespace rapport::accounts
