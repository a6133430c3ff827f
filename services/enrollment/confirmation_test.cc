// E-mail confirmation before a seat is held (issue 13, point 3): the flow,
// tokens, expiry, the order of confirmation, the callers who skip it, and
// refusals that keep the confirmations.
#include <string>

#include "SQLiteCpp/SQLiteCpp.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/confirmation_fixture.h"
#include "services/enrollment/enrollment_errors.h"

namespace kaizen::enrollment {
namespace confirmation_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

absl::Time T(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

TEST_F(ConfirmationTest, AnonymousApplicationWaitsUntilEveryMemberConfirms) {
  const v1::Application app = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0], 2));
  EXPECT_EQ(app.state(), v1::Application::SUBMITTED);
  EXPECT_FALSE(app.access_token().empty());
  EXPECT_EQ(app.waitlist_position(), 0);
  EXPECT_FALSE(app.has_arrival_time());
  EXPECT_EQ(T(app.confirm_expire_time()), June1() + absl::Hours(48));
  for (const auto& m : app.members()) EXPECT_FALSE(m.email_confirmed());
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 0);
  EXPECT_EQ(Cohort(cohort_).municipalities_taken(), 0);
  // Each member got their own confirmation link, nobody anything else.
  EXPECT_EQ(KindsTo(*store_, "person100@city.example.jp"),
            std::vector<std::string>{"confirm_email"});
  EXPECT_EQ(KindsTo(*store_, "person101@city.example.jp"),
            std::vector<std::string>{"confirm_email"});
  EXPECT_EQ(OutboxRows(*store_).size(), 2u);

  clock_.Advance(absl::Hours(1));
  auto first = Confirm(app.name(), enrollment_->ConfirmationTokenFor(app.name(), 1));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->state(), v1::Application::SUBMITTED);
  EXPECT_FALSE(first->members(0).email_confirmed());
  EXPECT_TRUE(first->members(1).email_confirmed());
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 0);
  // A double click is not an error and changes nothing.
  auto again = Confirm(app.name(), enrollment_->ConfirmationTokenFor(app.name(), 1));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->etag(), first->etag());

  clock_.Advance(absl::Hours(1));
  auto last = Confirm(app.name(), enrollment_->ConfirmationTokenFor(app.name(), 0));
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->state(), v1::Application::ACCEPTED);
  EXPECT_EQ(T(last->arrival_time()), June1() + absl::Hours(2));
  EXPECT_FALSE(last->has_confirm_expire_time());
  EXPECT_EQ(last->participants_size(), 2);
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 2);
  EXPECT_EQ(KindsTo(*store_, "person100@city.example.jp"),
            (std::vector<std::string>{"confirm_email", "application_accepted"}));

  // After admission the link still answers, with the application as it is.
  auto after = Confirm(app.name(), enrollment_->ConfirmationTokenFor(app.name(), 0));
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->state(), v1::Application::ACCEPTED);
  EXPECT_EQ(after->etag(), last->etag());
  // The applicant's own read shows the same.
  EXPECT_EQ(Get(app.name(), WithToken(app.access_token())).state(), v1::Application::ACCEPTED);
}

