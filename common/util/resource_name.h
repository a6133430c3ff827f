// Parsing AIP-122 resource names such as "cohorts/fy2022/meetings/m2".
#ifndef KAIZEN_COMMON_UTIL_RESOURCE_NAME_H_
#define KAIZEN_COMMON_UTIL_RESOURCE_NAME_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaizen {

// Splits `name` against its collections, e.g. {"cohorts", "meetings"} for
// "cohorts/{id}/meetings/{id}", and returns the ids in order. Every id must
// be a valid resource id (ids.h). Otherwise INVALID_ARGUMENT naming `field`
// (reason INVALID_NAME) with the expected pattern.
absl::StatusOr<std::vector<std::string>> ParseResourceName(
    absl::string_view field, absl::string_view name,
    const std::vector<absl::string_view>& collections);

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_RESOURCE_NAME_H_
