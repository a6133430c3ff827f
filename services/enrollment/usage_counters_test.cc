// The seat counters (usage_sql.h) against the computation they replaced:
// random sequences of real domain operations (apply, offers answered or
// lapsed, withdrawals, decisions, cancellations, erasure, purge, cohort
// changes), and after every step the counters of every cohort compared with
// a recount from the stored rows. Plus the upgrade of a database written at
// schema 10, whose open offers' seats live only in their protos.
#include <sqlite3.h>

#include <cstdio>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "gtest/gtest.h"
#include "services/enrollment/purge_test_util.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {
namespace usage_counters_test {

using namespace ::kaizen::enrollment::testing;  // NOLINT

// The oracle: usage as computed before the counters (issue 18), from every
// ACTIVE PARTICIPANT participation and every OFFERED application's proto.
absl::StatusOr<Usage> RecountedUsage(EnrollmentTx& tx, const std::string& cohort_id,
                                     const std::string& exclude_id) {
  Usage usage;
  ParticipantFilter pf;
  pf.role = v1::Participant::PARTICIPANT;
  pf.state = v1::Participant::ACTIVE;
  auto participants = tx.ListParticipants(cohort_id, pf, 0, 0);
  if (!participants.ok()) return participants.status();
  for (const auto& p : *participants) usage.Add(p.participant.municipality_code(), 1);
  ApplicationFilter af;
  af.state = v1::Application::OFFERED;
  auto offered = tx.ListApplications(cohort_id, af, std::nullopt, 0);
  if (!offered.ok()) return offered.status();
  for (const auto& a : *offered) {
    if (!exclude_id.empty() && a.id == exclude_id) continue;
    usage.Add(a.application.municipality_code(), a.application.admitted_member_count());
  }
  return usage;
}

// Compares counters and recount for the cohort, whole and without each of
// its applications. Returns a description of the first difference.
std::string Diff(EnrollmentTx& tx, const std::string& cohort_id) {
  std::vector<std::string> excluded = {""};
  auto apps = tx.ListApplications(cohort_id, {}, std::nullopt, 0);
  if (!apps.ok()) return apps.status().ToString();
  for (const auto& a : *apps) excluded.push_back(a.id);
  for (const std::string& id : excluded) {
    auto counted = SeatUsageWithout(tx, cohort_id, id);
    auto recounted = RecountedUsage(tx, cohort_id, id);
    if (!counted.ok() || !recounted.ok()) return "read failed";
    if (counted->seats != recounted->seats ||
        counted->municipalities != recounted->municipalities) {
      return absl::StrCat("cohort ", cohort_id, " without '", id, "': counters ",
                          counted->seats, " seats in ", counted->municipalities.size(),
                          " municipalities, rows ", recounted->seats, " in ",
                          recounted->municipalities.size());
    }
  }
  // Waiting-list places against the queue as listed.
  ApplicationFilter waiting;
  waiting.state = v1::Application::WAITLISTED;
  auto queue = tx.ListApplications(cohort_id, waiting, std::nullopt, 0);
  if (!queue.ok()) return queue.status().ToString();
  for (size_t i = 0; i < queue->size(); ++i) {
    auto place = WaitlistPosition(tx, (*queue)[i]);
    if (!place.ok() || *place != static_cast<int>(i + 1)) {
      return absl::StrCat("waiting-list place of ", (*queue)[i].id, " is not ", i + 1);
    }
  }
  auto waiting_count = tx.CountWaiting(cohort_id);
  if (!waiting_count.ok()) return waiting_count.status().ToString();
  if (*waiting_count != static_cast<int64_t>(queue->size())) {
    return absl::StrCat("waiting-list counter ", *waiting_count, ", queue ", queue->size());
  }
  for (const auto& a : *apps) {
    if (a.application.state() == v1::Application::WAITLISTED) continue;
    auto place = tx.WaitlistPlace(cohort_id, a.id);
    if (!place.ok() || *place != 0) return absl::StrCat(a.id, " has a waiting-list place");
  }
  auto rows = tx.ListCohortUsage(cohort_id);
  if (!rows.ok()) return rows.status().ToString();
  for (const UsageRow& r : *rows) {
    if (r.holders <= 0 || r.seats < 0) return absl::StrCat("stale counter in ", cohort_id);
  }
  return "";
}

class UsageCountersTest : public PurgeFixture {
 protected:
  struct App {
    std::string name;
    std::string token;
  };

  std::string NewCohort(std::mt19937& rng) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    v1::Cohort* c = create.mutable_cohort();
    c->set_capacity(3 + static_cast<int>(rng() % 5));
    c->set_max_municipalities(1 + static_cast<int>(rng() % 3));
    c->set_allow_partial_team(rng() % 2 == 0);
    c->set_retention_days(0);
    auto cohort = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(cohort.ok()) << cohort.status();
    Move(cohort->name(), v1::Cohort::OPEN);
    return cohort->name();
  }

