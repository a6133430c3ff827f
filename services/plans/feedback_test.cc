// Feedback: who may give it, who sees it, anchoring to a revision (and an
// action of that revision), paging, request-id replay, resolve and reopen.
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/plans/plans_store.h"
#include "services/plans/plans_test_util.h"

namespace kaizen::plans::testing {
namespace feedback_test {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// The code, ErrorInfo reason and (when given) the one BadRequest field.
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

class FeedbackTest : public PlansTest {
 protected:
  void SetUp() override {
    PlansTest::SetUp();
    plan_ = CreateFor(1);
    Commit(Participant(1), plan_.name(), "最初の版");  // r1
  }

  // Presents revision `number` as the INTERIM version by writing the stage
  // straight into the store (SubmitStage has its own tests).
  void PresentInterim(const v1::Plan& plan, int64_t number) {
    const std::string plan_id = plan.name().substr(plan.name().rfind('/') + 1);
    absl::Status s = store_->Write([&](PlansTx& tx) -> absl::Status {
      auto rec = tx.GetPlan("fy2022", plan_id);
      if (!rec.ok()) return rec.status();
      v1::StageVersion* stage = rec->plan.add_stages();
      stage->set_stage(v1::INTERIM);
      stage->set_revision(number);
      *stage->mutable_submit_time() = ToProtoTimestamp(clock_.Now());
      stage->set_submitted_by(Person("p1"));
      return tx.UpdatePlan(&*rec);
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  // Changes the draft with `edit` as owner p1 and commits it; returns the
  // new revision's number.
  int64_t EditAndCommit(const std::function<void(v1::PlanContent&)>& edit) {
    v1::GetPlanRequest g;
    g.set_name(plan_.name());
    auto plan = plans_->GetPlan(Participant(1), g);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (!plan.ok()) return 0;
    v1::UpdatePlanRequest u;
    u.mutable_plan()->set_name(plan_.name());
    u.mutable_plan()->set_etag(plan->etag());
    *u.mutable_plan()->mutable_draft() = plan->draft();
    edit(*u.mutable_plan()->mutable_draft());
    u.mutable_update_mask()->add_paths("draft");
    auto updated = plans_->UpdatePlan(Participant(1), u);
    EXPECT_TRUE(updated.ok()) << updated.status();
    return Commit(Participant(1), plan_.name()).number();
  }

  v1::CreateFeedbackRequest Request(
      int64_t revision, const std::string& text,
      v1::Feedback::Visibility visibility = v1::Feedback::VISIBILITY_UNSPECIFIED) {
    v1::CreateFeedbackRequest r;
    r.set_parent(plan_.name());
    r.mutable_feedback()->set_revision(revision);
    r.mutable_feedback()->set_text(text);
    r.mutable_feedback()->set_visibility(visibility);
    return r;
  }

  v1::Feedback Give(const Principal& who, int64_t revision, const std::string& text,
                    v1::Feedback::Visibility visibility = v1::Feedback::COHORT) {
    auto f = plans_->CreateFeedback(who, Request(revision, text, visibility));
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : v1::Feedback();
  }

  absl::StatusOr<v1::ListFeedbackResponse> List(const Principal& who, int page_size = 0,
                                                const std::string& token = "") {
    v1::ListFeedbackRequest r;
    r.set_parent(plan_.name());
    r.set_page_size(page_size);
    r.set_page_token(token);
    return plans_->ListFeedback(who, r);
  }

  // The texts of every feedback `who` sees, following every page.
  std::vector<std::string> Texts(const Principal& who, int page_size = 0) {
    std::vector<std::string> texts;
    std::string token;
    do {
      auto page = List(who, page_size, token);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      if (page_size > 0) {
        EXPECT_LE(page->feedback_size(), page_size);
      }
      for (const auto& f : page->feedback()) texts.push_back(f.text());
      token = page->next_page_token();
    } while (!token.empty());
    return texts;
  }

  absl::StatusOr<v1::Feedback> Resolve(const Principal& who, const std::string& name,
                                       const std::string& etag) {
    v1::ResolveFeedbackRequest r;
    r.set_name(name);
    r.set_etag(etag);
    return plans_->ResolveFeedback(who, r);
  }

  absl::StatusOr<v1::Feedback> Reopen(const Principal& who, const std::string& name,
                                      const std::string& etag) {
    v1::ReopenFeedbackRequest r;
    r.set_name(name);
    r.set_etag(etag);
    return plans_->ReopenFeedback(who, r);
  }

  v1::Plan plan_;
};

// ---------------------------------------------------------------- create

TEST_F(FeedbackTest, StaffFeedbackDefaultsToCohortAndNamesItsAuthor) {
  auto f = plans_->CreateFeedback(Navigator(), Request(1, "行動a1の指標を具体的に。"));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_THAT(f->name(), StartsWith(plan_.name() + "/feedback/"));
  EXPECT_EQ(f->revision(), 1);
  EXPECT_EQ(f->visibility(), v1::Feedback::COHORT);
  EXPECT_EQ(f->author(), Person("navigator"));
  EXPECT_EQ(f->author_display_name(), "中村 進");
  EXPECT_EQ(FromProtoTimestamp(f->create_time()), clock_.Now());
  EXPECT_FALSE(f->resolved());
  EXPECT_FALSE(f->has_resolve_time());
  EXPECT_FALSE(f->etag().empty());
}

TEST_F(FeedbackTest, EveryKindOfStaffMayGiveStaffOnlyFeedback) {
  for (const Principal& who : {Navigator(), Advisor(), Observer(), Secretariat()}) {
    auto f = plans_->CreateFeedback(who, Request(1, "事務局内で共有", v1::Feedback::STAFF));
    ASSERT_TRUE(f.ok()) << who.subject() << ": " << f.status();
    EXPECT_EQ(f->visibility(), v1::Feedback::STAFF);
  }
}

TEST_F(FeedbackTest, SecretariatWithoutRosterEntryWritesAsJimukyoku) {
  v1::Feedback f = Give(Secretariat(), 1, "提出ありがとうございます。");
  EXPECT_EQ(f.author(), "");
  EXPECT_EQ(f.author_display_name(), "事務局");
}

TEST_F(FeedbackTest, JapaneseTextRoundTripsAndIsTrimmed) {
  const std::string text =
      "ビジョンが素晴らしいです。\n"
      "ただ、「同僚を巻き込む」の具体策が見えません。🙂 "
      "例：朝会で５分。";
  auto r = Request(1, "\u3000" + text + "  \n");
  r.mutable_feedback()->set_action_id("a1");
  r.mutable_feedback()->set_field("actions[a1].indicator");
  auto f = plans_->CreateFeedback(Advisor(), r);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->text(), text);
  auto listed = List(Participant(1));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->feedback_size(), 1);
  EXPECT_EQ(listed->feedback(0).text(), text);
  EXPECT_EQ(listed->feedback(0).action_id(), "a1");
  EXPECT_EQ(listed->feedback(0).field(), "actions[a1].indicator");
  EXPECT_EQ(listed->feedback(0).author_display_name(), "小川 恵美");
  EXPECT_EQ(listed->feedback(0).etag(), f->etag());
}

TEST_F(FeedbackTest, OwnersReplyToTheCohortButNotToStaffOnly) {
  v1::Feedback reply = Give(Participant(1), 1, "ご指摘ありがとうございます。");
  EXPECT_EQ(reply.visibility(), v1::Feedback::COHORT);
  EXPECT_EQ(reply.author(), Person("p1"));
  EXPECT_EQ(reply.author_display_name(), "山田 太郎");
  ExpectError(
      plans_->CreateFeedback(Participant(1), Request(1, "内緒", v1::Feedback::STAFF)).status(),
      absl::StatusCode::kPermissionDenied, "STAFF_ONLY");
}

TEST_F(FeedbackTest, EveryOwnerOfATeamPlanMayReply) {
  v1::CreatePlanRequest c;
  c.set_parent(kCohort);
  c.mutable_plan()->set_title("チーム計画");
  c.mutable_plan()->add_owners(Person("p1"));
  c.mutable_plan()->add_owners(Person("p2"));
  *c.mutable_plan()->mutable_draft() = SampleContent();
  auto team = plans_->CreatePlan(Navigator(), c);
  ASSERT_TRUE(team.ok()) << team.status();
  Commit(Participant(1), team->name());
  plan_ = *team;
  EXPECT_EQ(Give(Participant(2), 1, "p2の返信").author(), Person("p2"));
}

TEST_F(FeedbackTest, CohortMatesMayNotGiveFeedback) {
  // Before presentation the plan does not exist for them.
  ExpectError(plans_->CreateFeedback(Participant(3), Request(1, "いいね")).status(),
              absl::StatusCode::kNotFound, "NOT_FOUND");
  PresentInterim(plan_, 1);
  ExpectError(plans_->CreateFeedback(Participant(3), Request(1, "いいね")).status(),
              absl::StatusCode::kPermissionDenied, "STAFF_ONLY");
}

// Someone on no roster of the cohort is refused before any plan is looked
// up: the answer a cohort that does not exist gets (authorise_first_test.cc).
TEST_F(FeedbackTest, StrangersAreRefusedBeforeAnythingIsLookedUp) {
  ExpectError(plans_->CreateFeedback(Stranger(), Request(1, "こんにちは")).status(),
              absl::StatusCode::kPermissionDenied, "NOT_ON_ROSTER");
  PresentInterim(plan_, 1);
  ExpectError(plans_->CreateFeedback(Stranger(), Request(1, "こんにちは")).status(),
              absl::StatusCode::kPermissionDenied, "NOT_ON_ROSTER");
  ExpectError(List(Stranger()).status(), absl::StatusCode::kPermissionDenied, "NOT_ON_ROSTER");
}

TEST_F(FeedbackTest, UnknownPlanOrRevisionIsNotFound) {
  auto missing_rev = plans_->CreateFeedback(Navigator(), Request(2, "r2 はまだない"));
  ExpectError(missing_rev.status(), absl::StatusCode::kNotFound, "NOT_FOUND");
  auto info = errors::GetResourceInfo(missing_rev.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->resource_type(), "Revision");
  EXPECT_EQ(info->resource_name(), plan_.name() + "/revisions/r2");

  auto r = Request(1, "別の計画");
  r.set_parent(std::string(kCohort) + "/plans/nosuchplan");
  ExpectError(plans_->CreateFeedback(Navigator(), r).status(), absl::StatusCode::kNotFound,
              "NOT_FOUND");
}

TEST_F(FeedbackTest, ActionMustBelongToTheAnchoredRevision) {
  // r2 adds action a3 to the draft; r1 does not have it.
  ASSERT_EQ(EditAndCommit([](v1::PlanContent& c) {
              auto* a3 = c.add_actions();
              a3->set_id("a3");
              a3->set_title("人事課と評価項目を相談する");
              a3->set_target_result(kaizen::type::HR_EVALUATION);
            }),
            2);

  auto on_r1 = Request(1, "a3について");
  on_r1.mutable_feedback()->set_action_id("a3");
  ExpectError(plans_->CreateFeedback(Navigator(), on_r1).status(),
              absl::StatusCode::kInvalidArgument, "UNKNOWN_ACTION", "feedback.action_id");
  auto on_r2 = Request(2, "a3について");
  on_r2.mutable_feedback()->set_action_id("a3");
  auto f = plans_->CreateFeedback(Navigator(), on_r2);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->action_id(), "a3");
}

TEST_F(FeedbackTest, ValidatesTheRequest) {
  ExpectError(plans_->CreateFeedback(Navigator(), Request(1, "  ")).status(),
              absl::StatusCode::kInvalidArgument, "TEXT_REQUIRED", "feedback.text");
  std::string long_text;
  for (int i = 0; i < 4000; ++i) long_text += "改";
  EXPECT_TRUE(plans_->CreateFeedback(Navigator(), Request(1, long_text)).ok());
  ExpectError(plans_->CreateFeedback(Navigator(), Request(1, long_text + "善")).status(),
              absl::StatusCode::kInvalidArgument, "TEXT_TOO_LONG", "feedback.text");

  auto field = Request(1, "ok");
  field.mutable_feedback()->set_field(std::string(201, 'x'));
  ExpectError(plans_->CreateFeedback(Navigator(), field).status(),
              absl::StatusCode::kInvalidArgument, "TEXT_TOO_LONG", "feedback.field");
  field.mutable_feedback()->set_field("vision\nwalls");
  ExpectError(plans_->CreateFeedback(Navigator(), field).status(),
              absl::StatusCode::kInvalidArgument, "CONTROL_CHARACTER", "feedback.field");
  field.mutable_feedback()->set_field(std::string(200, 'x'));
  EXPECT_TRUE(plans_->CreateFeedback(Navigator(), field).ok());

  ExpectError(plans_->CreateFeedback(Navigator(), Request(0, "ok")).status(),
              absl::StatusCode::kInvalidArgument, "INVALID_FIELD", "feedback.revision");
  ExpectError(
      plans_
          ->CreateFeedback(Navigator(), Request(1, "ok", static_cast<v1::Feedback::Visibility>(7)))
          .status(),
      absl::StatusCode::kInvalidArgument, "INVALID_FIELD", "feedback.visibility");
  auto long_id = Request(1, "ok");
  long_id.set_request_id(std::string(65, 'r'));
  ExpectError(plans_->CreateFeedback(Navigator(), long_id).status(),
              absl::StatusCode::kInvalidArgument, "INVALID_FIELD", "request_id");
  auto bad_parent = Request(1, "ok");
  bad_parent.set_parent("cohorts/fy2022");
  ExpectError(plans_->CreateFeedback(Navigator(), bad_parent).status(),
              absl::StatusCode::kInvalidArgument, "INVALID_NAME", "parent");
}

TEST_F(FeedbackTest, RequestIdReplayReturnsTheSameFeedback) {
  auto r = Request(1, "再送されても一件だけ");
  r.set_request_id("9a1f2c3e-0000-4000-8000-000000000001");
  auto first = plans_->CreateFeedback(Navigator(), r);
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Minutes(1));
  auto again = plans_->CreateFeedback(Navigator(), r);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->name(), first->name());
  EXPECT_EQ(again->create_time().seconds(), first->create_time().seconds());
  EXPECT_EQ(again->etag(), first->etag());
  EXPECT_THAT(Texts(Navigator()), ElementsAre("再送されても一件だけ"));

