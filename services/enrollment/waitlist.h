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
//
// E-mail: the ledger is the one place an application's state changes
// (besides the insert of a SUBMITTED one), so it is where members are told:
// every change it makes is stored through SaveStateChange, which writes
// Notifier::ApplicationStateChanged in the same transaction (the Notifier
// mails ACCEPTED, WAITLISTED, OFFERED, REJECTED and EXPIRED; the service's
// MEMBER_IS_STAFF rejection is mailed as a plain rejection, the reason
// stays the secretariat's). A ledger cannot be made without a Notifier.
#ifndef KAIZEN_SERVICES_ENROLLMENT_WAITLIST_H_
#define KAIZEN_SERVICES_ENROLLMENT_WAITLIST_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/enrollment/admission.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/notify.h"

namespace kaizen::enrollment {

class CohortStaff;  // appointments.h

// OPEN, CLOSED or RUNNING: people may still come in.
bool IsLiveCohort(v1::Cohort::State state);

// Reads, in any transaction (Read or Write).
// Seats and municipalities taken in the cohort, read from the counters the
// database maintains in every writing transaction (usage_sql.h, the
// definition above): cost independent of the cohort's size.
absl::StatusOr<Usage> SeatUsage(EnrollmentTx& tx, const std::string& cohort_id);
// The same without what the stored application `exclude_id` holds (its open
// offer's seats and, if it was its municipality's only holder, the
// municipality); "" leaves nothing out. What SeatLedger::Fit counts.
absl::StatusOr<Usage> SeatUsageWithout(EnrollmentTx& tx, const std::string& cohort_id,
                                       const std::string& exclude_id);
// 1-based place of a WAITLISTED application in its cohort's queue; 0 for any
// other state (counted in SQL: EnrollmentTx::WaitlistPlace).
absl::StatusOr<int> WaitlistPosition(EnrollmentTx& tx, const ApplicationRecord& app);

// The ledger of one transaction at one instant. Cheap; make one per use.
class SeatLedger {
 public:
  // `tx` is not owned and must outlive the ledger; `now` is the mutation's
  // time (offer expiry, history, participants' create_time).
  // `notifier` too.
  SeatLedger(EnrollmentTx& tx, absl::Time now, const Notifier& notifier)
      : tx_(tx), now_(now), notifier_(notifier) {}

  // The arrival of an application (its create, for a caller who needs no
  // e-mail confirmation; its last confirmation otherwise, confirmation.cc),
  // the one admission rule of both: an application with a member who is
  // active staff of the cohort is rejected (history MEMBER_IS_STAFF, its
  // e-mail addresses released; not an error); one that fits is accepted
  // (history `admit_reason`); one that does not waits at the back of the
  // queue, unless max_waitlist applications wait already: then
  // WaitlistFull() and nothing is written. `rec` is SUBMITTED, stored or not
  // (seq 0: inserted here). The caller checked the cohort's state.
  absl::Status Arrive(const CohortRecord& cohort, ApplicationRecord& rec,
                      absl::string_view admit_reason);

  // Stores `rec` (inserted when its seq is 0) whose state just changed
  // (AddHistory) and tells its members in this transaction.
  absl::Status SaveStateChange(ApplicationRecord& rec);

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

  // The waiting-list place (0: not waiting) this ledger read when it last
  // stored an application, if that was `app` at its current revision;
  // nullopt otherwise. Only for the answer right after the ledger's last
  // change (DecorateApplication in CreateApplication): a write to the
  // cohort's queue that does not go through this ledger (MoveToQueueEnd, a
  // direct UpdateApplication) would leave it stale, so read the place again
  // after any.
  std::optional<int> SavedPlace(const ApplicationRecord& app) const;

 private:
  // AdmitApplication with the cohort's staff already loaded (Arrive checked
  // every member against them).
  absl::Status AdmitWithStaff(const CohortRecord& cohort, ApplicationRecord& app, int admitted,
                              absl::string_view actor, absl::string_view reason,
                              v1::Application::Decision::Kind decision, const CohortStaff& staff);
  absl::Status CancelParticipationsOf(const ApplicationRecord& app);

  EnrollmentTx& tx_;
  const absl::Time now_;
  const Notifier& notifier_;
  // What SavedPlace answers: the last application stored and its place.
  std::string saved_cohort_, saved_id_;
  int64_t saved_revision_ = -1;
  int saved_place_ = 0;
};

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_WAITLIST_H_
