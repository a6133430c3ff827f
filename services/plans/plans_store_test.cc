#include "services/plans/plans_store.h"

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::plans {
namespace plans_store_test {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

const absl::Time kNow = absl::FromUnixSeconds(1656633600);  // 2022-07-01Z

const char kVision[] = "5年後、庁内の誰もが「改善は自分の仕事だ」と言える職場にする。";
const char kWallText[] = "同僚が「前例がない」と言って動いてくれない。";

std::string PlanName(const std::string& cohort_id, const std::string& id) {
  return absl::StrCat("cohorts/", cohort_id, "/plans/", id);
}

PlanRecord MakePlan(const std::string& cohort_id, const std::string& id) {
  PlanRecord record;
  record.cohort_id = cohort_id;
  record.id = id;
  v1::Plan& p = record.plan;
  p.set_name(PlanName(cohort_id, id));
  p.set_title("窓口の待ち時間を半分にする計画");
  p.add_owners(absl::StrCat("cohorts/", cohort_id, "/participants/p1"));
  v1::PlanContent* draft = p.mutable_draft();
  draft->set_vision(kVision);
  v1::WallStatement* wall = draft->add_walls();
  wall->set_wall(kaizen::type::PEERS);
  wall->set_text(kWallText);
  v1::Action* action = draft->add_actions();
  action->set_id("a1");
  action->set_title("業務フローの見える化");
  action->set_target_result(kaizen::type::PEERS);
  action->add_stakeholders(v1::PEERS_AROUND);
  action->set_timeframe("2023年度上期");
  action->set_status(v1::Action::PLANNED);
  return record;
}

RevisionRecord MakeRevision(const std::string& cohort_id, const std::string& plan_id,
                            int64_t number) {
  RevisionRecord record;
  record.cohort_id = cohort_id;
  record.plan_id = plan_id;
  record.number = number;
  v1::Revision& r = record.revision;
  r.set_name(absl::StrCat(PlanName(cohort_id, plan_id), "/revisions/r", number));
  r.set_number(number);
  r.set_parent(number - 1);
  r.set_author(absl::StrCat("cohorts/", cohort_id, "/participants/p1"));
  r.set_message(absl::StrCat("第", number, "版: 課長の助言を反映"));
  r.mutable_create_time()->set_seconds(absl::ToUnixSeconds(kNow) + number);
  r.mutable_content()->set_vision(kVision);
  return record;
}

FeedbackRecord MakeFeedback(const std::string& cohort_id, const std::string& plan_id,
                            const std::string& id) {
  FeedbackRecord record;
  record.cohort_id = cohort_id;
  record.plan_id = plan_id;
  record.id = id;
  v1::Feedback& f = record.feedback;
  f.set_name(absl::StrCat(PlanName(cohort_id, plan_id), "/feedback/", id));
  f.set_revision(1);
  f.set_action_id("a1");
  f.set_text("指標が曖昧です。「待ち時間」をどう測るか書きましょう。");
  f.set_visibility(v1::Feedback::COHORT);
  f.set_author(absl::StrCat("cohorts/", cohort_id, "/participants/nav"));
  f.set_author_display_name("鈴木 一郎");
  return record;
}

PracticeRecord MakePractice(const std::string& cohort_id, const std::string& plan_id,
                            const std::string& id, int year, int month, int day) {
  PracticeRecord record;
  record.cohort_id = cohort_id;
  record.plan_id = plan_id;
  record.id = id;
  v1::PracticeEntry& e = record.entry;
  e.set_name(absl::StrCat(PlanName(cohort_id, plan_id), "/practice/", id));
  e.set_action_id("a1");
  e.mutable_date()->set_year(year);
  e.mutable_date()->set_month(month);
  e.mutable_date()->set_day(day);
  e.set_done("係内で業務フロー図を作り、朝礼で共有した。");
  e.set_result("二人が改善案を出してくれた。");
  e.set_gap("机上では一週間の予定が、実際は三週間かかった。");
  return record;
}

template <typename Record>
std::vector<std::string> Ids(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

void ExpectResourceError(const absl::Status& status, absl::StatusCode code,
                         const std::string& reason, const std::string& type,
                         const std::string& name) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(errors::Reason(status), reason) << status;
  auto resource = errors::GetResourceInfo(status);
  ASSERT_TRUE(resource.has_value()) << status;
  EXPECT_EQ(resource->resource_type(), type);
  EXPECT_EQ(resource->resource_name(), name);
}

void ExpectNotFound(const absl::Status& status, const std::string& type,
                    const std::string& name) {
  ExpectResourceError(status, absl::StatusCode::kNotFound, "NOT_FOUND", type, name);
}

void ExpectAlreadyExists(const absl::Status& status, const std::string& type,
                         const std::string& name) {
  ExpectResourceError(status, absl::StatusCode::kAlreadyExists, "ALREADY_EXISTS", type, name);
}

class PlansStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = PlansStore::Open(storage::DatabaseOptions{});  // ":memory:"
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Runs `fn` in a write transaction and expects it to commit.
  void MustWrite(const std::function<absl::Status(PlansTx&)>& fn) {
    absl::Status status = store_->Write(fn);
    ASSERT_TRUE(status.ok()) << status;
  }
  // Runs `fn` in a read transaction and expects it to succeed.
  void MustRead(const std::function<absl::Status(PlansTx&)>& fn) {
    absl::Status status = store_->Read(fn);
    ASSERT_TRUE(status.ok()) << status;
  }

  void AddPlan(PlanRecord* record) {
    MustWrite([&](PlansTx& tx) { return tx.InsertPlan(record); });
  }
  void AddRevision(const RevisionRecord& record) {
    MustWrite([&](PlansTx& tx) { return tx.InsertRevision(record); });
  }
  void AddFeedback(FeedbackRecord* record) {
    MustWrite([&](PlansTx& tx) { return tx.InsertFeedback(record); });
  }
  void AddPractice(PracticeRecord* record) {
    MustWrite([&](PlansTx& tx) { return tx.InsertPracticeEntry(record); });
  }
  PlanRecord AddPlan(const std::string& cohort_id, const std::string& id) {
    PlanRecord record = MakePlan(cohort_id, id);
    AddPlan(&record);
    return record;
  }

  std::optional<PlanRecord> ReadPlan(const std::string& cohort_id, const std::string& id) {
    std::optional<PlanRecord> out;
    MustRead([&](PlansTx& tx) -> absl::Status {
      auto got = tx.GetPlan(cohort_id, id);
      if (!got.ok()) return got.status();
      out = *std::move(got);
      return absl::OkStatus();
    });
    return out;
  }

  std::vector<std::string> ListPlanIds(const std::string& cohort_id, int64_t after_seq,
                                       int limit) {
    std::vector<std::string> ids;
    MustRead([&](PlansTx& tx) -> absl::Status {
      auto list = tx.ListPlans(cohort_id, after_seq, limit);
      if (!list.ok()) return list.status();
      ids = Ids(*list);
      return absl::OkStatus();
    });
    return ids;
  }

  std::vector<int64_t> ListRevisionNumbers(const std::string& cohort_id,
                                           const std::string& plan_id, int64_t before_number,
                                           int limit) {
    std::vector<int64_t> numbers;
    MustRead([&](PlansTx& tx) -> absl::Status {
      auto list = tx.ListRevisions(cohort_id, plan_id, before_number, limit);
      if (!list.ok()) return list.status();
      for (const RevisionRecord& r : *list) numbers.push_back(r.number);
      return absl::OkStatus();
    });
    return numbers;
  }

  std::vector<std::string> ListFeedbackIds(const std::string& cohort_id,
                                           const std::string& plan_id, int64_t after_seq,
                                           int limit) {
    std::vector<std::string> ids;
    MustRead([&](PlansTx& tx) -> absl::Status {
      auto list = tx.ListFeedback(cohort_id, plan_id, after_seq, limit);
      if (!list.ok()) return list.status();
      ids = Ids(*list);
      return absl::OkStatus();
    });
    return ids;
  }

  std::vector<PracticeRecord> ListPractice(const std::string& cohort_id,
                                           const std::string& plan_id,
                                           std::optional<PracticePosition> after, int limit) {
    std::vector<PracticeRecord> out;
    MustRead([&](PlansTx& tx) -> absl::Status {
      auto list = tx.ListPracticeEntries(cohort_id, plan_id, after, limit);
      if (!list.ok()) return list.status();
      out = *std::move(list);
      return absl::OkStatus();
    });
    return out;
  }

  std::unique_ptr<PlansStore> store_;
};

TEST(PlansStoreSchemaTest, ThreeMigrations) {
  // 2: the purge marks (issue 15); 3: what each purge deleted.
  EXPECT_EQ(PlansStore::Migrations().size(), 4u);
}

// --- plans -------------------------------------------------------------------

TEST_F(PlansStoreTest, PlanInsertGetUpdate) {
  PlanRecord first = MakePlan("fy2022", "plan-a");
  first.revision = 7;  // ignored: inserts start at 1
  first.plan.set_etag("etag-1");
  first.plan.set_draft_changed(true);
  first.plan.set_latest_revision(0);
  AddPlan(&first);
  EXPECT_EQ(first.revision, 1);
  EXPECT_GT(first.seq, 0);
  PlanRecord second = AddPlan("fy2022", "plan-b");
  EXPECT_EQ(second.revision, 1);
  EXPECT_GT(second.seq, first.seq);

  std::optional<PlanRecord> got = ReadPlan("fy2022", "plan-a");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->cohort_id, "fy2022");
  EXPECT_EQ(got->id, "plan-a");
  EXPECT_EQ(got->seq, first.seq);
  EXPECT_EQ(got->revision, 1);
  EXPECT_EQ(got->plan.name(), "cohorts/fy2022/plans/plan-a");
  EXPECT_EQ(got->plan.title(), "窓口の待ち時間を半分にする計画");
  EXPECT_EQ(got->plan.draft().vision(), kVision);
  ASSERT_EQ(got->plan.draft().walls_size(), 1);
  EXPECT_EQ(got->plan.draft().walls(0).text(), kWallText);
  ASSERT_EQ(got->plan.draft().actions_size(), 1);
  EXPECT_EQ(got->plan.draft().actions(0).timeframe(), "2023年度上期");
  // Derived on every read by the service, never stored.
  EXPECT_EQ(got->plan.etag(), "");
  EXPECT_FALSE(got->plan.draft_changed());

  PlanRecord updated = *got;
  updated.plan.set_title("改題: 窓口改革");
  updated.plan.set_latest_revision(1);
  updated.plan.set_etag("not-stored");
  MustWrite([&](PlansTx& tx) { return tx.UpdatePlan(&updated); });
  EXPECT_EQ(updated.revision, 2);

  got = ReadPlan("fy2022", "plan-a");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->seq, first.seq);  // an update keeps the creation order
  EXPECT_EQ(got->revision, 2);
  EXPECT_EQ(got->plan.title(), "改題: 窓口改革");
  EXPECT_EQ(got->plan.latest_revision(), 1);
  EXPECT_EQ(got->plan.etag(), "");
  EXPECT_THAT(ListPlanIds("fy2022", 0, 0), ElementsAre("plan-a", "plan-b"));
}

