// Collects field violations from several checks into one INVALID_ARGUMENT,
// so a request with three bad fields hears about all three at once.
//
//   errors::Violations v;
//   v.Check(ValidateText("plan.title", title, 1, 200, false));
//   if (actions > 50) v.Add("plan.draft.actions", "must be at most 50");
//   RETURN_IF_ERROR(v.Result());
//
// The result's reason is the first failing check's (so a single violation
// keeps its specific reason, e.g. TEXT_TOO_LONG); its google.rpc.BadRequest
// lists every violation in the order found.
#ifndef KAIZEN_COMMON_STATUS_VIOLATIONS_H_
#define KAIZEN_COMMON_STATUS_VIOLATIONS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"

namespace kaizen::errors {

class Violations {
 public:
  // Adds `status`'s field violations (OK adds nothing; a non-OK status
  // without BadRequest still counts as the first failure).
  void Check(const absl::Status& status);
  // Adds one violation with the generic reason (INVALID_FIELD).
  void Add(absl::string_view field, absl::string_view description);
  bool ok() const { return first_.ok(); }
  // OK, or INVALID_ARGUMENT listing every violation.
  absl::Status Result() const;

 private:
  absl::Status first_;
  std::vector<FieldViolation> violations_;
};

}  // namespace kaizen::errors

#endif  // KAIZEN_COMMON_STATUS_VIOLATIONS_H_
