// Running another program from a command (pg_dump, pg_restore): found on PATH, its output and
// errors going where ours go.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace rapport::cli {

// Runs argv[0] with the arguments and waits: its exit code (128 + the signal when killed). The
// environment is ours and `environment`'s NAME=VALUE entries, which win. kUnavailable naming the
// program when it cannot be started (not installed).
Result<int> RunProgram(const std::vector<std::string>& argv,
                       const std::vector<std::string>& environment = {});

}  // namespace rapport::cli
