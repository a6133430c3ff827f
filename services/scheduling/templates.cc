#include "services/scheduling/templates.h"

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/scheduling/scheduling_errors.h"

namespace kaizen::scheduling {

const std::vector<v1::Template>& BuiltInTemplates() {
  static const auto* const kTemplates = [] {
    struct Row {
      int year_offset, month;
      const char* theme;
      v1::Phase phase;
    };
    const Row rows[] = {
        {0, 7, "事前アンケートに基づくジブンガタリ／あなたのまちの特徴を知る①", v1::KNOW_YOUR_TOWN},
        {0, 8, "あなたのまちの特徴を知る②", v1::KNOW_YOUR_TOWN},
        {0, 9, "あなたのまちの特徴を知る③", v1::KNOW_YOUR_TOWN},
        {0, 10, "先輩改善リーダーから技を盗む①", v1::LEARN_FROM_SENIORS},
        {0, 11, "先輩改善リーダーから技を盗む②", v1::LEARN_FROM_SENIORS},
        {0, 12, "アクションプラン（時点版）の発表", v1::INTERIM_PLAN},
        {1, 6, "フォローアップ～軌道修正", v1::FOLLOW_UP},
        {1, 12, "アクションプラン（完成版）の発表", v1::COMPLETED_PLAN},
    };
    v1::Template t;
    t.set_name("templates/next-gen-leaders-fy2022");
    t.set_title("次世代改善リーダー事例研究会（2022年度版）");
    t.set_built_in(true);
    int sequence = 0;
    for (const Row& row : rows) {
      v1::Template::Entry* e = t.add_entries();
      e->set_sequence(++sequence);
      e->set_theme(row.theme);
      e->set_phase(row.phase);
      e->set_year_offset(row.year_offset);
      e->set_month(row.month);
      *e->mutable_duration() = ToProtoDuration(absl::Hours(3));
      e->set_format(v1::ONLINE);
    }
    return new std::vector<v1::Template>{t};
  }();
  return *kTemplates;
}

std::pair<absl::Time, absl::Time> EntryWindow(int start_year,
                                              const v1::Template::Entry& entry) {
  const absl::CivilMonth month(start_year + entry.year_offset(), entry.month());
  return {absl::FromCivil(absl::CivilDay(month), TokyoTimeZone()),
          absl::FromCivil(absl::CivilDay(month + 1), TokyoTimeZone())};
}

absl::Status ValidateTemplate(const v1::Template& t) {
  auto bad = [](const std::string& field, const std::string& why) {
    return InvalidField(field, why);
  };
  // Text as CreateMeeting checks it (UTF-8, no control characters, 1-200
  // characters): a theme becomes each meeting's theme, a mail's meeting
  // title and what partners see.
  RETURN_IF_ERROR(ValidateText("template.title", t.title(), 1, 200, false));
  if (t.entries_size() < 1 || t.entries_size() > 30) {
    return bad("template.entries", "must list 1 to 30 meetings");
  }
  int previous_month = -1;
  for (int i = 0; i < t.entries_size(); ++i) {
    const auto& e = t.entries(i);
    const std::string f = absl::StrCat("template.entries[", i, "]");
    if (e.sequence() != i + 1) return bad(f + ".sequence", absl::StrCat("must be ", i + 1));
    RETURN_IF_ERROR(ValidateText(f + ".theme", e.theme(), 1, 200, false));
    if (e.phase() == v1::PHASE_UNSPECIFIED || !v1::Phase_IsValid(e.phase())) {
      return bad(f + ".phase", "is required: one of the programme's phases");
    }
    if (e.year_offset() < 0 || e.year_offset() > 3) {
      return bad(f + ".year_offset", "must be between 0 and 3");
    }
    if (e.month() < 1 || e.month() > 12) return bad(f + ".month", "must be between 1 and 12");
    const int month_index = e.year_offset() * 12 + e.month();
    if (month_index < previous_month) {
      return bad(f + ".month", "meetings must not go back in time");
    }
    previous_month = month_index;
    const absl::Duration d = FromProtoDuration(e.duration());
    if (d < absl::Minutes(15) || d > absl::Hours(8)) {
      return bad(f + ".duration", "must be between 15 minutes and 8 hours");
    }
    if (e.format() == v1::FORMAT_UNSPECIFIED || !v1::Format_IsValid(e.format())) {
      return bad(f + ".format", "is required: ONLINE or IN_PERSON");
    }
  }
  return absl::OkStatus();
}

}  // namespace kaizen::scheduling
