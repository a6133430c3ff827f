// Participants: staff added by the secretariat, people admitted through
// applications (waitlist.h creates those), reads for staff and the person,
// cancellation, consent, fees and textbook shipments.
#include <algorithm>
#include <functional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/validation/validation.h"
#include "services/enrollment/access.h"
#include "services/enrollment/appointments.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/fees.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/municipalities.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {
namespace {

bool IsStaffRole(v1::Participant::Role role) {
  return role == v1::Participant::NAVIGATOR || role == v1::Participant::ADVISOR ||
         role == v1::Participant::OBSERVER || role == v1::Participant::SECRETARIAT;
}

// The stored participant plus its etag and what is derived on every read
// (fees.h: fee status, amount paid, balance, items to ship on `now`'s day).
v1::Participant DecorateParticipant(const ParticipantRecord& rec, const v1::Cohort& cohort,
                                    absl::Time now) {
  v1::Participant out = rec.participant;
  out.set_etag(MakeEtag(out.name(), rec.revision));
  WholeConsents(&out);
  DecorateLedger(cohort, absl::ToCivilDay(now, TokyoTimeZone()), &out);
  AddMunicipalityName(&out);
  return out;
}

// Who may act on a participation: checked before anything about it (whether
// it exists, its etag, its state) is revealed. `rec` is null when there is
// no such participation.
using MayActOnParticipant = std::function<absl::Status(const ParticipantRecord* rec)>;

// Anyone the RPC already admitted (the secretariat-only records).
absl::Status ParticipantAlreadyAuthorised(const ParticipantRecord*) { return absl::OkStatus(); }

// The participant themself or the secretariat; everyone else is refused
// whether or not the participation exists.
MayActOnParticipant SelfOrSecretariat(const Principal& caller, const char* refusal) {
  return [&caller, refusal](const ParticipantRecord* rec) -> absl::Status {
    if (IsSecretariat(caller) || (rec != nullptr && IsSelf(caller, rec->participant))) {
      return absl::OkStatus();
    }
    return Denied(caller, NotYourParticipation(refusal));
  };
}

// Shared skeleton of the participant mutations: parse, authorise the caller
// (before revealing anything), read the clock (under the write lock, so
// record times agree with commit order), load the cohort (expiring lapsed
// offers), load the participant, check the etag, run
// `fn(tx, ledger, cohort, rec, now)`, decorate.
template <typename Fn>
absl::StatusOr<v1::Participant> MutateParticipant(EnrollmentStore* store, const Clock& clock,
                                                  const Notifier& notifier,
                                                  const std::string& name,
                                                  const std::string& etag,
                                                  const MayActOnParticipant& may_act, Fn fn) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", name, "participants"));
  v1::Participant result;
  RETURN_IF_ERROR(store->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock.Now();
    {
      absl::StatusOr<ParticipantRecord> seen = tx.GetParticipant(ids.first, ids.second);
      if (!seen.ok() && !absl::IsNotFound(seen.status())) return seen.status();
      RETURN_IF_ERROR(may_act(seen.ok() ? &*seen : nullptr));
      if (!seen.ok()) return seen.status();  // NOT_FOUND, to someone entitled to know
    }
    SeatLedger ledger(tx, now, notifier);
    ASSIGN_OR_RETURN(CohortRecord cohort, ledger.LoadCohortForWrite(ids.first));
    ASSIGN_OR_RETURN(ParticipantRecord rec, tx.GetParticipant(ids.first, ids.second));
    RETURN_IF_ERROR(CheckEtag(rec.participant.name(), rec.revision, etag));
    RETURN_IF_ERROR(fn(tx, ledger, cohort, rec, now));
    result = DecorateParticipant(rec, cohort.cohort, now);
    return absl::OkStatus();
  }));
  return result;
}

