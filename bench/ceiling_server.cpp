// The ceiling: a minimal Boost.Beast server answering every request with a fixed 1 KB JSON, built
// the same way as rapport's server (one io_context per core, each run by one thread, keep-alive).
// What our routes reach is quoted as a fraction of what this reaches on the same machine.
#include <utility>  // before Asio (g++ 12, C++20)

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string Body() {
  std::string body = R"({"id":"42","name":"Leeds Teaching Hospitals NHS Trust","items":[)";
  while (body.size() < 1000) body += R"({"k":"value","n":12345},)";
  body.back() = ']';
  return body + "}";
}

const std::string kBody = Body();

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}
  void Read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) return;
                       self->Write();
                     });
  }

 private:
  void Write() {
    auto response = std::make_shared<http::response<http::string_body>>(http::status::ok, 11);
    response->set(http::field::content_type, "application/json");
    response->keep_alive(request_.keep_alive());
    response->body() = kBody;
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response](beast::error_code ec, std::size_t) {
                        if (!ec && response->keep_alive()) self->Read();
                      });
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
};

// One io_context per core, connections handed out round-robin (as rapport's server does).
void Accept(tcp::acceptor& acceptor, std::vector<std::unique_ptr<asio::io_context>>& contexts,
            std::size_t next) {
  acceptor.async_accept(*contexts[next % contexts.size()],
                        [&acceptor, &contexts, next](beast::error_code ec, tcp::socket socket) {
                          if (!ec) std::make_shared<Session>(std::move(socket))->Read();
                          Accept(acceptor, contexts, next + 1);
                        });
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned short port = argc > 1 ? static_cast<unsigned short>(std::stoi(argv[1])) : 18090;
  const int threads =
      argc > 2 ? std::stoi(argv[2]) : static_cast<int>(std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (int i = 0; i < threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    guards.push_back(asio::make_work_guard(*contexts.back()));
  }
  tcp::acceptor acceptor(*contexts[0], {asio::ip::make_address("127.0.0.1"), port});
  Accept(acceptor, contexts, 0);
  std::cout << "ceiling server on 127.0.0.1:" << port << std::endl;
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back([&, i] { contexts[i]->run(); });
  contexts[0]->run();
  for (auto& w : workers) w.join();
}
