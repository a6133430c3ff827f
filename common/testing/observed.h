// What a caller can observe of a refusal: code, ErrorInfo reason and message
// in one string, for tests that compare two refusals ("authorise before
// revealing": a real object and a missing one must look identical).
#ifndef KAIZEN_COMMON_TESTING_OBSERVED_H_
#define KAIZEN_COMMON_TESTING_OBSERVED_H_

#include <string>

#include "absl/status/status.h"
#include "common/status/errors.h"

namespace kaizen::testkit {

inline std::string Observed(const absl::Status& s) {
  return absl::StatusCodeToString(s.code()) + " " + errors::Reason(s) + " " +
         std::string(s.message());
}

}  // namespace kaizen::testkit

#endif  // KAIZEN_COMMON_TESTING_OBSERVED_H_
