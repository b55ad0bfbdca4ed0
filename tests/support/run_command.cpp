#include "support/run_command.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "support/test_clock.hpp"
#include "support/test_database.hpp"

extern char** environ;

namespace rapport::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& in_path,
            const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // The program runs on the tests' clock (support/test_clock.hpp).
  std::string test_now = TestNowVariable();
  std::vector<char*> environment;
  for (char** e = environ; *e; ++e) {
    if (!std::string_view(*e).starts_with("RAPPORT_TEST_NOW=")) environment.push_back(*e);
  }
  environment.push_back(test_now.data());
  environment.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environment.data()) != 0) {
    pid = -1;
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int ExitCodeOf(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string UniquePath() {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("rapport-cmd-" + std::to_string(getpid()) + "-" + std::to_string(counter++)))
      .string();
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& input) {
  TempDir dir;
  const std::string in_path = dir.File("stdin"), out_path = dir.File("stdout"),
                    err_path = dir.File("stderr");
  std::ofstream(in_path) << input;
  CommandResult result;
  const pid_t pid = Spawn(argv, in_path, out_path, err_path);
  if (pid < 0) {
    result.err = "cannot start " + argv[0];
    return result;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = ExitCodeOf(status);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

RunningCommand::RunningCommand(const std::vector<std::string>& argv) {
  const std::string base = UniquePath();
  err_path_ = base + ".err";
  out_path_ = base + ".out";
  pid_ = Spawn(argv, "/dev/null", out_path_, err_path_);
}

RunningCommand::~RunningCommand() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    Wait();
  }
  std::error_code ec;
  std::filesystem::remove(err_path_, ec);
  std::filesystem::remove(out_path_, ec);
}

bool RunningCommand::WaitForError(const std::string& text, int timeout_seconds) {
  for (int i = 0; i < timeout_seconds * 20; ++i) {
    if (Err().find(text) != std::string::npos) return true;
    int status = 0;
    if (!reaped_ && waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      status_ = status;
      return Err().find(text) != std::string::npos;
    }
    usleep(50'000);
  }
  return false;
}

void RunningCommand::Kill(int signal) {
  if (pid_ > 0 && !reaped_) kill(pid_, signal);
}

int RunningCommand::Wait() {
  if (!reaped_ && pid_ > 0) {
    waitpid(pid_, &status_, 0);
    reaped_ = true;
  }
  return ExitCodeOf(status_);
}

std::string RunningCommand::Err() const { return ReadFile(err_path_); }
std::string RunningCommand::Out() const { return ReadFile(out_path_); }

bool RunningCommand::Exited() {
  if (reaped_) return true;
  int status = 0;
  if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
    reaped_ = true;
    status_ = status;
  }
  return reaped_;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace rapport::testing
