// Date polls: SetPollCandidates, GetPoll, AnswerPoll, ClosePoll,
// ExportPollAnswers. How a poll is decided is poll_rule.h.
#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/etag.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/scheduling/access.h"
#include "services/scheduling/feeds.h"
#include "services/scheduling/poll_export.h"
#include "services/scheduling/poll_rule.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/notifications.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {

using internal::MeetingName;
using internal::ParseMeeting;

namespace {

// The API name of a meeting's poll.
std::string PollName(const std::string& meeting) { return meeting + "/poll"; }

// The stored poll as the API shows it: its name, etag and, when a roster is
// at hand, the answerers' display names (which are not stored).
v1::Poll PollOut(const PollRecord& r, const std::string& meeting, const RosterView* roster) {
  v1::Poll out = r.message;
  out.set_name(PollName(meeting));
  out.set_etag(MakeEtag(out.name(), r.revision));
  if (roster != nullptr) {
    for (auto& a : *out.mutable_answers()) {
      const RosterEntry* e = roster->FindByName(a.participant());
      if (e != nullptr) a.set_display_name(e->display_name());
    }
  }
  return out;
}

// Removes `names` (erased people a roster fetched before their erasure may
// still list) from a result's lists of names.
void DropNames(v1::Poll::Result& result, const std::set<std::string>& names) {
  if (names.empty()) return;
  auto drop = [&](google::protobuf::RepeatedPtrField<std::string>* list) {
    for (int i = list->size() - 1; i >= 0; --i) {
      if (names.count(list->Get(i))) list->DeleteSubrange(i, 1);
    }
  };
  for (auto& slot : *result.mutable_slots()) {
    drop(slot.mutable_yes());
    drop(slot.mutable_maybe());
    drop(slot.mutable_unavailable());
    drop(slot.mutable_staff_available());
  }
}

}  // namespace

