#include "services/plans/purge_sql.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/storage/request_ids.h"
#include "common/storage/sqlite_rows.h"

namespace kaizen::plans::purge_sql {
namespace {

// The kinds a plans purge reports, in this order (zeros included).
constexpr char kPlans[] = "plans";
constexpr char kRevisions[] = "revisions";
constexpr char kStageVersions[] = "stage_versions";
constexpr char kFeedback[] = "feedback";
constexpr char kPractice[] = "practice_entries";
constexpr char kOwners[] = "owners_removed";
constexpr char kAuthorship[] = "authorship_cleared";
constexpr char kRequestIds[] = "request_ids";

int64_t Exec(SQLite::Database& db, const char* sql, const std::string& a,
             const std::string& b = "") {
  SQLite::Statement statement(db, sql);
  statement.bind(1, a);
  if (!b.empty()) statement.bind(2, b);
  return statement.exec();
}

struct StoredPlan {
  std::string id;
  v1::Plan plan;
};

std::vector<StoredPlan> PlansOf(SQLite::Database& db, const std::string& cohort_id) {
  std::vector<StoredPlan> out;
  SQLite::Statement query(db, "SELECT id, data FROM plans WHERE cohort_id = ?1 ORDER BY seq");
  query.bind(1, cohort_id);
  while (query.executeStep()) {
    StoredPlan p;
    p.id = query.getColumn(0).getString();
    const SQLite::Column data = query.getColumn(1);
    p.plan.ParseFromArray(data.getBlob(), data.getBytes());
    out.push_back(std::move(p));
  }
  return out;
}

void SavePlanData(SQLite::Database& db, const std::string& cohort_id, const StoredPlan& p) {
  // A new revision, so the etag changes and no cache keyed on it keeps the
  // erased person's name.
  SQLite::Statement update(
      db, "UPDATE plans SET data = ?3, revision = revision + 1 WHERE cohort_id = ?1 AND id = ?2");
  update.bind(1, cohort_id);
  update.bind(2, p.id);
  storage::BindBlob(update, 3, p.plan.SerializeAsString());
  update.exec();
}

}  // namespace

const char kSchemaV2[] = R"sql(
CREATE TABLE purges (
  cohort_id TEXT NOT NULL,
  participant TEXT NOT NULL,
  purge_time INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, participant)
) WITHOUT ROWID;
)sql";

const char kSchemaV3[] = R"sql(
ALTER TABLE purges ADD COLUMN counts TEXT;
)sql";

PurgeCounts PurgeCohort(SQLite::Database& db, const std::string& cohort_id) {
  int64_t stages = 0;
  for (const StoredPlan& p : PlansOf(db, cohort_id)) stages += p.plan.stages_size();
  const int64_t request_ids = storage::DeleteRequestIds(
      db, absl::StrCat("cohorts/", cohort_id, "/"),
      [](const std::string&, const std::string&) { return true; });
  // Children first (they reference their plan).
  const int64_t practice = Exec(db, "DELETE FROM practice WHERE cohort_id = ?1", cohort_id);
  const int64_t feedback = Exec(db, "DELETE FROM feedback WHERE cohort_id = ?1", cohort_id);
  const int64_t revisions = Exec(db, "DELETE FROM revisions WHERE cohort_id = ?1", cohort_id);
  const int64_t plans = Exec(db, "DELETE FROM plans WHERE cohort_id = ?1", cohort_id);
  return {{kPlans, plans},       {kRevisions, revisions}, {kStageVersions, stages},
          {kFeedback, feedback}, {kPractice, practice},   {kOwners, 0},
          {kAuthorship, 0},      {kRequestIds, request_ids}};
}

