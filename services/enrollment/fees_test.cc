// Issue 15, point 2: a participant shows what was paid and what is still
// due; overpayments and over-refunds are refused naming the amount; the
// secretariat lists who owes and whose included item can ship now but has
// not. Against real in-memory SQLite and a fake clock.
#include "services/enrollment/fees.h"

#include <memory>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace fees_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
using Payment = v1::Participant::Payment;

class FeesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    enrollment_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{
            "page-token-key-0123456789", "access-key-0123456789", "claim-key-0123456789"}));
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();  // 10,000 yen, two books
    create.set_cohort_id("fy2022");
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    ASSERT_TRUE(created.ok()) << created.status();
    cohort_ = created->name();
    v1::TransitionCohortRequest open;
    open.set_name(cohort_);
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
  }

  // A new participant's name.
  std::string Admit(int n) {
    auto app = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, n, kTowns[n % 3]));
    EXPECT_TRUE(app.ok()) << app.status();
    EXPECT_EQ(app->participants_size(), 1);
    return app->participants(0);
  }

  absl::StatusOr<v1::Participant> Record(const std::string& who, Payment::Kind kind,
                                         int64_t yen) {
    v1::RecordPaymentRequest r;
    r.set_name(who);
    r.set_kind(kind);
    if (kind != Payment::WAIVER) {
      r.mutable_amount()->set_currency_code("JPY");
      r.mutable_amount()->set_units(yen);
    }
    return enrollment_->RecordPayment(Secretariat(), r);
  }

  v1::Participant Get(const std::string& who, const Principal& as = Secretariat()) {
    v1::GetParticipantRequest get;
    get.set_name(who);
    auto p = enrollment_->GetParticipant(as, get);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::Participant();
  }

  std::vector<std::string> List(v1::ListParticipantsRequest r) {
    r.set_parent(cohort_);
    auto listed = enrollment_->ListParticipants(Secretariat(), r);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> names;
    if (!listed.ok()) return names;
    for (const auto& p : listed->participants()) names.push_back(p.name());
    EXPECT_EQ(listed->total_size(), static_cast<int>(names.size()));
    return names;
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

TEST_F(FeesTest, ParticipantShowsAmountPaidAndBalanceInYen) {
  auto app = enrollment_->CreateApplication(User("person-1"), Apply(cohort_, 1, kTowns[0]));
  ASSERT_TRUE(app.ok()) << app.status();
  const std::string p = app->participants(0);
  v1::Participant fresh = Get(p);
  EXPECT_EQ(fresh.amount_paid().currency_code(), "JPY");
  EXPECT_EQ(fresh.amount_paid().units(), 0);
  EXPECT_EQ(fresh.balance().currency_code(), "JPY");
  EXPECT_EQ(fresh.balance().units(), 10000);
  EXPECT_EQ(fresh.fee_status(), v1::Participant::UNPAID);

  auto paid = Record(p, Payment::PAYMENT, 4000);
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->amount_paid().units(), 4000);
  EXPECT_EQ(paid->balance().units(), 6000);
  EXPECT_EQ(paid->fee_status(), v1::Participant::UNPAID);

  // The participant sees their own; other staff see no money at all.
  v1::Participant own = Get(p, User("person-1"));
  EXPECT_EQ(own.amount_paid().units(), 4000);
  EXPECT_EQ(own.balance().units(), 6000);
  EXPECT_EQ(own.items_to_ship_size(), 1);
  v1::CreateParticipantRequest staff;
  staff.set_parent(cohort_);
  staff.mutable_participant()->set_display_name("中村 進");
  staff.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
  staff.mutable_participant()->set_subject(Navigator().subject());
  ASSERT_TRUE(enrollment_->CreateParticipant(Secretariat(), staff).ok());
  v1::Participant seen = Get(p, Navigator());
  EXPECT_FALSE(seen.has_amount_paid());
  EXPECT_FALSE(seen.has_balance());
  EXPECT_EQ(seen.items_to_ship_size(), 0);
}

