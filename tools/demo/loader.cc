// The Loader's clients and its first step, the programme: the demo cohort,
// its staff, the applications and the meeting series; and what the plans
// step needs of enrollment and scheduling: the roster, the stage meetings
// and the attendance.
#include "tools/demo/loader.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/principal_context.h"
#include "common/util/proto_time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace kaizen::demo {

Principal Subject(const std::string& subject, kaizen::type::Role role) {
  Principal p;
  p.set_subject(subject);
  p.add_roles(role);
  return p;
}

Loader::Loader(const std::string& secret)
    : signer_(secret),
      enrollment_(ev1::EnrollmentService::NewStub(grpc::CreateChannel(
          absl::GetFlag(FLAGS_enrollment), grpc::InsecureChannelCredentials()))),
      scheduling_(sv1::SchedulingService::NewStub(grpc::CreateChannel(
          absl::GetFlag(FLAGS_scheduling), grpc::InsecureChannelCredentials()))) {
  if (!absl::GetFlag(FLAGS_plans).empty()) {
    plans_ = pv1::PlansService::NewStub(grpc::CreateChannel(
        absl::GetFlag(FLAGS_plans), grpc::InsecureChannelCredentials()));
  }
  if (!absl::GetFlag(FLAGS_survey).empty()) {
    survey_ = svv1::SurveyService::NewStub(grpc::CreateChannel(
        absl::GetFlag(FLAGS_survey), grpc::InsecureChannelCredentials()));
  }
}

std::unique_ptr<grpc::ClientContext> Loader::As(const Principal& p) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  kaizen::server::AttachPrincipal(p, signer_, c.get());
  return c;
}

bool Loader::Check(const grpc::Status& s, const std::string& what) {
  if (s.ok()) return true;
  std::fprintf(stderr, "load_demo_data: %s failed: %s (code %d)\n", what.c_str(),
               s.error_message().c_str(), static_cast<int>(s.error_code()));
  return false;
}

int Loader::Run() {
  if (const int programme = LoadProgramme(); programme != 0) return programme;
  if (plans_ != nullptr) {
    if (const int plans = LoadPlans(); plans != 0) return plans;
  }
  return survey_ != nullptr ? LoadSurveys() : 0;
}

