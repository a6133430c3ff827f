#include "services/enrollment/admission.h"

#include "gtest/gtest.h"

namespace kaizen::enrollment {
namespace admission_test {

v1::Cohort Fy2022(bool partial = false) {
  v1::Cohort c;
  c.set_capacity(10);
  c.set_max_municipalities(6);
  c.set_allow_partial_team(partial);
  return c;
}

TEST(AdmitTest, AdmitsWhenSeatsAndMunicipalityAllow) {
  Usage u;
  EXPECT_EQ(Admit(Fy2022(), u, "242047", 1).admitted, 1);
  u.Add("242047", 9);
  EXPECT_EQ(Admit(Fy2022(), u, "242047", 1).admitted, 1);
  EXPECT_EQ(Admit(Fy2022(), u, "131016", 1).admitted, 1);
}

TEST(AdmitTest, FullCohortWaits) {
  Usage u;
  u.Add("242047", 10);
  AdmissionDecision d = Admit(Fy2022(), u, "242047", 1);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.blocked_reason, "COHORT_FULL");
}

TEST(AdmitTest, SeventhMunicipalityWaitsWithSeatsFree) {
  Usage u;
  for (const char* m : {"011002", "131016", "242047", "271004", "401005", "012025"}) {
    u.Add(m, 1);
  }
  AdmissionDecision d = Admit(Fy2022(), u, "472018", 1);
  EXPECT_EQ(d.admitted, 0);
  EXPECT_EQ(d.blocked_reason, "MUNICIPALITY_LIMIT_REACHED");
  // A seventh person from a municipality already in is fine.
  EXPECT_EQ(Admit(Fy2022(), u, "131016", 1).admitted, 1);
}

TEST(AdmitTest, TeamIsWholeOrNothingUnlessPartialAllowed) {
  Usage u;
  u.Add("242047", 8);
  EXPECT_EQ(Admit(Fy2022(), u, "131016", 3).admitted, 0);
  EXPECT_EQ(Admit(Fy2022(), u, "131016", 3).blocked_reason, "COHORT_FULL");
  EXPECT_EQ(Admit(Fy2022(true), u, "131016", 3).admitted, 2);
  EXPECT_EQ(Admit(Fy2022(), u, "131016", 2).admitted, 2);
}

}  // namespace
}  // namespace kaizen::enrollment
