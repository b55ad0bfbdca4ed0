// rapport export: every account, contact, opportunity, activity or sales line as CSV or XLSX, in
// the columns `rapport import` reads back.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/command.hpp"
#include "imports/exporter.hpp"

namespace rapport::cli {

void AddExportCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "export", "Export accounts, contacts, opportunities, activities or sales lines (CSV/XLSX)");
  struct Args {
    std::string db, type, out, format;
  };
  auto args = std::make_shared<Args>();
  AddDbOption(*command, args->db);
  command->add_option("--type", args->type, imports::kRecordTypeNames)->required();
  command->add_option("--out", args->out, "The file to write (.csv or .xlsx)")->required();
  command->add_option("--format", args->format, "csv or xlsx (default: from --out)")
      ->check(CLI::IsMember({"csv", "xlsx"}));
  command->callback([&context, args] {
    const auto type = imports::ParseRecordType(args->type);
    if (!type) {
      context.exit_code = Fail("--type: '" + args->type + "' is not " + imports::kRecordTypeNames);
      return;
    }
    std::string format = args->format;
    if (format.empty()) format = args->out.ends_with(".xlsx") ? "xlsx" : "csv";
    auto database = OpenCurrent(args->db);
    if (!database.ok()) {
      context.exit_code = Fail(database.error());
      return;
    }
    imports::ExportCursor cursor(**database, *type, "1 = 1");
    const bool tty = isatty(STDERR_FILENO);
    Status s = Ok();
    if (format == "xlsx") {
      s = imports::ExportXlsx(cursor, args->out);
    } else {
      std::ofstream out(args->out, std::ios::binary);
      if (!out) {
        context.exit_code = Fail("--out: cannot write " + args->out);
        return;
      }
      s = imports::ExportCsv(cursor, [&](std::string_view piece) {
        out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
        if (tty) {
          std::fprintf(stderr, "\r  writing %s: %s rows", args->type.c_str(),
                       WithCommas(cursor.rows()).c_str());
        }
        return static_cast<bool>(out);
      });
      if (s.ok() && !out) s = Error(ErrorCode::kUnavailable, "--out: cannot write " + args->out);
    }
    if (tty) std::fputc('\n', stderr);
    if (!s.ok()) {
      context.exit_code = Fail(s.error());
      return;
    }
    std::cout << WithCommas(cursor.rows()) << " " << args->type << " written to " << args->out
              << "\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
