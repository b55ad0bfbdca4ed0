#include "imports/exporter.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "api/csv.hpp"
#include "api/json.hpp"
#include "core/clock.hpp"

namespace rapport::imports {
namespace {

std::string RefSelect(const Field& f) {
  const std::string id = "t." + f.column;
  auto by = [&](const char* table, const char* column) {
    return std::string("(SELECT x.") + column + " FROM " + table + " x WHERE x.id = " + id + ")";
  };
  // A record without an external id is named "#<its id>", which the import reads back.
  auto record = [&](const char* table) {
    return std::string("(SELECT coalesce(x.external_id, '#' || x.id) FROM ") + table +
           " x WHERE x.id = " + id + ")";
  };
  switch (f.ref) {
    case Ref::kAccount:
      return record("accounts");
    case Ref::kContact:
      return record("contacts");
    case Ref::kOpportunity:
      return record("opportunities");
    case Ref::kUser:
      return by("users", "email");
    case Ref::kTerritory:
      return by("territories", "name");
    case Ref::kDistributor:
      return by("distributors", "name");
    case Ref::kProduct:
      return by("products", "sku");
    case Ref::kNone:
      break;
  }
  return id;
}

std::string Money(std::int64_t minor) {
  char buffer[32];
  const std::int64_t a = minor < 0 ? -minor : minor;
  std::snprintf(buffer, sizeof buffer, "%s%lld.%02lld", minor < 0 ? "-" : "",
                static_cast<long long>(a / 100), static_cast<long long>(a % 100));
  return buffer;
}

// The custom fields of `table` (none for a table without them).
Result<std::vector<records::CustomField>> CustomFieldsOf(db::Database& database,
                                                         const std::string& table) {
  std::vector<records::CustomField> fields;
  if (!records::TakesCustomFields(table)) return fields;
  RAPPORT_RETURN_IF_ERROR(database.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(fields, records::LoadCustomFields(tx, table));
    return Ok();
  }));
  return fields;
}

// A custom value (JSON) as a cell the import reads back: text as it is, money in major units,
// a multi-select's values separated by semicolons, yes and no as true and false.
std::string CustomCell(const records::CustomField& f, const api::JsonValue& v) {
  using K = api::JsonValue::Kind;
  switch (v.kind) {
    case K::kString:
      return v.text;
    case K::kInt:
      return f.type == "money" ? Money(v.integer) : std::to_string(v.integer);
    case K::kDouble: {
      api::JsonWriter w;
      w.Double(v.number);
      return w.Take();
    }
    case K::kBool:
      return v.boolean ? "true" : "false";
    case K::kArray: {
      std::string cell;
      for (const auto& item : v.items) cell += (cell.empty() ? "" : "; ") + item.text;
      return cell;
    }
    default:
      return "";
  }
}

}  // namespace

ExportCursor::ExportCursor(db::Database& database, RecordType type, std::string reach)
    : database_(database), custom_loaded_(Ok()) {
  auto custom = CustomFieldsOf(database, SpecOf(type).table);
  if (custom.ok()) {
    custom_ = std::move(custom).value();
  } else {
    custom_loaded_ = custom.error();
  }
  spec_ = WithCustomFields(SpecOf(type), custom_);
  if (std::any_of(custom_.begin(), custom_.end(), [](const auto& f) { return f.type == "user"; })) {
    const Status read = database.Read([&](db::Transaction& tx) -> Status {
      RAPPORT_ASSIGN_OR_RETURN(db::Rows users, tx.Query("SELECT id, email FROM users"));
      for (const db::Row& u : users) user_emails_[u.Text("id")] = u.Text("email");
      return Ok();
    });
    if (!read.ok()) custom_loaded_ = read;
  }
  sql_ = "SELECT t.id";
  std::size_t column = 1;
  for (const Field& f : spec_.fields) {
    if (f.kind == Kind::kCustom) continue;
    sql_ += ", " + RefSelect(f);
    ++column;
  }
  if (spec_.fields.size() + 1 != column) {
    custom_column_ = column;
    sql_ += ", t.custom";
  }
  sql_ += " FROM " + spec_.table + " t WHERE t.id > ? AND (" + reach + ") ORDER BY t.id LIMIT ?";
}

std::vector<std::string> ExportCursor::Header() const {
  std::vector<std::string> header = {"rapport_id"};
  for (const Field& f : spec_.fields) header.push_back(f.name);
  return header;
}

