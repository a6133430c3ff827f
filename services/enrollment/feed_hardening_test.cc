// The partner feed against a restored backup, misbehaving sources and load
// (reviewer findings on issue 14): CURSOR_AHEAD_OF_FEED, strict WellFormed,
// the per-source circuit breaker, the bound on pages at once, and the
// consent in effect on UPSERTED entries. Real in-memory SQLite, fake
// sources, an injected clock; no sleeps.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "clients/partner/fake_result_change_source.h"
#include "common/status/errors.h"
#include "common/util/page_token.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"
#include "services/enrollment/feed_cursor.h"
#include "services/enrollment/result_feed.h"

namespace kaizen::enrollment {
namespace feed_hardening_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT
using ::kaizen::partner_client::FakeResultChangeSource;
using ::kaizen::partner_client::ResultChangeSource;
using ::kaizen::type::ListResultChangesResponse;
using ::kaizen::type::SHARE_ACTION_PLAN;
using ::kaizen::type::SHARE_ATTENDANCE;

constexpr char kPageKey[] = "page-token-key-0123456789";

// Answers with whatever the test scripted (to stand for a buggy service),
// or blocks until released (to hold a page in flight).
class ScriptedSource final : public ResultChangeSource {
 public:
  explicit ScriptedSource(std::string service) : service_(std::move(service)) {}
  const std::string& service() const override { return service_; }
  absl::StatusOr<ListResultChangesResponse> List(int64_t, int) override {
    ++calls_;
    if (block_.exchange(false)) {  // the first call only
      entered_.Notify();
      release_.WaitForNotification();
    }
    return answer_;
  }
  ListResultChangesResponse answer_;
  std::atomic<bool> block_{false};
  absl::Notification entered_, release_;
  std::atomic<int> calls_{0};

