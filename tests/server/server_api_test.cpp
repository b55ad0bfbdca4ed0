// The server from outside: the real binary, started away from the source tree, serves the app
// compiled into it (byte for byte web/dist at build time) with its security headers, and tells
// a load balancer whether it is alive and ready.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "support/api_server.hpp"
#include "support/gunzip.hpp"
#include "support/run_command.hpp"
#include "support/test_database.hpp"

namespace rapport::server {
namespace {

using ::rapport::testing::ApiServer;
using ::rapport::testing::Gunzip;
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

class ServerApiTest : public ::testing::Test {
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

TEST_F(ServerApiTest, TheBinaryServesItsOwnBuildOfTheAppFromAnyFolder) {
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

TEST_F(ServerApiTest, BehindHttpsBrowsersAreToldToKeepToIt) {
  ApiServer server(db_->url(), {"--public-url", "https://crm.example.com"});
  ASSERT_TRUE(server.running()) << server.Log();
  for (const char* path : {"/", "/api/v1/health"}) {
    EXPECT_EQ(server.Call(HttpCall{.path = path}).Header("strict-transport-security"),
              "max-age=31536000; includeSubDomains")
        << path;
  }
}

TEST_F(ServerApiTest, AWebRootWithoutABuildIsRefusedAtStart) {
  TempDir empty;
  const auto served = RunCommand({RAPPORT_BINARY, "serve", "--db", db_->url(), "--listen",
                                  "127.0.0.1:0", "--web-root", empty.path().string()});
  EXPECT_NE(served.exit_code, 0);
  EXPECT_NE(served.err.find("--web-root"), std::string::npos) << served.err;
  EXPECT_NE(served.err.find("index.html"), std::string::npos) << served.err;
}

TEST_F(ServerApiTest, AWebRootIsServedInsteadOfTheBuiltInApp) {
  TempDir root;
  std::ofstream(root.File("index.html")) << "<!doctype html><title>developing</title>";
  ApiServer server(db_->url(), {"--web-root", root.path().string()});
  ASSERT_TRUE(server.running()) << server.Log();
  EXPECT_EQ(server.Call(HttpCall{.path = "/deals"}).body,
            "<!doctype html><title>developing</title>");
}

TEST_F(ServerApiTest, ReadyWhileTheDatabaseIsAtItsSchemaAliveWhateverTheDatabase) {
  ApiServer server(db_->url());
  ASSERT_TRUE(server.running()) << server.Log();
  const HttpReply live = server.Call(HttpCall{.path = "/api/v1/health/live"});
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.Json()["status"], "alive");
  const HttpReply ready = server.Call(HttpCall{.path = "/api/v1/health/ready"});
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.Json()["schema_version"], db::LatestSchemaVersion());
  EXPECT_EQ(ready.Header("cache-control"), "no-store");

