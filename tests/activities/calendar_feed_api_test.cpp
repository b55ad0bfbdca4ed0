// Calendars through the real binary over SQLite and PostgreSQL, read back by a second iCalendar
// implementation (Python's icalendar): a person's feed, whose meeting and task reach a calendar
// app at the secret address (a new address retires the old one, and revoking ends both); and the
// invitation to a planned call, from its planner to the contacts to see.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.hpp"
#include "support/demo_company.hpp"
#include "support/run_command.hpp"
#include "support/test_clock.hpp"
#include "support/test_database.hpp"

namespace rapport::activities {
namespace {

using nlohmann::json;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::FreePort;
using ::rapport::testing::HttpCall;
using ::rapport::testing::RunCommand;
using ::rapport::testing::RunningCommand;
using ::rapport::testing::TestDay;
using ::rapport::testing::TestNow;

// The events of an iCalendar text as JSON, read by Python's icalendar (not our writer's code).
constexpr const char* kReadEvents = R"py(
import icalendar, json, sys
calendar = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
events = []
for e in calendar.walk("VEVENT"):
    start, end = e.decoded("DTSTART"), e.decoded("DTEND")
    events.append({"uid": str(e["UID"]), "summary": str(e["SUMMARY"]),
                   "description": str(e.get("DESCRIPTION", "")), "location": str(e.get("LOCATION", "")),
                   "start": start.isoformat(), "end": end.isoformat(),
                   "organizer": str(e.get("ORGANIZER", "")),
                   "attendees": [str(a) for a in (e.get("ATTENDEE") if isinstance(e.get("ATTENDEE"), list) else [e["ATTENDEE"]] if "ATTENDEE" in e else [])]})
print(json.dumps({"name": str(calendar.get("X-WR-CALNAME")), "method": str(calendar.get("METHOD")),
                  "events": events}))
)py";

class CalendarFeedApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
  }
  testing::ApiServer& s() { return *company_->server; }
  json Events(const std::string& ics) {
    const auto read = RunCommand({"/usr/bin/python3", "-c", kReadEvents}, ics);
    EXPECT_EQ(read.exit_code, 0) << read.err;
    return json::parse(read.out.empty() ? "{}" : read.out);
  }
  DemoCompany* company_ = nullptr;
};

