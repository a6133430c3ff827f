// A team mate's consent or participation changes the other owners' shared
// team plans (plans shares a team plan only while every owner consents and
// all are employed by one town), and nothing in plans changes then: the
// partner feed must say so itself (result_feed.h, AppendTeamMateChanges).
// Real in-memory SQLite, through the domain (UpdateConsent,
// CancelParticipant, ListChanges).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace team_mate_changes_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

constexpr char kPageKey[] = "page-token-key-0123456789";
const char* const kMatsusaka = kTowns[2];  // 242047
const char* const kChiyoda = kTowns[1];    // 131016

struct Shares {
  bool attendance = false, plan = false, survey = false;
};

class TeamMateChangesTest : public ::testing::Test {
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
        WithoutEmailConfirmation(
            EnrollmentConfig{kPageKey, "access-key-0123456789", "claim-key-0123456789"}));
    cohort_ = OpenCohort("fy2022");
  }

  std::string OpenCohort(const std::string& id) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id(id);
    auto cohort = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(cohort.ok()) << cohort.status();
    if (!cohort.ok()) return "";
    v1::TransitionCohortRequest open;
    open.set_name(cohort->name());
    open.set_state(v1::Cohort::OPEN);
    EXPECT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
    return cohort->name();
  }

  // A participant of `town` in `cohort` (admitted on arrival) sharing `shares`.
  std::string Join(const std::string& cohort, int n, const std::string& town, Shares shares) {
    auto request = Apply(cohort, n, town);
    auto* consent = request.mutable_application()->mutable_members(0)->mutable_consent();
    consent->set_share_attendance(shares.attendance);
    consent->set_share_action_plan(shares.plan);
    consent->set_share_survey_profile(shares.survey);
    auto app = enrollment_->CreateApplication(Anonymous(), request);
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() && app->participants_size() == 1 ? app->participants(0) : "";
  }

  void SetConsent(const std::string& participant, Shares shares) {
    v1::UpdateConsentRequest r;
    r.set_name(participant);
    r.mutable_consent()->set_share_attendance(shares.attendance);
    r.mutable_consent()->set_share_action_plan(shares.plan);
    r.mutable_consent()->set_share_survey_profile(shares.survey);
    auto updated = enrollment_->UpdateConsent(Secretariat(), r);
    ASSERT_TRUE(updated.ok()) << updated.status();
  }

  void Cancel(const std::string& participant) {
    v1::CancelParticipantRequest r;
    r.set_name(participant);
    auto cancelled = enrollment_->CancelParticipant(Secretariat(), r);
    ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  }

  // The RESULT_* changes from `*cursor` to the end, as "kind category
  // participant"; moves the cursor.
  std::vector<std::string> Results(const Principal& who, std::string* cursor) {
    std::vector<std::string> out;
    for (int guard = 0; guard < 100; ++guard) {
      v1::ListChangesRequest r;
      r.set_cursor(*cursor);
      auto page = enrollment_->ListChanges(who, r);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) return out;
      for (const auto& c : page->changes()) {
        if (c.kind() == v1::Change::RESULT_CHANGED) {
          EXPECT_EQ(c.display_name(), "");  // no personal data
          EXPECT_FALSE(c.municipality_code().empty());
          EXPECT_FALSE(c.municipality_name().empty());
        }
        if (c.kind() != v1::Change::RESULT_CHANGED && c.kind() != v1::Change::RESULT_WITHDRAWN) {
          continue;
        }
        out.push_back(absl::StrCat(v1::Change::Kind_Name(c.kind()), " ",
                                   kaizen::type::ShareCategory_Name(c.category()), " ",
                                   c.participant()));
      }
      const bool end = page->next_cursor() == *cursor;
      *cursor = page->next_cursor();
      if (end) return out;
    }
    ADD_FAILURE() << "the cursor never stopped moving";
    return out;
  }

  static std::string Changed(const std::string& who) {
    return "RESULT_CHANGED SHARE_ACTION_PLAN " + who;
  }
  static std::string Withdrawn(const std::string& who) {
    return "RESULT_WITHDRAWN SHARE_ACTION_PLAN " + who;
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

// Reviewer 2, repro 2: p2 revokes share_action_plan, which takes the team
// plan of p1 and p2 out of p1's shared plans; p1's employer must hear of it.
TEST_F(TeamMateChangesTest, Reviewer2TeamMateRevocationLeavesNoSignalForTheOtherOwner) {
  const std::string p1 = Join(cohort_, 1, kMatsusaka, {false, true, false});
  const std::string p2 = Join(cohort_, 2, kMatsusaka, {false, true, false});
  std::string cursor;
  Results(PartnerHr(kMatsusaka), &cursor);
  SetConsent(p2, {false, false, false});
  EXPECT_EQ(Results(PartnerHr(kMatsusaka), &cursor),
            (std::vector<std::string>{Withdrawn(p2), Changed(p1)}))
      << "p1's shared plans changed; the feed has no p1 row";
}

TEST_F(TeamMateChangesTest, RegrantAndCancellationTellTheSameTownsMatesOnly) {
  const std::string p1 = Join(cohort_, 1, kMatsusaka, {false, true, false});
  const std::string p2 = Join(cohort_, 2, kMatsusaka, {true, true, false});
  const std::string p3 = Join(cohort_, 3, kChiyoda, {false, true, false});   // another town
  const std::string p5 = Join(cohort_, 5, kMatsusaka, {true, true, false});
  const std::string elsewhere = OpenCohort("fy2023");
  const std::string q1 = Join(elsewhere, 6, kMatsusaka, {false, true, false});
  std::string cursor, chiyoda, q_cursor;
  Results(PartnerHr(kMatsusaka), &cursor);
  Results(PartnerHr(kChiyoda), &chiyoda);

  SetConsent(p2, {true, false, false});  // revoked: p1 and p5 hear of it
  EXPECT_EQ(Results(PartnerHr(kMatsusaka), &cursor),
            (std::vector<std::string>{Withdrawn(p2), Changed(p1), Changed(p5)}));
  SetConsent(p2, {true, true, false});  // re-granted: so do they
  EXPECT_EQ(Results(PartnerHr(kMatsusaka), &cursor),
            (std::vector<std::string>{Changed(p1), Changed(p5)}));
  // A change that leaves share_action_plan as it was tells nobody else.
  SetConsent(p2, {true, true, true});
  EXPECT_EQ(Results(PartnerHr(kMatsusaka), &cursor), std::vector<std::string>{});
  // A cancellation ends what p2 shared: the mates hear it too.
  Cancel(p2);
  std::vector<std::string> after_cancel = Results(PartnerHr(kMatsusaka), &cursor);
  EXPECT_NE(std::find(after_cancel.begin(), after_cancel.end(), Withdrawn(p2)),
            after_cancel.end());
  EXPECT_NE(std::find(after_cancel.begin(), after_cancel.end(), Changed(p1)),
            after_cancel.end());
  EXPECT_NE(std::find(after_cancel.begin(), after_cancel.end(), Changed(p5)),
            after_cancel.end());
  // Another town's staff and another cohort's are nobody's team mates here.
  for (const std::string& r : after_cancel) {
    EXPECT_EQ(r.find(q1), std::string::npos) << r;
    EXPECT_EQ(r.find(p3), std::string::npos) << r;
  }
  EXPECT_EQ(Results(PartnerHr(kChiyoda), &chiyoda), std::vector<std::string>{});
  // p3's own revocation tells 242047 nothing; 131016 has no mate of p3 here.
  SetConsent(p3, {false, false, false});
  EXPECT_EQ(Results(PartnerHr(kMatsusaka), &cursor), std::vector<std::string>{});
  EXPECT_EQ(Results(PartnerHr(kChiyoda), &chiyoda), std::vector<std::string>{Withdrawn(p3)});
}

// The rows are filtered like every result change, by the mate's current
// state and consent when the feed is read.
TEST_F(TeamMateChangesTest, TheMatesRowsFollowTheirOwnConsentAtReadTime) {
  const std::string p1 = Join(cohort_, 1, kMatsusaka, {false, true, false});
  const std::string p2 = Join(cohort_, 2, kMatsusaka, {false, true, false});
  const std::string quiet = Join(cohort_, 4, kMatsusaka, {true, false, false});
  SetConsent(p2, {false, false, false});
  std::string all;
  std::vector<std::string> everyone = Results(Secretariat(), &all);
  EXPECT_NE(std::find(everyone.begin(), everyone.end(), Changed(p1)), everyone.end());
  // quiet does not share plans: its row is skipped (for the secretariat too).
  for (const std::string& r : everyone) EXPECT_EQ(r.find(quiet), std::string::npos) << r;
  // p1 revokes later: read from the start, their earlier row is gone.
  SetConsent(p1, {false, false, false});
  std::string fresh;
  std::vector<std::string> now = Results(PartnerHr(kMatsusaka), &fresh);
  EXPECT_EQ(std::find(now.begin(), now.end(), Changed(p1)), now.end());
  EXPECT_NE(std::find(now.begin(), now.end(), Withdrawn(p1)), now.end());
}

}  // namespace
}  // namespace kaizen::enrollment
