// PurgePersonalData: deletes what scheduling holds about a cohort's people
// (kaizen/type/purge.proto), for the whole cohort (retention) or one person
// (erasure on request), in one write transaction, and reports it. The
// caller and request checks and the report's shape are the shared contract
// of clients/purge/purge_contract.h, as in survey and plans.
//
// What is personal here: poll answers and their comments, the participant
// names in closed polls' results (and the staff names in their
// explanations), attendance records, support slots (the staff member who
// gives one) and bookings, task assignments and completions, calendar
// feeds (owner and account subject), the actors (account subjects) and
// free-text reasons of meeting histories, and the outbox's messages (the
// cohort's, or the reminders of the person's own tasks). Meetings themselves (themes,
// windows, dates, formats) are the programme, not anyone's data, and stay.
//
// Both kinds leave a mark: the cohort's (SchedulingTx::InsertCohortPurge)
// or the person's (InsertParticipantErasure). Every write that would store
// personal data checks the marks in its own transaction
// (internal::RequireNotPurged, internal::RequireNotErased), so nothing
// comes back, not even from a request built on a roster fetched before
// enrollment removed the person. After the commit the WAL is checkpointed
// and truncated (SchedulingStore::CheckpointWal): with secure_delete the
// deleted bytes are then gone from the files as well.
#include <array>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/purge/purge_contract.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {
namespace {

// The report's kinds, in the report's (stable) order.
enum Kind {
  kPollAnswers,
  kPollComments,
  kPollResults,
  kAttendance,
  kSupportBookings,
  kSupportSlots,
  kTaskAssignments,
  kTaskCompletions,
  kCalendarFeeds,
  kMeetingHistory,
  kResultChanges,  // the partner log's rows (issue 14); last, so older kinds keep their place
  kNotifications,  // outbox rows about them (issue 13); after it, for the same reason
  kKinds,
};
constexpr std::array<const char*, kKinds> kKindNames = {
    "poll_answers",      "poll_comments",    "poll_results",   "attendance",
    "support_bookings",  "support_slots",    "task_assignments", "task_completions",
    "calendar_feeds",    "meeting_history",  "result_changes", "notifications",
};

// Whose rows go: everyone's (whole cohort), or one person's, matched by
// participant name or by account subject.
struct Who {
  bool all = true;
  std::string participant;
  std::string subject;
  bool Is(const std::string& name) const { return all || (!name.empty() && name == participant); }
  bool IsSubject(const std::string& s) const { return !subject.empty() && s == subject; }
};

using Counts = std::array<int64_t, kKinds>;

// Removes `who` from a repeated field of names; true if anyone was removed.
bool RemoveNames(google::protobuf::RepeatedPtrField<std::string>* names, const Who& who) {
  const int before = names->size();
  for (int i = names->size() - 1; i >= 0; --i) {
    if (who.Is(names->Get(i))) names->DeleteSubrange(i, 1);
  }
  return names->size() != before;
}

// A poll's answers and result. Returns whether the poll changed; sets
// *explanation_dropped to the explanation it cleared, if any.
bool PurgePoll(v1::Poll& poll, const Who& who, Counts& n, std::string* explanation_dropped) {
  bool changed = false;
  auto* answers = poll.mutable_answers();
  for (int i = answers->size() - 1; i >= 0; --i) {
    if (!who.Is(answers->Get(i).participant())) continue;
    ++n[kPollAnswers];
    if (!answers->Get(i).comment().empty()) ++n[kPollComments];
    answers->DeleteSubrange(i, 1);
    changed = true;
  }
  if (!poll.has_result()) return changed;
  bool result_changed = false;
  bool staff_removed = false;
  for (auto& slot : *poll.mutable_result()->mutable_slots()) {
    result_changed |= RemoveNames(slot.mutable_yes(), who);
    result_changed |= RemoveNames(slot.mutable_maybe(), who);
    result_changed |= RemoveNames(slot.mutable_unavailable(), who);
    const bool staff = RemoveNames(slot.mutable_staff_available(), who);
    staff_removed |= staff;
    result_changed |= staff;
  }
  // The explanation names available staff by display name: it goes with
  // them (and with everyone, for the whole cohort).
  if ((who.all || staff_removed) && !poll.result().explanation().empty()) {
    *explanation_dropped = poll.result().explanation();
    poll.mutable_result()->clear_explanation();
    result_changed = true;
  }
  if (result_changed) ++n[kPollResults];
  return changed || result_changed;
}

// A meeting's history: actors (account subjects) and free-text reasons.
bool PurgeHistory(v1::Meeting& m, const Who& who, const std::string& explanation_dropped,
                  Counts& n) {
  bool changed = false;
  for (auto& c : *m.mutable_history()) {
    // "poll" (the closing rule) is nobody; every other actor is a subject.
    const bool actor = who.all ? !c.actor().empty() && c.actor() != "poll"
                               : who.IsSubject(c.actor());
    const bool reason = who.all ? !c.reason().empty()
                                : !explanation_dropped.empty() && c.reason() == explanation_dropped;
    if (actor) c.clear_actor();
    if (reason) c.clear_reason();
    const bool touched = actor || reason;
    if (touched) ++n[kMeetingHistory];
    changed |= touched;
  }
  return changed;
}

absl::Status PurgeMeeting(SchedulingTx& tx, MeetingRecord& m, const Who& who, Counts& n) {
  std::string explanation_dropped;
  absl::StatusOr<PollRecord> poll = tx.GetPoll(m.name);
  if (!poll.ok() && !absl::IsNotFound(poll.status())) return poll.status();
  if (poll.ok() && PurgePoll(poll->message, who, n, &explanation_dropped)) {
    RETURN_IF_ERROR(tx.UpdatePoll(&*poll));
  }
  if (PurgeHistory(m.message, who, explanation_dropped, n)) RETURN_IF_ERROR(tx.UpdateMeeting(&m));

  absl::StatusOr<AttendanceSheetRecord> sheet = tx.GetAttendanceSheet(m.name);
  if (!sheet.ok() && !absl::IsNotFound(sheet.status())) return sheet.status();
  if (sheet.ok()) {
    auto* records = sheet->message.mutable_records();
    const int before = records->size();
    for (int i = records->size() - 1; i >= 0; --i) {
      if (who.Is(records->Get(i).participant())) records->DeleteSubrange(i, 1);
    }
    n[kAttendance] += before - records->size();
    // One person's erasure keeps an emptied sheet: the meeting stays "held"
    // for partners (shared_attendance.cc), so nobody else's shared
    // attendance changes without a log row. It holds no personal data.
    if (records->empty() && who.all) {
      RETURN_IF_ERROR(tx.DeleteAttendanceSheet(m.name));
    } else if (records->size() != before) {
      RETURN_IF_ERROR(tx.UpdateAttendanceSheet(&*sheet));
    }
  }

  ASSIGN_OR_RETURN(auto tasks, tx.ListTasks(m.name));
  for (TaskRecord& t : tasks) {
    if (!t.message.assignee().empty() && who.Is(t.message.assignee())) {
      ++n[kTaskAssignments];
      n[kTaskCompletions] += t.message.done_by_size();
      RETURN_IF_ERROR(tx.DeleteTask(t.name));
      // Its reminders (naming the person) go with it; a whole cohort's
      // rows go below in one step.
      if (!who.all) {
        ASSIGN_OR_RETURN(int rows, tx.DeleteNotifications(t.name));
        n[kNotifications] += rows;
      }
      continue;
    }
    const int before = t.message.done_by_size();
    if (RemoveNames(t.message.mutable_done_by(), who)) {
      n[kTaskCompletions] += before - t.message.done_by_size();
      RETURN_IF_ERROR(tx.UpdateTask(&t));
    }
  }
  return absl::OkStatus();
}

// Whole cohort: every slot goes, with its booking. One person: a slot they
// give goes if nobody booked it; a booked one keeps the participant's
// booking with its staff member blanked (the session stands, "担当: 未定"
// in calendars; it is never offered again once free). Their own bookings
// are cancelled (the slot opens again), or the slot goes if it had no
// staff member left.
absl::Status PurgeSupport(SchedulingTx& tx, const std::string& cohort, const Who& who,
                          Counts& n) {
  ASSIGN_OR_RETURN(auto slots, tx.ListSupportSlots(cohort));
  for (SupportSlotRecord& s : slots) {
    const bool booked = s.message.state() == v1::SupportSlot::BOOKED;
    const bool gives = who.Is(s.message.staff());
    const bool takes = booked && who.Is(s.message.booked_by());
    if (!gives && !takes) continue;
    if (gives) ++n[kSupportSlots];
    if (takes || (booked && who.all)) ++n[kSupportBookings];
    const bool keep_booking = booked && !takes && !who.all;
    if (who.all || (gives && !keep_booking) || (takes && s.message.staff().empty())) {
      RETURN_IF_ERROR(tx.DeleteSupportSlot(s.name));
      continue;
    }
    if (gives) s.message.clear_staff();
    if (takes) {
      s.message.set_state(v1::SupportSlot::OPEN);
      s.message.clear_booked_by();
      s.message.clear_book_time();
    }
    RETURN_IF_ERROR(tx.UpdateSupportSlot(&s));
  }
  return absl::OkStatus();
}

absl::Status PurgeFeeds(SchedulingTx& tx, const std::string& cohort, const Who& who, Counts& n) {
  ASSIGN_OR_RETURN(auto feeds, tx.ListCalendarFeeds(cohort));
  for (const CalendarFeedRecord& f : feeds) {
    bool mine = who.Is(f.message.owner());
    if (!mine && !who.subject.empty()) {
      absl::StatusOr<CalendarFeedSecret> secret = tx.GetCalendarFeedSecret(f.name);
      if (!secret.ok() && !absl::IsNotFound(secret.status())) return secret.status();
      mine = secret.ok() && who.IsSubject(secret->owner_subject());
    }
    if (!mine) continue;
    ++n[kCalendarFeeds];
    RETURN_IF_ERROR(tx.DeleteCalendarFeed(f.name));
  }
  return absl::OkStatus();
}

// Takes one person off the hand-overs not yet handed to enrollment (an
// everyone-task's TASK_DUE lists who has not done it): a row left naming
// nobody is deleted, never sent (an empty list means everyone). Returns the
// rows deleted.
absl::StatusOr<int64_t> PurgeHandOvers(SchedulingTx& tx, const std::string& cohort,
                                       const Who& who) {
  ASSIGN_OR_RETURN(auto rows, tx.ListUndeliveredNotifications(cohort));
  int64_t deleted = 0;
  for (auto& [id, request] : rows) {
    if (request.participants().empty()) continue;  // everyone: resolved at delivery
    if (!RemoveNames(request.mutable_participants(), who)) continue;
    if (request.participants().empty()) {
      ASSIGN_OR_RETURN(bool gone, tx.DeleteUndeliveredNotification(id));
      deleted += gone ? 1 : 0;
    } else {
      RETURN_IF_ERROR(tx.ReplaceUndeliveredNotification(id, request).status());
    }
  }
  return deleted;
}

}  // namespace

