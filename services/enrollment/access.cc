#include "services/enrollment/access.h"

#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "common/util/crypto.h"
#include "services/enrollment/enrollment_errors.h"

namespace kaizen::enrollment {

using ::kaizen::type::Role;

bool IsAnonymous(const Principal& p) {
  return p.subject().empty() && p.roles_size() == 0 && p.access_token().empty();
}

bool IsSecretariat(const Principal& p) { return auth::HasRole(p, Role::ROLE_SECRETARIAT); }

bool IsPartner(const Principal& p) { return auth::HasRole(p, Role::ROLE_PARTNER_HR); }

absl::Status Denied(const Principal& p, absl::Status refusal) {
  if (IsAnonymous(p)) return LoginRequired();
  return refusal;
}

absl::Status RequireSecretariat(const Principal& p) {
  if (IsSecretariat(p)) return absl::OkStatus();
  return Denied(p, SecretariatOnly());
}

absl::StatusOr<bool> IsCohortStaff(EnrollmentTx& tx, const std::string& cohort_id,
                                   const Principal& caller, bool navigator_only) {
  if (IsSecretariat(caller)) return true;
  if (caller.subject().empty() || IsPartner(caller)) return false;
  // The caller's own participations (participants_by_subject), not the
  // cohort's whole list.
  ASSIGN_OR_RETURN(auto mine, tx.ListParticipantsBySubject(caller.subject()));
  for (const ParticipantRecord& p : mine) {
    if (p.cohort_id != cohort_id || p.participant.state() != v1::Participant::ACTIVE) continue;
    switch (p.participant.role()) {
      case v1::Participant::NAVIGATOR:
        if (auth::HasRole(caller, Role::ROLE_NAVIGATOR)) return true;
        break;
      case v1::Participant::ADVISOR:
        if (!navigator_only && auth::HasRole(caller, Role::ROLE_ADVISOR)) return true;
        break;
      case v1::Participant::OBSERVER:
        if (!navigator_only && auth::HasRole(caller, Role::ROLE_OBSERVER)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

bool IsApplicant(const Principal& caller, const v1::Application& app,
                 const std::string& expected_token) {
  if (IsPartner(caller)) return false;
  if (!caller.access_token().empty() &&
      crypto::ConstantTimeEquals(caller.access_token(), expected_token)) {
    return true;
  }
  return !caller.subject().empty() && caller.subject() == app.submitter();
}

bool IsSelf(const Principal& caller, const v1::Participant& p) {
  return !IsPartner(caller) && !caller.subject().empty() && caller.subject() == p.subject();
}

void RedactApplicationForNonSecretariat(v1::Application* app) {
  app->clear_decisions();
  app->clear_priority_reason();
  app->clear_eligibility_override_reason();
  for (v1::Application::StateChange& h : *app->mutable_history()) {
    h.clear_actor();
    if (!IsPublicHistoryReason(h.reason())) h.clear_reason();
  }
}

bool IsPublicHistoryReason(absl::string_view reason) {
  // The service's rejection of a staff member's application: saying so
  // would let an applicant probe who the staff are by e-mail.
  if (reason == kMemberIsStaff) return false;
  for (absl::string_view r : HistoryReasons()) {
    if (r == reason) return true;
  }
  return false;
}

void RedactApplicationForStaff(v1::Application* app) {
  RedactApplicationForNonSecretariat(app);
  for (v1::Applicant& m : *app->mutable_members()) {
    m.clear_email();
    m.clear_birth_date();
  }
}

void RedactParticipantForStaff(v1::Participant* p) {
  p->clear_email();
  p->clear_fee_status();
  p->clear_payments();
  p->clear_shipments();
  p->clear_amount_paid();
  p->clear_balance();
  p->clear_refund_due();
  p->clear_items_to_ship();
}

bool SharesAnything(const v1::Consent& c) {
  return c.share_attendance() || c.share_action_plan() || c.share_survey_profile();
}

bool EverShared(const v1::Participant& p) {
  for (const auto& change : p.consent_history()) {
    if (SharesAnything(change.consent())) return true;
  }
  return SharesAnything(p.consent());
}

}  // namespace kaizen::enrollment
