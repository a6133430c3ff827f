#include "tools/bundle/wall_chart.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cairo.h"
#include "common/util/proto_time.h"
#include "tools/bundle/model.h"

namespace kaizen::bundle {
namespace {

constexpr type::Wall kWalls[] = {type::PEERS, type::SENIORS_AND_BOSSES, type::EXECUTIVES,
                                 type::HR_EVALUATION};
constexpr double kLabelWidth = 150;
constexpr double kBarHeight = 11;
constexpr double kBarGap = 3;
constexpr double kGroupGap = 10;

const survey::v1::ScaleScore* WallScore(const survey::v1::PersonProfile& p, type::Wall wall) {
  for (const auto& s : p.scales()) {
    if (s.kind() == survey::v1::Scale::WALL && s.wall() == wall) return &s;
  }
  return nullptr;
}

// Grey levels per wave: later waves darker.
double Shade(int i, int n) { return n <= 1 ? 0.35 : 0.7 - 0.45 * i / (n - 1); }

}  // namespace

void DrawWallChart(PdfCanvas& canvas, const survey::v1::SharedSurveyProfile& profile) {
  const int waves = profile.waves_size();
  if (waves == 0) return;
  double axis_max = 5;
  for (const auto& w : profile.waves()) {
    for (const auto& s : w.profile().scales()) {
      if (s.has_score()) axis_max = std::max(axis_max, std::ceil(s.score()));
    }
  }
  const double group_h = waves * (kBarHeight + kBarGap) + kGroupGap;
  const double legend_h = 16;
  const double axis_h = 16;
  const double height = legend_h + 4 * group_h + axis_h;
  const double top = canvas.Reserve(height);
  cairo_t* cr = canvas.cairo();
  const double left = PdfCanvas::kMargin;
  const double plot_x = left + kLabelWidth;
  const double plot_w = PdfCanvas::kWidth - PdfCanvas::kMargin - plot_x - 80;
  auto x_of = [&](double score) { return plot_x + plot_w * (score - 1) / (axis_max - 1); };

  // Legend: a swatch per wave.
  double lx = left;
  for (int i = 0; i < waves; ++i) {
    const auto& w = profile.waves(i);
    cairo_set_source_rgb(cr, Shade(i, waves), Shade(i, waves), Shade(i, waves));
    cairo_rectangle(cr, lx, top + 3, 10, 8);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    std::string label = absl::StrCat(WaveKindLabelJa(w.wave_kind()), " (",
                                     TokyoMinute(FromProtoTimestamp(w.submit_time())).substr(0, 10),
                                     ")");
    canvas.TextAt(label, lx + 13, top + 1, 8);
    lx += 150;
  }

  // Grid lines and the axis at 1, 2, ... axis_max.
  const double plot_top = top + legend_h;
  const double plot_bottom = plot_top + 4 * group_h;
  cairo_set_line_width(cr, 0.4);
  for (int v = 1; v <= static_cast<int>(axis_max); ++v) {
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_move_to(cr, x_of(v), plot_top);
    cairo_line_to(cr, x_of(v), plot_bottom);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    canvas.TextAt(absl::StrCat(v), x_of(v) - 2, plot_bottom + 2, 7);
  }

  for (int g = 0; g < 4; ++g) {
    const type::Wall wall = kWalls[g];
    const double gy = plot_top + g * group_h;
    canvas.TextAt(WallLabelJa(wall), left, gy + (waves * (kBarHeight + kBarGap)) / 2 - 6, 8);
    for (int i = 0; i < waves; ++i) {
      const double by = gy + i * (kBarHeight + kBarGap);
      const survey::v1::ScaleScore* s = WallScore(profile.waves(i).profile(), wall);
      if (s == nullptr || !s->has_score()) {
        canvas.TextAt("未算出", plot_x + 2, by, 7);
        continue;
      }
      double v = std::clamp(s->score(), 1.0, axis_max);
      double shade = Shade(i, waves);
      cairo_set_source_rgb(cr, shade, shade, shade);
      cairo_rectangle(cr, plot_x, by, std::max(1.0, x_of(v) - plot_x), kBarHeight);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      std::string label = absl::StrFormat("%.2f", s->score());
      canvas.TextAt(label, x_of(v) + 3, by, 7);
    }
  }
  // The axis line.
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, plot_x, plot_top);
  cairo_line_to(cr, plot_x, plot_bottom);
  cairo_stroke(cr);
}

}  // namespace kaizen::bundle
