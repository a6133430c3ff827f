// Behaviour pinned across the one-service-shape refactor (issue 9): paths
// whose code was rewritten (the OFFERED branch of AcceptApplication, every
// place where the revision bump moved into EnrollmentTx::Update*) must give
// the same etags, seats, history and feed entries as before.
#include <string>

#include "common/status/errors.h"
#include "common/util/etag.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace regression_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

class RegressionTest : public ::testing::Test {
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
  }

  std::string OpenCohort(v1::Cohort cohort, const std::string& id) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = cohort;
    create.set_cohort_id(id);
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(created.ok()) << created.status();
    EXPECT_EQ(created->etag(), MakeEtag(created->name(), 1));
    v1::TransitionCohortRequest open;
    open.set_name(created->name());
    open.set_state(v1::Cohort::OPEN);
    open.set_etag(created->etag());
    auto opened = enrollment_->TransitionCohort(Secretariat(), open);
    EXPECT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(opened->etag(), MakeEtag(created->name(), 2));
    return created->name();
  }

  v1::Application MustApply(const std::string& cohort, int n, const std::string& town,
                            int team = 1) {
    auto app = enrollment_->CreateApplication(Anonymous(), Apply(cohort, n, town, team));
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  v1::Application Get(const std::string& name) {
    v1::GetApplicationRequest get;
    get.set_name(name);
    auto app = enrollment_->GetApplication(Secretariat(), get);
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  v1::Cohort GetCohort(const std::string& name) {
    v1::GetCohortRequest get;
    get.set_name(name);
    auto c = enrollment_->GetCohort(Secretariat(), get);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : v1::Cohort();
  }

  v1::Participant GetParticipant(const std::string& name) {
    v1::GetParticipantRequest get;
    get.set_name(name);
    auto p = enrollment_->GetParticipant(Secretariat(), get);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::Participant();
  }

  int FeedSize() {
    v1::ListChangesRequest r;
    r.set_page_size(1000);
    auto changes = enrollment_->ListChanges(Secretariat(), r);
    EXPECT_TRUE(changes.ok()) << changes.status();
    return changes.ok() ? changes->changes_size() : -1;
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
};

// The secretariat accepts an open offer: the offer's own seats (and its
// municipality) count as free for it, the application is written once
// (revision + 1), and one participation is created per admitted member.
TEST_F(RegressionTest, AcceptingAnOfferedApplicationKeepsSeatsAndRevisions) {
  v1::Cohort c = Fy2022Cohort();
  c.set_capacity(3);
  c.set_max_municipalities(2);
  c.set_allow_partial_team(true);
  const std::string cohort = OpenCohort(c, "small");

  v1::Application a = MustApply(cohort, 1, kTowns[0], 2);  // 2 seats, town 0
  ASSERT_EQ(a.state(), v1::Application::ACCEPTED);
  EXPECT_EQ(a.etag(), MakeEtag(a.name(), 1));  // written once, already ACCEPTED
  v1::Application b = MustApply(cohort, 2, kTowns[1]);  // 1 seat, town 1: full
  ASSERT_EQ(b.state(), v1::Application::ACCEPTED);
  v1::Application w = MustApply(cohort, 3, kTowns[1], 2);  // waits: full
  ASSERT_EQ(w.state(), v1::Application::WAITLISTED);
  EXPECT_EQ(w.etag(), MakeEtag(w.name(), 1));
  EXPECT_EQ(w.waitlist_position(), 1);

  // Withdrawing b frees one seat: w (a team of two, partial allowed) is
  // offered one seat.
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(b.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(WithToken(b.access_token()), withdraw).ok());
  w = Get(w.name());
  ASSERT_EQ(w.state(), v1::Application::OFFERED);
  EXPECT_EQ(w.admitted_member_count(), 1);
  EXPECT_EQ(w.etag(), MakeEtag(w.name(), 2));
  EXPECT_EQ(GetCohort(cohort).seats_taken(), 3);
  EXPECT_EQ(GetCohort(cohort).municipalities_taken(), 2);
  const int feed_before = FeedSize();

  v1::DecideApplicationRequest accept;
  accept.set_name(w.name());
  accept.set_etag(w.etag());
  accept.set_reason("事務局判断");
  auto accepted = enrollment_->AcceptApplication(Secretariat(), accept);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->state(), v1::Application::ACCEPTED);
  EXPECT_EQ(accepted->admitted_member_count(), 1);
  EXPECT_EQ(accepted->etag(), MakeEtag(w.name(), 3));
  EXPECT_FALSE(accepted->has_offer_expire_time());
  ASSERT_EQ(accepted->participants_size(), 1);
  ASSERT_EQ(accepted->history_size(), 4);  // SUBMITTED, WAITLISTED, OFFERED, ACCEPTED
  EXPECT_EQ(accepted->history(1).reason(), "COHORT_FULL");
  EXPECT_EQ(accepted->history(2).reason(), "SEAT_AVAILABLE");
  EXPECT_EQ(accepted->history(3).state(), v1::Application::ACCEPTED);
  EXPECT_EQ(accepted->history(3).actor(), Secretariat().subject());
  EXPECT_EQ(accepted->history(3).reason(), "事務局判断");
  EXPECT_EQ(Get(w.name()).etag(), accepted->etag());
  EXPECT_EQ(GetCohort(cohort).seats_taken(), 3);
  EXPECT_EQ(GetCohort(cohort).municipalities_taken(), 2);
  // One new participant, announced once on the feed.
  EXPECT_EQ(FeedSize(), feed_before + 1);
  EXPECT_EQ(GetParticipant(accepted->participants(0)).etag(),
            MakeEtag(accepted->participants(0), 1));

  // The stale etag (the offer's) no longer matches.
  EXPECT_EQ(enrollment_->AcceptApplication(Secretariat(), accept).status().code(),
            absl::StatusCode::kAborted);
}

// An offer the secretariat accepts where the offer is its municipality's
// only seat-holder: with the municipality limit reached by it, it still fits.
TEST_F(RegressionTest, AcceptingAnOfferCountsItsOwnMunicipalityAsFree) {
  v1::Cohort c = Fy2022Cohort();
  c.set_capacity(2);
  c.set_max_municipalities(2);
  const std::string cohort = OpenCohort(c, "munis");
  v1::Application a = MustApply(cohort, 1, kTowns[0]);
  v1::Application b = MustApply(cohort, 2, kTowns[1]);
  v1::Application w = MustApply(cohort, 3, kTowns[2]);  // limit and seats reached
  ASSERT_EQ(w.state(), v1::Application::WAITLISTED);
  EXPECT_EQ(w.history(1).reason(), "MUNICIPALITY_LIMIT_REACHED");
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(b.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(WithToken(b.access_token()), withdraw).ok());
  w = Get(w.name());
  ASSERT_EQ(w.state(), v1::Application::OFFERED);
  v1::DecideApplicationRequest accept;
  accept.set_name(w.name());
  accept.set_reason("ok");
  auto accepted = enrollment_->AcceptApplication(Secretariat(), accept);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->etag(), MakeEtag(w.name(), 3));
  EXPECT_EQ(GetCohort(cohort).municipalities_taken(), 2);
  (void)a;
}

