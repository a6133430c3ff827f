// A small flowing-page canvas over cairo's PDF surface and pango: text that
// wraps at the margin and continues on a new page line by line, table rows
// that move to a new page whole (a row taller than a page is split line by
// line across pages), and reserved space for drawings. A4 portrait, points.
// Every page gets a footer ("<footer> — <n>"). Unicode bidi controls are
// stripped from every string drawn (model.h StripBidiControls).
#ifndef KAIZEN_TOOLS_BUNDLE_PDF_CANVAS_H_
#define KAIZEN_TOOLS_BUNDLE_PDF_CANVAS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;
typedef struct _PangoLayout PangoLayout;

namespace kaizen::bundle {

// FONT_MISSING unless the font pango resolves `family` to draws Japanese
// (checked on a throw-away surface: `make` runs it before any pull).
absl::Status CheckFont(const std::string& family);

class PdfCanvas {
 public:
  static constexpr double kWidth = 595.28;   // A4
  static constexpr double kHeight = 841.89;
  static constexpr double kMargin = 48;

  // Opens `path` for writing. Check status() before use: FONT_MISSING when
  // `font_family` has no Japanese glyphs, PDF_FAILED when cairo cannot
  // create the file.
  PdfCanvas(const std::string& path, const std::string& font_family, std::string footer);
  ~PdfCanvas();
  PdfCanvas(const PdfCanvas&) = delete;
  PdfCanvas& operator=(const PdfCanvas&) = delete;

  const absl::Status& status() const { return status_; }

  // Wrapped text at the cursor, `size` points, indented by `indent`.
  void Text(absl::string_view text, double size, bool bold = false, double indent = 0);
  // Vertical space.
  void Space(double points);
  // A row of cells (x offsets from the left margin, widths), each wrapped;
  // the row moves to a new page when it does not fit; a row taller than a
  // whole page continues line by line on the next. `shade` fills it grey.
  void Row(const std::vector<std::string>& cells, const std::vector<double>& x,
           const std::vector<double>& widths, double size, bool bold = false, bool shade = false);
  // A thin rule across the text width.
  void Rule();
  // Ensures `height` points are free below the cursor (new page if not),
  // returns the top y of that space and moves the cursor past it.
  double Reserve(double height);

  cairo_t* cairo() { return cr_; }
  // Draws `text` with its top-left at (x, y), width unlimited.
  void TextAt(absl::string_view text, double x, double y, double size);

  // Finishes the document (the last footer, flush); PDF_FAILED on error.
  absl::Status Finish();

 private:
  void NewPage();
  // A row taller than a page: each cell's lines, page after page.
  void SplitRow(const std::vector<PangoLayout*>& layouts, const std::vector<double>& x);
  // A thin rule under a row at the cursor.
  void RowRule();
  void Footer();
  double Bottom() const { return kHeight - kMargin - 14; }

  std::string path_;
  std::string font_family_;
  std::string footer_;
  absl::Status status_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  double y_ = kMargin;
  int page_ = 1;
  bool finished_ = false;
};

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_PDF_CANVAS_H_
