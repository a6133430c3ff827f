// Issue 13's "Done when": one anonymous client can no longer take the seats,
// the municipality quota and the waiting list; an address that already
// applied gets an answer that cannot be told from a new application's; and
// two confirmations racing for the last seat take exactly one.
#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/confirmation_fixture.h"
#include "services/enrollment/enrollment_errors.h"

namespace kaizen::enrollment {
namespace squatting_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

// What a caller may compare between two answers: everything but the
// application's name, secret, etag and times.
v1::Application Normalised(v1::Application app) {
  app.clear_name();
  app.clear_access_token();
  app.clear_etag();
  app.clear_create_time();
  app.clear_confirm_expire_time();
  app.clear_arrival_time();
  for (auto& h : *app.mutable_history()) h.clear_time();
  return app;
}

TEST_F(ConfirmationTest, FiftyFourAnonymousApplicationsTakeNothing) {
  // The attack of the issue: 54 requests from one client in about a second,
  // twelve municipalities, more than the waiting list's 50.
  for (int i = 0; i < 54; ++i) {
    auto app = enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 10 + i, kTowns[i % 12]));
    ASSERT_TRUE(app.ok()) << i << ": " << app.status();  // no WAITLIST_FULL either
    EXPECT_EQ(app->state(), v1::Application::SUBMITTED);
  }
  const v1::Cohort cohort = Cohort(cohort_);
  EXPECT_EQ(cohort.seats_taken(), 0);
  EXPECT_EQ(cohort.municipalities_taken(), 0);
  EXPECT_EQ(CountIn(cohort_, v1::Application::WAITLISTED), 0);
  EXPECT_EQ(CountIn(cohort_, v1::Application::ACCEPTED), 0);
  EXPECT_EQ(CountIn(cohort_, v1::Application::SUBMITTED), 54);

  // A real applicant who confirms their address gets a seat.
  clock_.Advance(absl::Minutes(5));
  const v1::Application real = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[3]));
  auto admitted = ConfirmAll(real);
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_EQ(admitted->state(), v1::Application::ACCEPTED);
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 1);

  // The squatter's applications lapse without ever holding anything.
  clock_.Advance(absl::Hours(48));
  auto expired = enrollment_->ExpireUnconfirmedApplications();
  ASSERT_TRUE(expired.ok()) << expired.status();
  EXPECT_EQ(*expired, 54);
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 1);
}

// The kinds of mail sent to `address` about applications of `cohort`.
std::vector<std::string> KindsAbout(EnrollmentStore& store, const std::string& address,
                                    const std::string& cohort) {
  std::vector<std::string> kinds;
  for (const Mail& m : MailTo(store, address)) {
    if (m.subject_ref.rfind(cohort + "/", 0) == 0) kinds.push_back(m.kind);
  }
  return kinds;
}

int Count(const std::vector<std::string>& kinds, const std::string& kind) {
  return static_cast<int>(std::count(kinds.begin(), kinds.end(), kind));
}

