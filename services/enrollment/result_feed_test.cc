// The merged partner feed (issue 14): enrollment's own change log plus the
// services' result-change logs, against real in-memory SQLite and
// FakeResultChangeSource, through the domain (ListChanges).
#include "services/enrollment/result_feed.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "clients/partner/fake_result_change_source.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment {
namespace result_feed_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
using ::kaizen::partner_client::FakeResultChangeSource;
using ::kaizen::type::SHARE_ACTION_PLAN;
using ::kaizen::type::SHARE_ATTENDANCE;
using ::kaizen::type::SHARE_SURVEY_PROFILE;
using Kind = v1::Change::Kind;

constexpr char kPageKey[] = "page-token-key-0123456789";

struct Shares {
  bool attendance = false, plan = false, survey = false;
};

class ResultFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    EnrollmentConfig config{kPageKey, "access-key-0123456789", "claim-key-0123456789"};
    config.require_email_confirmation = false;  // other rules (enrollment_test_util.h)
    // Deliberately not in page order: the domain orders them by service.
    config.result_change_sources = {&survey_, &scheduling_, &plans_};
    enrollment_ = std::make_unique<Enrollment>(store_.get(), &clock_, std::move(config));
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.set_cohort_id("fy2022");
    auto cohort = enrollment_->CreateCohort(Secretariat(), create);
    ASSERT_TRUE(cohort.ok()) << cohort.status();
    cohort_ = cohort->name();
    v1::TransitionCohortRequest open;
    open.set_name(cohort_);
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
  }

  // A participant of `town` (admitted on arrival) sharing `shares`.
  std::string Join(int n, const std::string& town, Shares shares) {
    auto request = Apply(cohort_, n, town);
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

  v1::ListChangesResponse Feed(const Principal& who, const std::string& cursor = "",
                               int page_size = 0) {
    v1::ListChangesRequest r;
    r.set_cursor(cursor);
    r.set_page_size(page_size);
    auto page = enrollment_->ListChanges(who, r);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? *page : v1::ListChangesResponse();
  }

  // Every page until the cursor stops moving.
  std::vector<v1::Change> ReadAll(const Principal& who, std::string* cursor, int page_size = 0) {
    std::vector<v1::Change> all;
    for (int guard = 0; guard < 1000; ++guard) {
      v1::ListChangesResponse page = Feed(who, *cursor, page_size);
      if (page_size > 0) {
        EXPECT_LE(page.changes_size(), page_size);
      }
      for (const auto& c : page.changes()) all.push_back(c);
      const bool end = page.next_cursor() == *cursor;
      *cursor = page.next_cursor();
      if (end) return all;
    }
    ADD_FAILURE() << "the cursor never stopped moving";
    return all;
  }

  // The RESULT_* changes of a page as "kind category participant".
  static std::vector<std::string> Results(const std::vector<v1::Change>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) {
      if (c.kind() != v1::Change::RESULT_CHANGED && c.kind() != v1::Change::RESULT_WITHDRAWN) {
        continue;
      }
      out.push_back(absl::StrCat(v1::Change::Kind_Name(c.kind()), " ",
                                 kaizen::type::ShareCategory_Name(c.category()), " ",
                                 c.participant()));
    }
    return out;
  }
  static std::vector<v1::Change> All(const v1::ListChangesResponse& r) {
    return {r.changes().begin(), r.changes().end()};
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  FakeResultChangeSource scheduling_{"scheduling"};
  FakeResultChangeSource plans_{"plans"};
  FakeResultChangeSource survey_{"survey"};
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

std::string R(const char* kind, const char* category, const std::string& who) {
  return absl::StrCat(kind, " ", category, " ", who);
}

TEST_F(ResultFeedTest, EnrollmentFirstThenSchedulingPlansSurvey) {
  const std::string a = Join(1, kTowns[2], {true, true, true});
  survey_.Append(a, SHARE_SURVEY_PROFILE, June1());
  plans_.Append(a, SHARE_ACTION_PLAN, June1());
  scheduling_.Append(a, SHARE_ATTENDANCE, June1() + absl::Hours(1));
  v1::ListChangesResponse page = Feed(PartnerHr(kTowns[2]));
  ASSERT_EQ(page.changes_size(), 4);
  EXPECT_EQ(page.changes(0).kind(), v1::Change::UPSERTED);
  EXPECT_EQ(Results(All(page)),
            (std::vector<std::string>{R("RESULT_CHANGED", "SHARE_ATTENDANCE", a),
                                      R("RESULT_CHANGED", "SHARE_ACTION_PLAN", a),
                                      R("RESULT_CHANGED", "SHARE_SURVEY_PROFILE", a)}));
  const v1::Change& attendance = page.changes(1);
  EXPECT_EQ(attendance.municipality_code(), kTowns[2]);
  EXPECT_EQ(attendance.municipality_name(), "松阪市");
  EXPECT_EQ(attendance.time().seconds(), absl::ToUnixSeconds(June1() + absl::Hours(1)));
  EXPECT_EQ(attendance.display_name(), "");  // results carry no personal data
  EXPECT_TRUE(page.unavailable_sources().empty());
}

TEST_F(ResultFeedTest, CursorRoundTripEndsWhenItComesBackUnchanged) {
  const std::string a = Join(1, kTowns[2], {true, false, false});
  scheduling_.Append(a, SHARE_ATTENDANCE, June1());
  v1::ListChangesResponse first = Feed(PartnerHr(kTowns[2]));
  ASSERT_EQ(first.changes_size(), 2);
  v1::ListChangesResponse none = Feed(PartnerHr(kTowns[2]), first.next_cursor());
  EXPECT_EQ(none.changes_size(), 0);
  EXPECT_EQ(none.next_cursor(), first.next_cursor());  // the end
  // Only what is new comes next, from each log.
  scheduling_.Append(a, SHARE_ATTENDANCE, June1() + absl::Minutes(5));
  SetConsent(a, {true, true, false});
  plans_.Append(a, SHARE_ACTION_PLAN, June1() + absl::Minutes(6));
  v1::ListChangesResponse next = Feed(PartnerHr(kTowns[2]), first.next_cursor());
  ASSERT_EQ(next.changes_size(), 3);
  EXPECT_EQ(next.changes(0).kind(), v1::Change::UPSERTED);  // the new consent
  EXPECT_EQ(Results(All(next)),
            (std::vector<std::string>{R("RESULT_CHANGED", "SHARE_ATTENDANCE", a),
                                      R("RESULT_CHANGED", "SHARE_ACTION_PLAN", a)}));
  EXPECT_NE(next.next_cursor(), first.next_cursor());
  EXPECT_EQ(scheduling_.calls().back().after_sequence, 1);
  EXPECT_EQ(plans_.calls().back().after_sequence, 0);
}

TEST_F(ResultFeedTest, CursorOfBeforeTheMergeStillWorks) {
  const std::string a = Join(1, kTowns[2], {true, false, false});
  const std::string b = Join(2, kTowns[2], {true, false, false});
  scheduling_.Append(a, SHARE_ATTENDANCE, June1());
  // A cursor as ListChanges issued before issue 14, after a's admission
  // (seq 1 of the change log).
  const std::string old_cursor =
      PageTokenCodec(kPageKey).Encode(absl::StrCat("changes\x1f", kTowns[2]), "1");
  v1::ListChangesResponse page = Feed(PartnerHr(kTowns[2]), old_cursor);
  ASSERT_EQ(page.changes_size(), 2);
  EXPECT_EQ(page.changes(0).participant(), b);  // own log after position 1
  EXPECT_EQ(Results(All(page)),
            (std::vector<std::string>{R("RESULT_CHANGED", "SHARE_ATTENDANCE", a)}));
}

TEST_F(ResultFeedTest, FilteredByMunicipalityStateAndConsentAtReadTime) {
  const std::string a = Join(1, kTowns[2], {true, false, false});   // shares attendance
  const std::string quiet = Join(2, kTowns[2], {});                 // shares nothing
  const std::string other = Join(3, kTowns[0], {true, true, true});  // another town
  const std::string gone = Join(4, kTowns[2], {true, true, true});   // will cancel
  for (const std::string& p : {a, quiet, other, gone}) {
    scheduling_.Append(p, SHARE_ATTENDANCE, June1());
    plans_.Append(p, SHARE_ACTION_PLAN, June1());
  }
  scheduling_.Append("cohorts/fy2022/participants/nobody", SHARE_ATTENDANCE, June1());
  scheduling_.Append("not a name", SHARE_ATTENDANCE, June1());
  plans_.Append(a, SHARE_ATTENDANCE, June1());  // not plans' category: skipped
  v1::CancelParticipantRequest cancel;
  cancel.set_name(gone);
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());

  std::string cursor;
  std::vector<std::string> results = Results(ReadAll(PartnerHr(kTowns[2]), &cursor));
  EXPECT_EQ(results, (std::vector<std::string>{R("RESULT_WITHDRAWN", "SHARE_ATTENDANCE", gone),
                                               R("RESULT_WITHDRAWN", "SHARE_ACTION_PLAN", gone),
                                               R("RESULT_WITHDRAWN", "SHARE_SURVEY_PROFILE", gone),
                                               R("RESULT_CHANGED", "SHARE_ATTENDANCE", a)}));
  // The secretariat sees every town.
  std::string all_cursor;
  std::vector<std::string> everyone = Results(ReadAll(Secretariat(), &all_cursor));
  EXPECT_NE(std::find(everyone.begin(), everyone.end(),
                      R("RESULT_CHANGED", "SHARE_ACTION_PLAN", other)),
            everyone.end());
  EXPECT_EQ(std::find(everyone.begin(), everyone.end(),
                      R("RESULT_CHANGED", "SHARE_ATTENDANCE", quiet)),
            everyone.end());

  // Revocation hides what was logged before it: read again from the start.
  SetConsent(a, {false, false, false});
  std::string fresh;
  EXPECT_EQ(Results(ReadAll(PartnerHr(kTowns[2]), &fresh)),
            (std::vector<std::string>{R("RESULT_WITHDRAWN", "SHARE_ATTENDANCE", gone),
                                      R("RESULT_WITHDRAWN", "SHARE_ACTION_PLAN", gone),
                                      R("RESULT_WITHDRAWN", "SHARE_SURVEY_PROFILE", gone),
                                      R("RESULT_WITHDRAWN", "SHARE_ATTENDANCE", a)}));
}

