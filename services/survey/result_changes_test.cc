// The SHARE_SURVEY_PROFILE result-change log (issue 14): a row in the same
// transaction as every change to what GetSharedSurveyProfile answers (and
// none for a write that failed), deleted with the person or cohort by
// PurgePersonalData, and read by enrollment only through ListResultChanges.
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/testing/principals.h"
#include "gtest/gtest.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/survey_test_util.h"

namespace kaizen::survey {
namespace result_changes_test {

using namespace ::kaizen::survey::testing;  // NOLINT
using kaizen::type::ListResultChangesRequest;
using kaizen::type::ListResultChangesResponse;
using kaizen::type::ResultChange;

class ResultChangesTest : public SurveyTest {
 protected:
  absl::Status Save(const v1::Wave& wave, int n, bool submit, bool share = false,
                    const std::string& request_id = "") {
    v1::SaveResponseRequest save;
    save.set_parent(wave.name());
    *save.mutable_answers() = FullAnswers(Builtin(), 3);
    v1::Answer* text = save.add_answers();
    text->set_item_id("free-wall-now");
    text->set_text("決裁に判子が七つ必要で、提案が三か月止まる。");
    text->set_share_with_employer(share);
    save.set_submit(submit);
    save.set_request_id(request_id);
    return survey_->SaveResponse(Participant(n), save).status();
  }

  absl::StatusOr<ListResultChangesResponse> List(int64_t after, int page_size,
                                                 const Principal& caller =
                                                     auth::ServicePrincipal("enrollment")) {
    ListResultChangesRequest r;
    r.set_after_sequence(after);
    r.set_page_size(page_size);
    return survey_->ListResultChanges(caller, r);
  }

  // Every change logged so far, as (participant, category, time) checks.
  std::vector<ResultChange> All() {
    auto page = List(0, 1000);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? std::vector<ResultChange>(page->changes().begin(), page->changes().end())
                     : std::vector<ResultChange>();
  }
};

TEST_F(ResultChangesTest, SubmissionsAndEditsOfSubmittedResponsesAreLogged) {
  const v1::Wave wave = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(wave, 1, /*submit=*/false).ok());
  EXPECT_TRUE(All().empty()) << "a draft is nobody's profile";

  ASSERT_TRUE(Save(wave, 1, /*submit=*/true).ok());
  auto changes = All();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].participant(), Person("p1"));
  EXPECT_EQ(changes[0].category(), kaizen::type::SHARE_SURVEY_PROFILE);
  EXPECT_EQ(changes[0].time().seconds(), absl::ToUnixSeconds(Tokyo(2022, 6, 15, 10)));
  EXPECT_GT(changes[0].sequence(), 0);

  // Sending the text to the employer (an edit of a submitted response) is a
  // change too.
  clock_.Advance(absl::Minutes(3));
  ASSERT_TRUE(Save(wave, 1, /*submit=*/false, /*share=*/true).ok());
  changes = All();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_GT(changes[1].sequence(), changes[0].sequence());
  EXPECT_EQ(changes[1].time().seconds(), absl::ToUnixSeconds(Tokyo(2022, 6, 15, 10, 3)));

  // Another person's submission is theirs.
  ASSERT_TRUE(Save(wave, 2, /*submit=*/true).ok());
  changes = All();
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[2].participant(), Person("p2"));
}

// share_with_employer decides whether a text reaches the partner: turning it
// on or off in a submitted response is logged in the save's transaction, and
// a save refused for a misplaced flag logs nothing.
TEST_F(ResultChangesTest, TheEmployerFlagOfASubmittedResponseIsLogged) {
  const v1::Wave wave = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(wave, 1, /*submit=*/true).ok());
  ASSERT_EQ(All().size(), 1u);

  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(Save(wave, 1, /*submit=*/false, /*share=*/true).ok());
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(Save(wave, 1, /*submit=*/false, /*share=*/false).ok());
  auto changes = All();
  ASSERT_EQ(changes.size(), 3u);
  for (const ResultChange& c : changes) {
    EXPECT_EQ(c.participant(), Person("p1"));
    EXPECT_EQ(c.category(), kaizen::type::SHARE_SURVEY_PROFILE);
  }
  EXPECT_EQ(changes[1].time().seconds(), absl::ToUnixSeconds(Tokyo(2022, 6, 15, 10, 1)));
  EXPECT_EQ(changes[2].time().seconds(), absl::ToUnixSeconds(Tokyo(2022, 6, 15, 10, 2)));

  // The flag on a Likert item: INVALID_ANSWER, no row, the flag unchanged.
  v1::SaveResponseRequest bad;
  bad.set_parent(wave.name());
  *bad.mutable_answers() = FullAnswers(Builtin(), 3);
  bad.mutable_answers(0)->set_share_with_employer(true);
  absl::Status s = survey_->SaveResponse(Participant(1), bad).status();
  EXPECT_EQ(errors::Reason(s), "INVALID_ANSWER") << s;
  EXPECT_EQ(All().size(), 3u);
}

