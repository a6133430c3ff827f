// The threading model end to end: real servers on port 0, real stubs, the
// Echo service built like every Kaizen service (test_echo.h).
#include "common/server/unary_call.h"

#include <chrono>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "common/server/server.h"
#include "common/server/test_echo.h"
#include "common/server/testdata/echo.grpc.pb.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"

namespace kaizen::server {
namespace unary_call_test {

using kaizen::testing::EchoRequest;
using kaizen::testing::EchoResponse;
using kaizen::testing::EchoService;

constexpr char kSecret[] = "test-internal-secret-0123456789";

// One call in flight on its own channel: started now, answered later.
struct PendingCall {
  grpc::ClientContext context;
  EchoRequest request;
  EchoResponse response;
  grpc::Status status;
  absl::Notification done;
};

class UnaryCallTest : public ::testing::Test {
 protected:
  void Start(int threads, int max_queued) {
    ServerOptions options;
    options.service_name = "echo";
    options.listen_address = "127.0.0.1:0";
    options.handler_threads = threads;
    options.max_queued_calls = max_queued;
    auto server = GrpcServer::Start(options, {{EchoService::service_full_name(), &service_}},
                                    [](const std::string&) {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = EchoService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<PendingCall> StartCall(
      const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(60),
      bool submit = false, bool with_principal = true) {
    auto call = std::make_unique<PendingCall>();
    call->context.set_deadline(std::chrono::system_clock::now() + timeout);
    if (with_principal) AttachPrincipal(auth::ServicePrincipal("test"), signer_, &call->context);
    call->request.set_text(text);
    PendingCall* raw = call.get();
    auto done = [raw](grpc::Status s) {
      raw->status = std::move(s);
      raw->done.Notify();
    };
    if (submit) {
      stub_->async()->Submit(&raw->context, &raw->request, &raw->response, done);
    } else {
      stub_->async()->Echo(&raw->context, &raw->request, &raw->response, done);
    }
    return call;
  }

  std::unique_ptr<PendingCall> StartSubmit(const std::string& text, bool with_principal = true) {
    return StartCall(text, std::chrono::seconds(60), /*submit=*/true, with_principal);
  }

  // Waits (no sleeps) until `n` Submit calls are pending in the domain.
  void AwaitPendingSubmits(int n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (service_.state.PendingSubmits() != n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    ASSERT_EQ(service_.state.PendingSubmits(), n);
  }

  // Waits until exactly `n` calls are queued (the executor's own count; no
  // sleeps) and `holding` calls are inside the domain. The queue passes
  // through larger counts while workers have not yet taken their calls, so
  // "at least n" is not a settled state.
  void AwaitQueued(int64_t n, int holding = -1) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    const auto settled = [&] {
      return Queued() == n && (holding < 0 || service_.state.holding.load() == holding);
    };
    while (!settled() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_EQ(Queued(), n);
    if (holding >= 0) {
      ASSERT_EQ(service_.state.holding.load(), holding);
    }
  }

  int64_t Queued() {
    // The executor is the server's; its gauge is what operators see too.
    const std::string text = server_->metrics().RenderPrometheus();
    const std::string key = "\nkaizen_grpc_server_queued_calls ";
    const size_t at = text.find(key);
    if (at == std::string::npos) return -1;
    return std::stoll(text.substr(at + key.size()));
  }

  auth::PrincipalSigner signer_{kSecret};
  TestEcho service_{&signer_};
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<EchoService::Stub> stub_;
};

// 64 callers at once on 2 handler threads: 2 run, 62 wait, none is refused.
TEST_F(UnaryCallTest, SixtyFourCallersOnTwoThreadsAreAllServed) {
  Start(/*threads=*/2, /*max_queued=*/128);
  std::vector<std::unique_ptr<PendingCall>> calls;
  for (int i = 0; i < 64; ++i) calls.push_back(StartCall("hold"));
  AwaitQueued(62, /*holding=*/2);
  service_.release.Notify();
  for (auto& call : calls) {
    call->done.WaitForNotification();
    EXPECT_TRUE(call->status.ok()) << call->status.error_message();
    EXPECT_EQ(call->response.text(), "hold");
  }
  EXPECT_EQ(service_.state.runs.load(), 64);
}

// Past the documented bound the answer is RESOURCE_EXHAUSTED with retry
// advice, at once, and the refused call never runs.
TEST_F(UnaryCallTest, PastTheQueueBoundTheCallIsRefusedWithRetryAdvice) {
  Start(/*threads=*/1, /*max_queued=*/2);
  auto running = StartCall("hold");
  service_.entered.WaitForNotification();
  auto queued1 = StartCall("a");
  auto queued2 = StartCall("b");
  AwaitQueued(2);
  auto refused = StartCall("c");
  refused->done.WaitForNotification();
  EXPECT_EQ(refused->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const absl::Status status = FromGrpcStatus(refused->status);
  EXPECT_EQ(errors::Reason(status), kServerOverloaded);
  auto info = errors::GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("retry_after_seconds"), "1");
  auto retry = errors::GetRetryInfo(status);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 1);
  service_.release.Notify();
  for (auto* call : {running.get(), queued1.get(), queued2.get()}) {
    call->done.WaitForNotification();
    EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  }
  EXPECT_EQ(service_.state.runs.load(), 3);  // "c" never ran
  EXPECT_NE(server_->metrics().RenderPrometheus().find("\nkaizen_grpc_server_overloaded_total 1\n"),
            std::string::npos);
}

// A call whose caller gave up while it waited is not run.
TEST_F(UnaryCallTest, ACallPastItsDeadlineWhileQueuedDoesNotRun) {
  Start(/*threads=*/1, /*max_queued=*/8);
  auto running = StartCall("hold");
  service_.entered.WaitForNotification();
  constexpr auto kLateTimeout = std::chrono::milliseconds(200);
  auto late = StartCall("late", kLateTimeout);
  AwaitQueued(1);
  // The server received "late" by now, so its own deadline for it (receipt
  // time + the timeout the client sent) is at most kLateTimeout from here. The
  // client's deadline can fire first (CI saw "late" run when the worker was
  // released at once): release only once the server's has passed too. A
  // wait for a clock condition the server checks, not a sleep.
  const auto server_deadline_by =
      std::chrono::system_clock::now() + kLateTimeout + std::chrono::milliseconds(50);
  late->done.WaitForNotification();  // the client's deadline fires
  EXPECT_EQ(late->status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  while (std::chrono::system_clock::now() < server_deadline_by) std::this_thread::yield();
  service_.release.Notify();
  running->done.WaitForNotification();
  EXPECT_TRUE(running->status.ok());
  // "late" reached the worker only after its deadline: answered, not run.
  auto after = StartCall("after");
  after->done.WaitForNotification();
  EXPECT_TRUE(after->status.ok());
  EXPECT_EQ(service_.state.runs.load(), 2);  // "hold" and "after"
}

// An asynchronous write (KAIZEN_DEFINE_WRITE_RPC) holds no worker: while the
// only worker is busy, writes reach the domain, and each is answered when the
// domain calls its completion, from another thread. Its errors and the
// principal check are the same as on the executor.
TEST_F(UnaryCallTest, AWriteHoldsNoWorkerAndIsAnsweredFromAnotherThread) {
  Start(/*threads=*/1, /*max_queued=*/8);
  auto running = StartCall("hold");
  service_.entered.WaitForNotification();
  std::vector<std::unique_ptr<PendingCall>> writes;
  for (int i = 0; i < 5; ++i) writes.push_back(StartSubmit(absl::StrCat("w", i)));
  AwaitPendingSubmits(5);
  auto bad = StartSubmit("bad");
  bad->done.WaitForNotification();
  EXPECT_EQ(bad->status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(bad->status)), "BAD_TEXT");
  auto anonymous = StartSubmit("nobody", /*with_principal=*/false);
  anonymous->done.WaitForNotification();
  EXPECT_EQ(anonymous->status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(service_.state.submits.load(), 6);  // the anonymous one never reached it
  std::thread writer([&] { service_.state.FinishSubmits(); });
  writer.join();
  for (int i = 0; i < 5; ++i) {
    writes[i]->done.WaitForNotification();
    EXPECT_TRUE(writes[i]->status.ok()) << writes[i]->status.error_message();
    EXPECT_EQ(writes[i]->response.text(), absl::StrCat("w", i));
  }
  service_.release.Notify();
  running->done.WaitForNotification();
  EXPECT_TRUE(running->status.ok());
}

// Asynchronous writes share the executor's bound (threads + max_queued):
// past it a write is refused SERVER_OVERLOADED at once and never reaches the
// domain; a slot frees when a write is answered.
TEST_F(UnaryCallTest, PastTheBoundAnAsynchronousWriteIsRefused) {
  Start(/*threads=*/1, /*max_queued=*/1);
  auto first = StartSubmit("a");
  auto second = StartSubmit("b");
  AwaitPendingSubmits(2);
  auto refused = StartSubmit("c");
  refused->done.WaitForNotification();
  EXPECT_EQ(refused->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(errors::Reason(FromGrpcStatus(refused->status)), kServerOverloaded);
  EXPECT_EQ(service_.state.submits.load(), 2);
  service_.state.FinishSubmits();
  first->done.WaitForNotification();
  second->done.WaitForNotification();
  EXPECT_TRUE(first->status.ok());
  EXPECT_TRUE(second->status.ok());
  auto later = StartSubmit("d");
  AwaitPendingSubmits(1);
  service_.state.FinishSubmits();
  later->done.WaitForNotification();
  EXPECT_TRUE(later->status.ok()) << later->status.error_message();
}

// One budget for both kinds: a call on the worker and an asynchronous write
// fill threads + max_queued = 2, so a third call of either kind is refused.
TEST_F(UnaryCallTest, WorkersAndAsynchronousWritesShareOneBound) {
  Start(/*threads=*/1, /*max_queued=*/1);
  auto running = StartCall("hold");
  service_.entered.WaitForNotification();
  auto write = StartSubmit("w");
  AwaitPendingSubmits(1);
  auto refused_write = StartSubmit("x");
  auto refused_call = StartCall("y");
  for (auto* refused : {refused_write.get(), refused_call.get()}) {
    refused->done.WaitForNotification();
    EXPECT_EQ(errors::Reason(FromGrpcStatus(refused->status)), kServerOverloaded);
  }
  service_.state.FinishSubmits();
  service_.release.Notify();
  write->done.WaitForNotification();
  running->done.WaitForNotification();
  EXPECT_TRUE(write->status.ok());
  EXPECT_TRUE(running->status.ok());
}

// A write whose completion is dropped without being called (an exception on
// its way, say) is still answered, INTERNAL, and frees its slot: more such
// writes than the bound are all answered, none SERVER_OVERLOADED.
TEST_F(UnaryCallTest, ADroppedWriteIsAnsweredAndFreesItsSlot) {
  Start(/*threads=*/1, /*max_queued=*/1);
  for (int i = 0; i < 5; ++i) {
    auto dropped = StartSubmit("drop");
    dropped->done.WaitForNotification();
    EXPECT_EQ(dropped->status.error_code(), grpc::StatusCode::INTERNAL) << i;
  }
  auto after = StartSubmit("after");
  AwaitPendingSubmits(1);
  service_.state.FinishSubmits();
  after->done.WaitForNotification();
  EXPECT_TRUE(after->status.ok()) << after->status.error_message();
}

// A read (KAIZEN_DEFINE_READ_RPC) runs on gRPC's thread: it is answered
// while the only worker is busy and the executor's queue is full (when a
// write would be refused), and it goes through the same principal check.
TEST_F(UnaryCallTest, ReadsAreServedWhileEveryWorkerIsBusyAndTheQueueIsFull) {
  Start(/*threads=*/1, /*max_queued=*/1);
  auto running = StartCall("hold");
  service_.entered.WaitForNotification();
  auto queued = StartCall("a");
  AwaitQueued(1);
  {
    grpc::ClientContext context;
    AttachPrincipal(auth::ServicePrincipal("test"), signer_, &context);
    EchoRequest request;
    request.set_text("改善");
    EchoResponse response;
    const grpc::Status status = stub_->Peek(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.text(), "改善");
  }
  {
    grpc::ClientContext unsigned_context;  // no principal: refused before the domain
    EchoRequest request;
    EchoResponse response;
    EXPECT_EQ(stub_->Peek(&unsigned_context, request, &response).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(service_.state.peeks.load(), 1);
  auto refused = StartCall("c");  // a write, meanwhile, is past the bound
  refused->done.WaitForNotification();
  EXPECT_EQ(refused->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  service_.release.Notify();
  for (auto* call : {running.get(), queued.get()}) {
    call->done.WaitForNotification();
    EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  }
}

// Fields this server does not know are dropped before the domain sees the
// request, on all three paths (worker, inline read, asynchronous write).
TEST_F(UnaryCallTest, UnknownFieldsNeverReachTheDomain) {
  Start(/*threads=*/1, /*max_queued=*/8);
  EchoRequest request;
  request.set_text("改善");
  auto* unknown = request.GetReflection()->MutableUnknownFields(&request);
  unknown->AddVarint(99, 7);
  unknown->AddLengthDelimited(100, std::string(1000, 'x'));
  ASSERT_FALSE(request.GetReflection()->GetUnknownFields(request).empty());
  for (int method = 0; method < 2; ++method) {
    grpc::ClientContext context;
    AttachPrincipal(auth::ServicePrincipal("test"), signer_, &context);
    EchoResponse response;
    const grpc::Status status = method == 0 ? stub_->Echo(&context, request, &response)
                                            : stub_->Peek(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.text(), "改善");
  }
  grpc::ClientContext context;
  AttachPrincipal(auth::ServicePrincipal("test"), signer_, &context);
  EchoResponse response;
  grpc::Status status;
  absl::Notification done;
  stub_->async()->Submit(&context, &request, &response, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  AwaitPendingSubmits(1);
  service_.state.FinishSubmits();
  done.WaitForNotification();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(service_.state.runs.load() + service_.state.peeks.load() +
                service_.state.submits.load(),
            3);
  EXPECT_EQ(service_.state.unknown_fields.load(), 0);
}

// A read that would wait (every reader connection taken) does not wait on
// gRPC's thread: the same call runs again on the executor, and answers
// normally; with the executor's queue full it is refused like a write.
TEST_F(UnaryCallTest, AReadThatWouldWaitMovesToTheExecutor) {
  Start(/*threads=*/1, /*max_queued=*/1);
  const auto peek = [&](const std::string& text) {
    grpc::ClientContext context;
    AttachPrincipal(auth::ServicePrincipal("test"), signer_, &context);
    EchoRequest request;
    request.set_text(text);
    EchoResponse response;
    const grpc::Status status = stub_->Peek(&context, request, &response);
    return std::make_pair(status, response.text());
  };
  auto [status, text] = peek("busy");
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(text, "busy");
  EXPECT_EQ(service_.state.peeks.load(), 2);  // inline, gave up; then the worker
  auto running = StartCall("hold");
  service_.entered.WaitForNotification();
  auto queued = StartCall("a");
  AwaitQueued(1);
  EXPECT_EQ(peek("busy").first.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(peek("free").first.ok());  // a read that need not wait is still served
  service_.release.Notify();
  for (auto* call : {running.get(), queued.get()}) {
    call->done.WaitForNotification();
    EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  }
}

TEST_F(UnaryCallTest, ServiceStaysOnItsExecutorThreads) {
  Start(/*threads=*/3, /*max_queued=*/16);
  for (int i = 0; i < 20; ++i) {
    auto call = StartCall(absl::StrCat("n", i));
    call->done.WaitForNotification();
    ASSERT_TRUE(call->status.ok());
  }
  EXPECT_EQ(service_.state.runs.load(), 20);
}

}  // namespace
}  // namespace kaizen::server
