#include "services/enrollment/enrollment_store.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <cstdio>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment {
namespace enrollment_store_test {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1656633600);  // 2022-07-01Z

CohortRecord MakeCohort(const std::string& id,
                        v1::Cohort::State state = v1::Cohort::OPEN) {
  CohortRecord record;
  record.id = id;
  record.revision = 1;
  record.cohort.set_name(absl::StrCat("cohorts/", id));
  record.cohort.set_title("2022年度 次世代改善リーダー事例研究会");
  record.cohort.set_capacity(30);
  record.cohort.set_state(state);
  return record;
}

ApplicationRecord MakeApplication(const std::string& cohort_id,
                                  const std::string& id,
                                  const std::string& municipality = "242047",
                                  int priority = 0,
                                  v1::Application::State state =
                                      v1::Application::WAITLISTED) {
  ApplicationRecord record;
  record.cohort_id = cohort_id;
  record.id = id;
  record.revision = 1;
  v1::Application& a = record.application;
  a.set_name(absl::StrCat("cohorts/", cohort_id, "/applications/", id));
  a.set_state(state);
  a.set_priority(priority);
  a.set_municipality_code(municipality);
  v1::Applicant* member = a.add_members();
  member->set_display_name("山田 太郎");
  member->set_kana("やまだ たろう");
  member->set_municipality_code(municipality);
  member->set_department("総務部 行政改革課");
  return record;
}

ParticipantRecord MakeParticipant(
    const std::string& cohort_id, const std::string& id,
    v1::Participant::Role role = v1::Participant::PARTICIPANT,
    const std::string& municipality = "242047",
    v1::Participant::State state = v1::Participant::ACTIVE) {
  ParticipantRecord record;
  record.cohort_id = cohort_id;
  record.id = id;
  record.revision = 1;
  v1::Participant& p = record.participant;
  p.set_name(absl::StrCat("cohorts/", cohort_id, "/participants/", id));
  p.set_display_name("佐藤 花子");
  p.set_kana("さとう はなこ");
  p.set_role(role);
  p.set_state(state);
  p.set_municipality_code(municipality);
  p.set_subject(absl::StrCat("sub-", id));
  return record;
}

template <typename Record>
std::vector<std::string> Ids(const std::vector<Record>& records) {
  std::vector<std::string> ids;
  for (const auto& r : records) ids.push_back(r.id);
  return ids;
}

void ExpectNotFound(const absl::Status& status, const std::string& type,
                    const std::string& name) {
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_EQ(errors::Reason(status), "NOT_FOUND") << status;
  auto resource = errors::GetResourceInfo(status);
  ASSERT_TRUE(resource.has_value()) << status;
  EXPECT_EQ(resource->resource_type(), type);
  EXPECT_EQ(resource->resource_name(), name);
}

class EnrollmentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Runs `fn` in a write transaction and expects it to commit.
  void MustWrite(const std::function<absl::Status(EnrollmentTx&)>& fn) {
    absl::Status status = store_->Write(fn);
    ASSERT_TRUE(status.ok()) << status;
  }

  void AddCohort(CohortRecord* record) {
    MustWrite([&](EnrollmentTx& tx) { return tx.InsertCohort(record); });
  }
  void AddApplication(ApplicationRecord* record) {
    MustWrite([&](EnrollmentTx& tx) { return tx.InsertApplication(record); });
  }
  void AddParticipant(ParticipantRecord* record) {
    MustWrite([&](EnrollmentTx& tx) { return tx.InsertParticipant(record); });
  }

  std::vector<std::string> ListApplicationIds(
      const std::string& cohort_id, const ApplicationFilter& filter = {},
      std::optional<QueuePosition> after = std::nullopt, int limit = 0) {
    std::vector<std::string> ids;
    absl::Status status = store_->Read([&](EnrollmentTx& tx) -> absl::Status {
      auto list = tx.ListApplications(cohort_id, filter, after, limit);
      if (!list.ok()) return list.status();
      ids = Ids(*list);
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    return ids;
  }

  std::vector<std::string> ListParticipantIds(
      const std::string& cohort_id, const ParticipantFilter& filter = {},
      int64_t after_seq = 0, int limit = 0) {
    std::vector<std::string> ids;
    absl::Status status = store_->Read([&](EnrollmentTx& tx) -> absl::Status {
      auto list = tx.ListParticipants(cohort_id, filter, after_seq, limit);
      if (!list.ok()) return list.status();
      ids = Ids(*list);
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    return ids;
  }

  std::vector<std::string> ListCohortIds(std::optional<v1::Cohort::State> state,
                                         int64_t before_seq, int limit) {
    std::vector<std::string> ids;
    absl::Status status = store_->Read([&](EnrollmentTx& tx) -> absl::Status {
      auto list = tx.ListCohorts(state, before_seq, limit);
      if (!list.ok()) return list.status();
      ids = Ids(*list);
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    return ids;
  }

  std::unique_ptr<EnrollmentStore> store_;
};

TEST(EnrollmentStoreSchemaTest, ThreeMigrations) {
  // 1: the tables; 2: claim links, by-account indexes, applications.submitter;
  // 3: purge reports (purge_report_sql.h); 4: provision records
  // (provision_sql.h); 5: the category of feed entries (change_feed_sql.h);
  // 6: provision records cannot be replaced (provision_sql.h); ...; 11: the
  // seat counters (usage_sql.h, tested in usage_counters_test and
  // usage_triggers_test); 12: offer deadlines indexed (application_sql.h);
  // 13: applications by state, the staff partial index (hot_queries_test);
  // 14: the waiting-list counters (usage_sql.h, usage_triggers_test);
  // every migration's text is pinned in enrollment_schema_test.
  EXPECT_EQ(EnrollmentStore::Migrations().size(), 14u);
}

// A database written at schema 1 (before applications had a submitter
// column) opens at schema 2 with every application findable by submitter.
TEST(EnrollmentStoreSchemaTest, UpgradeBackfillsSubmitters) {
  const std::string path = ::testing::TempDir() + "/enrollment_v1.db";
  std::remove(path.c_str());
  storage::DatabaseOptions options;
  options.path = path;
  options.init = true;
  {
    auto v1_db = storage::Database::Open(options, {EnrollmentStore::Migrations()[0]});
    ASSERT_TRUE(v1_db.ok()) << v1_db.status();
    ApplicationRecord app = MakeApplication("fy2022", "a1");
    app.application.set_submitter("old-account");
    ASSERT_TRUE((*v1_db)
                    ->RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                      db.exec("INSERT INTO cohorts (id, state, revision, data) "
                              "VALUES ('fy2022', 2, 1, x'')");
                      SQLite::Statement insert(
                          db,
                          "INSERT INTO applications (cohort_id, id, state, "
                          "municipality_code, priority, revision, data) "
                          "VALUES ('fy2022', 'a1', 3, '242047', 0, 1, ?1)");
                      const std::string data = app.application.SerializeAsString();
                      insert.bind(1, data.data(), static_cast<int>(data.size()));
                      insert.exec();
                      return absl::OkStatus();
                    })
                    .ok());
  }
  auto store = EnrollmentStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)
                  ->Read([&](EnrollmentTx& tx) -> absl::Status {
                    auto mine = tx.ListApplicationsBySubmitter("old-account");
                    EXPECT_TRUE(mine.ok());
                    EXPECT_EQ(mine->size(), 1u);
                    EXPECT_TRUE(tx.ListApplicationsBySubmitter("")->empty());
                    return absl::OkStatus();
                  })
                  .ok());
}

int PageSize(EnrollmentStore& store) {
  int size = -1;
  EXPECT_TRUE(store.database()
                  .RunReadOnly([&](SQLite::Database& c) {
                    size = c.execAndGet("PRAGMA page_size").getInt();
                    return absl::OkStatus();
                  })
                  .ok());
  return size;
}

// A new enrollment database is written with 2 KiB pages (a create lands on
// many random index leaves: smaller pages, fewer bytes per create); one
// written before keeps its 4 KiB pages and opens as before.
TEST(EnrollmentStoreSchemaTest, NewFilesGetSmallPagesOldOnesKeepTheirs) {
  const std::string fresh = ::testing::TempDir() + "/enrollment_pages_new.db";
  const std::string old = ::testing::TempDir() + "/enrollment_pages_old.db";
  for (const std::string& path : {fresh, old}) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  }
  storage::DatabaseOptions options;
  options.init = true;
  options.path = fresh;
  auto store = EnrollmentStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(PageSize(**store), EnrollmentStore::kPageSize);
  options.path = old;
  ASSERT_TRUE(storage::Database::Open(options, {EnrollmentStore::Migrations()[0]}).ok());
  auto upgraded = EnrollmentStore::Open(options);
  ASSERT_TRUE(upgraded.ok()) << upgraded.status();
  EXPECT_EQ(PageSize(**upgraded), 4096);
}

TEST_F(EnrollmentStoreTest, ClaimLinksStoreRedeemAndRevoke) {
  ClaimLinkRecord link;
  link.token_hash = "hash-1";
  link.cohort_id = "fy2022";
  link.participant_id = "p1";
  link.issued_by = "secretariat-1";
  link.create_time = kNow;
  link.expire_time = kNow + absl::Hours(1);
  ClaimLinkRecord second = link;
  second.token_hash = "hash-2";
  ASSERT_TRUE(store_
                  ->Write([&](EnrollmentTx& tx) -> absl::Status {
                    EXPECT_TRUE(tx.InsertClaimLink(link).ok());
                    // The same hash twice never overwrites a link.
                    EXPECT_EQ(tx.InsertClaimLink(link).code(),
                              absl::StatusCode::kAlreadyExists);
                    EXPECT_TRUE(tx.RevokeClaimLinks("fy2022", "p1").ok());
                    EXPECT_TRUE(tx.InsertClaimLink(second).ok());
                    second.redeem_time = kNow;
                    second.redeemed_by = "mate";
                    EXPECT_TRUE(tx.MarkClaimLinkRedeemed(second).ok());
                    // Single use even without the caller's check.
                    EXPECT_FALSE(tx.MarkClaimLinkRedeemed(second).ok());
                    // A reissue revokes only unredeemed links.
                    EXPECT_TRUE(tx.RevokeClaimLinks("fy2022", "p1").ok());
                    return absl::OkStatus();
                  })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](EnrollmentTx& tx) -> absl::Status {
                    auto first = tx.GetClaimLink("hash-1");
                    EXPECT_TRUE(first.ok() && first->has_value() && (*first)->revoked);
                    auto used = tx.GetClaimLink("hash-2");
                    EXPECT_TRUE(used.ok() && used->has_value());
                    EXPECT_FALSE((*used)->revoked);
                    EXPECT_EQ((*used)->redeemed_by, "mate");
                    EXPECT_EQ((*used)->redeem_time, kNow);
                    EXPECT_EQ((*used)->expire_time, kNow + absl::Hours(1));
                    EXPECT_FALSE(tx.GetClaimLink("hash-3")->has_value());
                    return absl::OkStatus();
                  })
                  .ok());
}

// --- cohorts -----------------------------------------------------------------