PurgeCounts PurgeParticipant(SQLite::Database& db, const std::string& cohort_id,
                             const std::string& participant, const std::string& subject) {
  auto is_person = [&](const std::string& who) {
    return !who.empty() && (who == participant || (!subject.empty() && who == subject));
  };
  int64_t plans = 0, revisions = 0, stages = 0, feedback = 0, practice = 0, owners_removed = 0,
          authorship = 0;
  std::set<std::string> deleted_plans;  // "cohorts/{c}/plans/{p}/"
  for (StoredPlan& p : PlansOf(db, cohort_id)) {
    auto& owners = *p.plan.mutable_owners();
    const auto mine = std::find(owners.begin(), owners.end(), participant);
    if (mine == owners.end()) continue;
    if (owners.size() == 1) {
      // Theirs alone: the plan and everything under it.
      deleted_plans.insert(absl::StrCat(p.plan.name(), "/"));
      stages += p.plan.stages_size();
      practice += Exec(db, "DELETE FROM practice WHERE cohort_id = ?1 AND plan_id = ?2",
                       cohort_id, p.id);
      feedback += Exec(db, "DELETE FROM feedback WHERE cohort_id = ?1 AND plan_id = ?2",
                       cohort_id, p.id);
      revisions += Exec(db, "DELETE FROM revisions WHERE cohort_id = ?1 AND plan_id = ?2",
                        cohort_id, p.id);
      plans += Exec(db, "DELETE FROM plans WHERE cohort_id = ?1 AND id = ?2", cohort_id, p.id);
      continue;
    }
    // A team plan stays for its other owners, without this person.
    owners.erase(mine);
    ++owners_removed;
    for (v1::StageVersion& s : *p.plan.mutable_stages()) {
      if (is_person(s.submitted_by())) {
        s.clear_submitted_by();
        ++authorship;
      }
    }
    SavePlanData(db, cohort_id, p);
  }
  // Revisions they authored on plans that stay: the author is cleared.
  {
    std::vector<std::pair<std::pair<std::string, int64_t>, std::string>> changed;
    SQLite::Statement query(db,
                            "SELECT plan_id, number, data FROM revisions WHERE cohort_id = ?1");
    query.bind(1, cohort_id);
    while (query.executeStep()) {
      v1::Revision rev;
      const SQLite::Column data = query.getColumn(2);
      if (!rev.ParseFromArray(data.getBlob(), data.getBytes()) || !is_person(rev.author())) {
        continue;
      }
      rev.clear_author();
      changed.push_back({{query.getColumn(0).getString(), query.getColumn(1).getInt64()},
                         rev.SerializeAsString()});
    }
    SQLite::Statement update(db,
                             "UPDATE revisions SET data = ?3 "
                             "WHERE cohort_id = ?1 AND plan_id = ?2 AND number = ?4");
    for (const auto& [key, blob] : changed) {
      update.bind(1, cohort_id);
      update.bind(2, key.first);
      storage::BindBlob(update, 3, blob);
      update.bind(4, key.second);
      update.exec();
      update.reset();
      ++authorship;
    }
  }
  // What they wrote on any plan of the cohort: feedback (a reply) and
  // practice entries.
  auto delete_authored = [&](auto message, const char* select_sql, const char* delete_sql) {
    std::vector<int64_t> seqs;
    {
      SQLite::Statement query(db, select_sql);
      query.bind(1, cohort_id);
      while (query.executeStep()) {
        const SQLite::Column data = query.getColumn(1);
        if (message.ParseFromArray(data.getBlob(), data.getBytes()) &&
            is_person(message.author())) {
          seqs.push_back(query.getColumn(0).getInt64());
        }
      }
    }
    SQLite::Statement remove(db, delete_sql);
    for (int64_t seq : seqs) {
      remove.bind(1, seq);
      remove.exec();
      remove.reset();
    }
    return static_cast<int64_t>(seqs.size());
  };
  feedback += delete_authored(v1::Feedback(), "SELECT seq, data FROM feedback WHERE cohort_id = ?1",
                              "DELETE FROM feedback WHERE seq = ?1");
  practice += delete_authored(v1::PracticeEntry(),
                              "SELECT seq, data FROM practice WHERE cohort_id = ?1",
                              "DELETE FROM practice WHERE seq = ?1");
  const int64_t request_ids = storage::DeleteRequestIds(
      db, absl::StrCat("cohorts/", cohort_id, "/"),
      [&](const std::string& scope, const std::string& resource) {
        for (const std::string& prefix : deleted_plans) {
          if (resource.compare(0, prefix.size(), prefix) == 0 ||
              resource + "/" == prefix) {
            return true;
          }
        }
        if (subject.empty()) return false;
        for (absl::string_view part : absl::StrSplit(scope, '\x1f')) {
          if (part == subject) return true;
        }
        return false;
      });
  return {{kPlans, plans},       {kRevisions, revisions}, {kStageVersions, stages},
          {kFeedback, feedback}, {kPractice, practice},   {kOwners, owners_removed},
          {kAuthorship, authorship}, {kRequestIds, request_ids}};
}

}  // namespace kaizen::plans::purge_sql
