// rapport migrate: bring a database up to this binary's schema (creating a SQLite file if needed).
#include <iostream>

#include "cli/command.hpp"
#include "db/migrations.hpp"

namespace rapport::cli {

void AddMigrateCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("migrate", "Apply the schema migrations the database lacks");
  auto db_url = std::make_shared<std::string>();
  AddDbOption(*command, *db_url);
  AddConfigOption(*command, ConfigNames::kOthersToo);
  command->callback([&context, db_url] {
    auto database = db::Database::Open(*db_url);
    if (!database.ok()) {
      context.exit_code = Fail(database.error());
      return;
    }
    auto report = db::Migrate(**database, context.clock);
    if (!report.ok()) {
      context.exit_code = Fail(report.error());
      return;
    }
    for (const auto& applied : report->applied)
      std::cout << "applied migration " << applied << "\n";
    std::cout << (*database)->Describe() << " is at schema version " << report->to_version
              << (report->applied.empty() ? " (nothing to do)" : "") << "\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
