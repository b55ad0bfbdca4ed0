#include "core/temp_files.hpp"

#include <signal.h>
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

// The pid in "rapport-<what>-<pid>-XXXXXX", or 0 when the name is not such.
pid_t PidOf(const std::string& name) {
  if (!name.starts_with("rapport-")) return 0;
  const std::size_t end = name.rfind('-');
  if (end == std::string::npos || end == 0) return 0;
  const std::size_t begin = name.rfind('-', end - 1);
  if (begin == std::string::npos || begin < 8) return 0;
  pid_t pid = 0;
  const char* first = name.data() + begin + 1;
  const char* last = name.data() + end;
  const auto [at, ec] = std::from_chars(first, last, pid);
  if (ec != std::errc() || at != last || pid <= 0) return 0;
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
    if (pid == 0 || Running(pid)) continue;
    std::error_code gone;
    if (fs::remove_all(entry.path(), gone) > 0 && !gone) ++removed;
  }
  return removed;
}

}  // namespace rapport