TEST_F(ResultFeedTest, RevokingOneCategoryWithdrawsThatOneRegrantingUpserts) {
  const std::string a = Join(1, kTowns[2], {true, true, false});
  std::string cursor;
  ReadAll(PartnerHr(kTowns[2]), &cursor);
  SetConsent(a, {true, false, false});
  v1::ListChangesResponse revoked = Feed(PartnerHr(kTowns[2]), cursor);
  ASSERT_EQ(revoked.changes_size(), 2);
  EXPECT_EQ(Results(All(revoked)),
            (std::vector<std::string>{R("RESULT_WITHDRAWN", "SHARE_ACTION_PLAN", a)}));
  EXPECT_EQ(revoked.changes(0).municipality_code(), kTowns[2]);
  EXPECT_EQ(revoked.changes(1).kind(), v1::Change::UPSERTED);
  EXPECT_FALSE(revoked.changes(1).consent().share_action_plan());
  // Re-granting: an UPSERTED whose consent says what to pull; no tombstone.
  SetConsent(a, {true, true, true});
  v1::ListChangesResponse regranted = Feed(PartnerHr(kTowns[2]), revoked.next_cursor());
  ASSERT_EQ(regranted.changes_size(), 1);
  EXPECT_EQ(regranted.changes(0).kind(), v1::Change::UPSERTED);
  EXPECT_TRUE(regranted.changes(0).consent().share_survey_profile());
}

