#include "server/http_server.hpp"

#include <utility>  // before Asio (g++ 12, C++20)

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <random>
#include <thread>
#include <vector>

#include "api/problem.hpp"
#include "core/metrics.hpp"
#include "server/access_log.hpp"

namespace rapport::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Status ParseListen(const std::string& listen, ServerOptions& options) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error::InvalidField("--listen", "'" + listen + "' is not HOST:PORT");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Error::InvalidField("--listen", "'" + port_text + "' is not a port (0-65535)");
  }
  boost::system::error_code bad;
  asio::ip::make_address(host, bad);
  if (bad && host != "localhost") {
    return Error::InvalidField("--listen", "'" + host + "' is not an IP address");
  }
  options.host = host == "localhost" ? "127.0.0.1" : host;
  options.port = static_cast<std::uint16_t>(port);
  return Ok();
}

bool MayReadMetrics(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (token.empty() || authorization.size() != kBearer.size() + token.size() ||
      !authorization.starts_with(kBearer)) {
    return false;
  }
  // Compared without stopping at the first difference: a guesser learns nothing from the time.
  unsigned char differ = 0;
  for (std::size_t i = 0; i < token.size(); ++i) {
    differ |= static_cast<unsigned char>(authorization[kBearer.size() + i] ^ token[i]);
  }
  return differ == 0;
}

namespace {

// Into the request metrics: by method (those HTTP defines; any other is "other"), route
// pattern (a bounded set: the router's patterns and a few names in brackets) and status.
void RecordRequest(std::string_view method, std::string_view route, int status, double seconds) {
  static constexpr std::string_view kMethods[] = {"GET",    "HEAD",    "POST",    "PUT",  "PATCH",
                                                  "DELETE", "OPTIONS", "CONNECT", "TRACE"};
  if (std::find(std::begin(kMethods), std::end(kMethods), method) == std::end(kMethods)) {
    method = "other";
  }
  thread_local std::string labels;  // no allocation once it has grown
  labels.assign("method=\"").append(method).append("\",");
  metrics::AppendLabel(labels, "route", route);
  char digits[8];
  const auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), status);
  labels.append(",status=\"").append(digits, end).append("\"");
  metrics::HttpRequests().Observe(labels, seconds);
}

std::string_view AsView(boost::beast::string_view text) { return {text.data(), text.size()}; }

