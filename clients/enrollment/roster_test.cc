#include "clients/enrollment/roster.h"

#include "absl/strings/str_cat.h"
#include "clients/enrollment/fake_roster_source.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment_client {
namespace roster_test {

namespace ev1 = ::kaizen::enrollment::v1;
using ::kaizen::type::Principal;

constexpr char kCohort[] = "cohorts/c1";

RosterEntry* Add(Roster& roster, const std::string& id, ev1::Participant::Role role,
                 const std::string& subject) {
  RosterEntry* e = roster.add_entries();
  e->set_participant(absl::StrCat(kCohort, "/participants/", id));
  e->set_display_name("name of " + id);
  e->set_role(role);
  e->set_subject(subject);
  return e;
}

Roster Sample() {
  Roster r;
  r.set_cohort(kCohort);
  Add(r, "nav", ev1::Participant::NAVIGATOR, "user-nav");
  Add(r, "adv", ev1::Participant::ADVISOR, "user-adv");
  Add(r, "obs", ev1::Participant::OBSERVER, "user-obs");
  Add(r, "sec", ev1::Participant::SECRETARIAT, "user-sec");
  Add(r, "p1", ev1::Participant::PARTICIPANT, "user-p1");
  Add(r, "p2", ev1::Participant::PARTICIPANT, "");  // not linked to an account
  return r;
}

Principal Caller(const std::string& subject, kaizen::type::Role role) {
  Principal p;
  p.set_subject(subject);
  p.add_roles(role);
  return p;
}

TEST(RosterViewTest, FindsByNameAndSubject) {
  RosterView view(Sample());
  ASSERT_NE(view.FindByName("cohorts/c1/participants/p1"), nullptr);
  EXPECT_EQ(view.FindByName("cohorts/c1/participants/p1")->subject(), "user-p1");
  EXPECT_EQ(view.FindByName("cohorts/c1/participants/nobody"), nullptr);
  ASSERT_NE(view.FindBySubject("user-adv"), nullptr);
  EXPECT_EQ(view.FindBySubject("user-adv")->participant(), "cohorts/c1/participants/adv");
  EXPECT_EQ(view.FindBySubject("user-nobody"), nullptr);
  // An empty subject never matches the unlinked entry.
  EXPECT_EQ(view.FindBySubject(""), nullptr);
}

TEST(RosterViewTest, ParticipantsInRosterOrder) {
  RosterView view(Sample());
  auto participants = view.Participants();
  ASSERT_EQ(participants.size(), 2u);
  EXPECT_EQ(participants[0]->participant(), "cohorts/c1/participants/p1");
  EXPECT_EQ(participants[1]->participant(), "cohorts/c1/participants/p2");
}

TEST(RosterViewTest, DecidingStaffExcludesObserversAndParticipants) {
  RosterView view(Sample());
  const auto& e = view.roster().entries();
  EXPECT_TRUE(RosterView::IsDecidingStaff(e[0]));   // navigator
  EXPECT_TRUE(RosterView::IsDecidingStaff(e[1]));   // advisor
  EXPECT_FALSE(RosterView::IsDecidingStaff(e[2]));  // observer
  EXPECT_TRUE(RosterView::IsDecidingStaff(e[3]));   // secretariat
  EXPECT_FALSE(RosterView::IsDecidingStaff(e[4]));  // participant
}

TEST(CohortStaffRoleTest, SecretariatIsStaffEverywhere) {
  RosterView view(Sample());
  RosterView empty(Roster{});
  EXPECT_EQ(CohortStaffRole(Caller("someone", kaizen::type::ROLE_SECRETARIAT), view),
            kaizen::type::ROLE_SECRETARIAT);
  EXPECT_TRUE(IsCohortStaff(Caller("someone", kaizen::type::ROLE_SECRETARIAT), empty));
}

TEST(CohortStaffRoleTest, StaffRoleNeedsTheRosterToListTheAccountWithThatRole) {
  RosterView view(Sample());
  EXPECT_EQ(CohortStaffRole(Caller("user-nav", kaizen::type::ROLE_NAVIGATOR), view),
            kaizen::type::ROLE_NAVIGATOR);
  EXPECT_EQ(CohortStaffRole(Caller("user-adv", kaizen::type::ROLE_ADVISOR), view),
            kaizen::type::ROLE_ADVISOR);
  EXPECT_EQ(CohortStaffRole(Caller("user-obs", kaizen::type::ROLE_OBSERVER), view),
            kaizen::type::ROLE_OBSERVER);
  // A navigator token for an account this roster does not list.
  EXPECT_FALSE(IsCohortStaff(Caller("user-elsewhere", kaizen::type::ROLE_NAVIGATOR), view));
  // Listed, but with another role than the token's.
  EXPECT_FALSE(IsCohortStaff(Caller("user-adv", kaizen::type::ROLE_NAVIGATOR), view));
  // A roster secretariat entry opens nothing without the secretariat token.
  EXPECT_FALSE(IsCohortStaff(Caller("user-sec", kaizen::type::ROLE_NAVIGATOR), view));
  // Participants are not staff, whatever their token says.
  EXPECT_FALSE(IsCohortStaff(Caller("user-p1", kaizen::type::ROLE_PARTICIPANT), view));
  EXPECT_FALSE(IsCohortStaff(Caller("user-p1", kaizen::type::ROLE_NAVIGATOR), view));
}

TEST(FakeRosterSourceTest, RostersPerCohortFailureAndCalls) {
  FakeRosterSource source;
  source.SetRoster(Sample());
  auto roster = source.GetRoster(kCohort);
  ASSERT_TRUE(roster.ok()) << roster.status();
  EXPECT_EQ(roster->entries_size(), 6);
  EXPECT_EQ(errors::Reason(source.GetRoster("cohorts/other").status()), "NOT_FOUND");
  source.SetUnavailable(true);
  auto down = source.GetRoster(kCohort);
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(down.status()), kEnrollmentUnavailable);
  EXPECT_EQ(source.calls(), 3);
}

}  // namespace
}  // namespace kaizen::enrollment_client