// ListParticipants' filters that are not columns, on the decorated
// participant: fee status, a balance still owed, an item not yet shipped
// (active PARTICIPANTs only: staff get no books), an item that can ship now
// and has not, a consent category currently shared.
bool MatchesListFilters(const v1::Participant& p, const v1::ListParticipantsRequest& r) {
  if (r.fee_status() != v1::Participant::FEE_STATUS_UNSPECIFIED &&
      p.fee_status() != r.fee_status()) {
    return false;
  }
  if (r.owes_fee() && p.balance().units() <= 0) return false;
  if (r.awaiting_shipment()) {
    if (p.items_to_ship().empty()) return false;
    if (!r.unshipped_item_id().empty() &&
        std::find(p.items_to_ship().begin(), p.items_to_ship().end(), r.unshipped_item_id()) ==
            p.items_to_ship().end()) {
      return false;
    }
  }
  if (!r.unshipped_item_id().empty()) {
    if (p.role() != v1::Participant::PARTICIPANT || p.state() != v1::Participant::ACTIVE) {
      return false;
    }
    for (const auto& s : p.shipments()) {
      if (s.item_id() == r.unshipped_item_id()) return false;
    }
  }
  switch (r.shares()) {
    case v1::ATTENDANCE:
      return p.consent().share_attendance();
    case v1::ACTION_PLAN:
      return p.consent().share_action_plan();
    case v1::SURVEY_PROFILE:
      return p.consent().share_survey_profile();
    default:
      return true;
  }
}

}  // namespace

