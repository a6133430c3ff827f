// Attendance as shared with a partner municipality's HR system
// (GetSharedAttendance), and the result-change log enrollment reads to
// build the partner change feed (ListResultChanges).
//
// What a partner sees is exactly what the log announces. A meeting counts
// as held here when it is CONFIRMED and its attendance was taken (it has a
// sheet): both change only by a write (RecordAttendance, ScheduleMeeting,
// CancelMeeting, ReinstateMeeting), and each of those writes appends a
// SHARE_ATTENDANCE row for everyone whose answer it changes, in its own
// transaction. GetAttendanceSummary counts a meeting as held when it is
// CONFIRMED and has started, sheet or not. Every meeting with a sheet has
// started (a sheet is taken once a meeting starts, and ScheduleMeeting
// refuses to move such a meeting into the future: ATTENDANCE_ALREADY_TAKEN),
// so the one difference is a started meeting nobody took attendance for: the
// summary counts it (unknown for everyone), employers do not, since it turns
// into "held" by the clock alone, which no log row could announce; they see
// it once its attendance is recorded. attended / late / rate follow the
// summary's rules but over this `held`: attended = PRESENT or LATE, rate =
// attended / held, a person not recorded at a held meeting is unknown there
// and counts in `held` (never silently left out of the denominator).
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "clients/partner/partner_client_errors.h"
#include "clients/partner/result_changes_contract.h"
#include "clients/partner/shared_read.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {

namespace internal {

absl::Status LogAttendanceChanges(SchedulingTx& tx, const std::set<std::string>& people,
                                  absl::Time now) {
  for (const std::string& p : people) {
    // An erased person (still on a roster fetched before enrollment removed
    // them) gets no new row: their rows went with the erasure.
    ASSIGN_OR_RETURN(bool erased, tx.IsParticipantErased(p));
    if (erased) continue;
    RETURN_IF_ERROR(tx.AppendResultChange(p, kaizen::type::SHARE_ATTENDANCE, now));
  }
  return absl::OkStatus();
}

absl::Status LogHeldMeetingChange(SchedulingTx& tx, const std::string& meeting,
                                  const RosterView& roster, absl::Time now) {
  absl::StatusOr<AttendanceSheetRecord> sheet = tx.GetAttendanceSheet(meeting);
  if (absl::IsNotFound(sheet.status())) return absl::OkStatus();  // never held here
  RETURN_IF_ERROR(sheet.status());
  std::set<std::string> people;
  for (const RosterEntry* e : roster.Participants()) people.insert(e->participant());
  for (const auto& rec : sheet->message.records()) people.insert(rec.participant());
  return LogAttendanceChanges(tx, people, now);
}

}  // namespace internal

absl::StatusOr<v1::SharedAttendance> Scheduling::GetSharedAttendance(
    const Principal& caller, const v1::GetSharedAttendanceRequest& r) {
  ASSIGN_OR_RETURN(partner_client::SharedReadRequest request,
                   partner_client::ParseSharedRead(r.participant(), r.bundle()));
  if (gate_ == nullptr) return errors::Internal("partner reads are not configured");
  // 1. Who may read (roster and consent; nothing is read before this).
  ASSIGN_OR_RETURN(partner_client::SharedReader reader,
                   gate_->Authorise(caller, request, kaizen::type::SHARE_ATTENDANCE));
  // 2. The data.
  const std::string cohort = "cohorts/" + request.cohort_id;
  v1::SharedAttendance out;
  out.set_participant(request.participant);
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(bool purged, tx.IsCohortPurged(cohort));
    if (purged) return absl::OkStatus();  // nothing personal is left
    ASSIGN_OR_RETURN(bool erased, tx.IsParticipantErased(request.participant));
    if (erased) return absl::OkStatus();
    ASSIGN_OR_RETURN(auto meetings, tx.ListMeetings(cohort));
    std::sort(meetings.begin(), meetings.end(), [](const MeetingRecord& a, const MeetingRecord& b) {
      const absl::Time ta = FromProtoTimestamp(a.message.start_time());
      const absl::Time tb = FromProtoTimestamp(b.message.start_time());
      return ta != tb ? ta < tb : a.message.sequence() < b.message.sequence();
    });
    for (const MeetingRecord& m : meetings) {
      if (m.message.state() != v1::Meeting::CONFIRMED) continue;  // cancelled: not held
      absl::StatusOr<AttendanceSheetRecord> sheet = tx.GetAttendanceSheet(m.name);
      if (absl::IsNotFound(sheet.status())) continue;  // attendance not taken (see above)
      RETURN_IF_ERROR(sheet.status());
      v1::SharedAttendance::Meeting* row = out.add_meetings();
      row->set_meeting(m.name);
      row->set_title(m.message.theme());
      *row->mutable_start_time() = m.message.start_time();
      for (const auto& rec : sheet->message.records()) {
        if (rec.participant() == request.participant) row->set_status(rec.status());
      }
      if (row->status() != v1::ABSENT && row->status() != v1::ATTENDANCE_STATUS_UNSPECIFIED) {
        out.set_attended(out.attended() + 1);
      }
      if (row->status() == v1::LATE) out.set_late(out.late() + 1);
    }
    out.set_held(out.meetings_size());
    out.set_rate(out.held() == 0 ? 0.0 : static_cast<double>(out.attended()) / out.held());
    return absl::OkStatus();
  }));
  // 3. The provision record (partners only), when anything is provided: an
  // empty answer carries nothing about the person. Enrollment re-checks
  // municipality and consent; a refusal means nothing leaves.
  if (out.meetings_size() > 0) {
    RETURN_IF_ERROR(gate_->Record(reader, {"attendance.meetings", "attendance.rate"},
                                  kGetSharedAttendanceMethod));
  }
  return out;
}

absl::StatusOr<kaizen::type::ListResultChangesResponse> Scheduling::ListResultChanges(
    const Principal& caller, const kaizen::type::ListResultChangesRequest& r) {
  RETURN_IF_ERROR(partner_client::RequireEnrollmentReader(caller));
  ASSIGN_OR_RETURN(partner_client::ResultChangesQuery query,
                   partner_client::ParseListResultChanges(r));
  kaizen::type::ListResultChangesResponse out;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(out, tx.ListResultChanges(query.after_sequence, query.page_size));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::scheduling
