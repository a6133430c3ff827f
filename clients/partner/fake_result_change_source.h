// An in-memory ResultChangeSource for tests: a log with increasing
// sequences (Append), answered as a real service answers ListResultChanges
// (changes after the position, at most page_size, last_sequence = the last
// one returned or the request's position when nothing is new). After
// SetUnavailable(true) every call fails with RESULT_SOURCE_UNAVAILABLE, as
// GrpcResultChangeSource does for a service that is down. Records each call
// (calls()). Thread-safe.
#ifndef KAIZEN_CLIENTS_PARTNER_FAKE_RESULT_CHANGE_SOURCE_H_
#define KAIZEN_CLIENTS_PARTNER_FAKE_RESULT_CHANGE_SOURCE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/partner/result_change_source.h"
#include "common/util/proto_time.h"

namespace kaizen::partner_client {

class FakeResultChangeSource final : public ResultChangeSource {
 public:
  explicit FakeResultChangeSource(std::string service) : service_(std::move(service)) {}

  const std::string& service() const override { return service_; }

  absl::StatusOr<kaizen::type::ListResultChangesResponse> List(int64_t after_sequence,
                                                               int page_size) override {
    absl::MutexLock lock(&mu_);
    calls_.push_back({after_sequence, page_size});
    if (unavailable_) return ResultSourceUnavailable(service_);
    kaizen::type::ListResultChangesResponse response;
    response.set_last_sequence(after_sequence);
    for (const auto& change : log_) {
      if (change.sequence() <= after_sequence) continue;
      if (response.changes_size() >= page_size) break;
      *response.add_changes() = change;
      response.set_last_sequence(change.sequence());
    }
    return response;
  }

  // Appends a change (sequence = the previous one + 1, or + `gap` to stand
  // for rows purged since); returns its sequence.
  int64_t Append(const std::string& participant, kaizen::type::ShareCategory category,
                 absl::Time time, int64_t gap = 1) {
    absl::MutexLock lock(&mu_);
    next_ += gap;
    kaizen::type::ResultChange change;
    change.set_sequence(next_);
    change.set_participant(participant);
    change.set_category(category);
    *change.mutable_time() = ToProtoTimestamp(time);
    log_.push_back(std::move(change));
    return next_;
  }

  void SetUnavailable(bool unavailable) {
    absl::MutexLock lock(&mu_);
    unavailable_ = unavailable;
  }

  struct Call {
    int64_t after_sequence;
    int page_size;
  };
  // Every call so far, unavailable ones included.
  std::vector<Call> calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  const std::string service_;
  mutable absl::Mutex mu_;
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<kaizen::type::ResultChange> log_ ABSL_GUARDED_BY(mu_);
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_FAKE_RESULT_CHANGE_SOURCE_H_
