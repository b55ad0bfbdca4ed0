// The access log: one line per request on stderr, in the same shape as the rest of the log
// ("2026-11-29T04:50:00.123456Z info method=GET route=/api/v1/accounts/{id} status=200 ...").
#pragma once

#include <chrono>
#include <string_view>

namespace rapport::server {

// Each server thread gathers its own lines and writes them whole, a few kilobytes at a time:
// no lock is shared between threads and there is no system call per request. A thread's lines
// are written when they fill a block, when the thread has held them for kFlushAfter, and when
// the thread stops (FlushThisThread). Thread-safe.
class AccessLog {
 public:
  static constexpr auto kFlushAfter = std::chrono::milliseconds(100);

  // Appends a line to this thread's block. Returns true when the block was empty before, so the
  // caller arranges for FlushThisThread to run on this thread within kFlushAfter.
  static bool Record(std::string_view text);
  // Writes this thread's lines.
  static void FlushThisThread();
};

}  // namespace rapport::server
