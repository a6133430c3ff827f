// PurgeTarget over gRPC: `<service>/PurgePersonalData` of scheduling, survey
// or plans, called with a deadline as auth::ServicePrincipal("enrollment")
// signed with the internal secret (as clients/enrollment's
// GrpcRosterSource calls enrollment; TLS comes with the channel, made with
// auth::ChannelCredentialsFor(options.backend_tls) in main).
//
// The call is made by full method name, without the target's generated
// stub, so enrollment links none of the three services' protos: every
// PurgePersonalData takes kaizen.type.PurgeRequest and returns
// kaizen.type.PurgeReport (purge.proto). The method names are below.
//
// Error mapping (the only place it happens):
//   UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE PURGE_TARGET_UNAVAILABLE
//   anything else                  -> INTERNAL PURGE_TARGET_FAILED with the
//                                     target's reason (or gRPC code name)
//
// Thread-safe: a fresh ClientContext per call; blocks for at most
// `deadline`. Calls wait for the channel to connect (wait_for_ready) within
// the deadline, so a service that is down costs the whole deadline, and one
// that came back is reached although gRPC was backing off its reconnects.
#ifndef KAIZEN_CLIENTS_PURGE_GRPC_PURGE_TARGET_H_
#define KAIZEN_CLIENTS_PURGE_GRPC_PURGE_TARGET_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/purge/purge_target.h"
#include "common/auth/principal.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/rpc_method.h"

namespace kaizen::purge_client {

inline constexpr absl::string_view kSchedulingPurgeMethod =
    "/kaizen.scheduling.v1.SchedulingService/PurgePersonalData";
inline constexpr absl::string_view kSurveyPurgeMethod =
    "/kaizen.survey.v1.SurveyService/PurgePersonalData";
inline constexpr absl::string_view kPlansPurgeMethod =
    "/kaizen.plans.v1.PlansService/PurgePersonalData";

class GrpcPurgeTarget final : public PurgeTarget {
 public:
  // `service` names the target in reports; `method` is its full method name
  // (one of the constants above). `signer` is not owned and must outlive
  // this object.
  GrpcPurgeTarget(std::string service, std::string method,
                  std::shared_ptr<grpc::Channel> channel, const auth::PrincipalSigner* signer,
                  absl::Duration deadline);

  const std::string& service() const override { return service_; }
  absl::StatusOr<kaizen::type::PurgeReport> Purge(
      const kaizen::type::PurgeRequest& request) override;

 private:
  const std::string service_;
  const std::string method_;
  std::shared_ptr<grpc::Channel> channel_;
  // Registered with the channel once, as a generated stub does.
  const grpc::internal::RpcMethod rpc_method_;
  const auth::PrincipalSigner* signer_;
  const absl::Duration deadline_;
};

}  // namespace kaizen::purge_client

#endif  // KAIZEN_CLIENTS_PURGE_GRPC_PURGE_TARGET_H_