TEST_F(ResultFeedTest, CancellationWithdrawsEverySharedCategoryOnce) {
  const std::string a = Join(1, kTowns[2], {true, false, true});
  std::string cursor;
  ReadAll(PartnerHr(kTowns[2]), &cursor);
  v1::CancelParticipantRequest cancel;
  cancel.set_name(a);
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  scheduling_.Append(a, SHARE_ATTENDANCE, June1());  // after the cancellation: hidden
  std::vector<v1::Change> changes = ReadAll(PartnerHr(kTowns[2]), &cursor);
  EXPECT_EQ(Results(changes),
            (std::vector<std::string>{R("RESULT_WITHDRAWN", "SHARE_ATTENDANCE", a),
                                      R("RESULT_WITHDRAWN", "SHARE_SURVEY_PROFILE", a)}));
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[2].kind(), v1::Change::UPSERTED);
  EXPECT_EQ(changes[2].state(), v1::Participant::CANCELLED);
  // Revoking after the cancellation withdraws nothing more (the partner was
  // told already); the participant now shows as DELETED.
  SetConsent(a, {false, false, false});
  std::vector<v1::Change> later = ReadAll(PartnerHr(kTowns[2]), &cursor);
  EXPECT_TRUE(Results(later).empty());
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].kind(), v1::Change::DELETED);
}