TEST_F(ResultChangesTest, AnonymousWavesAndReplaysLeaveNoRow) {
  const v1::Wave anonymous = MakeWave(v1::Wave::PRE, /*anonymous=*/true);
  ASSERT_TRUE(Save(anonymous, 1, /*submit=*/true).ok());
  EXPECT_TRUE(All().empty());

  clock_.Set(Tokyo(2023, 6, 1, 10));
  const v1::Wave linked = MakeWave(v1::Wave::FOLLOW_UP_6);
  ASSERT_TRUE(Save(linked, 1, true, false, "req-1").ok());
  ASSERT_TRUE(Save(linked, 1, true, false, "req-1").ok());  // a retry: nothing new
  EXPECT_EQ(All().size(), 1u);
}

TEST_F(ResultChangesTest, AFailedWriteLogsNothing) {
  const v1::Wave wave = MakeWave(v1::Wave::PRE);
  // Refused saves: a required answer missing, then a closed wave.
  v1::SaveResponseRequest incomplete;
  incomplete.set_parent(wave.name());
  incomplete.set_submit(true);
  EXPECT_EQ(survey_->SaveResponse(Participant(1), incomplete).status().code(),
            absl::StatusCode::kInvalidArgument);
  clock_.Set(Tokyo(2022, 8, 1, 10));
  EXPECT_EQ(Save(wave, 1, true).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(All().empty());

  // A transaction that appended and then failed leaves nothing either.
  absl::Status failed = store_->Write([&](SurveyTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.AppendResultChange("fy2022", Person("p1"), clock_.Now()));
    return errors::Internal("the rest of the change failed");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_TRUE(All().empty());
}

TEST_F(ResultChangesTest, OnlyEnrollmentReadsTheLog) {
  for (const Principal& caller :
       {Secretariat(), Participant(1), ::kaizen::testkit::PartnerHr("242047"),
        auth::ServicePrincipal("scheduling")}) {
    absl::Status s = List(0, 10, caller).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << caller.DebugString();
    EXPECT_EQ(errors::Reason(s), "ENROLLMENT_ONLY");
  }
  for (const auto& [after, size, field] :
       std::vector<std::tuple<int64_t, int, std::string>>{
           {-1, 10, "after_sequence"}, {0, -1, "page_size"}, {0, 1001, "page_size"}}) {
    absl::Status s = List(after, size).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << field;
    auto bad = errors::GetBadRequest(s);
    ASSERT_TRUE(bad.has_value()) << s;
    EXPECT_EQ(bad->field_violations(0).field(), field);
  }
}

TEST_F(ResultChangesTest, PagesFollowTheCursorUntilItStopsMoving) {
  const v1::Wave wave = MakeWave(v1::Wave::PRE);
  for (int n = 1; n <= 5; ++n) ASSERT_TRUE(Save(wave, n, true).ok());
  std::vector<std::string> seen;
  int64_t cursor = 0;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = List(cursor, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->changes_size(), 2);
    for (const auto& c : page->changes()) {
      EXPECT_GT(c.sequence(), cursor);
      seen.push_back(c.participant());
    }
    if (page->last_sequence() == cursor) {
      EXPECT_EQ(page->changes_size(), 0);
      break;
    }
    cursor = page->last_sequence();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{Person("p1"), Person("p2"), Person("p3"),
                                            Person("p4"), Person("p5")}));
  // Default page size (0 means 100).
  auto all = List(0, 0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->changes_size(), 5);
  EXPECT_EQ(all->last_sequence(), cursor);
}

TEST_F(ResultChangesTest, PurgeAndErasureDeleteTheRowsAndSequencesNeverRepeat) {
  const v1::Wave wave = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(wave, 1, true).ok());
  ASSERT_TRUE(Save(wave, 2, true).ok());
  ASSERT_TRUE(Save(wave, 2, true, /*share=*/true).ok());
  const int64_t last = All().back().sequence();

  kaizen::type::PurgeRequest erase;
  erase.set_cohort(kCohort);
  erase.set_participant(Person("p2"));
  erase.set_subject("user-p2");
  auto report = survey_->PurgePersonalData(auth::ServicePrincipal("enrollment"), erase);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->counts_size(), 6);
  EXPECT_EQ(report->counts(5).kind(), "result_changes");
  EXPECT_EQ(report->counts(5).deleted(), 2);
  auto changes = All();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].participant(), Person("p1"));

  // A later change gets a new, higher sequence, even though the newest rows
  // were deleted (enrollment's cursor never sees a number twice).
  ASSERT_TRUE(Save(wave, 3, true).ok());
  changes = All();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_GT(changes[1].sequence(), last);

  kaizen::type::PurgeRequest purge;
  purge.set_cohort(kCohort);
  report = survey_->PurgePersonalData(auth::ServicePrincipal("enrollment"), purge);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->counts(5).deleted(), 2);
  EXPECT_TRUE(All().empty());
}

}  // namespace
}  // namespace kaizen::survey