TEST_P(CalendarFeedApiTest, MeetingsAndTasksReachACalendarAppUntilTheAddressIsRevoked) {
  const std::int64_t rep = company_->Count(
      "SELECT min(u.id) FROM users u WHERE u.role = 'rep' AND u.status = 'active' AND EXISTS "
      "(SELECT 1 FROM accounts a WHERE a.owner_id = u.id)");
  const std::int64_t account =
      company_->Count("SELECT min(id) FROM accounts WHERE owner_id = ?", {rep});
  const json user = s().Get("/api/v1/users/" + std::to_string(rep), company_->admin).Json();
  const std::string token = s().Login(user["email"]);
  const json acc = s().Get("/api/v1/accounts/" + std::to_string(account), token).Json();

  EXPECT_EQ(s().Get("/api/v1/calendar-feed", token).Json()["active"], false);
  // A meeting the day after tomorrow at 10:00 UTC, its notes long, with commas, semicolons, a
  // line break and letters beyond ASCII: escaped and folded, then read back whole.
  const Instant meeting_at = (TestDay() + 2) * kMicrosPerDay + 10 * 3600 * kMicrosPerSecond;
  const std::string notes =
      "Agenda: pricing, the renewal; the trial's results.\nBring the Müller–Søndergaard report "
      "and the theatre managers' list (ünïcödé ×12) so that the line runs well past 75 octets.";
  const auto meeting = s().Post("/api/v1/activities",
                                {{"account_id", std::to_string(account)},
                                 {"kind", "meeting"},
                                 {"occurred_at", FormatInstant(meeting_at)},
                                 {"subject", "Quarterly review, theatres"},
                                 {"body", notes}},
                                token);
  ASSERT_EQ(meeting.status, 201) << meeting.body;
  const auto task = s().Post("/api/v1/tasks",
                             {{"account_id", std::to_string(account)},
                              {"subject", "Send the revised quote"},
                              {"due_on", FormatDate(TestDay() + 3)}},
                             token);
  ASSERT_EQ(task.status, 201) << task.body;

  const auto made = s().Post("/api/v1/calendar-feed", json::object(), token);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string path = made.Json()["path"];
  EXPECT_TRUE(made.Json()["url"].get<std::string>().ends_with(path));
  EXPECT_EQ(s().Get("/api/v1/calendar-feed", token).Json()["active"], true);

  // No sign-in: the address is the secret.
  const auto feed = s().Call(HttpCall{.path = path});
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_EQ(feed.Header("content-type"), "text/calendar; charset=utf-8");
  for (std::size_t at = 0; at < feed.body.size();) {
    const std::size_t end = feed.body.find("\r\n", at);
    ASSERT_NE(end, std::string::npos) << "every line ends with CRLF";
    EXPECT_LE(end - at, 75u) << feed.body.substr(at, end - at);
    at = end + 2;
  }
  const json read = Events(feed.body);
  EXPECT_EQ(read["name"], "Rapport: " + user["name"].get<std::string>());
  json meeting_event, task_event;
  for (const json& e : read["events"]) {
    // UIDs end with the host users reach this installation at (here the test server's).
    if (e["uid"] == "activity-" + meeting.Json()["id"].get<std::string>() + "@127.0.0.1")
      meeting_event = e;
    if (e["uid"] == "task-" + task.Json()["id"].get<std::string>() + "@127.0.0.1") task_event = e;
  }
  ASSERT_FALSE(meeting_event.is_null()) << read.dump();
  EXPECT_EQ(meeting_event["summary"],
            "Quarterly review, theatres (" + acc["name"].get<std::string>() + ")");
  EXPECT_EQ(meeting_event["description"], notes);
  const std::string day = FormatDate(TestDay() + 2);
  EXPECT_EQ(meeting_event["start"], day + "T10:00:00+00:00");
  EXPECT_EQ(meeting_event["end"], day + "T11:00:00+00:00");
  ASSERT_FALSE(task_event.is_null()) << read.dump();
  EXPECT_EQ(task_event["summary"],
            "Task: Send the revised quote (" + acc["name"].get<std::string>() + ")");
  EXPECT_EQ(task_event["start"], FormatDate(TestDay() + 3));
  EXPECT_EQ(task_event["end"], FormatDate(TestDay() + 4));

  // A new address retires the old one.
  const auto again = s().Post("/api/v1/calendar-feed", json::object(), token);
  ASSERT_EQ(again.status, 201);
  const std::string new_path = again.Json()["path"];
  EXPECT_NE(new_path, path);
  EXPECT_EQ(s().Call(HttpCall{.path = path}).status, 404);
  EXPECT_EQ(s().Call(HttpCall{.path = new_path}).status, 200);
  // Revoked: nothing answers, and the person has no feed.
  EXPECT_EQ(s().Delete("/api/v1/calendar-feed", token).status, 204);
  EXPECT_EQ(s().Call(HttpCall{.path = new_path}).status, 404);
  EXPECT_EQ(s().Get("/api/v1/calendar-feed", token).Json()["active"], false);
  EXPECT_EQ(company_->Count("SELECT count(*) FROM calendar_feeds WHERE user_id = ?", {rep}), 0);
}