absl::StatusOr<v1::Poll> Scheduling::SetPollCandidates(const Principal& caller,
                                                       const v1::SetPollCandidatesRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  {
    ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
    RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  }
  if (r.start_times_size() < 1 || r.start_times_size() > 20) {
    return InvalidField("start_times", "must list 1 to 20 candidates");
  }
  v1::Poll out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    ASSIGN_OR_RETURN(MeetingRecord m, tx.GetMeeting(n.meeting));
    if (m.message.state() == v1::Meeting::CONFIRMED ||
        m.message.state() == v1::Meeting::CANCELLED) {
      return MeetingConfirmed();
    }
    std::vector<absl::Time> starts;
    std::set<std::string> ids;
    for (int i = 0; i < r.start_times_size(); ++i) {
      const absl::Time start = FromProtoTimestamp(r.start_times(i));
      const std::string field = absl::StrCat("start_times[", i, "]");
      RETURN_IF_ERROR(internal::CheckInWindow(m.message, start, field));
      if (!ids.insert(SlotId(start)).second) return DuplicateSlot(field);
      starts.push_back(start);
    }
    std::sort(starts.begin(), starts.end());

    PollRecord poll;
    absl::StatusOr<PollRecord> existing = tx.GetPoll(n.meeting);
    const bool fresh = absl::IsNotFound(existing.status());
    if (!fresh) {
      RETURN_IF_ERROR(existing.status());
      poll = *std::move(existing);
      RETURN_IF_ERROR(CheckEtag(PollName(n.meeting), poll.revision, r.etag()));
    }
    if (poll.message.state() == v1::Poll::CLOSED) return PollClosed(/*already=*/false);
    poll.message.set_state(v1::Poll::OPEN);
    poll.message.clear_slots();
    for (absl::Time start : starts) {
      v1::Poll::Slot* slot = poll.message.add_slots();
      slot->set_id(SlotId(start));
      *slot->mutable_start_time() = ToProtoTimestamp(start);
    }
    // Keep answers for slots that survived the edit; drop the rest.
    for (auto& answer : *poll.message.mutable_answers()) {
      auto* availability = answer.mutable_availability();
      for (auto it = availability->begin(); it != availability->end();) {
        it = ids.count(it->first) ? std::next(it) : availability->erase(it);
      }
    }
    if (fresh) {
      RETURN_IF_ERROR(tx.InsertPoll(n.meeting, &poll));
    } else {
      RETURN_IF_ERROR(tx.UpdatePoll(&poll));
    }
    if (m.message.state() != v1::Meeting::POLLING) {
      // The poll opens now (editing an open poll's candidates tells nobody).
      m.message.set_state(v1::Meeting::POLLING);
      RETURN_IF_ERROR(tx.UpdateMeeting(&m));
      RETURN_IF_ERROR(internal::NotifyPollOpened(tx, m, poll.message, clock_->Now()));
    }
    out = PollOut(poll, n.meeting, nullptr);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Poll> Scheduling::GetPoll(const Principal& caller, const v1::GetPollRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  ASSIGN_OR_RETURN(std::unique_ptr<RosterView> roster, RequireMember(caller, n.cohort));
  v1::Poll out;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    // A missing meeting is named as such; a meeting without a poll gets
    // NOT_FOUND naming "{meeting}/poll", the poll's API name.
    RETURN_IF_ERROR(tx.GetMeeting(n.meeting).status());
    ASSIGN_OR_RETURN(PollRecord poll, tx.GetPoll(n.meeting));
    out = PollOut(poll, n.meeting, roster.get());
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Poll> Scheduling::AnswerPoll(const Principal& caller,
                                                const v1::AnswerPollRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  RETURN_IF_ERROR(ValidateText("comment", r.comment(), 0, 500, true));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  ASSIGN_OR_RETURN(const RosterEntry* person,
                   ActingFor(caller, roster, "participant", r.participant()));
  const absl::Time now = clock_->Now();
  v1::Poll out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    RETURN_IF_ERROR(internal::RequireNotErased(tx, person->participant()));
    ASSIGN_OR_RETURN(MeetingRecord m, tx.GetMeeting(n.meeting));
    // Cancelling leaves the poll open (a reinstated meeting resumes it), but
    // a cancelled meeting takes no answers until then.
    if (m.message.state() == v1::Meeting::CANCELLED) return MeetingCancelled(/*already=*/false);
    ASSIGN_OR_RETURN(PollRecord poll, tx.GetPoll(n.meeting));
    if (poll.message.state() != v1::Poll::OPEN) return PollClosed(/*already=*/false);
    std::set<std::string> slot_ids;
    for (const auto& s : poll.message.slots()) slot_ids.insert(s.id());
    for (const auto& [slot, availability] : r.availability()) {
      const std::string field = absl::StrCat("availability[", slot, "]");
      if (slot_ids.count(slot) == 0) {
        return UnknownSlot(field, "is not one of the poll's slots");
      }
      if (availability == v1::AVAILABILITY_UNSPECIFIED) {
        return InvalidField(field, "must be YES, MAYBE or NO");
      }
    }
    v1::Poll::Answer* answer = nullptr;
    for (auto& a : *poll.message.mutable_answers()) {
      if (a.participant() == person->participant()) answer = &a;
    }
    if (answer == nullptr) {
      answer = poll.message.add_answers();
      answer->set_participant(person->participant());
    }
    *answer->mutable_availability() = r.availability();
    answer->set_comment(TrimSpaces(r.comment()));
    *answer->mutable_update_time() = ToProtoTimestamp(now);
    RETURN_IF_ERROR(tx.UpdatePoll(&poll));
    out = PollOut(poll, n.meeting, &roster);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Poll> Scheduling::ClosePoll(const Principal& caller,
                                               const v1::ClosePollRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  if (r.slot_id().empty()) {
    RETURN_IF_ERROR(RequireOrganiser(caller));
  } else if (!IsSecretariat(caller)) {
    return SecretariatOnly("confirm a slot by hand");
  }
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  const absl::Time now = clock_->Now();
  v1::Poll out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    ASSIGN_OR_RETURN(PollRecord poll, tx.GetPoll(n.meeting));
    RETURN_IF_ERROR(CheckEtag(PollName(n.meeting), poll.revision, r.etag()));
    if (poll.message.state() != v1::Poll::OPEN) return PollClosed(/*already=*/true);
    ASSIGN_OR_RETURN(MeetingRecord m, tx.GetMeeting(n.meeting));
    // A cancelled meeting is confirmed only by reinstating it first.
    if (m.message.state() == v1::Meeting::CANCELLED) return MeetingCancelled(/*already=*/false);
    // Only candidates the meeting still fits (its duration may have grown
    // since the poll opened) can be chosen.
    v1::Poll fitting = poll.message;
    fitting.clear_slots();
    for (const auto& slot : poll.message.slots()) {
      absl::Status fits =
          internal::CheckInWindow(m.message, FromProtoTimestamp(slot.start_time()), "slot_id");
      if (fits.ok()) {
        *fitting.add_slots() = slot;
      } else if (slot.id() == r.slot_id()) {
        return fits;
      }
    }
    ASSIGN_OR_RETURN(v1::Poll::Result result, DecidePoll(fitting, roster, r.slot_id()));
    ASSIGN_OR_RETURN(std::set<std::string> erased, tx.ListErasedParticipants(n.cohort));
    DropNames(result, erased);
    const v1::Meeting before = m.message;
    internal::Confirm(m.message, FromProtoTimestamp(result.start_time()), now,
                      result.decided_by() == kDecidedByRule ? "poll" : Actor(caller),
                      result.explanation());
    RETURN_IF_ERROR(tx.UpdateMeeting(&m));
    RETURN_IF_ERROR(internal::NotifyMeetingChange(tx, &before, m, now));
    poll.message.set_state(v1::Poll::CLOSED);
    *poll.message.mutable_result() = result;
    RETURN_IF_ERROR(tx.UpdatePoll(&poll));
    out = PollOut(poll, n.meeting, &roster);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<kaizen::type::HttpBody> Scheduling::ExportPollAnswers(
    const Principal& caller, const v1::ExportPollAnswersRequest& r) {
  if (!auth::IsStaff(caller)) return StaffOnly("export answers", /*in_cohort=*/false);
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("meeting", r.meeting()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  if (!IsCohortStaff(caller, roster)) return StaffOnly("export answers", /*in_cohort=*/true);
  CsvTable table;
  std::string filename;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(MeetingRecord m, tx.GetMeeting(n.meeting));
    ASSIGN_OR_RETURN(PollRecord poll, tx.GetPoll(n.meeting));
    filename = absl::StrCat("meeting-", m.message.sequence(), "-poll.csv");
    // A purged cohort's export is its header, and an erased person has no
    // row: the roster (enrollment's) is not turned back into rows of
    // "未回答".
    ASSIGN_OR_RETURN(bool purged, tx.IsCohortPurged(n.cohort));
    ASSIGN_OR_RETURN(std::set<std::string> erased, tx.ListErasedParticipants(n.cohort));
    table = PollAnswersTable(poll.message, roster, erased);
    if (purged) table.rows.clear();
    return absl::OkStatus();
  }));
  kaizen::type::HttpBody body;
  body.set_content_type("text/csv; charset=utf-8");
  body.set_data(RenderExcelCsv(table));
  body.set_filename(filename);
  return body;
}

}  // namespace kaizen::scheduling
