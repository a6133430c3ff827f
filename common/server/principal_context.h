// Moves the forwarded principal (common/auth/principal.h) in and out of gRPC
// metadata; Handle() is the verification step of the one-line adapter every
// service RPC uses (KAIZEN_DEFINE_RPC, unary_call.h).
//
// The credential is bound to the method being called. On the client side
// AttachPrincipal signs when gRPC starts the call, for the method gRPC is
// actually calling, so no caller can get it wrong. On the server side the
// called-method interceptor (MakeCalledMethodInterceptorFactory, installed by
// GrpcServer::Start) records the method gRPC dispatched to, and
// PrincipalFromContext verifies against it.
#ifndef KAIZEN_COMMON_SERVER_PRINCIPAL_CONTEXT_H_
#define KAIZEN_COMMON_SERVER_PRINCIPAL_CONTEXT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"

namespace kaizen::server {

// Records each call's full method name ("/pkg.Service/Method") where
// CalledMethod and PrincipalFromContext find it. Any value a client sent
// under the same key is dropped first. Every server whose handlers call
// PrincipalFromContext needs it; GrpcServer::Start installs it, a server
// built by hand (tests) adds it to its interceptor creators.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeCalledMethodInterceptorFactory();

// The method being served, "" when the interceptor is not installed.
std::string CalledMethod(const grpc::ServerContextBase& context);

// The verified principal of a call: UNAUTHENTICATED (auth::PrincipalSigner::
// Verify's reasons) for a missing, forged, expired or other-method
// credential; INTERNAL when the server cannot tell which method it serves
// (the interceptor is missing: a bug, so nothing is trusted).
absl::StatusOr<kaizen::type::Principal> PrincipalFromContext(
    const grpc::ServerContextBase& context, const auth::PrincipalSigner& signer);

// Adds `principal` to an outgoing call (services calling services, tools,
// tests). The credential is made when gRPC starts the call, for the method
// it calls, with the signer's lifetime (call credentials with no transport
// security requirement, so it works on plaintext and TLS channels alike).
// Replaces any call credentials already set on `context`. `signer` is
// copied (its keys and options; the clock pointer, if any, must outlive the
// call).
void AttachPrincipal(const kaizen::type::Principal& principal,
                     const auth::PrincipalSigner& signer, grpc::ClientContext* context);

// Prepares `context` for one Kaizen service calling another as itself
// (auth::ServicePrincipal(`service`), attached as above), with `deadline`,
// and waiting for the channel to (re)connect within that deadline: a call
// made while the other service restarts (a purge or a hand-over retried, a
// roster read) reaches it when it is back, instead of failing at once while
// gRPC backs off after the earlier failure. A service that stays down still
// fails, with DEADLINE_EXCEEDED at the deadline.
void PrepareServiceCall(absl::string_view service, const auth::PrincipalSigner& signer,
                        absl::Time deadline, grpc::ClientContext* context);

// The same, signed now for `full_method`, for a caller that already holds
// the method name (the gateway: no per-call credentials object). The call
// must be to `full_method`, or the service refuses it.
void AttachPrincipalForMethod(const kaizen::type::Principal& principal,
                              const auth::PrincipalSigner& signer,
                              absl::string_view full_method, grpc::ClientContext* context);

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
grpc::Status Handle(grpc::ServerContextBase* context,
                    const auth::PrincipalSigner& signer, Fn&& fn) {
  absl::StatusOr<kaizen::type::Principal> principal =
      PrincipalFromContext(*context, signer);
  if (!principal.ok()) return ToGrpcStatus(principal.status());
  return ToGrpcStatus(fn(*principal));
}

}  // namespace kaizen::server

#endif  // KAIZEN_COMMON_SERVER_PRINCIPAL_CONTEXT_H_
