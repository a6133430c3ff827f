#include "clients/enrollment/membership.h"

#include <vector>

#include "clients/enrollment/enrollment_client_errors.h"
#include "clients/enrollment/fake_roster_source.h"
#include "common/testing/observed.h"
#include "common/testing/principals.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment_client {
namespace membership_test {

namespace ev1 = ::kaizen::enrollment::v1;
using ::kaizen::type::ROLE_ADVISOR;
using ::kaizen::type::ROLE_NAVIGATOR;
using ::kaizen::type::ROLE_PARTICIPANT;

Roster Sample() {
  Roster r;
  r.set_cohort("cohorts/c");
  auto add = [&](const std::string& id, ev1::Participant::Role role) {
    auto* e = r.add_entries();
    e->set_participant("cohorts/c/participants/" + id);
    e->set_role(role);
    e->set_subject("user-" + id);
  };
  add("nav", ev1::Participant::NAVIGATOR);
  add("adv", ev1::Participant::ADVISOR);
  add("p1", ev1::Participant::PARTICIPANT);
  return r;
}

TEST(CohortMembershipTest, PlacesEachKindOfCaller) {
  CohortMembership nav(RosterView(Sample()), testkit::User("user-nav", ROLE_NAVIGATOR));
  EXPECT_TRUE(nav.staff() && nav.organiser() && nav.member());
  EXPECT_EQ(nav.self(), nullptr);
  CohortMembership adv(RosterView(Sample()), testkit::User("user-adv", ROLE_ADVISOR));
  EXPECT_TRUE(adv.staff());
  EXPECT_FALSE(adv.organiser());
  CohortMembership p1(RosterView(Sample()), testkit::User("user-p1", ROLE_PARTICIPANT));
  ASSERT_NE(p1.self(), nullptr);
  EXPECT_FALSE(p1.staff());
  EXPECT_TRUE(p1.member());
  // A staff role in the token alone opens nothing; nor does a participant
  // token for the navigator's account.
  CohortMembership fake_nav(RosterView(Sample()), testkit::User("user-p1", ROLE_NAVIGATOR));
  EXPECT_FALSE(fake_nav.staff());
  EXPECT_EQ(fake_nav.self(), nullptr);
  CohortMembership nav_as_p(RosterView(Sample()), testkit::User("user-nav", ROLE_PARTICIPANT));
  EXPECT_FALSE(nav_as_p.member());
  CohortMembership sec(RosterView(Sample()), testkit::Secretariat());
  EXPECT_TRUE(sec.secretariat() && sec.staff() && sec.organiser());
  CohortMembership partner(RosterView(Sample()), testkit::PartnerHr("242047"));
  EXPECT_FALSE(partner.member());
  CohortMembership service(RosterView(Sample()), testkit::Service("plans"));
  EXPECT_FALSE(service.member());
}

TEST(CohortMembershipTest, FetchPassesSourceErrors) {
  FakeRosterSource source;
  source.SetRoster(Sample());
  auto ok = CohortMembership::Fetch(source, "cohorts/c", testkit::User("user-p1"));
  ASSERT_TRUE(ok.ok());
  EXPECT_NE((*ok)->self(), nullptr);
  // The secretariat and services are told which cohorts exist.
  EXPECT_EQ(CohortMembership::Fetch(source, "cohorts/x", testkit::Secretariat()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(
      CohortMembership::Fetch(source, "cohorts/x", testkit::Service("plans")).status().code(),
      absl::StatusCode::kNotFound);
  source.SetUnavailable(true);
  EXPECT_EQ(CohortMembership::Fetch(source, "cohorts/c", testkit::User("user-p1")).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(CohortMembershipTest, AMissingCohortLooksLikeOneTheCallerIsNotIn) {
  FakeRosterSource source;
  source.SetRoster(Sample());  // cohorts/c exists (a draft, say); cohorts/x does not
  const std::vector<kaizen::type::Principal> outsiders = {
      testkit::User("user-p1", ROLE_PARTICIPANT),  // a participant of cohorts/c only
      testkit::User("stranger", ROLE_NAVIGATOR),   // a navigator of some other cohort
      testkit::PartnerHr("242047"),
      testkit::User("user-nav", ROLE_PARTICIPANT),  // on the roster, not as what the token says
  };
  Roster other = Sample();
  other.set_cohort("cohorts/d");
  for (auto& e : *other.mutable_entries()) e.set_subject(e.subject() + "-d");
  source.SetRoster(other);
  for (const auto& caller : outsiders) {
    const absl::Status draft = CohortMembership::Fetch(source, "cohorts/d", caller).status();
    const absl::Status missing = CohortMembership::Fetch(source, "cohorts/x", caller).status();
    EXPECT_EQ(draft.code(), absl::StatusCode::kPermissionDenied) << draft;
    EXPECT_EQ(testkit::Observed(draft), testkit::Observed(missing)) << caller.subject();
    EXPECT_EQ(testkit::Observed(draft), testkit::Observed(NotACohortMember()));
  }
  // A service may read any roster it is not on.
  auto service = CohortMembership::Fetch(source, "cohorts/d", testkit::Service("plans"));
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_FALSE((*service)->member());
}

}  // namespace
}  // namespace kaizen::enrollment_client
