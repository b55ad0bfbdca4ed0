// Runs a program as a user would from a shell and captures what it says.
#pragma once

#include <string>
#include <vector>

namespace rapport::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] with the arguments; `input` is written to its standard input.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input = "");

}  // namespace rapport::testing
