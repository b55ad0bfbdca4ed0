#include "cli/child_process.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace rapport::cli {

Result<int> RunProgram(const std::vector<std::string>& argv,
                       const std::vector<std::string>& environment) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  // Ours, less what `environment` names again, then `environment`.
  std::vector<char*> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view ours(*entry);
    bool replaced = false;
    for (const std::string& given : environment) {
      const auto name = given.substr(0, given.find('=') + 1);
      if (ours.starts_with(name)) replaced = true;
    }
    if (!replaced) env.push_back(*entry);
  }
  for (const std::string& given : environment) env.push_back(const_cast<char*>(given.c_str()));
  env.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), env.data());
  if (spawned != 0) {
    return Error(ErrorCode::kUnavailable, "cannot run " + argv[0] + ": " + std::strerror(spawned) +
                                              (spawned == ENOENT ? " (is it installed?)" : ""));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error(ErrorCode::kInternal, "waiting for " + argv[0] + " failed");
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace rapport::cli
