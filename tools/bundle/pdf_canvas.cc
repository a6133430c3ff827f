#include "tools/bundle/pdf_canvas.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "cairo-pdf.h"
#include "cairo.h"
#include "pango/pangocairo.h"
#include "tools/bundle/bundle_errors.h"
#include "tools/bundle/model.h"

namespace kaizen::bundle {
namespace {

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

Layout MakeLayout(cairo_t* cr, const std::string& family, absl::string_view text, double size,
                  bool bold, double width) {
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* desc = pango_font_description_new();
  pango_font_description_set_family(desc, family.c_str());
  pango_font_description_set_absolute_size(desc, size * PANGO_SCALE);
  if (bold) pango_font_description_set_weight(desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout.get(), desc);
  pango_font_description_free(desc);
  if (width > 0) {
    pango_layout_set_width(layout.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  }
  std::string clean = StripBidiControls(text);
  pango_layout_set_text(layout.get(), clean.data(), static_cast<int>(clean.size()));
  return layout;
}

// True when the font pango resolves `family` to draws 松 and あ.
bool CoversJapanese(cairo_t* cr, const std::string& family) {
  PangoContext* context = pango_cairo_create_context(cr);
  PangoFontDescription* desc = pango_font_description_from_string(family.c_str());
  PangoFont* font = pango_context_load_font(context, desc);
  bool ok = font != nullptr && pango_font_has_char(font, 0x677E) &&
            pango_font_has_char(font, 0x3042);
  if (font) g_object_unref(font);
  pango_font_description_free(desc);
  g_object_unref(context);
  return ok;
}

}  // namespace

absl::Status CheckFont(const std::string& family) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cairo_t* cr = cairo_create(surface);
  bool ok = cairo_status(cr) == CAIRO_STATUS_SUCCESS && CoversJapanese(cr, family);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  return ok ? absl::OkStatus() : FontMissing(family);
}

PdfCanvas::PdfCanvas(const std::string& path, const std::string& font_family, std::string footer)
    : path_(path), font_family_(font_family), footer_(std::move(footer)) {
  surface_ = cairo_pdf_surface_create(path.c_str(), kWidth, kHeight);
  cr_ = cairo_create(surface_);
  if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
    status_ = PdfFailed(path, cairo_status_to_string(cairo_surface_status(surface_)));
    return;
  }
  if (!CoversJapanese(cr_, font_family_)) status_ = FontMissing(font_family_);
}

PdfCanvas::~PdfCanvas() {
  if (cr_) cairo_destroy(cr_);
  if (surface_) cairo_surface_destroy(surface_);
}

void PdfCanvas::NewPage() {
  Footer();
  cairo_show_page(cr_);
  ++page_;
  y_ = kMargin;
}

void PdfCanvas::Footer() {
  Layout l = MakeLayout(cr_, font_family_, absl::StrCat(footer_, " — ", page_), 7, false, 0);
  cairo_set_source_rgb(cr_, 0.4, 0.4, 0.4);
  cairo_move_to(cr_, kMargin, kHeight - kMargin);
  pango_cairo_show_layout(cr_, l.get());
  cairo_set_source_rgb(cr_, 0, 0, 0);
}

void PdfCanvas::Text(absl::string_view text, double size, bool bold, double indent) {
  double width = kWidth - 2 * kMargin - indent;
  Layout l = MakeLayout(cr_, font_family_, text, size, bold, width);
  cairo_set_source_rgb(cr_, 0, 0, 0);
  // Line by line, so a long paragraph continues on the next page.
  int lines = pango_layout_get_line_count(l.get());
  for (int i = 0; i < lines; ++i) {
    PangoLayoutLine* line = pango_layout_get_line_readonly(l.get(), i);
    PangoRectangle logical;
    pango_layout_line_get_pixel_extents(line, nullptr, &logical);
    double h = std::max(logical.height, 1) * 1.15;
    if (y_ + h > Bottom()) NewPage();
    cairo_move_to(cr_, kMargin + indent, y_ - logical.y);
    pango_cairo_show_layout_line(cr_, line);
    y_ += h;
  }
}

void PdfCanvas::Space(double points) {
  y_ += points;
  if (y_ > Bottom()) NewPage();
}

