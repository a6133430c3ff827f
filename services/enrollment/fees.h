// The fee ledger and the shipping list of one participation, derived on
// every read from its payment and shipment records and the cohort's current
// fee and items, so nothing stored can drift from them (a fee change shows
// at once). Pure: no storage, no clock ("today" is a parameter).
//
// The rules (README.md, "Fees and textbooks"):
//   - amount paid = payments - refunds;
//   - waived: the last WAIVER or WAIVER_REVOKED record is a WAIVER (so a
//     waiver recorded by mistake is undone by WAIVER_REVOKED, on record);
//   - due = the cohort's current fee for an ACTIVE PARTICIPANT that is not
//     waived; 0 for everyone else (staff, waived, cancelled);
//   - balance = due - amount paid, refund_due = amount paid - due, each
//     never below 0 (a lowered fee, a waiver or a cancellation after paying
//     shows what should go back instead of hiding it);
//   - fee_status, first that holds: UNPAID (balance > 0: exactly whom
//     owes_fee lists), REFUND_DUE (refund_due > 0), WAIVED (waived, staff),
//     REFUNDED (something refunded, amount paid 0), WAIVED (a free cohort),
//     NOT_DUE (cancelled, nothing paid), PAID (paid exactly the fee);
//   - payable = what a new PAYMENT may be: the balance; for a cancelled
//     participant that is not waived, fee - amount paid (a late transfer is
//     recorded, then shows as refund_due); 0 for staff and the waived.
//     More is PAYMENT_EXCEEDS_BALANCE (naming payable); a refund above the
//     amount paid is REFUND_EXCEEDS_PAID; WAIVER_REVOKED without a waiver in
//     effect is WAIVER_NOT_IN_EFFECT.
#ifndef KAIZEN_SERVICES_ENROLLMENT_FEES_H_
#define KAIZEN_SERVICES_ENROLLMENT_FEES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"

namespace kaizen::enrollment {

struct FeePosition {
  v1::Participant::FeeStatus status = v1::Participant::UNPAID;
  int64_t paid = 0;        // payments minus refunds, yen
  int64_t balance = 0;     // still due, yen (>= 0)
  int64_t refund_due = 0;  // paid beyond what is due, yen (>= 0)
  int64_t payable = 0;     // the largest PAYMENT accepted now, yen (>= 0)
  bool waived = false;     // a waiver in effect
};

// Where `p` stands against `cohort`'s fee.
FeePosition ComputeFeePosition(const v1::Cohort& cohort, const v1::Participant& p);

// Ids of `cohort`'s included items that can ship on `today` (Asia/Tokyo;
// available_date <= today) and were not shipped to `p`, in the cohort's
// order. Empty unless `p` is an ACTIVE PARTICIPANT (staff get no books).
std::vector<std::string> ItemsToShip(const v1::Cohort& cohort, const v1::Participant& p,
                                     absl::CivilDay today);

// Sets `out`'s fee_status, amount_paid, balance, refund_due (JPY) and
// items_to_ship.
void DecorateLedger(const v1::Cohort& cohort, absl::CivilDay today, v1::Participant* out);

// Whether a new record of `kind` for `amount` yen fits the position `before`:
// OK, PaymentExceedsBalance(payable), RefundExceedsPaid(paid) or
// WaiverNotInEffect(). Waivers always fit.
absl::Status CheckLedgerEntry(const FeePosition& before, v1::Participant::Payment::Kind kind,
                              int64_t amount);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_FEES_H_
