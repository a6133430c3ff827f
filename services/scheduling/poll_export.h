// A poll's answers as a table for Excel (ExportPollAnswers): pure, no
// storage, no transport. Rendered by common/util/excel_csv.h.
//
// Columns: 氏名, 役割, 自治体コード, 自治体名, one per candidate slot
// ("2022/08/21(日) 09:00", Asia/Tokyo), コメント. Rows in roster order:
// every participant, whether they answered or not (who has not answered is
// what the secretariat looks for), and staff (navigator, advisor, observer,
// secretariat) only if they answered: their answer decides which slots
// qualify, but a staff member who gave none is not missing, and a column
// of 未回答 for each of them would only hide the participants' gaps.
// People in `leave_out` (erased) have no row.
//   * 役割 is the Japanese label of the roster role (RoleLabel);
//   * 自治体コード is kept as text (ExcelText), so Excel keeps "011002"'s
//     leading zero; 自治体名 is the roster's name for it, copied through;
//   * a slot cell is ○ / △ / ×, or 未回答 (kUnanswered) when the person gave
//     no answer for that slot, so "no answer" never reads as a blank "no".
#ifndef KAIZEN_SERVICES_SCHEDULING_POLL_EXPORT_H_
#define KAIZEN_SERVICES_SCHEDULING_POLL_EXPORT_H_

#include <set>
#include <string>

#include "clients/enrollment/roster.h"
#include "common/util/excel_csv.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"

namespace kaizen::scheduling {

// What a slot cell says when the person gave no answer for it.
inline constexpr char kUnanswered[] = "未回答";

// 参加者, ナビゲーター, アドバイザー, オブザーバー, 事務局; "" for an unset role.
const char* RoleLabel(::kaizen::enrollment::v1::Participant::Role role);

// The table described above, for `poll` and `roster`.
CsvTable PollAnswersTable(const v1::Poll& poll, const enrollment_client::RosterView& roster,
                          const std::set<std::string>& leave_out = {});

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_POLL_EXPORT_H_
