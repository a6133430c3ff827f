#include "services/enrollment/fees.h"

#include <algorithm>

#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"

namespace kaizen::enrollment {

using Payment = v1::Participant::Payment;

FeePosition ComputeFeePosition(const v1::Cohort& cohort, const v1::Participant& p) {
  int64_t payments = 0;
  int64_t refunds = 0;
  FeePosition out;
  for (const Payment& record : p.payments()) {
    switch (record.kind()) {
      case Payment::PAYMENT:
        payments += record.amount().units();
        break;
      case Payment::REFUND:
        refunds += record.amount().units();
        break;
      case Payment::WAIVER:
        out.waived = true;
        break;
      case Payment::WAIVER_REVOKED:
        out.waived = false;
        break;
      default:
        break;
    }
  }
  out.paid = payments - refunds;
  const int64_t fee = cohort.fee().units();
  const bool participant = p.role() == v1::Participant::PARTICIPANT;
  const bool active = p.state() == v1::Participant::ACTIVE;
  const int64_t due = participant && active && !out.waived ? fee : 0;
  out.balance = std::max<int64_t>(0, due - out.paid);
  out.refund_due = std::max<int64_t>(0, out.paid - due);
  if (participant && !out.waived) {
    out.payable = active ? out.balance : std::max<int64_t>(0, fee - out.paid);
  }
  if (out.balance > 0) {
    out.status = v1::Participant::UNPAID;
  } else if (out.refund_due > 0) {
    out.status = v1::Participant::REFUND_DUE;
  } else if (out.waived || !participant) {
    out.status = v1::Participant::WAIVED;
  } else if (refunds > 0 && out.paid == 0) {
    out.status = v1::Participant::REFUNDED;
  } else if (active && fee == 0) {
    out.status = v1::Participant::WAIVED;
  } else if (!active) {
    out.status = v1::Participant::NOT_DUE;
  } else {
    out.status = v1::Participant::PAID;
  }
  return out;
}

std::vector<std::string> ItemsToShip(const v1::Cohort& cohort, const v1::Participant& p,
                                     absl::CivilDay today) {
  std::vector<std::string> out;
  if (p.role() != v1::Participant::PARTICIPANT || p.state() != v1::Participant::ACTIVE) {
    return out;
  }
  for (const v1::IncludedItem& item : cohort.included_items()) {
    if (ToCivil(item.available_date()) > today) continue;
    const bool shipped =
        std::any_of(p.shipments().begin(), p.shipments().end(),
                    [&](const v1::Participant::Shipment& s) { return s.item_id() == item.id(); });
    if (!shipped) out.push_back(item.id());
  }
  return out;
}

void DecorateLedger(const v1::Cohort& cohort, absl::CivilDay today, v1::Participant* out) {
  const FeePosition position = ComputeFeePosition(cohort, *out);
  out->set_fee_status(position.status);
  out->mutable_amount_paid()->set_currency_code(std::string(kCurrencyCode));
  out->mutable_amount_paid()->set_units(position.paid);
  out->mutable_balance()->set_currency_code(std::string(kCurrencyCode));
  out->mutable_balance()->set_units(position.balance);
  out->mutable_refund_due()->set_currency_code(std::string(kCurrencyCode));
  out->mutable_refund_due()->set_units(position.refund_due);
  out->clear_items_to_ship();
  for (std::string& id : ItemsToShip(cohort, *out, today)) out->add_items_to_ship(std::move(id));
}

absl::Status CheckLedgerEntry(const FeePosition& before, Payment::Kind kind, int64_t amount) {
  if (kind == Payment::PAYMENT && amount > before.payable) {
    return PaymentExceedsBalance(before.payable);
  }
  if (kind == Payment::REFUND && amount > before.paid) return RefundExceedsPaid(before.paid);
  if (kind == Payment::WAIVER_REVOKED && !before.waived) return WaiverNotInEffect();
  return absl::OkStatus();
}

}  // namespace kaizen::enrollment
