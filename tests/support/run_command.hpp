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

// A port on 127.0.0.1 that nothing listens on now (for a server a test starts).
int FreePort();

}  // namespace rapport::testing

namespace rapport::testing {

// A program started in the background, its output going to files.
class RunningCommand {
 public:
  explicit RunningCommand(const std::vector<std::string>& argv);
  ~RunningCommand();
  // Waits until standard error contains `text` or the timeout passes; true when it appeared.
  bool WaitForError(const std::string& text, int timeout_seconds);
  void Kill(int signal);
  // Waits for the exit; the exit code, or 128 + the signal.
  int Wait();
  std::string Err() const;
  std::string Out() const;
  // True once the process has ended (reaps it).
  bool Exited();

 private:
  std::string err_path_;
  std::string out_path_;
  int pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace rapport::testing