TEST_P(CalendarFeedApiTest, APlannedCallInvitesItsContactsWithoutTheObjective) {
  const std::int64_t account = company_->Count(
      "SELECT min(a.id) FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.role = 'rep' "
      "AND u.status = 'active' AND (SELECT count(*) FROM contacts c WHERE c.account_id = a.id "
      "AND c.email IS NOT NULL AND c.left_at IS NULL) >= 2");
  const std::int64_t rep = company_->Count("SELECT owner_id FROM accounts WHERE id = ?", {account});
  const json user = s().Get("/api/v1/users/" + std::to_string(rep), company_->admin).Json();
  const std::string token = s().Login(user["email"]);
  const json contacts = s().Get("/api/v1/contacts?account_id=" + std::to_string(account) +
                                    "&limit=500&sort=last_name",
                                token)
                            .Json()["items"];
  std::vector<std::string> ids, emails;
  for (const json& c : contacts) {
    if (c["email"].is_null() || !c["left_at"].is_null() || ids.size() == 2) continue;
    ids.push_back(c["id"]);
    emails.push_back("mailto:" + c["email"].get<std::string>());
  }
  ASSERT_EQ(ids.size(), 2u);
  const Instant at = (TestDay() + 5) * kMicrosPerDay + 14 * 3600 * kMicrosPerSecond;
  const auto plan = s().Post("/api/v1/call-plans",
                             {{"account_id", std::to_string(account)},
                              {"planned_for", FormatInstant(at)},
                              {"best_action", "Secret objective: forty pumps on trial"},
                              {"minimum_action", "A date for the theatre demo"},
                              {"contact_ids", ids}},
                             token);
  ASSERT_EQ(plan.status, 201) << plan.body;
  const std::string path =
      "/api/v1/call-plans/" + plan.Json()["id"].get<std::string>() + "/invitation";

  const auto invitation = s().Get(path, token);
  ASSERT_EQ(invitation.status, 200) << invitation.body;
  EXPECT_EQ(invitation.Header("content-type"), "text/calendar; method=REQUEST; charset=utf-8");
  EXPECT_EQ(invitation.body.find("Secret objective"), std::string::npos) << invitation.body;
  EXPECT_EQ(invitation.body.find("theatre demo"), std::string::npos) << invitation.body;
  const json read = Events(invitation.body);
  EXPECT_EQ(read["method"], "REQUEST");
  ASSERT_EQ(read["events"].size(), 1u) << read.dump();
  const json& e = read["events"][0];
  EXPECT_EQ(e["uid"], "call-plan-" + plan.Json()["id"].get<std::string>() + "@127.0.0.1");
  EXPECT_EQ(e["organizer"], "mailto:" + user["email"].get<std::string>());
  std::vector<std::string> attendees = e["attendees"];
  std::sort(attendees.begin(), attendees.end());
  std::sort(emails.begin(), emails.end());
  EXPECT_EQ(attendees, emails);
  const std::string day = FormatDate(TestDay() + 5);
  EXPECT_EQ(e["start"], day + "T14:00:00+00:00");
  EXPECT_EQ(e["end"], day + "T15:00:00+00:00");
  const json acc = s().Get("/api/v1/accounts/" + std::to_string(account), token).Json();
  EXPECT_TRUE(e["location"].get<std::string>().starts_with(acc["name"].get<std::string>()))
      << e["location"];

  EXPECT_NE(invitation.body.find("\r\nSEQUENCE:0\r\n"), std::string::npos) << invitation.body;
  // Moved to another day: the same UID, a higher SEQUENCE, so calendars take the new time.
  const auto moved = s().Patch(path.substr(0, path.rfind('/')),
                               {{"planned_for", FormatInstant(at + kMicrosPerDay)}}, token);
  ASSERT_EQ(moved.status, 200) << moved.body;
  const auto again = s().Get(path, token);
  EXPECT_NE(again.body.find("\r\nSEQUENCE:1\r\n"), std::string::npos) << again.body;
  EXPECT_EQ(Events(again.body)["events"][0]["start"],
            FormatDate(TestDay() + 6) + "T14:00:00+00:00");

  // A call whose only contact opted out of email invites no one: refused, naming why.
  const auto opted_out = s().Post("/api/v1/contacts",
                                  {{"account_id", std::to_string(account)},
                                   {"first_name", "No"},
                                   {"last_name", "Mail"},
                                   {"email", "no.mail@example.test"},
                                   {"email_opted_out", true}},
                                  token);
  ASSERT_EQ(opted_out.status, 201) << opted_out.body;
  const auto lonely = s().Post("/api/v1/call-plans",
                               {{"account_id", std::to_string(account)},
                                {"planned_for", FormatInstant(at)},
                                {"best_action", "Meet"},
                                {"minimum_action", "Call"},
                                {"contact_ids", {opted_out.Json()["id"]}}},
                               token);
  ASSERT_EQ(lonely.status, 201) << lonely.body;
  testing::ExpectProblem(
      s().Get("/api/v1/call-plans/" + lonely.Json()["id"].get<std::string>() + "/invitation",
              token),
      409);

  // Someone who does not reach the account does not learn the call exists.
  std::string stranger;
  for (std::int64_t id = 0; stranger.empty();) {
    id = company_->Count(
        "SELECT coalesce(min(id), 0) FROM users WHERE role = 'rep' AND status = 'active' AND id > "
        "?",
        {id});
    ASSERT_NE(id, 0) << "every rep reaches account " << account;
    const json other = s().Get("/api/v1/users/" + std::to_string(id), company_->admin).Json();
    const std::string other_token = s().Login(other["email"]);
    if (s().Get("/api/v1/accounts/" + std::to_string(account), other_token).status == 404) {
      stranger = other_token;
    }
  }
  testing::ExpectProblem(s().Get(path, stranger), 404);
}

