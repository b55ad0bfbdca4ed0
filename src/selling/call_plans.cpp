// Call plans: before a visit, its objective (the best action commitment we hope for and the
// minimum acceptable action), the questions to ask and the people to see; afterwards the review
// (what happened against the objective, follow-ups). The coaching view counts, per person, the
// calls planned and reviewed and how they went.
#include "selling/call_plans.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "api/access.hpp"
#include "api/ics.hpp"
#include "api/query.hpp"
#include "records/call_plans.hpp"

namespace rapport::selling {
namespace {

using api::FieldType;

api::ResourceSpec CallPlanSpec() {
  api::ResourceSpec s;
  s.plural = "call_plans";
  s.path = "call-plans";
  s.singular = "call plan";
  s.tag = "Strategic selling";
  s.scope = api::Scope::kViaAccount;
  s.deletion = api::Deletion::kDelete;
  s.fields = api::FieldsOf(records::CallPlanRecord());
  s.before_write = [](api::WriteContext& w) -> Status {
    api::DefaultToCaller(w, "user_id");
    // Giving an outcome is the review: stamp when it happened.
    for (const auto& [column, value] : w.values) {
      if (column == "outcome") {
        w.values.emplace_back("reviewed_at", std::holds_alternative<std::monostate>(value)
                                                 ? db::Null()
                                                 : db::Value(w.now));
        break;
      }
    }
    return Ok();
  };
  // contact_ids: the people to see.
  api::ContactLinks{"call_plans", "call_plan_contacts", "call_plan_id"}.InstallOn(s);
  return s;
}

Result<api::Response> GetCoaching(api::ApiContext& ctx, const api::Request& r,
                                  const api::Caller& c) {
  const Instant now = ctx.clock.Now();
  std::string since;  // default: 90 days back from now
  RAPPORT_RETURN_IF_ERROR(api::Query(r).Date("since", since).Finish());
  Instant from = now - 90 * kMicrosPerDay;
  if (std::int64_t day = 0; ParseDate(since, day)) from = day * kMicrosPerDay;
  // A manager sees their line; anyone else themselves.
  const std::string who = api::PeopleInView(c, "u.id");
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(
        db::Rows rows,
        tx.Query("SELECT u.id, u.name, count(p.id) AS planned, "
                 "coalesce(sum(CASE WHEN p.reviewed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS "
                 "reviewed, "
                 "coalesce(sum(CASE WHEN p.outcome = 'best' THEN 1 ELSE 0 END), 0) AS "
                 "best_action_won, "
                 "coalesce(sum(CASE WHEN p.outcome = 'minimum' THEN 1 ELSE 0 END), 0) AS "
                 "minimum_action_won, "
                 "coalesce(sum(CASE WHEN p.outcome = 'none' THEN 1 ELSE 0 END), 0) AS "
                 "nothing_won, "
                 "coalesce(sum(CASE WHEN p.reviewed_at IS NULL AND p.planned_for < ? "
                 "THEN 1 ELSE 0 END), 0) AS review_overdue, "
                 "(SELECT count(*) FROM activities x WHERE x.user_id = u.id AND x.kind IN "
                 "('call', 'visit', 'meeting') AND x.occurred_at >= ? AND "
                 "x.occurred_at <= ?) AS calls_made "
                 "FROM users u JOIN call_plans p ON p.user_id = u.id AND p.planned_for >= ? "
                 "WHERE " +
                     who + " GROUP BY u.id, u.name ORDER BY u.name, u.id",
                 {now, from, now, from}));
    w.StartObject().Key("since").String(FormatDate(from / kMicrosPerDay));
    w.Key("items").StartArray();
    for (const auto& row : rows) {
      w.StartObject().Key("user_id").String(api::FormatId(row.Int("id")));
      w.Key("name").String(row.Text("name"));
      w.Key("planned").Int(row.Int("planned")).Key("reviewed").Int(row.Int("reviewed"));
      w.Key("best_action_won").Int(row.Int("best_action_won"));
      w.Key("minimum_action_won").Int(row.Int("minimum_action_won"));
      w.Key("nothing_won").Int(row.Int("nothing_won"));
      w.Key("review_overdue").Int(row.Int("review_overdue"));
      w.Key("calls_made").Int(row.Int("calls_made"));
      w.EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take());
}

// The invitation to a planned call (iCalendar, METHOD:REQUEST): from the person who planned it
// to the contacts to see who may be emailed, at the account's address, for an hour. Only what the
// customer may read: not the objective, the questions or any note.
struct Invitation {
  std::string ics, summary, where;
  Instant start = 0;
  std::int64_t account_id = 0, planner_id = 0;
  std::string planner_name, planner_email;
  struct Invitee {
    std::int64_t contact_id = 0;
    std::string first_name, name, email;
  };
  std::vector<Invitee> invitees;
};

Result<Invitation> BuildInvitation(db::Transaction& tx, const std::string& domain, std::int64_t id,
                                   const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(
      std::optional<db::Row> plan,
      tx.QueryOne("SELECT p.account_id, p.planned_for, p.updated_at, p.version, p.user_id, "
                  "u.name AS user_name, u.email AS user_email, a.name AS account_name, a.street, "
                  "a.city, a.postcode FROM call_plans p JOIN users u ON u.id = p.user_id JOIN "
                  "accounts a ON a.id = p.account_id WHERE p.id = ?",
                  {id}));
  const Error missing(ErrorCode::kNotFound, "call plan " + std::to_string(id) + " not found");
  if (!plan || !api::CheckAccountInReach(tx, c, plan->Int("account_id")).ok()) return missing;
  RAPPORT_ASSIGN_OR_RETURN(
      db::Rows contacts,
      tx.Query("SELECT c.id, c.first_name, c.last_name, c.email FROM call_plan_contacts pc JOIN "
               "contacts c ON c.id = pc.contact_id WHERE pc.call_plan_id = ? AND c.email IS "
               "NOT NULL AND c.email <> '' AND c.left_at IS NULL AND c.do_not_contact = 0 AND "
               "c.email_opted_out = 0 ORDER BY c.last_name, c.first_name, c.id",
               {id}));
  if (contacts.empty()) {
    return Error(ErrorCode::kConflict,
                 "none of the call's contacts can be invited (an email address, not opted out "
                 "of email or contact, not left)");
  }
  Invitation invitation;
  invitation.account_id = plan->Int("account_id");
  invitation.planner_id = plan->Int("user_id");
  invitation.planner_name = plan->Text("user_name");
  invitation.planner_email = plan->Text("user_email");
  invitation.start = plan->Int("planned_for");
  api::IcsEvent meeting{
      .uid = "call-plan-" + std::to_string(id) + "@" + domain,
      .stamp = plan->Int("updated_at"),
      .start = plan->Int("planned_for"),
      .end = plan->Int("planned_for") + 3600 * kMicrosPerSecond,
      .summary = plan->Text("user_name") + " and " + plan->Text("account_name"),
      .organizer = api::IcsEvent::Person{plan->Text("user_name"), plan->Text("user_email")}};
  std::string where = plan->Text("account_name");
  for (std::string_view part : {"street", "city", "postcode"}) {
    std::string line = plan->Text(part);
    std::replace(line.begin(), line.end(), '\n', ' ');
    if (!line.empty()) where += ", " + line;
  }
  meeting.location = where;
  meeting.sequence = static_cast<int>(plan->Int("version")) - 1;  // rescheduled: a new one
  for (const db::Row& contact : contacts) {
    const std::string name = contact.Text("first_name") + " " + contact.Text("last_name");
    meeting.attendees.push_back({name, contact.Text("email")});
    invitation.invitees.push_back(
        {contact.Int("id"), contact.Text("first_name"), name, contact.Text("email")});
  }
  invitation.summary = meeting.summary;
  invitation.where = where;
  api::IcsWriter ics(meeting.summary, "REQUEST");
  ics.Add(meeting);
  invitation.ics = ics.Finish();
  return invitation;
}

Result<api::Response> GetInvitation(api::ApiContext& ctx, const std::string& domain,
                                    const api::Request& r, const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  std::string body;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(Invitation invitation, BuildInvitation(tx, domain, id, c));
    body = std::move(invitation.ics);
    return Ok();
  }));
  return api::Response::Download(std::move(body), "text/calendar; method=REQUEST; charset=utf-8",
                                 "invitation.ics");
}

