// E-mail confirmation of anonymous applications (confirmation.cc), and the
// pieces of applications.cc it shares. Private to the `enrollment` library.
//
// The rule (README "E-mail confirmation"):
//   - An application from an anonymous caller (no account subject) is
//     stored SUBMITTED with every member's email_confirmed false and
//     confirm_expire_time = min(now + confirmation_window, the cohort's
//     application_close_time + kLateArrival). It holds no seat, no
//     municipality, no place in the queue, no e-mail address, and is not
//     counted against max_waitlist.
//   - At submit each member is mailed their own confirmation link
//     (Enrollment::ConfirmationTokenFor) with the application's secret
//     link, except a member whose address is held by an application that
//     has arrived and is live in the cohort (ACCEPTED, WAITLISTED, OFFERED):
//     that address's owner gets Notifier::AlreadyApplied instead (no link
//     into the new application). The caller's answer, the later reads and
//     the mail to every other member are the same either way.
//   - Its arrival is the moment the last member confirms: the cohort is
//     checked as it is now (OPEN; the application window, or at most
//     kLateArrival after it closed for an application submitted inside it;
//     eligibility and team size), the addresses are reserved
//     (EnrollmentTx::ReserveEmails; held by another arrived application:
//     DUPLICATE_APPLICANT), arrival_time is set, it takes the next arrival
//     number (EnrollmentTx::MoveToQueueEnd, so the queue follows the order
//     of confirmation) and SeatLedger::Arrive runs, the same rule as a
//     signed-in caller's create. A refused arrival keeps the confirmations
//     and reserves nothing; the application stays SUBMITTED.
//   - Applications still SUBMITTED at confirm_expire_time expire (the sweep,
//     in batches, or a confirmation that comes too late): history reason
//     ARRIVAL_REFUSED when every member had confirmed, EMAIL_NOT_CONFIRMED
//     otherwise. They held no address, so they release none.
#ifndef KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_H_
#define KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

// The stored application plus its etag and, while it waits, its place in
// the queue. The record of decisions, who decided and the secretariat's
// words are the secretariat's (decisions.h); everyone else gets the states
// and times (RedactApplicationForNonSecretariat). `known_place`: the place
// this transaction already read for `rec` (SeatLedger::SavedPlace), else it
// is read here. Defined in applications.cc.
absl::Status DecorateApplication(EnrollmentTx& tx, const ApplicationRecord& rec,
                                 v1::Application* out, bool secretariat,
                                 std::optional<int> known_place = std::nullopt);

// How long after the cohort's application_close_time an application
// submitted inside the window may still arrive (its confirmation deadline
// is never later).
inline constexpr absl::Duration kLateArrival = absl::Hours(48);

// Every member's age on the cohort's reference date (AGE_OUT_OF_RANGE
// naming each member outside the range). Defined in applications.cc.
absl::Status CheckEligibility(const v1::Eligibility& e, const v1::Application& in);

// ACCOUNT_ALREADY_APPLIED when `subject` submitted (or claimed) an
// application of the cohort other than `except_id` that is SUBMITTED,
// WAITLISTED, OFFERED or ACCEPTED. Defined in applications.cc.
absl::Status CheckNoLiveApplicationOf(EnrollmentTx& tx, const std::string& subject,
                                      const std::string& cohort_id, const std::string& except_id);

// CreateApplication's end for an anonymous caller: `rec` (SUBMITTED, not yet
// stored, members unconfirmed) is given its confirmation deadline and
// stored; its members are mailed their links, or, for an address held by an
// arrived live application, the holder is mailed AlreadyApplied. Reserves
// nothing.
absl::Status SubmitForConfirmation(EnrollmentTx& tx, const Enrollment& enrollment,
                                   const v1::Cohort& cohort, absl::Duration window,
                                   ApplicationRecord& rec, absl::Time now);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_H_