// The Date header for now: formatted once a second per thread.
const std::string& HttpDate(const Clock& clock) {
  thread_local std::int64_t second = -1;
  thread_local std::string text;
  const std::int64_t now = clock.Now() / kMicrosPerSecond;
  if (now != second) {
    second = now;
    text = FormatHttpDate(now * kMicrosPerSecond);
  }
  return text;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(const api::Router& router, ServerOptions options)
      : router(router),
        options(std::move(options)),
        ioc(1),
        acceptor(ioc),
        signals(ioc, SIGINT, SIGTERM),
        grace_timer(ioc),
        drain_timer(ioc),
        delay_timer(ioc) {
    std::random_device device;
    id_prefix = device();
  }

  const api::Router& router;
  ServerOptions options;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::steady_timer grace_timer;
  asio::steady_timer drain_timer;
  asio::steady_timer delay_timer;  // --drain-seconds after the signal
  // One io_context per core, each run by one thread: connections are handed out round-robin and
  // stay on their context, so no strand and no cross-thread wake-ups are needed. The first is
  // `ioc`, which also runs the acceptor, signals and timers.
  std::vector<std::unique_ptr<asio::io_context>> more_contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::size_t next_context = 0;
  std::atomic<bool> stopping{false};
  std::atomic<int> connections{0};
  std::atomic<std::uint64_t> next_request{0};
  std::uint32_t id_prefix = 0;

  // 24 hex digits: this process's random prefix, then a counter.
  std::string NextRequestId() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(24, '0');
    std::uint64_t n = next_request.fetch_add(1);
    for (int i = 23; i >= 8; --i, n >>= 4) id[i] = kHex[n & 15];
    std::uint32_t p = id_prefix;
    for (int i = 7; i >= 0; --i, p >>= 4) id[i] = kHex[p & 15];
    return id;
  }

  // The web app to serve: the options', or none (a page saying so).
  const WebApp& web_app() const {
    static const WebApp kNone;
    return options.web_app ? *options.web_app : kNone;
  }

  // GET /metrics: with the metrics token; 404 to anyone else (as if there were none).
  api::Response Metrics(const api::Request& request) const {
    if (!MayReadMetrics(request.authorization, options.metrics_token)) {
      return api::ProblemResponse(api::TransportProblem::kNoSuchRoute, "no such page", request);
    }
    api::Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.headers.emplace_back("Cache-Control", "no-store");
    std::string& out = response.body;
    metrics::WriteHeader(out, "rapport_http_request_duration_seconds", "histogram",
                         "Requests answered, by method, route pattern and status");
    for (const auto& [labels, histogram] : metrics::HttpRequests().Collect()) {
      metrics::WriteHistogram(out, "rapport_http_request_duration_seconds", labels, histogram);
    }
    metrics::WriteHeader(out, "rapport_http_connections", "gauge", "Connections open now");
    metrics::WriteSample(out, "rapport_http_connections", "", connections.load());
    if (options.more_metrics) options.more_metrics(out);
    return response;
  }

  asio::io_context& NextContext() {
    const std::size_t i = next_context++ % (more_contexts.size() + 1);
    return i == 0 ? ioc : *more_contexts[i - 1];
  }
  void StopAll() {
    keep_running.clear();
    ioc.stop();
    for (auto& c : more_contexts) c->stop();
  }

  std::size_t largest_body = 0;  // the largest body limit of any route (set by Run)

  void Accept();
  void OnSignal();
  void BeginShutdown();
  void WaitDrained();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    server_->connections.fetch_add(1);
    boost::system::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }
  ~Session() { server_->connections.fetch_sub(1); }

  void Start() { Read(true); }

 private:
  // One access-log line; the first line of a thread's block sets a timer on this thread to
  // write the block out.
  template <typename... Args>
  void LogLine(fmt::format_string<Args...> format, Args&&... args) {
    fmt::memory_buffer line;
    fmt::format_to(std::back_inserter(line), format, std::forward<Args>(args)...);
    if (AccessLog::Record(std::string_view(line.data(), line.size()))) {
      auto timer =
          std::make_shared<asio::steady_timer>(stream_.get_executor(), AccessLog::kFlushAfter);
      timer->async_wait([timer](beast::error_code) { AccessLog::FlushThisThread(); });
    }
  }

  void Read(bool first) {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.header_limit));
    parser_->body_limit(server_->largest_body);
    stream_.expires_after(first ? server_->options.read_timeout : server_->options.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // A route may take a larger body than the server's limit (a file upload): the header says
  // which route, then the body is read.
  void OnHeader(beast::error_code ec, std::size_t) {
    limit_ = server_->options.body_limit;
    if (!ec && !parser_->is_done()) {
      const auto raw_target = parser_->get().target();
      const std::string_view target(raw_target.data(), raw_target.size());
      const std::string_view path = target.substr(0, target.find('?'));
      if (path.starts_with("/api/")) {
        const auto method = parser_->get().method_string();
        const std::size_t own =
            server_->router.BodyLimit(std::string_view(method.data(), method.size()), path);
        if (own > 0) limit_ = own;
      }
    }
    if (ec == http::error::header_limit) limit_ = server_->options.header_limit;
    if (!ec && !parser_->is_done()) {
      const auto declared = parser_->content_length();
      if (declared && *declared > limit_) ec = http::error::body_limit;
    }
    if (ec || parser_->is_done()) return OnRead(ec, 0);  // most requests have no body
    parser_->body_limit(limit_);
    if (limit_ > server_->options.body_limit) {
      stream_.expires_after(server_->options.upload_timeout);
    }
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
      return Close();
    }
    const auto started = std::chrono::steady_clock::now();
    api::Request request;
    request.request_id = server_->NextRequestId();
    request.remote_address = remote_;
    if (ec) {
      // The request could not be read whole: answer once, then close.
      const bool too_large = ec == http::error::body_limit || ec == http::error::header_limit;
      api::Response problem = api::ProblemResponse(
          too_large ? api::TransportProblem::kPayloadTooLarge : api::TransportProblem::kBadRequest,
          too_large ? "the limit is " + std::to_string(limit_) + " bytes" : ec.message(), request);
      return Send(std::move(problem), false, "-", "(unreadable)", started, request.request_id);
    }
    auto& message = parser_->get();
    request.method = std::string(message.method_string());
    const std::string target(message.target());
    const auto question = target.find('?');
    bool readable = api::PercentDecode(target.substr(0, question), request.path, false);
    if (question != std::string::npos) {
      readable =
          readable && api::ParseQuery(std::string_view(target).substr(question + 1), request.query);
    }
    request.body = std::move(message.body());
    request.content_type = std::string(message[http::field::content_type]);
    request.authorization = std::string(message[http::field::authorization]);
    request.if_match = std::string(message[http::field::if_match]);
    request.cookie = std::string(message[http::field::cookie]);
    request.csrf_token = std::string(message["X-CSRF-Token"]);
    const bool keep_alive = message.keep_alive() && !server_->stopping.load();
    std::string route;
    api::Response response;
    if (!readable) {
      route = "(bad target)";
      response = api::ProblemResponse(api::TransportProblem::kBadRequest,
                                      "the URL has a malformed %-escape", request);
    } else if (request.path.starts_with("/api/")) {
      response = server_->router.Dispatch(request, route);
    } else if (request.path == "/metrics" &&
               (request.method == "GET" || request.method == "HEAD")) {
      route = "/metrics";
      response = server_->Metrics(request);
    } else if (request.method == "GET" || request.method == "HEAD") {
      route = "(web app)";
      response =
          server_->web_app().Serve({request.path, AsView(message[http::field::accept_encoding]),
                                    AsView(message[http::field::if_none_match])});
    } else {
      route = "(no route)";
      response = api::ProblemResponse(api::TransportProblem::kMethodNotAllowed,
                                      "only GET serves the web app", request);
    }
    Send(std::move(response), keep_alive, request.method, route, started, request.request_id);
  }

  void Send(api::Response response, bool keep_alive, const std::string& method,
            const std::string& route, std::chrono::steady_clock::time_point started,
            const std::string& request_id) {
    auto out = std::make_shared<http::response<http::string_body>>();
    out->version(11);
    out->result(static_cast<http::status>(response.status));
    out->set(http::field::server, "rapport");
    if (server_->options.clock) out->set(http::field::date, HttpDate(*server_->options.clock));
    if (!response.content_type.empty()) out->set(http::field::content_type, response.content_type);
    out->set("X-Request-Id", request_id);
    out->set("X-Content-Type-Options", "nosniff");
    out->set("Referrer-Policy", "no-referrer");
    if (server_->options.strict_transport) {
      out->set(http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
    }
    for (auto& [name, value] : response.headers) out->set(name, value);
    if (response.stream) {
      return SendStream(std::move(response.stream), out, keep_alive, method, route, started,
                        request_id);
    }
    // HEAD: the header GET would send, Content-Length included, and no body.
    const bool head = method == "HEAD";
    const std::size_t length = response.body.size();
    if (!head) out->body() = std::move(response.body);
    out->keep_alive(keep_alive);
    out->prepare_payload();
    if (head && response.status >= 200 && response.status != 204 && response.status != 304) {
      out->content_length(length);
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    LogLine("method={} route={} status={} duration_ms={:.3f} request_id={}", method, route,
            response.status, ms, request_id);
    RecordRequest(method, route, response.status, ms / 1000);
    http::async_write(
        stream_, *out,
        [self = shared_from_this(), out, keep_alive](beast::error_code ec, std::size_t) {
          if (ec || !keep_alive) return self->Close();
          self->Read(false);
        });
  }

  // A body that comes piece by piece (an export): the header, then one chunk per piece, then
  // the last chunk. A piece that fails cuts the transfer short, so the client cannot take a
  // partial file for a whole one.
  void SendStream(api::BodyStream next, std::shared_ptr<http::response<http::string_body>> head,
                  bool keep_alive, const std::string& method, const std::string& route,
                  std::chrono::steady_clock::time_point started, const std::string& request_id) {
    head->chunked(true);
    head->keep_alive(keep_alive);
    LogLine("method={} route={} status={} streamed request_id={}", method, route,
            head->result_int(), request_id);
    RecordRequest(
        method, route, static_cast<int>(head->result_int()),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    auto serializer = std::make_shared<http::response_serializer<http::string_body>>(*head);
    auto stream = std::make_shared<api::BodyStream>(std::move(next));
    stream_.expires_after(server_->options.upload_timeout);
    http::async_write_header(stream_, *serializer,
                             [self = shared_from_this(), head, serializer, stream, keep_alive,
                              started, request_id](beast::error_code ec, std::size_t) {
                               if (ec) return self->Close();
                               self->NextChunk(stream, keep_alive, started, request_id);
                             });
  }

  void NextChunk(std::shared_ptr<api::BodyStream> stream, bool keep_alive,
                 std::chrono::steady_clock::time_point started, std::string request_id) {
    auto piece = std::make_shared<std::string>();
    Result<bool> more = true;
    while (more.ok() && *more && piece->empty()) more = (*stream)(*piece);
    if (!more.ok()) {
      spdlog::warn("streamed body cut short: {} request_id={}", more.error().message(), request_id);
      return Close();
    }
    stream_.expires_after(server_->options.upload_timeout);
    if (!*more && piece->empty()) {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count();
      LogLine("stream done duration_ms={:.3f} request_id={}", ms, request_id);
      return asio::async_write(
          stream_, http::make_chunk_last(),
          [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
            if (ec || !keep_alive) return self->Close();
            self->Read(false);
          });
    }
    const bool last = !*more;
    asio::async_write(stream_, http::make_chunk(asio::buffer(*piece)),
                      [self = shared_from_this(), piece, stream, keep_alive, started, request_id,
                       last](beast::error_code ec, std::size_t) {
                        if (ec) return self->Close();
                        if (last) *stream = [](std::string&) -> Result<bool> { return false; };
                        self->NextChunk(stream, keep_alive, started, request_id);
                      });
  }

  // Half-closes, then reads and discards what the client still sends (briefly), so that a client
  // still sending a refused body gets our answer rather than a reset.
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    stream_.expires_after(std::chrono::seconds(2));
    Discard();
  }

  void Discard() {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec) self->Discard();
                            });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::Impl> server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t limit_ = 0;
  std::string remote_;
  std::array<char, 4096> discard_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(
      NextContext(), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (ec) {
          if (self->stopping.load()) return;
          spdlog::warn("accept failed: {}", ec.message());
        } else if (self->connections.load() >= self->options.max_connections) {
          beast::error_code ignored;
          socket.close(ignored);  // over the cap: refuse rather than queue without bound
        } else {
          std::make_shared<Session>(std::move(socket), self)->Start();
        }
        self->Accept();
      });
}