  r.mutable_feedback()->set_text("別の内容");
  ExpectError(plans_->CreateFeedback(Navigator(), r).status(), absl::StatusCode::kInvalidArgument,
              "REQUEST_ID_REUSED");
}

TEST_F(FeedbackTest, EnrollmentDownWritesNothing) {
  roster_.SetUnavailable(true);
  ExpectError(plans_->CreateFeedback(Navigator(), Request(1, "届かない")).status(),
              absl::StatusCode::kUnavailable, "ENROLLMENT_UNAVAILABLE");
  roster_.SetUnavailable(false);
  EXPECT_THAT(Texts(Navigator()), IsEmpty());
}

// ---------------------------------------------------------------- list

TEST_F(FeedbackTest, EachCallerSeesOnlyWhatTheyMay) {
  ASSERT_EQ(EditAndCommit([](v1::PlanContent& c) { c.set_vision("改訂したビジョン"); }), 2);
  Give(Navigator(), 1, "A: r1 cohort");
  Give(Advisor(), 1, "B: r1 staff", v1::Feedback::STAFF);
  Give(Navigator(), 2, "C: r2 cohort");
  Give(Participant(1), 1, "D: r1 owner reply");
  Give(Observer(), 2, "E: r2 staff", v1::Feedback::STAFF);

  // Nothing presented yet: the plan, and so its feedback, is not there for
  // cohort mates.
  ExpectError(List(Participant(3)).status(), absl::StatusCode::kNotFound, "NOT_FOUND");

  PresentInterim(plan_, 1);
  EXPECT_THAT(Texts(Navigator()), ElementsAre("A: r1 cohort", "B: r1 staff", "C: r2 cohort",
                                              "D: r1 owner reply", "E: r2 staff"));
  EXPECT_THAT(Texts(Secretariat()), ElementsAre("A: r1 cohort", "B: r1 staff", "C: r2 cohort",
                                                "D: r1 owner reply", "E: r2 staff"));
  EXPECT_THAT(Texts(Participant(1)),
              ElementsAre("A: r1 cohort", "C: r2 cohort", "D: r1 owner reply"));
  // A cohort mate: COHORT feedback on the presented r1 only.
  EXPECT_THAT(Texts(Participant(3)), ElementsAre("A: r1 cohort", "D: r1 owner reply"));
  EXPECT_THAT(Texts(Participant(4), 1), ElementsAre("A: r1 cohort", "D: r1 owner reply"));
  ExpectError(List(Stranger()).status(), absl::StatusCode::kPermissionDenied, "NOT_ON_ROSTER");
}

