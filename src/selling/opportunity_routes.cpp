#include "selling/opportunity_routes.hpp"

#include <set>

#include <algorithm>

#include "db/migrations.hpp"
#include "selling/line_item_import.hpp"
#include "selling/line_items.hpp"
#include "selling/opportunity_store.hpp"
#include "settings/currencies.hpp"

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

// A lost deal with a revisit date gets one open task for its owner to go back.
Status ScheduleRevisit(db::Transaction& tx, const audit::Actor& actor, std::int64_t id) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> o,
      tx.QueryOne("SELECT stage, revisit_on, owner_id, account_id, name FROM opportunities WHERE "
                  "id = ?",
                  {id}));
  if (!o || o->Text("stage") != "closed_lost" || o->IsNull("revisit_on")) return Ok();
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> task,
      tx.QueryOne("SELECT id, due_on FROM tasks WHERE related_type = 'opportunity' AND "
                  "related_id = ? AND subject LIKE 'Revisit lost deal:%' AND done_at IS NULL",
                  {id}));
  if (task) {
    if (task->Text("due_on") == o->Text("revisit_on")) return Ok();
    RAPPORT_ASSIGN_OR_RETURN(int changed,
                             audit::UpdateAudited(tx, actor, "tasks", task->Int("id"), std::nullopt,
                                                  {{"due_on", o->Text("revisit_on")}}));
    (void)changed;
    return Ok();
  }
  RAPPORT_ASSIGN_OR_RETURN(
      std::int64_t created,
      audit::InsertAudited(tx, actor, "tasks",
                           {{"owner_id", o->Int("owner_id")},
                            {"account_id", o->Int("account_id")},
                            {"related_type", std::string("opportunity")},
                            {"related_id", id},
                            {"subject", "Revisit lost deal: " + o->Text("name")},
                            {"due_on", o->Text("revisit_on")}}));
  (void)created;
  return Ok();
}

// after_write: replaces the deal's revenue splits with the body's `splits`, when given; they must
// name active people once each and add up to 100.
Status WriteSplits(db::Transaction& tx, const api::Caller& caller, std::int64_t id,
                   const JsonValue& body) {
  static const std::vector<api::FieldSpec> kSplit = {
      api::RequiredReference("user_id", "users"),
      {.name = "percent", .type = FieldType::kInteger, .required = true, .min = 1, .max = 100},
  };
  RAPPORT_ASSIGN_OR_RETURN(auto splits,
                           api::ParseItems(tx, caller, body, "splits", kSplit, "a revenue split"));
  if (!splits) return Ok();
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM opportunity_splits WHERE opportunity_id = ?", {id}));
  std::int64_t total = 0;
  std::set<std::int64_t> people;
  for (size_t i = 0; i < splits->size(); ++i) {
    const audit::FieldValues& split = (*splits)[i];
    const std::string at = "splits[" + std::to_string(i) + "]";
    const std::int64_t user_id = std::get<std::int64_t>(api::ValueOf(split, "user_id"));
    const std::int64_t percent = std::get<std::int64_t>(api::ValueOf(split, "percent"));
    RAPPORT_ASSIGN_OR_RETURN(
        auto active,
        tx.QueryOne("SELECT 1 FROM users WHERE id = ? AND status <> 'left'", {user_id}));
    if (!active) return Error::InvalidField(at + ".user_id", "is no one who still works here");
    if (!people.insert(user_id).second) {
      return Error::InvalidField(at + ".user_id", "appears twice");
    }
    total += percent;
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO opportunity_splits (opportunity_id, user_id, percent) VALUES (?, ?, ?)",
        {id, user_id, percent}));
  }
  if (!splits->empty() && total != 100) {
    return Error::InvalidField("splits", "add up to " + std::to_string(total) + "%, not 100%");
  }
  return Ok();
}

