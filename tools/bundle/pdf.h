// One printable PDF per person (A4, cairo + pango, a Japanese font): who
// (name, cohort, municipality), the period and bundle, then each consented
// category in the period: the attendance table and rate; each plan's stage
// versions with the vision, wall statements, actions and milestones; the
// survey profile as a bar chart of the four walls (one bar per wave, score
// on the item scale; higher = a stronger wall; no percentile: partners get
// the pool-free profile), and any
// free text the person agreed to share. Long text flows onto new pages line
// by line. A category the person does not share (or withdrew) says so.
#ifndef KAIZEN_TOOLS_BUNDLE_PDF_H_
#define KAIZEN_TOOLS_BUNDLE_PDF_H_

#include <string>

#include "absl/status/status.h"
#include "tools/bundle/model.h"

namespace kaizen::bundle {

struct PdfOptions {
  // A pango family; FONT_MISSING unless the font it resolves to has
  // Japanese glyphs (fontconfig may substitute, e.g. Noto Sans CJK: fine).
  std::string font_family = "IPAexGothic";
};

absl::Status RenderPersonPdf(const BundleData& data, const PersonResults& person,
                             const std::string& path, const PdfOptions& options);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_PDF_H_
