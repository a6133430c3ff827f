// Attendance: RecordAttendance, GetMeetingAttendance, GetAttendanceSummary.
// A meeting has at most one sheet; it stores participant names and
// statuses, never display names (those come from the roster when read).
//
// Attendance is taken once a meeting has started (on the service's clock):
// a sheet filled in ahead would count a meeting as held before it is.
// Rates are over meetings held (confirmed and started): a person whose row
// was not recorded at a held meeting is unknown there, shown as such, never
// silently left out of the denominator (which would turn 1 of 1 recorded
// into 100%).
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "services/scheduling/access.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {

using internal::MeetingName;
using internal::ParseMeeting;

namespace {

// Records one RecordAttendance may carry: more than any cohort's roster.
constexpr int kMaxAttendanceRecords = 500;

// Display names come from the roster at read time; sheets store none.
v1::MeetingAttendance WithNames(v1::MeetingAttendance sheet, const RosterView& roster) {
  for (auto& rec : *sheet.mutable_records()) {
    const RosterEntry* e = roster.FindByName(rec.participant());
    if (e != nullptr) rec.set_display_name(e->display_name());
  }
  return sheet;
}

}  // namespace

absl::StatusOr<v1::MeetingAttendance> Scheduling::RecordAttendance(
    const Principal& caller, const v1::RecordAttendanceRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  if (r.records_size() == 0) return InvalidField("records", "must not be empty");
  // One record per person of a cohort (tens); checked before any work.
  if (r.records_size() > kMaxAttendanceRecords) {
    return InvalidField("records", absl::StrCat("must list at most ", kMaxAttendanceRecords,
                                                " people"));
  }
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  for (int i = 0; i < r.records_size(); ++i) {
    const auto& rec = r.records(i);
    if (roster.FindByName(rec.participant()) == nullptr) {
      return PersonNotOnRoster(absl::StrCat("records[", i, "].participant"));
    }
    // A number outside the enum (JSON and proto3 keep it) would count as
    // attended wherever "not ABSENT" is counted.
    if (rec.status() == v1::ATTENDANCE_STATUS_UNSPECIFIED ||
        !v1::AttendanceStatus_IsValid(rec.status())) {
      return InvalidField(absl::StrCat("records[", i, "].status"),
                          "must be PRESENT, LATE or ABSENT");
    }
  }
  const absl::Time now = clock_->Now();
  v1::MeetingAttendance out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    for (const auto& rec : r.records()) {
      RETURN_IF_ERROR(internal::RequireNotErased(tx, rec.participant()));
    }
    ASSIGN_OR_RETURN(MeetingRecord m, tx.GetMeeting(n.meeting));
    if (m.message.state() != v1::Meeting::CONFIRMED) return MeetingNotConfirmed();
    if (FromProtoTimestamp(m.message.start_time()) > now) return MeetingNotStarted();
    absl::StatusOr<AttendanceSheetRecord> existing = tx.GetAttendanceSheet(n.meeting);
    AttendanceSheetRecord sheet;
    const bool fresh = absl::IsNotFound(existing.status());
    if (!fresh) {
      RETURN_IF_ERROR(existing.status());
      sheet = *std::move(existing);
    } else {
      sheet.message.set_meeting(n.meeting);
    }
    std::map<std::string, v1::AttendanceStatus> status;
    for (const auto& rec : sheet.message.records()) status[rec.participant()] = rec.status();
    // The partner log (shared_attendance.cc): a first sheet makes the
    // meeting held for every participant (unknown where not recorded);
    // after that, only the people whose status changes.
    std::set<std::string> changed;
    if (fresh) {
      for (const RosterEntry* p : roster.Participants()) changed.insert(p->participant());
    }
    for (const auto& rec : r.records()) {
      auto it = status.find(rec.participant());
      if (it == status.end() || it->second != rec.status()) changed.insert(rec.participant());
      status[rec.participant()] = rec.status();
    }
    // The roster's people in roster order, then the sheet's people no longer
    // on the roster (cancelled, withdrawn: their attendance stays part of
    // the meeting's record) in the order they had, unless erased.
    const v1::MeetingAttendance previous = sheet.message;
    sheet.message.clear_records();
    for (const RosterEntry& e : roster.roster().entries()) {  // roster order
      auto it = status.find(e.participant());
      if (it == status.end()) continue;
      auto* rec = sheet.message.add_records();
      rec->set_participant(e.participant());  // names are not stored
      rec->set_status(it->second);
    }
    for (const auto& kept : previous.records()) {
      if (roster.FindByName(kept.participant()) != nullptr) continue;  // placed above
      ASSIGN_OR_RETURN(bool erased, tx.IsParticipantErased(kept.participant()));
      if (erased) continue;
      *sheet.message.add_records() = kept;
    }
    if (fresh) {
      RETURN_IF_ERROR(tx.InsertAttendanceSheet(n.meeting, &sheet));
    } else {
      RETURN_IF_ERROR(tx.UpdateAttendanceSheet(&sheet));
    }
    RETURN_IF_ERROR(internal::LogAttendanceChanges(tx, changed, now));
    out = WithNames(sheet.message, roster);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::MeetingAttendance> Scheduling::GetMeetingAttendance(
    const Principal& caller, const v1::GetMeetingAttendanceRequest& r) {
  if (!auth::IsStaff(caller)) return StaffOnly("see attendance sheets", /*in_cohort=*/false);
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  if (!IsCohortStaff(caller, roster)) {
    return StaffOnly("see attendance sheets", /*in_cohort=*/true);
  }
  v1::MeetingAttendance out;
  out.set_meeting(n.meeting);
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.GetMeeting(n.meeting).status());
    auto sheet = tx.GetAttendanceSheet(n.meeting);
    if (sheet.ok()) out = WithNames(sheet->message, roster);
    return absl::IsNotFound(sheet.status()) ? absl::OkStatus() : sheet.status();
  }));
  return out;
}