TEST_F(EnrollmentStoreTest, CohortInsertGetUpdate) {
  CohortRecord first = MakeCohort("fy2022", v1::Cohort::DRAFT);
  first.cohort.set_etag("etag-1");
  first.cohort.set_seats_taken(7);
  first.cohort.set_municipalities_taken(3);
  AddCohort(&first);
  EXPECT_GT(first.seq, 0);
  CohortRecord second = MakeCohort("fy2023");
  AddCohort(&second);
  EXPECT_GT(second.seq, first.seq);

  ASSERT_TRUE(store_
                  ->Read([&](EnrollmentTx& tx) -> absl::Status {
                    auto got = tx.GetCohort("fy2022");
                    EXPECT_TRUE(got.ok()) << got.status();
                    if (!got.ok()) return got.status();
                    EXPECT_EQ(got->id, "fy2022");
                    EXPECT_EQ(got->seq, first.seq);
                    EXPECT_EQ(got->revision, 1);
                    EXPECT_EQ(got->cohort.title(),
                              "2022年度 次世代改善リーダー事例研究会");
                    EXPECT_EQ(got->cohort.state(), v1::Cohort::DRAFT);
                    EXPECT_EQ(got->cohort.etag(), "");
                    EXPECT_EQ(got->cohort.seats_taken(), 0);
                    EXPECT_EQ(got->cohort.municipalities_taken(), 0);
                    return absl::OkStatus();
                  })
                  .ok());

  CohortRecord updated = first;
  updated.cohort.set_state(v1::Cohort::OPEN);
  updated.cohort.set_title("改題 研究会");
  MustWrite([&](EnrollmentTx& tx) { return tx.UpdateCohort(&updated); });
  EXPECT_EQ(updated.revision, 2);

  ASSERT_TRUE(store_
                  ->Read([&](EnrollmentTx& tx) -> absl::Status {
                    auto got = tx.GetCohort("fy2022");
                    if (!got.ok()) return got.status();
                    EXPECT_EQ(got->seq, first.seq);
                    EXPECT_EQ(got->revision, 2);
                    EXPECT_EQ(got->cohort.title(), "改題 研究会");
                    EXPECT_EQ(got->cohort.state(), v1::Cohort::OPEN);
                    return absl::OkStatus();
                  })
                  .ok());
  // The state column follows the proto.
  EXPECT_THAT(ListCohortIds(v1::Cohort::OPEN, 0, 10),
              ElementsAre("fy2023", "fy2022"));
  EXPECT_THAT(ListCohortIds(v1::Cohort::DRAFT, 0, 10), ElementsAre());
}

