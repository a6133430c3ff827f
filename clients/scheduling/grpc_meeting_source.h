// MeetingSource over gRPC: kaizen.scheduling.v1.SchedulingService/GetMeeting
// and /ListMeetings, each called with a deadline as a signed service
// principal (scheduling lets ROLE_SERVICE read meetings, and nothing else).
//
// Error mapping (the only place it happens):
//   UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE, reason SCHEDULING_UNAVAILABLE
//   NOT_FOUND                      -> passed through (scheduling's status and details)
//   anything else                  -> INTERNAL ("the meetings could not be read"):
//                                     a secret mismatch, a missing role or a
//                                     malformed name is our fault, not the
//                                     caller's.
//
// Thread-safe: one stub, a fresh ClientContext per call. Each call blocks
// the calling thread for at most `deadline`.
#ifndef KAIZEN_CLIENTS_SCHEDULING_GRPC_MEETING_SOURCE_H_
#define KAIZEN_CLIENTS_SCHEDULING_GRPC_MEETING_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clients/scheduling/meetings.h"
#include "common/auth/principal.h"
#include "grpcpp/channel.h"
#include "kaizen/scheduling/v1/scheduling.grpc.pb.h"

namespace kaizen::scheduling_client {

class GrpcMeetingSource final : public MeetingSource {
 public:
  // `channel` to the scheduling service. Each call carries
  // auth::ServicePrincipal(service_name) (e.g. "plans"), signed with
  // `signer` (not owned; must outlive this object), and expires after
  // `deadline`.
  GrpcMeetingSource(std::shared_ptr<grpc::ChannelInterface> channel,
                    const auth::PrincipalSigner* signer, std::string service_name,
                    absl::Duration deadline);

  absl::StatusOr<Meeting> GetMeeting(const std::string& meeting_name) override;
  // Reads every page (page_size kListPageSize) under one deadline; more
  // than kMaxListPages pages is INTERNAL (a server that never ends a list).
  absl::StatusOr<std::vector<Meeting>> ListMeetings(const std::string& cohort_name) override;

  static constexpr int kListPageSize = 500;
  static constexpr int kMaxListPages = 20;

 private:
  std::unique_ptr<::kaizen::scheduling::v1::SchedulingService::Stub> stub_;
  const auth::PrincipalSigner* signer_;
  const std::string service_name_;
  const absl::Duration deadline_;
};

}  // namespace kaizen::scheduling_client

#endif  // KAIZEN_CLIENTS_SCHEDULING_GRPC_MEETING_SOURCE_H_
