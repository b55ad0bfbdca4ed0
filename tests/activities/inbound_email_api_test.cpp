// Email into the timeline through real SMTP: Python's smtplib sends to the tests' mail server
// (aiosmtpd), which pipes each message to `rapport mail-in` as Postfix would, over SQLite and
// PostgreSQL. A rep's BCC lands on the account of the contact it was sent to; a retry is filed
// once; an unknown sender is held until the rep files it, and a reply in that thread follows it;
// an unknown drop address is bounced.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/demo_company.hpp"
#include "support/run_command.hpp"

namespace rapport::activities {
namespace {

using nlohmann::json;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::HttpCall;
using ::rapport::testing::RunCommand;
using ::rapport::testing::RunningCommand;

// Sends standard input as one message over SMTP: argv port, MAIL FROM, RCPT TO...; prints "250"
// or the code the server refused it with.
constexpr const char* kSend = R"py(
import smtplib, sys
port, sender, recipients = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
message = sys.stdin.buffer.read()
try:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        smtp.sendmail(sender, recipients, message)
    print(250)
except smtplib.SMTPDataError as e:
    print(e.smtp_code)
except smtplib.SMTPRecipientsRefused as e:
    print(list(e.recipients.values())[0][0])
)py";

class InboundEmailApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
    mail_server_ = std::make_unique<RunningCommand>(std::vector<std::string>{
        "/usr/bin/python3", RAPPORT_SOURCE_DIR "/tests/activities/mail_server.py", RAPPORT_BINARY,
        company_->db->url()});
    ASSERT_TRUE(mail_server_->WaitForError("listening on ", 20)) << mail_server_->Err();
    const std::string err = mail_server_->Err();
    port_ = std::stoi(err.substr(err.find("listening on ") + 13));
  }
  void TearDown() override {
    if (mail_server_) {
      mail_server_->Kill(SIGTERM);
      mail_server_->Wait();
    }
  }
  testing::ApiServer& s() { return *company_->server; }
  // Sends `message` from `sender` to `recipients` (the envelope); the SMTP answer's code.
  int Send(const std::string& sender, const std::vector<std::string>& recipients,
           const std::string& message) {
    std::vector<std::string> argv = {"/usr/bin/python3", "-c", kSend, std::to_string(port_),
                                     sender};
    argv.insert(argv.end(), recipients.begin(), recipients.end());
    const auto sent = RunCommand(argv, message);
    EXPECT_EQ(sent.exit_code, 0) << sent.err;
    return sent.out.empty() ? 0 : std::stoi(sent.out);
  }
  json Emails(const std::string& account, const std::string& token) {
    return s()
        .Get("/api/v1/activities?account_id=" + account + "&kind=email&limit=500", token)
        .Json()["items"];
  }
  static const json* WithSubject(const json& items, const std::string& subject) {
    for (const json& a : items) {
      if (a["subject"] == subject) return &a;
    }
    return nullptr;
  }
  DemoCompany* company_ = nullptr;
  std::unique_ptr<RunningCommand> mail_server_;
  int port_ = 0;
};