TEST_F(ResultFeedTest, PurgeIsDeletedAndHidesLaterResults) {
  const std::string a = Join(1, kTowns[2], {true, false, false});
  std::string cursor;
  ReadAll(PartnerHr(kTowns[2]), &cursor);
  scheduling_.Append(a, SHARE_ATTENDANCE, June1());
  for (auto state : {v1::Cohort::RUNNING, v1::Cohort::FINISHED}) {
    v1::TransitionCohortRequest t;
    t.set_name(cohort_);
    t.set_state(state);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), t).ok());
  }
  clock_.Advance(absl::Hours(24 * 366));
  v1::PurgeCohortPersonalDataRequest purge;
  purge.set_name(cohort_);
  ASSERT_TRUE(enrollment_->PurgeCohortPersonalData(Secretariat(), purge).ok());
  std::vector<v1::Change> changes = ReadAll(PartnerHr(kTowns[2]), &cursor);
  ASSERT_FALSE(changes.empty());
  EXPECT_EQ(changes.back().kind(), v1::Change::DELETED);
  EXPECT_EQ(changes.back().participant(), a);
  EXPECT_TRUE(Results(changes).empty());
}

TEST_F(ResultFeedTest, UnavailableSourceKeepsItsPositionAndIsNamed) {
  const std::string a = Join(1, kTowns[2], {true, true, false});
  std::string cursor;
  ReadAll(PartnerHr(kTowns[2]), &cursor);
  scheduling_.Append(a, SHARE_ATTENDANCE, June1());
  plans_.Append(a, SHARE_ACTION_PLAN, June1());
  scheduling_.SetUnavailable(true);
  v1::ListChangesResponse degraded = Feed(PartnerHr(kTowns[2]), cursor);
  EXPECT_EQ(Results(All(degraded)),
            (std::vector<std::string>{R("RESULT_CHANGED", "SHARE_ACTION_PLAN", a)}));
  EXPECT_EQ(std::vector<std::string>(degraded.unavailable_sources().begin(),
                                     degraded.unavailable_sources().end()),
            std::vector<std::string>{"scheduling"});
  // Nothing else moved: the same cursor, but not the end (a source is out).
  v1::ListChangesResponse still = Feed(PartnerHr(kTowns[2]), degraded.next_cursor());
  EXPECT_EQ(still.next_cursor(), degraded.next_cursor());
  EXPECT_EQ(still.unavailable_sources_size(), 1);
  scheduling_.SetUnavailable(false);
  clock_.Advance(absl::Seconds(10));  // past the failed source's rest (feed_guard.h)
  v1::ListChangesResponse back = Feed(PartnerHr(kTowns[2]), degraded.next_cursor());
  EXPECT_EQ(Results(All(back)),
            (std::vector<std::string>{R("RESULT_CHANGED", "SHARE_ATTENDANCE", a)}));
  EXPECT_TRUE(back.unavailable_sources().empty());
}

