#include "imports/xlsx_reader.hpp"

#include <expat.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <vector>

#include "core/clock.hpp"
#include "imports/zip.hpp"

namespace rapport::imports {
namespace {

constexpr std::size_t kMaxSharedStringsBytes = std::size_t{512} << 20;
constexpr std::size_t kMaxRecordBytes = std::size_t{1} << 20;

Error NotXlsx(const std::string& what) {
  return Error(ErrorCode::kMalformed, "not a readable XLSX workbook: " + what);
}

// A damaged zip's error (imports/zip.hpp) as the workbook's.
Error Readable(const Error& error) {
  const std::string& message = error.message();
  return message.starts_with("not a readable XLSX workbook") ? error : NotXlsx(message);
}

// Event callbacks for one whole XML document.
struct XmlEvents {
  std::function<void(std::string_view name, const char** attributes)> start;
  std::function<void(std::string_view name)> end;
  std::function<void(std::string_view text)> text;
};

const char* Attribute(const char** attributes, std::string_view name) {
  for (int i = 0; attributes[i]; i += 2) {
    if (name == attributes[i]) return attributes[i + 1];
  }
  return nullptr;
}

// The local part of a tag ("x:row" -> "row"): some writers use a namespace prefix.
std::string_view Local(std::string_view name) {
  const auto colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

Status ParseXml(std::string_view xml, XmlEvents& events, const char* what) {
  XML_Parser parser = XML_ParserCreate(nullptr);
  XML_SetUserData(parser, &events);
  XML_SetElementHandler(
      parser,
      [](void* data, const XML_Char* name, const XML_Char** attributes) {
        auto* e = static_cast<XmlEvents*>(data);
        if (e->start) e->start(Local(name), attributes);
      },
      [](void* data, const XML_Char* name) {
        auto* e = static_cast<XmlEvents*>(data);
        if (e->end) e->end(Local(name));
      });
  XML_SetCharacterDataHandler(parser, [](void* data, const XML_Char* s, int len) {
    auto* e = static_cast<XmlEvents*>(data);
    if (e->text) e->text(std::string_view(s, static_cast<std::size_t>(len)));
  });
  const bool ok =
      XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE) == XML_STATUS_OK;
  std::string error = ok ? "" : XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  if (!ok) return NotXlsx(std::string(what) + ": " + error);
  return Ok();
}

// True for a number format that shows a date or a time.
bool IsDateFormat(int id, const std::string& code) {
  if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
      (id >= 50 && id <= 58)) {
    return true;
  }
  if (code.empty()) return false;
  bool quoted = false;
  int bracket = 0;
  for (char c : code) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '[') ++bracket;
    if (c == ']' && bracket > 0) --bracket;
    if (bracket) continue;
    const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == 'd' || l == 'm' || l == 'y' || l == 'h' || l == 's') return true;
  }
  return false;
}

// "0.30000000000000004" -> "0.3"; a date-formatted serial -> "2026-11-28".
std::string NumberText(const std::string& raw, bool date, bool date1904) {
  char* end = nullptr;
  const double value = std::strtod(raw.c_str(), &end);
  if (end == raw.c_str() || *end != '\0' || !std::isfinite(value)) return raw;
  if (date && value >= 0 && value < 2958466) {
    const double whole = std::floor(value);
    const std::int64_t days = static_cast<std::int64_t>(whole) - 25569 + (date1904 ? 1462 : 0);
    const std::int64_t seconds = std::llround((value - whole) * 86400.0);
    if (seconds == 0 || seconds == 86400) return FormatDate(days + (seconds == 86400));
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%sT%02lld:%02lld:%02lldZ", FormatDate(days).c_str(),
                  static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                  static_cast<long long>(seconds % 60));
    return buffer;
  }
  char buffer[40];
  if (std::fabs(value) < 1e15 && value == std::floor(value)) {
    std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(value));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.15g", value);
  }
  return buffer;
}