// The first signal: not ready any more; with a drain delay, still serving until it passes (or a
// second signal comes), then the shutdown.
void HttpServer::Impl::OnSignal() {
  if (options.draining) options.draining->store(true);
  if (options.drain_delay.count() <= 0) return BeginShutdown();
  spdlog::info("stopping in {} s: readiness answers 503 meanwhile, requests are still served",
               options.drain_delay.count());
  delay_timer.expires_after(options.drain_delay);
  delay_timer.async_wait([this](beast::error_code) { BeginShutdown(); });
  signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) BeginShutdown();
  });
}

void HttpServer::Impl::BeginShutdown() {
  if (stopping.exchange(true)) return;
  if (options.draining) options.draining->store(true);
  delay_timer.cancel();
  spdlog::info("shutting down: no new connections, finishing requests in flight");
  beast::error_code ec;
  acceptor.close(ec);
  signals.cancel(ec);
  // Idle keep-alive connections would hold Run() open: give in-flight work the grace period.
  grace_timer.expires_after(options.shutdown_grace);
  grace_timer.async_wait([this](beast::error_code) { StopAll(); });
  WaitDrained();
}

void HttpServer::Impl::WaitDrained() {
  // Once no connection is left, stop at once.
  if (connections.load() == 0) {
    StopAll();
    return;
  }
  drain_timer.expires_after(std::chrono::milliseconds(50));
  drain_timer.async_wait([this](beast::error_code ec) {
    if (!ec) WaitDrained();
  });
}

