// Authorise before revealing (issue 16, point 4): whether a cohort exists,
// drafts included, is not told to callers who are refused anyway. Enrollment
// answers plans' GetRoster for draft cohorts too, so a draft the caller is
// not on must be refused exactly like a cohort that does not exist.
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/testing/observed.h"
#include "gtest/gtest.h"
#include "services/plans/plans.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans {
namespace authorise_first_test {

using namespace ::kaizen::plans::testing;  // NOLINT
using ::kaizen::testkit::Observed;

constexpr char kDraft[] = "cohorts/fy2023-draft";
constexpr char kMissing[] = "cohorts/fy2099";

class PlansAuthoriseFirstTest : public PlansTest {
 protected:
  void SetUp() override {
    PlansTest::SetUp();
    if (HasFatalFailure()) return;
    ev1::Roster draft;
    draft.set_cohort(kDraft);
    for (const char* id : {"navigator", "p1"}) {
      auto* e = draft.add_entries();
      e->set_participant(absl::StrCat(kDraft, "/participants/", id));
      e->set_display_name(id);
      e->set_role(id[0] == 'p' ? ev1::Participant::PARTICIPANT : ev1::Participant::NAVIGATOR);
      e->set_subject(absl::StrCat("draft-", id));
    }
    roster_.SetRoster(draft);
    // A plan in the draft, by the draft's own participant.
    v1::CreatePlanRequest r;
    r.set_parent(kDraft);
    r.set_plan_id("p1");
    r.mutable_plan()->set_title("旗手への5年計画");
    *r.mutable_plan()->mutable_draft() = SampleContent();
    auto plan = plans_->CreatePlan(DraftParticipant(), r);
    ASSERT_TRUE(plan.ok()) << plan.status();
  }

  static Principal DraftParticipant() {
    return ::kaizen::testkit::User("draft-p1", kaizen::type::ROLE_PARTICIPANT);
  }

  // `call(cohort)` for the draft and the missing cohort: the one
  // not-on-roster refusal, identical in code, reason and message.
  template <typename Call>
  void ExpectSameRefusal(const std::string& what, Call call) {
    const absl::Status draft = call(std::string(kDraft));
    const absl::Status missing = call(std::string(kMissing));
    EXPECT_EQ(draft.code(), absl::StatusCode::kPermissionDenied) << what << ": " << draft;
    EXPECT_EQ(errors::Reason(draft), "NOT_ON_ROSTER") << what << ": " << draft;
    EXPECT_EQ(Observed(draft), Observed(missing)) << what;
  }
};

TEST_F(PlansAuthoriseFirstTest, ADraftCohortLooksLikeAMissingOne) {
  for (const Principal& caller : {Participant(1), Navigator(), Observer(), Stranger(),
                                  ::kaizen::testkit::PartnerHr("242047")}) {
    const std::string who = caller.subject();
    ExpectSameRefusal("CreatePlan as " + who, [&](const std::string& c) {
      v1::CreatePlanRequest r;
      r.set_parent(c);
      r.mutable_plan()->set_title("計画");
      *r.mutable_plan()->mutable_draft() = SampleContent();
      return plans_->CreatePlan(caller, r).status();
    });
    ExpectSameRefusal("GetPlan as " + who, [&](const std::string& c) {
      v1::GetPlanRequest r;
      r.set_name(c + "/plans/p1");
      return plans_->GetPlan(caller, r).status();
    });
    ExpectSameRefusal("ListPlans as " + who, [&](const std::string& c) {
      v1::ListPlansRequest r;
      r.set_parent(c);
      return plans_->ListPlans(caller, r).status();
    });
  }
}

TEST_F(PlansAuthoriseFirstTest, MembersAndTheSecretariatStillSeeWhatTheyMay) {
  v1::GetPlanRequest get;
  get.set_name(absl::StrCat(kDraft, "/plans/p1"));
  EXPECT_TRUE(plans_->GetPlan(DraftParticipant(), get).ok());
  EXPECT_TRUE(plans_->GetPlan(Secretariat(), get).ok());
  // A plan that does not exist in a cohort the caller is in: NOT_FOUND.
  get.set_name(absl::StrCat(kDraft, "/plans/nope"));
  EXPECT_EQ(plans_->GetPlan(DraftParticipant(), get).status().code(),
            absl::StatusCode::kNotFound);
  // The secretariat is told which cohorts exist.
  get.set_name(absl::StrCat(kMissing, "/plans/p1"));
  EXPECT_EQ(plans_->GetPlan(Secretariat(), get).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kaizen::plans