TEST_F(FeesTest, OverpaymentIsRefusedNamingTheBalance) {
  const std::string p = Admit(1);
  ASSERT_TRUE(Record(p, Payment::PAYMENT, 4000).ok());
  auto over = Record(p, Payment::PAYMENT, 6001);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(over.status()), "PAYMENT_EXCEEDS_BALANCE");
  EXPECT_EQ(errors::GetErrorInfo(over.status())->metadata().at("balance_yen"), "6000");
  EXPECT_NE(over.status().message().find("6000"), std::string::npos) << over.status();
  EXPECT_EQ(Get(p).payments_size(), 1);  // nothing recorded

  auto exact = Record(p, Payment::PAYMENT, 6000);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->fee_status(), v1::Participant::PAID);
  EXPECT_EQ(exact->balance().units(), 0);
  // Paid in full: even one yen more is an overpayment.
  EXPECT_EQ(errors::Reason(Record(p, Payment::PAYMENT, 1).status()), "PAYMENT_EXCEEDS_BALANCE");

  // A refund cannot exceed what was paid; after one, the balance is due again.
  auto too_much = Record(p, Payment::REFUND, 10001);
  EXPECT_EQ(errors::Reason(too_much.status()), "REFUND_EXCEEDS_PAID");
  EXPECT_EQ(errors::GetErrorInfo(too_much.status())->metadata().at("refundable_yen"), "10000");
  auto refunded = Record(p, Payment::REFUND, 3000);
  ASSERT_TRUE(refunded.ok()) << refunded.status();
  EXPECT_EQ(refunded->amount_paid().units(), 7000);
  EXPECT_EQ(refunded->balance().units(), 3000);
}

TEST_F(FeesTest, WaivedStaffAndCancelledOweNothing) {
  const std::string waived = Admit(1);
  auto w = Record(waived, Payment::WAIVER, 0);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->fee_status(), v1::Participant::WAIVED);
  EXPECT_EQ(w->balance().units(), 0);
  EXPECT_EQ(errors::Reason(Record(waived, Payment::PAYMENT, 1).status()),
            "PAYMENT_EXCEEDS_BALANCE");

  const std::string left = Admit(2);
  ASSERT_TRUE(Record(left, Payment::PAYMENT, 5000).ok());
  v1::CancelParticipantRequest cancel;
  cancel.set_name(left);
  auto cancelled = enrollment_->CancelParticipant(Secretariat(), cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->balance().units(), 0);
  EXPECT_EQ(cancelled->amount_paid().units(), 5000);
  EXPECT_TRUE(Record(left, Payment::REFUND, 5000).ok());  // what they paid comes back

  v1::CreateParticipantRequest staff;
  staff.set_parent(cohort_);
  staff.mutable_participant()->set_display_name("中村 進");
  staff.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
  auto navigator = enrollment_->CreateParticipant(Secretariat(), staff);
  ASSERT_TRUE(navigator.ok()) << navigator.status();
  EXPECT_EQ(navigator->balance().units(), 0);
  EXPECT_EQ(navigator->fee_status(), v1::Participant::WAIVED);
}

TEST_F(FeesTest, FeeChangeShowsAtOnce) {
  const std::string p = Admit(1);
  ASSERT_TRUE(Record(p, Payment::PAYMENT, 10000).ok());
  EXPECT_EQ(Get(p).fee_status(), v1::Participant::PAID);
  v1::UpdateCohortRequest update;
  update.mutable_cohort()->set_name(cohort_);
  update.mutable_cohort()->mutable_fee()->set_currency_code("JPY");
  update.mutable_cohort()->mutable_fee()->set_units(12000);
  update.mutable_update_mask()->add_paths("fee");
  ASSERT_TRUE(enrollment_->UpdateCohort(Secretariat(), update).ok());
  v1::Participant now = Get(p);
  EXPECT_EQ(now.fee_status(), v1::Participant::UNPAID);
  EXPECT_EQ(now.balance().units(), 2000);
}