 private:
  const std::string service_;
};

ListResultChangesResponse Answer(std::vector<int64_t> sequences, int64_t last,
                                 const std::string& who = "cohorts/c/participants/p") {
  ListResultChangesResponse r;
  for (int64_t s : sequences) {
    auto* c = r.add_changes();
    c->set_sequence(s);
    c->set_participant(who);
    c->set_category(SHARE_ATTENDANCE);
  }
  r.set_last_sequence(last);
  return r;
}

TEST(WellFormedTest, LastSequenceMustBeTheLastChangeOrThePositionAsked) {
  EXPECT_TRUE(WellFormed(Answer({}, 5), 5));
  EXPECT_TRUE(WellFormed(Answer({6, 9}, 9), 5));
  EXPECT_FALSE(WellFormed(Answer({}, 7), 5));       // jumps ahead with nothing
  EXPECT_FALSE(WellFormed(Answer({}, 3), 5));       // goes back
  EXPECT_FALSE(WellFormed(Answer({6, 9}, 12), 5));  // past its last change
  EXPECT_FALSE(WellFormed(Answer({6, 9}, 6), 5));   // behind its last change
  EXPECT_FALSE(WellFormed(Answer({9, 6}, 9), 5));   // out of order
  EXPECT_FALSE(WellFormed(Answer({6, 6}, 6), 5));   // repeated
  EXPECT_FALSE(WellFormed(Answer({5, 6}, 6), 5));   // not past the position
}

class FeedHardeningTest : public ::testing::Test {
 protected:
  void Start(std::vector<ResultChangeSource*> sources, int max_pages = 4) {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    EnrollmentConfig config{kPageKey, "access-key-0123456789", "claim-key-0123456789"};
    config.require_email_confirmation = false;  // other rules (enrollment_test_util.h)
    config.result_change_sources = std::move(sources);
    config.max_concurrent_feed_pages = max_pages;
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

  std::string Join(int n, const std::string& town, bool attendance, bool plan) {
    auto request = Apply(cohort_, n, town);
    auto* consent = request.mutable_application()->mutable_members(0)->mutable_consent();
    consent->set_share_attendance(attendance);
    consent->set_share_action_plan(plan);
    auto app = enrollment_->CreateApplication(Anonymous(), request);
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() && app->participants_size() == 1 ? app->participants(0) : "";
  }

  absl::StatusOr<v1::ListChangesResponse> Feed(const Principal& who,
                                               const std::string& cursor = "") {
    v1::ListChangesRequest r;
    r.set_cursor(cursor);
    return enrollment_->ListChanges(who, r);
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

TEST_F(FeedHardeningTest, CursorPastTheLogHeadIsFailedPrecondition) {
  Start({});
  Join(1, kTowns[2], true, false);
  Join(2, kTowns[2], true, false);
  auto page = Feed(PartnerHr(kTowns[2]));
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->changes_size(), 2);
  // At the head: fine (nothing new).
  auto again = Feed(PartnerHr(kTowns[2]), page->next_cursor());
  ASSERT_TRUE(again.ok()) << again.status();
  // A cursor from before a restore of an older backup: past the head.
  PageTokenCodec codec(kPageKey);
  FeedPosition ahead;
  ahead.own = 3;
  const std::string cursor =
      EncodeFeedCursor(codec, absl::StrCat("changes\x1f", kTowns[2]), ahead);
  auto refused = Feed(PartnerHr(kTowns[2]), cursor);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(refused.status()), "CURSOR_AHEAD_OF_FEED");
  // Starting again from an empty cursor replays, through the current state.
  auto restart = Feed(PartnerHr(kTowns[2]));
  ASSERT_TRUE(restart.ok());
  EXPECT_EQ(restart->changes_size(), 2);
}

TEST_F(FeedHardeningTest, MalformedSourceAnswersMoveNothingAndNameTheSource) {
  ScriptedSource scheduling("scheduling");
  Start({&scheduling});
  const std::string a = Join(1, kTowns[2], true, false);
  auto first = Feed(PartnerHr(kTowns[2]));
  ASSERT_TRUE(first.ok());
  for (const ListResultChangesResponse& bad :
       {Answer({}, 40), Answer({1, 2}, 40, a), Answer({2, 1}, 2, a)}) {
    clock_.Advance(absl::Seconds(11));  // the breaker is not what is tested here
    scheduling.answer_ = bad;
    auto page = Feed(PartnerHr(kTowns[2]), first->next_cursor());
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(page->changes_size(), 0);
    ASSERT_EQ(page->unavailable_sources_size(), 1);
    EXPECT_EQ(page->unavailable_sources(0), "scheduling");
    EXPECT_EQ(page->next_cursor(), first->next_cursor()) << bad.DebugString();
  }
  clock_.Advance(absl::Seconds(11));
  scheduling.answer_ = Answer({1, 2}, 2, a);
  auto good = Feed(PartnerHr(kTowns[2]), first->next_cursor());
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(good->unavailable_sources().empty());
  EXPECT_EQ(good->changes_size(), 1);  // two of one person folded
  EXPECT_NE(good->next_cursor(), first->next_cursor());
}

TEST_F(FeedHardeningTest, FailedSourceRestsTenSecondsWithoutCalls) {
  FakeResultChangeSource scheduling("scheduling"), plans("plans");
  Start({&scheduling, &plans});
  const std::string a = Join(1, kTowns[2], true, true);
  scheduling.SetUnavailable(true);
  auto first = Feed(PartnerHr(kTowns[2]));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(scheduling.calls().size(), 1u);
  scheduling.SetUnavailable(false);
  scheduling.Append(a, SHARE_ATTENDANCE, June1());
  clock_.Advance(absl::Seconds(9));
  auto resting = Feed(PartnerHr(kTowns[2]), first->next_cursor());
  ASSERT_TRUE(resting.ok());
  EXPECT_EQ(scheduling.calls().size(), 1u);  // not called
  EXPECT_EQ(plans.calls().size(), 2u);       // the others are
  ASSERT_EQ(resting->unavailable_sources_size(), 1);
  EXPECT_EQ(resting->unavailable_sources(0), "scheduling");
  clock_.Advance(absl::Seconds(1));
  auto back = Feed(PartnerHr(kTowns[2]), resting->next_cursor());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(scheduling.calls().size(), 2u);
  EXPECT_TRUE(back->unavailable_sources().empty());
  ASSERT_EQ(back->changes_size(), 1);
  EXPECT_EQ(back->changes(0).category(), SHARE_ATTENDANCE);
}

TEST_F(FeedHardeningTest, PagesAboveTheBoundAreResourceExhausted) {
  ScriptedSource scheduling("scheduling");
  scheduling.answer_ = Answer({}, 0);
  scheduling.block_ = true;
  Start({&scheduling}, /*max_pages=*/1);
  absl::StatusOr<v1::ListChangesResponse> held = absl::UnknownError("not run");
  std::thread in_flight([&] { held = Feed(PartnerHr(kTowns[2])); });
  scheduling.entered_.WaitForNotification();
  auto refused = Feed(PartnerHr(kTowns[1]));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(errors::Reason(refused.status()), "FEED_BUSY");
  auto info = errors::GetErrorInfo(refused.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("retry_after_seconds"), "10");
  scheduling.release_.Notify();
  in_flight.join();
  EXPECT_TRUE(held.ok()) << held.status();
  EXPECT_TRUE(Feed(PartnerHr(kTowns[1])).ok());  // the slot is free again
}

TEST_F(FeedHardeningTest, UpsertedCarriesTheConsentInEffectOnly) {
  Start({});
  const std::string a = Join(1, kTowns[2], true, false);
  auto page = Feed(PartnerHr(kTowns[2]));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->changes_size(), 1);
  EXPECT_TRUE(page->changes(0).consent().share_attendance());
  EXPECT_FALSE(page->changes(0).display_name().empty());
  v1::CancelParticipantRequest cancel;
  cancel.set_name(a);
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  auto after = Feed(PartnerHr(kTowns[2]), page->next_cursor());
  ASSERT_TRUE(after.ok());
  const v1::Change* upserted = nullptr;
  for (const auto& c : after->changes()) {
    if (c.kind() == v1::Change::UPSERTED) upserted = &c;
  }
  ASSERT_NE(upserted, nullptr);
  EXPECT_EQ(upserted->state(), v1::Participant::CANCELLED);
  EXPECT_TRUE(upserted->consent().has_share_attendance());
  EXPECT_FALSE(upserted->consent().share_attendance());  // stored: true
  EXPECT_FALSE(upserted->consent().share_action_plan());
  EXPECT_FALSE(upserted->consent().share_survey_profile());
  EXPECT_EQ(upserted->display_name(), "");
}

// A page that names people to a partner is a provision: one record per
// named entry, written with the page; none for the secretariat, none for a
// person who shares nothing (not named), none for a cancelled person.
TEST_F(FeedHardeningTest, NamingSomeoneToAPartnerIsRecorded) {
  Start({});
  const std::string a = Join(1, kTowns[2], true, false);
  Join(2, kTowns[2], false, false);  // shares nothing: not in the feed at all
  auto records = [&]() {
    v1::ListProvisionRecordsRequest r;
    r.set_page_size(100);
    auto listed = enrollment_->ListProvisionRecords(Secretariat(), r);
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<v1::ProvisionRecord> out;
    if (listed.ok()) out.assign(listed->provision_records().begin(), listed->provision_records().end());
    return out;
  };
  ASSERT_TRUE(Feed(Secretariat()).ok());
  EXPECT_EQ(records().size(), 0u) << "nothing leaves the programme on the secretariat's reads";
  auto page = Feed(PartnerHr(kTowns[2]));
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->changes_size(), 1);
  auto after_read = records();
  ASSERT_EQ(after_read.size(), 1u);
  const v1::ProvisionRecord& r = after_read[0];
  EXPECT_EQ(r.participant(), a);
  EXPECT_EQ(r.display_name(), page->changes(0).display_name());
  EXPECT_EQ(r.recipient_municipality_code(), kTowns[2]);
  EXPECT_EQ(r.category(), kaizen::type::SHARE_CATEGORY_UNSPECIFIED);
  EXPECT_EQ(r.method(), "/kaizen.enrollment.v1.EnrollmentService/ListChanges");
  EXPECT_TRUE(r.consent().share_attendance());
  EXPECT_EQ(r.data_items_size(), 4);
  // Reading the same page again provides the name again: recorded again.
  ASSERT_TRUE(Feed(PartnerHr(kTowns[2])).ok());
  EXPECT_EQ(records().size(), 2u);
  // After a cancellation the entry carries no name: nothing more is recorded.
  v1::CancelParticipantRequest cancel;
  cancel.set_name(a);
  ASSERT_TRUE(enrollment_->CancelParticipant(Secretariat(), cancel).ok());
  ASSERT_TRUE(Feed(PartnerHr(kTowns[2]), page->next_cursor()).ok());
  EXPECT_EQ(records().size(), 2u);
}

}  // namespace
}  // namespace kaizen::enrollment
