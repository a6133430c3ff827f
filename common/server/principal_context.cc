#include "common/server/principal_context.h"

#include <string>

namespace kaizen::server {
namespace {

std::string FindMetadata(const grpc::ServerContext& context, const char* key) {
  const auto& md = context.client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

absl::StatusOr<kaizen::type::Principal> PrincipalFromContext(
    const grpc::ServerContext& context, const auth::PrincipalSigner& signer) {
  return signer.Verify(FindMetadata(context, auth::kPrincipalMetadataKey),
                       FindMetadata(context, auth::kSignatureMetadataKey));
}

void AttachPrincipal(const kaizen::type::Principal& principal,
                     const auth::PrincipalSigner& signer,
                     grpc::ClientContext* context) {
  auth::PrincipalSigner::Signed s = signer.Sign(principal);
  context->AddMetadata(auth::kPrincipalMetadataKey, s.principal_bytes);
  context->AddMetadata(auth::kSignatureMetadataKey, s.signature);
}

}  // namespace kaizen::server