void PdfCanvas::Row(const std::vector<std::string>& cells, const std::vector<double>& x,
                    const std::vector<double>& widths, double size, bool bold, bool shade) {
  std::vector<Layout> layouts;
  int height = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    layouts.push_back(MakeLayout(cr_, font_family_, cells[i], size, bold, widths[i]));
    int w, h;
    pango_layout_get_pixel_size(layouts.back().get(), &w, &h);
    height = std::max(height, h);
  }
  double row_h = height + 4;
  if (row_h > Bottom() - kMargin) {  // taller than a whole page
    std::vector<PangoLayout*> raw;
    for (auto& l : layouts) raw.push_back(l.get());
    SplitRow(raw, x);
    return;
  }
  if (y_ + row_h > Bottom()) NewPage();
  if (shade) {
    cairo_set_source_rgb(cr_, 0.9, 0.9, 0.9);
    cairo_rectangle(cr_, kMargin, y_, kWidth - 2 * kMargin, row_h);
    cairo_fill(cr_);
  }
  cairo_set_source_rgb(cr_, 0, 0, 0);
  for (size_t i = 0; i < layouts.size(); ++i) {
    cairo_move_to(cr_, kMargin + x[i], y_ + 2);
    pango_cairo_show_layout(cr_, layouts[i].get());
  }
  y_ += row_h;
  RowRule();
}

void PdfCanvas::RowRule() {
  cairo_set_source_rgb(cr_, 0.8, 0.8, 0.8);
  cairo_set_line_width(cr_, 0.5);
  cairo_move_to(cr_, kMargin, y_);
  cairo_line_to(cr_, kWidth - kMargin, y_);
  cairo_stroke(cr_);
  cairo_set_source_rgb(cr_, 0, 0, 0);
}

void PdfCanvas::SplitRow(const std::vector<PangoLayout*>& layouts, const std::vector<double>& x) {
  std::vector<int> next(layouts.size(), 0);  // each cell's next line
  if (y_ + 40 > Bottom()) NewPage();            // room for a few lines first
  cairo_set_source_rgb(cr_, 0, 0, 0);
  for (bool more = true; more;) {
    more = false;
    double used = 0;
    for (size_t i = 0; i < layouts.size(); ++i) {
      double cy = y_ + 2;
      int lines = pango_layout_get_line_count(layouts[i]);
      while (next[i] < lines) {
        PangoLayoutLine* line = pango_layout_get_line_readonly(layouts[i], next[i]);
        PangoRectangle logical;
        pango_layout_line_get_pixel_extents(line, nullptr, &logical);
        double h = std::max(logical.height, 1);
        if (cy + h > Bottom() && cy > y_ + 2) break;  // at least one line per page
        cairo_move_to(cr_, kMargin + x[i], cy - logical.y);
        pango_cairo_show_layout_line(cr_, line);
        cy += h;
        ++next[i];
      }
      used = std::max(used, cy - y_);
      more = more || next[i] < lines;
    }
    y_ += used + 2;
    if (more) NewPage();
  }
  RowRule();
}

void PdfCanvas::Rule() {
  Space(4);
  cairo_set_source_rgb(cr_, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr_, 0.8);
  cairo_move_to(cr_, kMargin, y_);
  cairo_line_to(cr_, kWidth - kMargin, y_);
  cairo_stroke(cr_);
  cairo_set_source_rgb(cr_, 0, 0, 0);
  Space(6);
}

double PdfCanvas::Reserve(double height) {
  if (y_ + height > Bottom()) NewPage();
  double top = y_;
  y_ += height;
  return top;
}

void PdfCanvas::TextAt(absl::string_view text, double x, double y, double size) {
  Layout l = MakeLayout(cr_, font_family_, text, size, false, 0);
  cairo_move_to(cr_, x, y);
  pango_cairo_show_layout(cr_, l.get());
}

absl::Status PdfCanvas::Finish() {
  if (!status_.ok()) return status_;
  if (finished_) return absl::OkStatus();
  finished_ = true;
  Footer();
  cairo_show_page(cr_);
  cairo_surface_finish(surface_);
  if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
    return PdfFailed(path_, cairo_status_to_string(cairo_surface_status(surface_)));
  }
  return absl::OkStatus();
}

}  // namespace kaizen::bundle