TEST_F(FeedbackTest, PagesAreFullEvenWhenHiddenFeedbackIsSkipped) {
  PresentInterim(plan_, 1);
  for (int i = 1; i <= 7; ++i) {
    Give(Navigator(), 1, absl::StrCat("staff ", i), v1::Feedback::STAFF);
    Give(Navigator(), 1, absl::StrCat("cohort ", i));
  }
  // Cohort mate, pages of 3: 3, 3, 1 — never a short page before the last.
  std::vector<int> sizes;
  std::vector<std::string> texts;
  std::string token;
  do {
    auto page = List(Participant(3), 3, token);
    ASSERT_TRUE(page.ok()) << page.status();
    sizes.push_back(page->feedback_size());
    for (const auto& f : page->feedback()) texts.push_back(f.text());
    token = page->next_page_token();
  } while (!token.empty());
  EXPECT_THAT(sizes, ElementsAre(3, 3, 1));
  EXPECT_THAT(texts, ElementsAre("cohort 1", "cohort 2", "cohort 3", "cohort 4", "cohort 5",
                                 "cohort 6", "cohort 7"));
  // Exactly a page's worth left: no token pointing at an empty page.
  auto staff = List(Navigator(), 14);
  ASSERT_TRUE(staff.ok()) << staff.status();
  EXPECT_EQ(staff->feedback_size(), 14);
  EXPECT_EQ(staff->next_page_token(), "");
  // Default page size is 20; more than 100 is clamped.
  for (int i = 0; i < 10; ++i) Give(Navigator(), 1, absl::StrCat("more ", i));
  auto page = List(Navigator());
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->feedback_size(), 20);
  EXPECT_NE(page->next_page_token(), "");
  page = List(Navigator(), 1000);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->feedback_size(), 24);
}