TEST_F(ConfirmationTest, AnAddressThatAppliedGetsTheAnswerOfANewApplication) {
  // Twin cohorts: in `cohort_` person100's address has applied (and
  // arrived); in `twin` it has not. The same probe goes to both: the
  // prober's own address (person101, the team mate) must see no difference.
  const std::string twin = MakeOpenCohort(Fy2022Cohort(), "twin");
  const v1::Application victim = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  ASSERT_EQ(ConfirmAll(victim)->state(), v1::Application::ACCEPTED);

  clock_.Advance(absl::Minutes(3));
  auto probe = [&](const std::string& cohort) {
    v1::CreateApplicationRequest r = Apply(cohort, 1, kTowns[0], 2);  // person100 and person101
    r.mutable_application()->mutable_members(0)->set_email("Person100@City.Example.jp");
    return enrollment_->CreateApplication(Anonymous(), r);
  };
  auto duplicate = probe(cohort_);
  auto fresh = probe(twin);
  ASSERT_TRUE(duplicate.ok()) << duplicate.status();
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(duplicate->state(), v1::Application::SUBMITTED);
  EXPECT_EQ(Normalised(*duplicate).SerializeAsString(), Normalised(*fresh).SerializeAsString())
      << duplicate->DebugString() << "\n"
      << fresh->DebugString();
  EXPECT_EQ(duplicate->confirm_expire_time().seconds() - duplicate->create_time().seconds(),
            fresh->confirm_expire_time().seconds() - fresh->create_time().seconds());
  auto read = [&](const v1::Application& app) {
    return Normalised(Get(app.name(), WithToken(app.access_token()))).SerializeAsString();
  };
  EXPECT_EQ(read(*duplicate), read(*fresh));

  // The team mate gets the same mail in both: their confirmation link.
  const std::string mate = "person101@city.example.jp";
  EXPECT_EQ(KindsAbout(*store_, mate, cohort_), std::vector<std::string>{"confirm_email"});
  EXPECT_EQ(KindsAbout(*store_, mate, twin), std::vector<std::string>{"confirm_email"});
  // The address's owner is told, about their own application (no link
  // into the prober's); in the twin the address gets a confirmation link.
  std::vector<Mail> to_owner = MailTo(*store_, "person100@city.example.jp");
  ASSERT_EQ(Count(KindsTo(*store_, "person100@city.example.jp"), "already_applied"), 1);
  EXPECT_EQ(to_owner.back().subject_ref, victim.name() + "/members/0");
  EXPECT_EQ(KindsTo(*store_, "Person100@City.Example.jp"),
            std::vector<std::string>{"confirm_email"});  // the twin's

  // The mate confirms in both: the same answers, the same reads.
  auto mate_dup = Confirm(duplicate->name(),
                          enrollment_->ConfirmationTokenFor(duplicate->name(), 1));
  auto mate_fresh = Confirm(fresh->name(), enrollment_->ConfirmationTokenFor(fresh->name(), 1));
  ASSERT_TRUE(mate_dup.ok()) << mate_dup.status();
  ASSERT_TRUE(mate_fresh.ok()) << mate_fresh.status();
  EXPECT_EQ(Normalised(*mate_dup).SerializeAsString(), Normalised(*mate_fresh).SerializeAsString());
  EXPECT_EQ(read(*duplicate), read(*fresh));

  // A second probe with the mate's address alone gets the link again, as
  // any application does (the first probe reserved nothing).
  v1::CreateApplicationRequest alone = Apply(cohort_, 1, kTowns[0], 2);
  alone.mutable_application()->mutable_members()->DeleteSubrange(0, 1);
  ASSERT_TRUE(enrollment_->CreateApplication(Anonymous(), alone).ok());
  EXPECT_EQ(KindsAbout(*store_, mate, cohort_),
            (std::vector<std::string>{"confirm_email", "confirm_email"}));

  // Both expire alike; the mate (who confirmed) is told in both, the same.
  clock_.Advance(absl::Hours(48));
  ASSERT_TRUE(enrollment_->ExpireUnconfirmedApplications().ok());
  EXPECT_EQ(read(*duplicate), read(*fresh));
  EXPECT_EQ(Get(duplicate->name(), Secretariat()).state(), v1::Application::EXPIRED);
  EXPECT_EQ(Count(KindsAbout(*store_, mate, cohort_), "application_expired"),
            Count(KindsAbout(*store_, mate, twin), "application_expired"));
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 1);
}

