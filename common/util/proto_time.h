// Conversions between absl time types and google.protobuf.Timestamp /
// Duration, shared by every service.
#ifndef KAIZEN_COMMON_UTIL_PROTO_TIME_H_
#define KAIZEN_COMMON_UTIL_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace kaizen {

google::protobuf::Timestamp ToProtoTimestamp(absl::Time t);
absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& ts);
google::protobuf::Duration ToProtoDuration(absl::Duration d);
absl::Duration FromProtoDuration(const google::protobuf::Duration& d);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_PROTO_TIME_H_
