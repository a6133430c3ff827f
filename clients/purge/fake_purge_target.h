// A PurgeTarget for tests: answers with a report of fixed counts (a repeat
// of a request it already answered: the same counts and complete time with
// `repeat` set, as purge.proto says), fails the next `n` calls (a service
// that is down, then recovers), or answers the next call with a given report
// (a misbehaving service, to test that the caller checks it). Records every
// request. Thread-safe, so concurrent purges can share it; HoldCalls() makes
// calls wait (a slow service) until ReleaseCalls() (then they are answered
// in arrival order), and WaitForCalls(n)
// waits until n calls have arrived, so tests order threads without sleeps.
#ifndef KAIZEN_CLIENTS_PURGE_FAKE_PURGE_TARGET_H_
#define KAIZEN_CLIENTS_PURGE_FAKE_PURGE_TARGET_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/purge/purge_client_errors.h"
#include "clients/purge/purge_contract.h"
#include "clients/purge/purge_target.h"

namespace kaizen::purge_client {

class FakePurgeTarget final : public PurgeTarget {
 public:
  FakePurgeTarget(std::string service, Counts counts)
      : service_(std::move(service)), counts_(std::move(counts)) {}

  const std::string& service() const override { return service_; }

  absl::StatusOr<kaizen::type::PurgeReport> Purge(
      const kaizen::type::PurgeRequest& request) override {
    absl::MutexLock lock(&mu_);
    // Calls are answered in the order they arrived, also after held ones
    // are released, so tests know which one is the repeat.
    struct Turn {
      const FakePurgeTarget* self;
      size_t ticket;
    } turn{this, requests_.size()};
    requests_.push_back(request);
    mu_.Await(absl::Condition(
        +[](Turn* t) { return !t->self->held_ && t->self->served_ == t->ticket; }, &turn));
    ++served_;
    if (failures_left_ > 0) {
      --failures_left_;
      return failure_;
    }
    if (next_answer_.has_value()) {
      kaizen::type::PurgeReport answer = std::move(*next_answer_);
      next_answer_.reset();
      return answer;
    }
    // Idempotent like a real service: a repeat of the same request deletes
    // nothing more and answers with the first purge's counts and time.
    for (const auto& done : done_) {
      if (done.cohort() == request.cohort() && done.participant() == request.participant()) {
        return MakeReport(service_, request, counts_, kCompleteTime, /*repeat=*/true);
      }
    }
    done_.push_back(request);
    return MakeReport(service_, request, counts_, kCompleteTime);
  }

  // The next successful call answers with `report` instead (once).
  void AnswerNextWith(kaizen::type::PurgeReport report) {
    absl::MutexLock lock(&mu_);
    next_answer_ = std::move(report);
  }

  // The next `n` calls fail with `status` (default: unreachable).
  void FailNext(int n, absl::Status status = absl::OkStatus()) {
    absl::MutexLock lock(&mu_);
    failures_left_ = n;
    failure_ = status.ok() ? PurgeTargetUnavailable(service_) : status;
  }

  // Calls wait from now on until ReleaseCalls().
  void HoldCalls() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void ReleaseCalls() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  // Blocks until at least `n` calls have arrived (held or not).
  void WaitForCalls(size_t n) {
    absl::MutexLock lock(&mu_);
    struct Arg {
      const std::vector<kaizen::type::PurgeRequest>* requests;
      size_t n;
    } arg{&requests_, n};
    mu_.Await(absl::Condition(
        +[](Arg* a) { return a->requests->size() >= a->n; }, &arg));
  }

  std::vector<kaizen::type::PurgeRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

  // When the fake "committed" every purge it answers.
  static constexpr int64_t kCompleteSeconds = 1700000000;

 private:
  static inline const absl::Time kCompleteTime = absl::FromUnixSeconds(kCompleteSeconds);
  const std::string service_;
  const Counts counts_;
  mutable absl::Mutex mu_;
  int failures_left_ = 0;
  absl::Status failure_;
  bool held_ = false;
  size_t served_ = 0;  // calls answered so far
  std::vector<kaizen::type::PurgeRequest> requests_;
  std::vector<kaizen::type::PurgeRequest> done_;
  std::optional<kaizen::type::PurgeReport> next_answer_;
};

}  // namespace kaizen::purge_client

#endif  // KAIZEN_CLIENTS_PURGE_FAKE_PURGE_TARGET_H_
