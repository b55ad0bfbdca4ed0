#include "accounts/account_store.hpp"

#include "core/validation.hpp"

namespace rapport::accounts {
namespace {

using audit::FieldValues;

// What the checks below hold the values to.
const records::Record& kAccount = records::AccountRecord();
const records::Record& kContact = records::ContactRecord();

constexpr const char* kAccountColumns =
    "id, external_id, name, parent_id, type, status, customer_since, region, postcode, owner_id, "
    "territory_id, distributor_id, created_at, updated_at, version";

Account AccountFromRow(const db::Row& r) {
  return Account{.id = r.Int("id"),
                 .external_id = r.OptText("external_id"),
                 .name = r.Text("name"),
                 .parent_id = r.OptInt("parent_id"),
                 .type = r.Text("type"),
                 .status = r.Text("status"),
                 .customer_since = r.OptText("customer_since"),
                 .region = r.OptText("region"),
                 .postcode = r.OptText("postcode"),
                 .owner_id = r.OptInt("owner_id"),
                 .territory_id = r.OptInt("territory_id"),
                 .distributor_id = r.OptInt("distributor_id"),
                 .created_at = r.Int("created_at"),
                 .updated_at = r.Int("updated_at"),
                 .version = r.Int("version")};
}

Status CheckDate(std::string_view field, const std::optional<std::string>& date) {
  std::int64_t days;
  if (date && !ParseDate(*date, days)) {
    return Error::InvalidField(std::string(field), "'" + *date + "' is not a date (YYYY-MM-DD)");
  }
  return Ok();
}

// An optional text within the declared limit (nothing to check when it is cleared or empty).
Status CheckOptionalText(const records::Record& record, std::string_view column,
                         const std::optional<std::string>& text) {
  if (!text || text->empty()) return Ok();
  return CheckRequired(column, *text, record.MaxLength(column));
}

Status CheckOptionalRef(db::Transaction& tx, std::string_view table,
                        const std::optional<std::int64_t>& id, std::string_view field) {
  if (!id) return Ok();
  return audit::CheckReference(tx, table, *id, field);
}

// Validates the fields present and turns them into column values.
Result<FieldValues> AccountValues(db::Transaction& tx, const AccountFields& f,
                                  std::optional<std::int64_t> self_id) {
  FieldValues v;
  if (f.external_id) {
    RAPPORT_RETURN_IF_ERROR(
        CheckRequired("external_id", *f.external_id, kAccount.MaxLength("external_id")));
    v.emplace_back("external_id", *f.external_id);
  }
  if (f.name) {
    RAPPORT_RETURN_IF_ERROR(CheckRequired("name", *f.name, kAccount.MaxLength("name")));
    v.emplace_back("name", *f.name);
  }
  if (f.parent_id) {
    if (*f.parent_id && self_id && **f.parent_id == *self_id) {
      return Error::InvalidField("parent_id", "an account cannot be its own parent");
    }
    RAPPORT_RETURN_IF_ERROR(CheckOptionalRef(tx, "accounts", *f.parent_id, "parent_id"));
    v.emplace_back("parent_id", db::OptionalInt(*f.parent_id));
  }
  if (f.type) {
    RAPPORT_RETURN_IF_ERROR(CheckOneOf("type", *f.type, kAccountTypes));
    v.emplace_back("type", *f.type);
  }
  if (f.status) {
    RAPPORT_RETURN_IF_ERROR(CheckOneOf("status", *f.status, kAccountStatuses));
    v.emplace_back("status", *f.status);
  }
  if (f.customer_since) {
    RAPPORT_RETURN_IF_ERROR(CheckDate("customer_since", *f.customer_since));
    v.emplace_back("customer_since", db::OptionalText(*f.customer_since));
  }
  if (f.region) {
    RAPPORT_RETURN_IF_ERROR(CheckOptionalText(kAccount, "region", *f.region));
    v.emplace_back("region", db::OptionalText(*f.region));
  }
  if (f.postcode) {
    RAPPORT_RETURN_IF_ERROR(CheckOptionalText(kAccount, "postcode", *f.postcode));
    v.emplace_back("postcode", db::OptionalText(*f.postcode));
  }
  if (f.owner_id) {
    RAPPORT_RETURN_IF_ERROR(CheckOptionalRef(tx, "users", *f.owner_id, "owner_id"));
    v.emplace_back("owner_id", db::OptionalInt(*f.owner_id));
  }
  if (f.territory_id) {
    RAPPORT_RETURN_IF_ERROR(CheckOptionalRef(tx, "territories", *f.territory_id, "territory_id"));
    v.emplace_back("territory_id", db::OptionalInt(*f.territory_id));
  }
  if (f.distributor_id) {
    RAPPORT_RETURN_IF_ERROR(
        CheckOptionalRef(tx, "distributors", *f.distributor_id, "distributor_id"));
    v.emplace_back("distributor_id", db::OptionalInt(*f.distributor_id));
  }
  return v;
}

constexpr const char* kContactColumns =
    "id, external_id, account_id, first_name, last_name, job_title, function, stance, influence, "
    "colour, kol, email, phone, reports_to_id, left_at, created_at, updated_at, version";

Contact ContactFromRow(const db::Row& r) {
  return Contact{.id = r.Int("id"),
                 .external_id = r.OptText("external_id"),
                 .account_id = r.Int("account_id"),
                 .first_name = r.Text("first_name"),
                 .last_name = r.Text("last_name"),
                 .job_title = r.OptText("job_title"),
                 .function = r.Text("function"),
                 .stance = r.Text("stance"),
                 .influence = r.Text("influence"),
                 .colour = r.OptText("colour"),
                 .kol = r.Bool("kol"),
                 .email = r.OptText("email"),
                 .phone = r.OptText("phone"),
                 .reports_to_id = r.OptInt("reports_to_id"),
                 .left_at = r.OptInt("left_at"),
                 .created_at = r.Int("created_at"),
                 .updated_at = r.Int("updated_at"),
                 .version = r.Int("version")};
}

Result<FieldValues> ContactValues(db::Transaction& tx, const ContactFields& f) {
  FieldValues v;
  if (f.account_id) {
    RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "accounts", *f.account_id, "account_id"));
    v.emplace_back("account_id", *f.account_id);
  }
  if (f.first_name) {
    RAPPORT_RETURN_IF_ERROR(
        CheckRequired("first_name", *f.first_name, kContact.MaxLength("first_name")));
    v.emplace_back("first_name", *f.first_name);
  }
  if (f.last_name) {
    RAPPORT_RETURN_IF_ERROR(
        CheckRequired("last_name", *f.last_name, kContact.MaxLength("last_name")));
    v.emplace_back("last_name", *f.last_name);
  }
  if (f.job_title) {
    RAPPORT_RETURN_IF_ERROR(CheckOptionalText(kContact, "job_title", *f.job_title));
    v.emplace_back("job_title", db::OptionalText(*f.job_title));
  }
  if (f.function) {
    RAPPORT_RETURN_IF_ERROR(CheckOneOf("function", *f.function, kContactFunctions));
    v.emplace_back("function", *f.function);
  }
  if (f.stance) {
    RAPPORT_RETURN_IF_ERROR(CheckOneOf("stance", *f.stance, kStances));
    v.emplace_back("stance", *f.stance);
  }
  if (f.influence) {
    RAPPORT_RETURN_IF_ERROR(CheckOneOf("influence", *f.influence, kInfluences));
    v.emplace_back("influence", *f.influence);
  }
  if (f.colour) {
    if (*f.colour) RAPPORT_RETURN_IF_ERROR(CheckOneOf("colour", **f.colour, kColours));
    v.emplace_back("colour", db::OptionalText(*f.colour));
  }
  if (f.kol) v.emplace_back("kol", std::int64_t{*f.kol ? 1 : 0});
  if (f.email) {
    if (*f.email) RAPPORT_RETURN_IF_ERROR(CheckEmail("email", **f.email));
    v.emplace_back("email", db::OptionalText(*f.email));
  }
  if (f.phone) {
    RAPPORT_RETURN_IF_ERROR(CheckOptionalText(kContact, "phone", *f.phone));
    v.emplace_back("phone", db::OptionalText(*f.phone));
  }
  if (f.reports_to_id) {
    RAPPORT_RETURN_IF_ERROR(CheckOptionalRef(tx, "contacts", *f.reports_to_id, "reports_to_id"));
    v.emplace_back("reports_to_id", db::OptionalInt(*f.reports_to_id));
  }
  if (f.left_at) v.emplace_back("left_at", db::OptionalInt(*f.left_at));
  return v;
}

}  // namespace