TEST_F(PlansStoreTest, PlanMissesAndDuplicates) {
  absl::Status status =
      store_->Read([](PlansTx& tx) { return tx.GetPlan("fy2022", "nope").status(); });
  ExpectNotFound(status, "Plan", "cohorts/fy2022/plans/nope");

  PlanRecord missing = MakePlan("fy2022", "nope");
  missing.revision = 3;
  v1::Plan before = missing.plan;
  status = store_->Write([&](PlansTx& tx) { return tx.UpdatePlan(&missing); });
  ExpectNotFound(status, "Plan", "cohorts/fy2022/plans/nope");
  EXPECT_EQ(missing.revision, 3);  // a failed update bumps nothing
  EXPECT_EQ(missing.plan.SerializeAsString(), before.SerializeAsString());

  PlanRecord plan = AddPlan("fy2022", "plan-a");
  PlanRecord again = MakePlan("fy2022", "plan-a");
  status = store_->Write([&](PlansTx& tx) { return tx.InsertPlan(&again); });
  ExpectAlreadyExists(status, "Plan", "cohorts/fy2022/plans/plan-a");
  EXPECT_EQ(again.seq, 0);
  EXPECT_EQ(again.revision, 0);

  // The same id in another cohort is another plan.
  PlanRecord elsewhere = AddPlan("fy2023", "plan-a");
  EXPECT_GT(elsewhere.seq, plan.seq);
  EXPECT_THAT(ListPlanIds("fy2022", 0, 0), ElementsAre("plan-a"));
  EXPECT_THAT(ListPlanIds("fy2023", 0, 0), ElementsAre("plan-a"));
}