// A write's mails name the cohort's title as the transaction last read or
// wrote it, and a missing cohort is NOT_FOUND as from GetCohort.
TEST_F(EnrollmentStoreTest, CohortTitleFollowsTheTransaction) {
  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto title = tx.GetCohortTitle("fy2022");  // nothing read yet
    EXPECT_TRUE(title.ok()) << title.status();
    EXPECT_EQ(title.value_or(""), "2022年度 次世代改善リーダー事例研究会");
    auto read = tx.GetCohort("fy2022");
    if (!read.ok()) return read.status();
    read->cohort.set_title("改題 研究会");
    if (absl::Status s = tx.UpdateCohort(&*read); !s.ok()) return s;
    EXPECT_EQ(tx.GetCohortTitle("fy2022").value_or(""), "改題 研究会");
    ExpectNotFound(tx.GetCohortTitle("nope").status(), "Cohort", "cohorts/nope");
    return absl::OkStatus();
  });
  // A failed write leaves the stored title; the next transaction reads it.
  absl::Status failed = store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    auto read = tx.GetCohort("fy2022");
    if (!read.ok()) return read.status();
    read->cohort.set_title("取り消される題");
    if (absl::Status s = tx.UpdateCohort(&*read); !s.ok()) return s;
    return absl::AbortedError("rolled back");
  });
  EXPECT_TRUE(absl::IsAborted(failed)) << failed;
  ASSERT_TRUE(store_
                  ->Read([&](EnrollmentTx& tx) -> absl::Status {
                    EXPECT_EQ(tx.GetCohortTitle("fy2022").value_or(""), "改題 研究会");
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(EnrollmentStoreTest, CohortMissesAndDuplicates) {
  absl::Status status = store_->Read([](EnrollmentTx& tx) {
    return tx.GetCohort("nope").status();
  });
  ExpectNotFound(status, "Cohort", "cohorts/nope");

  CohortRecord missing = MakeCohort("nope");
  status = store_->Write([&](EnrollmentTx& tx) {
    return tx.UpdateCohort(&missing);
  });
  ExpectNotFound(status, "Cohort", "cohorts/nope");
  EXPECT_EQ(missing.revision, 1);  // a failed update bumps nothing

  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  CohortRecord again = MakeCohort("fy2022");
  status = store_->Write([&](EnrollmentTx& tx) {
    return tx.InsertCohort(&again);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(errors::Reason(status), "ALREADY_EXISTS");
  auto resource = errors::GetResourceInfo(status);
  ASSERT_TRUE(resource.has_value()) << status;
  EXPECT_EQ(resource->resource_type(), "Cohort");
  EXPECT_EQ(resource->resource_name(), "cohorts/fy2022");
}

TEST_F(EnrollmentStoreTest, ListCohortsNewestFirstWithPagingAndState) {
  std::vector<CohortRecord> cohorts = {
      MakeCohort("c1", v1::Cohort::FINISHED), MakeCohort("c2"),
      MakeCohort("c3", v1::Cohort::DRAFT), MakeCohort("c4"),
      MakeCohort("c5")};
  for (auto& c : cohorts) AddCohort(&c);

  EXPECT_THAT(ListCohortIds(std::nullopt, 0, 2), ElementsAre("c5", "c4"));
  EXPECT_THAT(ListCohortIds(std::nullopt, cohorts[3].seq, 2),
              ElementsAre("c3", "c2"));
  EXPECT_THAT(ListCohortIds(std::nullopt, cohorts[1].seq, 2),
              ElementsAre("c1"));
  EXPECT_THAT(ListCohortIds(std::nullopt, cohorts[0].seq, 2), ElementsAre());
  EXPECT_THAT(ListCohortIds(v1::Cohort::OPEN, 0, 10),
              ElementsAre("c5", "c4", "c2"));
  EXPECT_THAT(ListCohortIds(v1::Cohort::OPEN, cohorts[4].seq, 1),
              ElementsAre("c4"));
}

// --- applications ------------------------------------------------------------

TEST_F(EnrollmentStoreTest, ApplicationInsertGetUpdate) {
  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  ApplicationRecord first = MakeApplication("fy2022", "a1");
  first.application.set_access_token("secret-token");
  first.application.set_etag("etag");
  first.application.set_waitlist_position(4);
  AddApplication(&first);
  ApplicationRecord second = MakeApplication("fy2022", "a2");
  AddApplication(&second);
  EXPECT_GT(first.seq, 0);
  EXPECT_GT(second.seq, first.seq);

  ApplicationRecord got;
  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto record = tx.GetApplication("fy2022", "a1");
    if (!record.ok()) return record.status();
    got = *std::move(record);
    return absl::OkStatus();
  });
  EXPECT_EQ(got.cohort_id, "fy2022");
  EXPECT_EQ(got.id, "a1");
  EXPECT_EQ(got.seq, first.seq);
  EXPECT_EQ(got.application.access_token(), "");
  EXPECT_EQ(got.application.etag(), "");
  EXPECT_EQ(got.application.waitlist_position(), 0);
  ASSERT_EQ(got.application.members_size(), 1);
  EXPECT_EQ(got.application.members(0).display_name(), "山田 太郎");

  got.application.set_state(v1::Application::ACCEPTED);
  got.application.set_priority(5);
  got.application.set_municipality_code("131016");
  MustWrite([&](EnrollmentTx& tx) { return tx.UpdateApplication(&got); });
  EXPECT_EQ(got.revision, 2);

  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto record = tx.GetApplication("fy2022", "a1");
    if (!record.ok()) return record.status();
    EXPECT_EQ(record->seq, first.seq);
    EXPECT_EQ(record->revision, 2);
    EXPECT_EQ(record->application.state(), v1::Application::ACCEPTED);
    return absl::OkStatus();
  });
  // The index columns were rewritten from the proto.
  ApplicationFilter in_chiyoda;
  in_chiyoda.municipality_code = "131016";
  EXPECT_THAT(ListApplicationIds("fy2022", in_chiyoda), ElementsAre("a1"));
  EXPECT_THAT(ListApplicationIds("fy2022"), ElementsAre("a1", "a2"));
}

TEST_F(EnrollmentStoreTest, ApplicationMissesAndDuplicates) {
  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  absl::Status status = store_->Read([](EnrollmentTx& tx) {
    return tx.GetApplication("fy2022", "nope").status();
  });
  ExpectNotFound(status, "Application", "cohorts/fy2022/applications/nope");

  ApplicationRecord missing = MakeApplication("fy2022", "nope");
  status = store_->Write([&](EnrollmentTx& tx) {
    return tx.UpdateApplication(&missing);
  });
  ExpectNotFound(status, "Application", "cohorts/fy2022/applications/nope");
  EXPECT_EQ(missing.revision, 1);

  ApplicationRecord a = MakeApplication("fy2022", "a1");
  AddApplication(&a);
  ApplicationRecord again = MakeApplication("fy2022", "a1");
  status = store_->Write([&](EnrollmentTx& tx) {
    return tx.InsertApplication(&again);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  auto resource = errors::GetResourceInfo(status);
  ASSERT_TRUE(resource.has_value()) << status;
  EXPECT_EQ(resource->resource_type(), "Application");
  EXPECT_EQ(resource->resource_name(), "cohorts/fy2022/applications/a1");

  // The same id in another cohort is a different application.
  CohortRecord other = MakeCohort("fy2023");
  AddCohort(&other);
  ApplicationRecord elsewhere = MakeApplication("fy2023", "a1");
  AddApplication(&elsewhere);

  // An application needs its cohort.
  ApplicationRecord orphan = MakeApplication("missing", "a1");
  status = store_->Write([&](EnrollmentTx& tx) {
    return tx.InsertApplication(&orphan);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST_F(EnrollmentStoreTest, ListApplicationsInQueueOrderWithCursor) {
  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  CohortRecord other = MakeCohort("other");
  AddCohort(&other);
  // Arrival order a1..a6; priorities put a3 and a5 first.
  std::vector<ApplicationRecord> apps = {
      MakeApplication("fy2022", "a1", "242047", 0),
      MakeApplication("fy2022", "a2", "131016", 0),
      MakeApplication("fy2022", "a3", "242047", 10),
      MakeApplication("fy2022", "a4", "242047", -5),
      MakeApplication("fy2022", "a5", "131016", 10,
                      v1::Application::ACCEPTED),
      MakeApplication("fy2022", "a6", "242047", 0,
                      v1::Application::ACCEPTED),
      MakeApplication("other", "x1", "242047", 100),
  };
  for (auto& a : apps) AddApplication(&a);

  EXPECT_THAT(ListApplicationIds("fy2022"),
              ElementsAre("a3", "a5", "a1", "a2", "a6", "a4"));

  // Paging: each page resumes strictly after the last position.
  auto position = [](const ApplicationRecord& a) {
    return QueuePosition{a.application.priority(), a.seq};
  };
  EXPECT_THAT(ListApplicationIds("fy2022", {}, std::nullopt, 2),
              ElementsAre("a3", "a5"));
  EXPECT_THAT(ListApplicationIds("fy2022", {}, position(apps[4]), 2),
              ElementsAre("a1", "a2"));
  EXPECT_THAT(ListApplicationIds("fy2022", {}, position(apps[1]), 2),
              ElementsAre("a6", "a4"));
  EXPECT_THAT(ListApplicationIds("fy2022", {}, position(apps[3]), 2),
              ElementsAre());
  // Within the same priority, only later arrivals follow.
  EXPECT_THAT(ListApplicationIds("fy2022", {}, position(apps[2])),
              ElementsAre("a5", "a1", "a2", "a6", "a4"));

  ApplicationFilter waiting;
  waiting.state = v1::Application::WAITLISTED;
  EXPECT_THAT(ListApplicationIds("fy2022", waiting),
              ElementsAre("a3", "a1", "a2", "a4"));
  EXPECT_THAT(ListApplicationIds("fy2022", waiting, position(apps[0])),
              ElementsAre("a2", "a4"));

  ApplicationFilter matsusaka;
  matsusaka.municipality_code = "242047";
  EXPECT_THAT(ListApplicationIds("fy2022", matsusaka),
              ElementsAre("a3", "a1", "a6", "a4"));

  ApplicationFilter both = waiting;
  both.municipality_code = "131016";
  EXPECT_THAT(ListApplicationIds("fy2022", both), ElementsAre("a2"));

  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto waitlisted = tx.CountApplications("fy2022", v1::Application::WAITLISTED);
    auto accepted = tx.CountApplications("fy2022", v1::Application::ACCEPTED);
    auto offered = tx.CountApplications("fy2022", v1::Application::OFFERED);
    auto elsewhere = tx.CountApplications("other", v1::Application::WAITLISTED);
    EXPECT_EQ(*waitlisted, 4);
    EXPECT_EQ(*accepted, 2);
    EXPECT_EQ(*offered, 0);
    EXPECT_EQ(*elsewhere, 1);
    // The trigger-kept counters agree with the counts.
    EXPECT_EQ(*tx.CountWaiting("fy2022"), 4);
    EXPECT_EQ(*tx.CountWaiting("other"), 1);
    EXPECT_EQ(*tx.CountWaiting("nobody-waits-here"), 0);
    return absl::OkStatus();
  });
}

TEST_F(EnrollmentStoreTest, ReserveEmailsRejectsAnotherApplicationsKey) {
  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  CohortRecord other = MakeCohort("fy2023");
  AddCohort(&other);

  MustWrite([](EnrollmentTx& tx) {
    return tx.ReserveEmails("fy2022", "a1", {"key-taro", "key-hanako"});
  });
  // Re-reserving one's own keys (and a new one) is fine.
  MustWrite([](EnrollmentTx& tx) {
    return tx.ReserveEmails("fy2022", "a1",
                            {"key-taro", "key-jiro", "key-jiro"});
  });
  // Another cohort has its own keys.
  MustWrite([](EnrollmentTx& tx) {
    return tx.ReserveEmails("fy2023", "b1", {"key-taro"});
  });

  absl::Status status = store_->Write([](EnrollmentTx& tx) {
    return tx.ReserveEmails("fy2022", "a2", {"key-new", "key-hanako"});
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(errors::Reason(status), "DUPLICATE_APPLICANT");
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("key-hanako")));
  // Nor the holder: anonymous callers could otherwise probe who applied.
  EXPECT_FALSE(errors::GetResourceInfo(status).has_value()) << status;
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("a1")));

  // A conflict reserves nothing, even when the caller commits anyway.
  MustWrite([](EnrollmentTx& tx) {
    EXPECT_FALSE(
        tx.ReserveEmails("fy2022", "a2", {"key-new", "key-taro"}).ok());
    return absl::OkStatus();
  });
  MustWrite([](EnrollmentTx& tx) {
    return tx.ReserveEmails("fy2022", "a3", {"key-new"});
  });
  // One key (inserted first, the holder read only on a clash): one's own
  // key again is fine, another's is refused and changes nothing.
  MustWrite([](EnrollmentTx& tx) { return tx.ReserveEmails("fy2022", "a3", {"key-new"}); });
  MustWrite([](EnrollmentTx& tx) {
    absl::Status clash = tx.ReserveEmails("fy2022", "a4", {"key-new"});
    EXPECT_EQ(errors::Reason(clash), "DUPLICATE_APPLICANT") << clash;
    return absl::OkStatus();
  });
  MustWrite([](EnrollmentTx& tx) {
    auto holder = tx.EmailHolder("fy2022", "key-new");
    EXPECT_TRUE(holder.ok()) << holder.status();
    if (holder.ok()) EXPECT_EQ(holder->value_or(""), "a3");
    return absl::OkStatus();
  });

  MustWrite([](EnrollmentTx& tx) { return tx.ReleaseEmails("fy2022", "a1"); });
  MustWrite([](EnrollmentTx& tx) {
    return tx.ReserveEmails("fy2022", "a2", {"key-hanako", "key-taro"});
  });
  status = store_->Write([](EnrollmentTx& tx) {
    return tx.ReserveEmails("fy2022", "a1", {"key-taro"});
  });
  EXPECT_EQ(errors::Reason(status), "DUPLICATE_APPLICANT") << status;
}

// --- participants ------------------------------------------------------------

TEST_F(EnrollmentStoreTest, ParticipantInsertGetUpdate) {
  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  ParticipantRecord p = MakeParticipant("fy2022", "p1");
  p.participant.set_etag("etag");
  AddParticipant(&p);
  EXPECT_GT(p.seq, 0);

  ParticipantRecord got;
  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto record = tx.GetParticipant("fy2022", "p1");
    if (!record.ok()) return record.status();
    got = *std::move(record);
    return absl::OkStatus();
  });
  EXPECT_EQ(got.seq, p.seq);
  EXPECT_EQ(got.cohort_id, "fy2022");
  EXPECT_EQ(got.id, "p1");
  EXPECT_EQ(got.participant.display_name(), "佐藤 花子");
  EXPECT_EQ(got.participant.etag(), "");

  got.participant.set_state(v1::Participant::CANCELLED);
  MustWrite([&](EnrollmentTx& tx) { return tx.UpdateParticipant(&got); });
  EXPECT_EQ(got.revision, 2);
  ParticipantFilter cancelled;
  cancelled.state = v1::Participant::CANCELLED;
  EXPECT_THAT(ListParticipantIds("fy2022", cancelled), ElementsAre("p1"));

  absl::Status status = store_->Read([](EnrollmentTx& tx) {
    return tx.GetParticipant("fy2022", "nope").status();
  });
  ExpectNotFound(status, "Participant", "cohorts/fy2022/participants/nope");
  ParticipantRecord missing = MakeParticipant("fy2022", "nope");
  status = store_->Write([&](EnrollmentTx& tx) {
    return tx.UpdateParticipant(&missing);
  });
  ExpectNotFound(status, "Participant", "cohorts/fy2022/participants/nope");
  EXPECT_EQ(missing.revision, 1);

  ParticipantRecord again = MakeParticipant("fy2022", "p1");
  status = store_->Write([&](EnrollmentTx& tx) {
    return tx.InsertParticipant(&again);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  auto resource = errors::GetResourceInfo(status);
  ASSERT_TRUE(resource.has_value()) << status;
  EXPECT_EQ(resource->resource_type(), "Participant");
  EXPECT_EQ(resource->resource_name(), "cohorts/fy2022/participants/p1");
}

TEST_F(EnrollmentStoreTest, ListParticipantsFiltersAndCursor) {
  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  CohortRecord other = MakeCohort("other");
  AddCohort(&other);
  std::vector<ParticipantRecord> people = {
      MakeParticipant("fy2022", "nav", v1::Participant::NAVIGATOR, ""),
      MakeParticipant("fy2022", "p1"),
      MakeParticipant("fy2022", "p2", v1::Participant::PARTICIPANT, "131016"),
      MakeParticipant("fy2022", "p3", v1::Participant::PARTICIPANT, "242047",
                      v1::Participant::CANCELLED),
      MakeParticipant("other", "p1"),
      MakeParticipant("fy2022", "p4"),
  };
  for (auto& p : people) AddParticipant(&p);

  EXPECT_THAT(ListParticipantIds("fy2022"),
              ElementsAre("nav", "p1", "p2", "p3", "p4"));
  EXPECT_THAT(ListParticipantIds("fy2022", {}, people[1].seq, 2),
              ElementsAre("p2", "p3"));
  EXPECT_THAT(ListParticipantIds("fy2022", {}, people[3].seq, 2),
              ElementsAre("p4"));

  ParticipantFilter members;
  members.role = v1::Participant::PARTICIPANT;
  EXPECT_THAT(ListParticipantIds("fy2022", members),
              ElementsAre("p1", "p2", "p3", "p4"));
  members.state = v1::Participant::ACTIVE;
  EXPECT_THAT(ListParticipantIds("fy2022", members),
              ElementsAre("p1", "p2", "p4"));
  members.municipality_code = "242047";
  EXPECT_THAT(ListParticipantIds("fy2022", members), ElementsAre("p1", "p4"));
  EXPECT_THAT(ListParticipantIds("fy2022", members, people[1].seq),
              ElementsAre("p4"));

  ParticipantFilter staff;
  staff.role = v1::Participant::NAVIGATOR;
  EXPECT_THAT(ListParticipantIds("fy2022", staff), ElementsAre("nav"));

  // Staff only (the participants_staff partial index): every role but
  // PARTICIPANT, any state unless filtered, with the cursor.
  std::vector<ParticipantRecord> more = {
      MakeParticipant("fy2022", "adv", v1::Participant::ADVISOR, "", v1::Participant::CANCELLED),
      MakeParticipant("fy2022", "sec", v1::Participant::SECRETARIAT, ""),
      MakeParticipant("other", "nav2", v1::Participant::NAVIGATOR, ""),
  };
  for (auto& p : more) AddParticipant(&p);
  ParticipantFilter staff_only;
  staff_only.staff_only = true;
  EXPECT_THAT(ListParticipantIds("fy2022", staff_only), ElementsAre("nav", "adv", "sec"));
  EXPECT_THAT(ListParticipantIds("fy2022", staff_only, people[0].seq), ElementsAre("adv", "sec"));
  EXPECT_THAT(ListParticipantIds("fy2022", staff_only, 0, 1), ElementsAre("nav"));
  staff_only.state = v1::Participant::ACTIVE;
  EXPECT_THAT(ListParticipantIds("fy2022", staff_only), ElementsAre("nav", "sec"));
  staff_only.role = v1::Participant::PARTICIPANT;
  EXPECT_THAT(ListParticipantIds("fy2022", staff_only), ElementsAre());
}

// --- request ids and the change feed ----------------------------------------

TEST_F(EnrollmentStoreTest, RequestIdsSaveAndLookup) {
  MustWrite([](EnrollmentTx& tx) -> absl::Status {
    auto missing = tx.LookupRequestId("CreateCohort", "req-1");
    EXPECT_TRUE(missing.ok()) << missing.status();
    EXPECT_FALSE(missing->has_value());
    return tx.SaveRequestId("CreateCohort", "req-1",
                            {"fingerprint-1", "cohorts/fy2022"}, kNow);
  });
  MustWrite([](EnrollmentTx& tx) -> absl::Status {
    auto found = tx.LookupRequestId("CreateCohort", "req-1");
    EXPECT_TRUE(found.ok()) << found.status();
    EXPECT_TRUE(found->has_value());
    EXPECT_EQ((*found)->fingerprint, "fingerprint-1");
    EXPECT_EQ((*found)->resource_name, "cohorts/fy2022");
    // Scopes are independent.
    auto other = tx.LookupRequestId("CreateApplication", "req-1");
    EXPECT_FALSE(other->has_value());
    return absl::OkStatus();
  });
  absl::Status status = store_->Write([](EnrollmentTx& tx) {
    return tx.SaveRequestId("CreateCohort", "req-1",
                            {"fingerprint-2", "cohorts/fy2023"}, kNow);
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
}

TEST_F(EnrollmentStoreTest, ChangeFeedAppendAndList) {
  std::vector<ChangeRecord> changes(4);
  changes[0] = {0, "cohorts/fy2022/participants/p1", "242047",
                v1::Change::UPSERTED, kNow};
  changes[1] = {0, "cohorts/fy2022/participants/p2", "131016",
                v1::Change::UPSERTED, kNow + absl::Microseconds(1)};
  changes[2] = {0, "cohorts/fy2022/participants/p1", "242047",
                v1::Change::DELETED, kNow + absl::Seconds(5)};
  changes[3] = {0, "cohorts/fy2022/participants/p3", "242047",
                v1::Change::UPSERTED, kNow + absl::Seconds(6)};
  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    for (auto& c : changes) {
      absl::Status status = tx.AppendChange(&c);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  });
  for (size_t i = 1; i < changes.size(); ++i) {
    EXPECT_GT(changes[i].seq, changes[i - 1].seq);
  }

  auto list = [&](int64_t after, const std::string& municipality, int limit) {
    std::vector<ChangeRecord> out;
    absl::Status status = store_->Read([&](EnrollmentTx& tx) -> absl::Status {
      auto got = tx.ListChanges(after, municipality, limit);
      if (!got.ok()) return got.status();
      out = *std::move(got);
      return absl::OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status;
    return out;
  };
  auto seqs = [](const std::vector<ChangeRecord>& records) {
    std::vector<int64_t> out;
    for (const auto& r : records) out.push_back(r.seq);
    return out;
  };

  std::vector<ChangeRecord> all = list(0, "", 100);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[2].participant_name, "cohorts/fy2022/participants/p1");
  EXPECT_EQ(all[2].municipality_code, "242047");
  EXPECT_EQ(all[2].kind, v1::Change::DELETED);
  EXPECT_EQ(all[2].time, kNow + absl::Seconds(5));
  EXPECT_EQ(all[1].time, kNow + absl::Microseconds(1));

  EXPECT_THAT(seqs(list(0, "242047", 100)),
              ElementsAre(changes[0].seq, changes[2].seq, changes[3].seq));
  EXPECT_THAT(seqs(list(changes[0].seq, "242047", 1)),
              ElementsAre(changes[2].seq));
  EXPECT_THAT(seqs(list(changes[1].seq, "", 100)),
              ElementsAre(changes[2].seq, changes[3].seq));
  EXPECT_THAT(seqs(list(changes[1].seq, "131016", 100)), ElementsAre());
  EXPECT_THAT(seqs(list(0, "", 2)), ElementsAre(changes[0].seq, changes[1].seq));
}

// --- retention and transactions ---------------------------------------------

TEST_F(EnrollmentStoreTest, DeleteCohortPersonalDataTouchesOnlyThatCohort) {
  for (const char* id : {"fy2022", "fy2023"}) {
    CohortRecord cohort = MakeCohort(id);
    AddCohort(&cohort);
    for (const char* app : {"a1", "a2", "a3"}) {
      ApplicationRecord a = MakeApplication(id, app);
      AddApplication(&a);
    }
    for (const char* p : {"p1", "p2"}) {
      ParticipantRecord r = MakeParticipant(id, p);
      AddParticipant(&r);
    }
    const std::string cohort_id = id;
    MustWrite([&](EnrollmentTx& tx) -> absl::Status {
      absl::Status status = tx.ReserveEmails(cohort_id, "a1", {"key-taro"});
      if (!status.ok()) return status;
      status = tx.SaveRequestId(
          "CreateApplication", absl::StrCat(cohort_id, "-req"),
          {"fp", absl::StrCat("cohorts/", cohort_id, "/applications/a1")},
          kNow);
      if (!status.ok()) return status;
      return tx.SaveRequestId("CreateCohort", cohort_id,
                              {"fp", absl::StrCat("cohorts/", cohort_id)},
                              kNow);
    });
  }

  std::pair<int, int> deleted;
  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto result = tx.DeleteCohortPersonalData("fy2022");
    if (!result.ok()) return result.status();
    deleted = *result;
    return absl::OkStatus();
  });
  EXPECT_EQ(deleted, std::make_pair(3, 2));

  EXPECT_THAT(ListApplicationIds("fy2022"), ElementsAre());
  EXPECT_THAT(ListParticipantIds("fy2022"), ElementsAre());
  EXPECT_THAT(ListApplicationIds("fy2023"), ElementsAre("a1", "a2", "a3"));
  EXPECT_THAT(ListParticipantIds("fy2023"), ElementsAre("p1", "p2"));

  MustWrite([](EnrollmentTx& tx) -> absl::Status {
    EXPECT_TRUE(tx.GetCohort("fy2022").ok());
    EXPECT_FALSE(
        tx.LookupRequestId("CreateApplication", "fy2022-req")->has_value());
    EXPECT_TRUE(
        tx.LookupRequestId("CreateApplication", "fy2023-req")->has_value());
    // The cohort survives, and so does the request id that created it.
    EXPECT_TRUE(tx.LookupRequestId("CreateCohort", "fy2022")->has_value());
    // fy2022's e-mail keys are gone; fy2023's still hold.
    EXPECT_TRUE(tx.ReserveEmails("fy2022", "a9", {"key-taro"}).ok());
    EXPECT_EQ(errors::Reason(tx.ReserveEmails("fy2023", "a9", {"key-taro"})),
              "DUPLICATE_APPLICANT");
    return absl::OkStatus();
  });

  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto again = tx.DeleteCohortPersonalData("fy2022");
    EXPECT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, std::make_pair(0, 0));
    return absl::OkStatus();
  });
}