TEST_F(FeesTest, OwesFeeListsActiveParticipantsWithABalance) {
  const std::string unpaid = Admit(1);
  const std::string partly = Admit(2);
  const std::string paid = Admit(3);
  const std::string waived = Admit(4);
  const std::string cancelled = Admit(5);
  ASSERT_TRUE(Record(partly, Payment::PAYMENT, 9999).ok());
  ASSERT_TRUE(Record(paid, Payment::PAYMENT, 10000).ok());
  ASSERT_TRUE(Record(waived, Payment::WAIVER, 0).ok());
  v1::CancelParticipantRequest cancel;
  cancel.set_name(cancelled);
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());

  v1::ListParticipantsRequest owes;
  owes.set_owes_fee(true);
  EXPECT_EQ(List(owes), (std::vector<std::string>{unpaid, partly}));

  // Fees are the secretariat's: other staff may not filter by them.
  owes.set_parent(cohort_);
  EXPECT_EQ(errors::Reason(enrollment_->ListParticipants(Navigator(), owes).status()),
            "SECRETARIAT_ONLY");
}

TEST_F(FeesTest, AwaitingShipmentListsItemsAvailableNowAndNotShipped) {
  const std::string a = Admit(1);
  const std::string b = Admit(2);
  v1::RecordShipmentRequest ship;
  ship.set_name(a);
  ship.set_item_id("kaizen-undo");  // available since May 1
  ASSERT_TRUE(enrollment_->RecordShipment(Secretariat(), ship).ok());

  // June: the first book can ship, the second (September 15) cannot.
  ASSERT_EQ(Get(b).items_to_ship_size(), 1);
  EXPECT_EQ(Get(b).items_to_ship(0), "kaizen-undo");
  EXPECT_EQ(Get(a).items_to_ship_size(), 0);
  v1::ListParticipantsRequest awaiting;
  awaiting.set_awaiting_shipment(true);
  EXPECT_EQ(List(awaiting), std::vector<std::string>{b});
  // The second book: not shipped to anyone, but nobody awaits it yet.
  awaiting.set_unshipped_item_id("shin-kaizen-bon");
  EXPECT_TRUE(List(awaiting).empty());
  v1::ListParticipantsRequest unshipped;
  unshipped.set_unshipped_item_id("shin-kaizen-bon");
  EXPECT_EQ(List(unshipped), (std::vector<std::string>{a, b}));

  clock_.Set(absl::FromUnixSeconds(1663167600));  // 2022-09-15 00:00 JST
  EXPECT_EQ(List(awaiting), (std::vector<std::string>{a, b}));
  ship.set_item_id("shin-kaizen-bon");
  ASSERT_TRUE(enrollment_->RecordShipment(Secretariat(), ship).ok());
  EXPECT_EQ(List(awaiting), std::vector<std::string>{b});
  v1::Participant bee = Get(b);
  ASSERT_EQ(bee.items_to_ship_size(), 2);
  EXPECT_EQ(bee.items_to_ship(0), "kaizen-undo");
  EXPECT_EQ(bee.items_to_ship(1), "shin-kaizen-bon");
}

