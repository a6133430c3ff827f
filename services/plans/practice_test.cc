// The practice log (who writes and reads it, dates in Asia/Tokyo, order and
// paging, request-id replay) and the outcomes beside the plan, with and
// without a survey source.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/plans/outcomes.h"
#include "services/plans/plans_store.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans::testing {
namespace practice_test {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

void ExpectError(const absl::Status& s, absl::StatusCode code, const std::string& reason,
                 const std::string& field = "") {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_EQ(errors::Reason(s), reason) << s;
  if (!field.empty()) {
    auto bad = errors::GetBadRequest(s);
    ASSERT_TRUE(bad.has_value()) << s;
    ASSERT_GE(bad->field_violations_size(), 1) << s;
    EXPECT_EQ(bad->field_violations(0).field(), field) << s;
  }
}

google::type::Date Day(int y, int m, int d) {
  google::type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

class PracticeTest : public PlansTest {
 protected:
  void SetUp() override {
    PlansTest::SetUp();
    plan_ = CreateFor(1);
  }

  v1::CreatePracticeEntryRequest Request(const std::string& action_id, google::type::Date date,
                                         const std::string& done) {
    v1::CreatePracticeEntryRequest r;
    r.set_parent(plan_.name());
    r.mutable_entry()->set_action_id(action_id);
    *r.mutable_entry()->mutable_date() = date;
    r.mutable_entry()->set_done(done);
    return r;
  }

  v1::PracticeEntry Log(const std::string& action_id, google::type::Date date,
                        const std::string& done) {
    auto e = plans_->CreatePracticeEntry(Participant(1), Request(action_id, date, done));
    EXPECT_TRUE(e.ok()) << e.status();
    return e.ok() ? *e : v1::PracticeEntry();
  }

  absl::StatusOr<v1::ListPracticeEntriesResponse> List(const Principal& who, int page_size = 0,
                                                       const std::string& token = "") {
    v1::ListPracticeEntriesRequest r;
    r.set_parent(plan_.name());
    r.set_page_size(page_size);
    r.set_page_token(token);
    return plans_->ListPracticeEntries(who, r);
  }

  void PresentInterim(int64_t number) {
    const std::string plan_id = plan_.name().substr(plan_.name().rfind('/') + 1);
    absl::Status s = store_->Write([&](PlansTx& tx) -> absl::Status {
      auto rec = tx.GetPlan("fy2022", plan_id);
      if (!rec.ok()) return rec.status();
      v1::StageVersion* stage = rec->plan.add_stages();
      stage->set_stage(v1::INTERIM);
      stage->set_revision(number);
      *stage->mutable_submit_time() = ToProtoTimestamp(clock_.Now());
      return tx.UpdatePlan(&*rec);
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  absl::StatusOr<v1::PlanOutcomes> Outcomes(Plans& plans, const Principal& who,
                                            const std::string& name) {
    v1::GetPlanOutcomesRequest r;
    r.set_name(name);
    return plans.GetPlanOutcomes(who, r);
  }

  v1::Plan plan_;
};

// ---------------------------------------------------------------- create

TEST_F(PracticeTest, OwnerLogsPracticeInJapanese) {
  auto r = Request("a1", Day(2022, 10, 28), "朝会で改善事例を5分紹介した。\n3人が質問してくれた。");
  r.mutable_entry()->set_result("隣の係から「真似したい」と声がかかった。");
  r.mutable_entry()->set_gap("\u3000机上では全員参加の想定だったが、実際は半分。\u3000");
  auto e = plans_->CreatePracticeEntry(Participant(1), r);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_THAT(e->name(), StartsWith(plan_.name() + "/practice/"));
  EXPECT_EQ(e->action_id(), "a1");
  EXPECT_EQ(e->date().day(), 28);
  EXPECT_EQ(e->done(), "朝会で改善事例を5分紹介した。\n3人が質問してくれた。");
  EXPECT_EQ(e->result(), "隣の係から「真似したい」と声がかかった。");
  EXPECT_EQ(e->gap(), "机上では全員参加の想定だったが、実際は半分。");
  EXPECT_EQ(e->author(), Person("p1"));
  EXPECT_EQ(FromProtoTimestamp(e->create_time()), clock_.Now());

  auto listed = List(Participant(1));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->entries_size(), 1);
  EXPECT_EQ(listed->entries(0).SerializeAsString(), e->SerializeAsString());
}

TEST_F(PracticeTest, OnlyOwnersKeepThePracticeLog) {
  Commit(Participant(1), plan_.name());
  PresentInterim(1);  // now cohort mates see the plan
  for (const Principal& who : {Navigator(), Secretariat(), Participant(3)}) {
    ExpectError(plans_->CreatePracticeEntry(who, Request("a1", Day(2022, 10, 1), "代筆")).status(),
                absl::StatusCode::kPermissionDenied, "NOT_PLAN_OWNER");
  }
  ExpectError(
      plans_->CreatePracticeEntry(Stranger(), Request("a1", Day(2022, 10, 1), "誰？")).status(),
      absl::StatusCode::kPermissionDenied, "NOT_ON_ROSTER");
}

TEST_F(PracticeTest, ActionMustBeInTheCurrentDraft) {
  ExpectError(
      plans_->CreatePracticeEntry(Participant(1), Request("a9", Day(2022, 10, 1), "x")).status(),
      absl::StatusCode::kInvalidArgument, "UNKNOWN_ACTION", "entry.action_id");
  // a2 leaves the draft (it may still be in a revision): no more entries.
  v1::GetPlanRequest g;
  g.set_name(plan_.name());
  auto plan = plans_->GetPlan(Participant(1), g);
  ASSERT_TRUE(plan.ok()) << plan.status();
  v1::UpdatePlanRequest u;
  u.mutable_plan()->set_name(plan_.name());
  u.mutable_plan()->set_etag(plan->etag());
  *u.mutable_plan()->mutable_draft()->add_actions() = plan->draft().actions(0);
  u.mutable_update_mask()->add_paths("draft.actions");
  ASSERT_TRUE(plans_->UpdatePlan(Participant(1), u).ok());
  ExpectError(
      plans_->CreatePracticeEntry(Participant(1), Request("a2", Day(2022, 10, 1), "x")).status(),
      absl::StatusCode::kInvalidArgument, "UNKNOWN_ACTION", "entry.action_id");
  EXPECT_TRUE(
      plans_->CreatePracticeEntry(Participant(1), Request("a1", Day(2022, 10, 1), "x")).ok());
  ExpectError(
      plans_->CreatePracticeEntry(Participant(1), Request("", Day(2022, 10, 1), "x")).status(),
      absl::StatusCode::kInvalidArgument, "INVALID_FIELD", "entry.action_id");
}

TEST_F(PracticeTest, ValidatesDateAndText) {
  auto no_date = Request("a1", Day(2022, 10, 1), "x");
  no_date.mutable_entry()->clear_date();
  ExpectError(plans_->CreatePracticeEntry(Participant(1), no_date).status(),
              absl::StatusCode::kInvalidArgument, "INVALID_FIELD", "entry.date");
  ExpectError(
      plans_->CreatePracticeEntry(Participant(1), Request("a1", Day(2022, 2, 30), "x")).status(),
      absl::StatusCode::kInvalidArgument, "INVALID_DATE", "entry.date");
  ExpectError(
      plans_->CreatePracticeEntry(Participant(1), Request("a1", Day(2023, 1, 1), "x")).status(),
      absl::StatusCode::kInvalidArgument, "DATE_IN_FUTURE", "entry.date");

  ExpectError(
      plans_->CreatePracticeEntry(Participant(1), Request("a1", Day(2022, 10, 1), " ")).status(),
      absl::StatusCode::kInvalidArgument, "TEXT_REQUIRED", "entry.done");
  std::string text_2000;
  for (int i = 0; i < 2000; ++i) text_2000 += "実";
  auto max = Request("a1", Day(2022, 10, 1), text_2000);
  max.mutable_entry()->set_result(text_2000);
  max.mutable_entry()->set_gap(text_2000);
  EXPECT_TRUE(plans_->CreatePracticeEntry(Participant(1), max).ok());
  ExpectError(
      plans_->CreatePracticeEntry(Participant(1), Request("a1", Day(2022, 10, 1), text_2000 + "践"))
          .status(),
      absl::StatusCode::kInvalidArgument, "TEXT_TOO_LONG", "entry.done");
  auto result = Request("a1", Day(2022, 10, 1), "x");
  result.mutable_entry()->set_result(text_2000 + "践");
  ExpectError(plans_->CreatePracticeEntry(Participant(1), result).status(),
              absl::StatusCode::kInvalidArgument, "TEXT_TOO_LONG", "entry.result");
  auto gap = Request("a1", Day(2022, 10, 1), "x");
  gap.mutable_entry()->set_gap("a\rb");
  ExpectError(plans_->CreatePracticeEntry(Participant(1), gap).status(),
              absl::StatusCode::kInvalidArgument, "CONTROL_CHARACTER", "entry.gap");
}

TEST_F(PracticeTest, TodayIsTheTokyoCalendarDay) {
  // 23:30 JST on 1 November is 14:30 UTC: 2 November is still tomorrow.
  clock_.Set(Tokyo(2022, 11, 1, 23, 30));
  ExpectError(
      plans_->CreatePracticeEntry(Participant(1), Request("a1", Day(2022, 11, 2), "x")).status(),
      absl::StatusCode::kInvalidArgument, "DATE_IN_FUTURE", "entry.date");
  EXPECT_TRUE(
      plans_->CreatePracticeEntry(Participant(1), Request("a1", Day(2022, 11, 1), "x")).ok());
  // 00:30 JST on 2 November is still 1 November in UTC: 2 November is today.
  clock_.Set(Tokyo(2022, 11, 2, 0, 30));
  EXPECT_TRUE(
      plans_->CreatePracticeEntry(Participant(1), Request("a1", Day(2022, 11, 2), "x")).ok());
}

TEST_F(PracticeTest, RequestIdReplayReturnsTheSameEntry) {
  auto r = Request("a2", Day(2022, 10, 31), "部長に提案会の日程を相談した。");
  r.set_request_id("practice-1");
  auto first = plans_->CreatePracticeEntry(Participant(1), r);
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Minutes(5));
  auto again = plans_->CreatePracticeEntry(Participant(1), r);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->SerializeAsString(), first->SerializeAsString());
  auto listed = List(Participant(1));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->entries_size(), 1);

  r.mutable_entry()->set_done("別の内容");
  ExpectError(plans_->CreatePracticeEntry(Participant(1), r).status(),
              absl::StatusCode::kInvalidArgument, "REQUEST_ID_REUSED");
}

// ---------------------------------------------------------------- list

TEST_F(PracticeTest, ListIsByDateThenCreationAndPaged) {
  Log("a1", Day(2022, 10, 20), "B 10/20 first");
  Log("a2", Day(2022, 9, 1), "A 9/1");
  Log("a1", Day(2022, 10, 20), "C 10/20 second");
  Log("a2", Day(2022, 11, 1), "E 11/1");
  Log("a1", Day(2022, 10, 31), "D 10/31");

  std::vector<std::string> done;
  std::vector<int> sizes;
  std::string token;
  do {
    auto page = List(Navigator(), 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    sizes.push_back(page->entries_size());
    for (const auto& e : page->entries()) done.push_back(e.done());
    token = page->next_page_token();
  } while (!token.empty());
  EXPECT_THAT(sizes, ElementsAre(2, 2, 1));
  EXPECT_THAT(done, ElementsAre("A 9/1", "B 10/20 first", "C 10/20 second", "D 10/31", "E 11/1"));

  // An entry logged later for an earlier day shows up in its place.
  Log("a1", Day(2022, 10, 20), "C2 10/20 third");
  auto all = List(Participant(1));
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->entries_size(), 6);
  EXPECT_EQ(all->entries(3).done(), "C2 10/20 third");
  EXPECT_EQ(all->next_page_token(), "");
}

TEST_F(PracticeTest, OwnersAndStaffReadTheLog) {
  Log("a1", Day(2022, 10, 20), "x");
  for (const Principal& who : {Participant(1), Navigator(), Advisor(), Observer(), Secretariat()}) {
    auto page = List(who);
    ASSERT_TRUE(page.ok()) << who.subject() << ": " << page.status();
    EXPECT_EQ(page->entries_size(), 1);
  }
  ExpectError(List(Participant(3)).status(), absl::StatusCode::kNotFound, "NOT_FOUND");
  Commit(Participant(1), plan_.name());
  PresentInterim(1);
  ExpectError(List(Participant(3)).status(), absl::StatusCode::kPermissionDenied, "NOT_PLAN_OWNER");
  ExpectError(List(Stranger()).status(), absl::StatusCode::kPermissionDenied, "NOT_ON_ROSTER");
}

TEST_F(PracticeTest, PageTokensAreCheckedAgainstThePlan) {
  Log("a1", Day(2022, 10, 20), "x");
  Log("a1", Day(2022, 10, 21), "y");
  auto page = List(Participant(1), 1);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_NE(page->next_page_token(), "");
  v1::Plan other = CreateFor(2);
  v1::ListPracticeEntriesRequest r;
  r.set_parent(other.name());
  r.set_page_token(page->next_page_token());
  ExpectError(plans_->ListPracticeEntries(Participant(2), r).status(),
              absl::StatusCode::kInvalidArgument, "INVALID_PAGE_TOKEN", "page_token");
  ExpectError(List(Participant(1), 0, "not-a-token").status(), absl::StatusCode::kInvalidArgument,
              "INVALID_PAGE_TOKEN", "page_token");
}

// ---------------------------------------------------------------- outcomes

TEST_F(PracticeTest, WithoutASurveyOutcomesListActionsPerWallOnly) {
  auto out = Outcomes(*plans_, Participant(1), plan_.name());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->plan(), plan_.name());
  EXPECT_FALSE(out->source_available());
  ASSERT_EQ(out->owners_size(), 1);
  const v1::OwnerOutcomes& o = out->owners(0);
  EXPECT_EQ(o.owner(), Person("p1"));
  ASSERT_EQ(o.walls_size(), 4);
  EXPECT_EQ(o.walls(0).wall(), kaizen::type::PEERS);
  EXPECT_THAT(o.walls(0).action_ids(), ElementsAre("a1"));
  EXPECT_EQ(o.walls(1).wall(), kaizen::type::SENIORS_AND_BOSSES);
  EXPECT_THAT(o.walls(1).action_ids(), IsEmpty());
  EXPECT_EQ(o.walls(2).wall(), kaizen::type::EXECUTIVES);
  EXPECT_THAT(o.walls(2).action_ids(), ElementsAre("a2"));
  EXPECT_EQ(o.walls(3).wall(), kaizen::type::HR_EVALUATION);
  EXPECT_THAT(o.walls(3).action_ids(), IsEmpty());
  for (const auto& w : o.walls()) {
    EXPECT_FALSE(w.has_pre() || w.has_follow_up_6() || w.has_follow_up_12());
  }
}

