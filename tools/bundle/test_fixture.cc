#include "tools/bundle/test_fixture.h"

#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"

namespace kaizen::bundle::testing {
namespace {

namespace pv1 = plans::v1;
namespace sv1 = scheduling::v1;
namespace yv1 = survey::v1;

google::protobuf::Timestamp Jst(int y, int m, int d, int hh, int mm) {
  return ToProtoTimestamp(absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), TokyoTimeZone()));
}

void AddMeeting(sv1::SharedAttendance& a, const char* id, const char* title,
                google::protobuf::Timestamp start, sv1::AttendanceStatus status) {
  auto* m = a.add_meetings();
  m->set_meeting(std::string("cohorts/fy2022/meetings/") + id);
  m->set_title(title);
  *m->mutable_start_time() = start;
  m->set_status(status);
}

pv1::SharedPlanStages::SharedPlan TeamPlan() {
  pv1::SharedPlanStages::SharedPlan plan;
  plan.set_plan("cohorts/fy2022/plans/team-a");
  plan.set_title("窓口の待ち時間を半分に");
  plan.set_owner_count(2);
  auto* s = plan.add_stages();
  s->set_stage(pv1::INTERIM);
  s->set_revision(3);
  *s->mutable_submit_time() = Jst(2022, 10, 5, 10, 0);
  s->mutable_content()->set_vision("市民が待たない市役所");
  auto* a = s->mutable_content()->add_actions();
  a->set_id("queue");
  a->set_title("整理券の電子化");
  a->set_target_result(type::SENIORS_AND_BOSSES);
  return plan;
}

Person MakePerson(const char* id, const char* name, bool attendance, bool plan, bool survey) {
  Person p;
  p.participant = std::string("cohorts/fy2022/participants/") + id;
  p.cohort_id = "fy2022";
  p.participant_id = id;
  p.display_name = name;
  p.municipality_code = "242047";
  p.municipality_name = "松阪市";
  p.cohort_title = "2022年度 改善リーダー研修";
  p.share_attendance = attendance;
  p.share_action_plan = plan;
  p.share_survey_profile = survey;
  return p;
}

}  // namespace

sv1::SharedAttendance HanakoAttendance() {
  sv1::SharedAttendance a;
  a.set_participant("cohorts/fy2022/participants/hanako");
  // 2022-03-31 23:30 JST: the day before the period.
  AddMeeting(a, "m0", "事前説明会", Jst(2022, 3, 31, 23, 30), sv1::ABSENT);
  AddMeeting(a, "m1", "第1回 キックオフ", Jst(2022, 4, 1, 0, 30), sv1::PRESENT);
  AddMeeting(a, "m2", "第2回 壁の分析", Jst(2022, 5, 10, 13, 30), sv1::LATE);
  a.set_held(3);
  a.set_attended(2);
  a.set_late(1);
  a.set_rate(2.0 / 3);
  return a;
}

pv1::SharedPlanStages HanakoPlans() {
  pv1::SharedPlanStages p;
  p.set_participant("cohorts/fy2022/participants/hanako");
  auto* own = p.add_plans();
  own->set_plan("cohorts/fy2022/plans/hanako-plan");
  own->set_title("職員提案を人事評価に");
  own->set_owner_count(1);
  auto* s = own->add_stages();
  s->set_stage(pv1::INTERIM);
  s->set_revision(2);
  *s->mutable_submit_time() = Jst(2022, 9, 1, 9, 0);
  s->mutable_content()->set_vision("改善が当たり前に評価される職場");
  auto* w = s->mutable_content()->add_walls();
  w->set_wall(type::HR_EVALUATION);
  w->set_text("評価項目に改善提案を加える");
  auto* f = own->add_stages();
  f->set_stage(pv1::FINAL);
  f->set_revision(5);
  *f->mutable_submit_time() = Jst(2023, 4, 2, 9, 0);  // after the period
  f->mutable_content()->set_vision("期間外の完成版");
  *p.add_plans() = TeamPlan();
  return p;
}

yv1::SharedSurveyProfile HanakoSurvey() {
  yv1::SharedSurveyProfile s;
  s.set_participant("cohorts/fy2022/participants/hanako");
  const type::Wall walls[] = {type::PEERS, type::SENIORS_AND_BOSSES, type::EXECUTIVES,
                              type::HR_EVALUATION};
  const double scores[2][4] = {{2.5, 3.75, 4.2, 3.0}, {2.0, 3.25, 3.8, 2.5}};
  const char* waves[] = {"pre", "follow-up-6"};
  for (int i = 0; i < 2; ++i) {
    auto* w = s.add_waves();
    w->set_wave(std::string("cohorts/fy2022/waves/") + waves[i]);
    w->set_wave_kind(i == 0 ? yv1::Wave::PRE : yv1::Wave::FOLLOW_UP_6);
    *w->mutable_submit_time() = Jst(2022, i == 0 ? 4 : 10, 15, 12, 0);
    for (int k = 0; k < 4; ++k) {
      auto* sc = w->mutable_profile()->add_scales();
      sc->set_scale_id(std::string("wall-") + WallName(walls[k]));
      sc->set_kind(yv1::Scale::WALL);
      sc->set_wall(walls[k]);
      sc->set_has_score(true);
      sc->set_score(scores[i][k]);
      sc->set_has_percentile(k != 3);
      sc->set_percentile(40 + 10 * k);
    }
    w->mutable_profile()->add_walls_ranked(type::EXECUTIVES);
    w->mutable_profile()->add_walls_ranked(type::SENIORS_AND_BOSSES);
  }
  auto* t = s.add_shared_text();
  t->set_wave("cohorts/fy2022/waves/pre");
  t->set_item_id("q-free");
  t->set_question("研修で変えたいことは？");
  t->set_text("窓口の雰囲気");
  return s;
}

BundleData FixtureBundle() {
  Period period{absl::CivilDay(2022, 4, 1), absl::CivilDay(2023, 3, 31)};
  BundleData data;
  data.bundle_id = "242047-fixture";
  data.municipality_code = "242047";
  data.municipality_name = "松阪市";
  data.period = period;
  data.create_time = absl::FromCivil(absl::CivilSecond(2022, 7, 1, 9, 0, 0), TokyoTimeZone());

  PersonResults hanako;
  hanako.person = MakePerson("hanako", "松阪 花子", true, true, true);
  hanako.attendance = AttendanceInPeriod(HanakoAttendance(), period);
  hanako.plans = PlanStagesInPeriod(HanakoPlans(), period);
  hanako.survey = SurveyInPeriod(HanakoSurvey(), period);

  PersonResults taro;
  taro.person = MakePerson("taro", "=伊勢 太郎", true, true, false);
  sv1::SharedAttendance a;
  a.set_participant(taro.person.participant);
  AddMeeting(a, "m1", "第1回 キックオフ", Jst(2022, 4, 1, 0, 30), sv1::PRESENT);
  taro.attendance = AttendanceInPeriod(a, period);
  pv1::SharedPlanStages p;
  p.set_participant(taro.person.participant);
  *p.add_plans() = TeamPlan();
  taro.plans = PlanStagesInPeriod(p, period);

  data.people = {hanako, taro};
  return data;
}

}  // namespace kaizen::bundle::testing
