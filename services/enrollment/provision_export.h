// Provision records as a table for Excel (ExportProvisionRecords): pure, no
// storage. Rendered with common/util/excel_csv (UTF-8 with BOM, CRLF,
// formula-looking fields opened as text), like scheduling's poll export.
#ifndef KAIZEN_SERVICES_ENROLLMENT_PROVISION_EXPORT_H_
#define KAIZEN_SERVICES_ENROLLMENT_PROVISION_EXPORT_H_

#include <vector>

#include "common/util/excel_csv.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"

namespace kaizen::enrollment {

// One row per record, in the given order, under the Japanese headers
// 記録ID, 提供日時(JST), 提供先キーID, 提供先自治体コード, 提供先自治体名,
// 本人, 氏名, 区分, 提供項目, 同意_出欠, 同意_行動計画, 同意_サーベイ結果,
// 提供経路, バンドルID, 提供サービス. Times are Japan time
// ("2022/06/01 09:00:00"); the municipality code is kept as text
// (ExcelText); data items are joined with ";"; consent flags are 1 or 0.
// The municipality name is taken from each record as given (the caller
// fills recipient_municipality_name from the master).
CsvTable ProvisionRecordsTable(const std::vector<v1::ProvisionRecord>& records);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_PROVISION_EXPORT_H_
