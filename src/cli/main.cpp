// rapport: one binary for the server and every operator command. main only wires.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/embedded_web_app.hpp"

int main(int argc, char** argv) {
  // The time every command reads. RAPPORT_TEST_NOW is for tests only: the suite sets it so that
  // a binary it starts runs on the test's day whatever the date is (see cli/README.md).
  std::unique_ptr<rapport::Clock> clock = std::make_unique<rapport::SystemClock>();
  std::string clock_note;
  if (const char* test_now = std::getenv("RAPPORT_TEST_NOW"); test_now && *test_now) {
    auto shifted = rapport::cli::TestClock(test_now);
    if (!shifted) {
      std::cerr << "rapport: RAPPORT_TEST_NOW: '" << test_now
                << "' is neither an instant like 2026-11-28T09:00:00Z nor an offset in seconds "
                   "like -686400.5 (it is for tests only: unset it)\n";
      return rapport::cli::kExitUsage;
    }
    clock = std::make_unique<rapport::ShiftedClock>(*shifted);
    clock_note = "the clock reads " + rapport::FormatInstant(clock->Now()) +
                 " (RAPPORT_TEST_NOW=" + test_now + ", for tests only)";
  }
  rapport::cli::Context context{*clock, clock_note, rapport::cli::EmbeddedWebApp()};
  CLI::App app{"Rapport: customer-centric account management for medical-device companies"};
  app.name("rapport");
  app.require_subcommand(1);
  rapport::cli::AddServeCommand(app, context);
  rapport::cli::AddMigrateCommand(app, context);
  rapport::cli::AddDemoCommand(app, context);
  rapport::cli::AddUserCommand(app, context);
  rapport::cli::AddBackupCommand(app, context);
  rapport::cli::AddRestoreCommand(app, context);
  rapport::cli::AddTokenCommand(app, context);
  rapport::cli::AddMailInCommand(app, context);
  rapport::cli::AddDoctorCommand(app, context);
  rapport::cli::AddImportCommand(app, context);
  rapport::cli::AddExportCommand(app, context);
  rapport::cli::AddOpenApiCommand(app, context);
  rapport::cli::AddVersionCommand(app, context);
  // The arguments with a --config file's options written out, in the reverse order CLI11 reads.
  auto args = rapport::cli::WithConfigFile(app, std::vector<std::string>(argv + 1, argv + argc));
  if (!args.ok()) {
    std::cerr << "rapport: " << args.error().message() << "\n";
    return rapport::cli::kExitUsage;
  }
  std::reverse(args->begin(), args->end());
  try {
    app.parse(*args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "rapport: " << e.what() << " (see rapport --help)\n";
    return rapport::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "rapport: internal error: " << e.what() << "\n";
    return rapport::cli::kExitFailure;
  }
  return context.exit_code;
}
