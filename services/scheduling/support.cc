// Individual support slots (アクションプラン作成個別支援): CreateSupportSlot,
// ListSupportSlots, BookSupportSlot, CancelSupportBooking, DeleteSupportSlot.
// The checks and the booking are one write transaction, so of concurrent
// bookers of a slot exactly one wins, and one person's concurrent bookings
// cannot both slip past the overlap and limit rules.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/scheduling/access.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/paging.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {

namespace {

namespace ev1 = ::kaizen::enrollment::v1;

// An unbooked slot that has started is EXPIRED (computed, never stored).
bool Expired(const v1::SupportSlot& s, absl::Time now) {
  return s.state() == v1::SupportSlot::OPEN && FromProtoTimestamp(s.start_time()) <= now;
}

// Whether a participant may book `s` now: open, not started, and still
// given by someone (a slot whose staff member was erased keeps its booking
// but is never offered again once free).
bool Offered(const v1::SupportSlot& s, absl::Time now) {
  return s.state() == v1::SupportSlot::OPEN && !Expired(s, now) && !s.staff().empty();
}

v1::SupportSlot SlotOut(const SupportSlotRecord& s, absl::Time now) {
  v1::SupportSlot out = s.message;
  if (Expired(out, now)) out.set_state(v1::SupportSlot::EXPIRED);
  out.set_etag(MakeEtag(s.name, s.revision));
  return out;
}

bool Overlap(const v1::SupportSlot& a, const v1::SupportSlot& b) {
  return FromProtoTimestamp(a.start_time()) < FromProtoTimestamp(b.end_time()) &&
         FromProtoTimestamp(b.start_time()) < FromProtoTimestamp(a.end_time());
}

absl::StatusOr<std::string> CohortOfSlot(const std::string& name) {
  return internal::CohortOfChild("name", name, {"cohorts", "supportSlots"});
}

}  // namespace

absl::StatusOr<v1::SupportSlot> Scheduling::CreateSupportSlot(
    const Principal& caller, const v1::CreateSupportSlotRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(std::string cohort, internal::CohortOf("parent", r.parent()));
  const v1::SupportSlot& in = r.support_slot();
  if (!in.has_start_time()) return InvalidField("support_slot.start_time", "is required");
  if (!in.has_end_time()) return InvalidField("support_slot.end_time", "is required");
  const absl::Time start = FromProtoTimestamp(in.start_time());
  const absl::Time end = FromProtoTimestamp(in.end_time());
  if (end <= start) return EndBeforeStart("support_slot.end_time");
  if (end - start > absl::Hours(4)) {
    return InvalidField("support_slot.end_time", "a slot lasts at most 4 hours");
  }
  const absl::Time now = clock_->Now();
  if (start <= now) return InvalidField("support_slot.start_time", "must be in the future");
  RETURN_IF_ERROR(ValidateText("support_slot.location", in.location(), 0, 500, false));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  const RosterEntry* staff = roster.FindByName(in.staff());
  if (staff == nullptr || staff->role() == ev1::Participant::PARTICIPANT) {
    return NotStaff("support_slot.staff");
  }
  SupportSlotRecord slot;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort));
    RETURN_IF_ERROR(internal::RequireNotErased(tx, in.staff()));
    ASSIGN_OR_RETURN(auto slots, tx.ListSupportSlots(cohort));
    for (const auto& s : slots) {
      if (s.message.staff() == in.staff() &&
          start < FromProtoTimestamp(s.message.end_time()) &&
          FromProtoTimestamp(s.message.start_time()) < end) {
        return SlotOverlaps(s.name);
      }
    }
    slot.name = absl::StrCat(cohort, "/supportSlots/", NewId());
    slot.message.set_name(slot.name);
    slot.message.set_staff(in.staff());
    *slot.message.mutable_start_time() = in.start_time();
    *slot.message.mutable_end_time() = in.end_time();
    slot.message.set_location(TrimSpaces(in.location()));
    slot.message.set_state(v1::SupportSlot::OPEN);
    return tx.InsertSupportSlot(&slot);
  }));
  return SlotOut(slot, now);
}