// A deal's line items price it: given, its amount becomes their total (the lines themselves are
// written after the deal, in after_write); not given, the amount of a deal that has lines is
// theirs, and a PATCH that changes it is refused.
Status PriceFromLineItems(api::WriteContext& w) {
  const db::Value currency = w.After("currency");
  const std::string code =
      std::holds_alternative<std::string>(currency) ? std::get<std::string>(currency) : "GBP";
  RAPPORT_ASSIGN_OR_RETURN(auto items, ParseLineItems(w.tx, w.caller, w.body, code));
  if (items) {
    if (items->empty()) return Ok();
    if (w.Written("amount_minor")) {
      return Error::InvalidField("amount_minor",
                                 "is the total of line_items: give one or the other");
    }
    std::int64_t total = 0;
    for (const LineItem& item : *items) total += item.total_minor;
    w.Set("amount_minor", total);
    return Ok();
  }
  const db::Value* amount = w.Written("amount_minor");
  const db::Value* currency_given = w.Written("currency");
  if (!w.before || (!amount && !currency_given)) return Ok();
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> priced,
      w.tx.QueryOne("SELECT o.amount_minor FROM opportunities o WHERE o.id = ? AND EXISTS "
                    "(SELECT 1 FROM opportunity_line_items l WHERE l.opportunity_id = o.id)",
                    {w.before->Int("id")}));
  if (priced && amount && db::Value(priced->Int("amount_minor")) != *amount) {
    return Error::InvalidField("amount_minor",
                               "is the total of the deal's line items: change them instead");
  }
  // The lines are priced in the deal's currency: it changes with them, not under them.
  if (priced && currency_given && *currency_given != w.before->at(w.before->IndexOf("currency"))) {
    return Error::InvalidField("currency",
                               "cannot change while the deal has line items: give line_items "
                               "priced in the new currency with it");
  }
  return Ok();
}

// after_write: the body's line_items, when given, replace the deal's (priced in its currency).
Status WriteLineItems(db::Transaction& tx, const api::Caller& caller, Instant now, std::int64_t id,
                      const JsonValue& body) {
  if (!body.Find("line_items")) return Ok();
  RAPPORT_ASSIGN_OR_RETURN(std::optional<db::Row> deal,
                           tx.QueryOne("SELECT currency FROM opportunities WHERE id = ?", {id}));
  if (!deal) return Error(ErrorCode::kNotFound, "no opportunity " + api::FormatId(id));
  RAPPORT_ASSIGN_OR_RETURN(auto items, ParseLineItems(tx, caller, body, deal->Text("currency")));
  RAPPORT_ASSIGN_OR_RETURN(bool changed, ReplaceLineItems(tx, {caller.user_id, now}, id, *items));
  (void)changed;  // the route moves the ETag on when line_items is given
  return Ok();
}

// The deals' buying roles, revenue splits and line items, three queries for a whole page.
Result<std::unordered_map<std::int64_t, api::ResourceSpec::ExtraFields>> ExtraJson(
    db::Transaction& tx, const std::vector<std::int64_t>& ids) {
  db::Params params;
  const std::string in = db::IdPlaceholders(ids, params);
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows roles,
      tx.Query("SELECT opportunity_id, contact_id, role FROM opportunity_contact_roles WHERE "
               "opportunity_id IN (" +
                   in + ") ORDER BY opportunity_id, id",
               params));
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows splits,
      tx.Query("SELECT opportunity_id, user_id, percent FROM opportunity_splits WHERE "
               "opportunity_id IN (" +
                   in + ") ORDER BY opportunity_id, percent DESC, user_id",
               params));
  RAPPORT_ASSIGN_OR_RETURN(auto lines, LineItemsOfMany(tx, ids));
  // Each deal's rows as a JSON array, from rows ordered by deal; `key` and `value` name both the
  // columns and the JSON fields.
  auto arrays = [](const db::Rows& rows, const char* key, const char* value, bool text) {
    std::unordered_map<std::int64_t, std::string> out;
    std::size_t i = 0;
    while (i < rows.size()) {
      const std::int64_t id = rows[i].Int("opportunity_id");
      api::JsonWriter w;
      w.StartArray();
      for (; i < rows.size() && rows[i].Int("opportunity_id") == id; ++i) {
        w.StartObject().Key(key).String(api::FormatId(rows[i].Int(key))).Key(value);
        if (text) {
          w.String(rows[i].Text(value));
        } else {
          w.Int(rows[i].Int(value));
        }
        w.EndObject();
      }
      w.EndArray();
      out[id] = w.Take();
    }
    return out;
  };
  auto role_json = arrays(roles, "contact_id", "role", true);
  auto split_json = arrays(splits, "user_id", "percent", false);
  std::unordered_map<std::int64_t, api::ResourceSpec::ExtraFields> out;
  for (std::int64_t id : ids) {
    auto& fields = out[id];
    fields.emplace_back("contact_roles", role_json.count(id) ? role_json[id] : "[]");
    fields.emplace_back("splits", split_json.count(id) ? split_json[id] : "[]");
    fields.emplace_back("line_items", LineItemsJson(lines[id]));
  }
  return out;
}

