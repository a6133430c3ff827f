#include "common/testing/grpc_fixture.h"

#include "absl/strings/str_cat.h"
#include "common/server/principal_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace kaizen::testkit {

std::unique_ptr<grpc::ClientContext> ContextAs(const auth::PrincipalSigner& signer,
                                               const kaizen::type::Principal& principal,
                                               absl::Duration deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  server::AttachPrincipal(principal, signer, context.get());
  return context;
}

InProcessGrpcServer::InProcessGrpcServer(std::string internal_secret)
    : signer_secret_(internal_secret), signer_(std::move(internal_secret)) {}

InProcessGrpcServer::~InProcessGrpcServer() { channel_.reset(); }

absl::Status InProcessGrpcServer::Start(const std::string& service_name,
                                        const std::vector<server::RegisteredService>& services) {
  server::ServerOptions options;
  options.service_name = service_name;
  options.listen_address = "127.0.0.1:0";
  options.internal_secret = signer_secret_;
  options.drain_deadline = absl::Seconds(1);  // tests never wait on a drain
  auto server = server::GrpcServer::Start(options, services, [](const std::string&) {});
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  return absl::OkStatus();
}

int InProcessGrpcServer::port() const { return server_ == nullptr ? 0 : server_->port(); }

std::string InProcessGrpcServer::address() const { return absl::StrCat("127.0.0.1:", port()); }

std::shared_ptr<grpc::Channel> InProcessGrpcServer::channel() {
  if (channel_ == nullptr) {
    channel_ = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  }
  return channel_;
}

}  // namespace kaizen::testkit
