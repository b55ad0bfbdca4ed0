// The HTTP server: Boost.Beast over Asio, asynchronous, one io_context run by one thread per core,
// HTTP/1.1 keep-alive. It bounds header and body sizes, read and idle time, and connections; it
// logs one line per request; on SIGINT/SIGTERM it stops accepting, lets in-flight requests finish
// and returns from Run(). It knows nothing of Rapport's records: every request goes to the Router.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/router.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "server/web_app.hpp"

namespace rapport::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 0;            // 0: one per core
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds upload_timeout{600};  // reading the body of a route with its own limit
  std::chrono::seconds idle_timeout{75};
  int max_connections = 10'000;
  std::chrono::seconds shutdown_grace{10};
  // On SIGINT/SIGTERM: set `draining` (readiness reads it) and keep serving this long before
  // closing the listener, so that a load balancer stops sending first; a second signal stops at
  // once. 0: stop at once.
  std::chrono::seconds drain_delay{0};
  std::atomic<bool>* draining = nullptr;
  const WebApp* web_app = nullptr;  // what GET of any path outside /api/ serves; none: a note
  // Strict-Transport-Security on every response: only when browsers reach the server by HTTPS
  // (behind a proxy that ends TLS), never on plain HTTP.
  bool strict_transport = false;
  // GET /metrics (Prometheus' text format) answers those that send `Authorization: Bearer
  // <metrics_token>`; 404 to the rest, and to everyone when there is no token.
  std::string metrics_token;
  // More metrics, appended when scraped (the database's, the workers'); none when empty.
  std::function<void(std::string&)> more_metrics;
  // Each response's Date header reads this clock (the web app takes its "today" from it); none
  // without one.
  const Clock* clock = nullptr;
};

// Whether a request may read /metrics: with `Authorization: Bearer <token>`, and only when a
// token is set. Where a request comes from proves nothing: behind a proxy on the same machine
// every request comes from loopback.
bool MayReadMetrics(std::string_view authorization, std::string_view token);

// "127.0.0.1:8080" -> host and port; kInvalidArgument naming --listen otherwise.
Status ParseListen(const std::string& listen, ServerOptions& options);

// Serves the Router over HTTP (see above). Listen, port and Run from one thread (Run blocks it
// while serving); Stop from any thread.
class HttpServer {
 public:
  HttpServer(const api::Router& router, ServerOptions options);
  ~HttpServer();

  // Binds and listens; kUnavailable when the address is taken or cannot be bound.
  Status Listen();
  // The bound port (after Listen).
  std::uint16_t port() const;
  // Serves until Stop() or SIGINT/SIGTERM, then drains in-flight requests.
  void Run();
  void Stop();

  struct Impl;  // public only so that the connection sessions in the .cpp can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace rapport::server