TEST_F(ConfirmationTest, TheHolderIsToldAtMostOncePerDay) {
  const v1::Application victim = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  ASSERT_EQ(ConfirmAll(victim)->state(), v1::Application::ACCEPTED);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Minutes(10));
    ASSERT_TRUE(enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 1, kTowns[0])).ok());
  }
  EXPECT_EQ(Count(KindsTo(*store_, "person100@city.example.jp"), "already_applied"), 1);
  clock_.Advance(absl::Hours(24));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(enrollment_->CreateApplication(Anonymous(), Apply(cohort_, 1, kTowns[0])).ok());
  }
  EXPECT_EQ(Count(KindsTo(*store_, "person100@city.example.jp"), "already_applied"), 2);
}

TEST_F(ConfirmationTest, AnUnconfirmedApplicationOfSomeoneElsesAddressBlocksNothing) {
  // Someone without the mailboxes applies with person100's and person300's
  // addresses and never confirms.
  v1::CreateApplicationRequest squat = Apply(cohort_, 1, kTowns[0], 2);
  squat.mutable_application()->mutable_members(1)->set_email("person300@city.example.jp");
  const v1::Application squatter = MustApply(Anonymous(), squat);

  // The owner's own anonymous application is a real one: linked, admitted.
  const v1::Application own = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  auto admitted = ConfirmAll(own);
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_EQ(admitted->state(), v1::Application::ACCEPTED);
  EXPECT_EQ(Count(KindsTo(*store_, "person100@city.example.jp"), "already_applied"), 0);
  // A signed-in caller and the secretariat are not refused either.
  EXPECT_EQ(MustApply(User("acct-3"), Apply(cohort_, 3, kTowns[2])).state(),
            v1::Application::ACCEPTED);

  // Withdrawing the squatter's application releases nothing it never held.
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(squatter.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(WithToken(squatter.access_token()), withdraw).ok());
  auto again = enrollment_->CreateApplication(Secretariat(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(errors::Reason(again.status()), kDuplicateApplicant) << again.status();
}

TEST_F(ConfirmationTest, TheSecondArrivalWithAnAddressAnswersDuplicateAndLaterExpires) {
  const v1::Application first = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  const v1::Application second = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[1]));
  EXPECT_EQ(KindsTo(*store_, "person100@city.example.jp"),
            (std::vector<std::string>{"confirm_email", "confirm_email"}));
  ASSERT_EQ(ConfirmAll(first)->state(), v1::Application::ACCEPTED);
  // The caller proved every mailbox of the application: telling them is no
  // oracle.
  auto refused = ConfirmAll(second);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(refused.status()), kDuplicateApplicant);
  v1::Application kept = Get(second.name(), Secretariat());
  EXPECT_EQ(kept.state(), v1::Application::SUBMITTED);
  EXPECT_TRUE(kept.members(0).email_confirmed());
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 1);

  clock_.Advance(absl::Hours(48));
  EXPECT_EQ(*enrollment_->ExpireUnconfirmedApplications(), 1);
  kept = Get(second.name(), Secretariat());
  EXPECT_EQ(kept.state(), v1::Application::EXPIRED);
  EXPECT_EQ(kept.history(kept.history_size() - 1).reason(), kArrivalRefused);
  // The first one's reservation is untouched.
  auto dup = enrollment_->CreateApplication(Secretariat(), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(errors::Reason(dup.status()), kDuplicateApplicant);
}

TEST_F(ConfirmationTest, DuplicatesStillAnswerAccountsAndTheirOwnRequest) {
  ASSERT_EQ(ConfirmAll(MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0])))->state(),
            v1::Application::ACCEPTED);
  // A signed-in caller is identified and accountable (one application at a
  // time): told plainly.
  auto account = enrollment_->CreateApplication(User("acct"), Apply(cohort_, 1, kTowns[0]));
  EXPECT_EQ(account.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(errors::Reason(account.status()), kDuplicateApplicant);
  // One request listing one address twice is the caller's own input.
  v1::CreateApplicationRequest twice = Apply(cohort_, 5, kTowns[1], 2);
  twice.mutable_application()->mutable_members(1)->set_email(
      twice.application().members(0).email());
  auto own = enrollment_->CreateApplication(Anonymous(), twice);
  EXPECT_EQ(own.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(own.status()), kDuplicateApplicant);
}

