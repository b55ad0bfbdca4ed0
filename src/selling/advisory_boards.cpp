#include "selling/advisory_boards.hpp"

#include <set>

#include "api/access.hpp"

namespace rapport::selling {
namespace {

using api::FieldType;
using api::JsonValue;

constexpr std::string_view kStatuses[] = {"invited", "accepted", "declined", "attended", "no_show"};

// after_write: replaces the board's members with the body's `members`, when given. Each is a
// contact the caller reaches, once.
Status WriteMembers(db::Transaction& tx, const api::Caller& caller, std::int64_t board,
                    const JsonValue& body) {
  static const std::vector<api::FieldSpec> kMember = {
      api::RequiredReference("contact_id", "contacts"),
      {.name = "status",
       .type = api::FieldType::kEnum,
       .nullable = false,
       .values = {std::begin(kStatuses), std::end(kStatuses)}},
      {.name = "said", .max_length = 4000},
  };
  RAPPORT_ASSIGN_OR_RETURN(auto members,
                           api::ParseItems(tx, caller, body, "members", kMember, "a board member"));
  if (!members) return Ok();
  RAPPORT_RETURN_IF_ERROR(
      tx.Execute("DELETE FROM advisory_board_members WHERE board_id = ?", {board}));
  std::set<std::int64_t> seen;
  for (size_t i = 0; i < members->size(); ++i) {
    const audit::FieldValues& m = (*members)[i];
    const std::int64_t contact = std::get<std::int64_t>(api::ValueOf(m, "contact_id"));
    if (!seen.insert(contact).second) {
      return Error::InvalidField("members[" + std::to_string(i) + "].contact_id", "appears twice");
    }
    db::Value status = api::ValueOf(m, "status");
    if (std::holds_alternative<std::monostate>(status)) status = std::string("invited");
    RAPPORT_RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO advisory_board_members (board_id, contact_id, status, said) VALUES (?, ?, ?, "
        "?)",
        {board, contact, status, api::ValueOf(m, "said")}));
  }
  return Ok();
}

Status WriteMembersJson(db::Transaction& tx, std::int64_t board, api::JsonWriter& w) {
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query("SELECT m.contact_id, c.first_name || ' ' || c.last_name AS contact_name, "
               "c.job_title, c.kol, c.account_id, a.name AS account_name, m.status, m.said FROM "
               "advisory_board_members m JOIN contacts c ON c.id = m.contact_id JOIN accounts a ON "
               "a.id = c.account_id WHERE m.board_id = "
               "? ORDER BY c.last_name, c.first_name, m.contact_id",
               {board}));
  int attended = 0;
  w.Key("members").StartArray();
  for (const auto& r : rows) {
    if (r.Text("status") == "attended") ++attended;
    w.StartObject().Key("contact_id").String(api::FormatId(r.Int("contact_id")));
    w.Key("name").String(r.Text("contact_name"));
    w.Key("job_title").Value(r.at(r.IndexOf("job_title")));
    w.Key("kol").Bool(r.Int("kol") == 1);
    w.Key("account_id").String(api::FormatId(r.Int("account_id")));
    w.Key("account").String(r.Text("account_name"));
    w.Key("status").String(r.Text("status")).Key("said").Value(r.at(r.IndexOf("said"))).EndObject();
  }
  w.EndArray();
  w.Key("invited").Int(static_cast<std::int64_t>(rows.size())).Key("attended").Int(attended);
  return Ok();
}

api::ResourceSpec AdvisoryBoardSpec() {
  api::ResourceSpec s;
  s.plural = "advisory_boards";
  s.path = "advisory-boards";
  s.singular = "advisory board";
  s.tag = "Strategic selling";
  s.scope = api::Scope::kTask;  // its owner's, or seen through the account that hosts it
  s.deletion = api::Deletion::kDelete;
  s.fields = {
      {.name = "name", .required = true, .nullable = false, .sortable = true, .max_length = 200},
      {.name = "topic", .max_length = 1000},
      {.name = "held_on",
       .type = FieldType::kDate,
       .required = true,
       .nullable = false,
       .filterable = true,
       .sortable = true},
      {.name = "owner_id",
       .type = FieldType::kReference,
       .nullable = false,
       .filterable = true,
       .references = "users",
       .description = "who organises it (default: the caller)"},
      {.name = "account_id",
       .type = FieldType::kReference,
       .filterable = true,
       .references = "accounts",
       .description = "the account that hosts it, if any"},
      {.name = "location", .max_length = 200},
      {.name = "summary", .max_length = 8000, .description = "what the board concluded"},
  };
  s.extra_body_fields.emplace_back(
      "members",
      R"({"type":"array","items":{"type":"object","required":["contact_id"],"properties":{"contact_id":{"type":"string"},"status":{"type":"string","enum":["invited","accepted","declined","attended","no_show"]},"said":{"type":["string","null"]}}}})");
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "owner_id");
    return Ok();
  };
  s.after_write = [](db::Transaction& tx, const api::Caller& caller, Instant, std::int64_t id,
                     const JsonValue& body, bool) { return WriteMembers(tx, caller, id, body); };
  s.extra_json = &WriteMembersJson;
  return s;
}

}  // namespace

void RegisterAdvisoryBoardRoutes(api::Router& router, api::ApiContext& ctx) {
  api::RegisterResource(router, ctx, AdvisoryBoardSpec());
}

}  // namespace rapport::selling
