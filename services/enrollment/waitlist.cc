#include "services/enrollment/waitlist.h"

#include <optional>
#include <vector>

#include "common/status/status_macros.h"
#include "common/util/ids.h"
#include "services/enrollment/appointments.h"
#include "services/enrollment/decisions.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"

namespace kaizen::enrollment {

bool IsLiveCohort(v1::Cohort::State s) {
  return s == v1::Cohort::OPEN || s == v1::Cohort::CLOSED || s == v1::Cohort::RUNNING;
}

// Usage without the seats application `exclude_id` holds ("" = none left
// out), from the counters the database keeps on every write (usage_sql.h):
// a few rows, whatever the cohort's size.
absl::StatusOr<Usage> SeatUsageWithout(EnrollmentTx& tx, const std::string& cohort_id,
                                       const std::string& exclude_id) {
  ASSIGN_OR_RETURN(std::vector<UsageRow> counters, tx.ListCohortUsage(cohort_id));
  std::optional<UsageRow> held;
  if (!exclude_id.empty()) {
    ASSIGN_OR_RETURN(held, tx.HeldByApplication(cohort_id, exclude_id));
  }
  Usage usage;
  for (const UsageRow& row : counters) {
    int holders = row.holders;
    int seats = row.seats;
    if (held.has_value() && held->municipality_code == row.municipality_code) {
      holders -= held->holders;
      seats -= held->seats;
    }
    usage.seats += seats;
    if (holders > 0) usage.municipalities.insert(row.municipality_code);
  }
  return usage;
}

absl::StatusOr<Usage> SeatUsage(EnrollmentTx& tx, const std::string& cohort_id) {
  return SeatUsageWithout(tx, cohort_id, "");
}

absl::StatusOr<int> WaitlistPosition(EnrollmentTx& tx, const ApplicationRecord& app) {
  if (app.application.state() != v1::Application::WAITLISTED) return 0;
  return tx.WaitlistPlace(app.cohort_id, app.id);
}

absl::StatusOr<AdmissionDecision> SeatLedger::Fit(const CohortRecord& cohort,
                                                  const ApplicationRecord& app) {
  // An application not stored yet (seq 0: a new arrival) holds nothing, so
  // its arrival skips the lookup of what it holds.
  ASSIGN_OR_RETURN(Usage usage, SeatUsageWithout(tx_, cohort.id, app.seq == 0 ? "" : app.id));
  return Admit(cohort.cohort, usage, app.application.municipality_code(),
               app.application.members_size());
}

absl::StatusOr<CohortRecord> SeatLedger::LoadCohortForWrite(const std::string& cohort_id) {
  ASSIGN_OR_RETURN(CohortRecord cohort, tx_.GetCohort(cohort_id));
  RETURN_IF_ERROR(ExpireLapsedOffers(cohort).status());
  return cohort;
}

absl::StatusOr<int> SeatLedger::ExpireLapsedOffers(const CohortRecord& cohort) {
  if (!IsLiveCohort(cohort.cohort.state())) return 0;
  ApplicationFilter lapsed;
  lapsed.offer_expire_by = now_;  // indexed: only the lapsed offers are read
  ASSIGN_OR_RETURN(auto offers, tx_.ListApplications(cohort.id, lapsed, std::nullopt, 0));
  int expired = 0;
  for (ApplicationRecord& rec : offers) {
    if (FromProto(rec.application.offer_expire_time()) > now_) continue;
    AddHistory(rec.application, v1::Application::EXPIRED, now_, kSystemActor, kOfferExpired,
               Decision::OFFER_EXPIRED);
    rec.application.set_admitted_member_count(0);
    RETURN_IF_ERROR(tx_.ReleaseEmails(rec.cohort_id, rec.id));
    RETURN_IF_ERROR(SaveStateChange(rec));
    ++expired;
  }
  if (expired > 0) RETURN_IF_ERROR(Promote(cohort));
  return expired;
}

absl::Status SeatLedger::Promote(const CohortRecord& cohort) {
  if (!IsLiveCohort(cohort.cohort.state())) return absl::OkStatus();
  ASSIGN_OR_RETURN(Usage usage, SeatUsage(tx_, cohort.id));
  if (usage.seats >= cohort.cohort.capacity()) return absl::OkStatus();
  ApplicationFilter waiting;
  waiting.state = v1::Application::WAITLISTED;
  ASSIGN_OR_RETURN(auto queue, tx_.ListApplications(cohort.id, waiting, std::nullopt, 0));
  const absl::Duration ttl = FromProto(cohort.cohort.offer_ttl());
  std::optional<CohortStaff> staff;
  if (!queue.empty()) {
    ASSIGN_OR_RETURN(staff, CohortStaff::Load(tx_, cohort.id));
  }
  for (ApplicationRecord& rec : queue) {
    v1::Application& app = rec.application;
    if (staff->StaffMemberOf(app, app.members_size()) >= 0) {
      // Never offered a seat; its waiting place and e-mails are freed.
      AddHistory(app, v1::Application::REJECTED, now_, kSystemActor, kMemberIsStaff,
                 Decision::REJECT);
      RETURN_IF_ERROR(tx_.ReleaseEmails(rec.cohort_id, rec.id));
      RETURN_IF_ERROR(SaveStateChange(rec));
      continue;
    }
    AdmissionDecision d = Admit(cohort.cohort, usage, app.municipality_code(), app.members_size());
    if (d.admitted == 0) continue;
    app.set_admitted_member_count(d.admitted);
    *app.mutable_offer_expire_time() = ToProto(now_ + ttl);
    AddHistory(app, v1::Application::OFFERED, now_, kSystemActor, kSeatAvailable,
               Decision::OFFER);
    RETURN_IF_ERROR(SaveStateChange(rec));
    usage.Add(app.municipality_code(), d.admitted);
    if (usage.seats >= cohort.cohort.capacity()) break;
  }
  return absl::OkStatus();
}

absl::Status SeatLedger::SaveCohort(CohortRecord& cohort) {
  *cohort.cohort.mutable_update_time() = ToProto(now_);
  RETURN_IF_ERROR(tx_.UpdateCohort(&cohort));
  return Promote(cohort);
}

absl::Status SeatLedger::AdmitApplication(const CohortRecord& cohort, ApplicationRecord& rec,
                                          int admitted, absl::string_view actor,
                                          absl::string_view reason, Decision::Kind decision) {
  ASSIGN_OR_RETURN(CohortStaff staff, CohortStaff::Load(tx_, rec.cohort_id));
  return AdmitWithStaff(cohort, rec, admitted, actor, reason, decision, staff);
}

absl::Status SeatLedger::AdmitWithStaff(const CohortRecord& cohort, ApplicationRecord& rec,
                                        int admitted, absl::string_view actor,
                                        absl::string_view reason, Decision::Kind decision,
                                        const CohortStaff& staff) {
  v1::Application& app = rec.application;
  const int member = staff.StaffMemberOf(app, admitted);
  if (member >= 0) return MemberIsStaff(member);
  app.set_admitted_member_count(admitted);
  app.clear_offer_expire_time();
  AddHistory(app, v1::Application::ACCEPTED, now_, actor, reason, decision);
  const bool free = cohort.cohort.fee().units() == 0;
  for (int i = 0; i < admitted; ++i) {
    const v1::Applicant& m = app.members(i);
    ParticipantRecord p;
    p.cohort_id = rec.cohort_id;
    p.id = NewTimeOrderedId(now_);
    p.revision = 1;
    v1::Participant& out = p.participant;
    out.set_name(ParticipantName(p.cohort_id, p.id));
    if (i == 0 && !app.submitter().empty()) {
      // One account, one place per cohort (claims.cc): a submitter who
      // already holds an ACTIVE place here (a redeemed claim link) is not
      // bound a second time; the secretariat can issue this place a link.
      ASSIGN_OR_RETURN(auto held, tx_.ListParticipantsBySubject(app.submitter()));
      bool holds_place = false;
      for (const ParticipantRecord& h : held) {
        holds_place |= h.cohort_id == rec.cohort_id &&
                       h.participant.state() == v1::Participant::ACTIVE;
      }
      if (!holds_place) out.set_subject(app.submitter());
    }
    out.set_display_name(m.display_name());
    out.set_kana(m.kana());
    out.set_email(m.email());
    out.set_municipality_code(m.municipality_code());
    out.set_department(m.department());
    out.set_role(v1::Participant::PARTICIPANT);
    out.set_state(v1::Participant::ACTIVE);
    out.set_application(app.name());
    out.set_fee_status(free ? v1::Participant::WAIVED : v1::Participant::UNPAID);
    // Each member keeps the consent recorded for them in the application
    // (Applicant.consent is per person). Until issue 12 team mates were
    // reset to sharing nothing here, silently dropping what the team had
    // chosen; they can change it themselves once they claimed their
    // participation (RedeemClaimLink), and the history shows it came from
    // the application.
    const v1::Consent given = WholeConsent(m.consent());
    *out.mutable_consent() = given;
    auto* consent = out.add_consent_history();
    *consent->mutable_consent() = given;
    *consent->mutable_time() = ToProto(now_);
    consent->set_actor("applicant");
    *out.mutable_create_time() = ToProto(now_);
    *out.mutable_update_time() = ToProto(now_);
    RETURN_IF_ERROR(tx_.InsertParticipant(&p));
    RETURN_IF_ERROR(AppendParticipantChange(tx_, out, now_));
    app.add_participants(out.name());
  }
  return SaveStateChange(rec);
}

absl::Status SeatLedger::SaveStateChange(ApplicationRecord& rec) {
  if (rec.seq == 0) {
    RETURN_IF_ERROR(tx_.InsertApplication(&rec));
  } else {
    RETURN_IF_ERROR(tx_.UpdateApplication(&rec));
  }
  ASSIGN_OR_RETURN(int position, WaitlistPosition(tx_, rec));
  saved_cohort_ = rec.cohort_id;
  saved_id_ = rec.id;
  saved_revision_ = rec.revision;
  saved_place_ = position;
  return notifier_.ApplicationStateChanged(tx_, rec.application, position, now_);
}

std::optional<int> SeatLedger::SavedPlace(const ApplicationRecord& app) const {
  if (app.id != saved_id_ || app.cohort_id != saved_cohort_ || app.revision != saved_revision_) {
    return std::nullopt;
  }
  return saved_place_;
}

absl::Status SeatLedger::Arrive(const CohortRecord& cohort, ApplicationRecord& rec,
                                absl::string_view admit_reason) {
  v1::Application& app = rec.application;
  // A member who is this cohort's staff takes no seat and does not wait:
  // the service rejects the application (appointments.h). Not an error,
  // and the reason is the secretariat's to see: an applicant must not
  // learn who the staff are by trying e-mail addresses.
  ASSIGN_OR_RETURN(CohortStaff staff, CohortStaff::Load(tx_, rec.cohort_id));
  if (staff.StaffMemberOf(app, app.members_size()) >= 0) {
    AddHistory(app, v1::Application::REJECTED, now_, kSystemActor, kMemberIsStaff,
               Decision::REJECT);
    RETURN_IF_ERROR(tx_.ReleaseEmails(rec.cohort_id, rec.id));
    return SaveStateChange(rec);
  }
  ASSIGN_OR_RETURN(AdmissionDecision d, Fit(cohort, rec));
  if (d.admitted == 0) {
    ASSIGN_OR_RETURN(int64_t waiting, tx_.CountWaiting(rec.cohort_id));
    if (waiting >= cohort.cohort.max_waitlist()) {
      return WaitlistFull(cohort.cohort.max_waitlist());
    }
    AddHistory(app, v1::Application::WAITLISTED, now_, kSystemActor, d.blocked_reason,
               Decision::KIND_UNSPECIFIED);
    return SaveStateChange(rec);
  }
  // A new application is inserted once, already ACCEPTED, by
  // SaveStateChange at the end of AdmitApplication (nothing before it reads
  // the row back).
  // Admission on arrival is the rule, not a decision (an eligibility
  // override was recorded as OVERRIDE_ELIGIBILITY when it was made).
  return AdmitWithStaff(cohort, rec, d.admitted, kSystemActor, admit_reason,
                        Decision::KIND_UNSPECIFIED, staff);
}

absl::Status SeatLedger::CancelParticipationsOf(const ApplicationRecord& rec) {
  for (const std::string& name : rec.application.participants()) {
    ASSIGN_OR_RETURN(auto ids, ParseChildName("participant", name, "participants"));
    ASSIGN_OR_RETURN(ParticipantRecord p, tx_.GetParticipant(ids.first, ids.second));
    if (p.participant.state() != v1::Participant::ACTIVE) continue;
    p.participant.set_state(v1::Participant::CANCELLED);
    RETURN_IF_ERROR(SaveParticipant(tx_, p, now_));
  }
  return absl::OkStatus();
}

absl::Status SeatLedger::EndApplication(const CohortRecord& cohort, ApplicationRecord& rec,
                                        v1::Application::State state, absl::string_view actor,
                                        absl::string_view reason, Decision::Kind decision) {
  if (rec.application.state() == v1::Application::ACCEPTED) {
    RETURN_IF_ERROR(CancelParticipationsOf(rec));
  }
  rec.application.set_admitted_member_count(0);
  rec.application.clear_offer_expire_time();
  AddHistory(rec.application, state, now_, actor, reason, decision);
  RETURN_IF_ERROR(tx_.ReleaseEmails(rec.cohort_id, rec.id));
  RETURN_IF_ERROR(SaveStateChange(rec));
  return Promote(cohort);
}

}  // namespace kaizen::enrollment
