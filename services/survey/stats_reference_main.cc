// Prints fixed datasets and every statistic of stats.h computed on them, as
// one JSON document on stdout. stats_reference_test.py recomputes the same
// statistics from the printed inputs with numpy/scipy and compares.
//
// The datasets come from a fixed-seed generator written out here (SplitMix64
// and integer arithmetic only), so they are identical on every platform and
// standard library; the inputs are printed anyway, so the Python side never
// has to reproduce the generator.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/util/split_mix64.h"
#include "services/survey/stats.h"

namespace kaizen::survey::stats {
namespace {

class Rng : public ::kaizen::util::SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  // Roughly normal(0, 1): Irwin-Hall with 12 uniforms.
  double Normalish() {
    double s = 0;
    for (int i = 0; i < 12; ++i) s += Uniform();
    return s - 6;
  }
};

// ---------------------------------------------------------------- JSON out

std::string Num(double v) {
  if (!std::isfinite(v)) return "null";  // never expected; fails the test
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string Num(const std::optional<double>& v) {
  return v.has_value() ? Num(*v) : "null";
}
template <typename T>
std::string List(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ",";
    if constexpr (std::is_same_v<T, int>) {
      s += std::to_string(v[i]);
    } else {
      s += Num(v[i]);
    }
  }
  return s + "]";
}
std::string Bools(const std::vector<bool>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? "," : "") + std::string(v[i] ? "true" : "false");
  return s + "]";
}
std::string SummaryJson(const Summary& s) {
  return "{\"n\":" + std::to_string(s.n) + ",\"mean\":" + Num(s.mean) +
         ",\"sd\":" + Num(s.sd) + "}";
}
std::string AlphaJson(const Alpha& a) {
  return "{\"n\":" + std::to_string(a.n) + ",\"k\":" + std::to_string(a.k) +
         ",\"alpha\":" + Num(a.alpha) +
         ",\"item_total\":" + List(a.item_total) +
         ",\"alpha_if_deleted\":" + List(a.alpha_if_deleted) + ",\"band\":\"" +
         AlphaBand(a.alpha, a.n) + "\"}";
}

// ---------------------------------------------------------- the survey set

struct SurveyData {
  Matrix m;
  std::vector<int> group;  // municipality of each row
  int groups = 0;
  std::vector<ScaleDef> scales;
};