absl::StatusOr<v1::ListSupportSlotsResponse> Scheduling::ListSupportSlots(
    const Principal& caller, const v1::ListSupportSlotsRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, internal::CohortOf("parent", r.parent()));
  const std::string fingerprint =
      absl::StrCat("supportSlots\x1f", cohort, "\x1f", r.open_only() ? "open" : "all");
  ASSIGN_OR_RETURN(PageRequest page,
                   ReadPageRequest(page_tokens_, fingerprint, r.page_size(), r.page_token()));
  ASSIGN_OR_RETURN(std::unique_ptr<RosterView> roster, RequireMember(caller, cohort));
  const bool staff = roster == nullptr || IsCohortStaff(caller, *roster);
  const absl::Time now = clock_->Now();
  std::vector<SupportSlotRecord> matching;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto slots, tx.ListSupportSlots(cohort));
    for (auto& s : slots) {
      if (r.open_only() && !Offered(s.message, now)) continue;
      matching.push_back(std::move(s));
    }
    return absl::OkStatus();
  }));
  // By start, then creation order: the page key.
  auto key = [](const SupportSlotRecord& s) {
    return OrderedKey({absl::ToUnixNanos(FromProtoTimestamp(s.message.start_time())), s.seq});
  };
  std::sort(matching.begin(), matching.end(),
            [&](const SupportSlotRecord& a, const SupportSlotRecord& b) { return key(a) < key(b); });
  auto cut = TakePage(std::move(matching), key, page, page_tokens_, fingerprint);
  v1::ListSupportSlotsResponse response;
  for (const auto& s : cut.items) {
    v1::SupportSlot out = SlotOut(s, now);
    if (!staff) out.clear_booked_by();  // who booked whom is not for everyone
    *response.add_support_slots() = std::move(out);
  }
  response.set_next_page_token(cut.next_page_token);
  response.set_total_size(cut.total_size);
  return response;
}

absl::StatusOr<v1::SupportSlot> Scheduling::BookSupportSlot(const Principal& caller,
                                                            const v1::BookSupportSlotRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOfSlot(r.name()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  ASSIGN_OR_RETURN(const RosterEntry* person,
                   ActingFor(caller, roster, "participant", r.participant()));
  const absl::Time now = clock_->Now();
  SupportSlotRecord slot;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort));
    RETURN_IF_ERROR(internal::RequireNotErased(tx, person->participant()));
    ASSIGN_OR_RETURN(slot, tx.GetSupportSlot(r.name()));
    if (slot.message.state() != v1::SupportSlot::OPEN) return SlotTaken();
    if (FromProtoTimestamp(slot.message.start_time()) <= now) return SlotInPast();
    if (slot.message.staff().empty()) return SlotWithdrawn();
    // The person's other bookings, read in this same transaction: no two
    // overlapping sessions (whoever gives them), and a cap on upcoming ones.
    ASSIGN_OR_RETURN(auto slots, tx.ListSupportSlots(cohort));
    int upcoming = 0;
    for (const auto& other : slots) {
      if (other.name == slot.name || other.message.state() != v1::SupportSlot::BOOKED ||
          other.message.booked_by() != person->participant()) {
        continue;
      }
      if (Overlap(other.message, slot.message)) return BookingOverlaps(other.name);
      if (FromProtoTimestamp(other.message.start_time()) > now) ++upcoming;
    }
    if (upcoming >= kMaxUpcomingSupportBookings) {
      return BookingLimit(kMaxUpcomingSupportBookings);
    }
    slot.message.set_state(v1::SupportSlot::BOOKED);
    slot.message.set_booked_by(person->participant());
    *slot.message.mutable_book_time() = ToProtoTimestamp(now);
    return tx.UpdateSupportSlot(&slot);
  }));
  return SlotOut(slot, now);
}

absl::StatusOr<v1::SupportSlot> Scheduling::CancelSupportBooking(
    const Principal& caller, const v1::CancelSupportBookingRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, CohortOfSlot(r.name()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  const RosterEntry* self = roster.FindCaller(caller);
  const bool organiser = IsOrganiserOf(caller, roster);
  // Neither a stranger nor another member learns anything about the slot.
  if (self == nullptr && !organiser) return NotYourBooking();
  SupportSlotRecord slot;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(slot, tx.GetSupportSlot(r.name()));
    const bool own = self != nullptr && self->participant() == slot.message.booked_by();
    if (!own && !organiser) return NotYourBooking();
    if (slot.message.state() != v1::SupportSlot::BOOKED) return SlotNotBooked();
    slot.message.set_state(v1::SupportSlot::OPEN);
    slot.message.clear_booked_by();
    slot.message.clear_book_time();
    return tx.UpdateSupportSlot(&slot);
  }));
  return SlotOut(slot, clock_->Now());
}

absl::StatusOr<google::protobuf::Empty> Scheduling::DeleteSupportSlot(
    const Principal& caller, const v1::DeleteSupportSlotRequest& r) {
  if (!auth::IsStaff(caller)) return NotYourSlot();
  ASSIGN_OR_RETURN(std::string cohort, CohortOfSlot(r.name()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  const RosterEntry* self = roster.FindCaller(caller);
  const bool secretariat = IsSecretariat(caller);
  // Only staff of this cohort get further; anyone else learns nothing of
  // the slot.
  if (!secretariat && !IsCohortStaff(caller, roster)) return NotYourSlot();
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(SupportSlotRecord slot, tx.GetSupportSlot(r.name()));
    const bool own = self != nullptr && self->participant() == slot.message.staff();
    if (!own && !secretariat) return NotYourSlot();
    RETURN_IF_ERROR(CheckEtag(slot.name, slot.revision, r.etag()));
    if (slot.message.state() == v1::SupportSlot::BOOKED) return SlotBooked();
    return tx.DeleteSupportSlot(slot.name);
  }));
  return google::protobuf::Empty();
}

}  // namespace kaizen::scheduling