TEST_F(PracticeTest, WithASurveyOutcomesCarryEachOwnersScores) {
  FakeOutcomeSource survey;
  survey.Set(Person("p1"), kaizen::type::PEERS, WallScores{2.5, 3.25, std::nullopt});
  survey.Set(Person("p2"), kaizen::type::EXECUTIVES, WallScores{1.0, std::nullopt, 4.0});
  Plans plans(store_.get(), &roster_, &meetings_, &survey, &clock_,
              PlansConfig{"plans-page-key-0123456789"});

  v1::CreatePlanRequest c;
  c.set_parent(kCohort);
  c.mutable_plan()->set_title("松阪市チーム");
  c.mutable_plan()->add_owners(Person("p2"));
  c.mutable_plan()->add_owners(Person("p1"));
  *c.mutable_plan()->mutable_draft() = SampleContent();
  auto team = plans.CreatePlan(Navigator(), c);
  ASSERT_TRUE(team.ok()) << team.status();

  auto out = Outcomes(plans, Advisor(), team->name());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(out->source_available());
  ASSERT_EQ(out->owners_size(), 2);
  // Plan order of owners.
  const v1::OwnerOutcomes& p2 = out->owners(0);
  const v1::OwnerOutcomes& p1 = out->owners(1);
  EXPECT_EQ(p2.owner(), Person("p2"));
  EXPECT_EQ(p1.owner(), Person("p1"));
  ASSERT_EQ(p1.walls_size(), 4);
  ASSERT_EQ(p2.walls_size(), 4);

  const v1::WallOutcome& p1_peers = p1.walls(0);
  EXPECT_THAT(p1_peers.action_ids(), ElementsAre("a1"));
  EXPECT_TRUE(p1_peers.has_pre());
  EXPECT_DOUBLE_EQ(p1_peers.pre(), 2.5);
  EXPECT_TRUE(p1_peers.has_follow_up_6());
  EXPECT_DOUBLE_EQ(p1_peers.follow_up_6(), 3.25);
  EXPECT_FALSE(p1_peers.has_follow_up_12());
  EXPECT_FALSE(p1.walls(2).has_pre());  // p1 has no EXECUTIVES scores

  const v1::WallOutcome& p2_exec = p2.walls(2);
  EXPECT_EQ(p2_exec.wall(), kaizen::type::EXECUTIVES);
  EXPECT_THAT(p2_exec.action_ids(), ElementsAre("a2"));
  EXPECT_TRUE(p2_exec.has_pre());
  EXPECT_DOUBLE_EQ(p2_exec.pre(), 1.0);
  EXPECT_FALSE(p2_exec.has_follow_up_6());
  EXPECT_TRUE(p2_exec.has_follow_up_12());
  EXPECT_DOUBLE_EQ(p2_exec.follow_up_12(), 4.0);
  EXPECT_FALSE(p2.walls(0).has_pre());

  // An owner sees their own scores, not their team mate's (a survey
  // profile is personal); cohort mates and strangers see nothing.
  auto own = Outcomes(plans, Participant(2), team->name());
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_TRUE(own->owners(0).walls(2).has_pre());    // p2's own EXECUTIVES score
  EXPECT_FALSE(own->owners(1).walls(0).has_pre());   // p1's PEERS score hidden
  EXPECT_THAT(own->owners(1).walls(0).action_ids(), ElementsAre("a1"));
  ExpectError(Outcomes(plans, Participant(3), team->name()).status(), absl::StatusCode::kNotFound,
              "NOT_FOUND");
  ExpectError(Outcomes(plans, Stranger(), team->name()).status(), absl::StatusCode::kPermissionDenied, "NOT_ON_ROSTER");
}

TEST_F(PracticeTest, CohortMatesDoNotSeeOutcomes) {
  Commit(Participant(1), plan_.name());
  PresentInterim(1);
  ExpectError(Outcomes(*plans_, Participant(3), plan_.name()).status(),
              absl::StatusCode::kPermissionDenied, "NOT_PLAN_OWNER");
  EXPECT_TRUE(Outcomes(*plans_, Observer(), plan_.name()).ok());
}

}  // namespace
}  // namespace kaizen::plans::testing