HttpServer::HttpServer(const api::Router& router, ServerOptions options)
    : impl_(std::make_shared<Impl>(router, std::move(options))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Listen() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec)
    return Error::InvalidField("--listen", "'" + impl_->options.host + "' is not an IP address");
  const tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorCode::kUnavailable, "cannot listen on " + impl_->options.host + ":" +
                                              std::to_string(impl_->options.port) + ": " +
                                              ec.message());
  }
  return Ok();
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Run() {
  // The parser checks a declared Content-Length against its limit as the header ends: it starts
  // from the largest any route takes, and OnHeader narrows it to the route's own.
  impl_->largest_body = impl_->options.body_limit;
  for (const api::Route& route : impl_->router.routes()) {
    impl_->largest_body = std::max(impl_->largest_body, route.body_limit);
  }
  impl_->signals.async_wait([impl = impl_.get()](beast::error_code ec, int) {
    if (!ec) impl->OnSignal();
  });
  impl_->Accept();
  int threads = impl_->options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 1; i < threads; ++i) {
    impl_->more_contexts.push_back(std::make_unique<asio::io_context>(1));
    impl_->keep_running.push_back(asio::make_work_guard(*impl_->more_contexts.back()));
  }
  std::vector<std::thread> workers;
  for (auto& context : impl_->more_contexts) {
    workers.emplace_back([c = context.get()] {
      c->run();
      AccessLog::FlushThisThread();
    });
  }
  impl_->ioc.run();
  AccessLog::FlushThisThread();
  impl_->StopAll();
  for (auto& w : workers) w.join();
}

void HttpServer::Stop() {
  asio::post(impl_->ioc, [impl = impl_.get()] { impl->BeginShutdown(); });
}

}  // namespace rapport::server
