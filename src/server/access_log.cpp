#include "server/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <ctime>
#include <iterator>
#include <string>

namespace rapport::server {
namespace {

// Whole lines up to a pipe's atomic write size, so that two threads' blocks never interleave
// inside a line, whatever stderr is.
constexpr std::size_t kBlock = 4096;

// Its own descriptor for stderr, appending: the rest of the log (spdlog) opens /dev/stderr the
// same way, so neither overwrites the other when stderr is a file.
int Output() {
  static const int fd = [] {
    const int opened = ::open("/dev/stderr", O_WRONLY | O_APPEND | O_CLOEXEC);
    return opened >= 0 ? opened : STDERR_FILENO;
  }();
  return fd;
}

void WriteAll(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(Output(), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to: requests go on
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

struct Pending {
  std::string block;
  std::time_t second = -1;  // the second `stamp` shows
  char stamp[32] = {};      // "2026-11-29T04:50:00."
  ~Pending() { WriteAll(block); }
};

thread_local Pending pending;

void AppendTimestamp(std::string& out) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  if (now.tv_sec != pending.second) {
    std::tm utc{};
    ::gmtime_r(&now.tv_sec, &utc);
    std::strftime(pending.stamp, sizeof pending.stamp, "%Y-%m-%dT%H:%M:%S.", &utc);
    pending.second = now.tv_sec;
  }
  fmt::format_to(std::back_inserter(out), "{}{:06}Z info ", pending.stamp, now.tv_nsec / 1000);
}

}  // namespace

bool AccessLog::Record(std::string_view text) {
  std::string& block = pending.block;
  const bool was_empty = block.empty();
  // The timestamp, " info ", the text and a newline: about 40 bytes besides the text.
  if (!block.empty() && block.size() + text.size() + 40 > kBlock) {
    WriteAll(block);
    block.clear();
  }
  if (block.capacity() < kBlock) block.reserve(kBlock);
  AppendTimestamp(block);
  block += text;
  block += '\n';
  return was_empty;
}

void AccessLog::FlushThisThread() {
  WriteAll(pending.block);
  pending.block.clear();
}

}  // namespace rapport::server