TEST(FeePositionTest, RulesWithoutStorage) {
  v1::Cohort cohort;
  cohort.mutable_fee()->set_units(10000);
  v1::Participant p;
  p.set_role(v1::Participant::PARTICIPANT);
  p.set_state(v1::Participant::ACTIVE);
  EXPECT_EQ(ComputeFeePosition(cohort, p).balance, 10000);
  auto* pay = p.add_payments();
  pay->set_kind(Payment::PAYMENT);
  pay->mutable_amount()->set_units(10000);
  FeePosition full = ComputeFeePosition(cohort, p);
  EXPECT_EQ(full.status, v1::Participant::PAID);
  EXPECT_EQ(full.balance, 0);
  EXPECT_EQ(errors::Reason(CheckLedgerEntry(full, Payment::PAYMENT, 1)),
            "PAYMENT_EXCEEDS_BALANCE");
  EXPECT_TRUE(CheckLedgerEntry(full, Payment::REFUND, 10000).ok());
  auto* refund = p.add_payments();
  refund->set_kind(Payment::REFUND);
  refund->mutable_amount()->set_units(10000);
  // Refunded while still taking part: due again (UNPAID agrees with
  // owes_fee); once cancelled, nothing is due: REFUNDED.
  EXPECT_EQ(ComputeFeePosition(cohort, p).status, v1::Participant::UNPAID);
  EXPECT_EQ(ComputeFeePosition(cohort, p).balance, 10000);
  p.set_state(v1::Participant::CANCELLED);
  EXPECT_EQ(ComputeFeePosition(cohort, p).status, v1::Participant::REFUNDED);
  p.set_state(v1::Participant::ACTIVE);
  // A free cohort: nothing due, nothing to pay.
  cohort.mutable_fee()->set_units(0);
  v1::Participant free = p;
  free.clear_payments();
  EXPECT_EQ(ComputeFeePosition(cohort, free).status, v1::Participant::WAIVED);
  EXPECT_EQ(ComputeFeePosition(cohort, free).balance, 0);
}

// ------------------------------------------------ review of issue 15 (L2, L6)

TEST_F(FeesTest, FeeLoweredBelowWhatWasPaidShowsTheRefundDue) {
  const std::string p = Admit(1);
  ASSERT_TRUE(Record(p, Payment::PAYMENT, 10000).ok());
  v1::UpdateCohortRequest update;
  update.mutable_cohort()->set_name(cohort_);
  update.mutable_cohort()->mutable_fee()->set_currency_code("JPY");
  update.mutable_cohort()->mutable_fee()->set_units(8000);
  update.mutable_update_mask()->add_paths("fee");
  ASSERT_TRUE(enrollment_->UpdateCohort(Secretariat(), update).ok());
  v1::Participant now = Get(p);
  EXPECT_EQ(now.fee_status(), v1::Participant::REFUND_DUE);
  EXPECT_EQ(now.refund_due().currency_code(), "JPY");
  EXPECT_EQ(now.refund_due().units(), 2000);
  EXPECT_EQ(now.balance().units(), 0);
  EXPECT_EQ(now.amount_paid().units(), 10000);
  v1::ListParticipantsRequest by_status;
  by_status.set_fee_status(v1::Participant::REFUND_DUE);
  EXPECT_EQ(List(by_status), std::vector<std::string>{p});
  auto refunded = Record(p, Payment::REFUND, 2000);
  ASSERT_TRUE(refunded.ok()) << refunded.status();
  EXPECT_EQ(refunded->fee_status(), v1::Participant::PAID);
  EXPECT_EQ(refunded->refund_due().units(), 0);
}

TEST_F(FeesTest, CancelledParticipantsStatusAgreesWithWhatIsOwed) {
  // Paid part, then cancelled: nothing owed, the part paid should go back.
  const std::string part = Admit(1);
  ASSERT_TRUE(Record(part, Payment::PAYMENT, 4000).ok());
  v1::CancelParticipantRequest cancel;
  cancel.set_name(part);
  auto cancelled = enrollment_->CancelParticipant(Secretariat(), cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->fee_status(), v1::Participant::REFUND_DUE);
  EXPECT_EQ(cancelled->balance().units(), 0);
  EXPECT_EQ(cancelled->refund_due().units(), 4000);
  // Never paid, then cancelled: not UNPAID (owes_fee does not list it).
  const std::string never = Admit(2);
  cancel.set_name(never);
  auto gone = enrollment_->CancelParticipant(Secretariat(), cancel);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->fee_status(), v1::Participant::NOT_DUE);
  v1::ListParticipantsRequest unpaid;
  unpaid.set_fee_status(v1::Participant::UNPAID);
  v1::ListParticipantsRequest owes;
  owes.set_owes_fee(true);
  EXPECT_EQ(List(unpaid), List(owes));
  EXPECT_TRUE(List(owes).empty());
}

