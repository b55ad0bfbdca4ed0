// The web app's files as the server answers them: which file, which encoding, which validator,
// which caching and security headers.
#include "server/web_app.hpp"

#include "server/http_server.hpp"
#include "support/gunzip.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace rapport::server {
namespace {

using ::rapport::testing::Gunzip;

std::string Header(const api::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

class WebAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A script long enough to be worth compressing, and an icon that is not text.
    script_ = "import{a as b}from'./x';";
    for (int i = 0; i < 400; ++i) script_ += "console.log('line " + std::to_string(i) + "');\n";
    index_ =
        "<!doctype html><html><head><script type=\"module\" src=\"/assets/app-1a2b.js\">"
        "</script></head><body><div id=\"root\"></div></body></html>";
    icon_ = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(300, 'x');
    files_ = {{"index.html", index_}, {"assets/app-1a2b.js", script_}, {"favicon.png", icon_}};
    auto app = WebApp::FromFiles(files_);
    ASSERT_TRUE(app.ok()) << app.error().message();
    app_ = std::move(*app);
  }

  std::string index_, script_, icon_;
  std::vector<WebAppFile> files_;
  WebApp app_;
};

TEST_F(WebAppTest, TheRootAndTheAppsOwnRoutesAreIndexHtmlWithItsSecurityPolicy) {
  for (const char* path : {"/", "/index.html", "/accounts/42", "/login"}) {
    const api::Response r = app_.Serve({path, "", ""});
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, index_) << path;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << path;
    EXPECT_EQ(Header(r, "Cache-Control"), "no-cache") << path;
    const std::string policy = Header(r, "Content-Security-Policy");
    EXPECT_NE(policy.find("script-src 'self'"), std::string::npos) << policy;
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos) << policy;
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos) << policy;
    EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY");
  }
}

TEST_F(WebAppTest, HashedAssetsAreCachedForAYearAndOthersRevalidated) {
  const api::Response script = app_.Serve({"/assets/app-1a2b.js", "", ""});
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body, script_);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Header(script, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(Header(script, "Content-Security-Policy"), "");  // a page's header, not a script's
  const api::Response icon = app_.Serve({"/favicon.png", "gzip", ""});
  EXPECT_EQ(icon.body, icon_);
  EXPECT_EQ(icon.content_type, "image/png");
  EXPECT_EQ(Header(icon, "Cache-Control"), "no-cache");
  EXPECT_EQ(Header(icon, "Content-Encoding"), "");  // not text: sent as it is
}

TEST_F(WebAppTest, AMissingAssetIsNotFoundRatherThanThePage) {
  const api::Response r = app_.Serve({"/assets/app-0000.js", "", ""});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("<html"), std::string::npos);
  EXPECT_EQ(Header(r, "Cache-Control"), "no-store");
}

TEST_F(WebAppTest, TextIsGzippedOnlyForBrowsersThatTakeIt) {
  struct Case {
    const char* accept;
    bool gzip;
  };
  for (const Case& c :
       {Case{"gzip, deflate, br", true}, Case{"br;q=1.0, gzip;q=0.8", true}, Case{"*", true},
        Case{"x-gzip", true}, Case{"", false}, Case{"br", false}, Case{"gzip;q=0", false},
        Case{"gzip; q=0.000", false}, Case{"gzip;q=0.001", true}, Case{"gzipped", false}}) {
    const api::Response r = app_.Serve({"/assets/app-1a2b.js", c.accept, ""});
    EXPECT_EQ(Header(r, "Content-Encoding"), c.gzip ? "gzip" : "") << c.accept;
    EXPECT_EQ(Header(r, "Vary"), "Accept-Encoding") << c.accept;
    if (c.gzip) {
      EXPECT_LT(r.body.size(), script_.size() / 4) << c.accept;
      EXPECT_EQ(Gunzip(r.body), script_) << c.accept;
    } else {
      EXPECT_EQ(r.body, script_) << c.accept;
    }
  }
}

