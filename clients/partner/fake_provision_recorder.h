// An in-memory ProvisionRecorder for tests: records every request; answers a
// record name ("provisionRecords/fake-N") for each item unless that
// (participant, category) was refused with Refuse(), or fails with
// ENROLLMENT_UNAVAILABLE after SetUnavailable(true). Thread-safe.
#ifndef KAIZEN_CLIENTS_PARTNER_FAKE_PROVISION_RECORDER_H_
#define KAIZEN_CLIENTS_PARTNER_FAKE_PROVISION_RECORDER_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "clients/enrollment/enrollment_client_errors.h"
#include "clients/partner/provision_recorder.h"

namespace kaizen::partner_client {

class FakeProvisionRecorder final : public ProvisionRecorder {
 public:
  absl::StatusOr<kaizen::type::RecordProvisionResponse> Record(
      const kaizen::type::RecordProvisionRequest& request) override {
    absl::MutexLock lock(&mu_);
    if (unavailable_) return enrollment_client::EnrollmentUnavailable();
    requests_.push_back(request);
    kaizen::type::RecordProvisionResponse response;
    for (const auto& item : request.items()) {
      if (refused_.count({item.participant(), item.category()}) > 0) {
        response.add_records("");
      } else {
        response.add_records(absl::StrCat("provisionRecords/fake-", ++next_));
      }
    }
    return response;
  }

  // Enrollment answers "" for this person and category from now on (consent
  // revoked after the roster was read).
  void Refuse(const std::string& participant, kaizen::type::ShareCategory category) {
    absl::MutexLock lock(&mu_);
    refused_.insert({participant, category});
  }
  void SetUnavailable(bool unavailable) {
    absl::MutexLock lock(&mu_);
    unavailable_ = unavailable;
  }
  // Every request answered so far (not those refused as unavailable).
  std::vector<kaizen::type::RecordProvisionRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  mutable absl::Mutex mu_;
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  int next_ ABSL_GUARDED_BY(mu_) = 0;
  std::set<std::pair<std::string, int>> refused_ ABSL_GUARDED_BY(mu_);
  std::vector<kaizen::type::RecordProvisionRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_FAKE_PROVISION_RECORDER_H_
