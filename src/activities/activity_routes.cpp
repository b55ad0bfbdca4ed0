#include "activities/activity_routes.hpp"

#include "activities/activity_store.hpp"
#include "records/tasks.hpp"

namespace rapport::activities {
namespace {

using api::FieldType;
using api::JsonValue;

api::ResourceSpec ActivitySpec() {
  api::ResourceSpec s;
  s.plural = "activities";
  s.custom_fields = true;
  s.singular = "activity";
  s.tag = "Activities";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.fields = api::FieldsOf(records::ActivityRecord());
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "user_id");
    api::DefaultToNow(w, "occurred_at");
    return Ok();
  };
  // contact_ids: the contacts met, each working at the activity's account.
  api::ContactLinks{"activities", "activity_contacts", "activity_id"}.InstallOn(s);
  return s;
}

api::ResourceSpec TaskSpec() {
  api::ResourceSpec s;
  s.plural = "tasks";
  s.singular = "task";
  s.tag = "Activities";
  s.scope = api::Scope::kTask;
  s.deletion = api::Deletion::kDelete;
  s.fields = api::FieldsOf(records::TaskRecord());
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "owner_id");
    return Ok();
  };
  return s;
}

}  // namespace

void RegisterActivityRoutes(api::Router& router, api::ApiContext& context) {
  api::RegisterResource(router, context, ActivitySpec());
  api::RegisterResource(router, context, TaskSpec());
}

}  // namespace rapport::activities
