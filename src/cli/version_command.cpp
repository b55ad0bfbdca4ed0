// rapport version: what this binary is.
#include <iostream>

#include "cli/command.hpp"
#include "core/build_info.hpp"
#include "db/migrations.hpp"

namespace rapport::cli {

void AddVersionCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand("version", "Print the version, git commit and schema version");
  command->callback([&context] {
    std::cout << "rapport " << kVersion << "\ncommit " << kGitCommit << "\nschema "
              << db::LatestSchemaVersion() << "\n";
    context.exit_code = kExitOk;
  });
}

}  // namespace rapport::cli
