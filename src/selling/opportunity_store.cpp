#include "selling/opportunity_store.hpp"

#include "core/validation.hpp"

namespace rapport::selling {
namespace {

using audit::FieldValues;

const records::Record& kDeclared = records::OpportunityRecord();

constexpr const char* kColumns =
    "id, external_id, account_id, owner_id, name, stage, amount_minor, currency, close_date, "
    "probability, next_step, lost_reason, closed_at, created_at, updated_at, version";

Opportunity FromRow(const db::Row& r) {
  Opportunity o;
  o.id = r.Int("id");
  o.external_id = r.OptText("external_id");
  o.account_id = r.Int("account_id");
  o.owner_id = r.Int("owner_id");
  o.name = r.Text("name");
  o.stage = r.Text("stage");
  o.amount_minor = r.Int("amount_minor");
  o.currency = r.Text("currency");
  o.close_date = r.Text("close_date");
  o.probability = r.Int("probability");
  o.next_step = r.OptText("next_step");
  o.lost_reason = r.OptText("lost_reason");
  o.closed_at = r.OptInt("closed_at");
  o.created_at = r.Int("created_at");
  o.updated_at = r.Int("updated_at");
  o.version = r.Int("version");
  return o;
}

Result<FieldValues> Values(db::Transaction& tx, const OpportunityFields& f) {
  FieldValues v;
  if (f.external_id) {
    RAPPORT_RETURN_IF_ERROR(
        CheckRequired("external_id", *f.external_id, kDeclared.MaxLength("external_id")));
    v.emplace_back("external_id", *f.external_id);
  }
  if (f.account_id) {
    RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "accounts", *f.account_id, "account_id"));
    v.emplace_back("account_id", *f.account_id);
  }
  if (f.owner_id) {
    RAPPORT_RETURN_IF_ERROR(audit::CheckReference(tx, "users", *f.owner_id, "owner_id"));
    v.emplace_back("owner_id", *f.owner_id);
  }
  if (f.name) {
    RAPPORT_RETURN_IF_ERROR(CheckRequired("name", *f.name, kDeclared.MaxLength("name")));
    v.emplace_back("name", *f.name);
  }
  if (f.stage) {
    RAPPORT_RETURN_IF_ERROR(CheckOneOf("stage", *f.stage, kStages));
    v.emplace_back("stage", *f.stage);
  }
  if (f.amount_minor) {
    if (*f.amount_minor < 0) return Error::InvalidField("amount_minor", "must not be negative");
    v.emplace_back("amount_minor", *f.amount_minor);
  }
  if (f.currency) {
    if (!IsCurrencyCode(*f.currency)) {
      return Error::InvalidField("currency", "must be a three-letter ISO 4217 code");
    }
    v.emplace_back("currency", *f.currency);
  }
  if (f.close_date) {
    std::int64_t days;
    if (!ParseDate(*f.close_date, days)) {
      return Error::InvalidField("close_date",
                                 "'" + *f.close_date + "' is not a date (YYYY-MM-DD)");
    }
    v.emplace_back("close_date", *f.close_date);
  }
  if (f.probability) {
    if (*f.probability < 0 || *f.probability > 100) {
      return Error::InvalidField("probability", "must be between 0 and 100");
    }
    v.emplace_back("probability", *f.probability);
  }
  if (f.next_step) v.emplace_back("next_step", db::OptionalText(*f.next_step));
  if (f.lost_reason) v.emplace_back("lost_reason", db::OptionalText(*f.lost_reason));
  return v;
}

}  // namespace

bool IsClosedStage(std::string_view stage) {
  return stage == "closed_won" || stage == "closed_lost";
}

