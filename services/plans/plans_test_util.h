// Builders for plans tests: the FY2022 roster (fake enrollment), meetings 6-8
// (fake scheduling), principals for each person, and valid plan content.
#ifndef KAIZEN_SERVICES_PLANS_PLANS_TEST_UTIL_H_
#define KAIZEN_SERVICES_PLANS_PLANS_TEST_UTIL_H_

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/enrollment/fake_roster_source.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "common/util/clock.h"
#include "gtest/gtest.h"
#include "services/plans/outcomes.h"
#include "services/plans/plans.h"
#include "services/plans/plans_store.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/plans/v1/plans.pb.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"

namespace kaizen::plans::testing {

namespace ev1 = ::kaizen::enrollment::v1;
namespace sv1 = ::kaizen::scheduling::v1;
using ::kaizen::type::Principal;

inline constexpr char kCohort[] = "cohorts/fy2022";

// YYYY-MM-DD HH:MM in Asia/Tokyo.
inline absl::Time Tokyo(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::FixedTimeZone(9 * 3600));
}

// Meeting 6 (INTERIM) 2022-12-18 09:00, 7 (FOLLOW_UP) 2023-06-18 09:00,
// 8 (FINAL) 2023-12-17 09:00, all JST and confirmed.
inline absl::Time Meeting6() { return Tokyo(2022, 12, 18, 9); }
inline absl::Time Meeting7() { return Tokyo(2023, 6, 18, 9); }
inline absl::Time Meeting8() { return Tokyo(2023, 12, 17, 9); }

inline std::string Person(const std::string& id) {
  return absl::StrCat(kCohort, "/participants/", id);
}

// A roster: navigator, advisor, observer, and participants p1..p4 (p1, p2
// from 242047 as a team; p3, p4 elsewhere). Subjects "user-<id>".
inline ev1::Roster Fy2022Roster() {
  ev1::Roster roster;
  roster.set_cohort(kCohort);
  auto add = [&](const std::string& id, const std::string& name, ev1::Participant::Role role,
                 const std::string& town) {
    auto* e = roster.add_entries();
    e->set_participant(Person(id));
    e->set_display_name(name);
    e->set_role(role);
    e->set_municipality_code(town);
    e->set_subject("user-" + id);
  };
  add("navigator", "中村 進", ev1::Participant::NAVIGATOR, "242047");
  add("advisor", "小川 恵美", ev1::Participant::ADVISOR, "");
  add("observer", "観察 太郎", ev1::Participant::OBSERVER, "");
  add("p1", "山田 太郎", ev1::Participant::PARTICIPANT, "242047");
  add("p2", "佐藤 花子", ev1::Participant::PARTICIPANT, "242047");
  add("p3", "鈴木 一郎", ev1::Participant::PARTICIPANT, "131016");
  add("p4", "高橋 美咲", ev1::Participant::PARTICIPANT, "271004");
  return roster;
}

inline sv1::Meeting ConfirmedMeeting(int sequence, absl::Time start) {
  sv1::Meeting m;
  m.set_name(absl::StrCat(kCohort, "/meetings/m", sequence));
  m.set_sequence(sequence);
  m.set_state(sv1::Meeting::CONFIRMED);
  *m.mutable_start_time() = ToProtoTimestamp(start);
  *m.mutable_end_time() = ToProtoTimestamp(start + absl::Hours(3));
  return m;
}

inline void AddFy2022Meetings(scheduling_client::FakeMeetingSource& meetings) {
  meetings.SetMeeting(ConfirmedMeeting(6, Meeting6()));
  meetings.SetMeeting(ConfirmedMeeting(7, Meeting7()));
  meetings.SetMeeting(ConfirmedMeeting(8, Meeting8()));
}

inline Principal As(const std::string& id, kaizen::type::Role role) {
  return ::kaizen::testkit::User("user-" + id, role);
}
inline Principal Participant(int n) {
  return As(absl::StrCat("p", n), kaizen::type::ROLE_PARTICIPANT);
}
inline Principal Navigator() { return As("navigator", kaizen::type::ROLE_NAVIGATOR); }
inline Principal Advisor() { return As("advisor", kaizen::type::ROLE_ADVISOR); }
inline Principal Observer() { return As("observer", kaizen::type::ROLE_OBSERVER); }
inline Principal Secretariat() { return ::kaizen::testkit::Secretariat(); }
inline Principal Stranger() { return As("stranger", kaizen::type::ROLE_PARTICIPANT); }