// "BC12" -> 54 (0-based column), or -1.
int ColumnOf(const char* reference) {
  if (!reference) return -1;
  int column = 0;
  bool any = false;
  for (const char* p = reference; *p >= 'A' && *p <= 'Z'; ++p) {
    column = column * 26 + (*p - 'A' + 1);
    any = true;
    if (column > 16384) return -1;
  }
  return any ? column - 1 : -1;
}

class XlsxReader final : public RecordSource {
 public:
  explicit XlsxReader(std::string bytes) : zip_(std::move(bytes)) {}
  ~XlsxReader() override {
    if (parser_) XML_ParserFree(parser_);
  }

  Status Open();
  Result<bool> Next(std::vector<std::string>& fields) override;
  std::int64_t line() const override { return row_line_; }
  std::uint64_t bytes_read() const override { return sheet_ ? sheet_->consumed() : 0; }

 private:
  static void OnStart(void* data, const XML_Char* name, const XML_Char** attributes);
  static void OnEnd(void* data, const XML_Char* name);
  static void OnText(void* data, const XML_Char* s, int len);
  void EndCell();

  std::string zip_;
  std::vector<std::string> shared_;
  std::vector<bool> date_style_;
  bool date1904_ = false;
  std::unique_ptr<zip::Archive> archive_;  // reads zip_; before sheet_, which reads through it
  std::unique_ptr<zip::MemberStream> sheet_;
  XML_Parser parser_ = nullptr;
  std::vector<char> chunk_ = std::vector<char>(1 << 16);
  bool suspended_ = false, finished_ = false;
  // The row being read.
  std::vector<std::string> row_;
  bool row_has_value_ = false, row_ready_ = false;
  std::int64_t row_number_ = 0, row_line_ = 0;
  std::size_t row_bytes_ = 0, width_ = 0;
  bool header_done_ = false;
  std::string problem_;
  // The cell being read.
  int column_ = -1, next_column_ = 0;
  std::string type_, text_;
  bool date_ = false, in_value_ = false;
  int in_text_ = 0, in_phonetic_ = 0;
};

