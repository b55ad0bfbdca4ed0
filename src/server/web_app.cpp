#include "server/web_app.hpp"

#include <zlib.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>

namespace rapport::server {

const char* const kWebAppContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

namespace {

const char* kFallbackPage =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rapport</title></head>"
    "<body><h1>Rapport</h1><p>The API is at <a href=\"/api/v1/health\">/api/v1/health</a>. "
    "This rapport was built without its web app.</p></body></html>";

std::string ContentTypeFor(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".map", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
  }};
  for (const auto& [ending, type] : kTypes) {
    if (path.ends_with(ending)) return std::string(type);
  }
  return "application/octet-stream";
}

bool Compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("application/manifest") || content_type == "image/svg+xml";
}

// The gzip stream of `bytes` (RFC 1952), or "" when it would not be smaller.
std::string Gzip(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int done = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (done != Z_STREAM_END || out.size() >= bytes.size()) return {};
  return out;
}

// A strong validator: 64-bit FNV-1a of the bytes, in hex and quotes. The same build gives the
// same ETag on every server behind a load balancer.
std::string ETagOf(std::string_view bytes, std::string_view suffix) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string etag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) etag += kHex[(hash >> shift) & 15];
  etag += suffix;
  etag += '"';
  return etag;
}

// Whether Accept-Encoding takes gzip: "gzip" or "x-gzip" (any case) with a weight above zero;
// else "*" with one. An explicit refusal (gzip;q=0) wins over "*".
bool TakesGzip(std::string_view accept) {
  std::optional<bool> named, any;
  while (!accept.empty()) {
    const auto comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    const auto semicolon = item.find(';');
    std::string name(item.substr(0, semicolon));
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool takes = true;
    if (semicolon != std::string_view::npos) {
      std::string_view parameter = item.substr(semicolon + 1);
      while (!parameter.empty() && parameter.front() == ' ') parameter.remove_prefix(1);
      // q=0, q=0.0, q=0.000: refused; any other weight takes it.
      if (parameter.starts_with("q=0") || parameter.starts_with("Q=0")) {
        takes = parameter.find_first_of("123456789", 3) != std::string_view::npos;
      }
    }
    if (name == "gzip" || name == "x-gzip") named = named.value_or(false) || takes;
    if (name == "*") any = takes;
  }
  return named.value_or(any.value_or(false));
}

// Whether If-None-Match names `etag` (or is "*"); W/ prefixes compare alike.
bool Matches(std::string_view if_none_match, std::string_view etag) {
  return if_none_match == "*" || if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

void WebApp::Add(std::string_view path, std::string_view bytes) {
  File file;
  file.bytes = bytes;
  file.content_type = ContentTypeFor(path);
  file.etag = ETagOf(bytes, "");
  if (Compressible(file.content_type)) file.gzip = Gzip(bytes);
  if (!file.gzip.empty()) file.gzip_etag = ETagOf(bytes, "-gzip");
  // Vite names what it builds into assets/ by a hash of the content: a new build is a new name.
  file.immutable = path.starts_with("assets/");
  files_.emplace("/" + std::string(path), std::move(file));
}

Result<WebApp> WebApp::FromFiles(std::span<const WebAppFile> files) {
  WebApp app;
  for (const WebAppFile& file : files) app.Add(file.path, file.bytes);
  if (!app.empty() && !app.files_.contains("/index.html")) {
    return Error(ErrorCode::kInternal, "the web app built into rapport has no index.html");
  }
  return app;
}

Result<WebApp> WebApp::FromDirectory(const std::filesystem::path& root, const std::string& option) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(root / "index.html", ec)) {
    return Error::InvalidField(option,
                               "'" + root.string() + "' holds no index.html (a built web app)");
  }
  WebApp app;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) return Error::InvalidField(option, "cannot read " + it->path().string());
    const std::string path = std::filesystem::relative(it->path(), root, ec).generic_string();
    auto [owned, added] = app.owned_.emplace(path, content.str());
    app.Add(owned->first, owned->second);
  }
  if (ec)
    return Error::InvalidField(option, "cannot read '" + root.string() + "': " + ec.message());
  return app;
}

api::Response WebApp::Serve(const WebAppRequest& request) const {
  api::Response response;
  if (files_.empty()) {
    response.content_type = "text/html; charset=utf-8";
    response.body = kFallbackPage;
    response.headers.emplace_back("Content-Security-Policy", kWebAppContentSecurityPolicy);
    return response;
  }
  auto found = files_.find(request.path == "/" ? std::string_view("/index.html") : request.path);
  if (found == files_.end()) {
    if (request.path.starts_with("/assets/")) {
      response.status = 404;
      response.content_type = "text/plain; charset=utf-8";
      response.body = "Not found: this build of the web app has no such file.\n";
      response.headers.emplace_back("Cache-Control", "no-store");
      return response;
    }
    found = files_.find("/index.html");
  }
  const File& file = found->second;
  const bool gzip = !file.gzip.empty() && TakesGzip(request.accept_encoding);
  const std::string& etag = gzip ? file.gzip_etag : file.etag;
  response.headers.emplace_back("ETag", etag);
  response.headers.emplace_back(
      "Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (!file.gzip.empty()) response.headers.emplace_back("Vary", "Accept-Encoding");
  if (file.content_type.starts_with("text/html")) {
    response.headers.emplace_back("Content-Security-Policy", kWebAppContentSecurityPolicy);
    response.headers.emplace_back("X-Frame-Options", "DENY");
  }
  if (Matches(request.if_none_match, etag)) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  response.content_type = file.content_type;
  if (gzip) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.body = file.gzip;
  } else {
    response.body = std::string(file.bytes);
  }
  return response;
}

}  // namespace rapport::server
