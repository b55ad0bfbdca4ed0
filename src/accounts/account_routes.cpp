#include "accounts/account_routes.hpp"

#include "accounts/account_revenue.hpp"

#include <span>

#include "accounts/account_store.hpp"
#include "api/access.hpp"
#include "db/migrations.hpp"

namespace rapport::accounts {
namespace {

using api::FieldSpec;
using api::FieldType;

api::ResourceSpec AccountSpec() {
  api::ResourceSpec s;
  s.plural = "accounts";
  s.custom_fields = true;
  s.singular = "account";
  s.tag = "Accounts";
  s.scope = api::Scope::kAccount;
  s.deletion = api::Deletion::kArchive;
  s.managers_only_delete = true;
  s.search = db::SearchIndexes().at(0);
  s.fields = api::FieldsOf(records::AccountRecord());
  s.before_write = [](api::WriteContext& w) -> Status {
    // A rep's new account is theirs unless they say otherwise.
    api::DefaultToCaller(w, "owner_id");
    // Reassigning an existing account moves it in or out of people's reach: managers only.
    if (!w.creating && !api::IsManager(w.caller)) {
      for (const auto& [column, value] : w.values) {
        if (column == "owner_id" || column == "territory_id") {
          return Error(ErrorCode::kPermissionDenied,
                       "only a manager may change an account's owner or territory");
        }
      }
    }
    return Ok();
  };
  s.after_write = [](db::Transaction& tx, const api::Caller&, Instant now, std::int64_t id,
                     const api::JsonValue&, bool creating) -> Status {
    return creating ? StartAccountRevenue(tx, id, now) : Ok();
  };
  return s;
}

api::ResourceSpec ContactSpec() {
  api::ResourceSpec s;
  s.plural = "contacts";
  s.custom_fields = true;
  s.singular = "contact";
  s.tag = "Contacts";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.search = db::SearchIndexes().at(1);
  s.fields = api::FieldsOf(records::ContactRecord());
  // Reporting lines stay inside one customer and never go round in a circle.
  s.before_write = [](api::WriteContext& w) -> Status {
    std::optional<db::Value> boss, account;
    for (const auto& [column, value] : w.values) {
      if (column == "reports_to_id") boss = value;
      if (column == "account_id") account = value;
    }
    if (!boss || std::holds_alternative<std::monostate>(*boss)) return Ok();
    if (!account && w.before) account = w.before->at(w.before->IndexOf("account_id"));
    const std::int64_t self = w.before ? w.before->Int("id") : 0;
    std::int64_t at = std::get<std::int64_t>(*boss);
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t same,
        w.tx.QueryInt("SELECT count(*) FROM contacts WHERE id = ? AND account_id = ?",
                      {at, account ? *account : db::Null()}));
    if (same == 0) {
      return Error::InvalidField("reports_to_id", "is not a contact of the same account");
    }
    for (int depth = 0; depth < 100 && at != 0; ++depth) {
      if (at == self) {
        return Error::InvalidField("reports_to_id", "would make a circle of reporting lines");
      }
      RAPPORT_ASSIGN_OR_RETURN(
          std::optional<db::Row> up,
          w.tx.QueryOne("SELECT reports_to_id FROM contacts WHERE id = ?", {at}));
      at = up ? up->OptInt("reports_to_id").value_or(0) : 0;
    }
    return Ok();
  };
  return s;
}

api::ResourceSpec TeamMemberSpec() {
  api::ResourceSpec s;
  s.plural = "account_team_members";
  s.singular = "account team member";
  s.tag = "Accounts";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.timestamps = false;
  s.fields = {
      api::RequiredReference("account_id", "accounts"),
      api::RequiredReference("user_id", "users"),
      {.name = "team_role",
       .type = FieldType::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .values = {"account_owner", "account_manager", "rep", "clinical_specialist",
                  "service_engineer", "inside_sales", "customer_success", "executive_sponsor"}},
      {.name = "is_primary", .type = FieldType::kBoolean, .nullable = false},
      {.name = "created_at", .type = FieldType::kInstant, .writable = false},
      {.name = "peer_contact_id",
       .type = FieldType::kReference,
       .references = "contacts",
       .description = "the contact at the customer this team member is paired with (e.g. the "
                      "executive sponsor's peer)"},
  };
  s.before_write = [](api::WriteContext& w) -> Status {
    api::StampCreatedAt(w);
    // The peer must work at the same customer.
    std::optional<db::Value> peer, account;
    for (const auto& [column, value] : w.values) {
      if (column == "peer_contact_id") peer = value;
      if (column == "account_id") account = value;
    }
    if (!peer || std::holds_alternative<std::monostate>(*peer)) return Ok();
    if (!account && w.before) account = w.before->at(1);  // id, account_id, ...
    if (!account) return Ok();
    RAPPORT_ASSIGN_OR_RETURN(
        std::int64_t same,
        w.tx.QueryInt("SELECT count(*) FROM contacts WHERE id = ? AND account_id = ?",
                      {*peer, *account}));
    if (same == 0) {
      return Error::InvalidField("peer_contact_id", "is not a contact of this account");
    }
    return Ok();
  };
  return s;
}

}  // namespace

void RegisterAccountRoutes(api::Router& router, api::ApiContext& context) {
  RegisterAccountOverviewRoute(router, context);  // before {id} routes of the same depth
  api::RegisterResource(router, context, AccountSpec());
  api::RegisterResource(router, context, ContactSpec());
  api::RegisterResource(router, context, TeamMemberSpec());
}

}  // namespace rapport::accounts
