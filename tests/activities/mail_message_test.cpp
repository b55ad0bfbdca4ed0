// Reading emails as mail clients write them: folded and encoded headers, multipart bodies in
// quoted-printable and base64, Latin-1, HTML only, forwards, and threads.
#include "activities/mail_message.hpp"

#include <gtest/gtest.h>

namespace rapport::activities {
namespace {

TEST(MailMessageTest, ReadsAnOutlookStyleMultipartMessage) {
  const std::string raw =
      "Received: from mx.example.com\r\n"
      "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <Juergen.Mueller@StMarys.example>\r\n"
      "To: \"Smith, Jane\" <jane.smith@hospital.example>,\r\n"
      " bob@hospital.example (Bob)\r\n"
      "Cc: undisclosed-recipients:;\r\n"
      "Subject: =?UTF-8?B?VHJpYWwgcmVzdWx0cyDigJQ=?=\r\n"
      " =?UTF-8?Q?_theatres?=\r\n"
      "Date: Mon, 7 Dec 2026 15:11:55 +0100\r\n"
      "Message-ID: <CAF=abc@mail.example>\r\n"
      "In-Reply-To: <first@mail.example>\r\n"
      "References: <root@mail.example>\r\n <first@mail.example>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
      "\r\n"
      "preamble\r\n"
      "--outer\r\n"
      "Content-Type: multipart/alternative; boundary=inner\r\n"
      "\r\n"
      "--inner\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n"
      "The trial went well =E2=80=94 12 theatres =\r\n"
      "signed up.\r\n"
      "--inner\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "\r\n"
      "<p>The trial went <b>well</b></p>\r\n"
      "--inner--\r\n"
      "--outer\r\n"
      "Content-Type: text/plain; name=notes.txt\r\n"
      "Content-Disposition: attachment; filename=notes.txt\r\n"
      "\r\n"
      "not the body\r\n"
      "--outer--\r\n";
  const MailMessage m = ParseMailMessage(raw);
  ASSERT_TRUE(m.from.has_value());
  EXPECT_EQ(m.from->email, "juergen.mueller@stmarys.example");
  EXPECT_EQ(m.from->name, "Jürgen Müller");
  ASSERT_EQ(m.to.size(), 2u);
  EXPECT_EQ(m.to[0].name, "Smith, Jane");
  EXPECT_EQ(m.to[0].email, "jane.smith@hospital.example");
  EXPECT_EQ(m.to[1].email, "bob@hospital.example");
  EXPECT_TRUE(m.cc.empty());
  EXPECT_EQ(m.subject, "Trial results — theatres");
  ASSERT_TRUE(m.date.has_value());
  EXPECT_EQ(FormatInstant(*m.date), "2026-12-07T14:11:55.000000Z");
  EXPECT_EQ(m.message_id, "CAF=abc@mail.example");
  EXPECT_EQ(m.in_reply_to, "first@mail.example");
  EXPECT_EQ(m.ThreadId(), "root@mail.example");
  EXPECT_EQ(m.text, "The trial went well — 12 theatres signed up.");
}

TEST(MailMessageTest, ReadsBase64Latin1HtmlOnlyAndForwards) {
  // "Café met" in Latin-1, base64.
  const MailMessage latin = ParseMailMessage(
      "From: a@b.example\nSubject: =?iso-8859-1?q?Caf=E9?=\nContent-Type: text/plain; "
      "charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\nQ2Fm6SBtZXQ=\n");
  EXPECT_EQ(latin.subject, "Café");
  EXPECT_EQ(latin.text, "Café met");
  EXPECT_EQ(latin.ThreadId(), "");
  EXPECT_FALSE(latin.date.has_value());

  const MailMessage html = ParseMailMessage(
      "From: a@b.example\nContent-Type: text/html\n\n<html><style>p{x:1}</style><p>Hello "
      "&amp; welcome</p><p>Line&nbsp;two<br>three</p></html>\n");
  EXPECT_EQ(html.text, "Hello & welcome\nLine two\nthree");
  // Styles and scripts in any case, many of them: each skipped to its own end, the text kept
  // as it was written (folded once to find the ends, never the text itself).
  std::string many = "From: a@b.example\nContent-Type: text/html\n\n<p>Dear Ann</p>";
  for (int i = 0; i < 2000; ++i) {
    many += i % 2 ? "<STYLE>p{x:1}</STYLE>" : "<script>var A = 1;</Script>";
    many += i % 500 == 0 ? "Keep This" : "";
  }
  EXPECT_EQ(ParseMailMessage(many).text, "Dear Ann\nKeep ThisKeep ThisKeep ThisKeep This");

  const MailMessage forward = ParseMailMessage(
      "From: rep@medequip.example\nSubject: Fwd: order\n\nFYI\n\n---------- Forwarded message "
      "---------\n> From: Procurement Lead <buyer@trust.example>\n> Date: Fri, 4 Dec 2026\n");
  ASSERT_EQ(forward.forwarded_from.size(), 1u);
  EXPECT_EQ(forward.forwarded_from[0].email, "buyer@trust.example");
  EXPECT_EQ(forward.forwarded_from[0].name, "Procurement Lead");
}

TEST(MailMessageTest, DatesAndAddressesAsTheyComeOrNotAtAll) {
  EXPECT_EQ(FormatInstant(*ParseMailDate("4 Dec 2026 09:30 -0500")), "2026-12-04T14:30:00.000000Z");
  EXPECT_EQ(FormatInstant(*ParseMailDate("Fri, 04 Dec 26 09:30:00 GMT")),
            "2026-12-04T09:30:00.000000Z");
  EXPECT_FALSE(ParseMailDate("yesterday").has_value());
  EXPECT_FALSE(ParseMailDate("Fri, 4 Smarch 2026 09:30 +0000").has_value());
  EXPECT_TRUE(ParseAddressList("not an address, also-not").empty());
  const auto group = ParseAddressList("Team: a@x.example, \"B, b\" <B@x.example>;");
  ASSERT_EQ(group.size(), 2u);
  EXPECT_EQ(group[1].email, "b@x.example");
}

}  // namespace
}  // namespace rapport::activities