// A plan draft with a vision, two walls and two actions (a1 targets PEERS,
// a2 EXECUTIVES), in Japanese.
inline v1::PlanContent SampleContent() {
  v1::PlanContent c;
  c.set_vision("5年後、職場の改善運動の旗手として、同僚と一緒に業務を変えている。");
  auto* w1 = c.add_walls();
  w1->set_wall(kaizen::type::PEERS);
  w1->set_text("同僚に声をかけても忙しいと言われる。");
  auto* w2 = c.add_walls();
  w2->set_wall(kaizen::type::EXECUTIVES);
  w2->set_text("提案が課長で止まってしまう。");
  auto* a1 = c.add_actions();
  a1->set_id("a1");
  a1->set_title("係内で小さな改善を毎月一つ共有する");
  a1->set_description("朝会で5分、改善事例を紹介する。");
  a1->set_target_result(kaizen::type::PEERS);
  a1->add_stakeholders(v1::PEERS_AROUND);
  a1->set_timeframe("2023年度上期");
  a1->set_indicator("参加者数");
  a1->set_status(v1::Action::PLANNED);
  auto* a2 = c.add_actions();
  a2->set_id("a2");
  a2->set_title("部長への提案会を設ける");
  a2->set_target_result(kaizen::type::EXECUTIVES);
  a2->add_stakeholders(v1::EXECUTIVE_TEAM);
  a2->set_status(v1::Action::PLANNED);
  auto* m = c.add_milestones();
  m->set_title("最初の提案会");
  m->mutable_target_date()->set_year(2023);
  m->mutable_target_date()->set_month(3);
  m->mutable_target_date()->set_day(31);
  return c;
}

// The domain on in-memory SQLite with fake enrollment and scheduling, a fake
// clock at 2022-11-01 10:00 JST (before meeting 6) and no survey.
class PlansTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = PlansStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    roster_.SetRoster(Fy2022Roster());
    AddFy2022Meetings(meetings_);
    clock_.Set(Tokyo(2022, 11, 1, 10));
    plans_ = std::make_unique<Plans>(store_.get(), &roster_, &meetings_, &outcomes_, &clock_,
                                     PlansConfig{"plans-page-key-0123456789"});
  }

  // A plan of participant `n` (created by them) with SampleContent().
  v1::Plan CreateFor(int n, const std::string& title = "旗手への5年計画") {
    v1::CreatePlanRequest r;
    r.set_parent(kCohort);
    r.mutable_plan()->set_title(title);
    *r.mutable_plan()->mutable_draft() = SampleContent();
    auto plan = plans_->CreatePlan(Participant(n), r);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return plan.ok() ? *plan : v1::Plan();
  }

  // Commits the plan's draft as `principal`; returns the revision.
  v1::Revision Commit(const Principal& principal, const std::string& plan_name,
                      const std::string& message = "") {
    auto plan = plans_->GetPlan(principal, [&] {
      v1::GetPlanRequest g;
      g.set_name(plan_name);
      return g;
    }());
    EXPECT_TRUE(plan.ok()) << plan.status();
    v1::CommitRevisionRequest c;
    c.set_name(plan_name);
    c.set_etag(plan.ok() ? plan->etag() : "");
    c.set_message(message);
    auto rev = plans_->CommitRevision(principal, c);
    EXPECT_TRUE(rev.ok()) << rev.status();
    return rev.ok() ? *rev : v1::Revision();
  }

  std::unique_ptr<PlansStore> store_;
  enrollment_client::FakeRosterSource roster_;
  scheduling_client::FakeMeetingSource meetings_;
  NoSurveyOutcomeSource outcomes_;
  FakeClock clock_;
  std::unique_ptr<Plans> plans_;
};

}  // namespace kaizen::plans::testing

#endif  // KAIZEN_SERVICES_PLANS_PLANS_TEST_UTIL_H_
