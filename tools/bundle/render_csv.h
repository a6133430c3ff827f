// The three Excel-safe CSVs of a bundle (UTF-8 with BOM, CRLF, codes kept as
// text with ="...", formula injection guarded: common/util/excel_csv.h).
// One row per record, the record key first; columns in README.md. Rows are
// sorted by record key (then participant), so the bytes are deterministic.
#ifndef KAIZEN_TOOLS_BUNDLE_RENDER_CSV_H_
#define KAIZEN_TOOLS_BUNDLE_RENDER_CSV_H_

#include <string>

#include "tools/bundle/model.h"

namespace kaizen::bundle {

std::string RenderAttendanceCsv(const BundleData& data);
// One row per stage version and owner in the bundle (a team plan's stage
// appears once per owner: key + participant is unique).
std::string RenderPlanStagesCsv(const BundleData& data);
// One row per wave; a score column per wall (mean on the item scale, empty
// when unscored). No percentile: partners get the pool-free profile.
std::string RenderSurveyProfilesCsv(const BundleData& data);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_RENDER_CSV_H_
