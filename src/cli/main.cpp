// rapport: one binary for the server and every operator command. main only wires.
#include <iostream>

#include "cli/command.hpp"

int main(int argc, char** argv) {
  rapport::SystemClock clock;
  rapport::cli::Context context{clock};
  CLI::App app{"Rapport: customer-centric account management for medical-device companies"};
  app.name("rapport");
  app.require_subcommand(1);
  rapport::cli::AddServeCommand(app, context);
  rapport::cli::AddMigrateCommand(app, context);
  rapport::cli::AddDemoCommand(app, context);
  rapport::cli::AddUserCommand(app, context);
  rapport::cli::AddBackupCommand(app, context);
  rapport::cli::AddTokenCommand(app, context);
  rapport::cli::AddDoctorCommand(app, context);
  rapport::cli::AddImportCommand(app, context);
  rapport::cli::AddExportCommand(app, context);
  rapport::cli::AddVersionCommand(app, context);
  try {
    app.parse(argc, argv);
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