TEST_P(InboundEmailApiTest, BccdEmailsReachTheTimelineAndStrangersAreHeldToFile) {
  // A rep, one of their accounts and a contact there with an email address.
  const std::int64_t contact_id = company_->Count(
      "SELECT min(c.id) FROM contacts c JOIN accounts a ON a.id = c.account_id JOIN users u ON "
      "u.id = a.owner_id WHERE u.role = 'rep' AND u.status = 'active' AND c.email IS NOT NULL "
      "AND a.archived_at IS NULL");
  const json contact =
      s().Get("/api/v1/contacts/" + std::to_string(contact_id), company_->admin).Json();
  const std::string account = contact["account_id"];
  const json owner_id = s().Get("/api/v1/accounts/" + account, company_->admin).Json()["owner_id"];
  const json rep = s().Get("/api/v1/users/" + owner_id.get<std::string>(), company_->admin).Json();
  const std::string token = s().Login(rep["email"]);
  ASSERT_FALSE(token.empty());

  EXPECT_EQ(s().Get("/api/v1/email-drop", token).Json()["active"], false);
  const auto made = s().Post("/api/v1/email-drop", json::object(), token);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string drop = made.Json()["address"];
  EXPECT_TRUE(drop.starts_with("log+")) << drop;
  EXPECT_TRUE(drop.ends_with("@127.0.0.1")) << drop;
  EXPECT_EQ(s().Get("/api/v1/email-drop", token).Json()["address"], drop);

  // The rep writes to the contact and BCCs the drop address: multipart, encoded subject.
  const std::string rep_email = rep["email"];
  const std::string to = contact["email"];
  const std::string first =
      "From: " + rep["name"].get<std::string>() + " <" + rep_email + ">\r\nTo: " + to +
      "\r\nSubject: =?UTF-8?Q?Trial_results_=E2=80=94_theatres?=\r\nDate: Fri, 27 Nov 2026 "
      "10:15:00 +0000\r\nMessage-ID: <trial-1." +
      rep_email +
      ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; "
      "boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n\r\nTwelve theatres signed =\r\n"
      "up.\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>Twelve</p>\r\n--b1--\r\n";
  EXPECT_EQ(Send(rep_email, {drop}, first), 250) << mail_server_->Err();
  json emails = Emails(account, token);
  const json* logged = WithSubject(emails, "Trial results — theatres");
  ASSERT_NE(logged, nullptr) << emails.dump();
  EXPECT_EQ((*logged)["body"], "Twelve theatres signed up.");
  EXPECT_EQ((*logged)["user_id"], rep["id"]);
  EXPECT_EQ((*logged)["occurred_at"], "2026-11-27T10:15:00.000000Z");
  EXPECT_EQ((*logged)["contact_ids"], json::array({std::to_string(contact_id)}));
  // The mail server tries again: still one.
  const std::size_t count = emails.size();
  EXPECT_EQ(Send(rep_email, {drop}, first), 250);
  EXPECT_EQ(Emails(account, token).size(), count);

  // A stranger writes to the rep, who forwards it to the drop address: held.
  const std::string stranger_id = "<quote-7@supplier.example>";
  const std::string from_stranger =
      "From: New Buyer <buyer@newtrust.example>\r\nTo: " + rep_email +
      "\r\nSubject: Quote for monitors\r\nMessage-ID: " + stranger_id +
      "\r\nDate: Sat, 28 Nov 2026 08:00:00 +0000\r\n\r\nCould you quote for 40 monitors?\r\n";
  EXPECT_EQ(Send("buyer@newtrust.example", {drop}, from_stranger), 250);
  const json held = s().Get("/api/v1/held-emails", token).Json()["items"];
  ASSERT_EQ(held.size(), 1u) << held.dump();
  EXPECT_EQ(held[0]["from_email"], "buyer@newtrust.example");
  EXPECT_EQ(held[0]["from_name"], "New Buyer");
  EXPECT_EQ(held[0]["subject"], "Quote for monitors");
  const std::string held_id = held[0]["id"];
  // Someone else's held email is nobody else's business.
  EXPECT_EQ(s().Get("/api/v1/held-emails", company_->admin).Json()["items"].size(), 0u);
  EXPECT_EQ(s().Post("/api/v1/held-emails/" + held_id + "/file", {{"account_id", account}},
                     company_->admin)
                .status,
            404);
  testing::ExpectProblem(
      s().Post("/api/v1/held-emails/" + held_id + "/file", json::object(), token), 422,
      "account_id");
  const auto filed =
      s().Post("/api/v1/held-emails/" + held_id + "/file", {{"account_id", account}}, token);
  ASSERT_EQ(filed.status, 201) << filed.body;
  EXPECT_EQ(s().Get("/api/v1/held-emails", token).Json()["items"].size(), 0u);

  // The stranger replies in that thread: it follows the thread to the account.
  const std::string reply =
      "From: New Buyer <buyer@newtrust.example>\r\nTo: " + rep_email +
      "\r\nSubject: Re: Quote for monitors\r\nMessage-ID: <quote-8@supplier.example>\r\n"
      "In-Reply-To: " +
      stranger_id + "\r\nReferences: " + stranger_id +
      "\r\nDate: Sat, 28 Nov 2026 09:00:00 +0000\r\n\r\nAnd 10 more, please.\r\n";
  EXPECT_EQ(Send("buyer@newtrust.example", {drop}, reply), 250);
  emails = Emails(account, token);
  const json* followed = WithSubject(emails, "Re: Quote for monitors");
  ASSERT_NE(followed, nullptr) << emails.dump();
  const json thread =
      s().Get("/api/v1/activities/" + (*followed)["id"].get<std::string>() + "/thread", token)
          .Json()["items"];
  ASSERT_EQ(thread.size(), 2u) << thread.dump();
  EXPECT_EQ(thread[0]["subject"], "Quote for monitors");
  EXPECT_EQ(thread[0]["activity_id"], filed.Json()["activity_id"]);
  EXPECT_EQ(thread[1]["message_id"], "quote-8@supplier.example");

  // Nobody's address: bounced. A stopped address too.
  EXPECT_EQ(Send(rep_email, {"log+0000@127.0.0.1"}, first), 550);
  EXPECT_EQ(s().Delete("/api/v1/email-drop", token).status, 204);
  EXPECT_EQ(Send(rep_email, {drop}, first), 550);
  EXPECT_EQ(s().Get("/api/v1/email-drop", token).Json()["active"], false);

  // The contact asks to be forgotten. A file on them, and the email logged with them, go; the
  // stranger's thread (not theirs) stays.
  HttpCall attach;
  attach.method = "POST";
  attach.path =
      "/api/v1/contacts/" + std::to_string(contact_id) + "/attachments?file_name=consent-form.pdf";
  attach.body = "%PDF-1.4\nconsent\n%%EOF\n";
  attach.content_type = "application/pdf";
  attach.token = token;
  ASSERT_EQ(s().Call(attach).status, 201);
  const std::string erasure = "/api/v1/contacts/" + std::to_string(contact_id) + "/erasure";
  EXPECT_EQ(s().Post(erasure, {{"reason", "GDPR article 17 request"}}, token).status, 403)
      << "admins only";
  testing::ExpectProblem(s().Post(erasure, json::object(), company_->admin), 422, "reason");
  const auto erased = s().Post(erasure, {{"reason", "GDPR article 17 request"}}, company_->admin);
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(erased.Json()["files_deleted"], 1);
  EXPECT_GE(erased.Json()["emails_deleted"], 1);
  const json gone =
      s().Get("/api/v1/contacts/" + std::to_string(contact_id), company_->admin).Json();
  EXPECT_EQ(gone["first_name"], "Erased");
  EXPECT_EQ(gone["last_name"], "contact");
  EXPECT_TRUE(gone["email"].is_null()) << gone.dump();
  EXPECT_TRUE(gone["phone"].is_null()) << gone.dump();
  EXPECT_EQ(gone["do_not_contact"], true) << gone.dump();
  EXPECT_EQ(company_->Count("SELECT count(*) FROM inbound_emails WHERE lower(from_email) = ? OR "
                            "subject LIKE 'Trial results%'",
                            {to}),
            0);
  EXPECT_EQ(company_->Count("SELECT count(*) FROM attachments WHERE contact_id = ?", {contact_id}),
            0);
  emails = Emails(account, token);
  EXPECT_EQ(WithSubject(emails, "Trial results — theatres"), nullptr) << emails.dump();
  ASSERT_NE(WithSubject(emails, "Email (erased)"), nullptr) << emails.dump();
  EXPECT_TRUE((*WithSubject(emails, "Email (erased)"))["body"].is_null());
  EXPECT_NE(WithSubject(emails, "Re: Quote for monitors"), nullptr) << "not theirs: kept";
  const json history =
      s().Get("/api/v1/contacts/" + std::to_string(contact_id) + "/history", company_->admin)
          .Json()["items"];
  ASSERT_EQ(history.size(), 1u) << history.dump();
  EXPECT_EQ(history[0]["field"], "erasure");
  EXPECT_EQ(history[0]["new_value"], "GDPR article 17 request");
}

INSTANTIATE_TEST_SUITE_P(Backends, InboundEmailApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::activities