absl::StatusOr<v1::AttendanceSummary> Scheduling::GetAttendanceSummary(
    const Principal& caller, const v1::GetAttendanceSummaryRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, internal::CohortOf("parent", r.parent()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  const RosterEntry* self = roster.FindCaller(caller);
  const bool staff = IsCohortStaff(caller, roster);
  if (!staff && self == nullptr) {
    return CallerNotOnRoster("only this cohort's members and staff may see this");
  }
  v1::AttendanceSummary summary;
  summary.set_cohort(cohort);
  const absl::Time now = clock_->Now();
  std::set<std::string> erased;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(bool purged, tx.IsCohortPurged(cohort));
    if (purged) return absl::OkStatus();  // nothing personal is left to summarise
    ASSIGN_OR_RETURN(auto meetings, tx.ListMeetings(cohort));
    ASSIGN_OR_RETURN(erased, tx.ListErasedParticipants(cohort));
    std::map<std::string, v1::AttendanceSummary::Row> rows;
    int held = 0;
    for (const auto& m : meetings) {
      if (m.message.state() != v1::Meeting::CONFIRMED) continue;  // cancelled: not held
      // Still to come: not held. (A meeting with a sheet cannot be moved
      // into the future any more, ATTENDANCE_ALREADY_TAKEN; this also keeps
      // a sheet of one moved before that rule out of the count.)
      if (FromProtoTimestamp(m.message.start_time()) > now) continue;
      auto sheet = tx.GetAttendanceSheet(m.name);
      if (!sheet.ok() && !absl::IsNotFound(sheet.status())) return sheet.status();
      ++held;
      if (!sheet.ok()) continue;  // held, nobody recorded: unknown for everyone
      for (const auto& rec : sheet->message.records()) {
        auto& row = rows[rec.participant()];
        row.set_recorded(row.recorded() + 1);
        if (rec.status() != v1::ABSENT) row.set_attended(row.attended() + 1);
        if (rec.status() == v1::LATE) row.set_late(row.late() + 1);
      }
    }
    summary.set_meetings_held(held);
    for (const RosterEntry* p : roster.Participants()) {
      if (!staff && p != self) continue;
      if (erased.count(p->participant())) continue;  // erased: no row
      v1::AttendanceSummary::Row row = rows[p->participant()];
      row.set_participant(p->participant());
      row.set_display_name(p->display_name());
      row.set_held(held);
      row.set_unknown(held - row.recorded());
      row.set_rate(held == 0 ? 0.0 : static_cast<double>(row.attended()) / held);
      *summary.add_rows() = row;
    }
    return absl::OkStatus();
  }));
  return summary;
}

}  // namespace kaizen::scheduling
