// An in-memory MeetingSource for tests: meetings per cohort (set or replace
// one to simulate a confirmation, a reschedule or a cancellation), a switch
// that makes every call fail as if scheduling were down, and a call counter.
// Thread-safe. Header-only (testonly target :fake_meeting_source).
#ifndef KAIZEN_CLIENTS_SCHEDULING_FAKE_MEETING_SOURCE_H_
#define KAIZEN_CLIENTS_SCHEDULING_FAKE_MEETING_SOURCE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "clients/scheduling/meetings.h"
#include "clients/scheduling/scheduling_client_errors.h"
#include "common/status/errors.h"

namespace kaizen::scheduling_client {

class FakeMeetingSource : public MeetingSource {
 public:
  // Adds `meeting`, or replaces the meeting with the same name. Its cohort
  // is the name's "cohorts/{cohort}" prefix (the part before "/meetings/").
  void SetMeeting(const Meeting& meeting) {
    absl::MutexLock lock(&mu_);
    const std::string& name = meeting.name();
    meetings_[name.substr(0, name.find("/meetings/"))][name] = meeting;
  }

  // While true, every call fails with UNAVAILABLE (SCHEDULING_UNAVAILABLE),
  // exactly as GrpcMeetingSource does when scheduling is down.
  void SetUnavailable(bool unavailable) {
    absl::MutexLock lock(&mu_);
    unavailable_ = unavailable;
  }

  // GetMeeting and ListMeetings calls so far, failed ones included.
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  // NOT_FOUND (errors::NotFound("Meeting", name)) for a meeting never set,
  // as scheduling answers.
  absl::StatusOr<Meeting> GetMeeting(const std::string& meeting_name) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (unavailable_) return SchedulingUnavailable();
    for (const auto& [cohort, meetings] : meetings_) {
      auto it = meetings.find(meeting_name);
      if (it != meetings.end()) return it->second;
    }
    return errors::NotFound("Meeting", meeting_name);
  }

  // The cohort's meetings in sequence order; empty for a cohort without
  // meetings, as scheduling answers a service principal.
  absl::StatusOr<std::vector<Meeting>> ListMeetings(const std::string& cohort_name) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (unavailable_) return SchedulingUnavailable();
    std::multimap<int, Meeting> by_sequence;
    auto it = meetings_.find(cohort_name);
    if (it != meetings_.end()) {
      for (const auto& [name, m] : it->second) by_sequence.emplace(m.sequence(), m);
    }
    std::vector<Meeting> out;
    for (const auto& [sequence, m] : by_sequence) out.push_back(m);
    return out;
  }

 private:
  mutable absl::Mutex mu_;
  // cohort -> meeting name -> meeting.
  std::map<std::string, std::map<std::string, Meeting>> meetings_ ABSL_GUARDED_BY(mu_);
  bool unavailable_ ABSL_GUARDED_BY(mu_) = false;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace kaizen::scheduling_client

#endif  // KAIZEN_CLIENTS_SCHEDULING_FAKE_MEETING_SOURCE_H_