api::ResourceSpec OpportunitySpec() {
  api::ResourceSpec s;
  s.plural = "opportunities";
  s.custom_fields = true;
  s.singular = "opportunity";
  s.tag = "Opportunities";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.search = db::SearchIndexes().at(2);
  s.fields = api::FieldsOf(records::OpportunityRecord());
  static const char kSplits[] =
      R"j({"type":"array","description":"who shares the deal's credit; percents add up to 100 (empty: none)","items":{"type":"object","properties":{"user_id":{"type":"string"},"percent":{"type":"integer","minimum":1,"maximum":100}},"required":["user_id","percent"],"additionalProperties":false}})j";
  static const char kContactRoles[] =
      R"({"type":"array","items":{"type":"object","properties":{"contact_id":{"type":"string"},"role":{"type":"string","enum":["economic_buyer","user_buyer","technical_buyer","coach","other"]}},"required":["contact_id","role"],"additionalProperties":false}})";
  s.extra_body_fields = {
      {"splits", kSplits}, {"contact_roles", kContactRoles}, {"line_items", kLineItemsSchema}};
  s.extra_json_fields = {
      {"contact_roles", kContactRoles}, {"splits", kSplits}, {"line_items", kLineItemsJsonSchema}};
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "owner_id");
    if (w.creating && !w.Written("currency")) {
      // A new deal is in the company's currency unless it says otherwise.
      RAPPORT_ASSIGN_OR_RETURN(std::string company, settings::CompanyCurrency(w.tx));
      w.Set("currency", company);
    }
    RAPPORT_RETURN_IF_ERROR(PriceFromLineItems(w));
    // Closing stamps closed_at; reopening clears it.
    for (const auto& [column, value] : w.values) {
      if (column != "stage") continue;
      const bool closing = IsClosedStage(std::get<std::string>(value));
      const bool was_closed = w.before && IsClosedStage(w.before->Text("stage"));
      if (closing != was_closed || (w.creating && closing)) {
        w.values.emplace_back("closed_at", closing ? db::Value(w.now) : db::Null());
      }
      break;
    }
    // Lose quickly: a lost deal says why, and when to go back.
    std::optional<std::string> stage, reason;
    bool revisit_given = false;
    for (const auto& [column, value] : w.values) {
      if (column == "stage") stage = std::get<std::string>(value);
      if (column == "lost_reason" && std::holds_alternative<std::string>(value)) {
        reason = std::get<std::string>(value);
      }
      if (column == "revisit_on") revisit_given = true;
    }
    const bool losing =
        stage == "closed_lost" && !(w.before && w.before->Text("stage") == "closed_lost");
    if (losing) {
      const bool reason_known =
          (reason && !reason->empty()) ||
          (w.before && !w.before->IsNull("lost_reason") && !w.before->Text("lost_reason").empty() &&
           std::none_of(w.values.begin(), w.values.end(),
                        [](const auto& v) { return v.first == "lost_reason"; }));
      if (!reason_known) {
        return Error::InvalidField("lost_reason", "say why the deal was lost");
      }
      if (!revisit_given) {
        w.values.emplace_back("revisit_on", FormatDate(w.now / kMicrosPerDay + 180));
      }
    }
    return Ok();
  };
  s.after_write = [](db::Transaction& tx, const api::Caller& caller, Instant now, std::int64_t id,
                     const JsonValue& body, bool creating) -> Status {
    RAPPORT_RETURN_IF_ERROR(WriteContactRoles(tx, caller, now, id, body, creating));
    RAPPORT_RETURN_IF_ERROR(WriteSplits(tx, caller, id, body));
    RAPPORT_RETURN_IF_ERROR(WriteLineItems(tx, caller, now, id, body));
    return ScheduleRevisit(tx, {caller.user_id, now}, id);
  };
  s.extra_json_many = &ExtraJson;
  return s;
}

}  // namespace

void RegisterOpportunityRoutes(api::Router& router, api::ApiContext& context) {
  api::RegisterResource(router, context, OpportunitySpec());
  RegisterLineItemImportRoute(router, context);
}

}  // namespace rapport::selling