TEST_F(ConfirmationTest, OnlyTheMailedTokenConfirmsAndEveryRefusalLooksAlike) {
  const v1::Application app = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  const v1::Application other = MustApply(Anonymous(), Apply(cohort_, 2, kTowns[1]));
  EXPECT_NE(enrollment_->ConfirmationTokenFor(app.name(), 0), app.access_token());
  EXPECT_NE(enrollment_->ConfirmationTokenFor(app.name(), 0),
            enrollment_->ConfirmationTokenFor(app.name(), 1));

  const std::string unknown = absl::StrCat(cohort_, "/applications/no-such-application");
  for (const auto& [name, token] : std::vector<std::pair<std::string, std::string>>{
           {app.name(), app.access_token()},                                  // the HTTP answer's
           {app.name(), enrollment_->ConfirmationTokenFor(other.name(), 0)},  // another's
           {app.name(), enrollment_->ConfirmationTokenFor(app.name(), 1)},    // no member 1
           {app.name(), "x"},
           {app.name(), std::string(500, 'a')},
           {unknown, enrollment_->ConfirmationTokenFor(unknown, 0)}}) {
    auto refused = Confirm(name, token);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
    EXPECT_EQ(errors::Reason(refused.status()), kConfirmationTokenInvalid);
    EXPECT_EQ(refused.status().message(), ConfirmationTokenInvalid().message());
  }
  EXPECT_EQ(Confirm(app.name(), "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Confirm("cohorts/fy2022/nonsense", "t").status().code(),
            absl::StatusCode::kInvalidArgument);
  // A partner key may never act on applications.
  v1::ConfirmApplicationEmailRequest r;
  r.set_name(app.name());
  r.set_token(enrollment_->ConfirmationTokenFor(app.name(), 0));
  EXPECT_EQ(enrollment_->ConfirmApplicationEmail(PartnerHr("242047"), r).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Nothing above confirmed anything.
  EXPECT_EQ(Get(app.name(), Secretariat()).state(), v1::Application::SUBMITTED);
  EXPECT_FALSE(Get(app.name(), Secretariat()).members(0).email_confirmed());
}

TEST_F(ConfirmationTest, UnconfirmedApplicationsExpireAndFreeTheirAddress) {
  const v1::Application late = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  const v1::Application swept = MustApply(Anonymous(), Apply(cohort_, 2, kTowns[1]));
  clock_.Advance(absl::Hours(47));
  const v1::Application young = MustApply(Anonymous(), Apply(cohort_, 3, kTowns[2]));
  clock_.Advance(absl::Hours(1));  // exactly 48 h after the first two

  // Too late: never admitted, EXPIRED in the same call (the sweep has not run).
  auto refused = Confirm(late.name(), enrollment_->ConfirmationTokenFor(late.name(), 0));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(refused.status()), kConfirmationExpired);
  v1::Application seen = Get(late.name(), Secretariat());
  EXPECT_EQ(seen.state(), v1::Application::EXPIRED);
  EXPECT_EQ(seen.history(seen.history_size() - 1).reason(), kEmailNotConfirmed);
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 0);
  // And again: still expired, nothing new.
  EXPECT_EQ(errors::Reason(
                Confirm(late.name(), enrollment_->ConfirmationTokenFor(late.name(), 0)).status()),
            kConfirmationExpired);

  // The sweep takes the other one, once; the younger one stays.
  auto n = enrollment_->ExpireUnconfirmedApplications();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(*enrollment_->ExpireUnconfirmedApplications(), 0);
  EXPECT_EQ(Get(swept.name(), Secretariat()).state(), v1::Application::EXPIRED);
  EXPECT_EQ(Get(young.name(), Secretariat()).state(), v1::Application::SUBMITTED);
  // Never confirmed: not told of the expiry either (no mail to an address
  // nobody proved).
  EXPECT_EQ(KindsTo(*store_, "person200@city.example.jp"),
            std::vector<std::string>{"confirm_email"});

  // The expired address is free again: a new application with it is a
  // real one (it can be confirmed and admitted), not a duplicate answer.
  const v1::Application again = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  auto admitted = ConfirmAll(again);
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_EQ(admitted->state(), v1::Application::ACCEPTED);
}

TEST_F(ConfirmationTest, AnApplicationWaitingForConfirmationCanBeWithdrawn) {
  const v1::Application app = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(app.name());
  auto withdrawn = enrollment_->WithdrawApplication(WithToken(app.access_token()), withdraw);
  ASSERT_TRUE(withdrawn.ok()) << withdrawn.status();
  EXPECT_EQ(withdrawn->state(), v1::Application::WITHDRAWN);
  // Its link no longer admits it; its address is free for a real application.
  auto late = Confirm(app.name(), enrollment_->ConfirmationTokenFor(app.name(), 0));
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_EQ(late->state(), v1::Application::WITHDRAWN);
  MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(KindsTo(*store_, "person100@city.example.jp"),
            (std::vector<std::string>{"confirm_email", "confirm_email"}));
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 0);
}