TEST_F(ConfirmationTest, AnAccountHoldsOneLiveApplicationPerCohort) {
  const v1::Application first = MustApply(User("acct"), Apply(cohort_, 1, kTowns[0]));
  ASSERT_EQ(first.state(), v1::Application::ACCEPTED);
  auto second = enrollment_->CreateApplication(User("acct"), Apply(cohort_, 2, kTowns[1], 3));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(second.status()), kAccountAlreadyApplied);
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 1);
  // Another cohort, and the secretariat, are not limited.
  const std::string twin = MakeOpenCohort(Fy2022Cohort(), "twin");
  EXPECT_EQ(MustApply(User("acct"), Apply(twin, 2, kTowns[1])).state(),
            v1::Application::ACCEPTED);
  MustApply(Secretariat(), Apply(cohort_, 3, kTowns[2]));
  MustApply(Secretariat(), Apply(cohort_, 4, kTowns[3]));
  // Claiming an anonymous application counts as holding it.
  const v1::Application anon = MustApply(Anonymous(), Apply(cohort_, 5, kTowns[4]));
  v1::ClaimApplicationRequest claim;
  claim.set_name(anon.name());
  Principal holder = User("acct");
  holder.set_access_token(anon.access_token());
  auto claimed = enrollment_->ClaimApplication(holder, claim);
  EXPECT_EQ(errors::Reason(claimed.status()), kAccountAlreadyApplied) << claimed.status();
  // Once the first is withdrawn, the account may apply again.
  v1::WithdrawApplicationRequest withdraw;
  withdraw.set_name(first.name());
  ASSERT_TRUE(enrollment_->WithdrawApplication(User("acct"), withdraw).ok());
  EXPECT_TRUE(enrollment_->CreateApplication(User("acct"), Apply(cohort_, 2, kTowns[1])).ok());
}

TEST_F(ConfirmationTest, RacingConfirmationsTakeTheLastSeatOnce) {
  // A file database, so the threads contend across connections.
  Open(absl::StrCat(getenv("TEST_TMPDIR"), "/confirm-race-", NewId(), ".db"));
  v1::Cohort one_seat = Fy2022Cohort();
  one_seat.set_capacity(1);
  one_seat.set_max_municipalities(1);
  one_seat.set_max_waitlist(100);
  const std::string cohort = MakeOpenCohort(one_seat, "race");
  constexpr int kRivals = 8;
  std::vector<v1::Application> apps;
  for (int i = 0; i < kRivals; ++i) {
    apps.push_back(MustApply(Anonymous(), Apply(cohort, 1 + i, kTowns[i % 12])));
  }
  std::vector<absl::StatusOr<v1::Application>> results(kRivals, absl::UnknownError(""));
  absl::Notification go;
  std::vector<std::thread> threads;
  for (int i = 0; i < kRivals; ++i) {
    threads.emplace_back([&, i] {
      go.WaitForNotification();
      results[i] = Confirm(apps[i].name(), enrollment_->ConfirmationTokenFor(apps[i].name(), 0));
    });
  }
  go.Notify();
  for (auto& t : threads) t.join();
  int accepted = 0;
  std::vector<int> positions;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    if (r->state() == v1::Application::ACCEPTED) ++accepted;
    if (r->state() == v1::Application::WAITLISTED) positions.push_back(r->waitlist_position());
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(Cohort(cohort).seats_taken(), 1);
  // Each later arrival queued behind the earlier ones: positions 1..7 once.
  std::sort(positions.begin(), positions.end());
  std::vector<int> expected;
  for (int i = 1; i < kRivals; ++i) expected.push_back(i);
  EXPECT_EQ(positions, expected);
}

}  // namespace
}  // namespace kaizen::enrollment