Status XlsxReader::Open() {
  RAPPORT_ASSIGN_OR_RETURN(archive_, zip::Archive::Open(zip_));
  auto member = [&](const std::string& name) { return archive_->Find(name); };
  const zip::Entry* workbook = member("xl/workbook.xml");
  if (!workbook) return NotXlsx("no xl/workbook.xml (is it an XLSX file?)");
  RAPPORT_ASSIGN_OR_RETURN(std::string workbook_xml, archive_->ReadMember(*workbook, 64 << 20));
  std::string first_sheet_rel;
  XmlEvents book;
  book.start = [&](std::string_view name, const char** attributes) {
    if (name == "sheet" && first_sheet_rel.empty()) {
      const char* id = Attribute(attributes, "r:id");
      if (id) first_sheet_rel = id;
    } else if (name == "workbookPr") {
      const char* d = Attribute(attributes, "date1904");
      date1904_ = d && (std::string_view(d) == "1" || std::string_view(d) == "true");
    }
  };
  RAPPORT_RETURN_IF_ERROR(ParseXml(workbook_xml, book, "xl/workbook.xml"));
  std::string sheet_path = "xl/worksheets/sheet1.xml";
  if (const zip::Entry* rels = member("xl/_rels/workbook.xml.rels");
      rels && !first_sheet_rel.empty()) {
    RAPPORT_ASSIGN_OR_RETURN(std::string rels_xml, archive_->ReadMember(*rels, 16 << 20));
    XmlEvents links;
    links.start = [&](std::string_view name, const char** attributes) {
      const char* id = Attribute(attributes, "Id");
      const char* target = Attribute(attributes, "Target");
      if (name == "Relationship" && id && target && first_sheet_rel == id) {
        const std::string t = target;
        sheet_path = t.starts_with("/") ? t.substr(1) : "xl/" + t;
      }
    };
    RAPPORT_RETURN_IF_ERROR(ParseXml(rels_xml, links, "xl/_rels/workbook.xml.rels"));
  }
  if (const zip::Entry* strings = member("xl/sharedStrings.xml")) {
    RAPPORT_ASSIGN_OR_RETURN(std::string xml,
                             archive_->ReadMember(*strings, kMaxSharedStringsBytes));
    std::string current;
    int in_t = 0, in_rph = 0;
    XmlEvents events;
    events.start = [&](std::string_view name, const char**) {
      if (name == "si") current.clear();
      if (name == "t") ++in_t;
      if (name == "rPh") ++in_rph;
    };
    events.end = [&](std::string_view name) {
      if (name == "t") --in_t;
      if (name == "rPh") --in_rph;
      if (name == "si") shared_.push_back(std::move(current));
    };
    events.text = [&](std::string_view text) {
      if (in_t > 0 && in_rph == 0) current.append(text);
    };
    RAPPORT_RETURN_IF_ERROR(ParseXml(xml, events, "xl/sharedStrings.xml"));
  }
  if (const zip::Entry* styles = member("xl/styles.xml")) {
    RAPPORT_ASSIGN_OR_RETURN(std::string xml, archive_->ReadMember(*styles, 64 << 20));
    std::map<int, std::string> codes;
    bool in_cell_xfs = false;
    XmlEvents events;
    events.start = [&](std::string_view name, const char** attributes) {
      if (name == "numFmt") {
        const char* id = Attribute(attributes, "numFmtId");
        const char* code = Attribute(attributes, "formatCode");
        if (id && code) codes[std::atoi(id)] = code;
      } else if (name == "cellXfs") {
        in_cell_xfs = true;
      } else if (name == "xf" && in_cell_xfs) {
        const char* id = Attribute(attributes, "numFmtId");
        const int n = id ? std::atoi(id) : 0;
        date_style_.push_back(IsDateFormat(n, codes.count(n) ? codes[n] : ""));
      }
    };
    events.end = [&](std::string_view name) {
      if (name == "cellXfs") in_cell_xfs = false;
    };
    RAPPORT_RETURN_IF_ERROR(ParseXml(xml, events, "xl/styles.xml"));
  }
  const zip::Entry* sheet = member(sheet_path);
  if (!sheet) return NotXlsx("no worksheet " + sheet_path);
  RAPPORT_ASSIGN_OR_RETURN(sheet_, archive_->Stream(*sheet));
  parser_ = XML_ParserCreate(nullptr);
  XML_SetUserData(parser_, this);
  XML_SetElementHandler(parser_, &XlsxReader::OnStart, &XlsxReader::OnEnd);
  XML_SetCharacterDataHandler(parser_, &XlsxReader::OnText);
  return Ok();
}

void XlsxReader::OnStart(void* data, const XML_Char* raw_name, const XML_Char** attributes) {
  auto* self = static_cast<XlsxReader*>(data);
  const std::string_view name = Local(raw_name);
  if (name == "row") {
    self->row_.clear();
    self->row_has_value_ = false;
    self->row_bytes_ = 0;
    self->next_column_ = 0;
    const char* r = Attribute(attributes, "r");
    if (r) {
      self->row_number_ = std::strtoll(r, nullptr, 10);  // saturates, where atoll may overflow
    } else if (self->row_number_ < INT64_MAX) {
      ++self->row_number_;
    }
  } else if (name == "c") {
    const int column = ColumnOf(Attribute(attributes, "r"));
    self->column_ = column >= 0 ? column : self->next_column_;
    const char* t = Attribute(attributes, "t");
    self->type_ = t ? t : "n";
    const char* s = Attribute(attributes, "s");
    const std::size_t style = s ? static_cast<std::size_t>(std::atoi(s)) : 0;
    self->date_ = style < self->date_style_.size() && self->date_style_[style];
    self->text_.clear();
    if (self->column_ >= 16384) {  // cells without a reference past XFD, the last column
      self->problem_ = "row " + std::to_string(self->row_number_) + ": more than 16384 columns";
      XML_StopParser(self->parser_, XML_FALSE);
    }
  } else if (name == "v") {
    self->in_value_ = true;
  } else if (name == "t") {
    ++self->in_text_;
  } else if (name == "rPh") {
    ++self->in_phonetic_;
  }
}

