#include "clients/scheduling/meetings.h"

#include "absl/strings/str_cat.h"
#include "clients/scheduling/scheduling_client_errors.h"
#include "common/status/errors.h"
#include "common/util/proto_time.h"

namespace kaizen::scheduling_client {

absl::StatusOr<std::optional<absl::Time>> MeetingStart(MeetingSource& source,
                                                       const std::string& cohort_name,
                                                       int sequence) {
  // ListMeetings rather than GetMeeting(".../m{n}"): the contract is the
  // sequence field, not how scheduling happens to spell meeting ids.
  absl::StatusOr<std::vector<Meeting>> meetings = source.ListMeetings(cohort_name);
  if (!meetings.ok()) return meetings.status();
  for (const Meeting& m : *meetings) {
    if (m.sequence() != sequence) continue;
    if (m.state() != Meeting::CONFIRMED) return std::optional<absl::Time>();
    if (!m.has_start_time()) return MeetingsUnreadable();
    return std::optional<absl::Time>(FromProtoTimestamp(m.start_time()));
  }
  return errors::NotFound("Meeting", absl::StrCat(cohort_name, "/meetings/m", sequence));
}

}  // namespace kaizen::scheduling_client
