#include "tools/bundle/model.h"

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"
#include "tools/bundle/bundle_errors.h"

namespace kaizen::bundle {

namespace ev1 = enrollment::v1;
namespace pv1 = plans::v1;
namespace sv1 = scheduling::v1;
namespace yv1 = survey::v1;

bool Period::Contains(absl::Time t) const {
  absl::CivilDay day = absl::ToCivilDay(t, TokyoTimeZone());
  return day >= from && day <= to;
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text, absl::string_view flag) {
  absl::CivilDay day;
  // ParseCivilTime accepts exactly YYYY-MM-DD and refuses 2023-02-30.
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day)) {
    return InvalidFlag(flag, "must be a date YYYY-MM-DD");
  }
  return day;
}

bool IsValidBundleId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

namespace {
bool IsId(absl::string_view s) {
  return !s.empty() && s.size() <= 63 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}
}  // namespace

bool SplitParticipant(absl::string_view name, std::string* cohort, std::string* participant) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != 4 || parts[0] != "cohorts" || parts[2] != "participants" ||
      !IsId(parts[1]) || !IsId(parts[3])) {
    return false;
  }
  *cohort = std::string(parts[1]);
  *participant = std::string(parts[3]);
  return true;
}

std::string LastSegment(absl::string_view name) {
  size_t slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name : name.substr(slash + 1));
}

std::vector<Person> PeopleFromFeed(const std::vector<ev1::Change>& changes,
                                   absl::string_view municipality_code) {
  // Only enrollment's own kinds. UPSERTED carries the consent as it is now
  // (the feed projects through current consent), so the latest one decides.
  // RESULT_CHANGED / RESULT_WITHDRAWN are ignored: a bundle pulls everything
  // anyway, and across sources the feed is not in time order, so replaying a
  // withdrawal could wrongly cancel a later re-grant; a category withdrawn
  // since is refused by its service (NOT_SHARED_WITH_PARTNER) and skipped.
  std::map<std::string, const ev1::Change*> latest;  // by participant name
  for (const ev1::Change& c : changes) {
    if (c.kind() == ev1::Change::UPSERTED) {
      latest[c.participant()] = &c;
    } else if (c.kind() == ev1::Change::DELETED) {
      latest.erase(c.participant());
    }
  }
  std::vector<Person> people;
  for (const auto& [name, c] : latest) {
    if (c->state() != ev1::Participant::ACTIVE) continue;
    if (c->municipality_code() != municipality_code) continue;
    Person p;
    if (!SplitParticipant(name, &p.cohort_id, &p.participant_id)) continue;
    p.participant = name;
    p.share_attendance = c->consent().share_attendance();
    p.share_action_plan = c->consent().share_action_plan();
    p.share_survey_profile = c->consent().share_survey_profile();
    if (!p.share_attendance && !p.share_action_plan && !p.share_survey_profile) continue;
    p.display_name = StripBidiControls(c->display_name());
    p.municipality_code = c->municipality_code();
    p.municipality_name = StripBidiControls(c->municipality_name());
    p.cohort_title = StripBidiControls(c->cohort_title());
    people.push_back(std::move(p));
  }
  return people;  // std::map iterates in name order
}

sv1::SharedAttendance AttendanceInPeriod(const sv1::SharedAttendance& a, const Period& period) {
  sv1::SharedAttendance out;
  out.set_participant(a.participant());
  for (const auto& m : a.meetings()) {
    if (!period.Contains(FromProtoTimestamp(m.start_time()))) continue;
    *out.add_meetings() = m;
    out.set_held(out.held() + 1);
    if (m.status() == sv1::PRESENT || m.status() == sv1::LATE) {
      out.set_attended(out.attended() + 1);
    }
    if (m.status() == sv1::LATE) out.set_late(out.late() + 1);
  }
  out.set_rate(out.held() == 0 ? 0.0 : static_cast<double>(out.attended()) / out.held());
  return out;
}

pv1::SharedPlanStages PlanStagesInPeriod(const pv1::SharedPlanStages& p, const Period& period) {
  pv1::SharedPlanStages out;
  out.set_participant(p.participant());
  for (const auto& plan : p.plans()) {
    pv1::SharedPlanStages::SharedPlan kept = plan;
    kept.clear_stages();
    for (const auto& stage : plan.stages()) {
      if (period.Contains(FromProtoTimestamp(stage.submit_time()))) *kept.add_stages() = stage;
    }
    if (kept.stages_size() > 0) *out.add_plans() = std::move(kept);
  }
  return out;
}

yv1::SharedSurveyProfile SurveyInPeriod(const yv1::SharedSurveyProfile& s, const Period& period) {
  yv1::SharedSurveyProfile out;
  out.set_participant(s.participant());
  std::vector<std::string> waves;
  for (const auto& w : s.waves()) {
    if (!period.Contains(FromProtoTimestamp(w.submit_time()))) continue;
    *out.add_waves() = w;
    waves.push_back(w.wave());
  }
  for (const auto& t : s.shared_text()) {
    if (std::find(waves.begin(), waves.end(), t.wave()) != waves.end()) {
      *out.add_shared_text() = t;
    }
  }
  return out;
}

