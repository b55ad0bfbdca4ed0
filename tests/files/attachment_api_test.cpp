// Files attached to records through the real binary over SQLite and PostgreSQL: uploaded as bytes,
// typed by their content, downloaded as attachments by whoever reaches the record and nobody
// else, kept once per content, and gone with the last attachment or the record that held them.
#include <gtest/gtest.h>

#include <string>

#include "support/demo_company.hpp"

namespace rapport::files {
namespace {

using nlohmann::json;
using ::rapport::testing::ApiServer;
using ::rapport::testing::DemoCompany;
using ::rapport::testing::ExpectProblem;
using ::rapport::testing::HttpReply;

// A small PDF with the bytes a text format would mangle: NUL, CR LF, 0xFF.
std::string PdfBytes(const std::string& tag) {
  std::string pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\r\n";
  pdf += std::string("1 0 obj\n<< /Tag (") + tag + ") >>\nstream\n";
  pdf += std::string("\x00\x01\xFF\xFE\r\n\x1A", 7);
  pdf += "\nendstream\nendobj\n%%EOF\n";
  return pdf;
}

class AttachmentApiTest : public ::testing::TestWithParam<db::Backend> {
 protected:
  void SetUp() override {
    company_ = &testing::DemoCompanyFor(GetParam());
    if (!company_->available()) GTEST_SKIP() << "RAPPORT_TEST_POSTGRES_URL is not set";
    ASSERT_TRUE(company_->server && company_->server->running());
    const json reps = s().Get("/api/v1/users?role=rep&status=active&limit=2", admin()).Json();
    ASSERT_EQ(reps["items"].size(), 2u) << reps.dump();
    rep_user_ = reps["items"][0];
    rep_ = s().Login(rep_user_["email"]);
    other_rep_ = s().Login(reps["items"][1]["email"]);
    account_ =
        s().Get("/api/v1/accounts?limit=1&owner_id=" + rep_user_["id"].get<std::string>(), rep_)
            .Json()["items"][0]["id"];
    ASSERT_EQ(s().Get("/api/v1/accounts/" + account_, other_rep_).status, 404)
        << "the other rep must not reach the rep's account";
  }
  ApiServer& s() { return *company_->server; }
  const std::string& admin() { return company_->admin; }
  HttpReply Upload(const std::string& record_path, const std::string& query,
                   const std::string& bytes, const std::string& token,
                   const std::string& content_type = "application/octet-stream") {
    return s().Call({.method = "POST",
                     .path = "/api/v1/" + record_path + "/attachments" + query,
                     .body = bytes,
                     .token = token,
                     .content_type = content_type});
  }
  std::int64_t Count(const std::string& sql, const db::Params& params = {}) {
    return company_->Count(sql, params);
  }

  DemoCompany* company_ = nullptr;
  json rep_user_;
  std::string rep_, other_rep_, account_;
};

TEST_P(AttachmentApiTest, ARepAttachesAFileToAnAccountAndDownloadsTheSameBytes) {
  const std::string bytes = PdfBytes("signed plan");
  const HttpReply made = Upload("accounts/" + account_,
                                "?file_name=C%3A%5Cscans%5CPlan%20sign%C3%A9%20%22v2%22.pdf"
                                "&description=Signed%20success%20plan",
                                bytes, rep_);
  ASSERT_EQ(made.status, 201) << made.body;
  const json attachment = made.Json();
  EXPECT_EQ(attachment["record_type"], "account");
  EXPECT_EQ(attachment["record_id"], account_);
  EXPECT_EQ(attachment["file_name"], "Plan signé \"v2\".pdf");  // the path is dropped
  EXPECT_EQ(attachment["content_type"], "application/pdf");
  EXPECT_EQ(attachment["size_bytes"], static_cast<std::int64_t>(bytes.size()));
  EXPECT_EQ(attachment["description"], "Signed success plan");
  EXPECT_EQ(attachment["uploaded_by"], rep_user_["id"]);
  EXPECT_EQ(attachment["sha256"].get<std::string>().size(), 64u);
  const std::string id = attachment["id"];
  EXPECT_EQ(made.Header("location"), "/api/v1/attachments/" + id);

  const json listed = s().Get("/api/v1/accounts/" + account_ + "/attachments", rep_).Json();
  ASSERT_FALSE(listed["items"].empty()) << listed.dump();
  EXPECT_EQ(listed["items"][0]["id"], id);  // newest first

  const HttpReply file = s().Get(attachment["download_url"], rep_);
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, bytes);
  EXPECT_EQ(file.Header("content-type"), "application/pdf");
  EXPECT_EQ(file.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(file.Header("content-disposition"),
            "attachment; filename=\"Plan sign__ _v2_.pdf\"; "
            "filename*=UTF-8''Plan%20sign%C3%A9%20%22v2%22.pdf");
  EXPECT_EQ(file.Header("etag"), "\"" + attachment["sha256"].get<std::string>() + "\"");

  // The account's history says a file was attached, and by whom.
  const json history = s().Get("/api/v1/accounts/" + account_ + "/history", rep_).Json()["items"];
  bool recorded = false;
  for (const json& entry : history) {
    if (entry.value("field", json()) == "attachments" &&
        entry.value("new_value", json()) ==
            "Plan signé \"v2\".pdf (" + std::to_string(bytes.size()) + " B)") {
      recorded = true;
    }
  }
  EXPECT_TRUE(recorded) << history.dump();
}

TEST_P(AttachmentApiTest, OnlyThoseWhoReachTheRecordSeeOrAddItsFiles) {
  const HttpReply made =
      Upload("accounts/" + account_, "?file_name=notes.txt", "Call notes, 3 March\n", rep_);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.Json()["content_type"], "text/plain");
  const std::string id = made.Json()["id"];
  const std::int64_t before = Count("SELECT count(*) FROM attachments");