// "Tuesday 1 December 2026 at 10:00 UTC"
std::string SpokenTime(Instant at) {
  static const char* kDays[] = {"Thursday", "Friday",  "Saturday", "Sunday",
                                "Monday",   "Tuesday", "Wednesday"};
  static const char* kMonths[] = {"January",   "February", "March",    "April",
                                  "May",       "June",     "July",     "August",
                                  "September", "October",  "November", "December"};
  const std::int64_t days = at / kMicrosPerDay;
  int year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, year, month, day);
  const std::int64_t minutes = (at % kMicrosPerDay) / (60 * kMicrosPerSecond);
  char clock[8];
  std::snprintf(clock, sizeof clock, "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return std::string(kDays[((days % 7) + 7) % 7]) + " " + std::to_string(day) + " " +
         kMonths[month - 1] + " " + std::to_string(year) + " at " + clock + " UTC";
}

// POST /call-plans/{id}/invitation/send: the invitation emailed to each contact who may be
// emailed, from the planner, through the outbox (which checks consent again as it sends and logs
// each on the account's timeline).
Result<api::Response> SendInvitation(api::ApiContext& ctx, const std::string& domain,
                                     const api::Request& r, const api::Caller& c) {
  RAPPORT_ASSIGN_OR_RETURN(std::int64_t id, api::ParseId(r.PathParam("id"), "id"));
  const Instant now = ctx.clock.Now();
  api::JsonWriter w;
  RAPPORT_RETURN_IF_ERROR(ctx.database.Write([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(Invitation invitation, BuildInvitation(tx, domain, id, c));
    const std::string when = SpokenTime(invitation.start);
    w.StartObject().Key("queued").StartArray();
    for (const Invitation::Invitee& to : invitation.invitees) {
      const std::string body = "Dear " + to.first_name + ",\n\n" + invitation.planner_name +
                               " would like to meet you on " + when + " at " + invitation.where +
                               ".\n\nThe invitation is attached: accept or decline it in your "
                               "calendar.\n\n" +
                               invitation.planner_name + "\n" + invitation.planner_email + "\n";
      RAPPORT_ASSIGN_OR_RETURN(
          std::int64_t message,
          tx.QueryInt("INSERT INTO outbox (kind, sender_user_id, sender_name, sender_email, "
                      "recipient_name, recipient_email, subject, body, calendar, account_id, "
                      "contact_id, status, next_attempt_at, created_at) VALUES ('invitation', ?, "
                      "?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id",
                      {invitation.planner_id, invitation.planner_name, invitation.planner_email,
                       to.name, to.email, "Invitation: " + invitation.summary + ", " + when, body,
                       invitation.ics, invitation.account_id, to.contact_id, now, now}));
      w.StartObject()
          .Key("outbox_id")
          .String(api::FormatId(message))
          .Key("contact_id")
          .String(api::FormatId(to.contact_id))
          .Key("email")
          .String(to.email)
          .EndObject();
    }
    w.EndArray().EndObject();
    return Ok();
  }));
  return api::Response::Json(w.Take(), 202);
}

}  // namespace