absl::StatusOr<kaizen::type::PurgeReport> Scheduling::PurgePersonalData(
    const Principal& caller, const kaizen::type::PurgeRequest& r) {
  RETURN_IF_ERROR(purge_client::RequireEnrollmentCaller(caller));
  ASSIGN_OR_RETURN(purge_client::PurgeScope scope, purge_client::ParsePurgeRequest(r));
  const std::string cohort = absl::StrCat("cohorts/", scope.cohort_id);
  Who who;
  who.all = scope.whole_cohort();
  who.participant = scope.participant;
  who.subject = scope.subject;
  const absl::Time now = clock_->Now();
  kaizen::type::PurgeReport report;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    // Answered before (enrollment retries a call whose answer it lost, or
    // whose checkpoint failed): nothing more to delete, since every write
    // checks the mark; the first report stands (purge.proto, `repeat`).
    absl::StatusOr<Record<kaizen::type::PurgeReport>> prior =
        who.all ? tx.GetCohortPurge(cohort) : tx.GetParticipantErasure(who.participant);
    if (prior.ok()) {
      purge_client::Counts counts;
      for (const auto& c : prior->message.counts()) counts.emplace_back(c.kind(), c.deleted());
      report = purge_client::MakeReport("scheduling", r, counts,
                                        FromProtoTimestamp(prior->message.complete_time()),
                                        /*repeat=*/true);
      return absl::OkStatus();
    }
    if (!absl::IsNotFound(prior.status())) return prior.status();

    Counts n{};  // the transaction may be retried from the start
    ASSIGN_OR_RETURN(auto meetings, tx.ListMeetings(cohort));
    for (MeetingRecord& m : meetings) RETURN_IF_ERROR(PurgeMeeting(tx, m, who, n));
    RETURN_IF_ERROR(PurgeSupport(tx, cohort, who, n));
    RETURN_IF_ERROR(PurgeFeeds(tx, cohort, who, n));
    // The partner log's rows about them (resource names and times only,
    // but about a person): enrollment tombstones the feed itself.
    ASSIGN_OR_RETURN(n[kResultChanges], tx.DeleteResultChanges(cohort, who.participant));
    // The outbox: every message about the cohort, sent or not (a pending
    // one would tell people of a programme whose data is gone).
    if (who.all) {
      ASSIGN_OR_RETURN(n[kNotifications], tx.DeleteNotifications(cohort));
    } else {
      // What is still to be handed over no longer names them.
      ASSIGN_OR_RETURN(int64_t handovers, PurgeHandOvers(tx, cohort, who));
      n[kNotifications] += handovers;
    }
    purge_client::Counts counts;
    for (int k = 0; k < kKinds; ++k) counts.emplace_back(kKindNames[k], n[k]);
    report = purge_client::MakeReport("scheduling", r, counts, now);
    Record<kaizen::type::PurgeReport> mark;
    mark.message = report;
    return who.all ? tx.InsertCohortPurge(cohort, &mark)
                   : tx.InsertParticipantErasure(who.participant, &mark);
  }));
  // Committed. secure_delete has zeroed the deleted rows in their pages;
  // the WAL still holds the pages as they were until it is checkpointed and
  // truncated. A failure here (a reader holding on) is reported: the
  // caller retries, and the retry, deleting nothing, checkpoints again.
  RETURN_IF_ERROR(store_->CheckpointWal());
  return report;
}

absl::Status internal::RequireNotErased(SchedulingTx& tx, const std::string& participant) {
  if (participant.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool erased, tx.IsParticipantErased(participant));
  return erased ? ParticipantErased() : absl::OkStatus();
}

}  // namespace kaizen::scheduling
