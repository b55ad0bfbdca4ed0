// rapport demo: create (or fill an empty) database with a realistic medical-devices company.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/command.hpp"
#include "db/migrations.hpp"
#include "demo/demo_data.hpp"

namespace rapport::cli {
namespace {

// On a terminal, one line rewritten in place; otherwise a line per finished table.
demo::Progress TerminalProgress() {
  const bool tty = isatty(STDERR_FILENO);
  return [tty](std::string_view table, std::int64_t done, std::int64_t total) {
    if (tty) {
      const int percent = total ? static_cast<int>(done * 100 / total) : 100;
      std::fprintf(stderr, "\r  loading %-26.*s %12s / %-12s %3d%%", static_cast<int>(table.size()),
                   table.data(), WithCommas(done).c_str(), WithCommas(total).c_str(), percent);
      if (done == total) std::fputc('\n', stderr);
    } else if (done == total) {
      std::fprintf(stderr, "  loaded %.*s: %s rows\n", static_cast<int>(table.size()), table.data(),
                   WithCommas(total).c_str());
    }
  };
}

}  // namespace

void AddDemoCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "demo", "Create (or fill an empty) database with a realistic medical-devices company");
  struct Args {
    std::string db;
    std::uint64_t seed = 7;
    std::string scale = "small";
    std::string as_of;
  };
  auto args = std::make_shared<Args>();
  AddDbOption(*command, args->db);
  command->add_option("--seed", args->seed, "Same seed, same data")->capture_default_str();
  command->add_option("--scale", args->scale, "small (2,000 accounts) or large (1M accounts)")
      ->check(CLI::IsMember({"small", "large"}))
      ->capture_default_str();
  command->add_option("--as-of", args->as_of, "The data's 'today' (YYYY-MM-DD); default today");
  command->callback([&context, args] {
    std::int64_t as_of_day = context.clock.Now() / kMicrosPerDay;
    if (!args->as_of.empty() && !ParseDate(args->as_of, as_of_day)) {
      context.exit_code = Fail("--as-of: '" + args->as_of + "' is not a date (YYYY-MM-DD)");
      return;
    }
    const auto started = std::chrono::steady_clock::now();
    auto database = db::Database::Open(args->db);
    if (!database.ok()) {
      context.exit_code = Fail(database.error());
      return;
    }
    auto migrated = db::Migrate(**database, context.clock);
    if (!migrated.ok()) {
      context.exit_code = Fail(migrated.error());
      return;
    }
    demo::DemoOptions options;
    options.seed = args->seed;
    options.size = demo::SizeOf(args->scale == "large" ? demo::Scale::kLarge : demo::Scale::kSmall);
    options.as_of_day = as_of_day;
    options.progress = TerminalProgress();
    std::cerr << "Filling " << (*database)->Describe() << " with the " << args->scale
              << " demo (seed " << args->seed << ", as of " << FormatDate(as_of_day) << ")\n";
    auto report = demo::FillDemo(**database, options);
    if (!report.ok()) {
      context.exit_code = Fail(report.error());
      return;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::int64_t rows = 0;
    for (const auto& [table, n] : report->rows_per_table) rows += n;
    std::cout << "Demo ready: " << WithCommas(rows) << " rows in " << std::fixed
              << std::setprecision(1) << seconds << " s";
    std::error_code ec;
    if (!db::Database::IsPostgresUrl(args->db)) {
      const auto bytes = std::filesystem::file_size(args->db, ec);
      if (!ec) std::cout << ", " << std::setprecision(1) << bytes / 1048576.0 << " MiB on disk";
    }
    std::cout << "\n";
    for (const auto& [table, n] : report->rows_per_table) {
      std::cout << "  " << std::left << std::setw(28) << table << std::right << std::setw(12)
                << WithCommas(n) << "\n";
    }
    std::cout << "Sign in with password '" << demo::kDemoPassword << "' as:\n";
    for (const auto& s : report->sign_ins) {
      std::cout << "  " << std::left << std::setw(40) << s.email << s.role << " (" << s.name
                << ")\n";
    }
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