TEST_F(ConfirmationTest, TheQueueFollowsTheOrderOfConfirmation) {
  v1::Cohort one_seat = Fy2022Cohort();
  one_seat.set_capacity(1);
  one_seat.set_max_municipalities(1);
  const std::string cohort = MakeOpenCohort(one_seat, "one-seat");
  const v1::Application a = MustApply(Anonymous(), Apply(cohort, 1, kTowns[0]));
  clock_.Advance(absl::Minutes(1));
  const v1::Application b = MustApply(Anonymous(), Apply(cohort, 2, kTowns[1]));
  clock_.Advance(absl::Minutes(1));
  const v1::Application c = MustApply(Anonymous(), Apply(cohort, 3, kTowns[2]));

  // C confirms first, then B, then A: C takes the seat, B waits before A.
  clock_.Advance(absl::Minutes(1));
  auto got_c = ConfirmAll(c);
  ASSERT_TRUE(got_c.ok()) << got_c.status();
  EXPECT_EQ(got_c->state(), v1::Application::ACCEPTED);
  clock_.Advance(absl::Minutes(1));
  auto got_b = ConfirmAll(b);
  ASSERT_TRUE(got_b.ok()) << got_b.status();
  EXPECT_EQ(got_b->state(), v1::Application::WAITLISTED);
  EXPECT_EQ(got_b->waitlist_position(), 1);
  clock_.Advance(absl::Minutes(1));
  auto got_a = ConfirmAll(a);
  ASSERT_TRUE(got_a.ok()) << got_a.status();
  EXPECT_EQ(got_a->state(), v1::Application::WAITLISTED);
  EXPECT_EQ(got_a->waitlist_position(), 2);
  EXPECT_EQ(Get(b.name(), Secretariat()).waitlist_position(), 1);
  EXPECT_LT(T(got_b->arrival_time()), T(got_a->arrival_time()));
  EXPECT_EQ(KindsTo(*store_, "person200@city.example.jp"),
            (std::vector<std::string>{"confirm_email", "application_waitlisted"}));

  // When the seat frees, it is offered to B (confirmed before A).
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(c.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(WithToken(c.access_token()), withdraw).ok());
  EXPECT_EQ(Get(b.name(), Secretariat()).state(), v1::Application::OFFERED);
  EXPECT_EQ(Get(a.name(), Secretariat()).state(), v1::Application::WAITLISTED);
  EXPECT_EQ(KindsTo(*store_, "person200@city.example.jp").back(), "offer_made");
}

TEST_F(ConfirmationTest, SignedInCallersAndTheSecretariatArriveAtOnce) {
  const v1::Application mine = MustApply(User("account-1"), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(mine.state(), v1::Application::ACCEPTED);
  EXPECT_TRUE(mine.members(0).email_confirmed());
  EXPECT_FALSE(mine.has_confirm_expire_time());
  EXPECT_EQ(T(mine.arrival_time()), T(mine.create_time()));
  EXPECT_EQ(KindsTo(*store_, "person100@city.example.jp"),
            (std::vector<std::string>{"application_received", "application_accepted"}));

  const v1::Application theirs = MustApply(Secretariat(), Apply(cohort_, 2, kTowns[1], 2));
  EXPECT_EQ(theirs.state(), v1::Application::ACCEPTED);
  EXPECT_TRUE(theirs.members(1).email_confirmed());
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 3);
  // Nothing to confirm: the link answers the application as it is.
  auto confirm = Confirm(mine.name(), enrollment_->ConfirmationTokenFor(mine.name(), 0));
  ASSERT_TRUE(confirm.ok()) << confirm.status();
  EXPECT_EQ(confirm->state(), v1::Application::ACCEPTED);
}

