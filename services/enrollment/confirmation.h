// E-mail confirmation of anonymous applications (confirmation.cc), and the
// pieces of applications.cc it shares. Private to the `enrollment` library.
//
// The rule (README "E-mail confirmation"):
//   - An application from an anonymous caller (no account subject) is
//     stored SUBMITTED with every member's email_confirmed false and
//     confirm_expire_time = now + confirmation_window. It holds no seat, no
//     municipality, no place in the queue, and is not counted against
//     max_waitlist. Each member is mailed their own confirmation link
//     (Enrollment::ConfirmationTokenFor) with the application's secret link.
//   - Its arrival is the moment the last member confirms: arrival_time is
//     set, it takes the next arrival number (EnrollmentTx::MoveToQueueEnd,
//     so the queue follows the order of confirmation, not of creation) and
//     SeatLedger::Arrive runs, the same rule as a signed-in caller's create.
//   - An address already reserved in the cohort does not answer
//     DUPLICATE_APPLICANT to an anonymous caller: the application is stored
//     like any other (same state, fields and later reads) but marked
//     answers_duplicate: it reserves no address, no token is ever sent for
//     it (so it can never be confirmed) and it expires silently. The owner
//     of the address is mailed (Notifier::AlreadyApplied) the link to the
//     application that holds it; nobody else is mailed.
//   - Unconfirmed applications expire at confirm_expire_time (the sweep,
//     or a confirmation that comes too late), releasing their addresses.
#ifndef KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_H_
#define KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

// The stored application plus its etag and, while it waits, its place in
// the queue. The record of decisions, who decided and the secretariat's
// words are the secretariat's (decisions.h); everyone else gets the states
// and times (RedactApplicationForNonSecretariat). Defined in applications.cc.
absl::Status DecorateApplication(EnrollmentTx& tx, const ApplicationRecord& rec,
                                 v1::Application* out, bool secretariat);

// CreateApplication's end for an anonymous caller: `rec` (SUBMITTED, not yet
// stored, members unconfirmed) is given its confirmation deadline, stored,
// its addresses reserved and its members mailed; or, when another
// application holds one of its addresses, stored as answers_duplicate and
// only the holders of those addresses mailed.
absl::Status SubmitForConfirmation(EnrollmentTx& tx, const Enrollment& enrollment,
                                   absl::Duration window, ApplicationRecord& rec, absl::Time now);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_H_