// Update methods bump the revision themselves, by exactly one per call, and
// the caller's record follows the stored one (etags derive from it).
TEST_F(EnrollmentStoreTest, UpdatesBumpTheRevision) {
  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  ApplicationRecord app = MakeApplication("fy2022", "a1");
  AddApplication(&app);
  ParticipantRecord person = MakeParticipant("fy2022", "p1");
  AddParticipant(&person);
  ASSERT_EQ(cohort.revision, 1);
  ASSERT_EQ(app.revision, 1);
  ASSERT_EQ(person.revision, 1);

  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    for (int i = 0; i < 3; ++i) {
      absl::Status s = tx.UpdateCohort(&cohort);
      if (s.ok()) s = tx.UpdateApplication(&app);
      if (s.ok()) s = tx.UpdateParticipant(&person);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  });
  EXPECT_EQ(cohort.revision, 4);
  EXPECT_EQ(app.revision, 4);
  EXPECT_EQ(person.revision, 4);

  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto c = tx.GetCohort("fy2022");
    auto a = tx.GetApplication("fy2022", "a1");
    auto p = tx.GetParticipant("fy2022", "p1");
    if (!c.ok()) return c.status();
    if (!a.ok()) return a.status();
    if (!p.ok()) return p.status();
    EXPECT_EQ(c->revision, 4);
    EXPECT_EQ(a->revision, 4);
    EXPECT_EQ(p->revision, 4);
    return absl::OkStatus();
  });

  // A rolled-back update leaves the stored revision where it was.
  CohortRecord copy = cohort;
  absl::Status status = store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    absl::Status s = tx.UpdateCohort(&copy);
    if (!s.ok()) return s;
    return errors::FailedPrecondition("TEST_ABORT", "changed my mind");
  });
  EXPECT_EQ(errors::Reason(status), "TEST_ABORT");
  MustWrite([&](EnrollmentTx& tx) -> absl::Status {
    auto c = tx.GetCohort("fy2022");
    if (!c.ok()) return c.status();
    EXPECT_EQ(c->revision, 4);
    return absl::OkStatus();
  });
}