absl::StatusOr<v1::Participant> Enrollment::CreateParticipant(
    const Principal& caller, const v1::CreateParticipantRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  const v1::Participant& in = request.participant();
  Violations v;
  CheckRequestId(v, request.request_id());
  if (!IsStaffRole(in.role())) v.Check(StaffRoleRequired());
  v.Check(ValidateText("participant.display_name", in.display_name(), 1, 100, false));
  if (!in.kana().empty()) v.Check(ValidateKana("participant.kana", in.kana()));
  if (!in.email().empty()) v.Check(ValidateEmail("participant.email", in.email()));
  if (!in.municipality_code().empty()) {
    v.Check(CheckMunicipality("participant.municipality_code", in.municipality_code()));
  }
  v.Check(ValidateText("participant.department", in.department(), 0, 100, false));
  v.Check(ValidateText("participant.subject", in.subject(), 0, 200, false));
  if (absl::StartsWith(in.subject(), "partner:")) v.Check(SubjectReserved());
  RETURN_IF_ERROR(v.Result());

  const std::string scope =
      absl::StrCat("CreateParticipant\x1f", request.parent(), "\x1f", caller.subject());
  v1::Participant result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();  // under the write lock
    ASSIGN_OR_RETURN(auto replayed, Replayed(tx, scope, request.request_id(), request));
    if (replayed.has_value()) {
      ASSIGN_OR_RETURN(auto ids, ParseChildName("name", *replayed, "participants"));
      ASSIGN_OR_RETURN(ParticipantRecord rec, tx.GetParticipant(ids.first, ids.second));
      ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(ids.first));
      result = DecorateParticipant(rec, cohort.cohort, now);
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(cohort_id));
    if (cohort.cohort.state() == v1::Cohort::FINISHED) {
      return CohortFinished("the cohort has finished");
    }
    ParticipantRecord rec;
    rec.cohort_id = cohort_id;
    rec.id = NewTimeOrderedId(now);
    rec.revision = 1;
    v1::Participant& p = rec.participant;
    p.set_name(ParticipantName(cohort_id, rec.id));
    p.set_subject(in.subject());
    p.set_display_name(TrimSpaces(in.display_name()));
    p.set_kana(TrimSpaces(in.kana()));
    p.set_email(TrimSpaces(in.email()));
    p.set_municipality_code(in.municipality_code());
    p.set_department(TrimSpaces(in.department()));
    p.set_role(in.role());
    p.set_state(v1::Participant::ACTIVE);
    p.set_fee_status(v1::Participant::WAIVED);
    *p.mutable_create_time() = ToProto(now);
    *p.mutable_update_time() = ToProto(now);
    RETURN_IF_ERROR(CheckAppointment(tx, cohort_id, p));
    RETURN_IF_ERROR(tx.InsertParticipant(&rec));
    if (!request.request_id().empty()) {
      RETURN_IF_ERROR(
          tx.SaveRequestId(scope, request.request_id(), {Fingerprint(request), p.name()}, now));
    }
    result = DecorateParticipant(rec, cohort.cohort, now);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Participant> Enrollment::GetParticipant(
    const Principal& caller, const v1::GetParticipantRequest& request) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", request.name(), "participants"));
  v1::Participant result;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    // Authorise before revealing whether the participation exists.
    absl::StatusOr<ParticipantRecord> found = tx.GetParticipant(ids.first, ids.second);
    if (!found.ok() && !absl::IsNotFound(found.status())) return found.status();
    ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, ids.first, caller));
    if (!staff && !(found.ok() && IsSelf(caller, found->participant))) {
      return Denied(caller, NotYourParticipation(
                                "only staff and the participant themself may see this"));
    }
    if (!found.ok()) return found.status();
    const ParticipantRecord& rec = *found;
    ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(ids.first));
    result = DecorateParticipant(rec, cohort.cohort, clock_->Now());
    if (!IsSecretariat(caller) && !IsSelf(caller, rec.participant)) {
      RedactParticipantForStaff(&result);
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListParticipantsResponse> Enrollment::ListParticipants(
    const Principal& caller, const v1::ListParticipantsRequest& request) {
  if (!auth::IsStaff(caller)) {
    return Denied(caller, StaffOnly("only programme staff may list participants"));
  }
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  Violations v;
  if (!v1::Participant::Role_IsValid(request.role())) v.Check(InvalidFilter("role"));
  if (!v1::Participant::FeeStatus_IsValid(request.fee_status())) {
    v.Check(InvalidFilter("fee_status"));
  }
  if (!v1::ConsentCategory_IsValid(request.shares())) v.Check(InvalidFilter("shares"));
  if (!request.municipality_code().empty()) {
    v.Check(CheckMunicipality("municipality_code", request.municipality_code()));
  }
  RETURN_IF_ERROR(v.Result());
  // Fees and shipments are the secretariat's (RedactParticipantForStaff):
  // filtering by them would reveal them to other staff.
  if ((request.fee_status() != v1::Participant::FEE_STATUS_UNSPECIFIED ||
       !request.unshipped_item_id().empty() || request.owes_fee() ||
       request.awaiting_shipment()) &&
      !IsSecretariat(caller)) {
    return SecretariatOnly();
  }
  const std::string fingerprint = absl::StrCat(
      "participants\x1f", request.parent(), "\x1f", request.role(), "\x1f",
      request.municipality_code(), "\x1f", request.fee_status(), "\x1f",
      request.unshipped_item_id(), "\x1f", request.shares(), "\x1f", request.owes_fee(), "\x1f",
      request.awaiting_shipment());
  const absl::Time now = clock_->Now();
  int64_t after_seq = 0;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, request.page_token()));
    if (!absl::SimpleAtoi(position, &after_seq)) return InvalidPageToken();
  }
  ParticipantFilter filter;
  if (request.role() != v1::Participant::ROLE_UNSPECIFIED) filter.role = request.role();
  filter.municipality_code = request.municipality_code();
  v1::ListParticipantsResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    // The caller first: whether the cohort exists is for its staff to know.
    ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, cohort_id, caller));
    if (!staff) return Denied(caller, StaffOnly("only this cohort's staff may list its people"));
    ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(cohort_id));
    if (!request.unshipped_item_id().empty() &&
        std::none_of(cohort.cohort.included_items().begin(), cohort.cohort.included_items().end(),
                     [&](const v1::IncludedItem& i) { return i.id() == request.unshipped_item_id(); })) {
      return UnknownItem("unshipped_item_id");
    }
    // Role and municipality in SQL; the rest from each participant. A cohort
    // has at most 1000 seats plus staff, so one pass over it gives an exact
    // total_size; positions stay keys (seq), never offsets.
    ASSIGN_OR_RETURN(auto rows, tx.ListParticipants(cohort_id, filter, 0, 0));
    int total = 0;
    int64_t last_seq = 0;
    bool more = false;
    for (const ParticipantRecord& rec : rows) {
      v1::Participant decorated = DecorateParticipant(rec, cohort.cohort, now);
      if (!MatchesListFilters(decorated, request)) continue;
      ++total;
      if (rec.seq <= after_seq || more) continue;
      if (response.participants_size() == page_size) {
        more = true;
        continue;
      }
      v1::Participant* out = response.add_participants();
      *out = std::move(decorated);
      if (!IsSecretariat(caller)) RedactParticipantForStaff(out);
      last_seq = rec.seq;
    }
    response.set_total_size(total);
    if (more) response.set_next_page_token(page_tokens_.Encode(fingerprint, absl::StrCat(last_seq)));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Participant> Enrollment::CancelParticipant(
    const Principal& caller, const v1::CancelParticipantRequest& request) {
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), 0, 500, true));
  return MutateParticipant(
      store_, *clock_, notifier_, request.name(), request.etag(),
      SelfOrSecretariat(caller, "only the participant themself and the secretariat may cancel"),
      [&](EnrollmentTx& tx, SeatLedger& ledger, const CohortRecord& cohort,
          ParticipantRecord& rec, absl::Time now) -> absl::Status {
        if (rec.participant.state() != v1::Participant::ACTIVE) return AlreadyCancelled();
        rec.participant.set_state(v1::Participant::CANCELLED);
        RETURN_IF_ERROR(SaveParticipant(tx, rec, now));
        return ledger.Promote(cohort);
      });
}

