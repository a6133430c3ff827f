#include "tools/bundle/render_csv.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/util/excel_csv.h"
#include "common/util/proto_time.h"

namespace kaizen::bundle {
namespace {

constexpr type::Wall kWalls[] = {type::PEERS, type::SENIORS_AND_BOSSES, type::EXECUTIVES,
                                 type::HR_EVALUATION};

// Every row starts with these (who, and the employer code kept as text).
std::vector<std::string> PersonColumns(const std::string& key, const Person& p) {
  return {key, p.participant, p.display_name, ExcelText(p.municipality_code),
          p.municipality_name, p.cohort_title};
}
const std::vector<std::string> kPersonHeader = {
    "record_key", "participant", "display_name", "municipality_code", "municipality_name",
    "cohort_title"};

std::vector<std::string> Header(std::vector<std::string> more) {
  std::vector<std::string> h = kPersonHeader;
  h.insert(h.end(), more.begin(), more.end());
  return h;
}

void Sort(CsvTable& t) {
  // Key, then participant: deterministic whatever the fetch order.
  std::sort(t.rows.begin(), t.rows.end(), [](const auto& a, const auto& b) {
    return std::tie(a[0], a[1]) < std::tie(b[0], b[1]);
  });
}

std::string CsvTime(const google::protobuf::Timestamp& t) {
  return TokyoMinute(FromProtoTimestamp(t));
}

}  // namespace

std::string RenderAttendanceCsv(const BundleData& data) {
  CsvTable t;
  t.header = Header({"meeting", "meeting_title", "start_time_jst", "status", "status_ja"});
  for (const PersonResults& r : data.people) {
    if (!r.attendance) continue;
    for (const auto& m : r.attendance->meetings()) {
      std::vector<std::string> row = PersonColumns(AttendanceKey(r.person, m.meeting()), r.person);
      row.insert(row.end(), {m.meeting(), m.title(), CsvTime(m.start_time()),
                             StatusName(m.status()), StatusLabelJa(m.status())});
      t.rows.push_back(std::move(row));
    }
  }
  Sort(t);
  return RenderExcelCsv(t);
}

std::string RenderPlanStagesCsv(const BundleData& data) {
  CsvTable t;
  t.header = Header({"plan", "plan_title", "owner_count", "stage", "stage_ja", "revision",
                     "submit_time_jst", "late", "vision", "actions"});
  for (const PersonResults& r : data.people) {
    if (!r.plans) continue;
    for (const auto& plan : r.plans->plans()) {
      for (const auto& s : plan.stages()) {
        std::vector<std::string> actions;
        for (const auto& a : s.content().actions()) actions.push_back(a.title());
        std::vector<std::string> row =
            PersonColumns(PlanStageKey(plan.plan(), s.stage()), r.person);
        row.insert(row.end(), {plan.plan(), plan.title(), absl::StrCat(plan.owner_count()),
                               StageName(s.stage()), StageLabelJa(s.stage()),
                               absl::StrCat(s.revision()), CsvTime(s.submit_time()),
                               s.late() ? "true" : "false", s.content().vision(),
                               absl::StrJoin(actions, "\n")});
        t.rows.push_back(std::move(row));
      }
    }
  }
  Sort(t);
  return RenderExcelCsv(t);
}

std::string RenderSurveyProfilesCsv(const BundleData& data) {
  CsvTable t;
  std::vector<std::string> more = {"wave", "wave_kind", "submit_time_jst"};
  for (type::Wall w : kWalls) {
    // No percentile: partners get the pool-free profile (survey.proto).
    more.push_back(absl::StrCat(WallName(w), "_score"));
  }
  more.push_back("walls_ranked");
  t.header = Header(more);
  for (const PersonResults& r : data.people) {
    if (!r.survey) continue;
    for (const auto& w : r.survey->waves()) {
      std::vector<std::string> row = PersonColumns(SurveyKey(r.person, w.wave()), r.person);
      row.insert(row.end(), {w.wave(), survey::v1::Wave::Kind_Name(w.wave_kind()),
                             CsvTime(w.submit_time())});
      for (type::Wall wall : kWalls) {
        std::string score;
        for (const auto& s : w.profile().scales()) {
          if (s.kind() != survey::v1::Scale::WALL || s.wall() != wall) continue;
          if (s.has_score()) score = absl::StrFormat("%.2f", s.score());
        }
        row.push_back(score);
      }
      std::vector<std::string> ranked;
      for (int wall : w.profile().walls_ranked()) {
        ranked.push_back(WallName(static_cast<type::Wall>(wall)));
      }
      row.push_back(absl::StrJoin(ranked, " > "));
      t.rows.push_back(std::move(row));
    }
  }
  Sort(t);
  return RenderExcelCsv(t);
}

}  // namespace kaizen::bundle
