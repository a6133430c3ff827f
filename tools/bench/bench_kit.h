// What every Kaizen benchmark shares (tools/bench/run.sh,
// services/gateway/bench): starting real server binaries on free ports,
// one gRPC connection per simulated client, a keep-alive HTTP client, the
// closed-loop measurement with blocking clients (one thread per client) and
// the statistics the reports print.
//
// The many-caller runs (64 and 256 callers) use the asynchronous generator
// in tools/bench/async_load.h instead, which keeps N calls in flight from a
// few threads so the client does not take the cores the server needs.
#ifndef KAIZEN_TOOLS_BENCH_BENCH_KIT_H_
#define KAIZEN_TOOLS_BENCH_BENCH_KIT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "common/testing/child_process.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace kaizen::bench {

using Clock = std::chrono::steady_clock;

// A fresh directory /tmp/kaizen-bench-XXXXXX (the benchmark's databases,
// logs and port files).
std::string TempDir();

// Starts a child (stderr to `log`); exits the benchmark with a message
// naming the log when it cannot start.
std::unique_ptr<testkit::ChildProcess> StartChild(std::vector<std::string> args,
                                                  const std::string& log,
                                                  const testkit::ChildProcess::Env& env = {});

// The port the child wrote to `file`; exits the benchmark (naming `what` and
// `log`) when the child dies or does not write it within 20 s.
int WaitForPort(testkit::ChildProcess& child, const std::string& file, const std::string& what,
                const std::string& log);

// A channel of its own to 127.0.0.1:port: a distinct channel argument per
// `index` and a local subchannel pool, so gRPC opens one TCP connection per
// simulated client instead of sharing one.
std::shared_ptr<grpc::Channel> Channel(int port, int index);

// "gRPC <code>: <message>" of a failed call, for the benchmark's messages.
std::string DescribeStatus(const grpc::Status& s);

// VmRSS of a process in KiB (0 if unreadable).
int64_t RssKib(int pid);

// Statistics over samples (copies; sorts the copy).
double Median(std::vector<double> v);
double Percentile(std::vector<double> v, double p);  // p in [0, 1]

// A minimal keep-alive HTTP/1.1 client (synchronous Beast, TCP_NODELAY).
class HttpClient {
 public:
  explicit HttpClient(int port);
  // Status and body of one request; status 0 when the connection failed.
  std::pair<int, std::string> Send(boost::beast::http::verb verb, const std::string& target,
                                   const std::string& authorization,
                                   const std::string& body = "");

 private:
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// One example of what went wrong, kept for the report (thread-safe).
class ErrorNote {
 public:
  void Note(std::string error) {
    std::lock_guard<std::mutex> lock(mu_);
    last_ = std::move(error);
  }
  std::string Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(last_, std::string());
  }

 private:
  std::mutex mu_;
  std::string last_;
};

// The outcome of one measurement: answers that were right (with their
// latencies) and answers that were not (errors never count as throughput).
struct LoadResult {
  int64_t ok = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<double> latencies_us;  // of the right answers
  std::string example_error;         // one error, for the report
  // CPU time (user + system) per right answer of each process involved,
  // e.g. {"enrollment", 45.2}: its CPU from before the measurement starts
  // (set-up and warm-up included) to after it ends, divided by the right
  // answers scaled to warm-up plus window (ok * (warmup + seconds) /
  // seconds): an estimate, within a few per cent when set-up is short and
  // the warm-up runs at the window's rate; kaizen_bench fills it.
  std::vector<std::pair<std::string, double>> cpu_us_per_call;
  double rps() const { return seconds > 0 ? ok / seconds : 0; }
  double p50_us() const { return Percentile(latencies_us, 0.5); }
  double p99_us() const { return Percentile(latencies_us, 0.99); }
};

// Drives one measurement window of a closed-loop generator: `warmup`
// seconds with `phase` 0, then `seconds` with phase 1 (calls started and
// finished in it count), then phase 2 (stop). Returns the measured length.
inline double RunWindow(std::atomic<int>& phase, double warmup, double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  const auto begin = Clock::now();
  phase = 1;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  phase = 2;
  return std::chrono::duration<double>(Clock::now() - begin).count();
}

// Closed loop with blocking clients: `threads` threads each call `call()`
// again as soon as it returns, for `warmup` then `seconds` seconds; only
// calls started and finished inside the measured window count.
// `make(thread_index)` builds each thread's call, a callable returning true
// when the answer was right and false otherwise (after `note(error)` if it
// wants an example in the report).
template <typename MakeFn>
LoadResult MeasureBlocking(int threads, double warmup, double seconds, MakeFn make);

// ---------------------------------------------------------------- details

template <typename MakeFn>
LoadResult MeasureBlocking(int threads, double warmup, double seconds, MakeFn make) {
  std::vector<std::vector<double>> latencies(threads);
  std::vector<int64_t> errors(threads, 0);
  std::atomic<int> phase{0};  // 0 warm-up, 1 measure, 2 stop
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto call = make(t);
      latencies[t].reserve(1 << 16);
      while (phase.load(std::memory_order_relaxed) < 2) {
        const int p = phase.load(std::memory_order_relaxed);
        const auto start = Clock::now();
        const bool ok = call();
        const double us = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
        if (p == 1 && phase.load(std::memory_order_relaxed) == 1) {
          if (ok) {
            latencies[t].push_back(us);
          } else {
            ++errors[t];
          }
        }
      }
    });
  }
  LoadResult r;
  r.seconds = RunWindow(phase, warmup, seconds);
  for (auto& w : workers) w.join();
  for (int t = 0; t < threads; ++t) {
    r.latencies_us.insert(r.latencies_us.end(), latencies[t].begin(), latencies[t].end());
    r.errors += errors[t];
  }
  r.ok = static_cast<int64_t>(r.latencies_us.size());
  return r;
}

}  // namespace kaizen::bench

#endif  // KAIZEN_TOOLS_BENCH_BENCH_KIT_H_