TEST_F(ConfirmationTest, RefusedArrivalKeepsTheConfirmationAndCanBeRetried) {
  v1::Cohort tiny = Fy2022Cohort();
  tiny.set_capacity(1);
  tiny.set_max_municipalities(1);
  tiny.set_max_waitlist(1);
  const std::string cohort = MakeOpenCohort(tiny, "tiny");
  MustApply(User("u1"), Apply(cohort, 1, kTowns[0]));                                  // the seat
  const v1::Application waiting = MustApply(User("u2"), Apply(cohort, 2, kTowns[1]));  // the list
  EXPECT_EQ(waiting.state(), v1::Application::WAITLISTED);

  const v1::Application anon = MustApply(Anonymous(), Apply(cohort, 3, kTowns[2]));
  auto full = ConfirmAll(anon);
  EXPECT_EQ(errors::Reason(full.status()), kWaitlistFull) << full.status();
  v1::Application kept = Get(anon.name(), Secretariat());
  EXPECT_EQ(kept.state(), v1::Application::SUBMITTED);
  EXPECT_TRUE(kept.members(0).email_confirmed());
  EXPECT_TRUE(kept.has_confirm_expire_time());

  // Room on the list: confirming again (the same link) arrives now.
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(waiting.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(User("u2"), withdraw).ok());
  auto retried = Confirm(anon.name(), enrollment_->ConfirmationTokenFor(anon.name(), 0));
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->state(), v1::Application::WAITLISTED);
  EXPECT_EQ(retried->waitlist_position(), 1);
}

TEST_F(ConfirmationTest, ConfirmationAfterTheWindowClosedCountsButNotAfterTheCohortClosed) {
  // Submitted one hour before the window closes, confirmed after it closed.
  clock_.Set(absl::FromUnixSeconds(Fy2022Cohort().application_close_time().seconds()) -
             absl::Hours(1));
  const v1::Application app = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  const v1::Application other = MustApply(Anonymous(), Apply(cohort_, 2, kTowns[1]));
  clock_.Advance(absl::Hours(5));
  auto admitted = ConfirmAll(app);
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_EQ(admitted->state(), v1::Application::ACCEPTED);

  // The secretariat closes the cohort: an arrival is refused, the
  // confirmation kept (the application stays SUBMITTED until it expires).
  v1::TransitionCohortRequest close;
  close.set_name(cohort_);
  close.set_state(v1::Cohort::CLOSED);
  ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), close).ok());
  auto refused = ConfirmAll(other);
  EXPECT_EQ(errors::Reason(refused.status()), kCohortNotOpen) << refused.status();
  EXPECT_TRUE(Get(other.name(), Secretariat()).members(0).email_confirmed());
  EXPECT_EQ(Get(other.name(), Secretariat()).state(), v1::Application::SUBMITTED);
  clock_.Advance(absl::Hours(48));
  EXPECT_EQ(*enrollment_->ExpireUnconfirmedApplications(), 1);
  const v1::Application expired = Get(other.name(), Secretariat());
  EXPECT_EQ(expired.state(), v1::Application::EXPIRED);
  // Every member confirmed: the arrival was refused, not the address.
  EXPECT_EQ(expired.history(expired.history_size() - 1).reason(), kArrivalRefused);
}

TEST_F(ConfirmationTest, NoArrivalLaterThan48HoursAfterTheWindowClosed) {
  // Submitted one hour before the window closes: its deadline is the close
  // plus 48 h, never later, whatever the confirmation window.
  Open(":memory:", absl::Hours(336));  // the longest window the flag allows
  const absl::Time close =
      absl::FromUnixSeconds(Fy2022Cohort().application_close_time().seconds());
  clock_.Set(close - absl::Hours(1));
  const v1::Application app = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_LE(T(app.confirm_expire_time()), close + absl::Hours(48));
  clock_.Set(close + absl::Hours(48));
  auto late = ConfirmAll(app);
  EXPECT_EQ(errors::Reason(late.status()), kConfirmationExpired) << late.status();
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 0);
}

TEST_F(ConfirmationTest, EligibilityIsCheckedAgainAtArrival) {
  const v1::Application app = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  // The secretariat narrows the age range while the application waits.
  v1::Cohort narrowed = Cohort(cohort_);
  narrowed.mutable_eligibility()->set_min_age(50);
  narrowed.mutable_eligibility()->set_max_age(65);
  v1::UpdateCohortRequest update;
  *update.mutable_cohort() = narrowed;
  update.mutable_update_mask()->add_paths("eligibility");
  auto updated = enrollment_->UpdateCohort(Secretariat(), update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  auto refused = ConfirmAll(app);
  EXPECT_EQ(errors::Reason(refused.status()), kAgeOutOfRange) << refused.status();
  EXPECT_EQ(Get(app.name(), Secretariat()).state(), v1::Application::SUBMITTED);
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 0);
}