Result<Account> CreateAccount(db::Transaction& tx, const audit::Actor& actor,
                              const AccountFields& fields) {
  if (!fields.name) return Error::InvalidField("name", "is required");
  if (!fields.type) return Error::InvalidField("type", "is required");
  RAPPORT_ASSIGN_OR_RETURN(FieldValues values, AccountValues(tx, fields, std::nullopt));
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, audit::InsertAudited(tx, actor, "accounts", values));
  return GetAccount(tx, id);
}

Result<Account> GetAccount(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = ?", {id}));
  if (!row) return Error(ErrorCode::kNotFound, "account " + std::to_string(id) + " does not exist");
  return AccountFromRow(*row);
}

Result<Account> UpdateAccount(db::Transaction& tx, const audit::Actor& actor, std::int64_t id,
                              std::optional<std::int64_t> expected_version,
                              const AccountFields& fields) {
  RAPPORT_ASSIGN_OR_RETURN(FieldValues values, AccountValues(tx, fields, id));
  RAPPORT_ASSIGN_OR_RETURN(
      int changed, audit::UpdateAudited(tx, actor, "accounts", id, expected_version, values));
  (void)changed;
  return GetAccount(tx, id);
}

Result<std::vector<Account>> ListAccounts(db::Transaction& tx, const AccountFilter& filter) {
  std::string sql = std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE 1 = 1";
  db::Params params;
  if (filter.owner_id) {
    sql += " AND owner_id = ?";
    params.push_back(*filter.owner_id);
  }
  if (filter.territory_id) {
    sql += " AND territory_id = ?";
    params.push_back(*filter.territory_id);
  }
  if (filter.status) {
    sql += " AND status = ?";
    params.push_back(*filter.status);
  }
  if (filter.type) {
    sql += " AND type = ?";
    params.push_back(*filter.type);
  }
  if (filter.after_id) {
    sql += " AND id > ?";
    params.push_back(*filter.after_id);
  }
  sql += " ORDER BY id LIMIT ?";
  params.push_back(std::int64_t{filter.limit});
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql, params));
  std::vector<Account> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(AccountFromRow(r));
  return out;
}

