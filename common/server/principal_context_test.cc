// The forwarded principal over real gRPC: signed by the client for the method
// it calls, verified by the server against the method it serves. Includes the
// replays of issue #16: a captured credential presented on another method and
// after its expiry.
#include "common/server/principal_context.h"

#include <map>

#include "absl/synchronization/mutex.h"
#include "common/auth/principal.h"
#include "common/server/server.h"
#include "common/server/testdata/two_methods.grpc.pb.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "common/util/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace kaizen::server {
namespace principal_context_test {

using kaizen::testing::TwoMethodRequest;
using kaizen::testing::TwoMethodResponse;
using kaizen::testing::TwoMethodService;

constexpr char kSecret[] = "principal-context-secret-0123456789";
constexpr char kRead[] = "/kaizen.testing.TwoMethodService/Read";
constexpr char kErase[] = "/kaizen.testing.TwoMethodService/Erase";

kaizen::type::Principal Secretariat() {
  kaizen::type::Principal p;
  p.set_subject("secretariat-1");
  p.add_roles(kaizen::type::ROLE_SECRETARIAT);
  return p;
}

// Verifies every call and keeps what an eavesdropper on the wire would see
// (the principal and credential metadata) plus the method it served.
class Recorder final : public TwoMethodService::Service {
 public:
  explicit Recorder(const auth::PrincipalSigner* signer) : signer_(signer) {}

  grpc::Status Read(grpc::ServerContext* context, const TwoMethodRequest*,
                    TwoMethodResponse* response) override {
    return Serve(context, response);
  }
  grpc::Status Erase(grpc::ServerContext* context, const TwoMethodRequest*,
                     TwoMethodResponse* response) override {
    return Serve(context, response);
  }

  struct Captured {
    std::string principal_bytes, signature, method;
  };
  Captured last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }

 private:
  grpc::Status Serve(grpc::ServerContext* context, TwoMethodResponse* response) {
    {
      absl::MutexLock lock(&mu_);
      last_ = Captured{Metadata(*context, auth::kPrincipalMetadataKey),
                       Metadata(*context, auth::kSignatureMetadataKey), CalledMethod(*context)};
    }
    return Handle(context, *signer_, [&](const kaizen::type::Principal& caller) {
      response->set_subject(caller.subject());
      return absl::OkStatus();
    });
  }
  static std::string Metadata(const grpc::ServerContext& context, const char* key) {
    auto it = context.client_metadata().find(key);
    return it == context.client_metadata().end()
               ? ""
               : std::string(it->second.data(), it->second.size());
  }

  const auth::PrincipalSigner* signer_;
  absl::Mutex mu_;
  Captured last_;
};

auth::PrincipalSigner SignerAt(const Clock* clock) {
  auth::PrincipalSignerOptions options;
  options.clock = clock;
  return auth::PrincipalSigner(
      auth::KeyRing::Derive({kSecret}, auth::KeyPurpose::kPrincipalForwarding), options);
}

class PrincipalContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.service_name = "two";
    options.drain_deadline = absl::Seconds(1);
    auto server = GrpcServer::Start(options, {{TwoMethodService::service_full_name(), &service_}},
                                    [](const std::string&) {});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = TwoMethodService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return context;
  }

  // A call carrying exactly the captured metadata, as an attacker would send it.
  grpc::Status Replay(const Recorder::Captured& captured, bool erase, TwoMethodResponse* out) {
    auto context = Context();
    context->AddMetadata(auth::kPrincipalMetadataKey, captured.principal_bytes);
    context->AddMetadata(auth::kSignatureMetadataKey, captured.signature);
    TwoMethodRequest request;
    return erase ? stub_->Erase(context.get(), request, out)
                 : stub_->Read(context.get(), request, out);
  }

  FakeClock clock_;
  auth::PrincipalSigner signer_ = SignerAt(&clock_);
  Recorder service_{&signer_};
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<TwoMethodService::Stub> stub_;
};

std::string ReasonOf(const grpc::Status& s) { return errors::Reason(FromGrpcStatus(s)); }

