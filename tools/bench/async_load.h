// The asynchronous load generator: N callers, each with one call in flight
// (closed loop: a caller's next call starts from the completion of its last
// one), driven by gRPC's callback client API, so 64 or 256 callers cost a
// few client threads instead of one thread each. Used on both sides of every
// ratio that compares two RPCs (tools/bench/kaizen_bench.cc).
//
//   auto r = AsyncClosedLoop<Cohort>(16, 1.0, 5.0,
//       [&](int caller, grpc::ClientContext* ctx, Cohort* out, Done done) {
//         stubs[caller]->async()->GetCohort(ctx, &request, out, std::move(done));
//       },
//       [](int, const grpc::Status& s, const Cohort& c, std::string* why) { ... });
//
// `start` must only begin the call (the callback API never blocks); `check`
// says whether an answer is right (status OK and the expected content, or
// an expected domain refusal) and, if not, why. Only calls that started and
// finished inside the measured window count.
#ifndef KAIZEN_TOOLS_BENCH_ASYNC_LOAD_H_
#define KAIZEN_TOOLS_BENCH_ASYNC_LOAD_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "tools/bench/bench_kit.h"

namespace kaizen::bench {

using Done = std::function<void(grpc::Status)>;

template <typename Resp>
using StartFn = std::function<void(int caller, grpc::ClientContext*, Resp*, Done)>;
template <typename Resp>
using CheckFn =
    std::function<bool(int caller, const grpc::Status&, const Resp&, std::string* why)>;

template <typename Resp>
LoadResult AsyncClosedLoop(int callers, double warmup, double seconds, StartFn<Resp> start,
                           CheckFn<Resp> check) {
  struct Call {
    grpc::ClientContext ctx;
    Resp resp;
    Clock::time_point begin;
    int phase = 0;
  };
  struct Caller {
    // The call in flight and the one before it: a finished call's context
    // is destroyed only when its successor finishes, never inside its own
    // completion callback.
    std::unique_ptr<Call> previous, current;
    std::vector<double> latencies_us;
    int64_t errors = 0;
    std::string example_error;
  };
  std::vector<Caller> state(callers);
  std::atomic<int> phase{0};  // 0 warm-up, 1 measure, 2 stop
  std::mutex mu;
  std::condition_variable all_done;
  int active = callers;

  std::function<void(int)> issue = [&](int i) {
    Caller& c = state[i];
    c.current = std::make_unique<Call>();
    Call* call = c.current.get();
    call->phase = phase.load();
    call->begin = Clock::now();
    start(i, &call->ctx, &call->resp, [&, i, call](grpc::Status status) {
      Caller& me = state[i];
      const double us =
          std::chrono::duration<double, std::micro>(Clock::now() - call->begin).count();
      std::string why;
      const bool ok = check(i, status, call->resp, &why);
      if (call->phase == 1 && phase.load() == 1) {
        if (ok) {
          me.latencies_us.push_back(us);
        } else {
          ++me.errors;
          me.example_error = std::move(why);
        }
      }
      me.previous = std::move(me.current);
      if (phase.load() < 2) {
        issue(i);
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      if (--active == 0) all_done.notify_all();
    });
  };
  for (int i = 0; i < callers; ++i) issue(i);
  LoadResult r;
  r.seconds = RunWindow(phase, warmup, seconds);
  {
    std::unique_lock<std::mutex> lock(mu);
    all_done.wait(lock, [&] { return active == 0; });
  }
  for (Caller& c : state) {
    r.latencies_us.insert(r.latencies_us.end(), c.latencies_us.begin(), c.latencies_us.end());
    r.errors += c.errors;
    if (!c.example_error.empty()) r.example_error = c.example_error;
  }
  r.ok = static_cast<int64_t>(r.latencies_us.size());
  return r;
}

// One burst: every call's context is prepared first (`prepare`, e.g. signed
// credentials), then all are started back to back from one thread (the
// start barrier: nothing is sent before every call is ready), then awaited. `visit(caller, status, resp)` sees every answer
// after all have arrived. Returns the wall time from the first start to the
// last answer, in seconds.
template <typename Resp>
double AsyncBurst(int callers, const std::function<void(int, grpc::ClientContext*)>& prepare,
                  StartFn<Resp> start,
                  const std::function<void(int, const grpc::Status&, const Resp&)>& visit) {
  struct Call {
    grpc::ClientContext ctx;
    Resp resp;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Call>> calls;
  for (int i = 0; i < callers; ++i) {
    calls.push_back(std::make_unique<Call>());
    prepare(i, &calls.back()->ctx);
  }
  std::mutex mu;
  std::condition_variable cv;
  int pending = callers;
  const auto begin = Clock::now();
  for (int i = 0; i < callers; ++i) {
    Call* call = calls[i].get();
    start(i, &call->ctx, &call->resp, [&, call](grpc::Status status) {
      call->status = std::move(status);
      std::lock_guard<std::mutex> lock(mu);
      if (--pending == 0) cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return pending == 0; });
  }
  const double wall = std::chrono::duration<double>(Clock::now() - begin).count();
  for (int i = 0; i < callers; ++i) visit(i, calls[i]->status, calls[i]->resp);
  return wall;
}

}  // namespace kaizen::bench

#endif  // KAIZEN_TOOLS_BENCH_ASYNC_LOAD_H_