Result<std::vector<Account>> ChildAccounts(db::Transaction& tx, std::int64_t parent_id) {
  RAPPORT_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query(std::string("SELECT ") + kAccountColumns +
                                        " FROM accounts WHERE parent_id = ? ORDER BY name, id",
                                    {parent_id}));
  std::vector<Account> out;
  for (const auto& r : rows) out.push_back(AccountFromRow(r));
  return out;
}

Result<Contact> CreateContact(db::Transaction& tx, const audit::Actor& actor,
                              const ContactFields& fields) {
  if (!fields.account_id) return Error::InvalidField("account_id", "is required");
  if (!fields.first_name) return Error::InvalidField("first_name", "is required");
  if (!fields.last_name) return Error::InvalidField("last_name", "is required");
  RAPPORT_ASSIGN_OR_RETURN(FieldValues values, ContactValues(tx, fields));
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, audit::InsertAudited(tx, actor, "contacts", values));
  return GetContact(tx, id);
}

Result<Contact> GetContact(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(std::string("SELECT ") + kContactColumns + " FROM contacts WHERE id = ?", {id}));
  if (!row) return Error(ErrorCode::kNotFound, "contact " + std::to_string(id) + " does not exist");
  return ContactFromRow(*row);
}

Result<Contact> UpdateContact(db::Transaction& tx, const audit::Actor& actor, std::int64_t id,
                              std::optional<std::int64_t> expected_version,
                              const ContactFields& fields) {
  RAPPORT_ASSIGN_OR_RETURN(FieldValues values, ContactValues(tx, fields));
  RAPPORT_ASSIGN_OR_RETURN(
      int changed, audit::UpdateAudited(tx, actor, "contacts", id, expected_version, values));
  (void)changed;
  return GetContact(tx, id);
}

Result<std::vector<Contact>> ContactsOfAccount(db::Transaction& tx, std::int64_t account_id) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(std::string("SELECT ") + kContactColumns +
                   " FROM contacts WHERE account_id = ? ORDER BY last_name, first_name, id",
               {account_id}));
  std::vector<Contact> out;
  for (const auto& r : rows) out.push_back(ContactFromRow(r));
  return out;
}

}  // namespace rapport::accounts
