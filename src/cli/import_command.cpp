// rapport import: bulk-load accounts, contacts, opportunities, activities or sales lines from a
// CSV (or XLSX) file, with progress on a terminal and every rejected row reported.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "cli/command.hpp"
#include "imports/csv_reader.hpp"
#include "imports/import_routes.hpp"
#include "imports/importer.hpp"
#include "imports/xlsx_reader.hpp"
#include "moving/book.hpp"
#include "users/user_store.hpp"

namespace rapport::cli {
namespace {

// A FILE* as the reader's byte source.
imports::CsvReader::Source FileSource(std::FILE* file) {
  return
      [file](char* buffer, std::size_t capacity) { return std::fread(buffer, 1, capacity, file); };
}

struct ImportArgs {
  std::string db, type, file, dir, errors, as, from = "rapport";
  std::vector<std::string> map;
  bool dry_run = false, partial = false, json = false, create_users = false, keep_columns = false;
};

void AddImportOptions(CLI::App& command, ImportArgs& args) {
  AddDbOption(command, args.db);
  auto* type = command.add_option("--type", args.type, imports::kRecordTypeNames);
  auto* file = command.add_option("--file", args.file, "The CSV (UTF-8, RFC 4180) or XLSX file")
                   ->check(CLI::ExistingFile);
  auto* dir =
      command.add_option("--dir", args.dir,
                         "A whole export from Salesforce or HubSpot (--from): its folder or "
                         "its zip, imported in one run (instead of --type and --file)");
  dir->excludes(type)->excludes(file);
  command.add_flag("--create-users", args.create_users,
                   "With --dir: owners no user matches become users (who cannot sign in until "
                   "invited)");
  command.add_flag(
      "--keep-columns", args.keep_columns,
      "With --dir: the source's own fields that Rapport has no field for (Salesforce's "
      "__c columns, HubSpot's properties) become custom fields and are imported");
  command.add_flag("--dry-run", args.dry_run,
                   "Check everything and say what would be created, updated and rejected; "
                   "write nothing");
  command.add_flag("--partial", args.partial,
                   "Write the good rows even when some are rejected (default: all or nothing)");
  command.add_option("--from", args.from,
                     "Whose export the file is: rapport (the default), salesforce or hubspot");
  command.add_option("--map", args.map,
                     "'File column=field' (repeatable); 'File column=' ignores a column");
  command.add_option("--errors", args.errors,
                     "Write every rejected row (line, column, problem) to this CSV file");
  command.add_option("--as", args.as, "Whose name the audit trail gives (a user's email)");
  command.add_flag("--json", args.json, "Print the report as JSON");
}

// The import's options from the command line (all but the actor and progress).
Result<imports::ImportOptions> OptionsOf(const ImportArgs& args) {
  const auto type = imports::ParseRecordType(args.type);
  if (!type) {
    return Error::InvalidField("--type", "'" + args.type + "' is not " + imports::kRecordTypeNames);
  }
  imports::ImportOptions options;
  options.type = *type;
  options.dry_run = args.dry_run;
  options.all_or_nothing = !args.partial;
  const auto source = imports::ParseSource(args.from);
  if (!source) {
    return Error::InvalidField("--from", "'" + args.from + "' is not " + imports::kSourceNames);
  }
  options.source = *source;
  options.file_name = std::filesystem::path(args.file).filename().string();
  for (const std::string& pair : args.map) {
    const auto eq = pair.rfind('=');
    if (eq == std::string::npos) {
      return Error::InvalidField("--map", "'" + pair + "' is not 'File column=field'");
    }
    options.mapping.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return options;
}

// The rows of `path` (open as `file`): a zip is an XLSX workbook, read whole (it is compressed);
// CSV is streamed. Null, with `unreadable` saying why, for a workbook that cannot be read.
std::unique_ptr<imports::RecordSource> OpenRecords(const std::string& path, std::FILE* file,
                                                   imports::ImportOptions& options,
                                                   std::string& unreadable) {
  char head[4] = {0, 0, 0, 0};
  const std::size_t head_size = std::fread(head, 1, sizeof head, file);
  std::rewind(file);
  if (!imports::LooksLikeZip(std::string_view(head, head_size))) {
    return std::make_unique<imports::CsvReader>(FileSource(file));
  }
  options.format = "xlsx";
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto opened = imports::OpenXlsx(std::move(bytes));
  if (!opened.ok()) {
    unreadable = opened.error().message();
    return nullptr;
  }
  return std::move(opened).value();
}

// Progress on stderr: a line redrawn on a terminal; elsewhere (a log file, a test) a line for
// every 100,000 rows written.
std::function<void(std::int64_t, std::uint64_t)> Progress(
    const std::string& type, std::uint64_t total, std::chrono::steady_clock::time_point started) {
  if (isatty(STDERR_FILENO)) {
    return [type, total, started](std::int64_t rows, std::uint64_t bytes) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "\r  reading %s: %s rows, %3d%% (%s rows/s)   ", type.c_str(),
                   WithCommas(rows).c_str(), total ? static_cast<int>(bytes * 100 / total) : 100,
                   WithCommas(seconds > 0 ? static_cast<std::int64_t>(rows / seconds) : 0).c_str());
    };
  }
  return [type, shown = std::int64_t{0}](std::int64_t rows, std::uint64_t) mutable {
    constexpr std::int64_t kEvery = 100'000;
    if (rows / kEvery <= shown / kEvery) return;
    shown = rows / kEvery * kEvery;
    std::fprintf(stderr, "  %s: %s rows written\n", type.c_str(), WithCommas(shown).c_str());
  };
}

// The report as a person reads it: counts, columns left out, the first 20 rejected rows.
void PrintReport(const imports::ImportReport& report, const ImportArgs& args,
                 const std::string& file_name, double seconds) {
  std::cout << "import " << report.import_id << " of " << args.type << " (" << file_name
            << "): " << report.status << (report.dry_run ? " (dry run: nothing written)" : "")
            << "\n";
  if (!report.problem.empty()) std::cout << "  " << report.problem << "\n";
  std::cout << "  " << WithCommas(report.rows_read) << " rows read in " << seconds << " s; "
            << WithCommas(report.created) << " created, " << WithCommas(report.updated)
            << " updated, " << WithCommas(report.unchanged) << " unchanged, "
            << WithCommas(report.rejected) << " rejected\n";
  if (!report.ignored_columns.empty()) {
    std::cout << "  columns not imported:";
    for (const auto& c : report.ignored_columns) std::cout << " '" << c << "'";
    std::cout << "\n";
  }
  if (report.status == "rejected" && !report.dry_run) {
    std::cout << "  nothing was written: fix the rows below, or use --partial to write the "
                 "rest\n";
  }
  const std::size_t shown = std::min<std::size_t>(report.rejections.size(), 20);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& r = report.rejections[i];
    std::cout << "  line " << r.line << (r.column.empty() ? "" : ", " + r.column) << ": "
              << r.problem << "\n";
  }
  if (report.rejected > static_cast<std::int64_t>(shown) && args.errors.empty()) {
    std::cout << "  ... and " << WithCommas(report.rejected - shown)
              << " more: --errors FILE lists them all\n";
  }
}

