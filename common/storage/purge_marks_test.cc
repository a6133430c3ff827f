// The `purges` marks and the PurgeOnce flow on in-memory SQLite, with the
// table as the services' migrations create it.
#include "common/storage/purge_marks.h"

#include <functional>
#include <optional>
#include <string>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Transaction.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/storage/purge_flow.h"
#include "gtest/gtest.h"

namespace kaizen::storage {
namespace purge_marks_test {

// The services' migrations 2 and 3 (services/{survey,plans}/purge_sql.cc).
constexpr char kSchema[] = R"sql(
CREATE TABLE purges (
  cohort_id TEXT NOT NULL,
  participant TEXT NOT NULL,
  purge_time INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, participant)
) WITHOUT ROWID;
ALTER TABLE purges ADD COLUMN counts TEXT;
CREATE TABLE notes (cohort_id TEXT NOT NULL, text TEXT NOT NULL);
)sql";

const absl::Time kT0 = absl::FromUnixSeconds(1667000000);

class PurgeMarksTest : public ::testing::Test {
 protected:
  PurgeMarksTest() : db_(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db_.exec(kSchema);
  }
  SQLite::Database db_;
};

TEST(PurgeCountsTest, EncodesInOrderAndDecodesBack) {
  const PurgeCounts counts = {{"responses", 3}, {"free_text", 0}, {"request_ids", 12}};
  const std::string text = EncodePurgeCounts(counts);
  EXPECT_EQ(text, "responses=3\nfree_text=0\nrequest_ids=12\n");
  EXPECT_EQ(DecodePurgeCounts(text), counts);
  EXPECT_EQ(DecodePurgeCounts(""), PurgeCounts());
}

TEST(PurgeCountsTest, RejectsLinesWithoutKindOrNumber) {
  EXPECT_EQ(DecodePurgeCounts("plans\n"), std::nullopt);
  EXPECT_EQ(DecodePurgeCounts("=3\n"), std::nullopt);
  EXPECT_EQ(DecodePurgeCounts("plans=three\n"), std::nullopt);
  EXPECT_EQ(DecodePurgeCounts("plans=1\nrevisions=\n"), std::nullopt);
}

TEST_F(PurgeMarksTest, MarksAreKeptPerCohortAndPerson) {
  EXPECT_FALSE(IsPurged(db_, "c1", ""));
  auto none = GetPurge(db_, "c1", "");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());

  MarkPurged(db_, "c1", "cohorts/c1/participants/p1", kT0, {{"plans", 2}});
  EXPECT_TRUE(IsPurged(db_, "c1", "cohorts/c1/participants/p1"));
  EXPECT_FALSE(IsPurged(db_, "c1", ""));
  EXPECT_FALSE(IsPurged(db_, "c2", "cohorts/c1/participants/p1"));

  auto got = GetPurge(db_, "c1", "cohorts/c1/participants/p1");
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->complete_time, kT0);
  EXPECT_TRUE((*got)->has_counts);
  EXPECT_EQ((*got)->counts, (PurgeCounts{{"plans", 2}}));
}

TEST_F(PurgeMarksTest, MarkingAgainKeepsTheFirstTimeAndCounts) {
  MarkPurged(db_, "c1", "", kT0, {{"plans", 2}});
  MarkPurged(db_, "c1", "", kT0 + absl::Hours(1), {{"plans", 0}});
  auto got = GetPurge(db_, "c1", "");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->complete_time, kT0);
  EXPECT_EQ((*got)->counts, (PurgeCounts{{"plans", 2}}));
}

TEST_F(PurgeMarksTest, CountsAreFilledInForAMarkRecordedWithoutThem) {
  db_.exec("INSERT INTO purges (cohort_id, participant, purge_time) VALUES ('c1', '', 5)");
  auto old = GetPurge(db_, "c1", "");
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_FALSE((*old)->has_counts);
  EXPECT_EQ((*old)->complete_time, absl::FromUnixMicros(5));

  MarkPurged(db_, "c1", "", kT0, {{"plans", 1}});
  auto filled = GetPurge(db_, "c1", "");
  ASSERT_TRUE(filled.ok() && filled->has_value());
  EXPECT_EQ((*filled)->complete_time, absl::FromUnixMicros(5));
  EXPECT_TRUE((*filled)->has_counts);
  EXPECT_EQ((*filled)->counts, (PurgeCounts{{"plans", 1}}));
}

TEST_F(PurgeMarksTest, UnreadableCountsAreInternal) {
  db_.exec(
      "INSERT INTO purges (cohort_id, participant, purge_time, counts) "
      "VALUES ('c1', '', 5, 'garbage')");
  auto got = GetPurge(db_, "c1", "");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInternal);
}