TEST_F(ConfirmationTest, TheSweepReadsOnlyDueApplicationsInBatches) {
  constexpr int kDue = 450;  // more than two of the sweep's batches (200)
  for (int i = 0; i < kDue; ++i) MustApply(Anonymous(), Apply(cohort_, 10 + i, kTowns[i % 12]));
  clock_.Advance(absl::Hours(1));
  const v1::Application young = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  clock_.Advance(absl::Hours(47));  // the first ones are due, `young` is not
  const absl::Time now = clock_.Now();
  ASSERT_TRUE(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
                      auto batch = tx.ListConfirmationsDue(now, 200);
                      EXPECT_TRUE(batch.ok()) << batch.status();
                      EXPECT_EQ(batch->size(), 200u);
                      auto all = tx.ListConfirmationsDue(now, 0);
                      EXPECT_EQ(all->size(), static_cast<size_t>(kDue));
                      for (const auto& rec : *all) {
                        EXPECT_NE(rec.id, young.name().substr(young.name().rfind('/') + 1));
                      }
                      return absl::OkStatus();
                    }).ok());
  // Served by the index, not a scan of every application.
  ASSERT_TRUE(store_->database()
                  .RunReadOnly([&](SQLite::Database& db) -> absl::Status {
                    SQLite::Statement plan(
                        db,
                        "EXPLAIN QUERY PLAN SELECT seq FROM applications "
                        "WHERE confirm_expire_micros <= 1 ORDER BY confirm_expire_micros "
                        "LIMIT 200");
                    std::string details;
                    while (plan.executeStep()) details += plan.getColumn(3).getString() + ";";
                    EXPECT_NE(details.find("applications_confirm_due"), std::string::npos)
                        << details;
                    return absl::OkStatus();
                  })
                  .ok());
  auto n = enrollment_->ExpireUnconfirmedApplications();
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, kDue);
  EXPECT_EQ(CountIn(cohort_, v1::Application::EXPIRED), kDue);
  EXPECT_EQ(Get(young.name(), Secretariat()).state(), v1::Application::SUBMITTED);

  // A row migration 9 marked due (0) is given its real deadline, not expired.
  ASSERT_TRUE(store_->database()
                  .RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                    db.exec("UPDATE applications SET confirm_expire_micros = 0 "
                            "WHERE state = 1");
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(*enrollment_->ExpireUnconfirmedApplications(), 0);
  EXPECT_EQ(Get(young.name(), Secretariat()).state(), v1::Application::SUBMITTED);
  ASSERT_TRUE(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
                      EXPECT_TRUE(tx.ListConfirmationsDue(clock_.Now(), 0)->empty());
                      return absl::OkStatus();
                    }).ok());
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(*enrollment_->ExpireUnconfirmedApplications(), 1);
}

TEST_F(ConfirmationTest, AMemberWhoIsStaffIsRejectedAtArrivalWithoutSayingWhy) {
  v1::CreateParticipantRequest staff;
  staff.set_parent(cohort_);
  staff.mutable_participant()->set_display_name("中村 進");
  staff.mutable_participant()->set_email("person100@city.example.jp");
  staff.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
  staff.mutable_participant()->set_municipality_code(kTowns[0]);
  ASSERT_TRUE(enrollment_->CreateParticipant(Secretariat(), staff).ok());

  const v1::Application app = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(app.state(), v1::Application::SUBMITTED);  // nothing told at create
  auto arrived = ConfirmAll(app);
  ASSERT_TRUE(arrived.ok()) << arrived.status();
  EXPECT_EQ(arrived->state(), v1::Application::REJECTED);
  EXPECT_EQ(Get(app.name(), WithToken(app.access_token())).history(1).reason(), "");
  EXPECT_EQ(Get(app.name(), Secretariat()).history(1).reason(), kMemberIsStaff);
  EXPECT_EQ(KindsTo(*store_, "person100@city.example.jp").back(), "application_rejected");
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 0);
}

}  // namespace
}  // namespace kaizen::enrollment