TEST_F(WebAppTest, AMatchingETagIsNotModifiedAndEachEncodingHasItsOwn) {
  const api::Response plain = app_.Serve({"/", "", ""});
  const api::Response gzip = app_.Serve({"/", "gzip", ""});
  const std::string plain_tag = Header(plain, "ETag"), gzip_tag = Header(gzip, "ETag");
  ASSERT_FALSE(plain_tag.empty());
  EXPECT_NE(plain_tag, gzip_tag);
  EXPECT_EQ(plain_tag.front(), '"');
  const api::Response again = app_.Serve({"/", "", plain_tag});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Header(again, "ETag"), plain_tag);
  EXPECT_EQ(app_.Serve({"/", "", "W/" + plain_tag}).status, 304);
  EXPECT_EQ(app_.Serve({"/", "gzip", "\"x\", " + gzip_tag}).status, 304);
  // The other encoding's tag, or another build's, is a new answer.
  EXPECT_EQ(app_.Serve({"/", "gzip", plain_tag}).status, 200);
  EXPECT_EQ(app_.Serve({"/", "", "\"0123456789abcdef\""}).status, 200);
  // A new build of the same file is a new tag.
  std::vector<WebAppFile> rebuilt = files_;
  const std::string changed = index_ + " ";
  rebuilt[0].bytes = changed;
  auto app = WebApp::FromFiles(rebuilt);
  ASSERT_TRUE(app.ok());
  EXPECT_NE(Header(app->Serve({"/", "", ""}), "ETag"), plain_tag);
}

TEST(WebApp, WithoutAnAppEveryPageSaysWhereTheApiIs) {
  const WebApp none;
  EXPECT_TRUE(none.empty());
  const api::Response r = none.Serve({"/accounts", "", ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("/api/v1/health"), std::string::npos);
}

TEST(WebApp, BuiltFilesWithoutAnIndexAreABug) {
  const std::vector<WebAppFile> files = {{"assets/a.js", "x"}};
  auto app = WebApp::FromFiles(files);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.error().code(), ErrorCode::kInternal);
}

TEST(WebApp, AFolderIsReadWholeAndOneWithoutAnIndexNamesTheOption) {
  const auto root = std::filesystem::temp_directory_path() /
                    ("rapport-web-app-test-" + std::to_string(std::random_device()()));
  std::filesystem::create_directories(root / "assets");
  auto bad = WebApp::FromDirectory(root, "--web-root");
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().fields().size(), 1u);
  EXPECT_EQ(bad.error().fields()[0].field, "--web-root");
  std::ofstream(root / "index.html") << "<!doctype html><title>t</title>";
  std::ofstream(root / "assets" / "main-9z.css") << "body{color:red}";
  auto app = WebApp::FromDirectory(root, "--web-root");
  std::filesystem::remove_all(root);  // read whole at start: served after the folder is gone
  ASSERT_TRUE(app.ok()) << app.error().message();
  EXPECT_EQ(app->file_count(), 2u);
  const api::Response css = app->Serve({"/assets/main-9z.css", "", ""});
  EXPECT_EQ(css.body, "body{color:red}");
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(app->Serve({"/deals", "", ""}).body, "<!doctype html><title>t</title>");
}

TEST(Metrics, ReadWithTheTokenOnly) {
  EXPECT_TRUE(MayReadMetrics("Bearer t0ken", "t0ken"));
  EXPECT_FALSE(MayReadMetrics("", "t0ken"));
  EXPECT_FALSE(MayReadMetrics("", ""));  // no token set: nobody
  EXPECT_FALSE(MayReadMetrics("Bearer ", ""));
  EXPECT_FALSE(MayReadMetrics("Bearer t0ken", ""));
  EXPECT_FALSE(MayReadMetrics("Bearer t0keN", "t0ken"));
  EXPECT_FALSE(MayReadMetrics("Bearer t0ken2", "t0ken"));
  EXPECT_FALSE(MayReadMetrics("Bearer t0ke", "t0ken"));
  EXPECT_FALSE(MayReadMetrics("Basic t0ken", "t0ken"));
}

}  // namespace
}  // namespace rapport::server