TEST_F(PrincipalContextTest, AttachPrincipalSignsTheMethodActuallyCalled) {
  TwoMethodResponse response;
  auto context = Context();
  AttachPrincipal(Secretariat(), signer_, context.get());
  grpc::Status s = stub_->Erase(context.get(), TwoMethodRequest(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.subject(), "secretariat-1");
  const Recorder::Captured captured = service_.last();
  EXPECT_EQ(captured.method, kErase);
  EXPECT_NE(captured.signature.find(kErase), std::string::npos);
}

TEST_F(PrincipalContextTest, CapturedCredentialReplayedOnAnotherMethodIsRefused) {
  TwoMethodResponse response;
  auto context = Context();
  AttachPrincipal(Secretariat(), signer_, context.get());
  ASSERT_TRUE(stub_->Read(context.get(), TwoMethodRequest(), &response).ok());
  const Recorder::Captured captured = service_.last();

  // The same bytes on the same method still pass (within the minute)...
  ASSERT_TRUE(Replay(captured, /*erase=*/false, &response).ok());
  // ...but not on another method.
  response.Clear();
  grpc::Status s = Replay(captured, /*erase=*/true, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(s), "INTERNAL_CREDENTIAL_WRONG_METHOD");
  EXPECT_TRUE(response.subject().empty());
}

TEST_F(PrincipalContextTest, CapturedCredentialReplayedAfterExpiryIsRefused) {
  TwoMethodResponse response;
  auto context = Context();
  AttachPrincipal(Secretariat(), signer_, context.get());
  ASSERT_TRUE(stub_->Read(context.get(), TwoMethodRequest(), &response).ok());
  const Recorder::Captured captured = service_.last();

  clock_.Advance(absl::Seconds(71));  // 60 s lifetime + 10 s skew, and then some
  grpc::Status s = Replay(captured, /*erase=*/false, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(s), "INTERNAL_CREDENTIAL_EXPIRED");
  // A fresh credential works at the new time.
  context = Context();
  AttachPrincipal(Secretariat(), signer_, context.get());
  EXPECT_TRUE(stub_->Read(context.get(), TwoMethodRequest(), &response).ok());
}

TEST_F(PrincipalContextTest, AttachPrincipalForMethodBindsTheGivenMethod) {
  TwoMethodResponse response;
  auto right = Context();
  AttachPrincipalForMethod(Secretariat(), signer_, kRead, right.get());
  EXPECT_TRUE(stub_->Read(right.get(), TwoMethodRequest(), &response).ok());
  auto wrong = Context();
  AttachPrincipalForMethod(Secretariat(), signer_, kRead, wrong.get());
  grpc::Status s = stub_->Erase(wrong.get(), TwoMethodRequest(), &response);
  EXPECT_EQ(ReasonOf(s), "INTERNAL_CREDENTIAL_WRONG_METHOD");
}

TEST_F(PrincipalContextTest, CredentialFromAnotherSecretIsInvalid) {
  auth::PrincipalSigner other("another-secret-0123456789abcdef");
  TwoMethodResponse response;
  auto context = Context();
  AttachPrincipal(Secretariat(), other, context.get());
  grpc::Status s = stub_->Read(context.get(), TwoMethodRequest(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(s), "INTERNAL_CREDENTIAL_INVALID");
}

TEST_F(PrincipalContextTest, PrepareServiceCallSignsAsTheServiceWithTheDeadline) {
  TwoMethodResponse response;
  grpc::ClientContext context;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  PrepareServiceCall("scheduling", signer_, deadline, &context);
  EXPECT_LT(absl::AbsDuration(absl::FromChrono(context.deadline()) - deadline),
            absl::Microseconds(1));
  grpc::Status s = stub_->Read(&context, TwoMethodRequest(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.subject(), auth::ServicePrincipal("scheduling").subject());
}

// A service that is not (yet) there: the call waits for it until its
// deadline instead of failing at once (what a retry after a restart needs).
TEST_F(PrincipalContextTest, PrepareServiceCallWaitsForTheServiceUntilTheDeadline) {
  const int port = server_->port();
  server_.reset();  // nothing listens on `port` now
  auto stub = TwoMethodService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  TwoMethodResponse response;
  grpc::ClientContext plain;
  plain.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  AttachPrincipal(Secretariat(), signer_, &plain);
  EXPECT_EQ(stub->Read(&plain, TwoMethodRequest(), &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);  // at once, without waiting for the 30 s
  grpc::ClientContext waiting;
  PrepareServiceCall("scheduling", signer_, absl::Now() + absl::Milliseconds(300), &waiting);
  EXPECT_EQ(stub->Read(&waiting, TwoMethodRequest(), &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
}

// A server without the called-method interceptor cannot check the method,
// so it trusts nobody.
TEST(PrincipalContextWithoutInterceptorTest, RefusesEveryCaller) {
  auth::PrincipalSigner signer(kSecret);
  Recorder service(&signer);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub = TwoMethodService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  AttachPrincipal(Secretariat(), signer, &context);
  TwoMethodResponse response;
  grpc::Status s = stub->Read(&context, TwoMethodRequest(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_TRUE(response.subject().empty());
  server->Shutdown(std::chrono::system_clock::now());
}

}  // namespace
}  // namespace kaizen::server