  ExpectProblem(s().Get("/api/v1/accounts/" + account_ + "/attachments", other_rep_), 404);
  ExpectProblem(Upload("accounts/" + account_, "?file_name=x.txt", "hello", other_rep_), 404);
  ExpectProblem(s().Get("/api/v1/attachments/" + id, other_rep_), 404);
  ExpectProblem(s().Get("/api/v1/attachments/" + id + "/content", other_rep_), 404);
  ExpectProblem(s().Delete("/api/v1/attachments/" + id, other_rep_), 404);
  EXPECT_EQ(Count("SELECT count(*) FROM attachments"), before);

  // Admins reach every account; a record that is not there is not there.
  EXPECT_EQ(s().Get("/api/v1/attachments/" + id + "/content", admin()).body,
            "Call notes, 3 March\n");
  ExpectProblem(Upload("accounts/999999999", "?file_name=x.txt", "hello", admin()), 404);
}

TEST_P(AttachmentApiTest, FilesRapportDoesNotKeepAreRefusedNamingTheFieldAndNothingIsWritten) {
  const std::int64_t attachments = Count("SELECT count(*) FROM attachments");
  const std::int64_t contents = Count("SELECT count(*) FROM file_contents");
  const std::string path = "accounts/" + account_;
  // A Windows program, whatever its name and declared type says.
  ExpectProblem(Upload(path, "?file_name=invoice.pdf", std::string("MZ\x90\x00\x03", 5), rep_,
                       "application/pdf"),
                422, "file");
  ExpectProblem(Upload(path, "?file_name=archive.zip", std::string("PK\x03\x04rest", 8), rep_), 422,
                "file");
  ExpectProblem(Upload(path, "?file_name=latin1.txt", "caf\xE9", rep_), 422, "file");
  ExpectProblem(Upload(path, "?file_name=empty.txt", "", rep_), 422, "file");
  ExpectProblem(Upload(path, "", "hello", rep_), 422, "file_name");
  ExpectProblem(Upload(path, "?file_name=%2F..%2F", "hello", rep_), 422, "file_name");
  ExpectProblem(Upload(path, "?file_name=a.txt&colour=blue", "hello", rep_), 400, "colour");
  ExpectProblem(Upload(path, "?file_name=a.txt", "hello", rep_, "application/x-msdownload"), 415);
  // Over the limit: refused before the body is read.
  const HttpReply large =
      Upload(path, "?file_name=big.txt", std::string(20 * 1024 * 1024 + 1, 'a'), rep_);
  EXPECT_EQ(large.status, 413) << large.body;
  EXPECT_EQ(Count("SELECT count(*) FROM attachments"), attachments);
  EXPECT_EQ(Count("SELECT count(*) FROM file_contents"), contents);
}

TEST_P(AttachmentApiTest, TheSameBytesAreKeptOnceAndGoWithTheirLastAttachmentOrRecord) {
  const std::string bytes = PdfBytes(
      "contract " + std::string(db::Backend::kSqlite == GetParam() ? "sqlite" : "postgres"));
  const json contact =
      s().Post("/api/v1/contacts",
               {{"account_id", account_}, {"first_name", "Ada"}, {"last_name", "Attachment"}}, rep_)
          .Json();
  const std::string contact_id = contact["id"];
  const HttpReply deal = s().Post("/api/v1/opportunities",
                                  {{"account_id", account_},
                                   {"name", "Ventilators with a contract"},
                                   {"amount_minor", 100000},
                                   {"close_date", "2027-03-31"}},
                                  rep_);
  ASSERT_EQ(deal.status, 201) << deal.body;
  const std::string deal_id = deal.Json()["id"];

  const HttpReply on_contact = Upload("contacts/" + contact_id, "?file_name=c.pdf", bytes, rep_);
  const HttpReply on_deal = Upload("opportunities/" + deal_id, "?file_name=c.pdf", bytes, rep_);
  ASSERT_EQ(on_contact.status, 201) << on_contact.body;
  ASSERT_EQ(on_deal.status, 201) << on_deal.body;
  EXPECT_EQ(on_deal.Json()["record_type"], "opportunity");
  const std::string sha = on_contact.Json()["sha256"];
  EXPECT_EQ(on_deal.Json()["sha256"], sha);
  const std::string count_content = "SELECT count(*) FROM file_contents WHERE sha256 = ?";
  EXPECT_EQ(Count(count_content, {sha}), 1);

  // Only whoever attached it, or a manager, removes a file.
  const std::string deal_file = on_deal.Json()["id"];
  const HttpReply removed = s().Delete("/api/v1/attachments/" + deal_file, rep_);
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_EQ(s().Get("/api/v1/attachments/" + deal_file, rep_).status, 404);
  EXPECT_EQ(Count(count_content, {sha}), 1);  // the contact's still needs it

  // Erasing the contact erases its files, and the bytes no one else holds.
  const HttpReply erased = s().Delete("/api/v1/contacts/" + contact_id, rep_);
  ASSERT_EQ(erased.status, 204) << erased.body;
  EXPECT_EQ(
      Count("SELECT count(*) FROM attachments WHERE contact_id = ?", {std::stoll(contact_id)}), 0);
  EXPECT_EQ(Count(count_content, {sha}), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AttachmentApiTest,
                         ::testing::Values(db::Backend::kSqlite, db::Backend::kPostgres),
                         ::rapport::testing::BackendName);

}  // namespace
}  // namespace rapport::files