TEST_F(FeesTest, RefundThenLatePaymentOfACancelledParticipantIsOnRecord) {
  const std::string p = Admit(1);
  ASSERT_TRUE(Record(p, Payment::PAYMENT, 5000).ok());
  v1::CancelParticipantRequest cancel;
  cancel.set_name(p);
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  auto refunded = Record(p, Payment::REFUND, 5000);
  ASSERT_TRUE(refunded.ok()) << refunded.status();
  EXPECT_EQ(refunded->fee_status(), v1::Participant::REFUNDED);
  EXPECT_EQ(refunded->refund_due().units(), 0);
  // A transfer that arrives after the cancellation is recorded (the money
  // is held) and shows as due back, up to what the fee would have been.
  auto late = Record(p, Payment::PAYMENT, 5000);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->fee_status(), v1::Participant::REFUND_DUE);
  EXPECT_EQ(late->refund_due().units(), 5000);
  EXPECT_EQ(late->balance().units(), 0);
  auto over = Record(p, Payment::PAYMENT, 5001);
  EXPECT_EQ(errors::Reason(over.status()), "PAYMENT_EXCEEDS_BALANCE");
  EXPECT_EQ(errors::GetErrorInfo(over.status())->metadata().at("balance_yen"), "5000");
  auto back = Record(p, Payment::REFUND, 5000);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->fee_status(), v1::Participant::REFUNDED);
}

TEST_F(FeesTest, AnAccidentalWaiverIsRevokedOnRecord) {
  const std::string p = Admit(1);
  EXPECT_EQ(errors::Reason(Record(p, Payment::WAIVER_REVOKED, 0).status()),
            "WAIVER_NOT_IN_EFFECT");
  ASSERT_TRUE(Record(p, Payment::WAIVER, 0).ok());
  auto revoked = Record(p, Payment::WAIVER_REVOKED, 0);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->fee_status(), v1::Participant::UNPAID);
  EXPECT_EQ(revoked->balance().units(), 10000);
  ASSERT_EQ(revoked->payments_size(), 2);  // both kept
  EXPECT_EQ(revoked->payments(1).kind(), Payment::WAIVER_REVOKED);
  // Waived after paying: what was paid shows as due back.
  ASSERT_TRUE(Record(p, Payment::PAYMENT, 3000).ok());
  auto waived = Record(p, Payment::WAIVER, 0);
  ASSERT_TRUE(waived.ok());
  EXPECT_EQ(waived->fee_status(), v1::Participant::REFUND_DUE);
  EXPECT_EQ(waived->refund_due().units(), 3000);
}

TEST_F(FeesTest, ANavigatorFilteringByAwaitingShipmentAloneIsRefused) {
  v1::CreateParticipantRequest staff;
  staff.set_parent(cohort_);
  staff.mutable_participant()->set_display_name("中村 進");
  staff.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
  staff.mutable_participant()->set_subject(Navigator().subject());
  ASSERT_TRUE(enrollment_->CreateParticipant(Secretariat(), staff).ok());
  v1::ListParticipantsRequest awaiting;
  awaiting.set_parent(cohort_);
  awaiting.set_awaiting_shipment(true);
  auto refused = enrollment_->ListParticipants(Navigator(), awaiting);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(refused.status()), "SECRETARIAT_ONLY");
  awaiting.set_awaiting_shipment(false);
  EXPECT_TRUE(enrollment_->ListParticipants(Navigator(), awaiting).ok());
}

}  // namespace
}  // namespace kaizen::enrollment
