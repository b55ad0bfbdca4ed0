#include "selling/opportunity_routes.hpp"

#include "db/migrations.hpp"
#include "selling/opportunity_store.hpp"

namespace rapport::selling {
namespace {

using api::FieldType;
using api::JsonValue;

// contact_roles: [{"contact_id": "12", "role": "economic_buyer"}, ...], replacing the set.
Status WriteContactRoles(db::Transaction& tx, const api::Caller& caller, Instant now,
                         std::int64_t id, const JsonValue& body, bool) {
  const JsonValue* roles = body.Find("contact_roles");
  if (!roles) {
    // Moved to another account: buying roles stay only for contacts who work there.
    if (!body.Find("account_id")) return Ok();
    return tx.Execute(
        "DELETE FROM opportunity_contact_roles WHERE opportunity_id = ? AND contact_id NOT IN "
        "(SELECT c.id FROM contacts c JOIN opportunities o ON o.account_id = c.account_id "
        "WHERE o.id = ?)",
        {id, id});
  }
  if (roles->kind != JsonValue::Kind::kArray) {
    return Error::InvalidField("contact_roles", "must be an array of {contact_id, role}");
  }
  RAPPORT_ASSIGN_OR_RETURN(auto opportunity, GetOpportunity(tx, id));
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM opportunity_contact_roles WHERE opportunity_id = ?", {id}));
  for (size_t i = 0; i < roles->items.size(); ++i) {
    const std::string at = "contact_roles[" + std::to_string(i) + "]";
    const JsonValue& item = roles->items[i];
    if (item.kind != JsonValue::Kind::kObject) return Error::InvalidField(at, "must be an object");
    for (const auto& [key, value] : item.members) {
      if (key != "contact_id" && key != "role") {
        return Error::InvalidField(at + "." + key, "is not a field of a contact role");
      }
    }
    const JsonValue* contact = item.Find("contact_id");
    const JsonValue* role = item.Find("role");
    if (!contact) return Error::InvalidField(at + ".contact_id", "is required");
    if (!role || role->kind != JsonValue::Kind::kString) {
      return Error::InvalidField(at + ".role", "is required");
    }
    RAPPORT_ASSIGN_OR_RETURN(std::int64_t contact_id,
                             api::ParseIdValue(*contact, at + ".contact_id"));
    auto added = AddContactRole(tx, {caller.user_id, now}, opportunity.id, contact_id, role->text);
    if (!added.ok()) {
      // Input problems name the item; anything else (a busy database, a bug) passes through.
      const Error& e = added.error();
      if (e.code() != ErrorCode::kInvalidArgument || e.fields().empty()) return e;
      return Error::InvalidField(at + "." + e.fields()[0].field, e.fields()[0].message);
    }
  }
  return Ok();
}

api::ResourceSpec OpportunitySpec() {
  api::ResourceSpec s;
  s.plural = "opportunities";
  s.singular = "opportunity";
  s.tag = "Opportunities";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.search = db::SearchIndexes().at(2);
  s.fields = {
      {.name = "external_id", .max_length = 100},
      api::RequiredReference("account_id", "accounts"),
      {.name = "owner_id",
       .type = FieldType::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users"},
      {.name = "name", .required = true, .nullable = false, .sortable = true, .max_length = 300},
      {.name = "stage",
       .type = FieldType::kEnum,
       .nullable = false,
       .filterable = true,
       .values = {std::begin(kStages), std::end(kStages)}},
      {.name = "amount_minor",
       .type = FieldType::kInteger,
       .nullable = false,
       .sortable = true,
       .min = 0,
       .description = "in minor units of currency"},
      {.name = "currency", .type = FieldType::kCurrency, .nullable = false},
      {.name = "close_date",
       .type = FieldType::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.name = "probability", .type = FieldType::kInteger, .nullable = false, .min = 0, .max = 100},
      {.name = "next_step", .max_length = 500},
      {.name = "lost_reason", .max_length = 500},
      {.name = "closed_at", .type = FieldType::kInstant, .writable = false},
  };
  s.extra_body_fields = {
      {"contact_roles",
       R"({"type":"array","items":{"type":"object","properties":{"contact_id":{"type":"string"},"role":{"type":"string","enum":["economic_buyer","user_buyer","technical_buyer","coach","other"]}},"required":["contact_id","role"],"additionalProperties":false}})"}};
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "owner_id");
    // Closing stamps closed_at; reopening clears it.
    for (const auto& [column, value] : w.values) {
      if (column != "stage") continue;
      const bool closing = IsClosedStage(std::get<std::string>(value));
      const bool was_closed = w.before && IsClosedStage(w.before->Text(5));
      if (closing != was_closed || (w.creating && closing)) {
        w.values.emplace_back("closed_at", closing ? db::Value(w.now) : db::Null());
      }
      break;
    }
    return Ok();
  };
  s.after_write = WriteContactRoles;
  s.extra_json = [](db::Transaction& tx, std::int64_t id, api::JsonWriter& w) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(auto roles, ContactRolesOf(tx, id));
    w.Key("contact_roles").StartArray();
    for (const auto& r : roles) {
      w.StartObject()
          .Key("contact_id")
          .String(api::FormatId(r.contact_id))
          .Key("role")
          .String(r.role)
          .EndObject();
    }
    w.EndArray();
    return Ok();
  };
  return s;
}

}  // namespace

void RegisterOpportunityRoutes(api::Router& router, api::ApiContext& context) {
  api::RegisterResource(router, context, OpportunitySpec());
}

}  // namespace rapport::selling
