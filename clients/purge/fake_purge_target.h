// A PurgeTarget for tests: answers with a report of fixed counts, or fails
// the next `n` calls (a service that is down, then recovers). Records every
// request. Thread-safe, so concurrent purges can share it; HoldCalls() makes
// calls wait (a slow service) until ReleaseCalls(), and WaitForCalls(n)
// waits until n calls have arrived, so tests order threads without sleeps.
#ifndef KAIZEN_CLIENTS_PURGE_FAKE_PURGE_TARGET_H_
#define KAIZEN_CLIENTS_PURGE_FAKE_PURGE_TARGET_H_

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
    requests_.push_back(request);
    mu_.Await(absl::Condition(
        +[](bool* held) { return !*held; }, &held_));
    if (failures_left_ > 0) {
      --failures_left_;
      return failure_;
    }
    // Idempotent like a real service: a repeat of the same request deletes
    // nothing more.
    Counts counts = counts_;
    for (const auto& done : done_) {
      if (done.cohort() == request.cohort() && done.participant() == request.participant()) {
        for (auto& c : counts) c.second = 0;
      }
    }
    done_.push_back(request);
    return MakeReport(service_, request, counts, absl::FromUnixSeconds(1700000000));
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

 private:
  const std::string service_;
  const Counts counts_;
  mutable absl::Mutex mu_;
  int failures_left_ = 0;
  absl::Status failure_;
  bool held_ = false;
  std::vector<kaizen::type::PurgeRequest> requests_;
  std::vector<kaizen::type::PurgeRequest> done_;
};

}  // namespace kaizen::purge_client

#endif  // KAIZEN_CLIENTS_PURGE_FAKE_PURGE_TARGET_H_