// Every participant write bumps its revision once; a replayed payment
// writes nothing.
TEST_F(RegressionTest, ParticipantRevisionsMoveOncePerWrite) {
  const std::string cohort = OpenCohort(Fy2022Cohort(), "fy2022");
  v1::Application a = MustApply(cohort, 1, kTowns[0]);
  ASSERT_EQ(a.participants_size(), 1);
  const std::string p = a.participants(0);
  EXPECT_EQ(GetParticipant(p).etag(), MakeEtag(p, 1));

  v1::RecordPaymentRequest pay;
  pay.set_name(p);
  pay.set_kind(v1::Participant::Payment::PAYMENT);
  pay.mutable_amount()->set_currency_code("JPY");
  pay.mutable_amount()->set_units(10000);
  pay.set_request_id("pay-1");
  auto paid = enrollment_->RecordPayment(Secretariat(), pay);
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->etag(), MakeEtag(p, 2));
  auto again = enrollment_->RecordPayment(Secretariat(), pay);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->etag(), MakeEtag(p, 2));
  EXPECT_EQ(again->payments_size(), 1);

  v1::RecordShipmentRequest ship;
  ship.set_name(p);
  ship.set_item_id("kaizen-undo");
  auto shipped = enrollment_->RecordShipment(Secretariat(), ship);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  EXPECT_EQ(shipped->etag(), MakeEtag(p, 3));

  const int feed_before = FeedSize();
  v1::UpdateConsentRequest consent;
  consent.set_name(p);
  consent.set_etag(shipped->etag());
  consent.mutable_consent()->set_share_attendance(false);
  consent.mutable_consent()->set_share_action_plan(true);
  consent.mutable_consent()->set_share_survey_profile(false);
  auto changed = enrollment_->UpdateConsent(Secretariat(), consent);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->etag(), MakeEtag(p, 4));
  // The consent change, after the tombstone of the category it revoked
  // (attendance: result_feed.h).
  EXPECT_EQ(FeedSize(), feed_before + 2);

  v1::CancelParticipantRequest cancel;
  cancel.set_name(p);
  cancel.set_etag(changed->etag());
  auto cancelled = enrollment_->CancelParticipant(Secretariat(), cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->etag(), MakeEtag(p, 5));
  EXPECT_EQ(cancelled->state(), v1::Participant::CANCELLED);
}