// The cohort, its staff, the applications and the meeting series; nothing
// if the cohort exists.
int Loader::LoadProgramme() {
  const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
  const std::string cohort_name = "cohorts/" + absl::GetFlag(FLAGS_cohort_id);
  {
    ev1::GetCohortRequest get;
    get.set_name(cohort_name);
    ev1::Cohort existing;
    grpc::Status s = enrollment_->GetCohort(As(secretariat).get(), get, &existing);
    if (s.ok()) {
      std::printf("demo data: %s already loaded\n", cohort_name.c_str());
      return 0;
    }
    if (s.error_code() != grpc::StatusCode::NOT_FOUND) return Check(s, "GetCohort") ? 0 : 1;
  }

  ev1::CreateCohortRequest create;
  create.set_cohort_id(absl::GetFlag(FLAGS_cohort_id));
  create.set_request_id("demo-cohort");
  ev1::Cohort* c = create.mutable_cohort();
  c->set_title("2022年度 次世代改善リーダー事例研究会");
  c->set_fiscal_year(2022);
  c->set_capacity(10);
  c->set_max_municipalities(6);
  c->mutable_eligibility()->set_min_age(20);
  c->mutable_eligibility()->set_max_age(39);
  c->mutable_eligibility()->mutable_age_reference_date()->set_year(2022);
  c->mutable_eligibility()->mutable_age_reference_date()->set_month(7);
  c->mutable_eligibility()->mutable_age_reference_date()->set_day(24);
  c->mutable_fee()->set_currency_code("JPY");
  c->mutable_fee()->set_units(10000);
  auto book = [&](const char* id, const char* title, int y, int m, int d) {
    ev1::IncludedItem* i = c->add_included_items();
    i->set_id(id);
    i->set_title(title);
    i->mutable_available_date()->set_year(y);
    i->mutable_available_date()->set_month(m);
    i->mutable_available_date()->set_day(d);
  };
  book("kaizen-undo", "『自治体経営を変える改善運動』", 2022, 5, 1);
  book("shin-kaizen-bon", "『新改善本』", 2022, 9, 15);
  *c->mutable_application_open_time() = kaizen::ToProtoTimestamp(absl::Now() - absl::Hours(24));
  *c->mutable_application_close_time() =
      kaizen::ToProtoTimestamp(absl::Now() + absl::Hours(24 * 60));
  ev1::Cohort cohort;
  if (!Check(enrollment_->CreateCohort(As(secretariat).get(), create, &cohort), "CreateCohort")) {
    return 1;
  }
  ev1::TransitionCohortRequest open;
  open.set_name(cohort.name());
  open.set_state(ev1::Cohort::OPEN);
  if (!Check(enrollment_->TransitionCohort(As(secretariat).get(), open, &cohort), "open")) {
    return 1;
  }

  struct Staff {
    const char* subject;
    const char* name;
    const char* kana;
    ev1::Participant::Role role;
    const char* town;
  };
  const Staff staff[] = {
      {"demo-navigator", "中村 進", "なかむら すすむ", ev1::Participant::NAVIGATOR, "242047"},
      {"demo-advisor", "小川 恵美", "おがわ えみ", ev1::Participant::ADVISOR, ""},
      {"demo-observer", "森 健一", "もり けんいち", ev1::Participant::OBSERVER, ""},
      {"demo-secretariat", "石井 和子", "いしい かずこ", ev1::Participant::SECRETARIAT, ""},
  };
  for (const Staff& s : staff) {
    ev1::CreateParticipantRequest r;
    r.set_parent(cohort.name());
    r.set_request_id(absl::StrCat("demo-", s.subject));
    r.mutable_participant()->set_subject(s.subject);
    r.mutable_participant()->set_display_name(s.name);
    r.mutable_participant()->set_kana(s.kana);
    r.mutable_participant()->set_role(s.role);
    r.mutable_participant()->set_municipality_code(s.town);
    ev1::Participant p;
    if (!Check(enrollment_->CreateParticipant(As(secretariat).get(), r, &p), "staff")) return 1;
  }

  // 12 people from 7 municipalities; one team of three. In this order the
  // first 10 seats go to 6 towns, the 7th town waits, and so does the last.
  struct Applicant {
    const char* name;
    const char* kana;
    const char* town;
    int team;  // members in this application (first row of a team)
  };
  const Applicant people[] = {
      {"青木 陽向", "あおき ひなた", "011002", 3},  // 札幌市 team
      {"井上 湊", "いのうえ みなと", "011002", 0},
      {"上田 結衣", "うえだ ゆい", "011002", 0},
      {"江口 蓮", "えぐち れん", "131016", 1},      // 千代田区
      {"大野 葵", "おおの あおい", "242047", 1},    // 松阪市
      {"加藤 大和", "かとう やまと", "271004", 1},  // 大阪市
      {"木村 さくら", "きむら さくら", "401005", 1},  // 北九州市
      {"工藤 悠真", "くどう ゆうま", "012025", 1},  // 函館市
      {"小林 芽依", "こばやし めい", "472018", 1},  // 那覇市: the 7th town
      {"斎藤 颯", "さいとう はやて", "131016", 1},
      {"佐々木 凛", "ささき りん", "242047", 1},
      {"清水 樹", "しみず いつき", "271004", 1},    // cohort full by now
  };
  int accepted = 0, waiting = 0;
  for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); ++i) {
    if (people[i].team == 0) continue;
    ev1::CreateApplicationRequest r;
    r.set_parent(cohort.name());
    r.set_request_id(absl::StrCat("demo-application-", i));
    for (int m = 0; m < people[i].team; ++m) {
      const Applicant& a = people[i + m];
      ev1::Applicant* out = r.mutable_application()->add_members();
      out->set_display_name(a.name);
      out->set_kana(a.kana);
      out->set_email(absl::StrCat("demo", i + m + 1, "@example.jp"));
      out->set_municipality_code(a.town);
      out->set_department("企画部 行政改革課");
      out->mutable_birth_date()->set_year(1990 + static_cast<int>(i % 8));
      out->mutable_birth_date()->set_month(4);
      out->mutable_birth_date()->set_day(1);
      out->set_motivation("同僚を巻き込み、改善の旗手になりたい。");
      out->mutable_consent()->set_share_attendance(true);
      out->mutable_consent()->set_share_action_plan(i % 2 == 0);
    }
    ev1::Application app;
    const Principal applicant =
        Subject(absl::StrCat("demo-participant-", i + 1), kaizen::type::ROLE_PARTICIPANT);
    if (!Check(enrollment_->CreateApplication(As(applicant).get(), r, &app), "apply")) return 1;
    if (app.state() == ev1::Application::ACCEPTED) accepted += app.admitted_member_count();
    if (app.state() == ev1::Application::WAITLISTED) ++waiting;
  }

  sv1::CreateMeetingSeriesRequest series;
  series.set_parent(cohort.name());
  series.set_template_("templates/next-gen-leaders-fy2022");
  series.set_start_year(2022);
  *series.mutable_first_meeting_start() =
      kaizen::ToProtoTimestamp(absl::FromUnixSeconds(1658620800));  // 2022-07-24 09:00 JST
  series.set_online_url("https://meet.example.jp/kaizen-fy2022");
  sv1::CreateMeetingSeriesResponse meetings;
  if (!Check(scheduling_->CreateMeetingSeries(As(secretariat).get(), series, &meetings),
             "CreateMeetingSeries")) {
    return 1;
  }
  std::printf("demo data: %s with %d accepted, %d applications waiting, %d meetings\n",
              cohort.name().c_str(), accepted, waiting, meetings.meetings_size());
  return 0;
}

