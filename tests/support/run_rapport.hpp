// The `rapport` binary run as a shell would run it. RAPPORT_BINARY is defined by each test target
// that drives the binary.
#pragma once

#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace rapport::testing {

inline CommandResult RunRapport(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), RAPPORT_BINARY);
  return RunCommand(args, input);
}

}  // namespace rapport::testing