  // A newer rapport migrated the database under it (a rolling upgrade): it is no longer ready,
  // and says when to ask again; still alive.
  auto database = db::Database::Open(db_->url());
  ASSERT_TRUE(database.ok());
  auto bump = [&](const std::string& sql) {
    return (*database)->Write([&](db::Transaction& tx) { return tx.Execute(sql); });
  };
  ASSERT_TRUE(bump("INSERT INTO schema_migrations VALUES (999, 'future', 0)").ok());
  const HttpReply behind = server.Call(HttpCall{.path = "/api/v1/health/ready"});
  ASSERT_TRUE(bump("DELETE FROM schema_migrations WHERE version = 999").ok());
  EXPECT_EQ(behind.status, 503) << behind.body;
  EXPECT_EQ(behind.Header("retry-after"), "2");
  EXPECT_NE(behind.Json()["detail"].get<std::string>().find("schema version 999"),
            std::string::npos)
      << behind.body;
  EXPECT_EQ(server.Call(HttpCall{.path = "/api/v1/health/live"}).status, 200);
  EXPECT_EQ(server.Call(HttpCall{.path = "/api/v1/health/ready"}).status, 200);
}

// Prometheus scrapes /metrics: requests by route pattern and status with their latency, the
// database's transactions, the outbox, imports and jobs.
TEST_F(ServerApiTest, MetricsCountRequestsByRoutePatternAndStatus) {
  ApiServer server(db_->url(), {"--metrics-token=-scrape-me"});
  ASSERT_TRUE(server.running()) << server.Log();
  for (int i = 0; i < 3; ++i) {
    server.Call(HttpCall{.path = "/api/v1/accounts/" + std::to_string(i)});
  }
  server.Call(HttpCall{.path = "/api/v1/health/ready"});
  // Not without the token, even from this machine (a proxy here would make everyone local).
  EXPECT_EQ(server.Call(HttpCall{.path = "/metrics"}).status, 404);
  HttpCall scraper{.path = "/metrics"};
  scraper.headers["Authorization"] = "Bearer -scrape-me";
  const HttpReply scrape = server.Call(scraper);
  ASSERT_EQ(scrape.status, 200);
  EXPECT_EQ(scrape.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = scrape.body;
  // Three unauthenticated reads of one pattern, whatever the id.
  EXPECT_NE(text.find("rapport_http_request_duration_seconds_count{method=\"GET\",route=\"/api/"
                      "v1/accounts/{id}\",status=\"401\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"/api/v1/health/ready\",status=\"200\",le=\"+Inf\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("/api/v1/accounts/1"), std::string::npos);  // paths never become labels
  for (const char* name :
       {"rapport_db_transaction_duration_seconds_count{kind=\"read\",outcome=\"ok\"}",
        "rapport_db_up 1", "rapport_outbox_messages{status=\"pending\"} 0",
        "rapport_imports{status=\"running\"} 0",
        "rapport_job_next_run_timestamp_seconds{job=\"nightly-alerts\"}", "rapport_build_info{",
        "rapport_http_connections "}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
  // Scraped again: this scrape is counted, and the refused one.
  const std::string again = server.Call(scraper).body;
  EXPECT_NE(again.find("route=\"/metrics\",status=\"200\"} 1\n"), std::string::npos);
  EXPECT_NE(again.find("route=\"/metrics\",status=\"404\"} 1\n"), std::string::npos);
}

// A rolling restart behind a load balancer: on SIGTERM the server says it is not ready while it
// still serves for --drain-seconds, then stops.
TEST_F(ServerApiTest, OnSigtermItIsNotReadyButStillServesForTheDrainTime) {
  ApiServer server(db_->url(), {"--drain-seconds", "3"});
  ASSERT_TRUE(server.running()) << server.Log();
  ASSERT_EQ(server.Call(HttpCall{.path = "/api/v1/health/ready"}).status, 200);
  server.Signal(SIGTERM);
  HttpReply ready;
  for (int i = 0; i < 100; ++i) {
    ready = server.Call(HttpCall{.path = "/api/v1/health/ready", .may_fail = true});
    if (ready.status != 200) break;
    usleep(20'000);
  }
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("this server is stopping"), std::string::npos) << ready.body;
  EXPECT_EQ(ready.Header("retry-after"), "2");
  // Still answering everything else meanwhile.
  EXPECT_EQ(server.Call(HttpCall{.path = "/api/v1/health/live"}).status, 200);
  EXPECT_EQ(server.Call(HttpCall{.path = "/"}).status, 200);
  EXPECT_EQ(server.Wait(), 0) << server.Log();
  EXPECT_NE(server.Log().find("stopping in 3 s"), std::string::npos) << server.Log();
}

TEST_F(ServerApiTest, WithoutATokenThereIsNoMetricsPage) {
  ApiServer server(db_->url());
  ASSERT_TRUE(server.running()) << server.Log();
  server.Call(HttpCall{.path = "/api/v1/health/live"});
  HttpCall guess{.path = "/metrics"};
  guess.headers["Authorization"] = "Bearer ";
  EXPECT_EQ(server.Call(guess).status, 404);
  EXPECT_EQ(server.Call(HttpCall{.path = "/metrics"}).status, 404);
}

}  // namespace
}  // namespace rapport::server