// Who the audit trail names (--as, a user's email; else no one) and when.
Result<audit::Actor> ActorOf(db::Database& database, const ImportArgs& args, Context& context) {
  audit::Actor actor{std::nullopt, context.clock.Now()};
  if (args.as.empty()) return actor;
  RAPPORT_RETURN_IF_ERROR(database.Read([&](db::Transaction& tx) -> Status {
    auto user = users::GetUserByEmail(tx, args.as);
    if (!user.ok()) return Error::InvalidField("--as", "no user " + args.as);
    actor.user_id = user->id;
    return Ok();
  }));
  return actor;
}

// The book's report as a person reads it: per file, the owners, the checks.
void PrintBookReport(const moving::BookReport& report, double seconds) {
  std::cout << "import of " << report.files.size() << " files: " << report.status
            << (report.dry_run ? " (dry run: nothing written)" : "") << " in " << seconds << " s\n";
  if (!report.problem.empty()) std::cout << "  " << report.problem << "\n";
  for (const moving::BookFile& f : report.files) {
    std::cout << "  " << f.name << ": ";
    if (f.part == moving::Part::kUsers) {
      std::cout << "users (owners' ids, emails and names)\n";
      continue;
    }
    const imports::ImportReport& r = f.report;
    std::cout << moving::PartName(f) << ", " << WithCommas(f.rows) << " rows";
    if (f.skipped) std::cout << " (" << WithCommas(f.skipped) << " deleted or merged: skipped)";
    if (f.set_aside) {
      std::cout << " (" << WithCommas(f.set_aside) << " "
                << (f.part == moving::Part::kOpenTasks ? "done: activities" : "not done: tasks")
                << ")";
    }
    std::cout << "; " << WithCommas(r.created) << " created, " << WithCommas(r.updated)
              << " updated, " << WithCommas(r.unchanged) << " unchanged, " << WithCommas(r.rejected)
              << " rejected, " << f.seconds << " s\n";
    std::cout << "    mapping:";
    for (const auto& [field, column] : r.columns) std::cout << " " << column << "->" << field;
    std::cout << "\n";
    if (!r.ignored_columns.empty()) {
      std::cout << "    not imported:";
      for (const auto& c : r.ignored_columns) std::cout << " " << c;
      std::cout << "\n";
    }
    for (std::size_t i = 0; i < r.rejections.size() && i < 20; ++i) {
      const auto& x = r.rejections[i];
      std::cout << "    line " << x.line << (x.column.empty() ? "" : ", " + x.column) << ": "
                << x.problem << "\n";
    }
  }
  for (const std::string& name : report.ignored) std::cout << "  " << name << ": not part of it\n";
  std::size_t unmatched = 0;
  for (const moving::Owner& o : report.owners) {
    if (o.matched.empty()) ++unmatched;
  }
  std::cout << "  owners: " << report.owners.size() << ", " << unmatched << " unmatched\n";
  // Those who need a look first (no user, made a user, inactive there), then the rest, up to 20.
  std::size_t shown = 0, matched = 0;
  for (const bool notable : {true, false}) {
    for (const moving::Owner& o : report.owners) {
      const bool is_notable = o.matched.empty() || o.matched == "created" || !o.active;
      if (is_notable != notable) continue;
      if (!notable && ++matched > 20) continue;
      ++shown;
      std::cout << "    " << o.key;
      if (o.key != o.email && !o.email.empty()) std::cout << " <" << o.email << ">";
      if (o.key != o.name && !o.name.empty()) std::cout << " (" << o.name << ")";
      std::cout << ": "
                << (o.matched.empty() ? "NO USER (add them, or use --create-users)"
                    : o.matched == "created"
                        ? (report.dry_run ? "would be made a user" : "made a user")
                        : "matched by " + o.matched)
                << (o.active ? "" : ", inactive in the source: plan a handover") << ", "
                << WithCommas(o.records) << " rows\n";
    }
  }
  if (shown < report.owners.size()) {
    std::cout << "    ... and " << report.owners.size() - shown
              << " more matched (--json lists them all)\n";
  }

  for (const moving::KeptField& f : report.custom_fields) {
    std::cout << "  custom field " << f.table << "." << f.key << " (" << f.type << ") made of "
              << f.file << "'s column " << f.column << "\n";
  }
  for (const moving::BookCheck& c : report.checks) {
    std::cout << "  check " << c.file << " " << c.what << ": " << c.expected << " in the file, "
              << c.found << " written" << (c.ok ? "" : "  MISMATCH") << "\n";
  }
}