// Respondents in municipalities of very different sizes (down to one and two
// people, as in the real cohort), answers driven by a person trait plus a
// municipality effect, reverse-keyed items written reversed, and missing
// answers both scattered and concentrated in a few respondents.
SurveyData MakeSurvey(uint64_t seed, int points) {
  Rng rng(seed);
  SurveyData d;
  const std::vector<int> sizes = {1, 2, 3, 5, 8, 13, 21, 34, 60, 93};
  d.groups = static_cast<int>(sizes.size());
  d.scales = {
      {{0, 1, 2, 3}, {}, points},                                    // 4 items
      {{4, 5, 6, 7, 8}, {false, false, true, false, true}, points},  // 5
      {{9, 10, 11}, {false, true, false}, points},                   // 3
      {{12, 13}, {false, false}, points},                            // 2
      {{2, 7, 12}, {true, false, false}, points},  // overlapping
  };
  const int cols = 14;
  std::vector<bool> reversed(cols, false);
  reversed[6] = reversed[8] = reversed[10] = true;
  int rows = 0;
  for (int s : sizes) rows += s;
  d.m.rows = rows;
  d.m.cols = cols;
  d.m.values.assign(static_cast<size_t>(rows) * cols, 0.0f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  int r = 0;
  for (int g = 0; g < d.groups; ++g) {
    const double effect = 0.6 * rng.Normalish();
    for (int i = 0; i < sizes[g]; ++i, ++r) {
      d.group.push_back(g);
      const double trait = rng.Normalish();
      // Every 11th respondent skips most of the questionnaire.
      const double p_missing = (r % 11 == 5) ? 0.6 : 0.08;
      for (int c = 0; c < cols; ++c) {
        float& cell = d.m.values[static_cast<size_t>(r) * cols + c];
        if (rng.Uniform() < p_missing) {
          cell = nan;
          continue;
        }
        const double mid = (points + 1) / 2.0;
        double x =
            std::round(mid + 0.9 * trait + effect + 0.9 * rng.Normalish());
        x = std::min<double>(points, std::max(1.0, x));
        if (reversed[c]) x = points + 1 - x;
        cell = static_cast<float>(x);
      }
    }
  }
  return d;
}

std::string MatrixJson(const Matrix& m) {
  std::string s = "[";
  for (int r = 0; r < m.rows; ++r) {
    s += r ? ",[" : "[";
    for (int c = 0; c < m.cols; ++c) {
      const float v = m.values[static_cast<size_t>(r) * m.cols + c];
      if (c) s += ",";
      s += std::isnan(v) ? "null" : Num(static_cast<double>(v));
    }
    s += "]";
  }
  return s + "]";
}

std::string ScaleJson(const SurveyData& d, const ScaleDef& scale,
                      const std::vector<std::optional<double>>& swept) {
  const std::vector<std::optional<double>> scores = ScaleScores(d.m, scale);
  // Cross-check the bulk path against the one-respondent path here too.
  std::vector<std::optional<double>> single;
  for (int r = 0; r < d.m.rows; ++r) {
    std::vector<std::optional<double>> answers;
    for (int c = 0; c < d.m.cols; ++c) {
      const float v = d.m.values[static_cast<size_t>(r) * d.m.cols + c];
      answers.push_back(std::isnan(v) ? std::nullopt
                                      : std::optional<double>(v));
    }
    single.push_back(ScaleScore(answers, scale));
  }

  const Summary pool = SummarizeAnswered(scores);
  const std::vector<Summary> by_group =
      SummarizeByGroup(scores, d.group, d.groups);
  const double within = PooledWithinVariance(by_group);
  const double between = BetweenGroupVariance(by_group);

  std::vector<double> sorted_pool;
  for (const auto& s : scores) {
    if (s) sorted_pool.push_back(*s);
  }
  std::sort(sorted_pool.begin(), sorted_pool.end());

  std::string groups = "[";
  for (int g = 0; g < d.groups; ++g) {
    const Summary& s = by_group[g];
    const Shrunk sh = Shrink(s, pool.mean, within, between);
    if (g) groups += ",";
    groups +=
        "{\"summary\":" + SummaryJson(s) + ",\"std_diff\":" +
        Num(StandardizedDifference(s.mean, pool.mean, pool.sd)) +
        ",\"percentile_of_mean\":" + Num(Percentile(sorted_pool, s.mean)) +
        ",\"shrunk\":{\"mean\":" + Num(sh.mean) + ",\"low\":" + Num(sh.low) +
        ",\"high\":" + Num(sh.high) + ",\"weight\":" + Num(sh.weight) + "}}";
  }
  groups += "]";

  // An empty municipality: the prior.
  const Shrunk empty = Shrink(Summary{}, pool.mean, within, between);

  std::vector<std::optional<double>> person_percentiles;
  for (int r = 0; r < 40 && r < d.m.rows; ++r) {
    person_percentiles.push_back(scores[r] ? Percentile(sorted_pool, *scores[r])
                                           : std::nullopt);
  }

  // Alpha on complete cases, reverse coding applied.
  std::vector<std::vector<double>> complete;
  for (int r = 0; r < d.m.rows; ++r) {
    std::vector<double> row;
    bool ok = true;
    for (size_t i = 0; i < scale.items.size(); ++i) {
      const float v =
          d.m.values[static_cast<size_t>(r) * d.m.cols + scale.items[i]];
      if (std::isnan(v)) {
        ok = false;
        break;
      }
      const bool rev = i < scale.reversed.size() && scale.reversed[i];
      row.push_back(rev ? scale.points + 1 - v : v);
    }
    if (ok) complete.push_back(row);
  }

  return "{\"items\":" + List(scale.items) +
         ",\"reversed\":" + Bools(scale.reversed) +
         ",\"points\":" + std::to_string(scale.points) +
         ",\"scores\":" + List(scores) + ",\"scores_single\":" + List(single) +
         ",\"scores_all\":" + List(swept) + ",\"pool\":" + SummaryJson(pool) +
         ",\"within_var\":" + Num(within) + ",\"between_var\":" + Num(between) +
         ",\"groups\":" + groups +
         ",\"empty_group\":{\"mean\":" + Num(empty.mean) +
         ",\"low\":" + Num(empty.low) + ",\"high\":" + Num(empty.high) + "}" +
         ",\"person_percentiles\":" + List(person_percentiles) +
         ",\"alpha\":" + AlphaJson(CronbachAlpha(complete)) + "}";
}

std::string SurveyJson(const SurveyData& d) {
  const std::vector<std::vector<std::optional<double>>> swept =
      AllScaleScores(d.m, d.scales);
  std::string scales = "[";
  for (size_t i = 0; i < d.scales.size(); ++i) {
    if (i) scales += ",";
    scales += ScaleJson(d, d.scales[i], swept[i]);
  }
  scales += "]";
  return "{\"matrix\":" + MatrixJson(d.m) + ",\"group\":" + List(d.group) +
         ",\"groups\":" + std::to_string(d.groups) + ",\"scales\":" + scales +
         "}";
}

// ---------------------------------------------------------------- the rest

std::string PairedJson(const std::vector<std::pair<double, double>>& pairs) {
  std::vector<double> from, to;
  for (const auto& p : pairs) {
    from.push_back(p.first);
    to.push_back(p.second);
  }
  const Paired p = PairedChange(pairs);
  return "{\"from\":" + List(from) + ",\"to\":" + List(to) +
         ",\"n\":" + std::to_string(p.n) +
         ",\"mean_from\":" + Num(p.mean_from) +
         ",\"mean_to\":" + Num(p.mean_to) +
         ",\"mean_diff\":" + Num(p.mean_diff) + ",\"dz\":" + Num(p.dz) + "}";
}

std::string PairedSets() {
  Rng rng(20260101);
  std::vector<std::string> sets;
  // Likert-scale means of 25 people, improving by about half a point.
  std::vector<std::pair<double, double>> likert;
  for (int i = 0; i < 25; ++i) {
    const double before = 1 + rng.Below(17) * 0.25;
    const double after =
        std::min(5.0, std::max(1.0, before + (rng.Below(9) - 2) * 0.25));
    likert.push_back({before, after});
  }
  // Continuous values with a large offset (cancellation check).
  std::vector<std::pair<double, double>> offset;
  for (int i = 0; i < 30; ++i) {
    const double before = 1e6 + rng.Normalish();
    offset.push_back({before, before + 0.3 + 0.5 * rng.Normalish()});
  }
  std::vector<std::pair<double, double>> two = {{3.0, 4.5}, {2.0, 2.25}};
  std::string s = "[" + PairedJson(likert) + "," + PairedJson(offset) + "," +
                  PairedJson(two) + "]";
  return s;
}

std::string G2Sets() {
  Rng rng(7);
  std::string s = "[";
  auto add = [&](double a, double b, double c, double d) {
    if (s.size() > 1) s += ",";
    s += "{\"a\":" + Num(a) + ",\"b\":" + Num(b) + ",\"c\":" + Num(c) +
         ",\"d\":" + Num(d) + ",\"g2\":" + Num(LogLikelihoodG2(a, b, c, d)) +
         "}";
  };
  add(0, 12, 1500, 40000);
  add(9, 0, 1500, 40000);
  add(30, 70, 1000, 9000);
  add(5, 50, 100, 1000);
  add(1, 1, 2, 2);
  for (int i = 0; i < 40; ++i) {
    const double c = 200 + rng.Below(5000);
    const double d = 5000 + rng.Below(200000);
    add(rng.Below(60), rng.Below(900), c, d);
  }
  return s + "]";
}

std::string PercentileSet() {
  Rng rng(99);
  std::vector<double> pool;
  for (int i = 0; i < 301; ++i) pool.push_back(1 + rng.Below(21) * 0.2);
  std::sort(pool.begin(), pool.end());
  std::vector<double> queries = {0.0, 1.0, 5.0, 9.0, 2.2, 2.3, 3.0, 4.9};
  for (int i = 0; i < 20; ++i) queries.push_back(0.8 + rng.Uniform() * 4.4);
  std::vector<std::optional<double>> got;
  for (double q : queries) got.push_back(Percentile(pool, q));
  return "{\"pool\":" + List(pool) + ",\"queries\":" + List(queries) +
         ",\"percentiles\":" + List(got) + "}";
}

std::string WorkedAlpha() {
  // thinkdeeply.cc "Survey reliability" (see stats_test.cc).
  const std::vector<std::vector<double>> rows = {
      {3, 3, 3, 3}, {3, 3, 4, 3}, {3, 3, 3, 1}, {5, 4, 4, 5}, {2, 1, 4, 4},
      {4, 4, 4, 5}, {3, 2, 3, 3}, {3, 4, 3, 3}, {4, 2, 2, 3}, {3, 3, 2, 3},
  };
  std::string data = "[";
  for (size_t i = 0; i < rows.size(); ++i)
    data += (i ? "," : "") + List(rows[i]);
  data += "]";
  return "{\"rows\":" + data + ",\"result\":" + AlphaJson(CronbachAlpha(rows)) +
         "}";
}

}  // namespace
}  // namespace kaizen::survey::stats

int main() {
  using namespace kaizen::survey::stats;
  const std::string out =
      "{\"surveys\":[" + SurveyJson(MakeSurvey(42, 5)) + "," +
      SurveyJson(MakeSurvey(4242, 7)) + "],\"paired\":" + PairedSets() +
      ",\"g2\":" + G2Sets() + ",\"percentile\":" + PercentileSet() +
      ",\"worked_alpha\":" + WorkedAlpha() + "}\n";
  std::fputs(out.c_str(), stdout);
  return 0;
}
