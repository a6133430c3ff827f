// Who may see and do what in the enrollment service (README.md,
// "Authorisation"). Every refusal goes through Denied, so an anonymous caller
// is told to sign in rather than that they are not allowed.
//
// Roles come from the verified principal; a staff role opens only cohorts
// where that account is an active staff participant with the same role
// (IsCohortStaff). The secretariat is global. A partner HR key reads the
// change feed and nothing else.
#ifndef KAIZEN_SERVICES_ENROLLMENT_ACCESS_H_
#define KAIZEN_SERVICES_ENROLLMENT_ACCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/principal.pb.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

using ::kaizen::type::Principal;

// No account, no role, no access token.
bool IsAnonymous(const Principal& p);
bool IsSecretariat(const Principal& p);
// A partner HR system's key: it must never apply, own a participation or
// give consent on an employee's behalf.
bool IsPartner(const Principal& p);

// `refusal` (a PERMISSION_DENIED from enrollment_errors.h), or LoginRequired()
// when the caller is anonymous.
absl::Status Denied(const Principal& p, absl::Status refusal);
// OK for the secretariat, else Denied(SecretariatOnly()).
absl::Status RequireSecretariat(const Principal& p);

// Staff of one cohort: the secretariat everywhere; a navigator, advisor or
// observer only in cohorts where they are an active staff participant (same
// account subject, role carried by both the token and the participation).
// With `navigator_only`, advisors and observers do not count. Never a
// partner key, never an account-less caller.
absl::StatusOr<bool> IsCohortStaff(EnrollmentTx& tx, const std::string& cohort_id,
                                   const Principal& caller, bool navigator_only = false);

// The applicant of `app`: the right access token (`expected_token`, see
// Enrollment::AccessTokenFor) or the submitting account. Never a partner key.
bool IsApplicant(const Principal& caller, const v1::Application& app,
                 const std::string& expected_token);
// The participant themself (their linked account). Never a partner key.
bool IsSelf(const Principal& caller, const v1::Participant& p);

// Everyone but the secretariat (the applicant, the navigator) sees an
// application without the secretariat's record: no decisions, no
// priority_reason or eligibility_override_reason, and a history of states
// and times without actors, keeping a reason only when it is one of the
// service's own codes (IsPublicHistoryReason).
void RedactApplicationForNonSecretariat(v1::Application* app);
// The codes the service writes as history reasons that anyone who may read
// the application may see (COHORT_FULL, SEAT_AVAILABLE, OFFER_EXPIRED, ...);
// not MEMBER_IS_STAFF, nor anyone's own words.
bool IsPublicHistoryReason(absl::string_view reason);
// Staff other than the secretariat (the navigator) see applications without
// what only the secretariat needs: the above, plus contact e-mails and dates
// of birth (which exist only for the age rule).
void RedactApplicationForStaff(v1::Application* app);
// Staff other than the secretariat see who takes part, not their contact
// details or money: e-mail, fee status, payments, amount paid, balance,
// refund due, shipments and items to ship are the secretariat's (and the
// person's own).
void RedactParticipantForStaff(v1::Participant* p);

// Consent decides what partners see: whether `c` shares anything, and
// whether `p` ever shared anything (so the partner may hold data it must now
// forget).
bool SharesAnything(const v1::Consent& c);
bool EverShared(const v1::Participant& p);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_ACCESS_H_