void RegisterCallPlanRoutes(api::Router& router, api::ApiContext& ctx,
                            const std::string& public_url) {
  api::RegisterResource(router, ctx, CallPlanSpec());
  router.Add(
      {"GET",
       "/api/v1/call-plans/{id}/invitation",
       api::Access::kSignedIn,
       api::Reach::Record("call_plans", "call plan", api::Scope::kViaAccount),
       [&ctx, domain = api::UidDomain(public_url)](const api::Request& r, const api::Caller& c) {
         return GetInvitation(ctx, domain, r, c);
       },
       {"The invitation to a planned call for the contacts to see (iCalendar, "
        "METHOD:REQUEST: their calendar offers to accept it); not the objective or notes",
        "Strategic selling",
        {},
        "",
        "",
        200,
        "getCallPlanInvitation"}});
  router.Add(
      {"POST",
       "/api/v1/call-plans/{id}/invitation/send",
       api::Access::kSignedIn,
       api::Reach::Record("call_plans", "call plan", api::Scope::kViaAccount),
       [&ctx, domain = api::UidDomain(public_url)](const api::Request& r, const api::Caller& c) {
         return SendInvitation(ctx, domain, r, c);
       },
       {"Emails the invitation to the planned call to each contact to see who may be emailed, "
        "from its planner (the text, and the iCalendar a mail client offers to accept)",
        "Strategic selling",
        {},
        "",
        R"({"type":"object","properties":{"queued":{"type":"array","items":{"type":"object","properties":{"outbox_id":{"type":"string"},"contact_id":{"type":"string"},"email":{"type":"string"}},"required":["outbox_id","contact_id","email"]}}},"required":["queued"]})",
        202,
        "sendCallPlanInvitation"}});

  router.Add(
      {"GET",
       "/api/v1/reports/coaching",
       api::Access::kSignedIn,
       api::Reach::Filtered(),
       [&ctx](const api::Request& r, const api::Caller& c) { return GetCoaching(ctx, r, c); },
       {"Coaching: per person, calls planned and reviewed, what they won against the objective, "
        "reviews overdue, calls made (default: the last 90 days)",
        "Strategic selling",
        {{"since", "string", "YYYY-MM-DD"}},
        "",
        R"({"type":"object","properties":{"since":{"type":"string"},"items":{"type":"array","items":{"type":"object"}}}})"}});
}

}  // namespace rapport::selling
