#include "services/scheduling/access.h"

#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace access_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

RosterView Sample() {
  FakeRoster roster;
  return RosterView(*roster.GetRoster(kCohort));
}

TEST(AccessTest, OrganisersByTokenAndByCohort) {
  RosterView roster = Sample();
  EXPECT_TRUE(IsOrganiser(Navigator()));
  EXPECT_FALSE(IsOrganiser(Advisor()));
  EXPECT_EQ(errors::Reason(RequireOrganiser(Advisor())), "ORGANISER_ONLY");
  EXPECT_TRUE(IsOrganiserOf(Secretariat(), roster));
  EXPECT_TRUE(IsOrganiserOf(Navigator(), roster));
  EXPECT_FALSE(IsOrganiserOf(Advisor(), roster));
  EXPECT_TRUE(IsCohortStaff(Advisor(), roster));
  // A navigator token for an account the roster does not list.
  const Principal stranger = As("elsewhere", kaizen::type::ROLE_NAVIGATOR);
  EXPECT_TRUE(IsOrganiser(stranger));
  EXPECT_FALSE(IsOrganiserOf(stranger, roster));
  EXPECT_EQ(RequireOrganiserOf(stranger, roster).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(RequireOrganiserOf(stranger, roster)), "ORGANISER_ONLY");
}

TEST(AccessTest, ActingForSelfOthersAndStrangers) {
  RosterView roster = Sample();
  auto self = ActingFor(Participant(1), roster, "participant", "");
  ASSERT_TRUE(self.ok());
  EXPECT_EQ((*self)->participant(), Person("p1"));

  auto other = ActingFor(Participant(1), roster, "participant", Person("p2"));
  EXPECT_EQ(errors::Reason(other.status()), "NOT_YOURSELF");
  auto for_other = ActingFor(Secretariat(), roster, "participant", Person("p2"));
  ASSERT_TRUE(for_other.ok());
  EXPECT_EQ((*for_other)->participant(), Person("p2"));

  auto unknown = ActingFor(Secretariat(), roster, "participant", Person("nobody"));
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(unknown.status()), "NOT_ON_ROSTER");
  auto stranger = ActingFor(As("elsewhere", kaizen::type::ROLE_PARTICIPANT), roster,
                            "participant", "");
  EXPECT_EQ(stranger.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::Reason(stranger.status()), "NOT_ON_ROSTER");
}

}  // namespace
}  // namespace kaizen::scheduling
