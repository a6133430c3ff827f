#include "services/enrollment/municipalities.h"

#include <optional>

#include "common/status/status_macros.h"
#include "common/validation/validation.h"
#include "services/enrollment/enrollment_errors.h"

namespace kaizen::enrollment {

absl::Status CheckMunicipality(absl::string_view field, absl::string_view code) {
  RETURN_IF_ERROR(ValidateMunicipalityCode(field, code));
  const std::optional<municipality::Entity> found = municipality::Find(code);
  if (!found.has_value()) return MunicipalityUnknown(field, code);
  if (const std::optional<municipality::Entity> city = found->city(); city.has_value()) {
    return MunicipalityIsWard(field, code, city->name(), city->code());
  }
  if (!found->administered()) return MunicipalityUnknown(field, code, found->FullName());
  // ValidateMunicipalityCode already refused prefectures; IsMunicipality is
  // the master's own word on the rest.
  if (!found->IsMunicipality()) return MunicipalityUnknown(field, code);
  return absl::OkStatus();
}

void AddMunicipalityNames(v1::Application* application) {
  AddMunicipalityName(application);
  for (v1::Applicant& member : *application->mutable_members()) AddMunicipalityName(&member);
}

}  // namespace kaizen::enrollment
