#include "support/api_server.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <regex>

namespace rapport::testing {
namespace {

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t Header(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

}  // namespace

nlohmann::json HttpReply::Json() const {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << body.substr(0, 300);
  return parsed;
}

std::string HttpReply::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

ApiServer::ApiServer(const std::string& db_url) : ApiServer(db_url, {}, {}) {}

ApiServer::ApiServer(const std::string& db_url, const std::vector<std::string>& extra_args,
                     const std::vector<std::string>& environment) {
  std::vector<std::string> argv;
  if (!environment.empty()) {
    argv.push_back("/usr/bin/env");
    argv.insert(argv.end(), environment.begin(), environment.end());
  }
  for (const char* a : {RAPPORT_BINARY, "serve", "--db"}) argv.push_back(a);
  argv.push_back(db_url);
  for (const char* a : {"--listen", "127.0.0.1:0", "--threads", "2"}) argv.push_back(a);
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<RunningCommand>(argv);
  // The address is printed on stdout; stderr carries the access log.
  for (int i = 0; i < 300 && port_ == 0; ++i) {
    std::smatch m;
    const std::string out = process_->Out();
    static const std::regex address(R"(at http://127\.0\.0\.1:([0-9]+)/)");
    if (std::regex_search(out, m, address)) {
      port_ = std::stoi(m[1]);
      break;
    }
    if (process_->Exited()) break;
    usleep(50'000);
  }
  EXPECT_GT(port_, 0) << "rapport serve did not start: " << process_->Err();
}

ApiServer::~ApiServer() {
  if (process_) Stop();
}

int ApiServer::Stop() {
  if (!process_) return -1;
  process_->Kill(SIGTERM);
  const int code = process_->Wait();
  port_ = 0;
  return code;
}

void ApiServer::Signal(int signal) {
  if (process_) process_->Kill(signal);
}

int ApiServer::Wait() {
  if (!process_) return -1;
  const int code = process_->Wait();
  port_ = 0;
  return code;
}

std::string ApiServer::Log() const { return process_ ? process_->Err() : ""; }

HttpReply ApiServer::Call(const HttpCall& call) const {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + call.path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (call.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);  // no body follows
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, testing::Header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_slist* headers = nullptr;
  if (!call.token.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + call.token).c_str());
  if (!call.body.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + call.content_type).c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(call.body.size()));
  }
  for (const auto& [k, v] : call.headers)
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode rc = curl_easy_perform(curl);
  if (!call.may_fail) {
    EXPECT_EQ(rc, CURLE_OK) << call.method << " " << call.path << ": " << curl_easy_strerror(rc);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

HttpReply ApiServer::Get(const std::string& path, const std::string& token) const {
  return Call({"GET", path, "", token});
}

HttpReply ApiServer::Post(const std::string& path, const nlohmann::json& body,
                          const std::string& token) const {
  return Call({"POST", path, body.dump(), token});
}

HttpReply ApiServer::Patch(const std::string& path, const nlohmann::json& body,
                           const std::string& token, const std::string& if_match) const {
  HttpCall call{"PATCH", path, body.dump(), token};
  if (!if_match.empty()) call.headers["If-Match"] = if_match;
  return Call(call);
}

HttpReply ApiServer::Delete(const std::string& path, const std::string& token,
                            const std::string& if_match) const {
  HttpCall call{"DELETE", path, "", token};
  if (!if_match.empty()) call.headers["If-Match"] = if_match;
  return Call(call);
}

std::string ApiServer::Login(const std::string& email, const std::string& password) const {
  const auto reply = Post("/api/v1/auth/login", {{"email", email}, {"password", password}}, "");
  if (reply.status != 200) return "";
  return reply.Json().value("token", "");
}

void ExpectProblem(const HttpReply& reply, long status, const std::string& field) {
  EXPECT_EQ(reply.status, status) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "application/problem+json") << reply.body;
  const nlohmann::json problem = reply.Json();
  EXPECT_EQ(problem["status"], status);
  EXPECT_TRUE(problem.contains("type") && problem.contains("title")) << reply.body;
  if (!field.empty()) {
    bool named = false;
    for (const auto& e : problem.value("errors", nlohmann::json::array())) {
      named |= e["field"] == field;
    }
    EXPECT_TRUE(named) << "no error names '" << field << "': " << reply.body;
  }
}

}  // namespace rapport::testing