TEST_F(FeedbackTest, PageTokensBelongToTheirPlan) {
  Give(Navigator(), 1, "one");
  Give(Navigator(), 1, "two");
  auto page = List(Navigator(), 1);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_NE(page->next_page_token(), "");

  v1::Plan other = CreateFor(2);
  v1::ListFeedbackRequest r;
  r.set_parent(other.name());
  r.set_page_token(page->next_page_token());
  ExpectError(plans_->ListFeedback(Navigator(), r).status(), absl::StatusCode::kInvalidArgument,
              "INVALID_PAGE_TOKEN", "page_token");
  ExpectError(List(Navigator(), 0, "garbage").status(), absl::StatusCode::kInvalidArgument,
              "INVALID_PAGE_TOKEN", "page_token");
  EXPECT_EQ(List(Navigator(), -1).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------- resolve / reopen

TEST_F(FeedbackTest, ResolveAndReopenCheckStateAndEtag) {
  v1::Feedback f = Give(Navigator(), 1, "指標を数値に。");
  clock_.Advance(absl::Hours(1));
  auto resolved = Resolve(Participant(1), f.name(), f.etag());
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_TRUE(resolved->resolved());
  EXPECT_EQ(FromProtoTimestamp(resolved->resolve_time()), clock_.Now());
  EXPECT_NE(resolved->etag(), f.etag());
  EXPECT_EQ(resolved->text(), f.text());

  ExpectError(Resolve(Participant(1), f.name(), resolved->etag()).status(),
              absl::StatusCode::kFailedPrecondition, "ALREADY_RESOLVED");
  // The etag from before the resolve is stale.
  ExpectError(Reopen(Navigator(), f.name(), f.etag()).status(), absl::StatusCode::kAborted,
              "ETAG_MISMATCH");
  auto reopened = Reopen(Navigator(), f.name(), resolved->etag());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_FALSE(reopened->resolved());
  EXPECT_FALSE(reopened->has_resolve_time());
  ExpectError(Reopen(Navigator(), f.name(), reopened->etag()).status(),
              absl::StatusCode::kFailedPrecondition, "NOT_RESOLVED");
  ExpectError(Resolve(Navigator(), f.name(), resolved->etag()).status(), absl::StatusCode::kAborted,
              "ETAG_MISMATCH");

  // The etag is optional; the list shows the current state and etag.
  auto again = Resolve(Advisor(), f.name(), "");
  ASSERT_TRUE(again.ok()) << again.status();
  auto listed = List(Participant(1));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->feedback_size(), 1);
  EXPECT_TRUE(listed->feedback(0).resolved());
  EXPECT_EQ(listed->feedback(0).etag(), again->etag());
}

TEST_F(FeedbackTest, OnlyOwnersAndStaffResolveWhatTheySee) {
  PresentInterim(plan_, 1);
  v1::Feedback cohort = Give(Navigator(), 1, "全体向け");
  v1::Feedback staff_only = Give(Navigator(), 1, "スタッフ向け", v1::Feedback::STAFF);

  // A cohort mate sees the COHORT feedback but may not change it.
  ExpectError(Resolve(Participant(3), cohort.name(), "").status(),
              absl::StatusCode::kPermissionDenied, "NOT_PLAN_OWNER");
  // Feedback someone cannot see is not there for them.
  ExpectError(Resolve(Participant(3), staff_only.name(), "").status(), absl::StatusCode::kNotFound,
              "NOT_FOUND");
  ExpectError(Resolve(Participant(1), staff_only.name(), "").status(), absl::StatusCode::kNotFound,
              "NOT_FOUND");
  ExpectError(Reopen(Participant(1), staff_only.name(), "").status(), absl::StatusCode::kNotFound,
              "NOT_FOUND");
  ExpectError(Resolve(Stranger(), cohort.name(), "").status(), absl::StatusCode::kPermissionDenied, "NOT_ON_ROSTER");
  ExpectError(Resolve(Navigator(), plan_.name() + "/feedback/nosuchfeedback", "").status(),
              absl::StatusCode::kNotFound, "NOT_FOUND");
  ExpectError(Resolve(Navigator(), plan_.name(), "").status(), absl::StatusCode::kInvalidArgument,
              "INVALID_NAME", "name");

  EXPECT_TRUE(Resolve(Observer(), staff_only.name(), staff_only.etag()).ok());
  EXPECT_TRUE(Resolve(Participant(1), cohort.name(), cohort.etag()).ok());
}

TEST_F(FeedbackTest, FeedbackOnUnpresentedRevisionsStaysHiddenFromCohortMates) {
  ASSERT_EQ(EditAndCommit([](v1::PlanContent& c) { c.set_vision("r2"); }), 2);
  v1::Feedback on_r2 = Give(Navigator(), 2, "r2への助言");
  PresentInterim(plan_, 1);
  EXPECT_THAT(Texts(Participant(3)), IsEmpty());
  ExpectError(Resolve(Participant(3), on_r2.name(), "").status(), absl::StatusCode::kNotFound,
              "NOT_FOUND");
}

}  // namespace
}  // namespace kaizen::plans::testing