absl::StatusOr<v1::Participant> Enrollment::UpdateConsent(
    const Principal& caller, const v1::UpdateConsentRequest& request) {
  // "The complete new consent": an empty body, `{"consent": {}}` or a
  // forgotten field must not read as "share nothing" (revoking by
  // accident). The three fields have presence (Consent in the proto); to
  // share nothing, send the three false.
  if (!request.has_consent()) return FieldRequired("consent");
  return MutateParticipant(
      store_, *clock_, notifier_, request.name(), request.etag(),
      SelfOrSecretariat(caller,
                        "only the participant themself and the secretariat may change consent"),
      [&](EnrollmentTx& tx, SeatLedger&, const CohortRecord&, ParticipantRecord& rec,
          absl::Time now) -> absl::Status {
        // The fields after the caller (authorise first: a stranger is
        // refused whatever the body says).
        const v1::Consent& c = request.consent();
        Violations v;
        if (!c.has_share_attendance()) v.Check(FieldRequired("consent.share_attendance"));
        if (!c.has_share_action_plan()) v.Check(FieldRequired("consent.share_action_plan"));
        if (!c.has_share_survey_profile()) v.Check(FieldRequired("consent.share_survey_profile"));
        RETURN_IF_ERROR(v.Result());
        *rec.participant.mutable_consent() = request.consent();
        auto* change = rec.participant.add_consent_history();
        *change->mutable_consent() = request.consent();
        *change->mutable_time() = ToProto(now);
        change->set_actor(Actor(caller));
        return SaveParticipant(tx, rec, now);
      });
}

