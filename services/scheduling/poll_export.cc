#include "services/scheduling/poll_export.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"

namespace kaizen::scheduling {
namespace {

namespace ev1 = ::kaizen::enrollment::v1;

const char* Mark(v1::Availability a) {
  switch (a) {
    case v1::YES: return "○";
    case v1::MAYBE: return "△";
    case v1::NO: return "×";
    default: return kUnanswered;
  }
}

std::string SlotHeader(const v1::Poll::Slot& slot) {
  static const char* const kWeekdays[] = {"月", "火", "水", "木", "金", "土", "日"};
  const absl::Time t = FromProtoTimestamp(slot.start_time());
  const absl::CivilSecond local = absl::ToCivilSecond(t, TokyoTimeZone());
  return absl::StrCat(absl::FormatTime("%Y/%m/%d", t, TokyoTimeZone()), "(",
                      kWeekdays[static_cast<int>(absl::GetWeekday(absl::CivilDay(local)))],
                      ") ", absl::FormatTime("%H:%M", t, TokyoTimeZone()));
}

}  // namespace

const char* RoleLabel(ev1::Participant::Role role) {
  switch (role) {
    case ev1::Participant::PARTICIPANT: return "参加者";
    case ev1::Participant::NAVIGATOR: return "ナビゲーター";
    case ev1::Participant::ADVISOR: return "アドバイザー";
    case ev1::Participant::OBSERVER: return "オブザーバー";
    case ev1::Participant::SECRETARIAT: return "事務局";
    default: return "";
  }
}

CsvTable PollAnswersTable(const v1::Poll& poll, const enrollment_client::RosterView& roster,
                          const std::set<std::string>& leave_out) {
  CsvTable table;
  table.header = {"氏名", "役割", "自治体コード", "自治体名"};
  for (const auto& slot : poll.slots()) table.header.push_back(SlotHeader(slot));
  table.header.push_back("コメント");
  for (const enrollment_client::RosterEntry& e : roster.roster().entries()) {
    const v1::Poll::Answer* answer = nullptr;
    for (const auto& a : poll.answers()) {
      if (a.participant() == e.participant()) answer = &a;
    }
    if (leave_out.count(e.participant())) continue;
    if (e.role() != ev1::Participant::PARTICIPANT && answer == nullptr) continue;
    const std::string& code = e.municipality_code();
    std::vector<std::string> row = {e.display_name(), RoleLabel(e.role()),
                                    code.empty() ? "" : ExcelText(code), e.municipality_name()};
    for (const auto& slot : poll.slots()) {
      v1::Availability a = v1::AVAILABILITY_UNSPECIFIED;
      if (answer != nullptr) {
        auto it = answer->availability().find(slot.id());
        if (it != answer->availability().end()) a = it->second;
      }
      row.push_back(Mark(a));
    }
    row.push_back(answer == nullptr ? "" : answer->comment());
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace kaizen::scheduling
