// A cohort's meetings (kaizen.scheduling.v1.Meeting) as other Kaizen
// services read them, and the one question they ask most: when does the
// cohort's meeting N start?
//
// Transport-free: this header includes only the scheduling messages, never
// gRPC, so a service's domain headers can depend on it. The gRPC
// implementation is grpc_meeting_source.h; tests use fake_meeting_source.h.
//
// Meetings are passed through as scheduling sends them (state, start time,
// window, format, history, ...): this library never copies fields one by one.
#ifndef KAIZEN_CLIENTS_SCHEDULING_MEETINGS_H_
#define KAIZEN_CLIENTS_SCHEDULING_MEETINGS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"

namespace kaizen::scheduling_client {

using Meeting = ::kaizen::scheduling::v1::Meeting;

// Where meetings come from. Implementations are thread-safe. Scheduling lets
// a service principal read meetings of any cohort without a roster check.
class MeetingSource {
 public:
  virtual ~MeetingSource() = default;

  // The meeting `meeting_name` ("cohorts/{cohort}/meetings/m{n}"). Errors:
  // NOT_FOUND (scheduling's own status, passed through) for an unknown
  // meeting; UNAVAILABLE (SCHEDULING_UNAVAILABLE) when scheduling cannot be
  // reached in time; INTERNAL for anything else.
  virtual absl::StatusOr<Meeting> GetMeeting(const std::string& meeting_name) = 0;

  // Every meeting of `cohort_name` ("cohorts/{cohort}") in sequence order,
  // whatever its state (cancelled ones included). A cohort scheduling has no
  // series for lists no meetings (empty, not NOT_FOUND). Errors: as
  // GetMeeting.
  virtual absl::StatusOr<std::vector<Meeting>> ListMeetings(const std::string& cohort_name) = 0;
};

// When the meeting of `cohort_name` whose `sequence` field is `sequence`
// (1-based, e.g. 6 for the sixth meeting) starts, read with one
// ListMeetings call, so a rescheduled meeting gives its new time:
//  - CONFIRMED: its start_time;
//  - UNSCHEDULED, POLLING (no date yet), CANCELLED, or STATE_UNSPECIFIED:
//    nullopt (no time to plan against);
//  - no meeting of the cohort has that sequence (including an unknown
//    cohort, and any sequence < 1): NOT_FOUND, naming
//    "{cohort_name}/meetings/m{sequence}";
//  - a CONFIRMED meeting without a start_time (scheduling broke its
//    contract): INTERNAL (MeetingsUnreadable);
//  - the source's own errors (UNAVAILABLE SCHEDULING_UNAVAILABLE, INTERNAL)
//    unchanged.
// Blocks for at most one source call.
absl::StatusOr<std::optional<absl::Time>> MeetingStart(MeetingSource& source,
                                                       const std::string& cohort_name,
                                                       int sequence);

}  // namespace kaizen::scheduling_client

#endif  // KAIZEN_CLIENTS_SCHEDULING_MEETINGS_H_
