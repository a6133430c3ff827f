// The cohort roster, which scheduling reads from the enrollment service.
//
// RosterSource is the seam: GrpcRosterSource calls
// kaizen.enrollment.v1.EnrollmentService/GetRoster with a deadline, as the
// "scheduling" service principal; tests use a fake. A roster that cannot be
// fetched is UNAVAILABLE (reason ENROLLMENT_UNAVAILABLE), so callers fail
// fast and write nothing.
#ifndef KAIZEN_SERVICES_SCHEDULING_ROSTER_H_
#define KAIZEN_SERVICES_SCHEDULING_ROSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"

namespace kaizen::scheduling {

using RosterEntry = ::kaizen::enrollment::v1::Roster::Entry;

class RosterSource {
 public:
  virtual ~RosterSource() = default;
  // The active people of "cohorts/{cohort}". NOT_FOUND for an unknown
  // cohort; UNAVAILABLE when enrollment cannot be reached in time.
  virtual absl::StatusOr<::kaizen::enrollment::v1::Roster> GetRoster(
      const std::string& cohort_name) = 0;
};

class GrpcRosterSource final : public RosterSource {
 public:
  // `channel` to the enrollment service; `signer` signs the service
  // principal (not owned).
  GrpcRosterSource(std::shared_ptr<grpc::ChannelInterface> channel,
                   const auth::PrincipalSigner* signer, absl::Duration deadline);
  absl::StatusOr<::kaizen::enrollment::v1::Roster> GetRoster(
      const std::string& cohort_name) override;

 private:
  std::unique_ptr<::kaizen::enrollment::v1::EnrollmentService::Stub> stub_;
  const auth::PrincipalSigner* signer_;
  absl::Duration deadline_;
};

// Lookups over one fetched roster.
class RosterView {
 public:
  explicit RosterView(::kaizen::enrollment::v1::Roster roster);
  const RosterEntry* FindByName(const std::string& participant) const;
  const RosterEntry* FindBySubject(const std::string& subject) const;
  // Entries with role PARTICIPANT, in roster order.
  std::vector<const RosterEntry*> Participants() const;
  const ::kaizen::enrollment::v1::Roster& roster() const { return roster_; }

  // Staff who run meetings: navigator, advisor, secretariat (observers
  // attend but do not decide a date).
  static bool IsDecidingStaff(const RosterEntry& entry);

 private:
  ::kaizen::enrollment::v1::Roster roster_;
};

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_ROSTER_H_
