// Moves the forwarded principal (common/auth/principal.h) in and out of gRPC
// metadata, and the one-line adapter every service RPC uses:
//
//   grpc::Status GetCohort(grpc::ServerContext* ctx, const GetCohortRequest* req,
//                          Cohort* resp) override {
//     return Handle(ctx, signer_, [&](const Principal& p) {
//       return Respond(domain_->GetCohort(p, *req), resp);
//     });
//   }
#ifndef KAIZEN_COMMON_SERVER_PRINCIPAL_CONTEXT_H_
#define KAIZEN_COMMON_SERVER_PRINCIPAL_CONTEXT_H_

#include "absl/status/statusor.h"
#include "common/auth/principal.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace kaizen::server {

// The verified principal of a call, or UNAUTHENTICATED.
absl::StatusOr<kaizen::type::Principal> PrincipalFromContext(
    const grpc::ServerContext& context, const auth::PrincipalSigner& signer);

// Adds a signed principal to an outgoing call (gateway, service-to-service).
void AttachPrincipal(const kaizen::type::Principal& principal,
                     const auth::PrincipalSigner& signer,
                     grpc::ClientContext* context);

// Moves a domain result into the gRPC response message.
template <typename T>
absl::Status Respond(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return result.status();
  *response = std::move(*result);
  return absl::OkStatus();
}

// Verifies the caller, runs `fn(principal)` (returning absl::Status) and
// converts its result once.
template <typename Fn>
grpc::Status Handle(grpc::ServerContext* context,
                    const auth::PrincipalSigner& signer, Fn&& fn) {
  absl::StatusOr<kaizen::type::Principal> principal =
      PrincipalFromContext(*context, signer);
  if (!principal.ok()) return ToGrpcStatus(principal.status());
  return ToGrpcStatus(fn(*principal));
}

}  // namespace kaizen::server

// The one-line gRPC adapter for a sync service class with members
// `domain_` (whose Method(principal, request) returns StatusOr<Response>)
// and `signer_` (a PrincipalSigner*). In the class:
//   KAIZEN_DECLARE_RPC(GetCohort, v1::GetCohortRequest, v1::Cohort)
// and in the .cc:
//   KAIZEN_DEFINE_RPC(EnrollmentGrpcService, GetCohort, v1::GetCohortRequest, v1::Cohort)
#define KAIZEN_DECLARE_RPC(Method, Request, Response)                        \
  grpc::Status Method(grpc::ServerContext* context, const Request* request, \
                      Response* response) override;

#define KAIZEN_DEFINE_RPC(Class, Method, Request, Response)                          \
  grpc::Status Class::Method(grpc::ServerContext* context, const Request* request,   \
                             Response* response) {                                   \
    return ::kaizen::server::Handle(                                                 \
        context, *signer_, [&](const ::kaizen::type::Principal& caller) {            \
          return ::kaizen::server::Respond(domain_->Method(caller, *request), response); \
        });                                                                          \
  }

#endif  // KAIZEN_COMMON_SERVER_PRINCIPAL_CONTEXT_H_
