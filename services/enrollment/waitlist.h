// The seat ledger: who holds a seat in a cohort, and every move that takes
// or frees one (admission, the waiting list, offers and their expiry).
//
// Seats are held by active PARTICIPANT participations (one each) and by open
// offers (an OFFERED application holds admitted_member_count seats until its
// offer_expire_time); the municipality limit counts the distinct
// municipalities among the same. Staff never take seats (admission.h has the
// arithmetic, free of storage).
//
// The waiting list is the cohort's WAITLISTED applications in queue order:
// priority (higher first), then arrival. Whenever a seat may have freed
// (withdrawal, rejection, cancellation, declined or lapsed offer, a cohort
// change such as raised capacity), Promote walks the queue and offers each
// application that fits; those that do not fit (municipality limit, team
// size) are skipped, not dropped.
//
// Invariants, given that every mutation of a cohort runs inside one
// EnrollmentStore::Write transaction and starts with LoadCohortForWrite:
//   - seats taken <= capacity and municipalities <= max_municipalities;
//   - no decision sees a lapsed offer (they are expired first);
//   - every write of an application or cohort bumps its revision once
//     (EnrollmentTx::Update*), so etags change exactly when the resource does.
// Only cohorts that are OPEN, CLOSED or RUNNING ("live") promote or expire.
#ifndef KAIZEN_SERVICES_ENROLLMENT_WAITLIST_H_
#define KAIZEN_SERVICES_ENROLLMENT_WAITLIST_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/enrollment/admission.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

// OPEN, CLOSED or RUNNING: people may still come in.
bool IsLiveCohort(v1::Cohort::State state);

// Reads, in any transaction (Read or Write).
// Seats and municipalities taken in the cohort.
absl::StatusOr<Usage> SeatUsage(EnrollmentTx& tx, const std::string& cohort_id);
// 1-based place of a WAITLISTED application in its cohort's queue; 0 for any
// other state.
absl::StatusOr<int> WaitlistPosition(EnrollmentTx& tx, const ApplicationRecord& app);

// The ledger of one transaction at one instant. Cheap; make one per use.
class SeatLedger {
 public:
  // `tx` is not owned and must outlive the ledger; `now` is the mutation's
  // time (offer expiry, history, participants' create_time).
  SeatLedger(EnrollmentTx& tx, absl::Time now) : tx_(tx), now_(now) {}

  // How many members of `app` fit now (admission.h: Admit). Seats that `app`
  // itself holds (its open offer) count as free for it; an application not
  // stored yet holds none.
  absl::StatusOr<AdmissionDecision> Fit(const CohortRecord& cohort, const ApplicationRecord& app);

  // The cohort, read for a mutation: its lapsed offers expired first.
  absl::StatusOr<CohortRecord> LoadCohortForWrite(const std::string& cohort_id);

  // Expires the cohort's offers whose offer_expire_time has come (EXPIRED,
  // history OFFER_EXPIRED by "system", e-mail addresses released for
  // re-application) and, if any did, promotes. Returns how many expired; 0
  // for cohorts that are not live.
  absl::StatusOr<int> ExpireLapsedOffers(const CohortRecord& cohort);

  // Offers free seats to waiting applications in queue order (OFFERED,
  // history SEAT_AVAILABLE, offer_expire_time = now + the cohort's
  // offer_ttl), skipping any that do not fit. An application one of whose
  // members is active staff (appointments.h) is rejected instead (actor
  // "system", reason MEMBER_IS_STAFF). No-op for cohorts that are not live
  // or are full.
  absl::Status Promote(const CohortRecord& cohort);

  // Stores a changed cohort (update_time, new revision) and promotes: a
  // cohort change (e.g. raised capacity) may have made room.
  absl::Status SaveCohort(CohortRecord& cohort);

  // Accepts the first `admitted` members of `app` (ACCEPTED, history with
  // `actor` and `reason`, recorded as `decision` unless KIND_UNSPECIFIED,
  // offer cleared) and creates one ACTIVE PARTICIPANT participation per
  // member, each announced on the change feed. Each member gets the consent
  // the application records for them (history actor "applicant"). The
  // caller checked the fit. MemberIsStaff(i), changing nothing, when one of
  // those members is active staff of the cohort (appointments.h): callers
  // that answer an applicant turn that into a rejection instead.
  absl::Status AdmitApplication(const CohortRecord& cohort, ApplicationRecord& app,
                                int admitted, absl::string_view actor,
                                absl::string_view reason,
                                v1::Application::Decision::Kind decision);

  // Ends a live application in `state` (WITHDRAWN or REJECTED), recorded as
  // `decision`: cancels the participations it created if it was ACCEPTED,
  // frees its seats and e-mail addresses, and promotes.
  absl::Status EndApplication(const CohortRecord& cohort, ApplicationRecord& app,
                              v1::Application::State state, absl::string_view actor,
                              absl::string_view reason,
                              v1::Application::Decision::Kind decision);

 private:
  absl::Status CancelParticipationsOf(const ApplicationRecord& app);

  EnrollmentTx& tx_;
  const absl::Time now_;
};

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_WAITLIST_H_