TEST_F(PlansStoreTest, ListPlansInCreationOrderWithPaging) {
  std::vector<PlanRecord> plans;
  for (const char* id : {"p1", "p2", "p3", "p4", "p5"}) {
    plans.push_back(AddPlan("fy2022", id));
    AddPlan("other", id);  // interleaved: another cohort's plans never show
  }
  EXPECT_THAT(ListPlanIds("fy2022", 0, 0), ElementsAre("p1", "p2", "p3", "p4", "p5"));
  EXPECT_THAT(ListPlanIds("fy2022", 0, -1), ElementsAre("p1", "p2", "p3", "p4", "p5"));
  EXPECT_THAT(ListPlanIds("fy2022", 0, 2), ElementsAre("p1", "p2"));
  EXPECT_THAT(ListPlanIds("fy2022", plans[1].seq, 2), ElementsAre("p3", "p4"));
  EXPECT_THAT(ListPlanIds("fy2022", plans[3].seq, 2), ElementsAre("p5"));
  EXPECT_THAT(ListPlanIds("fy2022", plans[4].seq, 2), ElementsAre());
  EXPECT_THAT(ListPlanIds("nobody", 0, 0), ElementsAre());

  // A plan updated later keeps its place.
  MustWrite([&](PlansTx& tx) { return tx.UpdatePlan(&plans[0]); });
  EXPECT_THAT(ListPlanIds("fy2022", 0, 3), ElementsAre("p1", "p2", "p3"));
}

// --- revisions ---------------------------------------------------------------

TEST_F(PlansStoreTest, RevisionInsertGet) {
  AddPlan("fy2022", "plan-a");
  RevisionRecord first = MakeRevision("fy2022", "plan-a", 1);
  first.revision.mutable_content()->add_actions()->set_title("業務フローの見える化");
  AddRevision(first);
  RevisionRecord second = MakeRevision("fy2022", "plan-a", 2);
  second.revision.set_restored_from(1);
  AddRevision(second);

  MustRead([&](PlansTx& tx) -> absl::Status {
    auto got = tx.GetRevision("fy2022", "plan-a", 1);
    if (!got.ok()) return got.status();
    EXPECT_EQ(got->cohort_id, "fy2022");
    EXPECT_EQ(got->plan_id, "plan-a");
    EXPECT_EQ(got->number, 1);
    // Immutable and stored whole.
    EXPECT_EQ(got->revision.SerializeAsString(), first.revision.SerializeAsString());
    EXPECT_EQ(got->revision.message(), "第1版: 課長の助言を反映");
    EXPECT_EQ(got->revision.content().actions(0).title(), "業務フローの見える化");
    auto restored = tx.GetRevision("fy2022", "plan-a", 2);
    if (!restored.ok()) return restored.status();
    EXPECT_EQ(restored->revision.restored_from(), 1);
    return absl::OkStatus();
  });
}