// A store of the shape PurgeOnce expects, over the same database.
class NotesTx {
 public:
  explicit NotesTx(SQLite::Database& db) : db_(db) {}
  absl::StatusOr<std::optional<PurgeRecord>> GetPurge(const std::string& cohort_id,
                                                      const std::string& participant) {
    return storage::GetPurge(db_, cohort_id, participant);
  }
  absl::Status MarkPurged(const std::string& cohort_id, const std::string& participant,
                          absl::Time now, const PurgeCounts& counts) {
    storage::MarkPurged(db_, cohort_id, participant, now, counts);
    return absl::OkStatus();
  }
  absl::StatusOr<PurgeCounts> DeleteNotes(const std::string& cohort_id) {
    SQLite::Statement remove(db_, "DELETE FROM notes WHERE cohort_id = ?1");
    remove.bind(1, cohort_id);
    return PurgeCounts{{"notes", remove.exec()}};
  }
  SQLite::Database& db() { return db_; }

 private:
  SQLite::Database& db_;
};

class NotesStore {
 public:
  explicit NotesStore(SQLite::Database& db) : db_(db) {}
  absl::Status Write(const std::function<absl::Status(NotesTx&)>& fn) {
    SQLite::Transaction transaction(db_);
    NotesTx tx(db_);
    absl::Status status = fn(tx);
    if (status.ok()) transaction.commit();
    return status;  // else rolled back by the destructor
  }
  absl::Status CheckpointWal() {
    ++checkpoints;
    return checkpoint_status;
  }
  int checkpoints = 0;
  absl::Status checkpoint_status;

 private:
  SQLite::Database& db_;
};

class PurgeOnceTest : public PurgeMarksTest {
 protected:
  PurgeOnceTest() : store_(db_) {
    db_.exec("INSERT INTO notes VALUES ('c1', 'a'), ('c1', 'b'), ('c2', 'c')");
  }
  absl::StatusOr<PurgeOutcome> Purge(absl::Time now) {
    return PurgeOnce(store_, "c1", "", now, [&](NotesTx& tx) {
      ++deletions_;
      return tx.DeleteNotes("c1");
    });
  }
  int Notes() { return db_.execAndGet("SELECT count(*) FROM notes").getInt(); }
  NotesStore store_;
  int deletions_ = 0;
};

TEST_F(PurgeOnceTest, FirstTimeDeletesMarksAndCheckpoints) {
  auto first = Purge(kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->repeat);
  EXPECT_EQ(first->record.complete_time, kT0);
  EXPECT_EQ(first->record.counts, (PurgeCounts{{"notes", 2}}));
  EXPECT_EQ(Notes(), 1);
  EXPECT_TRUE(IsPurged(db_, "c1", ""));
  EXPECT_EQ(store_.checkpoints, 1);
}

TEST_F(PurgeOnceTest, ARepeatAnswersWithTheFirstRecordWithoutDeleting) {
  ASSERT_TRUE(Purge(kT0).ok());
  db_.exec("INSERT INTO notes VALUES ('c1', 'late')");  // would be deleted by a second run
  auto again = Purge(kT0 + absl::Hours(2));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->repeat);
  EXPECT_EQ(again->record.complete_time, kT0);
  EXPECT_EQ(again->record.counts, (PurgeCounts{{"notes", 2}}));
  EXPECT_EQ(deletions_, 1);
  EXPECT_EQ(Notes(), 2);
  EXPECT_EQ(store_.checkpoints, 2);  // the repeat checkpoints again
}

TEST_F(PurgeOnceTest, AMarkWithoutCountsDeletesAgainAndKeepsItsTime) {
  db_.exec("INSERT INTO purges (cohort_id, participant, purge_time) VALUES ('c1', '', 5)");
  auto got = Purge(kT0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->repeat);
  EXPECT_EQ(got->record.complete_time, absl::FromUnixMicros(5));
  EXPECT_EQ(got->record.counts, (PurgeCounts{{"notes", 2}}));
  EXPECT_EQ(deletions_, 1);
  auto stored = GetPurge(db_, "c1", "");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_TRUE((*stored)->has_counts);
}

TEST_F(PurgeOnceTest, AFailedDeletionLeavesNoMark) {
  auto got = PurgeOnce(store_, "c1", "", kT0, [&](NotesTx& tx) -> absl::StatusOr<PurgeCounts> {
    tx.db().exec("DELETE FROM notes WHERE cohort_id = 'c1'");
    return absl::UnavailableError("disk went away");
  });
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(IsPurged(db_, "c1", ""));
  EXPECT_EQ(Notes(), 3);  // rolled back
  EXPECT_EQ(store_.checkpoints, 0);
}

TEST_F(PurgeOnceTest, ACheckpointFailureIsReportedAfterTheCommit) {
  store_.checkpoint_status = absl::UnavailableError("checkpoint busy");
  auto got = Purge(kT0);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(IsPurged(db_, "c1", ""));  // committed; a retry answers as a repeat
  store_.checkpoint_status = absl::OkStatus();
  auto retry = Purge(kT0 + absl::Minutes(1));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->repeat);
  EXPECT_EQ(retry->record.counts, (PurgeCounts{{"notes", 2}}));
}

}  // namespace
}  // namespace kaizen::storage