// The invitations of a maildir's messages whose subject starts "Invitation:", read by Python's
// email and icalendar: to whom, the text, and the calendar part's method and event.
constexpr const char* kReadInvitations = R"py(
import email, email.policy, icalendar, json, pathlib, sys
found = []
for path in sorted(pathlib.Path(sys.argv[1], "new").iterdir()):
    m = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    if not str(m["Subject"]).startswith("Invitation:"):
        continue
    text = m.get_body(preferencelist=("plain",)).get_content()
    calendar = [p for p in m.walk() if p.get_content_type() == "text/calendar"]
    ics = icalendar.Calendar.from_ical(calendar[0].get_payload(decode=True)) if calendar else None
    event = ics.walk("VEVENT")[0] if ics else None
    found.append({"to": str(m["To"]), "reply_to": str(m["Reply-To"]), "subject": str(m["Subject"]),
                  "text": text, "method": calendar[0].get_param("method") if calendar else None,
                  "ics_method": str(ics.get("METHOD")) if ics else None,
                  "uid": str(event["UID"]) if event else None,
                  "attendees": sorted(str(a) for a in event.get("ATTENDEE")) if event else []})
print(json.dumps(found))
)py";

TEST_P(CalendarFeedApiTest, AnInvitationIsEmailedToEachContactAsACalendarRequest) {
  const std::int64_t account = company_->Count(
      "SELECT max(a.id) FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.role = 'rep' "
      "AND u.status = 'active' AND (SELECT count(*) FROM contacts c WHERE c.account_id = a.id "
      "AND c.email IS NOT NULL AND c.left_at IS NULL AND c.do_not_contact = 0 AND "
      "c.email_opted_out = 0) >= 2");
  const std::int64_t rep = company_->Count("SELECT owner_id FROM accounts WHERE id = ?", {account});
  const json user = s().Get("/api/v1/users/" + std::to_string(rep), company_->admin).Json();
  const std::string token = s().Login(user["email"]);
  const json contacts = s().Get("/api/v1/contacts?account_id=" + std::to_string(account) +
                                    "&limit=500&sort=last_name",
                                token)
                            .Json()["items"];
  std::vector<std::string> ids, emails;
  for (const json& c : contacts) {
    if (c["email"].is_null() || !c["left_at"].is_null() || c["do_not_contact"] == true ||
        c["email_opted_out"] == true || ids.size() == 2)
      continue;
    ids.push_back(c["id"]);
    emails.push_back(c["email"]);
  }
  ASSERT_EQ(ids.size(), 2u);
  const Instant at = (TestDay() + 3) * kMicrosPerDay + 9 * 3600 * kMicrosPerSecond;
  const auto plan = s().Post("/api/v1/call-plans",
                             {{"account_id", std::to_string(account)},
                              {"planned_for", FormatInstant(at)},
                              {"best_action", "Secret objective: the renewal"},
                              {"minimum_action", "A date"},
                              {"contact_ids", ids}},
                             token);
  ASSERT_EQ(plan.status, 201) << plan.body;
  const std::string plan_id = plan.Json()["id"];
  const auto sent =
      s().Post("/api/v1/call-plans/" + plan_id + "/invitation/send", json::object(), token);
  ASSERT_EQ(sent.status, 202) << sent.body;
  ASSERT_EQ(sent.Json()["queued"].size(), 2u) << sent.body;

  // A server with an SMTP server to send to delivers the outbox (what else waits there too).
  testing::TempDir dir;
  const std::string port = std::to_string(FreePort());
  RunningCommand sink({"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + port, "-c",
                       "aiosmtpd.handlers.Mailbox", dir.File("mail")});
  testing::ApiServer sender(company_->db->url(),
                            {"--smtp-url", "smtp://127.0.0.1:" + port, "--outbox-poll-ms", "100",
                             "--smtp-retry-seconds", "1"});
  ASSERT_TRUE(sender.running());
  const std::string mine =
      "SELECT count(*) FROM outbox WHERE kind = 'invitation' AND status = 'sent' AND "
      "account_id = " +
      std::to_string(account);
  for (int i = 0; i < 600 && company_->Count(mine) < 2; ++i) usleep(100'000);
  ASSERT_EQ(company_->Count(mine), 2) << sender.Log().substr(0, 3000);
  sender.Stop();
  sink.Kill(SIGTERM);
  sink.Wait();

  const auto read = RunCommand({"/usr/bin/python3", "-c", kReadInvitations, dir.File("mail")});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  const json invitations = json::parse(read.out);
  std::vector<std::string> to;
  for (const json& m : invitations) {
    if (m["uid"] != "call-plan-" + plan_id + "@127.0.0.1") continue;
    to.push_back(m["to"]);
    EXPECT_EQ(m["method"], "REQUEST");
    EXPECT_EQ(m["ics_method"], "REQUEST");
    EXPECT_NE(m["reply_to"].get<std::string>().find(user["email"].get<std::string>()),
              std::string::npos);
    EXPECT_NE(m["text"].get<std::string>().find(FormatDate(TestDay() + 3).substr(0, 4)),
              std::string::npos)
        << m["text"];
    EXPECT_NE(m["text"].get<std::string>().find("at 09:00 UTC"), std::string::npos) << m["text"];
    EXPECT_EQ(m["text"].get<std::string>().find("Secret objective"), std::string::npos);
    EXPECT_EQ(m["attendees"].size(), 2u);
  }
  ASSERT_EQ(to.size(), 2u) << invitations.dump();
  for (const std::string& email : emails) {
    EXPECT_TRUE(std::any_of(to.begin(), to.end(), [&](const std::string& t) {
      return t.find(email) != std::string::npos;
    })) << email;
  }
  // Each is on the account's timeline as an email.
  EXPECT_GE(company_->Count("SELECT count(*) FROM activities WHERE account_id = ? AND kind = "
                            "'email' AND subject LIKE 'Invitation:%'",
                            {account}),
            2);
}

INSTANTIATE_TEST_SUITE_P(Backends, CalendarFeedApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::activities
