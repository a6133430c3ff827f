// Keeping a README true to the code: read a file of the test's runfiles and
// pick the reason names out of one of its sections. Used by the error-catalog
// tests, which compare a service's catalog with its README's "Error reasons".
#ifndef KAIZEN_COMMON_TESTING_README_H_
#define KAIZEN_COMMON_TESTING_README_H_

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kaizen::testkit {

// The contents of `path` (relative to the workspace root) from the test's
// runfiles; the file must be in the test's `data`. NOT_FOUND otherwise.
absl::StatusOr<std::string> ReadRunfile(absl::string_view path);

// From the line `heading` (e.g. "## Error reasons") up to the next heading of
// the same or a higher level; NOT_FOUND when there is no such line.
absl::StatusOr<std::string> MarkdownSection(absl::string_view markdown, absl::string_view heading);

// Every `BACKTICKED` word of upper-case letters, digits and '_' (3+ chars).
std::set<std::string> BacktickedReasons(absl::string_view text);

}  // namespace kaizen::testkit

#endif  // KAIZEN_COMMON_TESTING_README_H_
