// Helpers shared by the scheduling domain files (meetings.cc, polls.cc,
// tasks.cc, attendance.cc, support.cc, calendars.cc). Private to the
// :scheduling target; not part of the service's API.
#ifndef KAIZEN_SERVICES_SCHEDULING_INTERNAL_H_
#define KAIZEN_SERVICES_SCHEDULING_INTERNAL_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "clients/enrollment/roster.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling::internal {

// ---------------------------------------------------------------- names
// Each returns INVALID_ARGUMENT INVALID_NAME naming `field` for a malformed
// name (common/util/resource_name.h).

// "cohorts/{id}" -> itself, validated.
absl::StatusOr<std::string> CohortOf(absl::string_view field, absl::string_view name);

struct MeetingName {
  std::string cohort;   // "cohorts/c"
  std::string meeting;  // "cohorts/c/meetings/m3"
};
absl::StatusOr<MeetingName> ParseMeeting(absl::string_view field, absl::string_view name);

// The cohort ("cohorts/{id}") of a name matching `collections`
// (e.g. {"cohorts", "supportSlots"}).
absl::StatusOr<std::string> CohortOfChild(absl::string_view field, absl::string_view name,
                                          const std::vector<absl::string_view>& collections);

// ---------------------------------------------------------------- meetings

// The stored meeting with its etag, as the API returns it.
v1::Meeting MeetingOut(const MeetingRecord& m);

// INVALID_ARGUMENT OUTSIDE_WINDOW naming `field` unless [start, start +
// duration) lies inside the meeting's window.
absl::Status CheckInWindow(const v1::Meeting& m, absl::Time start, const std::string& field);

// Meeting.Change.kind values.
inline constexpr char kChangeConfirmed[] = "CONFIRMED";
inline constexpr char kChangeRescheduled[] = "RESCHEDULED";
inline constexpr char kChangeCancelled[] = "CANCELLED";
inline constexpr char kChangeReinstated[] = "REINSTATED";
inline constexpr char kChangeFormatChanged[] = "FORMAT_CHANGED";

// Appends a change to the meeting's history.
void AddChange(v1::Meeting& m, absl::Time now, const std::string& actor, const std::string& kind,
               std::optional<absl::Time> start, const std::string& reason);

// Confirms `m` at `start` (kind CONFIRMED) or, if it was confirmed already,
// moves it (kind RESCHEDULED, calendar_sequence + 1).
void Confirm(v1::Meeting& m, absl::Time start, absl::Time now, const std::string& actor,
             const std::string& reason);

// INVALID_ARGUMENT INVALID_URL naming `field` unless an https:// URL of at
// most 500 characters without spaces, quotes or angle brackets.
absl::Status ValidateUrl(const std::string& field, const std::string& url);

// Loads a meeting for a change, checking its etag (ABORTED ETAG_MISMATCH).
absl::StatusOr<MeetingRecord> LoadMeeting(SchedulingTx& tx, const std::string& name,
                                          const std::string& etag);

// Saves a changed meeting (bumping its revision) and sets *out to it as the
// API shows it.
absl::Status SaveMeeting(SchedulingTx& tx, MeetingRecord& m, v1::Meeting* out);

// ---------------------------------------------------------------- purge

// FAILED_PRECONDITION COHORT_PURGED when the cohort's personal data was
// purged. Called inside the write transaction of every write that would
// store personal data (a name, subject, answer, comment or actor), so a
// purge cannot be undone by a write that raced it.
absl::Status RequireNotPurged(SchedulingTx& tx, const std::string& cohort);

// FAILED_PRECONDITION PARTICIPANT_ERASED when `participant` (a roster
// entry's name; "" passes) had their personal data erased. Called inside
// the write transaction of every write that stores a row about one person
// (answer, attendance record, booking, completion, task assignment,
// support slot's staff, calendar feed), so a request built on a roster
// fetched before the erasure cannot bring them back. Defined in purge.cc.
absl::Status RequireNotErased(SchedulingTx& tx, const std::string& participant);

// ---------------------------------------------------------------- partner log
// Defined in shared_attendance.cc (which says what "held" means there).

// Appends a SHARE_ATTENDANCE result change for each of `people`
// (participant names) at `now`. Call inside the write that changed them.
absl::Status LogAttendanceChanges(SchedulingTx& tx, const std::set<std::string>& people,
                                  absl::Time now);

// After a write that changed whether, or when, `meeting` counts as held in
// GetSharedAttendance (a cancellation, reinstatement or move): if its
// attendance was taken, logs a change for every participant on `roster`
// and everyone recorded on its sheet; otherwise nothing (it was not shared).
absl::Status LogHeldMeetingChange(SchedulingTx& tx, const std::string& meeting,
                                  const enrollment_client::RosterView& roster, absl::Time now);

}  // namespace kaizen::scheduling::internal

#endif  // KAIZEN_SERVICES_SCHEDULING_INTERNAL_H_
