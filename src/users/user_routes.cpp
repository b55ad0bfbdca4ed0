#include "users/user_routes.hpp"

#include "users/user_store.hpp"

namespace rapport::users {
namespace {

using api::FieldType;

api::ResourceSpec UserSpec() {
  api::ResourceSpec s;
  s.plural = "users";
  s.singular = "user";
  s.tag = "Organisation";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kNone;  // people leave (status: left); their history stays
  s.changes_access = true;
  s.fields = {
      {.name = "email", .type = FieldType::kEmail, .required = true, .nullable = false},
      {.name = "name", .required = true, .nullable = false, .sortable = true, .max_length = 200},
      {.name = "role",
       .type = FieldType::kEnum,
       .required = true,
       .nullable = false,
       .filterable = true,
       .values = {std::begin(kRoles), std::end(kRoles)}},
      {.name = "status",
       .type = FieldType::kEnum,
       .nullable = false,
       .filterable = true,
       .values = {std::begin(kStatuses), std::end(kStatuses)}},
      {.name = "manager_id",
       .type = FieldType::kReference,
       .filterable = true,
       .references = "users"},
      {.name = "job_title", .max_length = 200},
      {.name = "phone", .max_length = 40},
      {.name = "left_at", .type = FieldType::kInstant, .writable = false},
  };
  s.before_write = [](api::WriteContext& w) -> Status {
    for (const auto& [column, value] : w.values) {
      if (column == "status") {
        const bool left = std::get<std::string>(value) == "left";
        w.values.emplace_back("left_at", left ? db::Value(w.now) : db::Null());
        break;
      }
    }
    for (const auto& [column, value] : w.values) {
      if (column == "email") {
        auto taken = w.tx.QueryOne("SELECT id FROM users WHERE email = ?", {value});
        if (!taken.ok()) return taken.error();
        if (*taken && (!w.before || (*taken)->Int("id") != w.before->Int("id"))) {
          return Error(ErrorCode::kAlreadyExists, "a user with this email exists",
                       {FieldError{"email", "is already taken"}});
        }
      }
    }
    return Ok();
  };
  return s;
}

api::ResourceSpec TerritorySpec() {
  api::ResourceSpec s;
  s.plural = "territories";
  s.singular = "territory";
  s.changes_access = true;
  s.tag = "Organisation";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      {.name = "name", .required = true, .nullable = false, .sortable = true, .max_length = 200},
      {.name = "parent_id",
       .type = FieldType::kReference,
       .filterable = true,
       .references = "territories"},
      {.name = "owner_id",
       .type = FieldType::kReference,
       .filterable = true,
       .references = "users"},
      {.name = "region", .filterable = true, .max_length = 100},
  };
  return s;
}

api::ResourceSpec DistributorSpec() {
  api::ResourceSpec s;
  s.plural = "distributors";
  s.singular = "distributor";
  s.tag = "Organisation";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      {.name = "name", .required = true, .nullable = false, .sortable = true, .max_length = 200},
      {.name = "region", .filterable = true, .max_length = 100},
      {.name = "status",
       .type = FieldType::kEnum,
       .nullable = false,
       .filterable = true,
       .values = {"active", "terminated"}},
      {.name = "email", .type = FieldType::kEmail},
  };
  return s;
}

// Segments group accounts (accounts.segment names one) and set the contact cadence their
// accounts keep unless an account has its own.
api::ResourceSpec SegmentSpec() {
  api::ResourceSpec s;
  s.plural = "segments";
  s.singular = "segment";
  s.tag = "Organisation";
  s.scope = api::Scope::kReference;
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      {.name = "name", .required = true, .nullable = false, .sortable = true, .max_length = 50},
      {.name = "description", .max_length = 500},
      {.name = "contact_cadence_days",
       .type = FieldType::kInteger,
       .min = 1,
       .max = 3650,
       .description = "how often accounts in this segment should hear from us"},
  };
  return s;
}

}  // namespace

void RegisterOrganisationRoutes(api::Router& router, api::ApiContext& context) {
  api::RegisterResource(router, context, UserSpec());
  api::RegisterResource(router, context, TerritorySpec());
  api::RegisterResource(router, context, DistributorSpec());
  api::RegisterResource(router, context, SegmentSpec());
}

}  // namespace rapport::users
