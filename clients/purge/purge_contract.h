// The receiving side of PurgePersonalData (proto/kaizen/type/purge.proto),
// shared by every service that holds a cohort's personal data (scheduling,
// survey, plans) so that each checks the caller and the request alike and
// answers with the same report shape. Transport-free: no gRPC header.
#ifndef KAIZEN_CLIENTS_PURGE_PURGE_CONTRACT_H_
#define KAIZEN_CLIENTS_PURGE_PURGE_CONTRACT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kaizen/type/principal.pb.h"
#include "kaizen/type/purge.pb.h"

namespace kaizen::purge_client {

// The enrollment service's name as a service principal
// (auth::ServicePrincipal("enrollment")).
inline constexpr absl::string_view kEnrollmentService = "enrollment";

// OK for auth::ServicePrincipal("enrollment"); PERMISSION_DENIED
// ENROLLMENT_ONLY for anyone else (the secretariat and other services too).
absl::Status RequireEnrollmentCaller(const kaizen::type::Principal& caller);

// A checked PurgeRequest.
struct PurgeScope {
  std::string cohort_id;    // from "cohorts/{cohort}"
  std::string participant;  // "cohorts/{cohort}/participants/{p}" or "" (whole cohort)
  std::string subject;      // "" unless given with `participant`
  bool whole_cohort() const { return participant.empty(); }
};

// INVALID_ARGUMENT (INVALID_NAME naming `cohort` or `participant`, or
// INVALID_FIELD) when the cohort is not "cohorts/{id}", the participant is
// not a participant of that cohort, or a subject comes without a
// participant.
absl::StatusOr<PurgeScope> ParsePurgeRequest(const kaizen::type::PurgeRequest& request);

// (kind, count) in the service's stable order, zeros included.
using Counts = std::vector<std::pair<std::string, int64_t>>;

// The report `service` answers with. For a repeated request (`repeat`),
// pass the first purge's counts and complete_time (purge.proto).
kaizen::type::PurgeReport MakeReport(absl::string_view service,
                                     const kaizen::type::PurgeRequest& request,
                                     const Counts& counts, absl::Time complete_time,
                                     bool repeat = false);

}  // namespace kaizen::purge_client

#endif  // KAIZEN_CLIENTS_PURGE_PURGE_CONTRACT_H_