// Lapsed offers expire on the next write (revision + 1) and the freed seat
// is offered on (revision + 1 for the next in line); the expired applicant
// is told OFFER_EXPIRED, and the expiry stays.
TEST_F(RegressionTest, ExpiryAndPromotionBumpEachApplicationOnce) {
  v1::Cohort c = Fy2022Cohort();
  c.set_capacity(1);
  c.set_max_municipalities(1);
  const std::string cohort = OpenCohort(c, "one");
  v1::Application a = MustApply(cohort, 1, kTowns[0]);
  v1::Application w1 = MustApply(cohort, 2, kTowns[0]);
  v1::Application w2 = MustApply(cohort, 3, kTowns[0]);
  ASSERT_EQ(w2.waitlist_position(), 2);

  v1::PrioritizeApplicationRequest prio;
  prio.set_name(w2.name());
  prio.set_priority(5);
  prio.set_reason("優先");
  prio.set_etag(w2.etag());
  auto prioritized = enrollment_->PrioritizeApplication(Secretariat(), prio);
  ASSERT_TRUE(prioritized.ok()) << prioritized.status();
  EXPECT_EQ(prioritized->etag(), MakeEtag(w2.name(), 2));
  EXPECT_EQ(prioritized->waitlist_position(), 1);

  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(a.name());
  auto gone = enrollment_->WithdrawApplication(WithToken(a.access_token()), withdraw);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->etag(), MakeEtag(a.name(), 2));  // created ACCEPTED, withdrawn
  EXPECT_EQ(GetParticipant(a.participants(0)).etag(), MakeEtag(a.participants(0), 2));
  v1::Application offered = Get(w2.name());
  ASSERT_EQ(offered.state(), v1::Application::OFFERED);
  EXPECT_EQ(offered.etag(), MakeEtag(w2.name(), 3));
  EXPECT_EQ(Get(w1.name()).etag(), MakeEtag(w1.name(), 1));

  clock_.Advance(absl::Hours(49));
  v1::AnswerOfferRequest answer;
  answer.set_name(w2.name());
  auto late = enrollment_->AcceptOffer(WithToken(w2.access_token()), answer);
  EXPECT_EQ(errors::Reason(late.status()), "OFFER_EXPIRED");
  v1::Application expired = Get(w2.name());
  EXPECT_EQ(expired.state(), v1::Application::EXPIRED);
  EXPECT_EQ(expired.etag(), MakeEtag(w2.name(), 4));
  v1::Application next = Get(w1.name());
  EXPECT_EQ(next.state(), v1::Application::OFFERED);
  EXPECT_EQ(next.etag(), MakeEtag(w1.name(), 2));

  auto taken = enrollment_->AcceptOffer(WithToken(w1.access_token()), [&] {
    v1::AnswerOfferRequest r;
    r.set_name(w1.name());
    return r;
  }());
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(taken->etag(), MakeEtag(w1.name(), 3));
  EXPECT_EQ(taken->history(taken->history_size() - 1).reason(), "OFFER_ACCEPTED");
}

// Cohort writes bump once each, whether or not they promote.
TEST_F(RegressionTest, CohortRevisionsMoveOncePerWrite) {
  v1::Cohort c = Fy2022Cohort();
  c.set_capacity(1);
  c.set_max_municipalities(1);
  const std::string cohort = OpenCohort(c, "grow");
  MustApply(cohort, 1, kTowns[0]);
  v1::Application w = MustApply(cohort, 2, kTowns[0]);
  ASSERT_EQ(w.state(), v1::Application::WAITLISTED);
  v1::UpdateCohortRequest update;
  update.mutable_cohort()->set_name(cohort);
  update.mutable_cohort()->set_capacity(2);
  update.mutable_cohort()->set_etag(MakeEtag(cohort, 2));
  update.mutable_update_mask()->add_paths("capacity");
  auto grown = enrollment_->UpdateCohort(Secretariat(), update);
  ASSERT_TRUE(grown.ok()) << grown.status();
  EXPECT_EQ(grown->etag(), MakeEtag(cohort, 3));
  EXPECT_EQ(grown->seats_taken(), 2);  // the raise was offered on
  EXPECT_EQ(Get(w.name()).state(), v1::Application::OFFERED);
  EXPECT_EQ(Get(w.name()).etag(), MakeEtag(w.name(), 2));
}

}  // namespace
}  // namespace kaizen::enrollment