void XlsxReader::OnEnd(void* data, const XML_Char* raw_name) {
  auto* self = static_cast<XlsxReader*>(data);
  const std::string_view name = Local(raw_name);
  if (name == "v") {
    self->in_value_ = false;
  } else if (name == "t") {
    --self->in_text_;
  } else if (name == "rPh") {
    --self->in_phonetic_;
  } else if (name == "c") {
    self->EndCell();
  } else if (name == "row") {
    if (!self->row_has_value_) return;  // an empty row, as a blank line in CSV
    self->row_line_ = self->row_number_;
    if (!self->header_done_) {
      self->header_done_ = true;
      self->width_ = self->row_.size();
    } else if (self->row_.size() < self->width_) {
      self->row_.resize(self->width_);
    }
    self->row_ready_ = true;
    XML_StopParser(self->parser_, XML_TRUE);
  }
}

void XlsxReader::OnText(void* data, const XML_Char* s, int len) {
  auto* self = static_cast<XlsxReader*>(data);
  if (self->in_value_ || (self->in_text_ > 0 && self->in_phonetic_ == 0)) {
    self->text_.append(s, static_cast<std::size_t>(len));
  }
}

void XlsxReader::EndCell() {
  std::string value;
  if (type_ == "s") {
    const long index = std::atol(text_.c_str());
    if (index >= 0 && static_cast<std::size_t>(index) < shared_.size()) value = shared_[index];
  } else if (type_ == "b") {
    value = text_ == "1" ? "1" : "0";
  } else if (type_ == "n" && !text_.empty()) {
    value = NumberText(text_, date_, date1904_);
  } else {
    value = text_;  // inlineStr, str (a formula's text), e (an error such as #N/A)
  }
  next_column_ = column_ + 1;
  if (value.empty()) return;
  row_bytes_ += value.size();
  if (row_bytes_ > kMaxRecordBytes) {
    problem_ = "row " + std::to_string(row_number_) + ": longer than 1024 KiB";
    XML_StopParser(parser_, XML_FALSE);
    return;
  }
  if (row_.size() <= static_cast<std::size_t>(column_)) row_.resize(column_ + 1);
  row_[column_] = std::move(value);
  row_has_value_ = true;
}

Result<bool> XlsxReader::Next(std::vector<std::string>& fields) {
  while (true) {
    if (row_ready_) {
      row_ready_ = false;
      fields = std::move(row_);
      row_.clear();
      return true;
    }
    if (finished_) return false;
    XML_Status status;
    if (suspended_) {
      status = XML_ResumeParser(parser_);
    } else {
      Result<std::size_t> read = sheet_->Read(chunk_.data(), chunk_.size());
      if (!read.ok()) return Readable(read.error());
      const std::size_t n = *read;
      status =
          XML_Parse(parser_, chunk_.data(), static_cast<int>(n), n == 0 ? XML_TRUE : XML_FALSE);
      if (n == 0 && status == XML_STATUS_OK) finished_ = true;
    }
    if (!problem_.empty()) return Error(ErrorCode::kMalformed, problem_);
    if (status == XML_STATUS_ERROR) {
      return Error(ErrorCode::kMalformed, "row " + std::to_string(row_number_) +
                                              ": the worksheet is damaged (" +
                                              XML_ErrorString(XML_GetErrorCode(parser_)) + ")");
    }
    suspended_ = status == XML_STATUS_SUSPENDED;
  }
}

}  // namespace

bool LooksLikeZip(std::string_view bytes) {
  return bytes.size() >= 4 && bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

Result<std::unique_ptr<RecordSource>> OpenXlsx(std::string bytes) {
  if (!LooksLikeZip(bytes)) {
    return Error(ErrorCode::kMalformed, "not an XLSX file (it does not start as a zip file does)");
  }
  auto reader = std::make_unique<XlsxReader>(std::move(bytes));
  const Status opened = reader->Open();
  if (!opened.ok()) return Readable(opened.error());
  return std::unique_ptr<RecordSource>(std::move(reader));
}

}  // namespace rapport::imports