  // A random application of `cohort` in `state` (nullptr: none), so that
  // the steps that need one (answers to offers, decisions) are reached.
  const App* Pick(std::mt19937& rng, const std::string& cohort, v1::Application::State state) {
    std::vector<const App*> found;
    EXPECT_TRUE(store_
                    ->Read([&](EnrollmentTx& tx) -> absl::Status {
                      ApplicationFilter f;
                      f.state = state;
                      auto list = tx.ListApplications(
                          cohort.substr(std::string("cohorts/").size()), f, std::nullopt, 0);
                      if (!list.ok()) return list.status();
                      for (const auto& a : *list) {
                        auto it = index_.find(a.application.name());
                        if (it != index_.end()) found.push_back(&apps_[it->second]);
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return found.empty() ? nullptr : found[rng() % found.size()];
  }

  std::string RandomParticipant(std::mt19937& rng, const std::string& cohort) {
    std::vector<v1::Participant> ps = Participants(cohort);
    return ps.empty() ? "" : ps[rng() % ps.size()].name();
  }

  void Check(const std::string& step, const std::vector<std::string>& cohorts) {
    ASSERT_TRUE(store_
                    ->Read([&](EnrollmentTx& tx) -> absl::Status {
                      for (const std::string& name : cohorts) {
                        const std::string id = name.substr(std::string("cohorts/").size());
                        const std::string diff = Diff(tx, id);
                        EXPECT_EQ(diff, "") << "after " << step;
                        if (!diff.empty()) return absl::InternalError(diff);
                      }
                      return absl::OkStatus();
                    })
                    .ok());
  }

  // Every application made, in creation order (ids are random: picking by
  // position keeps a seed's sequence the same on every run), and by name.
  std::vector<App> apps_;
  std::map<std::string, size_t> index_;
  std::map<std::string, int> succeeded_;
};

TEST_F(UsageCountersTest, RandomOperationSequencesKeepCountersEqualToTheRows) {
  const char* towns[] = {kTowns[0], kTowns[1], kTowns[2], kTowns[3], kTowns[4]};
  int person = 0;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> cohorts = {NewCohort(rng), NewCohort(rng)};
    for (int step = 0; step < 70; ++step) {
      const int c = static_cast<int>(rng() % cohorts.size());
      const std::string& cohort = cohorts[c];
      const App* app = nullptr;
      if (!apps_.empty()) app = &apps_[rng() % apps_.size()];
      std::vector<std::string> checked = cohorts;
      const int op = static_cast<int>(rng() % 16);
      std::string what;
      absl::Status s;
      if (op <= 4 || app == nullptr) {
        what = "apply";
        const int team = 1 + static_cast<int>(rng() % 3);
        ++person;
        auto made = enrollment_->CreateApplication(
            User(absl::StrCat("u", person)),
            Apply(cohort, person, towns[rng() % 5], team));
        s = made.status();
        if (made.ok()) {
          index_[made->name()] = apps_.size();
          apps_.push_back({made->name(), made->access_token()});
        }
      } else if (op == 5) {
        what = "withdraw";
        v1::WithdrawApplicationRequest r;
        r.set_name(app->name);
        s = enrollment_->WithdrawApplication(WithToken(app->token), r).status();
      } else if (op == 6 || op == 7 || op == 8) {
        what = op == 8 ? "decline offer" : "accept offer";
        if (const App* offered = Pick(rng, cohort, v1::Application::OFFERED)) app = offered;
        v1::AnswerOfferRequest r;
        r.set_name(app->name);
        s = op == 8 ? enrollment_->DeclineOffer(WithToken(app->token), r).status()
                    : enrollment_->AcceptOffer(WithToken(app->token), r).status();
      } else if (op == 9) {
        what = "time passes, lapsed offers expire";
        clock_.Advance(absl::Hours(1 + rng() % 60));
        auto expired = enrollment_->ExpireLapsedOffers();
        s = expired.status();
        if (expired.ok() && *expired > 0) ++succeeded_["expired"];
      } else if (op == 10) {
        what = "cancel participant";
        v1::CancelParticipantRequest r;
        r.set_name(RandomParticipant(rng, cohort));
        s = enrollment_->CancelParticipant(Secretariat(), r).status();
      } else if (op == 11) {
        what = rng() % 2 ? "accept (override)" : "reject";
        // The secretariat decides on an offered, rejected or waiting one.
        for (auto state : {v1::Application::OFFERED, v1::Application::REJECTED,
                           v1::Application::WAITLISTED}) {
          if (const App* pending = Pick(rng, cohort, state)) {
            app = pending;
            break;
          }
        }
        v1::DecideApplicationRequest r;
        r.set_name(app->name);
        r.set_reason("test");
        s = what == "reject" ? enrollment_->RejectApplication(Secretariat(), r).status()
                             : enrollment_->AcceptApplication(Secretariat(), r).status();
      } else if (op == 12) {
        what = "capacity or municipality limit changes";
        v1::UpdateCohortRequest r;
        r.mutable_cohort()->set_name(cohort);
        r.mutable_cohort()->set_capacity(2 + static_cast<int>(rng() % 8));
        r.mutable_cohort()->set_max_municipalities(1 + static_cast<int>(rng() % 2));
        r.mutable_update_mask()->add_paths("capacity");
        r.mutable_update_mask()->add_paths("max_municipalities");
        s = enrollment_->UpdateCohort(Secretariat(), r).status();
      } else if (op == 13) {
        what = "erase";
        v1::ErasePersonalDataRequest r;
        r.set_name(rng() % 2 ? app->name : RandomParticipant(rng, cohort));
        s = enrollment_->ErasePersonalData(Secretariat(), r).status();
      } else if (op == 14) {
        what = "staff or priority";
        if (rng() % 2) {
          v1::CreateParticipantRequest r;
          r.set_parent(cohort);
          r.mutable_participant()->set_display_name("架空 スタッフ");
          r.mutable_participant()->set_role(v1::Participant::NAVIGATOR);
          r.mutable_participant()->set_subject(absl::StrCat("staff-", person));
          r.mutable_participant()->set_municipality_code(towns[rng() % 5]);
          s = enrollment_->CreateParticipant(Secretariat(), r).status();
        } else {
          v1::PrioritizeApplicationRequest r;
          r.set_name(app->name);
          r.set_priority(static_cast<int>(rng() % 3));
          r.set_reason("test");
          s = enrollment_->PrioritizeApplication(Secretariat(), r).status();
        }
      } else {
        what = "finish and purge";
        Finish(cohort);
        s = Purge(cohort).status();
        cohorts[c] = NewCohort(rng);
      }
      if (s.ok()) ++succeeded_[what];
      Check(absl::StrCat("seed ", seed, " step ", step, ": ", what, " (", s.ToString(), ")"),
            checked);
      if (HasFatalFailure() || HasNonfatalFailure()) return;
    }
  }
  // The sequences reached every kind of step that moves seats.
  for (const char* kind : {"apply", "withdraw", "accept offer", "decline offer", "expired",
                           "cancel participant", "reject", "accept (override)",
                           "capacity or municipality limit changes", "erase",
                           "finish and purge"}) {
    EXPECT_GT(succeeded_[kind], 0) << kind;
  }
}

// Schema 10 had no counters and kept an offer's seats only in the proto:
// opening such a file migrates, backfills once, and counts exactly.
TEST(UsageCountersUpgradeTest, ASchema10DatabaseOpensWithExactCounters) {
  const std::string path = ::testing::TempDir() + "/enrollment_v10.db";
  std::remove(path.c_str());
  storage::DatabaseOptions options;
  options.path = path;
  options.init = true;
  {
    storage::Migrations v10(EnrollmentStore::Migrations().begin(),
                            EnrollmentStore::Migrations().begin() + 10);
    auto old = storage::Database::Open(options, v10);
    ASSERT_TRUE(old.ok()) << old.status();
    ASSERT_TRUE((*old)
                    ->RunInTransaction([&](SQLite::Database& db) -> absl::Status {
                      db.exec("INSERT INTO cohorts (id, state, revision, data) "
                              "VALUES ('fy2022', 2, 1, x'')");
                      auto app = [&](const char* id, v1::Application::State state,
                                     const char* town, int admitted) {
                        v1::Application a;
                        a.set_state(state);
                        a.set_municipality_code(town);
                        a.set_admitted_member_count(admitted);
                        // Offer deadlines (migration 12's backfill copies
                        // the OFFERED rows' ones).
                        a.mutable_offer_expire_time()->set_seconds(
                            admitted == 2 ? 1000 : admitted == 3 ? 2000 : 500);
                        const std::string data = a.SerializeAsString();
                        SQLite::Statement insert(
                            db,
                            "INSERT INTO applications (cohort_id, id, state, "
                            "municipality_code, priority, revision, data, submitter) "
                            "VALUES ('fy2022', ?1, ?2, ?3, 0, 1, ?4, '')");
                        insert.bind(1, id);
                        insert.bind(2, static_cast<int>(state));
                        insert.bind(3, town);
                        insert.bind(4, data.data(), static_cast<int>(data.size()));
                        insert.exec();
                      };
                      auto participant = [&](const char* id, int role, int state,
                                             const char* town) {
                        v1::Participant p;
                        p.set_role(static_cast<v1::Participant::Role>(role));
                        p.set_state(static_cast<v1::Participant::State>(state));
                        p.set_municipality_code(town);
                        const std::string data = p.SerializeAsString();
                        SQLite::Statement insert(
                            db,
                            "INSERT INTO participants (cohort_id, id, role, state, "
                            "municipality_code, subject, revision, data) "
                            "VALUES ('fy2022', ?1, ?2, ?3, ?4, '', 1, ?5)");
                        insert.bind(1, id);
                        insert.bind(2, role);
                        insert.bind(3, state);
                        insert.bind(4, town);
                        insert.bind(5, data.data(), static_cast<int>(data.size()));
                        insert.exec();
                      };
                      app("offered", v1::Application::OFFERED, "131016", 2);
                      app("offered-alone", v1::Application::OFFERED, "242047", 3);
                      app("accepted", v1::Application::ACCEPTED, "011002", 1);
                      app("waiting", v1::Application::WAITLISTED, "271004", 0);
                      participant("p1", 1, 1, "011002");   // ACTIVE PARTICIPANT
                      participant("p2", 1, 1, "131016");   // ACTIVE PARTICIPANT
                      participant("p3", 1, 2, "401005");   // CANCELLED
                      participant("s1", 2, 1, "472018");   // staff: no seat
                      // Only OFFERED rows' protos are read by the backfill:
                      // another row's blob, even unreadable, is not parsed.
                      db.exec("INSERT INTO cohorts (id, state, revision, data) "
                              "VALUES ('other', 2, 1, x'')");
                      db.exec("INSERT INTO applications (cohort_id, id, state, "
                              "municipality_code, priority, revision, data, submitter) "
                              "VALUES ('other', 'unreadable', 3, '242047', 0, 1, "
                              "x'ffffffffff', '')");
                      return absl::OkStatus();
                    })
                    .ok());
  }
  for (int open = 0; open < 2; ++open) {  // the second open changes nothing
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)
                    ->Read([&](EnrollmentTx& tx) -> absl::Status {
                      auto usage = SeatUsage(tx, "fy2022");
                      EXPECT_TRUE(usage.ok());
                      EXPECT_EQ(usage->seats, 7);  // 2 participants + offers of 2 and 3
                      EXPECT_EQ(usage->municipalities,
                                (std::set<std::string>{"011002", "131016", "242047"}));
                      auto without = SeatUsageWithout(tx, "fy2022", "offered-alone");
                      EXPECT_EQ(without->seats, 4);
                      EXPECT_EQ(without->municipalities.size(), 2u);
                      EXPECT_EQ(Diff(tx, "fy2022"), "");
                      return absl::OkStatus();
                    })
                    .ok());
  }
  SQLite::Database raw(path);
  SQLite::Statement unset(raw,
                          "SELECT COUNT(*) FROM applications WHERE admitted_member_count IS NULL");
  ASSERT_TRUE(unset.executeStep());
  EXPECT_EQ(unset.getColumn(0).getInt(), 0);
  // Rows not OFFERED get 0, whatever their proto says (the column counts
  // only while OFFERED; the next write as OFFERED stores the real count).
  SQLite::Statement counts(raw,
                           "SELECT id, admitted_member_count FROM applications ORDER BY id");
  std::map<std::string, int> count;
  while (counts.executeStep()) {
    count[counts.getColumn(0).getString()] = counts.getColumn(1).getInt();
  }
  // Migration 12: OFFERED rows get their offer deadline from the proto,
  // every other row stays NULL (the lapsed-offer index reads OFFERED only).
  SQLite::Statement deadlines(
      raw, "SELECT id, COALESCE(offer_expire_micros, -1) FROM applications ORDER BY id");
  std::map<std::string, int64_t> deadline;
  while (deadlines.executeStep()) {
    deadline[deadlines.getColumn(0).getString()] = deadlines.getColumn(1).getInt64();
  }
  EXPECT_EQ(deadline, (std::map<std::string, int64_t>{{"accepted", -1},
                                                      {"offered", 1000000000},
                                                      {"offered-alone", 2000000000},
                                                      {"unreadable", -1},
                                                      {"waiting", -1}}));
  EXPECT_EQ(count, (std::map<std::string, int>{{"accepted", 0},
                                               {"offered", 2},
                                               {"offered-alone", 3},
                                               {"unreadable", 0},
                                               {"waiting", 0}}));
}

}  // namespace
}  // namespace kaizen::enrollment