// Imports a whole export's folder (--dir); the exit code: ok when it succeeded.
int ImportBook(Context& context, const ImportArgs& args) {
  moving::BookOptions options;
  const auto source = imports::ParseSource(args.from);
  if (!source || *source == imports::Source::kRapport) {
    return Fail(Error::InvalidField("--from", "--dir takes an export from salesforce or hubspot"));
  }
  options.source = *source;
  options.directory = args.dir;
  options.dry_run = args.dry_run;
  options.create_users = args.create_users;
  options.keep_columns = args.keep_columns;
  auto database = OpenCurrent(args.db);
  if (!database.ok()) return Fail(database.error());
  auto actor = ActorOf(**database, args, context);
  if (!actor.ok()) return Fail(actor.error());
  options.actor = *actor;
  options.clock = &context.clock;
  const auto started = std::chrono::steady_clock::now();
  std::string shown;
  options.progress = [&shown](const std::string& file, std::int64_t rows, std::uint64_t bytes,
                              std::uint64_t size) {
    if (isatty(STDERR_FILENO)) {
      std::fprintf(stderr, "\r  %s: %s rows, %3d%%   ", file.c_str(), WithCommas(rows).c_str(),
                   size ? static_cast<int>(bytes * 100 / size) : 100);
    } else if (file != shown) {
      shown = file;
      std::fprintf(stderr, "  importing %s\n", file.c_str());
    }
  };
  // A folder, or the zip the export came as.
  moving::BookReport report;
  if (std::filesystem::is_regular_file(args.dir)) {
    std::ifstream in(args.dir, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    report = moving::ImportBookZip(**database, options, bytes);
  } else {
    report = moving::ImportBook(**database, options);
  }
  if (isatty(STDERR_FILENO)) std::fputc('\n', stderr);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (args.json) {
    std::cout << moving::BookReportJson(report) << "\n";
  } else {
    PrintBookReport(report, seconds);
  }
  return report.status == "succeeded" ? kExitOk : kExitFailure;
}

// Runs the import; the exit code: ok when it succeeded.
int Import(Context& context, const ImportArgs& args) {
  if (!args.dir.empty()) return ImportBook(context, args);
  if (args.type.empty() || args.file.empty()) {
    return Fail(Error::InvalidField(args.type.empty() ? "--type" : "--file",
                                    "is required (or --dir with --from for a whole export)"));
  }
  auto parsed = OptionsOf(args);
  if (!parsed.ok()) return Fail(parsed.error());
  imports::ImportOptions options = std::move(parsed).value();
  auto database = OpenCurrent(args.db);
  if (!database.ok()) return Fail(database.error());
  auto actor = ActorOf(**database, args, context);
  if (!actor.ok()) return Fail(actor.error());
  options.actor = *actor;
  options.clock = &context.clock;
  std::FILE* file = std::fopen(args.file.c_str(), "rb");
  if (!file) return Fail("--file: cannot open " + args.file);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(file, &std::fclose);
  std::string unreadable;  // why the workbook cannot be read
  std::unique_ptr<imports::RecordSource> source = OpenRecords(args.file, file, options, unreadable);
  const auto started = std::chrono::steady_clock::now();
  options.progress = Progress(args.type, std::filesystem::file_size(args.file), started);
  auto import_id = imports::BeginImport(**database, options);
  if (!import_id.ok()) return Fail(import_id.error());
  const imports::ImportReport report =
      source ? imports::RunImport(**database, *import_id, *source, options)
             : imports::FailImport(**database, *import_id, options, unreadable);
  if (isatty(STDERR_FILENO)) std::fputc('\n', stderr);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!args.errors.empty()) {
    std::ofstream out(args.errors, std::ios::binary);
    out << imports::RejectionsCsv(report.rejections);
    if (!out) return Fail("--errors: cannot write " + args.errors);
  }
  if (args.json) {
    std::cout << imports::ReportJson(report) << "\n";
  } else {
    PrintReport(report, args, options.file_name, seconds);
  }
  return report.status == "succeeded" ? kExitOk : kExitFailure;
}

}  // namespace

void AddImportCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "import",
      "Import accounts, contacts, opportunities, activities or sales lines from CSV/XLSX");
  auto args = std::make_shared<ImportArgs>();
  AddImportOptions(*command, *args);
  command->callback([&context, args] { context.exit_code = Import(context, *args); });
}

}  // namespace rapport::cli
