// An in-memory RosterSource for tests: rosters set per cohort, a switch that
// makes every call fail as if enrollment were down, and a call counter.
// Thread-safe. Header-only (testonly target :fake_roster_source).
#ifndef KAIZEN_CLIENTS_ENROLLMENT_FAKE_ROSTER_SOURCE_H_
#define KAIZEN_CLIENTS_ENROLLMENT_FAKE_ROSTER_SOURCE_H_

#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "clients/enrollment/enrollment_client_errors.h"
#include "clients/enrollment/roster.h"
#include "common/status/errors.h"

namespace kaizen::enrollment_client {

class FakeRosterSource : public RosterSource {
 public:
  // Replaces the roster returned for `roster.cohort()`.
  void SetRoster(const Roster& roster) {
    absl::MutexLock lock(&mu_);
    rosters_[roster.cohort()] = roster;
  }

  // While true, every call fails with UNAVAILABLE (ENROLLMENT_UNAVAILABLE),
  // exactly as GrpcRosterSource does when enrollment is down.
  void SetUnavailable(bool unavailable) {
    absl::MutexLock lock(&mu_);
    unavailable_ = unavailable;
  }

  // GetRoster calls so far, failed ones included.
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  // NOT_FOUND (errors::NotFound("Cohort", name)) for a cohort without a
  // roster, as enrollment answers.
  absl::StatusOr<Roster> GetRoster(const std::string& cohort_name) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (unavailable_) return EnrollmentUnavailable();
    auto it = rosters_.find(cohort_name);
    if (it == rosters_.end()) return errors::NotFound("Cohort", cohort_name);
    return it->second;
  }

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, Roster> rosters_ ABSL_GUARDED_BY(mu_);
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kaizen::enrollment_client

#endif  // KAIZEN_CLIENTS_ENROLLMENT_FAKE_ROSTER_SOURCE_H_
