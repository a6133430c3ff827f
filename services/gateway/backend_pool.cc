#include "services/gateway/backend_pool.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/server/interceptors.h"
#include "common/server/principal_context.h"
#include "common/status/errors.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace kaizen::gateway {

absl::StatusOr<std::vector<BackendConfig>> ParseBackends(absl::string_view spec) {
  std::vector<BackendConfig> out;
  auto bad = [](absl::string_view why) {
    return errors::InvalidField("backends", why, "INVALID_FLAG");
  };
  for (absl::string_view entry : absl::StrSplit(spec, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    std::vector<absl::string_view> kv = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    if (kv.size() != 2 || kv[0].empty() || kv[1].empty() ||
        kv[1].find(':') == absl::string_view::npos) {
      return bad("each entry is <proto service full name>=<host:port>");
    }
    for (const BackendConfig& b : out) {
      if (b.service == kv[0]) return bad(absl::StrCat(kv[0], " is configured twice"));
    }
    out.push_back({std::string(kv[0]), std::string(kv[1])});
  }
  if (out.empty()) return bad("at least one backend is required");
  return out;
}

std::string ByteBufferToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

grpc::ByteBuffer StringToByteBuffer(std::string bytes) {
  grpc::Slice slice(std::move(bytes));
  return grpc::ByteBuffer(&slice, 1);
}

// One call counted in the pool's in_flight_ from construction to
// destruction. Declared as the first member of a call's state, so it is
// destroyed last: after the call's ClientContext (and stub), which hold
// references to the channel. The pool's destructor waits for the count, so
// the pool always drops the last reference to its channels, on its own
// thread. Were the count dropped first, the context could release the last
// reference on the gRPC thread running the call's callback, and gRPC 1.51
// joins its callback threads ("nexting_thread") when the last callback
// channel goes: a channel destroyed on one of them joins itself and leaves
// that thread polling a deleted completion queue (it aborts with
// "ref_counted.h:183 assertion failed: prior > 0").
class BackendPool::InFlight {
 public:
  explicit InFlight(BackendPool* pool) : pool_(pool) {
    absl::MutexLock lock(&pool_->mu_);
    ++pool_->in_flight_;
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() {
    absl::MutexLock lock(&pool_->mu_);
    --pool_->in_flight_;
  }

 private:
  BackendPool* const pool_;
};

// Owns everything one call needs until gRPC has called back.
class BackendPool::CallState final : public BackendCallHandle {
 public:
  CallState(BackendPool* pool, Done done) : in_flight(pool), done_(std::move(done)) {}
  void Cancel() override { context.TryCancel(); }

  void Finish(const grpc::Status& status) {
    done_(status, &response);
    done_ = nullptr;  // release what the callback captured now
  }

  const InFlight in_flight;  // first: destroyed after the context
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;

 private:
  Done done_;
};

BackendPool::BackendPool(std::vector<BackendConfig> backends,
                         const auth::PrincipalSigner* signer, BackendPoolOptions options)
    : backends_(std::move(backends)), signer_(signer) {
  const std::shared_ptr<grpc::ChannelCredentials> credentials =
      auth::ChannelCredentialsFor(options.tls);
  for (const BackendConfig& b : backends_) {
    grpc::ChannelArguments args;
    const int max_backoff_ms =
        static_cast<int>(absl::ToInt64Milliseconds(options.max_reconnect_backoff));
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, std::min(100, max_backoff_ms));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, max_backoff_ms);
    // Despite its name, gRPC reads this as the least time a connection
    // attempt (TCP, TLS, HTTP/2 settings) is given before it fails. It was
    // 100 ms: on a loaded machine a backend took longer to answer the
    // handshake, the attempt failed and the waiting call with it (503
    // BACKEND_UNAVAILABLE, seen in CI). A refused connection still fails at
    // once; only a backend that does not answer waits, within the call's
    // deadline.
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                static_cast<int>(absl::ToInt64Milliseconds(options.connect_timeout)));
    args.SetMaxReceiveMessageSize(options.max_message_bytes);
    args.SetMaxSendMessageSize(options.max_message_bytes);
    // One channel per backend, not shared with other channels to the same
    // address by gRPC's global subchannel pool.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(b.address, credentials, args);
    stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
    channels_.push_back(std::move(channel));
  }
}

BackendPool::~BackendPool() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* n) { return *n == 0; }, &in_flight_));
}

int BackendPool::in_flight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_;
}

std::shared_ptr<BackendCallHandle> BackendPool::Start(Call call, Done done) {
  auto state = std::make_shared<CallState>(this, std::move(done));
  state->request = std::move(call.request);
  state->context.set_deadline(absl::ToChronoTime(call.deadline));
  state->context.set_wait_for_ready(false);
  // Signed for this method only, expiring after the signer's lifetime: a
  // captured credential opens nothing else.
  server::AttachPrincipalForMethod(call.principal, *signer_, call.method, &state->context);
  if (!call.request_id.empty()) {
    state->context.AddMetadata(server::kRequestIdKey, call.request_id);
  }
  grpc::StubOptions options;
  stubs_[call.backend]->UnaryCall(&state->context, call.method, options, &state->request,
                                  &state->response,
                                  [state](grpc::Status status) { state->Finish(status); });
  return state;
}

void BackendPool::CheckHealth(absl::Duration timeout,
                              std::function<void(std::vector<Health>)> done) {
  struct Gather {
    absl::Mutex mu;
    std::vector<Health> results;
    int remaining;
    std::function<void(std::vector<Health>)> done;
  };
  struct One {
    explicit One(BackendPool* p) : in_flight(p) {}
    const InFlight in_flight;  // first: destroyed after the context and the stub
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    std::unique_ptr<grpc::health::v1::Health::Stub> stub;
  };
  if (backends_.empty()) {
    done({});
    return;
  }
  auto gather = std::make_shared<Gather>();
  gather->remaining = static_cast<int>(backends_.size());
  gather->done = std::move(done);
  for (const BackendConfig& b : backends_) gather->results.push_back({b.service, false});
  for (size_t i = 0; i < backends_.size(); ++i) {
    auto one = std::make_shared<One>(this);
    one->stub = grpc::health::v1::Health::NewStub(channels_[i]);
    one->request.set_service(backends_[i].service);
    one->context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    one->stub->async()->Check(
        &one->context, &one->request, &one->response, [gather, one, i](grpc::Status s) {
          bool last;
          {
            absl::MutexLock lock(&gather->mu);
            gather->results[i].serving =
                s.ok() &&
                one->response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
            last = --gather->remaining == 0;
          }
          if (!last) return;
          // What `done` captured goes here, before this call's count
          // (`one`, destroyed with this lambda afterwards), as in
          // CallState::Finish.
          auto done = std::move(gather->done);
          gather->done = nullptr;
          done(std::move(gather->results));
        });
  }
}

}  // namespace kaizen::gateway
