#include "api/http.hpp"

#include <cctype>
#include <charconv>

namespace rapport::api {

Result<std::int64_t> ParseId(const std::string& text, std::string_view field) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Error::InvalidField(std::string(field), "'" + text.substr(0, 40) + "' is not an id");
  }
  return id;
}

std::string FormatId(std::int64_t id) { return std::to_string(id); }

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string Request::PathParam(std::string_view name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? "" : it->second;
}

std::string Request::Cookie(std::string_view name) const {
  std::string_view rest = cookie;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? "" : rest.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
  }
  return "";
}

Response Response::Json(std::string body, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Created(std::string body, std::string location) {
  Response r = Json(std::move(body), 201);
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

namespace {

// Content-Disposition for a file to save as `filename`: an ASCII stand-in (for old clients) and
// the exact UTF-8 name (RFC 6266, RFC 8187); nothing in a name can break out of the header.
std::string AttachmentDisposition(std::string_view filename) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string ascii, exact;
  for (unsigned char c : filename) {
    const bool plain = c > 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '%' && c != ';';
    ascii += plain || c == ' ' ? static_cast<char>(c) : '_';
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~') {
      exact += static_cast<char>(c);
    } else {
      exact += '%';
      exact += kHex[c >> 4];
      exact += kHex[c & 15];
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + exact;
}

}  // namespace

Response Response::Download(std::string body, std::string content_type, std::string_view filename) {
  Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.WithHeader("Content-Disposition", AttachmentDisposition(filename));
  return r;
}

Response Response::StreamedDownload(BodyStream stream, std::string content_type,
                                    std::string_view filename) {
  Response r = Download("", std::move(content_type), filename);
  r.stream = std::move(stream);
  return r;
}

Response& Response::WithHeader(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

bool PercentDecode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

bool ParseQuery(std::string_view raw, std::vector<std::pair<std::string, std::string>>& out) {
  while (!raw.empty()) {
    const auto amp = raw.find('&');
    std::string_view part = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? "" : raw.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    std::string key, value;
    if (!PercentDecode(part.substr(0, eq), key, true)) return false;
    if (eq != std::string_view::npos && !PercentDecode(part.substr(eq + 1), value, true))
      return false;
    out.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

}  // namespace rapport::api
