// Issue 15 review, M4: every change reads the clock under the write lock, so
// the times it records (history, decisions, offers and their expiry,
// payments, consents, create and update times) agree with commit order.
// WriteLockClock (write_lock_clock.h) counts readings taken without the
// lock; every mutation here must take none. A file database (the probe
// needs its own connection); no sleeps.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/util/ids.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/write_lock_clock.h"

namespace kaizen::enrollment {
namespace clock_in_write_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class ClockInWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(getenv("TEST_TMPDIR"), "/clock-", NewId(), ".db");
    storage::DatabaseOptions options;
    options.path = path_;
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_ = std::make_unique<WriteLockClock>(path_, June1());
    ASSERT_TRUE(clock_->probing());
    enrollment_ = std::make_unique<Enrollment>(
        store_.get(), clock_.get(),
        WithoutEmailConfirmation(EnrollmentConfig{
            "page-token-key-0123456789", "access-key-0123456789", "claim-key-0123456789"}));
  }

  // Runs `change` and expects every clock reading in it under the lock.
  template <typename Fn>
  void ExpectClockReadInsideWrite(const std::string& what, Fn change) {
    clock_->Reset();
    const absl::Status s = change();
    EXPECT_TRUE(s.ok()) << what << ": " << s;
    EXPECT_GT(clock_->locked_reads(), 0) << what;
    EXPECT_EQ(clock_->unlocked_reads(), 0) << what << " read the clock before the write lock";
  }

  std::string path_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<WriteLockClock> clock_;
  std::unique_ptr<Enrollment> enrollment_;
};

TEST_F(ClockInWriteTest, EveryApplicationAndParticipantChange) {
  v1::Cohort small = Fy2022Cohort();
  small.set_capacity(1);
  small.set_max_municipalities(1);
  v1::CreateCohortRequest create;
  *create.mutable_cohort() = small;
  create.set_cohort_id("small");
  auto cohort = enrollment_->CreateCohort(Secretariat(), create);
  ASSERT_TRUE(cohort.ok()) << cohort.status();
  const std::string c = cohort->name();
  v1::TransitionCohortRequest open;
  open.set_name(c);
  open.set_state(v1::Cohort::OPEN);
  ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());

  absl::StatusOr<v1::Application> seated, waiting, third;
  ExpectClockReadInsideWrite("CreateApplication", [&] {
    seated = enrollment_->CreateApplication(User("person-1"), Apply(c, 1, kTowns[0]));
    return seated.status();
  });
  waiting = enrollment_->CreateApplication(Anonymous(), Apply(c, 2, kTowns[0]));
  third = enrollment_->CreateApplication(Anonymous(), Apply(c, 3, kTowns[0]));
  ASSERT_TRUE(waiting.ok() && third.ok());

  ExpectClockReadInsideWrite("PrioritizeApplication", [&] {
    v1::PrioritizeApplicationRequest r;
    r.set_name(third->name());
    r.set_priority(1);
    r.set_reason("推薦");
    return enrollment_->PrioritizeApplication(Secretariat(), r).status();
  });
  ExpectClockReadInsideWrite("RejectApplication", [&] {  // offers the seat to `third`
    v1::DecideApplicationRequest r;
    r.set_name(seated->name());
    r.set_reason("書類不備");
    return enrollment_->RejectApplication(Secretariat(), r).status();
  });
  ExpectClockReadInsideWrite("DeclineOffer", [&] {  // offers it to `waiting`
    v1::AnswerOfferRequest r;
    r.set_name(third->name());
    return enrollment_->DeclineOffer(WithToken(third->access_token()), r).status();
  });
  ExpectClockReadInsideWrite("AcceptOffer", [&] {
    v1::AnswerOfferRequest r;
    r.set_name(waiting->name());
    return enrollment_->AcceptOffer(WithToken(waiting->access_token()), r).status();
  });
  ExpectClockReadInsideWrite("WithdrawApplication", [&] {
    v1::WithdrawApplicationRequest r;
    r.set_name(waiting->name());
    return enrollment_->WithdrawApplication(WithToken(waiting->access_token()), r).status();
  });
  absl::StatusOr<v1::Application> accepted;
  ExpectClockReadInsideWrite("AcceptApplication", [&] {
    v1::DecideApplicationRequest r;
    r.set_name(seated->name());
    r.set_reason("再検討");
    accepted = enrollment_->AcceptApplication(Secretariat(), r);
    return accepted.status();
  });
  ExpectClockReadInsideWrite("ExpireLapsedOffers",
                             [&] { return enrollment_->ExpireLapsedOffers().status(); });
  // The latest participation (the first was cancelled by the rejection).
  const std::string p = accepted->participants(accepted->participants_size() - 1);

  ExpectClockReadInsideWrite("CreateParticipant", [&] {
    v1::CreateParticipantRequest r;
    r.set_parent(c);
    r.mutable_participant()->set_display_name("中村 進");
    r.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
    return enrollment_->CreateParticipant(Secretariat(), r).status();
  });
  ExpectClockReadInsideWrite("UpdateConsent", [&] {
    v1::UpdateConsentRequest r;
    r.set_name(p);
    r.mutable_consent()->set_share_attendance(true);
    r.mutable_consent()->set_share_action_plan(false);
    r.mutable_consent()->set_share_survey_profile(false);
    return enrollment_->UpdateConsent(User("person-1"), r).status();
  });
  ExpectClockReadInsideWrite("RecordPayment", [&] {
    v1::RecordPaymentRequest r;
    r.set_name(p);
    r.set_kind(v1::Participant::Payment::PAYMENT);
    r.mutable_amount()->set_currency_code("JPY");
    r.mutable_amount()->set_units(1000);
    return enrollment_->RecordPayment(Secretariat(), r).status();
  });
  ExpectClockReadInsideWrite("RecordShipment", [&] {
    v1::RecordShipmentRequest r;
    r.set_name(p);
    r.set_item_id("kaizen-undo");
    return enrollment_->RecordShipment(Secretariat(), r).status();
  });
  ExpectClockReadInsideWrite("CancelParticipant", [&] {
    v1::CancelParticipantRequest r;
    r.set_name(p);
    return enrollment_->CancelParticipant(User("person-1"), r).status();
  });
}

}  // namespace
}  // namespace kaizen::enrollment