TEST_F(EnrollmentStoreTest, FailedWriteLeavesNothingBehind) {
  absl::Status status = store_->Write([](EnrollmentTx& tx) -> absl::Status {
    CohortRecord cohort = MakeCohort("fy2022");
    absl::Status inserted = tx.InsertCohort(&cohort);
    if (!inserted.ok()) return inserted;
    ApplicationRecord app = MakeApplication("fy2022", "a1");
    inserted = tx.InsertApplication(&app);
    if (!inserted.ok()) return inserted;
    inserted = tx.ReserveEmails("fy2022", "a1", {"key-taro"});
    if (!inserted.ok()) return inserted;
    // Visible inside the transaction ...
    EXPECT_TRUE(tx.GetApplication("fy2022", "a1").ok());
    return errors::FailedPrecondition("TEST_ABORT", "changed my mind");
  });
  EXPECT_EQ(errors::Reason(status), "TEST_ABORT") << status;

  // ... and gone after it.
  status = store_->Read([](EnrollmentTx& tx) {
    return tx.GetCohort("fy2022").status();
  });
  ExpectNotFound(status, "Cohort", "cohorts/fy2022");
  EXPECT_THAT(ListCohortIds(std::nullopt, 0, 10), ElementsAre());

  CohortRecord cohort = MakeCohort("fy2022");
  AddCohort(&cohort);
  EXPECT_THAT(ListApplicationIds("fy2022"), ElementsAre());
  MustWrite([](EnrollmentTx& tx) {
    return tx.ReserveEmails("fy2022", "a2", {"key-taro"});
  });
}

TEST_F(EnrollmentStoreTest, ReadCannotWrite) {
  absl::Status status = store_->Read([](EnrollmentTx& tx) {
    CohortRecord cohort = MakeCohort("fy2022");
    return tx.InsertCohort(&cohort);
  });
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(ListCohortIds(std::nullopt, 0, 10), ElementsAre());
}

}  // namespace
}  // namespace kaizen::enrollment