Result<std::vector<std::vector<std::string>>> ExportCursor::Next(int page) {
  std::vector<std::vector<std::string>> out;
  RAPPORT_RETURN_IF_ERROR(custom_loaded_);
  RAPPORT_RETURN_IF_ERROR(database_.Read([&](db::Transaction& tx) -> Status {
    RAPPORT_ASSIGN_OR_RETURN(db::Rows rows, tx.Query(sql_, {after_id_, std::int64_t{page}}));
    out.reserve(rows.size());
    for (const db::Row& r : rows) {
      std::vector<std::string> cells;
      cells.reserve(spec_.fields.size() + 1);
      cells.push_back(r.Text(0));
      api::JsonValue custom;
      if (custom_column_ && !r.IsNull(custom_column_)) {
        RAPPORT_ASSIGN_OR_RETURN(custom, api::ParseJson(r.Text(custom_column_)));
      }
      for (std::size_t i = 0; i < spec_.fields.size(); ++i) {
        const Field& f = spec_.fields[i];
        if (f.kind == Kind::kCustom) {
          const api::JsonValue* v =
              custom.kind == api::JsonValue::Kind::kObject ? custom.Find(f.custom->key) : nullptr;
          if (v && f.custom->type == "user" && v->kind == api::JsonValue::Kind::kString) {
            // People are named by email, as the import names them.
            const auto email = user_emails_.find(v->text);
            cells.push_back(email != user_emails_.end() ? email->second : v->text);
          } else {
            cells.push_back(v ? CustomCell(*f.custom, *v) : std::string());
          }
        } else if (r.IsNull(i + 1)) {
          cells.emplace_back();
        } else if (f.kind == Kind::kMoney && f.ref == Ref::kNone) {
          cells.push_back(Money(r.Int(i + 1)));
        } else if (f.kind == Kind::kInstant) {
          cells.push_back(FormatInstant(r.Int(i + 1)));
        } else {
          cells.push_back(r.Text(i + 1));
        }
      }
      out.push_back(std::move(cells));
    }
    if (!rows.empty()) after_id_ = rows.back().Int(0);
    return Ok();
  }));
  rows_ += static_cast<std::int64_t>(out.size());
  return out;
}

std::string ExportReach(RecordType type, const std::string& account_reach_over_a) {
  if (account_reach_over_a == "1 = 1") return "1 = 1";
  if (type == RecordType::kAccounts) {
    return "EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.id AND " + account_reach_over_a + ")";
  }
  return "EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.account_id AND " + account_reach_over_a +
         ")";
}

Status ExportCsv(ExportCursor& cursor, const std::function<bool(std::string_view)>& sink) {
  api::CsvWriter header;
  for (const std::string& name : cursor.Header()) header.Cell(name);
  header.EndRow();
  if (!sink(header.Take())) return Ok();
  while (true) {
    RAPPORT_ASSIGN_OR_RETURN(auto page, cursor.Next());
    if (page.empty()) return Ok();
    api::CsvWriter out;
    for (const auto& row : page) {
      for (const std::string& cell : row) out.Cell(cell);
      out.EndRow();
    }
    if (!sink(out.Take())) return Ok();
  }
}

Status ExportXlsx(ExportCursor& cursor, const std::string& path) {
  lxw_workbook_options options = {};
  options.constant_memory = LXW_TRUE;
  lxw_workbook* book = workbook_new_opt(path.c_str(), &options);
  if (!book) return Error(ErrorCode::kInternal, "could not start the workbook " + path);
  lxw_worksheet* sheet = workbook_add_worksheet(book, nullptr);
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  lxw_row_t row = 0;
  const auto header = cursor.Header();
  for (std::size_t c = 0; c < header.size(); ++c) {
    worksheet_write_string(sheet, row, static_cast<lxw_col_t>(c), header[c].c_str(), bold);
  }
  Status status = Ok();
  while (status.ok()) {
    auto page = cursor.Next();
    if (!page.ok()) {
      status = page.error();
      break;
    }
    if (page->empty()) break;
    for (const auto& cells : *page) {
      ++row;
      if (row >= LXW_ROW_MAX) {
        status = Error(ErrorCode::kFailedPrecondition,
                       "more rows than a worksheet holds (1,048,576): export CSV instead");
        break;
      }
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (cells[c].empty()) continue;
        const lxw_col_t column = static_cast<lxw_col_t>(c);
        const Kind kind = c == 0 ? Kind::kInteger : cursor.spec().fields[c - 1].kind;
        const bool number =
            c == 0 || (cursor.spec().fields[c - 1].ref == Ref::kNone &&
                       (kind == Kind::kInteger || kind == Kind::kMoney || kind == Kind::kPercent));
        if (number) {
          worksheet_write_number(sheet, row, column, std::strtod(cells[c].c_str(), nullptr),
                                 nullptr);
        } else {
          // Text stays text (ids such as 00123 keep their zeros).
          worksheet_write_string(sheet, row, column, cells[c].c_str(), nullptr);
        }
      }
    }
  }
  const lxw_error closed = workbook_close(book);
  RAPPORT_RETURN_IF_ERROR(status);
  if (closed != LXW_NO_ERROR) {
    return Error(ErrorCode::kInternal, std::string("the workbook: ") + lxw_strerror(closed));
  }
  return Ok();
}

}  // namespace rapport::imports
