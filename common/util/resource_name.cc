#include "common/util/resource_name.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/util/ids.h"

namespace kaizen {

absl::StatusOr<std::vector<std::string>> ParseResourceName(
    absl::string_view field, absl::string_view name,
    const std::vector<absl::string_view>& collections) {
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  std::vector<std::string> ids;
  bool ok = parts.size() == 2 * collections.size();
  for (size_t i = 0; ok && i < collections.size(); ++i) {
    ok = parts[2 * i] == collections[i] && IsValidResourceId(parts[2 * i + 1]);
    ids.emplace_back(parts[2 * i + 1]);
  }
  if (ok) return ids;
  std::string pattern;
  for (absl::string_view c : collections) {
    absl::StrAppend(&pattern, pattern.empty() ? "" : "/", c, "/{id}");
  }
  return errors::InvalidField(field, absl::StrCat("must look like ", pattern), "INVALID_NAME");
}

}  // namespace kaizen
