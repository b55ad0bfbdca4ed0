#include "core/temp_files.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <system_error>

namespace rapport {
namespace fs = std::filesystem;

namespace {

fs::path TempFolder() {
  std::error_code ec;
  fs::path folder = fs::temp_directory_path(ec);
  return ec ? fs::path("/tmp") : folder;
}

// The kinds of temporary file Rapport makes (TempPattern's `what`).
constexpr std::string_view kKinds[] = {"book", "workbook", "export", "openapi"};

// The pid in a name TempPattern made ("rapport-<kind>-<pid>-" and mkstemp's six characters), or
// 0 for any other name ("rapport-annuel-2023-v2.pdf" is someone's report, not ours).
pid_t PidOf(std::string_view name) {
  if (!name.starts_with("rapport-")) return 0;
  name.remove_prefix(8);
  bool known = false;
  for (std::string_view kind : kKinds) {
    if (name.size() > kind.size() && name.starts_with(kind) && name[kind.size()] == '-') {
      name.remove_prefix(kind.size() + 1);
      known = true;
      break;
    }
  }
  const std::size_t dash = name.find('-');
  if (!known || dash == std::string_view::npos || name.size() - dash - 1 != 6) return 0;
  pid_t pid = 0;
  const auto [at, ec] = std::from_chars(name.data(), name.data() + dash, pid);
  if (ec != std::errc() || at != name.data() + dash || pid <= 0) return 0;
  return pid;
}

bool Running(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

std::string TempPattern(std::string_view what) {
  return (TempFolder() /
          ("rapport-" + std::string(what) + "-" + std::to_string(getpid()) + "-XXXXXX"))
      .string();
}

int RemoveOrphanedTempFiles() {
  int removed = 0;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(TempFolder(), ec)) {
    const pid_t pid = PidOf(entry.path().filename().string());
    if (pid == 0) continue;
    // This process has made none yet: one with its pid is a previous process's (a container's
    // server is pid 1 every time it starts).
    if (pid != getpid() && Running(pid)) continue;
    // Only this user's: never another user's files, even for root.
    struct stat status;
    if (lstat(entry.path().c_str(), &status) != 0 || status.st_uid != geteuid()) continue;
    std::error_code gone;
    if (fs::remove_all(entry.path(), gone) > 0 && !gone) ++removed;
  }
  return removed;
}

}  // namespace rapport