std::string StripBidiControls(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    // All of them are 3-byte UTF-8: E2 80 8E/8F, E2 80 AA..AE, E2 81 A6..A9.
    if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xE2) {
      unsigned char b1 = text[i + 1], b2 = text[i + 2];
      if ((b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (b2 >= 0xAA && b2 <= 0xAE))) ||
          (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9)) {
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

void StripBidiControls(google::protobuf::Message* message) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*message, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*message, f); ++i) {
          r->SetRepeatedString(message, f, i,
                               StripBidiControls(r->GetRepeatedString(*message, f, i)));
        }
      } else {
        r->SetString(message, f, StripBidiControls(r->GetString(*message, f)));
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*message, f); ++i) {
          StripBidiControls(r->MutableRepeatedMessage(message, f, i));
        }
      } else {
        StripBidiControls(r->MutableMessage(message, f));
      }
    }
  }
}

bool HasResultsInPeriod(const PersonResults& r) {
  return (r.attendance && r.attendance->meetings_size() > 0) ||
         (r.plans && r.plans->plans_size() > 0) || (r.survey && r.survey->waves_size() > 0);
}

std::string PersonKey(const Person& p) {
  return absl::StrCat("person/", p.cohort_id, "/", p.participant_id);
}
std::string AttendanceKey(const Person& p, absl::string_view meeting) {
  return absl::StrCat("attendance/", p.cohort_id, "/", p.participant_id, "/",
                      LastSegment(meeting));
}
std::string PlanStageKey(absl::string_view plan, pv1::Stage stage) {
  // plan = "cohorts/{c}/plans/{plan}"
  std::vector<absl::string_view> parts = absl::StrSplit(plan, '/');
  std::string cohort = parts.size() == 4 ? std::string(parts[1]) : "";
  return absl::StrCat("plan_stage/", cohort, "/", LastSegment(plan), "/", StageName(stage));
}
std::string SurveyKey(const Person& p, absl::string_view wave) {
  return absl::StrCat("survey_profile/", p.cohort_id, "/", p.participant_id, "/",
                      LastSegment(wave));
}

const char* StageName(pv1::Stage stage) {
  switch (stage) {
    case pv1::INTERIM: return "INTERIM";
    case pv1::FOLLOW_UP: return "FOLLOW_UP";
    case pv1::FINAL: return "FINAL";
    default: return "STAGE_UNSPECIFIED";
  }
}
const char* StageLabelJa(pv1::Stage stage) {
  switch (stage) {
    case pv1::INTERIM: return "時点版";
    case pv1::FOLLOW_UP: return "軌道修正版";
    case pv1::FINAL: return "完成版";
    default: return "不明";
  }
}
const char* StatusName(sv1::AttendanceStatus s) {
  switch (s) {
    case sv1::PRESENT: return "PRESENT";
    case sv1::LATE: return "LATE";
    case sv1::ABSENT: return "ABSENT";
    default: return "UNRECORDED";
  }
}
const char* StatusLabelJa(sv1::AttendanceStatus s) {
  switch (s) {
    case sv1::PRESENT: return "出席";
    case sv1::LATE: return "遅刻";
    case sv1::ABSENT: return "欠席";
    default: return "未記録";
  }
}
const char* WallName(type::Wall wall) {
  switch (wall) {
    case type::PEERS: return "PEERS";
    case type::SENIORS_AND_BOSSES: return "SENIORS_AND_BOSSES";
    case type::EXECUTIVES: return "EXECUTIVES";
    case type::HR_EVALUATION: return "HR_EVALUATION";
    default: return "WALL_UNSPECIFIED";
  }
}
const char* WallLabelJa(type::Wall wall) {
  switch (wall) {
    case type::PEERS: return "同僚の壁";
    case type::SENIORS_AND_BOSSES: return "上司の壁";
    case type::EXECUTIVES: return "経営幹部の壁";
    case type::HR_EVALUATION: return "人事評価の壁";
    default: return "不明";
  }
}
const char* WallGoalJa(type::Wall wall) {
  switch (wall) {
    case type::PEERS: return "身近な仲間を巻き込める";
    case type::SENIORS_AND_BOSSES: return "先輩上司を支援者に変える";
    case type::EXECUTIVES: return "経営幹部に提案が届く";
    case type::HR_EVALUATION: return "改善活動が人事評価に反映される";
    default: return "不明";
  }
}
const char* WaveKindLabelJa(yv1::Wave::Kind kind) {
  switch (kind) {
    case yv1::Wave::PRE: return "事前";
    case yv1::Wave::FOLLOW_UP_6: return "6か月後";
    case yv1::Wave::FOLLOW_UP_12: return "12か月後";
    default: return "不明";
  }
}

std::string TokyoMinute(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", t, TokyoTimeZone());
}
std::string TokyoRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, TokyoTimeZone());
}

}  // namespace kaizen::bundle
