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
namespace {

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

TEST_F(ConfirmationTest, AnAddressThatAppliedGetsTheAnswerOfANewApplication) {
  // Twin cohorts: in `cohort_` person100's address has applied; in `twin`
  // it has not. The same probe goes to both.
  const std::string twin = MakeOpenCohort(Fy2022Cohort(), "twin");
  const v1::Application victim = MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));

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

  // Later reads with each one's own access token look alike too.
  auto read = [&](const v1::Application& app) {
    return Normalised(Get(app.name(), WithToken(app.access_token()))).SerializeAsString();
  };
  EXPECT_EQ(read(*duplicate), read(*fresh));

  // Mail: the address's owner is told, with the link to their own
  // application; the probe's other member hears nothing (in the twin, both
  // get their confirmation links).
  EXPECT_EQ(KindsTo(*store_, "person100@city.example.jp"),
            (std::vector<std::string>{"confirm_email", "already_applied"}));
  EXPECT_EQ(KindsTo(*store_, "Person100@City.Example.jp"),
            std::vector<std::string>{"confirm_email"});  // the twin's
  std::vector<Mail> to_owner = MailTo(*store_, "person100@city.example.jp");
  EXPECT_EQ(to_owner[1].subject_ref, victim.name() + "/members/0");
  std::vector<Mail> to_mate = MailTo(*store_, "person101@city.example.jp");
  ASSERT_EQ(to_mate.size(), 1u);
  EXPECT_EQ(to_mate[0].subject_ref.rfind(twin + "/", 0), 0u) << to_mate[0].subject_ref;

  // No token was ever sent for the duplicate answer: even the one the
  // service would make is refused exactly like a wrong one.
  auto never = Confirm(duplicate->name(), enrollment_->ConfirmationTokenFor(duplicate->name(), 1));
  EXPECT_EQ(errors::Reason(never.status()), kConfirmationTokenInvalid);
  EXPECT_EQ(never.status().message(), ConfirmationTokenInvalid().message());

  // The owner's application is untouched and still confirms.
  auto owner = ConfirmAll(victim);
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_EQ(owner->state(), v1::Application::ACCEPTED);

  // Both answers expire alike; only the real one's members are told.
  clock_.Advance(absl::Hours(48));
  EXPECT_EQ(*enrollment_->ExpireUnconfirmedApplications(), 2);
  EXPECT_EQ(read(*duplicate), read(*fresh));
  EXPECT_EQ(Get(duplicate->name(), Secretariat()).state(), v1::Application::EXPIRED);
  EXPECT_EQ(MailTo(*store_, "person101@city.example.jp").size(),
            2u);  // twin: link + expired
  EXPECT_EQ(KindsTo(*store_, "person100@city.example.jp"),
            (std::vector<std::string>{"confirm_email", "already_applied", "application_accepted"}));
  EXPECT_EQ(KindsTo(*store_, "Person100@City.Example.jp"),
            (std::vector<std::string>{"confirm_email", "application_expired"}));
  EXPECT_EQ(Cohort(cohort_).seats_taken(), 1);
}

TEST_F(ConfirmationTest, DuplicatesStillAnswerAccountsAndTheirOwnRequest) {
  MustApply(Anonymous(), Apply(cohort_, 1, kTowns[0]));
  // A signed-in caller is identified and accountable: told plainly.
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