TEST_F(ResultFeedTest, PagesHoldAtMostPageSizeEntriesAndLoseNothing) {
  const std::string a = Join(1, kTowns[2], {true, true, true});
  const std::string b = Join(2, kTowns[2], {true, true, true});
  const std::string c = Join(3, kTowns[0], {true, true, true});  // skipped, still consumed
  for (int i = 0; i < 3; ++i) {
    scheduling_.Append(i == 1 ? c : a, SHARE_ATTENDANCE, June1() + absl::Minutes(i));
    plans_.Append(b, SHARE_ACTION_PLAN, June1() + absl::Minutes(i), /*gap=*/3);
  }
  survey_.Append(a, SHARE_SURVEY_PROFILE, June1());
  std::string cursor;
  std::vector<v1::Change> changes = ReadAll(PartnerHr(kTowns[2]), &cursor, /*page_size=*/2);
  // Own: a and b joined (c is another town's). Scheduling: a twice (not
  // folded: on different pages). Plans: b three times, folded per page.
  std::vector<std::string> results = Results(changes);
  EXPECT_EQ(std::count(results.begin(), results.end(), R("RESULT_CHANGED", "SHARE_ATTENDANCE", a)),
            2);
  EXPECT_GE(std::count(results.begin(), results.end(), R("RESULT_CHANGED", "SHARE_ACTION_PLAN", b)),
            2);
  EXPECT_EQ(results.back(), R("RESULT_CHANGED", "SHARE_SURVEY_PROFILE", a));
  // No source was ever asked for more than the page had left, nor for 0.
  for (const auto* source : {&scheduling_, &plans_, &survey_}) {
    for (const auto& call : source->calls()) {
      EXPECT_GE(call.page_size, 1);
      EXPECT_LE(call.page_size, 2);
    }
  }
  // The first page was enrollment's alone: nobody was asked then.
  EXPECT_EQ(scheduling_.calls().front().after_sequence, 0);

  // Sizes: 0 means 100, above 1000 is 1000, negative is refused.
  std::string from_start;
  Feed(PartnerHr(kTowns[2]), from_start, 5000);
  EXPECT_LE(scheduling_.calls().back().page_size, 1000);
  v1::ListChangesRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(enrollment_->ListChanges(PartnerHr(kTowns[2]), negative).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ResultFeedTest, RepeatsWithinAPageAreFolded) {
  const std::string a = Join(1, kTowns[2], {true, false, false});
  for (int i = 0; i < 3; ++i) scheduling_.Append(a, SHARE_ATTENDANCE, June1() + absl::Minutes(i));
  v1::ListChangesResponse page = Feed(PartnerHr(kTowns[2]));
  std::vector<std::string> results = Results(All(page));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(page.changes(page.changes_size() - 1).time().seconds(),
            absl::ToUnixSeconds(June1() + absl::Minutes(2)));  // the last one kept
}

TEST_F(ResultFeedTest, TamperedCursorIsInvalidArgument) {
  Join(1, kTowns[2], {true, false, false});
  std::string cursor = Feed(PartnerHr(kTowns[2])).next_cursor();
  cursor[cursor.size() / 2] = cursor[cursor.size() / 2] == 'A' ? 'B' : 'A';
  v1::ListChangesRequest r;
  r.set_cursor(cursor);
  auto page = enrollment_->ListChanges(PartnerHr(kTowns[2]), r);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(page.status()), "INVALID_CURSOR");
}

TEST_F(ResultFeedTest, WithoutSourcesTheFeedIsEnrollmentsAlone) {
  auto alone =
      std::make_unique<Enrollment>(store_.get(), &clock_,
                                   WithoutEmailConfirmation(EnrollmentConfig{
                                       kPageKey, "access-key-0123456789", "claim-key-0123456789"}));
  const std::string a = Join(1, kTowns[2], {true, false, false});
  scheduling_.Append(a, SHARE_ATTENDANCE, June1());
  auto page = alone->ListChanges(PartnerHr(kTowns[2]), v1::ListChangesRequest());
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->changes_size(), 1);
  EXPECT_TRUE(page->unavailable_sources().empty());
  EXPECT_TRUE(scheduling_.calls().empty());
}

}  // namespace
}  // namespace kaizen::enrollment
