// The four walls as a horizontal bar chart drawn with cairo on a PdfCanvas:
// one group per wall (PEERS, SENIORS_AND_BOSSES, EXECUTIVES, HR_EVALUATION),
// one bar per wave (oldest first, darker = later), the score on the item
// scale (axis 1..max(5, highest score)); a higher score is a stronger wall.
// Each bar is labelled with its score (no percentile: partners get the
// pool-free profile); an unscored wall says "未算出".
#ifndef KAIZEN_TOOLS_BUNDLE_WALL_CHART_H_
#define KAIZEN_TOOLS_BUNDLE_WALL_CHART_H_

#include "kaizen/survey/v1/survey.pb.h"
#include "tools/bundle/pdf_canvas.h"

namespace kaizen::bundle {

void DrawWallChart(PdfCanvas& canvas, const survey::v1::SharedSurveyProfile& profile);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_WALL_CHART_H_
