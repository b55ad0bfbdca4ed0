// The built web app (Vite's web/dist): its files by path, each with its type, a validator (ETag)
// and a gzip copy made once at start, answered with the caching and security headers a
// single-page app needs. The files come compiled into the binary (cli/embedded_web_app.hpp) or,
// while developing, from a folder (--web-root). Immutable after construction: safe to read from
// every server thread.
#pragma once

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "api/http.hpp"
#include "core/result.hpp"

namespace rapport::server {

// One file of the app, as the binary holds it: its path under the app's root ("index.html",
// "assets/index-D1hk1poQ.js") and its bytes.
struct WebAppFile {
  std::string_view path;
  std::string_view bytes;
};

// What the browser sends that decides the answer to GET of a file.
struct WebAppRequest {
  std::string_view path;             // "/", "/accounts/42", "/assets/index-D1hk1poQ.js"
  std::string_view accept_encoding;  // Accept-Encoding
  std::string_view if_none_match;    // If-None-Match
};

class WebApp {
 public:
  // No app: every page is a short note that the API is there and the app was not built.
  WebApp() = default;
  // Moved, never copied: a folder's files point into the app's own strings.
  WebApp(WebApp&&) = default;
  WebApp& operator=(WebApp&&) = default;
  WebApp(const WebApp&) = delete;
  WebApp& operator=(const WebApp&) = delete;
  // Files held elsewhere for the life of the process (compiled into the binary).
  static Result<WebApp> FromFiles(std::span<const WebAppFile> files);
  // Every file under `root`, read now. kInvalidArgument naming `option` when `root` holds no
  // index.html.
  static Result<WebApp> FromDirectory(const std::filesystem::path& root, const std::string& option);

  bool empty() const { return files_.empty(); }
  std::size_t file_count() const { return files_.size(); }

  // The answer to GET `request.path`: the file; index.html for any other path (the app's own
  // routes, /accounts/42); 404 for a missing file under /assets/ (a stale page asking for the
  // last build's script must not get HTML). Hashed /assets/ files are cached for a year, the rest
  // revalidated (304 when the ETag matches); gzip when the browser takes it and it is smaller.
  api::Response Serve(const WebAppRequest& request) const;

 private:
  struct File {
    std::string_view bytes;
    std::string gzip;  // empty when compressing does not pay
    std::string content_type;
    std::string etag;       // of `bytes`
    std::string gzip_etag;  // of `gzip`
    bool immutable = false;
  };
  void Add(std::string_view path, std::string_view bytes);

  std::map<std::string, File, std::less<>> files_;
  std::map<std::string, std::string, std::less<>> owned_;  // FromDirectory's bytes
};

// The Content-Security-Policy of the app's pages: its own scripts, styles and API only, no
// inline script, never framed.
extern const char* const kWebAppContentSecurityPolicy;

}  // namespace rapport::server