// Every participant of the cohort, page by page, as the secretariat.
bool Loader::Participants(const std::string& cohort, std::vector<ev1::Participant>* out) {
  const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
  ev1::ListParticipantsRequest r;
  r.set_parent(cohort);
  r.set_page_size(500);
  do {
    ev1::ListParticipantsResponse page;
    if (!Check(enrollment_->ListParticipants(As(secretariat).get(), r, &page),
               "ListParticipants")) {
      return false;
    }
    for (ev1::Participant& p : *page.mutable_participants()) out->push_back(std::move(p));
    r.set_page_token(page.next_page_token());
  } while (!r.page_token().empty());
  return true;
}

// The cohort's roster by display name.
bool Loader::Roster(const std::string& cohort, std::map<std::string, Person>* people) {
  std::vector<ev1::Participant> all;
  if (!Participants(cohort, &all)) return false;
  for (const ev1::Participant& p : all) {
    (*people)[p.display_name()] = Person{p.name(), p.subject(), p.role()};
  }
  return true;
}

// The stage meetings (6, 7, 8) and their starts. One that has no date yet
// is confirmed on its FY2022 date (a Sunday, 09:00 JST); a meeting that has
// one keeps it.
bool Loader::StageMeetings(const std::string& cohort, std::map<pv1::Stage, absl::Time>* starts) {
  const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
  const struct {
    pv1::Stage stage;
    int sequence;
    int64_t start;
  } rows[] = {
      {pv1::INTERIM, 6, 1671321600},    // 2022-12-18 09:00 JST
      {pv1::FOLLOW_UP, 7, 1687046400},  // 2023-06-18 09:00 JST
      {pv1::FINAL, 8, 1702771200},      // 2023-12-17 09:00 JST
  };
  for (const auto& row : rows) {
    sv1::GetMeetingRequest get;
    get.set_name(absl::StrCat(cohort, "/meetings/m", row.sequence));
    sv1::Meeting meeting;
    if (!Check(scheduling_->GetMeeting(As(secretariat).get(), get, &meeting), "GetMeeting")) {
      return false;
    }
    if (meeting.state() == sv1::Meeting::UNSCHEDULED) {
      sv1::ScheduleMeetingRequest schedule;
      schedule.set_name(meeting.name());
      *schedule.mutable_start_time() = kaizen::ToProtoTimestamp(absl::FromUnixSeconds(row.start));
      schedule.set_reason("デモデータ: 2022年度の開催日");
      if (!Check(scheduling_->ScheduleMeeting(As(secretariat).get(), schedule, &meeting),
                 "ScheduleMeeting")) {
        return false;
      }
    }
    if (meeting.state() != sv1::Meeting::CONFIRMED) {
      std::fprintf(stderr, "load_demo_data: %s has no confirmed time; no demo plans\n",
                   meeting.name().c_str());
      return false;
    }
    (*starts)[row.stage] = kaizen::FromProtoTimestamp(meeting.start_time());
  }
  return true;
}

// Attendance at the meetings held on fixed dates (1, 6, 7, 8), as the
// navigator took it: most present, a few late or absent (stable per person
// and meeting). Recording the same sheet again changes nothing.
bool Loader::RecordDemoAttendance(const std::string& cohort,
                                  const std::map<std::string, Person>& people) {
  const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
  for (int sequence : {1, 6, 7, 8}) {
    sv1::RecordAttendanceRequest r;
    r.set_meeting(absl::StrCat(cohort, "/meetings/m", sequence));
    for (const auto& [display_name, person] : people) {
      if (person.role != ev1::Participant::PARTICIPANT) continue;
      const size_t roll = std::hash<std::string>()(absl::StrCat(display_name, sequence)) % 10;
      sv1::MeetingAttendance::Record* record = r.add_records();
      record->set_participant(person.name);
      record->set_status(roll == 0 ? sv1::ABSENT : roll == 1 ? sv1::LATE : sv1::PRESENT);
    }
    sv1::MeetingAttendance sheet;
    if (!Check(scheduling_->RecordAttendance(As(secretariat).get(), r, &sheet),
               "RecordAttendance")) {
      return false;
    }
  }
  return true;
}

}  // namespace kaizen::demo
