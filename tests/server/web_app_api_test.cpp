// The web app from outside: the real binary, started away from the source tree, serves the app
// compiled into it (byte for byte web/dist at build time) with its security headers.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/api_server.hpp"
#include "support/run_command.hpp"
#include "support/test_database.hpp"

namespace rapport::server {
namespace {

using ::rapport::testing::ApiServer;
using ::rapport::testing::HttpCall;
using ::rapport::testing::HttpReply;
using ::rapport::testing::RunCommand;
using ::rapport::testing::TempDir;
using ::rapport::testing::TestDatabase;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string Gunzip(const std::string& compressed) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "<not gzip>";
  std::string out(compressed.size() * 50 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int done = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return done == Z_STREAM_END ? out : "<not gzip>";
}

class WebAppApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase(db::Backend::kSqlite);
    const auto migrated = RunCommand({RAPPORT_BINARY, "migrate", "--db", db_->url()});
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    // Anywhere but the source tree: nothing on disk to fall back on.
    elsewhere_ = new TempDir();
    std::filesystem::current_path(elsewhere_->path());
  }
  static void TearDownTestSuite() {
    std::filesystem::current_path(std::filesystem::temp_directory_path());
    delete elsewhere_;
    delete db_;
  }

  static inline TestDatabase* db_ = nullptr;
  static inline TempDir* elsewhere_ = nullptr;
};

TEST_F(WebAppApiTest, TheBinaryServesItsOwnBuildOfTheAppFromAnyFolder) {
  ApiServer server(db_->url());
  ASSERT_TRUE(server.running()) << server.Log();
  const std::filesystem::path dist = RAPPORT_WEB_DIST;
  const std::string index = ReadFile(dist / "index.html");
  ASSERT_NE(index.find("<div id=\"root\">"), std::string::npos);
  for (const char* path : {"/", "/accounts/42"}) {
    const HttpReply page = server.Call(HttpCall{.path = path});
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.body, index) << path;
    EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(page.Header("content-security-policy").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(page.Header("referrer-policy"), "no-referrer");
    EXPECT_EQ(page.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(page.Header("strict-transport-security"), "");  // plain HTTP: never
  }
  // Every file of the build, as it is and compressed.
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dist)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string path = "/" + std::filesystem::relative(entry.path(), dist).generic_string();
    const std::string bytes = ReadFile(entry.path());
    const HttpReply plain = server.Call(HttpCall{.path = path});
    EXPECT_EQ(plain.status, 200) << path;
    EXPECT_TRUE(plain.body == bytes) << path << " differs from web/dist";
    HttpCall compressed{.path = path};
    compressed.headers["Accept-Encoding"] = "gzip";
    const HttpReply gzip = server.Call(compressed);
    if (gzip.Header("content-encoding") == "gzip") {
      EXPECT_TRUE(Gunzip(gzip.body) == bytes) << path;
      EXPECT_LT(gzip.body.size(), bytes.size()) << path;
    }
    if (path.starts_with("/assets/")) {
      EXPECT_EQ(plain.Header("cache-control"), "public, max-age=31536000, immutable") << path;
    }
    if (path.ends_with(".js")) {
      EXPECT_EQ(gzip.Header("content-encoding"), "gzip") << path;
    }
  }
  EXPECT_GE(files, 3);  // index.html, a script, a style sheet
  // HEAD says GET's length without the body; a matching ETag is 304.
  const HttpReply head = server.Call(HttpCall{.method = "HEAD", .path = "/"});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), std::to_string(index.size()));
  HttpCall again{.path = "/"};
  again.headers["If-None-Match"] = server.Call(HttpCall{.path = "/"}).Header("etag");
  EXPECT_EQ(server.Call(again).status, 304);
  // The API's answers carry the same headers that are not a page's.
  const HttpReply health = server.Call(HttpCall{.path = "/api/v1/health"});
  EXPECT_EQ(health.Header("referrer-policy"), "no-referrer");
}

TEST_F(WebAppApiTest, BehindHttpsBrowsersAreToldToKeepToIt) {
  ApiServer server(db_->url(), {"--public-url", "https://crm.example.com"});
  ASSERT_TRUE(server.running()) << server.Log();
  for (const char* path : {"/", "/api/v1/health"}) {
    EXPECT_EQ(server.Call(HttpCall{.path = path}).Header("strict-transport-security"),
              "max-age=31536000; includeSubDomains")
        << path;
  }
}

TEST_F(WebAppApiTest, AWebRootWithoutABuildIsRefusedAtStart) {
  TempDir empty;
  const auto served = RunCommand({RAPPORT_BINARY, "serve", "--db", db_->url(), "--listen",
                                  "127.0.0.1:0", "--web-root", empty.path().string()});
  EXPECT_NE(served.exit_code, 0);
  EXPECT_NE(served.err.find("--web-root"), std::string::npos) << served.err;
  EXPECT_NE(served.err.find("index.html"), std::string::npos) << served.err;
}

TEST_F(WebAppApiTest, AWebRootIsServedInsteadOfTheBuiltInApp) {
  TempDir root;
  std::ofstream(root.File("index.html")) << "<!doctype html><title>developing</title>";
  ApiServer server(db_->url(), {"--web-root", root.path().string()});
  ASSERT_TRUE(server.running()) << server.Log();
  EXPECT_EQ(server.Call(HttpCall{.path = "/deals"}).body,
            "<!doctype html><title>developing</title>");
}

}  // namespace
}  // namespace rapport::server
