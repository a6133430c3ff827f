// The seam through which enrollment reads another service's result-change
// log (`<service>/ListResultChanges`, kaizen/type/partner.proto) to merge it
// into the one partner change feed (EnrollmentService/ListChanges).
// Transport-free. Implementations: grpc_result_change_source.h (real),
// fake_result_change_source.h (tests).
//
// Errors an implementation returns (built with common/status/errors.h, so
// each carries google.rpc.ErrorInfo, domain "kaizen"). They never reach a
// partner: enrollment skips a failing source for that page, keeps its
// position and names it in ListChangesResponse.unavailable_sources.
//   UNAVAILABLE RESULT_SOURCE_UNAVAILABLE  the service could not be reached
//                                          before the deadline; retry later
//   INTERNAL    RESULT_SOURCE_FAILED       the service answered with another
//                                          error (its reason, or the gRPC
//                                          code name, in metadata
//                                          "source_reason")
// Both carry metadata "service".
#ifndef KAIZEN_CLIENTS_PARTNER_RESULT_CHANGE_SOURCE_H_
#define KAIZEN_CLIENTS_PARTNER_RESULT_CHANGE_SOURCE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "kaizen/type/partner.pb.h"

namespace kaizen::partner_client {

inline constexpr absl::string_view kResultSourceUnavailable = "RESULT_SOURCE_UNAVAILABLE";
inline constexpr absl::string_view kResultSourceFailed = "RESULT_SOURCE_FAILED";

// UNAVAILABLE RESULT_SOURCE_UNAVAILABLE naming `service`.
inline absl::Status ResultSourceUnavailable(absl::string_view service) {
  return errors::Error(absl::StatusCode::kUnavailable, kResultSourceUnavailable,
                       absl::StrCat("the ", service, " service could not be reached"),
                       {{"service", std::string(service)}});
}

// INTERNAL RESULT_SOURCE_FAILED naming `service`; `reason` is the service's
// ErrorInfo reason or gRPC code name.
inline absl::Status ResultSourceFailed(absl::string_view service, absl::string_view reason) {
  return errors::Error(absl::StatusCode::kInternal, kResultSourceFailed,
                       absl::StrCat("the ", service, " service refused to list its result changes"),
                       {{"service", std::string(service)}, {"source_reason", std::string(reason)}});
}

class ResultChangeSource {
 public:
  virtual ~ResultChangeSource() = default;

  // The owning service's name: "scheduling", "plans" or "survey" (the key of
  // its position in enrollment's feed cursor).
  virtual const std::string& service() const = 0;

  // The changes with a sequence greater than `after_sequence` (>= 0), at
  // most `page_size` (1 to 1000), in sequence order, and the last sequence
  // the answer covers (ListResultChangesResponse.last_sequence). Errors as
  // above. Thread-safe.
  virtual absl::StatusOr<kaizen::type::ListResultChangesResponse> List(int64_t after_sequence,
                                                                       int page_size) = 0;
};

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_RESULT_CHANGE_SOURCE_H_
