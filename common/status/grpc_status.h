// The one place where absl::Status and grpc::Status meet.
//
// ToGrpcStatus packs the status's payloads (ErrorInfo, BadRequest,
// ResourceInfo, ...) into a google.rpc.Status in the
// `grpc-status-details-bin` trailer; FromGrpcStatus unpacks them again, so a
// status survives a round trip through a real channel with its details.
#ifndef KAIZEN_COMMON_STATUS_GRPC_STATUS_H_
#define KAIZEN_COMMON_STATUS_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace kaizen {

// absl -> google.rpc.Status (code, message, details as Any).
google::rpc::Status ToRpcStatus(const absl::Status& status);

// google.rpc.Status -> absl (details become payloads again).
absl::Status FromRpcStatus(const google::rpc::Status& status);

// For the gRPC layer: convert a domain result once, at the edge.
grpc::Status ToGrpcStatus(const absl::Status& status);

// For clients of other services: the details come back as payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_STATUS_GRPC_STATUS_H_
