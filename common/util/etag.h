// Etags (AIP-154) from a resource's name and its revision number.
//
// Stores keep an integer revision per resource, bumped on every write; the
// etag is an opaque quoted string derived from both, so clients cannot guess
// revisions and an etag from one resource never matches another.
#ifndef KAIZEN_COMMON_UTIL_ETAG_H_
#define KAIZEN_COMMON_UTIL_ETAG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kaizen {

std::string MakeEtag(absl::string_view name, int64_t revision);

// OK when `client_etag` is empty (no precondition) or matches; otherwise
// ABORTED with reason ETAG_MISMATCH.
absl::Status CheckEtag(absl::string_view name, int64_t revision,
                       absl::string_view client_etag);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_ETAG_H_
