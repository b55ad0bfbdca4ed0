// rapport doctor: checks the invariants Rapport promises; exits 1 and lists what breaks them.
#include <iostream>

#include "cli/command.hpp"
#include "continuity/doctor.hpp"

namespace rapport::cli {

void AddDoctorCommand(CLI::App& app, Context& context) {
  auto* command = app.add_subcommand(
      "doctor",
      "Check the database's invariants (nothing left with a leaver, every account owned)");
  auto db_url = std::make_shared<std::string>();
  AddDbOption(*command, *db_url);
  command->callback([&context, db_url] {
    auto database = OpenCurrent(*db_url);
    if (!database.ok()) {
      context.exit_code = Fail(database.error());
      return;
    }
    auto violations = continuity::CheckInvariants(**database);
    if (!violations.ok()) {
      context.exit_code = Fail(violations.error());
      return;
    }
    if (violations->empty()) {
      std::cout << (*database)->Describe() << ": every invariant holds\n";
      context.exit_code = kExitOk;
      return;
    }
    for (const auto& v : *violations) {
      std::cout << v.count << " x " << v.check << ":";
      for (const auto& e : v.examples) std::cout << " [" << e << "]";
      if (v.count > static_cast<std::int64_t>(v.examples.size())) std::cout << " ...";
      std::cout << "\n";
    }
    std::cerr << "rapport: " << violations->size() << " invariant(s) broken in "
              << (*database)->Describe() << "\n";
    context.exit_code = kExitFailure;
  });
}

}  // namespace rapport::cli
