#include "common/server/principal_context.h"

#include <string>

#include "common/status/errors.h"
#include "grpcpp/security/credentials.h"

namespace kaizen::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Where the interceptor records the method. A name starting with ':' is an
// HTTP/2 pseudo-header, which no gRPC client can send as metadata; entries
// under it are still erased before recording, so only the server's own
// value is ever read.
constexpr char kCalledMethodKey[] = ":kaizen-called-method";

std::string FindMetadata(const grpc::ServerContextBase& context, const char* key) {
  const auto& md = context.client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

class CalledMethodInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit CalledMethodInterceptor(grpc::experimental::ServerRpcInfo* info)
      : method_(info->method() == nullptr ? "" : info->method()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      md->erase(kCalledMethodKey);
      // string_ref does not own: the key is a literal, and `method_` points
      // at the registered method's name, which outlives the call.
      if (method_ != nullptr && *method_ != '\0') md->emplace(kCalledMethodKey, method_);
    }
    methods->Proceed();
  }

 private:
  const char* method_;
};

class CalledMethodInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CalledMethodInterceptor(info);
  }
};

// Signs at call start: gRPC hands the plugin the service URL
// ("<scheme>://<authority>/<package.Service>") and the method name.
class PrincipalCallCredentials final : public grpc::MetadataCredentialsPlugin {
 public:
  // The signer is copied (a few keys), so a temporary signer is safe: gRPC
  // calls GetMetadata later, when the call starts.
  PrincipalCallCredentials(kaizen::type::Principal principal, auth::PrincipalSigner signer)
      : principal_(std::move(principal)), signer_(std::move(signer)) {}

  // Signing is a few microseconds: run inline, not on a separate thread.
  bool IsBlocking() const override { return false; }
  const char* GetType() const override { return "kaizen-principal"; }

  grpc::Status GetMetadata(grpc::string_ref service_url, grpc::string_ref method_name,
                           const grpc::AuthContext&,
                           std::multimap<grpc::string, grpc::string>* metadata) override {
    const absl::string_view url(service_url.data(), service_url.size());
    const size_t scheme_end = url.find("://");
    const size_t path = scheme_end == absl::string_view::npos
                            ? absl::string_view::npos
                            : url.find('/', scheme_end + 3);
    if (path == absl::string_view::npos) {
      return grpc::Status(grpc::StatusCode::INTERNAL, "cannot tell which method is being called");
    }
    std::string full_method(url.substr(path));
    full_method.push_back('/');
    full_method.append(method_name.data(), method_name.size());
    auth::PrincipalSigner::Signed s = signer_.Sign(principal_, full_method);
    metadata->emplace(auth::kPrincipalMetadataKey, std::move(s.principal_bytes));
    metadata->emplace(auth::kSignatureMetadataKey, std::move(s.signature));
    return grpc::Status::OK;
  }

 private:
  const kaizen::type::Principal principal_;
  const auth::PrincipalSigner signer_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeCalledMethodInterceptorFactory() {
  return std::make_unique<CalledMethodInterceptorFactory>();
}

std::string CalledMethod(const grpc::ServerContextBase& context) {
  return FindMetadata(context, kCalledMethodKey);
}

absl::StatusOr<kaizen::type::Principal> PrincipalFromContext(
    const grpc::ServerContextBase& context, const auth::PrincipalSigner& signer) {
  const std::string method = CalledMethod(context);
  if (method.empty()) {
    return errors::Internal("this server cannot check which method a caller's identity is for");
  }
  return signer.Verify(FindMetadata(context, auth::kPrincipalMetadataKey),
                       FindMetadata(context, auth::kSignatureMetadataKey), method);
}

void AttachPrincipal(const kaizen::type::Principal& principal,
                     const auth::PrincipalSigner& signer, grpc::ClientContext* context) {
  context->set_credentials(grpc::experimental::MetadataCredentialsFromPlugin(
      std::make_unique<PrincipalCallCredentials>(principal, signer), GRPC_SECURITY_NONE));
}

void PrepareServiceCall(absl::string_view service, const auth::PrincipalSigner& signer,
                        absl::Time deadline, grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(deadline));
  context->set_wait_for_ready(true);
  AttachPrincipal(auth::ServicePrincipal(service), signer, context);
}

void AttachPrincipalForMethod(const kaizen::type::Principal& principal,
                              const auth::PrincipalSigner& signer,
                              absl::string_view full_method, grpc::ClientContext* context) {
  auth::PrincipalSigner::Signed s = signer.Sign(principal, full_method);
  context->AddMetadata(auth::kPrincipalMetadataKey, s.principal_bytes);
  context->AddMetadata(auth::kSignatureMetadataKey, s.signature);
}

}  // namespace kaizen::server
