#include "activities/mail_message.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace rapport::activities {
namespace {

constexpr std::size_t kMostText = 100'000;  // characters of a message's text kept
constexpr int kDeepestMultipart = 8;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && Lower(s.substr(0, prefix.size())) == prefix;
}

// A MIME entity: its headers (names in lower case, folded lines joined) and its body.
struct Part {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;

  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return "";
  }
};

Part SplitPart(std::string_view raw) {
  Part part;
  std::size_t at = 0;
  while (at < raw.size()) {
    std::size_t end = raw.find('\n', at);
    const std::size_t next = end == std::string_view::npos ? raw.size() : end + 1;
    if (end == std::string_view::npos) end = raw.size();
    std::string_view line = raw.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    at = next;
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !part.headers.empty()) {
      part.headers.back().second += " " + std::string(Trim(line));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    part.headers.emplace_back(Lower(Trim(line.substr(0, colon))),
                              std::string(Trim(line.substr(colon + 1))));
  }
  part.body = raw.substr(std::min(at, raw.size()));
  return part;
}

// "text/plain; charset=utf-8; boundary="x"" -> type and parameters (names in lower case).
struct ContentType {
  std::string type = "text/plain";
  std::map<std::string, std::string> params;
};

ContentType ParseContentType(std::string_view value) {
  ContentType ct;
  // Split at semicolons outside quotes.
  std::vector<std::string> pieces(1);
  bool quoted = false;
  for (char c : value) {
    if (c == '"') quoted = !quoted;
    if (c == ';' && !quoted) {
      pieces.emplace_back();
    } else {
      pieces.back().push_back(c);
    }
  }
  const std::string type = Lower(Trim(pieces[0]));
  if (!type.empty()) ct.type = type;
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    const std::size_t eq = pieces[i].find('=');
    if (eq == std::string::npos) continue;
    std::string v(Trim(std::string_view(pieces[i]).substr(eq + 1)));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    ct.params[Lower(Trim(std::string_view(pieces[i]).substr(0, eq)))] = v;
  }
  return ct;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string DecodeBase64(std::string_view in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const std::size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;  // whitespace, padding
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

// Quoted-printable; in a header's Q encoding '_' is a space.
std::string DecodeQuotedPrintable(std::string_view in, bool header) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '=' && i + 1 < in.size() && (in[i + 1] == '\n' || in[i + 1] == '\r')) {
      i += (in[i + 1] == '\r' && i + 2 < in.size() && in[i + 2] == '\n') ? 2 : 1;  // soft break
    } else if (c == '=' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 &&
               HexValue(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else if (header && c == '_') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Bytes in `charset` as UTF-8: Latin-1 and Windows-1252 are converted (the latter's 0x80-0x9F
// as Latin-1 except the euro sign and quotes); UTF-8, ASCII and anything unknown are kept.
std::string ToUtf8(std::string bytes, std::string_view charset) {
  const std::string cs = Lower(charset);
  const bool latin = cs == "iso-8859-1" || cs == "latin1" || cs == "iso-8859-15" ||
                     cs == "windows-1252" || cs == "cp1252";
  if (!latin) return bytes;
  std::string out;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c == 0x80 && cs != "iso-8859-1" && cs != "latin1") {
      out += "\xE2\x82\xAC";  // €
    } else if ((c == 0x91 || c == 0x92) && (cs == "windows-1252" || cs == "cp1252")) {
      out += c == 0x91 ? "\xE2\x80\x98" : "\xE2\x80\x99";
    } else if ((c == 0x93 || c == 0x94) && (cs == "windows-1252" || cs == "cp1252")) {
      out += c == 0x93 ? "\xE2\x80\x9C" : "\xE2\x80\x9D";
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::string DecodeBody(const Part& part, const ContentType& ct) {
  const std::string encoding = Lower(part.Header("content-transfer-encoding"));
  std::string bytes;
  if (encoding == "base64") {
    bytes = DecodeBase64(part.body);
  } else if (encoding == "quoted-printable") {
    bytes = DecodeQuotedPrintable(part.body, false);
  } else {
    bytes = std::string(part.body);
  }
  const auto charset = ct.params.find("charset");
  return ToUtf8(std::move(bytes), charset == ct.params.end() ? "utf-8" : charset->second);
}

std::string HtmlToText(std::string_view html) {
  std::string out;
  std::string lower;  // the whole text folded, once, when a style or script is to be skipped
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<') {
      const std::size_t close = html.find('>', i);
      if (close == std::string_view::npos) break;
      const std::string tag = Lower(html.substr(i + 1, std::min<std::size_t>(close - i - 1, 6)));
      if (tag.starts_with("br") || tag.starts_with("/p") || tag.starts_with("/div") ||
          tag.starts_with("/tr") || tag.starts_with("li")) {
        out.push_back('\n');
      }
      if (tag.starts_with("style") || tag.starts_with("script")) {
        if (lower.empty()) lower = Lower(html);
        const std::size_t end =
            lower.find(tag.starts_with("style") ? "</style" : "</script", close);
        i = end == std::string::npos ? html.size() : html.find('>', end);
        if (i == std::string_view::npos) break;
        continue;
      }
      i = close;
    } else if (html[i] == '&') {
      static const std::pair<std::string_view, std::string_view> kEntities[] = {
          {"&amp;", "&"}, {"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
          {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", " "}};
      bool replaced = false;
      for (const auto& [entity, text] : kEntities) {
        if (html.substr(i, entity.size()) == entity) {
          out += text;
          i += entity.size() - 1;
          replaced = true;
          break;
        }
      }
      if (!replaced) out.push_back('&');
    } else if (html[i] != '\r') {
      out.push_back(html[i]);
    }
  }
  return out;
}

// The first part of `type` ("text/plain") within `part`, not an attachment, decoded.
std::optional<std::string> FindText(const Part& part, std::string_view type, int depth) {
  const ContentType ct = ParseContentType(part.Header("content-type"));
  if (ct.type.starts_with("multipart/")) {
    const auto boundary = ct.params.find("boundary");
    if (boundary == ct.params.end() || depth >= kDeepestMultipart) return std::nullopt;
    const std::string delimiter = "--" + boundary->second;
    std::string_view body = part.body;
    std::vector<std::string_view> parts;
    std::size_t start = std::string_view::npos;
    std::size_t at = 0;
    while (at < body.size()) {
      std::size_t end = body.find('\n', at);
      if (end == std::string_view::npos) end = body.size();
      std::string_view line = body.substr(at, end - at);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.starts_with(delimiter)) {
        if (start != std::string_view::npos) parts.push_back(body.substr(start, at - start));
        if (line.substr(delimiter.size()).starts_with("--")) {
          start = std::string_view::npos;
          break;
        }
        start = end + 1;
      }
      at = end + 1;
    }
    if (start != std::string_view::npos && start < body.size()) {
      parts.push_back(body.substr(start));
    }
    for (std::string_view raw : parts) {
      if (auto text = FindText(SplitPart(raw), type, depth + 1)) return text;
    }
    return std::nullopt;
  }
  if (ct.type == "message/rfc822" && depth < kDeepestMultipart) {
    return FindText(SplitPart(part.body), type, depth + 1);
  }
  if (ct.type != type) return std::nullopt;
  if (StartsWithNoCase(Trim(part.Header("content-disposition")), "attachment")) {
    return std::nullopt;
  }
  return DecodeBody(part, ct);
}

std::string StripAngles(std::string_view id) {
  id = Trim(id);
  if (id.starts_with('<')) id.remove_prefix(1);
  const std::size_t close = id.find('>');
  if (close != std::string_view::npos) id = id.substr(0, close);
  return std::string(Trim(id));
}

std::vector<std::string> MessageIds(std::string_view value) {
  std::vector<std::string> ids;
  std::size_t at = 0;
  while ((at = value.find('<', at)) != std::string_view::npos) {
    const std::size_t close = value.find('>', at);
    if (close == std::string_view::npos) break;
    ids.push_back(std::string(value.substr(at + 1, close - at - 1)));
    at = close + 1;
  }
  return ids;
}

}  // namespace

std::string DecodeHeaderText(std::string_view value) {
  std::string out;
  std::size_t at = 0;
  bool last_was_word = false;
  while (at < value.size()) {
    const std::size_t start = value.find("=?", at);
    if (start == std::string_view::npos) {
      out += value.substr(at);
      break;
    }
    const std::size_t q1 = value.find('?', start + 2);
    const std::size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    const std::size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos) {
      out += value.substr(at);
      break;
    }
    const std::string_view between = value.substr(at, start - at);
    // Whitespace between two encoded words is not part of the text.
    if (!(last_was_word && Trim(between).empty())) out += between;
    const std::string charset = std::string(value.substr(start + 2, q1 - start - 2));
    const char encoding =
        static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
    const std::string_view text = value.substr(q2 + 1, end - q2 - 1);
    std::string bytes =
        encoding == 'B' ? DecodeBase64(text) : DecodeQuotedPrintable(text, /*header=*/true);
    out += ToUtf8(std::move(bytes), charset.substr(0, charset.find('*')));
    at = end + 2;
    last_was_word = true;
  }
  return out;
}

std::vector<Mailbox> ParseAddressList(std::string_view value) {
  std::vector<std::string> items;
  std::string current;
  bool quoted = false;
  int angle = 0, comment = 0;
  for (char c : value) {
    if (c == '"' && comment == 0) quoted = !quoted;
    if (!quoted && c == '(') ++comment;
    if (!quoted && c == ')' && comment > 0) --comment;
    if (!quoted && comment == 0 && c == '<') ++angle;
    if (!quoted && comment == 0 && c == '>' && angle > 0) --angle;
    if ((c == ',' || c == ';') && !quoted && angle == 0 && comment == 0) {
      items.push_back(current);
      current.clear();
      continue;
    }
    current.push_back(c);
  }
  items.push_back(current);
  std::vector<Mailbox> out;
  for (std::string item : items) {
    // A group's name ("Team: a@b, c@d;") goes.
    const std::size_t colon = item.find(':');
    if (colon != std::string::npos && item.find('<') > colon && item.find('"') > colon &&
        item.find('@') > colon) {
      item = item.substr(colon + 1);
    }
    Mailbox box;
    const std::size_t open = item.find('<');
    const std::size_t close = open == std::string::npos ? open : item.find('>', open);
    if (open != std::string::npos && close != std::string::npos) {
      box.email = Lower(Trim(std::string_view(item).substr(open + 1, close - open - 1)));
      std::string name(Trim(std::string_view(item).substr(0, open)));
      if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
      }
      box.name = DecodeHeaderText(name);
    } else {
      std::string bare;
      int depth = 0;
      for (char c : item) {
        if (c == '(') ++depth;
        if (depth == 0 && !std::isspace(static_cast<unsigned char>(c))) bare.push_back(c);
        if (c == ')' && depth > 0) --depth;
      }
      box.email = Lower(bare);
    }
    if (box.email.find('@') == std::string::npos) continue;
    out.push_back(std::move(box));
  }
  return out;
}

std::optional<Instant> ParseMailDate(std::string_view value) {
  std::vector<std::string> tokens;
  std::string token;
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      if (!token.empty()) tokens.push_back(token);
      token.clear();
    } else {
      token.push_back(c);
    }
  }
  if (!token.empty()) tokens.push_back(token);
  std::size_t i = 0;
  if (!tokens.empty() && std::isalpha(static_cast<unsigned char>(tokens[0][0]))) i = 1;
  if (tokens.size() < i + 4) return std::nullopt;
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  try {
    const int day = std::stoi(tokens[i]);
    const std::string month_name = Lower(tokens[i + 1]).substr(0, 3);
    const auto month = std::find(std::begin(kMonths), std::end(kMonths), month_name);
    if (month == std::end(kMonths)) return std::nullopt;
    int year = std::stoi(tokens[i + 2]);
    if (year < 100) year += year < 50 ? 2000 : 1900;
    const std::string& time = tokens[i + 3];
    const int hour = std::stoi(time.substr(0, 2));
    const int minute = std::stoi(time.substr(3, 2));
    const int second = time.size() >= 8 ? std::stoi(time.substr(6, 2)) : 0;
    std::int64_t offset_minutes = 0;
    if (tokens.size() > i + 4) {
      const std::string& zone = tokens[i + 4];
      if ((zone[0] == '+' || zone[0] == '-') && zone.size() == 5) {
        offset_minutes = std::stoi(zone.substr(1, 2)) * 60 + std::stoi(zone.substr(3, 2));
        if (zone[0] == '-') offset_minutes = -offset_minutes;
      }
    }
    if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    const std::int64_t days = DaysFromCivil(
        year, static_cast<unsigned>(month - std::begin(kMonths) + 1), static_cast<unsigned>(day));
    const std::int64_t seconds =
        days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    return seconds * kMicrosPerSecond;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string MailMessage::ThreadId() const {
  if (!references.empty()) return references.front();
  if (!in_reply_to.empty()) return in_reply_to;
  return message_id;
}

MailMessage ParseMailMessage(std::string_view raw) {
  const Part root = SplitPart(raw);
  MailMessage m;
  if (auto from = ParseAddressList(root.Header("from")); !from.empty()) m.from = from.front();
  for (const auto& [name, value] : root.headers) {
    if (name == "to" || name == "cc" || name == "delivered-to" || name == "x-original-to") {
      auto& list = name == "to" ? m.to : name == "cc" ? m.cc : m.delivered_to;
      for (Mailbox& box : ParseAddressList(value)) list.push_back(std::move(box));
    }
  }
  m.subject = DecodeHeaderText(root.Header("subject"));
  m.date = ParseMailDate(root.Header("date"));
  m.message_id = StripAngles(root.Header("message-id"));
  const std::vector<std::string> replied = MessageIds(root.Header("in-reply-to"));
  if (!replied.empty()) m.in_reply_to = replied.front();
  m.references = MessageIds(root.Header("references"));
  std::optional<std::string> text = FindText(root, "text/plain", 0);
  if (!text) {
    if (auto html = FindText(root, "text/html", 0)) text = HtmlToText(*html);
  }
  m.text = text.value_or("");
  // Line ends as \n, no trailing blank lines, at most kMostText characters.
  m.text.erase(std::remove(m.text.begin(), m.text.end(), '\r'), m.text.end());
  while (!m.text.empty() && (m.text.back() == '\n' || m.text.back() == ' ')) m.text.pop_back();
  if (m.text.size() > kMostText) {
    std::size_t cut = kMostText;
    while (cut > 0 && (static_cast<unsigned char>(m.text[cut]) & 0xC0) == 0x80) --cut;
    m.text.resize(cut);
  }
  // A forward names whom it forwards: "From: Name <a@b>" lines in its text.
  std::size_t at = 0;
  while (at < m.text.size()) {
    std::size_t end = m.text.find('\n', at);
    if (end == std::string::npos) end = m.text.size();
    std::string_view line = Trim(std::string_view(m.text).substr(at, end - at));
    while (!line.empty() && (line.front() == '>' || line.front() == '*')) {
      line = Trim(line.substr(1));
    }
    if (StartsWithNoCase(line, "from:")) {
      for (Mailbox& box : ParseAddressList(line.substr(5))) {
        m.forwarded_from.push_back(std::move(box));
      }
    }
    at = end + 1;
  }
  return m;
}

}  // namespace rapport::activities
