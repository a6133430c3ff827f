#include "common/status/violations.h"

#include <string>

namespace kaizen::errors {

void Violations::Check(const absl::Status& status) {
  if (status.ok()) return;
  if (first_.ok()) first_ = status;
  auto bad = GetBadRequest(status);
  if (!bad.has_value()) return;
  for (const auto& v : bad->field_violations()) {
    violations_.push_back({v.field(), v.description()});
  }
}

void Violations::Add(absl::string_view field, absl::string_view description) {
  Check(InvalidField(field, description));
}

absl::Status Violations::Result() const {
  if (first_.ok()) return first_;
  std::string reason = Reason(first_);
  return InvalidArgument(reason, violations_);
}

}  // namespace kaizen::errors
