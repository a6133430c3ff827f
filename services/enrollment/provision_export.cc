#include "services/enrollment/provision_export.h"

#include <string>
#include <utility>

#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"
#include "services/enrollment/provision.h"

namespace kaizen::enrollment {

CsvTable ProvisionRecordsTable(const std::vector<v1::ProvisionRecord>& records) {
  CsvTable table;
  table.header = {"記録ID",   "提供日時(JST)", "提供先キーID",  "提供先自治体コード",
                  "提供先自治体名", "本人",     "氏名",          "区分",
                  "提供項目", "同意_出欠",     "同意_行動計画", "同意_サーベイ結果",
                  "提供経路", "バンドルID",    "提供サービス"};
  auto flag = [](bool b) { return std::string(b ? "1" : "0"); };
  for (const v1::ProvisionRecord& r : records) {
    const absl::Time t = FromProtoTimestamp(r.time());
    const std::string& code = r.recipient_municipality_code();
    table.rows.push_back({r.name(),
                          absl::FormatTime("%Y/%m/%d %H:%M:%S", t, TokyoTimeZone()),
                          ExcelTextId(r.recipient()),
                          code.empty() ? "" : ExcelText(code),
                          r.recipient_municipality_name(),
                          r.participant(),
                          r.display_name(),
                          CategoryLabel(r.category()),
                          absl::StrJoin(r.data_items(), ";"),
                          flag(r.consent().share_attendance()),
                          flag(r.consent().share_action_plan()),
                          flag(r.consent().share_survey_profile()),
                          r.method(),
                          ExcelTextId(r.bundle()),
                          r.service()});
  }
  return table;
}

}  // namespace kaizen::enrollment
