#include "tools/bench/bench_kit.h"

#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "boost/asio/connect.hpp"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace kaizen::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string DescribeStatus(const grpc::Status& s) {
  return absl::StrCat("gRPC ", s.error_code(), ": ", s.error_message());
}

std::string TempDir() {
  char pattern[] = "/tmp/kaizen-bench-XXXXXX";
  const char* dir = mkdtemp(pattern);
  if (dir == nullptr) {
    std::perror("bench: mkdtemp");
    std::exit(1);
  }
  return dir;
}

std::unique_ptr<testkit::ChildProcess> StartChild(std::vector<std::string> args,
                                                  const std::string& log,
                                                  const testkit::ChildProcess::Env& env) {
  auto child = testkit::ChildProcess::Start(std::move(args), env, log);
  if (!child.ok()) {
    std::fprintf(stderr, "bench: %s\n", std::string(child.status().message()).c_str());
    std::exit(1);
  }
  return std::move(*child);
}

int WaitForPort(testkit::ChildProcess& child, const std::string& file, const std::string& what,
                const std::string& log) {
  auto port = child.WaitForPortFile(file);
  if (!port.ok()) {
    std::fprintf(stderr, "bench: %s did not start (%s); see %s\n", what.c_str(),
                 std::string(port.status().message()).c_str(), log.c_str());
    std::exit(1);
  }
  return *port;
}

std::shared_ptr<grpc::Channel> Channel(int port, int index) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("kaizen.bench.client", index);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

int64_t RssKib(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view v = line;
    if (absl::ConsumePrefix(&v, "VmRSS:")) {
      v = absl::StripAsciiWhitespace(v);
      absl::ConsumeSuffix(&v, "kB");
      int64_t kib = 0;
      return absl::SimpleAtoi(absl::StripAsciiWhitespace(v), &kib) ? kib : 0;
    }
  }
  return 0;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  std::nth_element(v.begin(), v.begin() + i, v.end());
  return v[i];
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

HttpClient::HttpClient(int port) : socket_(ioc_) {
  socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  socket_.set_option(tcp::no_delay(true));
}

std::pair<int, std::string> HttpClient::Send(http::verb verb, const std::string& target,
                                             const std::string& authorization,
                                             const std::string& body) {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!authorization.empty()) req.set(http::field::authorization, authorization);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  http::write(socket_, req, ec);
  if (ec) return {0, ""};
  http::response<http::string_body> res;
  http::read(socket_, buffer_, res, ec);
  if (ec) return {0, ""};
  return {static_cast<int>(res.result_int()), std::move(res.body())};
}

}  // namespace kaizen::bench
