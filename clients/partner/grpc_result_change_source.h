// ResultChangeSource over gRPC: `<service>/ListResultChanges` of scheduling,
// plans or survey, called by full method name (enrollment links none of the
// three services' protos: every ListResultChanges takes and returns
// kaizen/type/partner.proto's messages), with a deadline, as
// auth::ServicePrincipal("enrollment") signed with the internal secret,
// exactly as clients/purge's GrpcPurgeTarget calls PurgePersonalData (and on
// the same channel: main.cc makes one per service).
//
// Error mapping (the only place it happens):
//   UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE RESULT_SOURCE_UNAVAILABLE
//   anything else                  -> INTERNAL RESULT_SOURCE_FAILED with the
//                                     service's reason (or gRPC code name)
//
// Thread-safe: a fresh ClientContext per call; blocks for at most
// `deadline`. Calls wait for the channel to connect (wait_for_ready) within
// the deadline, so a service that came back is read on the next poll
// although gRPC was backing off its reconnects; a service that is down
// costs the whole deadline (enrollment asks the three in parallel).
#ifndef KAIZEN_CLIENTS_PARTNER_GRPC_RESULT_CHANGE_SOURCE_H_
#define KAIZEN_CLIENTS_PARTNER_GRPC_RESULT_CHANGE_SOURCE_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/partner/result_change_source.h"
#include "common/auth/principal.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/rpc_method.h"

namespace kaizen::partner_client {

inline constexpr absl::string_view kSchedulingResultChangesMethod =
    "/kaizen.scheduling.v1.SchedulingService/ListResultChanges";
inline constexpr absl::string_view kPlansResultChangesMethod =
    "/kaizen.plans.v1.PlansService/ListResultChanges";
inline constexpr absl::string_view kSurveyResultChangesMethod =
    "/kaizen.survey.v1.SurveyService/ListResultChanges";

class GrpcResultChangeSource final : public ResultChangeSource {
 public:
  // `service` names the source ("scheduling", "plans", "survey"); `method`
  // is its full method name (one of the constants above). `signer` is not
  // owned and must outlive this object.
  GrpcResultChangeSource(std::string service, std::string method,
                         std::shared_ptr<grpc::Channel> channel,
                         const auth::PrincipalSigner* signer, absl::Duration deadline);

  const std::string& service() const override { return service_; }
  absl::StatusOr<kaizen::type::ListResultChangesResponse> List(int64_t after_sequence,
                                                               int page_size) override;

 private:
  const std::string service_;
  const std::string method_;
  std::shared_ptr<grpc::Channel> channel_;
  // Registered with the channel once, as a generated stub does.
  const grpc::internal::RpcMethod rpc_method_;
  const auth::PrincipalSigner* signer_;
  const absl::Duration deadline_;
};

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_GRPC_RESULT_CHANGE_SOURCE_H_