absl::StatusOr<v1::Participant> Enrollment::RecordPayment(
    const Principal& caller, const v1::RecordPaymentRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  Violations v;
  CheckRequestId(v, request.request_id());
  using Payment = v1::Participant::Payment;
  if (request.kind() == Payment::KIND_UNSPECIFIED || !Payment::Kind_IsValid(request.kind())) {
    v.Add("kind", "must be PAYMENT, WAIVER, REFUND or WAIVER_REVOKED");
  } else if (request.kind() == Payment::WAIVER || request.kind() == Payment::WAIVER_REVOKED) {
    if (request.amount().units() != 0 || request.amount().nanos() != 0) {
      v.Add("amount", request.kind() == Payment::WAIVER ? "must be empty for a waiver"
                                                        : "must be empty for a waiver revocation");
    }
  } else {
    CheckMoney(v, "amount", request.amount(), /*allow_zero=*/false);
  }
  v.Check(ValidateText("note", request.note(), 0, 500, true));
  RETURN_IF_ERROR(v.Result());
  const std::string scope = absl::StrCat("RecordPayment\x1f", request.name());
  return MutateParticipant(
      store_, *clock_, notifier_, request.name(), "", ParticipantAlreadyAuthorised,
      [&](EnrollmentTx& tx, SeatLedger&, const CohortRecord& cohort, ParticipantRecord& rec,
          absl::Time now) -> absl::Status {
        ASSIGN_OR_RETURN(auto replayed, Replayed(tx, scope, request.request_id(), request));
        if (replayed.has_value()) return absl::OkStatus();  // recorded already
        v1::Participant& p = rec.participant;
        RETURN_IF_ERROR(CheckLedgerEntry(ComputeFeePosition(cohort.cohort, p), request.kind(),
                                         request.amount().units()));
        Payment* payment = p.add_payments();
        payment->set_kind(request.kind());
        *payment->mutable_amount() = request.amount();
        payment->mutable_amount()->set_currency_code(std::string(kCurrencyCode));
        *payment->mutable_time() = ToProto(now);
        payment->set_note(TrimSpaces(request.note()));
        payment->set_recorded_by(caller.subject());
        // Stored for readers of old rows; every response derives it again.
        p.set_fee_status(ComputeFeePosition(cohort.cohort, p).status);
        if (!request.request_id().empty()) {
          RETURN_IF_ERROR(
              tx.SaveRequestId(scope, request.request_id(), {Fingerprint(request), p.name()}, now));
        }
        // Fees are not the partners' business: no feed change.
        *p.mutable_update_time() = ToProto(now);
        return tx.UpdateParticipant(&rec);
      });
}

absl::StatusOr<v1::Participant> Enrollment::RecordShipment(
    const Principal& caller, const v1::RecordShipmentRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  RETURN_IF_ERROR(ValidateText("note", request.note(), 0, 500, true));
  return MutateParticipant(
      store_, *clock_, notifier_, request.name(), "", ParticipantAlreadyAuthorised,
      [&](EnrollmentTx& tx, SeatLedger&, const CohortRecord& cohort, ParticipantRecord& rec,
          absl::Time now) -> absl::Status {
        const v1::IncludedItem* item = nullptr;
        for (const auto& i : cohort.cohort.included_items()) {
          if (i.id() == request.item_id()) item = &i;
        }
        if (item == nullptr) return UnknownItem();
        const absl::CivilDay today = absl::ToCivilDay(now, TokyoTimeZone());
        if (today < ToCivil(item->available_date())) {
          return ItemNotYetAvailable(item->available_date());
        }
        for (const auto& s : rec.participant.shipments()) {
          if (s.item_id() == request.item_id()) return AlreadyShipped();
        }
        auto* shipment = rec.participant.add_shipments();
        shipment->set_item_id(request.item_id());
        *shipment->mutable_ship_time() = ToProto(now);
        shipment->set_note(TrimSpaces(request.note()));
        *rec.participant.mutable_update_time() = ToProto(now);
        return tx.UpdateParticipant(&rec);
      });
}

}  // namespace kaizen::enrollment
