// The in-process gRPC fixture every service's server test uses: the real
// common/server bootstrap (health, interceptors, limits) on 127.0.0.1:0,
// called through real stubs with principals signed as the gateway signs
// them.
//
//   testkit::InProcessGrpcServer server;                  // owns the signer
//   EnrollmentGrpcService service(&domain, &server.signer());
//   ASSERT_TRUE(server.Start("enrollment", {{EnrollmentService::service_full_name(),
//                                            &service}}).ok());
//   auto stub = EnrollmentService::NewStub(server.channel());
//   stub->GetCohort(server.As(testkit::Secretariat()).get(), request, &cohort);
#ifndef KAIZEN_COMMON_TESTING_GRPC_FIXTURE_H_
#define KAIZEN_COMMON_TESTING_GRPC_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/server/server.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::testkit {

// The internal secret tests share (>= 32 bytes, fictional).
inline constexpr char kInternalSecret[] = "kaizen-test-internal-secret-0123456789";

// A client context with a deadline (30 s: a generous bound, never a
// synchronisation) carrying `principal` signed with `signer`.
std::unique_ptr<grpc::ClientContext> ContextAs(const auth::PrincipalSigner& signer,
                                               const kaizen::type::Principal& principal,
                                               absl::Duration deadline = absl::Seconds(30));

class InProcessGrpcServer {
 public:
  explicit InProcessGrpcServer(std::string internal_secret = kInternalSecret);
  ~InProcessGrpcServer();

  // The signer a service under test verifies principals with.
  const auth::PrincipalSigner& signer() const { return signer_; }

  // Starts the server with `services` (not owned; they must outlive it).
  // Access logs are discarded.
  absl::Status Start(const std::string& service_name,
                     const std::vector<server::RegisteredService>& services);

  int port() const;
  std::string address() const;
  // One channel per fixture, created on first use.
  std::shared_ptr<grpc::Channel> channel();
  server::GrpcServer& server() { return *server_; }

  std::unique_ptr<grpc::ClientContext> As(const kaizen::type::Principal& principal) const {
    return ContextAs(signer_, principal);
  }

 private:
  std::string signer_secret_;
  auth::PrincipalSigner signer_;
  std::unique_ptr<server::GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace kaizen::testkit

#endif  // KAIZEN_COMMON_TESTING_GRPC_FIXTURE_H_