TEST_F(PlansStoreTest, RevisionMissesAndDuplicates) {
  AddPlan("fy2022", "plan-a");
  AddRevision(MakeRevision("fy2022", "plan-a", 1));

  absl::Status status = store_->Read(
      [](PlansTx& tx) { return tx.GetRevision("fy2022", "plan-a", 2).status(); });
  ExpectNotFound(status, "Revision", "cohorts/fy2022/plans/plan-a/revisions/r2");
  status = store_->Read(
      [](PlansTx& tx) { return tx.GetRevision("fy2022", "plan-b", 1).status(); });
  ExpectNotFound(status, "Revision", "cohorts/fy2022/plans/plan-b/revisions/r1");

  RevisionRecord again = MakeRevision("fy2022", "plan-a", 1);
  again.revision.set_message("上書きしようとした");
  status = store_->Write([&](PlansTx& tx) { return tx.InsertRevision(again); });
  ExpectAlreadyExists(status, "Revision", "cohorts/fy2022/plans/plan-a/revisions/r1");
  MustRead([](PlansTx& tx) -> absl::Status {
    auto got = tx.GetRevision("fy2022", "plan-a", 1);
    if (!got.ok()) return got.status();
    EXPECT_EQ(got->revision.message(), "第1版: 課長の助言を反映");  // history not rewritten
    return absl::OkStatus();
  });

  // Number 1 of another plan is another revision.
  AddPlan("fy2022", "plan-b");
  AddRevision(MakeRevision("fy2022", "plan-b", 1));

  // A revision needs its plan.
  status = store_->Write(
      [](PlansTx& tx) { return tx.InsertRevision(MakeRevision("fy2022", "ghost", 1)); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST_F(PlansStoreTest, ListRevisionsNewestFirstWithPaging) {
  AddPlan("fy2022", "plan-a");
  AddPlan("fy2022", "plan-b");
  for (int64_t n = 1; n <= 5; ++n) AddRevision(MakeRevision("fy2022", "plan-a", n));
  AddRevision(MakeRevision("fy2022", "plan-b", 1));

  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-a", 0, 0), ElementsAre(5, 4, 3, 2, 1));
  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-a", 0, 2), ElementsAre(5, 4));
  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-a", 4, 2), ElementsAre(3, 2));
  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-a", 2, 2), ElementsAre(1));
  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-a", 1, 2), ElementsAre());
  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-a", 100, -1), ElementsAre(5, 4, 3, 2, 1));
  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-b", 0, 0), ElementsAre(1));
  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-c", 0, 0), ElementsAre());
}

// --- feedback ----------------------------------------------------------------

TEST_F(PlansStoreTest, FeedbackInsertGetUpdate) {
  AddPlan("fy2022", "plan-a");
  FeedbackRecord first = MakeFeedback("fy2022", "plan-a", "f1");
  first.feedback.set_etag("etag-1");
  AddFeedback(&first);
  EXPECT_EQ(first.revision, 1);
  EXPECT_GT(first.seq, 0);
  FeedbackRecord second = MakeFeedback("fy2022", "plan-a", "f2");
  AddFeedback(&second);
  EXPECT_GT(second.seq, first.seq);

  FeedbackRecord got;
  MustRead([&](PlansTx& tx) -> absl::Status {
    auto record = tx.GetFeedback("fy2022", "plan-a", "f1");
    if (!record.ok()) return record.status();
    got = *std::move(record);
    return absl::OkStatus();
  });
  EXPECT_EQ(got.cohort_id, "fy2022");
  EXPECT_EQ(got.plan_id, "plan-a");
  EXPECT_EQ(got.id, "f1");
  EXPECT_EQ(got.seq, first.seq);
  EXPECT_EQ(got.revision, 1);
  EXPECT_EQ(got.feedback.revision(), 1);  // the anchor, not the etag source
  EXPECT_EQ(got.feedback.text(), "指標が曖昧です。「待ち時間」をどう測るか書きましょう。");
  EXPECT_EQ(got.feedback.author_display_name(), "鈴木 一郎");
  EXPECT_EQ(got.feedback.etag(), "");

  got.feedback.set_resolved(true);
  got.feedback.mutable_resolve_time()->set_seconds(absl::ToUnixSeconds(kNow));
  MustWrite([&](PlansTx& tx) { return tx.UpdateFeedback(&got); });
  EXPECT_EQ(got.revision, 2);

  MustRead([&](PlansTx& tx) -> absl::Status {
    auto record = tx.GetFeedback("fy2022", "plan-a", "f1");
    if (!record.ok()) return record.status();
    EXPECT_EQ(record->revision, 2);
    EXPECT_EQ(record->seq, first.seq);
    EXPECT_TRUE(record->feedback.resolved());
    EXPECT_EQ(record->feedback.resolve_time().seconds(), absl::ToUnixSeconds(kNow));
    return absl::OkStatus();
  });
}

TEST_F(PlansStoreTest, FeedbackMissesAndDuplicates) {
  AddPlan("fy2022", "plan-a");
  absl::Status status = store_->Read(
      [](PlansTx& tx) { return tx.GetFeedback("fy2022", "plan-a", "nope").status(); });
  ExpectNotFound(status, "Feedback", "cohorts/fy2022/plans/plan-a/feedback/nope");

  FeedbackRecord missing = MakeFeedback("fy2022", "plan-a", "nope");
  missing.revision = 4;
  status = store_->Write([&](PlansTx& tx) { return tx.UpdateFeedback(&missing); });
  ExpectNotFound(status, "Feedback", "cohorts/fy2022/plans/plan-a/feedback/nope");
  EXPECT_EQ(missing.revision, 4);

  FeedbackRecord f1 = MakeFeedback("fy2022", "plan-a", "f1");
  AddFeedback(&f1);
  FeedbackRecord again = MakeFeedback("fy2022", "plan-a", "f1");
  status = store_->Write([&](PlansTx& tx) { return tx.InsertFeedback(&again); });
  ExpectAlreadyExists(status, "Feedback", "cohorts/fy2022/plans/plan-a/feedback/f1");
  EXPECT_EQ(again.seq, 0);

  // The same id under another plan is other feedback; feedback needs its plan.
  AddPlan("fy2022", "plan-b");
  FeedbackRecord elsewhere = MakeFeedback("fy2022", "plan-b", "f1");
  AddFeedback(&elsewhere);
  FeedbackRecord orphan = MakeFeedback("fy2022", "ghost", "f1");
  status = store_->Write([&](PlansTx& tx) { return tx.InsertFeedback(&orphan); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST_F(PlansStoreTest, ListFeedbackInCreationOrderWithPaging) {
  AddPlan("fy2022", "plan-a");
  AddPlan("fy2022", "plan-b");
  std::vector<FeedbackRecord> feedback;
  for (const char* id : {"f1", "f2", "f3", "f4"}) {
    FeedbackRecord f = MakeFeedback("fy2022", "plan-a", id);
    AddFeedback(&f);
    feedback.push_back(f);
    FeedbackRecord other = MakeFeedback("fy2022", "plan-b", id);
    AddFeedback(&other);
  }
  EXPECT_THAT(ListFeedbackIds("fy2022", "plan-a", 0, 0), ElementsAre("f1", "f2", "f3", "f4"));
  EXPECT_THAT(ListFeedbackIds("fy2022", "plan-a", 0, 3), ElementsAre("f1", "f2", "f3"));
  EXPECT_THAT(ListFeedbackIds("fy2022", "plan-a", feedback[2].seq, 3), ElementsAre("f4"));
  EXPECT_THAT(ListFeedbackIds("fy2022", "plan-a", feedback[3].seq, 3), ElementsAre());
  // Resolving keeps the order.
  MustWrite([&](PlansTx& tx) { return tx.UpdateFeedback(&feedback[0]); });
  EXPECT_THAT(ListFeedbackIds("fy2022", "plan-a", 0, 2), ElementsAre("f1", "f2"));
}

// --- practice log ------------------------------------------------------------

TEST_F(PlansStoreTest, PracticeRoundTripAndDuplicates) {
  AddPlan("fy2022", "plan-a");
  PracticeRecord entry = MakePractice("fy2022", "plan-a", "e1", 2023, 1, 31);
  AddPractice(&entry);
  EXPECT_GT(entry.seq, 0);

  std::vector<PracticeRecord> all = ListPractice("fy2022", "plan-a", std::nullopt, 0);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].cohort_id, "fy2022");
  EXPECT_EQ(all[0].plan_id, "plan-a");
  EXPECT_EQ(all[0].id, "e1");
  EXPECT_EQ(all[0].seq, entry.seq);
  EXPECT_EQ(all[0].entry.SerializeAsString(), entry.entry.SerializeAsString());
  EXPECT_EQ(all[0].entry.gap(), "机上では一週間の予定が、実際は三週間かかった。");

  PracticeRecord again = MakePractice("fy2022", "plan-a", "e1", 2023, 2, 1);
  absl::Status status =
      store_->Write([&](PlansTx& tx) { return tx.InsertPracticeEntry(&again); });
  ExpectAlreadyExists(status, "PracticeEntry", "cohorts/fy2022/plans/plan-a/practice/e1");

  PracticeRecord orphan = MakePractice("fy2022", "ghost", "e1", 2023, 2, 1);
  status = store_->Write([&](PlansTx& tx) { return tx.InsertPracticeEntry(&orphan); });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST_F(PlansStoreTest, ListPracticeByDayThenCreationWithCursor) {
  AddPlan("fy2022", "plan-a");
  AddPlan("fy2022", "plan-b");
  // Written out of date order; 2022-12-31 < 2023-01-02 even though 1231 > 102.
  std::vector<PracticeRecord> entries = {
      MakePractice("fy2022", "plan-a", "e1", 2023, 1, 2),
      MakePractice("fy2022", "plan-a", "e2", 2022, 12, 31),
      MakePractice("fy2022", "plan-a", "e3", 2023, 1, 2),
      MakePractice("fy2022", "plan-a", "e4", 2022, 11, 5),
      MakePractice("fy2022", "plan-a", "e5", 2023, 1, 2),
      MakePractice("fy2022", "plan-b", "x1", 2022, 1, 1),
  };
  for (auto& e : entries) AddPractice(&e);

  EXPECT_THAT(Ids(ListPractice("fy2022", "plan-a", std::nullopt, 0)),
              ElementsAre("e4", "e2", "e1", "e3", "e5"));

  auto position = [](const PracticeRecord& r) {
    return PracticePosition{r.entry.date().year() * 10000 + r.entry.date().month() * 100 +
                                r.entry.date().day(),
                            r.seq};
  };
  EXPECT_EQ(position(entries[1]).day, 20221231);
  EXPECT_THAT(Ids(ListPractice("fy2022", "plan-a", std::nullopt, 2)), ElementsAre("e4", "e2"));
  EXPECT_THAT(Ids(ListPractice("fy2022", "plan-a", position(entries[1]), 2)),
              ElementsAre("e1", "e3"));
  // Strictly after: within one day, by seq.
  EXPECT_THAT(Ids(ListPractice("fy2022", "plan-a", position(entries[2]), 2)),
              ElementsAre("e5"));
  EXPECT_THAT(Ids(ListPractice("fy2022", "plan-a", position(entries[4]), 2)), ElementsAre());
  // A cursor between days (a deleted or hypothetical position) still works.
  EXPECT_THAT(Ids(ListPractice("fy2022", "plan-a", PracticePosition{20221201, 0}, 0)),
              ElementsAre("e2", "e1", "e3", "e5"));
  EXPECT_THAT(Ids(ListPractice("fy2022", "plan-b", std::nullopt, 0)), ElementsAre("x1"));
}

// --- idempotency -------------------------------------------------------------

TEST_F(PlansStoreTest, RequestIdsRoundTrip) {
  MustWrite([](PlansTx& tx) -> absl::Status {
    auto missing = tx.LookupRequestId("CreatePlan\x1fsub-1", "req-1");
    EXPECT_TRUE(missing.ok()) << missing.status();
    EXPECT_FALSE(missing->has_value());
    return tx.SaveRequestId("CreatePlan\x1fsub-1", "req-1",
                            {"fingerprint-1", "cohorts/fy2022/plans/plan-a"}, kNow);
  });
  MustRead([](PlansTx& tx) -> absl::Status {
    auto found = tx.LookupRequestId("CreatePlan\x1fsub-1", "req-1");
    EXPECT_TRUE(found.ok()) << found.status();
    EXPECT_TRUE(found->has_value());
    EXPECT_EQ((*found)->fingerprint, "fingerprint-1");
    EXPECT_EQ((*found)->resource_name, "cohorts/fy2022/plans/plan-a");
    // Scopes are independent.
    auto other = tx.LookupRequestId("CreatePlan\x1fsub-2", "req-1");
    EXPECT_TRUE(other.ok());
    EXPECT_FALSE(other->has_value());
    return absl::OkStatus();
  });
  absl::Status status = store_->Write([](PlansTx& tx) {
    return tx.SaveRequestId("CreatePlan\x1fsub-1", "req-1",
                            {"fingerprint-2", "cohorts/fy2022/plans/plan-b"}, kNow);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
}

// --- revisions (etags) and transactions --------------------------------------

// Update methods bump the revision themselves, by exactly one per call.
TEST_F(PlansStoreTest, UpdatesBumpTheRevisionExactlyOnce) {
  PlanRecord plan = AddPlan("fy2022", "plan-a");
  FeedbackRecord feedback = MakeFeedback("fy2022", "plan-a", "f1");
  AddFeedback(&feedback);
  ASSERT_EQ(plan.revision, 1);
  ASSERT_EQ(feedback.revision, 1);

  MustWrite([&](PlansTx& tx) { return tx.UpdatePlan(&plan); });
  EXPECT_EQ(plan.revision, 2);
  MustWrite([&](PlansTx& tx) -> absl::Status {
    for (int i = 0; i < 3; ++i) {
      absl::Status s = tx.UpdatePlan(&plan);
      if (s.ok()) s = tx.UpdateFeedback(&feedback);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  });
  EXPECT_EQ(plan.revision, 5);
  EXPECT_EQ(feedback.revision, 4);
  MustRead([&](PlansTx& tx) -> absl::Status {
    auto p = tx.GetPlan("fy2022", "plan-a");
    auto f = tx.GetFeedback("fy2022", "plan-a", "f1");
    if (!p.ok()) return p.status();
    if (!f.ok()) return f.status();
    EXPECT_EQ(p->revision, 5);
    EXPECT_EQ(f->revision, 4);
    return absl::OkStatus();
  });

  // A rolled-back update leaves the stored revision where it was (the
  // caller's copy moved, but the transaction it belonged to did not commit).
  PlanRecord copy = plan;
  absl::Status status = store_->Write([&](PlansTx& tx) -> absl::Status {
    absl::Status s = tx.UpdatePlan(&copy);
    if (!s.ok()) return s;
    return errors::FailedPrecondition("TEST_ABORT", "changed my mind");
  });
  EXPECT_EQ(errors::Reason(status), "TEST_ABORT");
  std::optional<PlanRecord> stored = ReadPlan("fy2022", "plan-a");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->revision, 5);
}

TEST_F(PlansStoreTest, FailedWriteLeavesNothingBehind) {
  PlanRecord existing = AddPlan("fy2022", "existing");
  absl::Status status = store_->Write([&](PlansTx& tx) -> absl::Status {
    PlanRecord plan = MakePlan("fy2022", "plan-a");
    absl::Status s = tx.InsertPlan(&plan);
    if (s.ok()) s = tx.InsertRevision(MakeRevision("fy2022", "plan-a", 1));
    FeedbackRecord feedback = MakeFeedback("fy2022", "plan-a", "f1");
    if (s.ok()) s = tx.InsertFeedback(&feedback);
    PracticeRecord entry = MakePractice("fy2022", "plan-a", "e1", 2023, 1, 2);
    if (s.ok()) s = tx.InsertPracticeEntry(&entry);
    existing.plan.set_title("書き換え");
    if (s.ok()) s = tx.UpdatePlan(&existing);
    if (s.ok()) s = tx.SaveRequestId("CreatePlan", "req-1", {"fp", plan.plan.name()}, kNow);
    if (!s.ok()) return s;
    // Visible inside the transaction ...
    EXPECT_TRUE(tx.GetPlan("fy2022", "plan-a").ok());
    EXPECT_TRUE(tx.GetRevision("fy2022", "plan-a", 1).ok());
    return errors::FailedPrecondition("TEST_ABORT", "changed my mind");
  });
  EXPECT_EQ(errors::Reason(status), "TEST_ABORT") << status;

  // ... and gone after it.
  status = store_->Read([](PlansTx& tx) { return tx.GetPlan("fy2022", "plan-a").status(); });
  ExpectNotFound(status, "Plan", "cohorts/fy2022/plans/plan-a");
  EXPECT_THAT(ListPlanIds("fy2022", 0, 0), ElementsAre("existing"));
  std::optional<PlanRecord> kept = ReadPlan("fy2022", "existing");
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->revision, 1);
  EXPECT_EQ(kept->plan.title(), "窓口の待ち時間を半分にする計画");
  MustRead([](PlansTx& tx) -> absl::Status {
    EXPECT_FALSE(tx.LookupRequestId("CreatePlan", "req-1")->has_value());
    return absl::OkStatus();
  });

  // The ids are free again.
  AddPlan("fy2022", "plan-a");
  AddRevision(MakeRevision("fy2022", "plan-a", 1));
  EXPECT_THAT(ListRevisionNumbers("fy2022", "plan-a", 0, 0), ElementsAre(1));
  EXPECT_THAT(ListFeedbackIds("fy2022", "plan-a", 0, 0), ElementsAre());
  EXPECT_TRUE(ListPractice("fy2022", "plan-a", std::nullopt, 0).empty());
}

TEST_F(PlansStoreTest, ReadCannotWrite) {
  absl::Status status = store_->Read([](PlansTx& tx) {
    PlanRecord plan = MakePlan("fy2022", "plan-a");
    return tx.InsertPlan(&plan);
  });
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(ListPlanIds("fy2022", 0, 0), ElementsAre());
}

// --- file databases and concurrency ------------------------------------------

// Releases every waiting thread at once (no sleeps).
class StartGate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class PlansStoreFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dir = std::getenv("TEST_TMPDIR");
    ASSERT_NE(dir, nullptr);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    options_.path = absl::StrCat(dir, "/", info->name(), ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove(absl::StrCat(options_.path, suffix).c_str());
    }
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<PlansStore> OpenStore() {
    auto store = PlansStore::Open(options_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  // CommitRevision's shape: read the plan, add revision latest + 1, update
  // the plan. Returns the number it committed.
  static absl::Status CommitNext(PlansStore& store, const std::string& author,
                                 int64_t* committed) {
    return store.Write([&](PlansTx& tx) -> absl::Status {
      auto plan = tx.GetPlan("fy2022", "plan-a");
      if (!plan.ok()) return plan.status();
      const int64_t number = plan->plan.latest_revision() + 1;
      RevisionRecord revision = MakeRevision("fy2022", "plan-a", number);
      revision.revision.set_author(author);
      absl::Status s = tx.InsertRevision(revision);
      if (!s.ok()) return s;
      plan->plan.set_latest_revision(number);
      s = tx.UpdatePlan(&*plan);
      if (!s.ok()) return s;
      *committed = number;
      return absl::OkStatus();
    });
  }

  // plan-a's revision numbers, newest first.
  std::vector<int64_t> ListRevisions() {
    std::vector<int64_t> numbers;
    absl::Status status = store_->Read([&](PlansTx& tx) -> absl::Status {
      auto list = tx.ListRevisions("fy2022", "plan-a", 0, 0);
      if (!list.ok()) return list.status();
      for (const RevisionRecord& r : *list) numbers.push_back(r.number);
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    return numbers;
  }

  storage::DatabaseOptions options_;
  std::unique_ptr<PlansStore> store_;
};

TEST_F(PlansStoreFileTest, SurvivesReopen) {
  PlanRecord plan = MakePlan("fy2022", "plan-a");
  ASSERT_TRUE(store_->Write([&](PlansTx& tx) { return tx.InsertPlan(&plan); }).ok());
  store_.reset();
  store_ = OpenStore();  // the migration is not applied twice
  ASSERT_NE(store_, nullptr);
  ASSERT_TRUE(store_
                  ->Read([&](PlansTx& tx) -> absl::Status {
                    auto got = tx.GetPlan("fy2022", "plan-a");
                    if (!got.ok()) return got.status();
                    EXPECT_EQ(got->seq, plan.seq);
                    EXPECT_EQ(got->plan.draft().vision(), kVision);
                    return absl::OkStatus();
                  })
                  .ok());
}

// Two read-modify-writes of one plan at once: Write serialises them, so both
// commit, each sees the other's result, and the plan moved exactly twice.
TEST_F(PlansStoreFileTest, ConcurrentReadModifyWritesSerialise) {
  PlanRecord plan = MakePlan("fy2022", "plan-a");
  ASSERT_TRUE(store_->Write([&](PlansTx& tx) { return tx.InsertPlan(&plan); }).ok());
  const int64_t start = plan.revision;

  StartGate gate;
  absl::Status status[2];
  int64_t committed[2] = {0, 0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      gate.Wait();
      status[i] = CommitNext(*store_, absl::StrCat("author-", i), &committed[i]);
    });
  }
  gate.Open();
  for (std::thread& t : threads) t.join();

  ASSERT_TRUE(status[0].ok()) << status[0];
  ASSERT_TRUE(status[1].ok()) << status[1];
  EXPECT_THAT((std::vector<int64_t>{committed[0], committed[1]}), UnorderedElementsAre(1, 2));
  ASSERT_TRUE(store_
                  ->Read([&](PlansTx& tx) -> absl::Status {
                    auto got = tx.GetPlan("fy2022", "plan-a");
                    if (!got.ok()) return got.status();
                    EXPECT_EQ(got->revision, start + 2);
                    EXPECT_EQ(got->plan.latest_revision(), 2);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(ListRevisions(), (std::vector<int64_t>{2, 1}));
}

// The same through two stores (two writer connections) on one file: the
// serialisation then comes from BEGIN IMMEDIATE, not the in-process mutex.
TEST_F(PlansStoreFileTest, ReadModifyWritesSerialiseAcrossConnections) {
  std::unique_ptr<PlansStore> second = OpenStore();
  ASSERT_NE(second, nullptr);
  PlanRecord plan = MakePlan("fy2022", "plan-a");
  ASSERT_TRUE(store_->Write([&](PlansTx& tx) { return tx.InsertPlan(&plan); }).ok());
  const int64_t start = plan.revision;

  constexpr int kRounds = 10;
  StartGate gate;
  absl::Status status[2];
  std::vector<std::thread> threads;
  PlansStore* stores[2] = {store_.get(), second.get()};
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      gate.Wait();
      for (int round = 0; round < kRounds && status[i].ok(); ++round) {
        int64_t committed = 0;
        status[i] = CommitNext(*stores[i], absl::StrCat("author-", i), &committed);
      }
    });
  }
  gate.Open();
  for (std::thread& t : threads) t.join();

  ASSERT_TRUE(status[0].ok()) << status[0];
  ASSERT_TRUE(status[1].ok()) << status[1];
  ASSERT_TRUE(second
                  ->Read([&](PlansTx& tx) -> absl::Status {
                    auto got = tx.GetPlan("fy2022", "plan-a");
                    if (!got.ok()) return got.status();
                    EXPECT_EQ(got->revision, start + 2 * kRounds);
                    EXPECT_EQ(got->plan.latest_revision(), 2 * kRounds);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(ListRevisions().size(), 2u * kRounds);
}

// Two writers that both decided (outside any transaction) to commit revision
// 1: exactly one wins, the other gets ALREADY_EXISTS and its plan update is
// rolled back with it.
TEST_F(PlansStoreFileTest, ConcurrentInsertsOfOneRevisionNumberOneWins) {
  PlanRecord plan = MakePlan("fy2022", "plan-a");
  ASSERT_TRUE(store_->Write([&](PlansTx& tx) { return tx.InsertPlan(&plan); }).ok());
  std::unique_ptr<PlansStore> second = OpenStore();
  ASSERT_NE(second, nullptr);

  StartGate gate;
  absl::Status status[2];
  PlansStore* stores[2] = {store_.get(), second.get()};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      gate.Wait();
      status[i] = stores[i]->Write([&](PlansTx& tx) -> absl::Status {
        RevisionRecord revision = MakeRevision("fy2022", "plan-a", 1);
        revision.revision.set_author(absl::StrCat("author-", i));
        absl::Status s = tx.InsertRevision(revision);
        if (!s.ok()) return s;
        PlanRecord copy = plan;
        copy.plan.set_latest_revision(1);
        return tx.UpdatePlan(&copy);
      });
    });
  }
  gate.Open();
  for (std::thread& t : threads) t.join();

  ASSERT_NE(status[0].ok(), status[1].ok()) << status[0] << " / " << status[1];
  const int winner = status[0].ok() ? 0 : 1;
  ExpectAlreadyExists(status[1 - winner], "Revision",
                      "cohorts/fy2022/plans/plan-a/revisions/r1");
  ASSERT_TRUE(store_
                  ->Read([&](PlansTx& tx) -> absl::Status {
                    auto got = tx.GetPlan("fy2022", "plan-a");
                    if (!got.ok()) return got.status();
                    EXPECT_EQ(got->revision, plan.revision + 1);
                    auto revision = tx.GetRevision("fy2022", "plan-a", 1);
                    if (!revision.ok()) return revision.status();
                    EXPECT_EQ(revision->revision.author(), absl::StrCat("author-", winner));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(ListRevisions(), (std::vector<int64_t>{1}));
}

// A purge recorded at schema 2 (no counts) opens at schema 3 with its time
// and no counts; recording it again fills the counts in and keeps the first
// time; after that the counts stay those of the first record.
TEST(PlansStoreSchemaTest, PurgeMarksFromSchema2GetTheirCountsOnce) {
  const char* dir = std::getenv("TEST_TMPDIR");
  ASSERT_NE(dir, nullptr);
  storage::DatabaseOptions options;
  options.path = absl::StrCat(dir, "/plans_v2.db");
  options.init = true;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove(absl::StrCat(options.path, suffix).c_str());
  }
  const absl::Time first = absl::FromUnixSeconds(1700000000);
  {
    auto v2 = storage::Database::Open(
        options, {PlansStore::Migrations()[0], PlansStore::Migrations()[1]});
    ASSERT_TRUE(v2.ok()) << v2.status();
    ASSERT_TRUE((*v2)->RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                       SQLite::Statement insert(
                           db, "INSERT INTO purges (cohort_id, participant, purge_time) "
                               "VALUES ('fy2022', '', ?1)");
                       insert.bind(1, static_cast<int64_t>(absl::ToUnixMicros(first)));
                       insert.exec();
                       return absl::OkStatus();
                     }).ok());
  }
  auto store = PlansStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  const PurgeCounts counts = {{"plans", 2}, {"revisions", 0}};
  ASSERT_TRUE((*store)->Write([&](PlansTx& tx) -> absl::Status {
                 auto legacy = tx.GetPurge("fy2022", "");
                 EXPECT_TRUE(legacy.ok() && legacy->has_value());
                 EXPECT_EQ((*legacy)->complete_time, first);
                 EXPECT_FALSE((*legacy)->has_counts);
                 EXPECT_FALSE(tx.GetPurge("fy2022", "cohorts/fy2022/participants/p1")->has_value());
                 RETURN_IF_ERROR(tx.MarkPurged("fy2022", "", first + absl::Hours(1), counts));
                 return tx.MarkPurged("fy2022", "", first + absl::Hours(2), {{"plans", 9}});
               }).ok());
  ASSERT_TRUE((*store)->Read([&](PlansTx& tx) -> absl::Status {
                 auto filled = tx.GetPurge("fy2022", "");
                 EXPECT_TRUE(filled.ok() && filled->has_value());
                 EXPECT_EQ((*filled)->complete_time, first);
                 EXPECT_TRUE((*filled)->has_counts);
                 EXPECT_EQ((*filled)->counts, counts);
                 return absl::OkStatus();
               }).ok());
}

}  // namespace
}  // namespace kaizen::plans
