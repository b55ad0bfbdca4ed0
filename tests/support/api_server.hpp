// The real `rapport serve` on port 0 over a test database, and an HTTP client for it (libcurl).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace rapport::testing {

struct HttpReply {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json Json() const;
  std::string Header(const std::string& name) const;
};

struct HttpCall {
  std::string method = "GET";
  std::string path;
  std::string body;
  std::string token;
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
  bool may_fail = false;  // a dropped connection is expected (status 0), not a test failure
};

// Checks that `reply` is an RFC 9457 problem document with `status` and, when `field` is given,
// an error naming it (test failures otherwise).
void ExpectProblem(const HttpReply& reply, long status, const std::string& field = "");

class ApiServer {
 public:
  // Starts `rapport serve --db url --listen 127.0.0.1:0` and waits for its address.
  explicit ApiServer(const std::string& db_url);
  // With more arguments for `serve` and NAME=VALUE environment variables.
  ApiServer(const std::string& db_url, const std::vector<std::string>& extra_args,
            const std::vector<std::string>& environment = {});
  ~ApiServer();
  bool running() const { return port_ > 0; }
  int port() const { return port_; }
  // SIGTERM, then the exit code.
  int Stop();
  // Sends `signal` and returns at once.
  void Signal(int signal);
  // Waits for the server to end by itself; the exit code (128 + signal when killed).
  int Wait();
  std::string Log() const;

  HttpReply Call(const HttpCall& call) const;
  HttpReply Get(const std::string& path, const std::string& token) const;
  HttpReply Post(const std::string& path, const nlohmann::json& body,
                 const std::string& token) const;
  HttpReply Patch(const std::string& path, const nlohmann::json& body, const std::string& token,
                  const std::string& if_match = "") const;
  HttpReply Delete(const std::string& path, const std::string& token,
                   const std::string& if_match = "") const;
  // Signs in and returns the token ("" on failure).
  std::string Login(const std::string& email, const std::string& password = "rapport-demo") const;

 private:
  std::unique_ptr<RunningCommand> process_;
  std::string out_path_;
  int port_ = 0;
};

}  // namespace rapport::testing