Result<Opportunity> CreateOpportunity(db::Transaction& tx, const audit::Actor& actor,
                                      const OpportunityFields& fields) {
  for (auto [present, name] : {std::pair{fields.account_id.has_value(), "account_id"},
                               std::pair{fields.owner_id.has_value(), "owner_id"},
                               std::pair{fields.name.has_value(), "name"},
                               std::pair{fields.close_date.has_value(), "close_date"}}) {
    if (!present) return Error::InvalidField(name, "is required");
  }
  RAPPORT_ASSIGN_OR_RETURN(FieldValues values, Values(tx, fields));
  if (fields.stage && IsClosedStage(*fields.stage)) values.emplace_back("closed_at", actor.at);
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id,
                           audit::InsertAudited(tx, actor, "opportunities", values));
  return GetOpportunity(tx, id);
}

Result<Opportunity> GetOpportunity(db::Transaction& tx, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> row,
      tx.QueryOne(std::string("SELECT ") + kColumns + " FROM opportunities WHERE id = ?", {id}));
  if (!row) {
    return Error(ErrorCode::kNotFound, "opportunity " + std::to_string(id) + " does not exist");
  }
  return FromRow(*row);
}

Result<Opportunity> UpdateOpportunity(db::Transaction& tx, const audit::Actor& actor,
                                      std::int64_t id, std::optional<std::int64_t> expected_version,
                                      const OpportunityFields& fields) {
  RAPPORT_ASSIGN_OR_RETURN(Opportunity current, GetOpportunity(tx, id));
  RAPPORT_ASSIGN_OR_RETURN(FieldValues values, Values(tx, fields));
  if (fields.stage && IsClosedStage(*fields.stage) != IsClosedStage(current.stage)) {
    values.emplace_back("closed_at",
                        IsClosedStage(*fields.stage) ? db::Value(actor.at) : db::Null());
  }
  RAPPORT_ASSIGN_OR_RETURN(
      int changed, audit::UpdateAudited(tx, actor, "opportunities", id, expected_version, values));
  (void)changed;
  return GetOpportunity(tx, id);
}

Result<std::vector<Opportunity>> OpenOpportunitiesOfAccount(db::Transaction& tx,
                                                            std::int64_t account_id) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(std::string("SELECT ") + kColumns +
                   " FROM opportunities WHERE account_id = ? AND stage NOT IN ('closed_won', "
                   "'closed_lost') ORDER BY close_date, id",
               {account_id}));
  std::vector<Opportunity> out;
  for (const auto& r : rows) out.push_back(FromRow(r));
  return out;
}

Result<ContactRole> AddContactRole(db::Transaction& tx, const audit::Actor& actor,
                                   std::int64_t opportunity_id, std::int64_t contact_id,
                                   std::string_view role) {
  RAPPORT_RETURN_IF_ERROR(CheckOneOf("role", role, kBuyingRoles));
  RAPPORT_ASSIGN_OR_RETURN(Opportunity opportunity, GetOpportunity(tx, opportunity_id));
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> contact,
      tx.QueryOne("SELECT account_id FROM contacts WHERE id = ?", {contact_id}));
  if (!contact) {
    return Error::InvalidField("contact_id",
                               "contact " + std::to_string(contact_id) + " does not exist");
  }
  if (contact->Int("account_id") != opportunity.account_id) {
    return Error::InvalidField("contact_id", "the contact works at another account");
  }
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id,
                           audit::InsertAudited(tx, actor, "opportunity_contact_roles",
                                                {{"opportunity_id", opportunity_id},
                                                 {"contact_id", contact_id},
                                                 {"role", std::string(role)}},
                                                /*timestamps=*/false));
  return ContactRole{id, opportunity_id, contact_id, std::string(role)};
}

Result<std::vector<ContactRole>> ContactRolesOf(db::Transaction& tx, std::int64_t opportunity_id) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows, tx.Query("SELECT id, opportunity_id, contact_id, role FROM "
                              "opportunity_contact_roles WHERE opportunity_id = ? ORDER BY id",
                              {opportunity_id}));
  std::vector<ContactRole> out;
  for (const auto& r : rows) {
    out.push_back(
        ContactRole{r.Int("id"), r.Int("opportunity_id"), r.Int("contact_id"), r.Text("role")});
  }
  return out;
}

}  // namespace rapport::selling
