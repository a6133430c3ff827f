#include "services/survey/stats.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

namespace kaizen::survey::stats {
namespace {

bool Missing(const std::optional<double>& v) {
  return !v.has_value() || std::isnan(*v);
}

// Mean and sample variance of the values `get(i)` for i in [0, n), two-pass.
template <typename Get>
Summary SummaryOf(int n, Get get) {
  Summary s;
  s.n = n;
  if (n == 0) return s;
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += get(i);
  s.mean = sum / n;
  if (n < 2) return s;
  double ss = 0;
  for (int i = 0; i < n; ++i) {
    const double d = get(i) - s.mean;
    ss += d * d;
  }
  s.sd = std::sqrt(ss / (n - 1));
  return s;
}

}  // namespace

int MinAnsweredItems(int k) { return k <= 0 ? 1 : (k + 1) / 2; }

std::optional<double> ScaleScore(
    const std::vector<std::optional<double>>& answers, const ScaleDef& scale) {
  const int k = static_cast<int>(scale.items.size());
  double sum = 0;
  int answered = 0;
  for (int i = 0; i < k; ++i) {
    const int col = scale.items[i];
    if (col < 0 || col >= static_cast<int>(answers.size())) continue;
    const std::optional<double>& a = answers[col];
    if (Missing(a)) continue;
    const bool rev =
        i < static_cast<int>(scale.reversed.size()) && scale.reversed[i];
    sum += rev ? scale.points + 1 - *a : *a;
    ++answered;
  }
  if (answered < MinAnsweredItems(k)) return std::nullopt;
  return sum / answered;
}

std::vector<std::vector<std::optional<double>>> AllScaleScores(
    const Matrix& m, const std::vector<ScaleDef>& scales) {
  const int rows = m.rows > 0 ? m.rows : 0;
  std::vector<std::vector<std::optional<double>>> out(
      scales.size(), std::vector<std::optional<double>>(rows));
  if (rows == 0 || m.cols < 0 ||
      m.values.size() != static_cast<size_t>(m.rows) * m.cols) {
    return out;
  }
  // Resolve the scales once into one flat list of in-range columns with
  // x' = offset + sign * x, so the per-row loop has no branches on reverse
  // coding. Out-of-range columns are never answered; they still count in k
  // for the threshold.
  struct Col {
    int col;
    double sign;
    double offset;
  };
  struct Span {
    int begin, end, need;
  };
  std::vector<Col> cols;
  std::vector<Span> spans;
  spans.reserve(scales.size());
  for (const ScaleDef& scale : scales) {
    const int k = static_cast<int>(scale.items.size());
    const int begin = static_cast<int>(cols.size());
    for (int i = 0; i < k; ++i) {
      const int c = scale.items[i];
      if (c < 0 || c >= m.cols) continue;
      const bool rev =
          i < static_cast<int>(scale.reversed.size()) && scale.reversed[i];
      cols.push_back(rev ? Col{c, -1.0, scale.points + 1.0} : Col{c, 1.0, 0.0});
    }
    spans.push_back(
        {begin, static_cast<int>(cols.size()), MinAnsweredItems(k)});
  }

  // Blocked sweep: a block of respondents (a few tens of KiB of answers) is
  // scored for every scale while it sits in L1/L2, so the matrix streams from
  // memory once however many scales there are, and each scale still runs its
  // own tight loop. Missing answers are skipped without a branch (a 5%
  // missing rate would otherwise mispredict on every fourth row).
  constexpr int kBlock = 256;
  for (int block = 0; block < rows; block += kBlock) {
    const int block_end = std::min(rows, block + kBlock);
    for (size_t s = 0; s < spans.size(); ++s) {
      const Span span = spans[s];
      const Col* first = cols.data() + span.begin;
      const Col* last = cols.data() + span.end;
      std::optional<double>* dst = out[s].data();
      const float* row = m.values.data() + static_cast<size_t>(block) * m.cols;
      for (int r = block; r < block_end; ++r, row += m.cols) {
        // Summing in double keeps arbitrary float inputs exact to the last
        // bit of the one-respondent path.
        double sum = 0;
        int answered = 0;
        for (const Col* c = first; c != last; ++c) {
          const float x = row[c->col];
          const bool present = x == x;  // false for NaN
          const double term = c->offset + c->sign * static_cast<double>(x);
          sum += present ? term : 0.0;
          answered += present;
        }
        if (answered >= span.need) dst[r] = sum / answered;
      }
    }
  }
  return out;
}

std::vector<std::optional<double>> ScaleScores(const Matrix& m,
                                               const ScaleDef& scale) {
  return std::move(AllScaleScores(m, {scale}).front());
}

Summary Summarize(const std::vector<double>& values) {
  return SummaryOf(static_cast<int>(values.size()),
                   [&](int i) { return values[i]; });
}

Summary SummarizeAnswered(const std::vector<std::optional<double>>& values) {
  // Two passes over the optionals themselves: no copy of the present values.
  Summary s;
  double sum = 0;
  for (const auto& v : values) {
    if (Missing(v)) continue;
    sum += *v;
    ++s.n;
  }
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  if (s.n < 2) return s;
  double ss = 0;
  for (const auto& v : values) {
    if (Missing(v)) continue;
    const double d = *v - s.mean;
    ss += d * d;
  }
  s.sd = std::sqrt(ss / (s.n - 1));
  return s;
}

std::vector<Summary> SummarizeByGroup(
    const std::vector<std::optional<double>>& values,
    const std::vector<int>& group_of_row, int groups) {
  std::vector<Summary> out(groups > 0 ? groups : 0);
  if (groups <= 0) return out;
  const size_t n = std::min(values.size(), group_of_row.size());
  std::vector<double> sum(groups, 0.0), ss(groups, 0.0);
  for (size_t r = 0; r < n; ++r) {
    const int g = group_of_row[r];
    if (g < 0 || g >= groups || Missing(values[r])) continue;
    sum[g] += *values[r];
    ++out[g].n;
  }
  for (int g = 0; g < groups; ++g) {
    if (out[g].n > 0) out[g].mean = sum[g] / out[g].n;
  }
  for (size_t r = 0; r < n; ++r) {
    const int g = group_of_row[r];
    if (g < 0 || g >= groups || Missing(values[r])) continue;
    const double d = *values[r] - out[g].mean;
    ss[g] += d * d;
  }
  for (int g = 0; g < groups; ++g) {
    if (out[g].n >= 2) out[g].sd = std::sqrt(ss[g] / (out[g].n - 1));
  }
  return out;
}

std::optional<double> Percentile(const std::vector<double>& sorted_pool,
                                 double x) {
  if (sorted_pool.empty()) return std::nullopt;
  const auto [lo, hi] =
      std::equal_range(sorted_pool.begin(), sorted_pool.end(), x);
  const double below = static_cast<double>(lo - sorted_pool.begin());
  const double equal = static_cast<double>(hi - lo);
  return 100.0 * (below + 0.5 * equal) / sorted_pool.size();
}

double StandardizedDifference(double mean, double pool_mean, double pool_sd) {
  if (!(pool_sd > 0)) return 0;
  return (mean - pool_mean) / pool_sd;
}

double PooledWithinVariance(const std::vector<Summary>& groups) {
  double ss = 0;
  double df = 0;
  for (const Summary& g : groups) {
    if (g.n < 2) continue;
    ss += (g.n - 1) * g.sd * g.sd;
    df += g.n - 1;
  }
  return df > 0 ? ss / df : 0;
}

double BetweenGroupVariance(const std::vector<Summary>& groups) {
  int count = 0;
  double sum_means = 0;
  double sum_inv_n = 0;
  for (const Summary& g : groups) {
    if (g.n < 1) continue;
    ++count;
    sum_means += g.mean;
    sum_inv_n += 1.0 / g.n;
  }
  if (count < 2) return 0;
  const double grand = sum_means / count;
  double ss = 0;
  for (const Summary& g : groups) {
    if (g.n < 1) continue;
    ss += (g.mean - grand) * (g.mean - grand);
  }
  const double var_means = ss / (count - 1);
  const double mean_sampling_var =
      PooledWithinVariance(groups) * sum_inv_n / count;
  return std::max(0.0, var_means - mean_sampling_var);
}

Shrunk Shrink(const Summary& group, double pool_mean, double within_var,
              double between_var, double z) {
  const double tau2 = std::max(0.0, between_var);
  const double sigma2 = std::max(0.0, within_var);
  Shrunk s;
  double sd = 0;
  if (group.n <= 0) {
    s.mean = pool_mean;
    s.weight = 0;
    sd = std::sqrt(tau2);
  } else if (tau2 == 0) {
    s.mean = pool_mean;
    s.weight = 0;
  } else if (sigma2 == 0) {
    s.mean = group.mean;
    s.weight = 1;
  } else {
    const double sampling = sigma2 / group.n;
    s.weight = tau2 / (tau2 + sampling);
    s.mean = pool_mean + s.weight * (group.mean - pool_mean);
    sd = std::sqrt(s.weight * sampling);
  }
  s.low = s.mean - z * sd;
  s.high = s.mean + z * sd;
  return s;
}

Paired PairedChange(const std::vector<std::pair<double, double>>& pairs) {
  Paired p;
  const int n = static_cast<int>(pairs.size());
  p.n = n;
  if (n == 0) return p;
  const Summary from = SummaryOf(n, [&](int i) { return pairs[i].first; });
  const Summary to = SummaryOf(n, [&](int i) { return pairs[i].second; });
  const Summary diff =
      SummaryOf(n, [&](int i) { return pairs[i].second - pairs[i].first; });
  p.mean_from = from.mean;
  p.mean_to = to.mean;
  p.mean_diff = diff.mean;
  if (n >= 2 && diff.sd > 0) p.dz = diff.mean / diff.sd;
  return p;
}

Alpha CronbachAlpha(const std::vector<std::vector<double>>& rows) {
  Alpha a;
  if (rows.empty()) return a;
  const int k = static_cast<int>(rows.front().size());
  a.k = k;
  a.item_total.assign(k, std::nullopt);
  a.alpha_if_deleted.assign(k, std::nullopt);

  std::vector<const std::vector<double>*> used;
  used.reserve(rows.size());
  for (const auto& r : rows) {
    if (static_cast<int>(r.size()) == k) used.push_back(&r);
  }
  const int n = static_cast<int>(used.size());
  a.n = n;
  if (n < 3 || k < 2) return a;

  // Centre every item once; all later sums are of centred values, so the
  // variances below are sums of squares (no E[x²] - E[x]² cancellation).
  std::vector<double> mean(k, 0.0);
  for (const auto* r : used) {
    for (int i = 0; i < k; ++i) mean[i] += (*r)[i];
  }
  for (double& m : mean) m /= n;
  std::vector<double> c(static_cast<size_t>(n) * k);  // centred, row-major
  std::vector<double> total(n, 0.0);                  // centred total
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < k; ++i) {
      const double v = (*used[j])[i] - mean[i];
      c[static_cast<size_t>(j) * k + i] = v;
      total[j] += v;
    }
  }
  std::vector<double> item_ss(k, 0.0);
  double sum_item_ss = 0;
  double total_ss = 0;
  for (int j = 0; j < n; ++j) {
    total_ss += total[j] * total[j];
    for (int i = 0; i < k; ++i) {
      const double v = c[static_cast<size_t>(j) * k + i];
      item_ss[i] += v * v;
    }
  }
  for (double s : item_ss) sum_item_ss += s;
  // The n - 1 divisors cancel in every ratio below, so sums of squares stand
  // in for variances.
  auto alpha_of = [](int items, double sum_item,
                     double tot) -> std::optional<double> {
    if (items < 2 || !(tot > 0)) return std::nullopt;
    return items / (items - 1.0) * (1.0 - sum_item / tot);
  };
  a.alpha = alpha_of(k, sum_item_ss, total_ss);

  for (int i = 0; i < k; ++i) {
    double rest_ss = 0;  // sum of squares of (total - item i), centred
    double cross = 0;    // sum of item_i * rest
    for (int j = 0; j < n; ++j) {
      const double v = c[static_cast<size_t>(j) * k + i];
      const double rest = total[j] - v;
      rest_ss += rest * rest;
      cross += v * rest;
    }
    if (item_ss[i] > 0 && rest_ss > 0) {
      a.item_total[i] = cross / std::sqrt(item_ss[i] * rest_ss);
    }
    a.alpha_if_deleted[i] = alpha_of(k - 1, sum_item_ss - item_ss[i], rest_ss);
  }
  return a;
}

std::string AlphaBand(std::optional<double> alpha, int n) {
  if (n < 3) return "too few respondents";
  if (!alpha.has_value()) return "not computable";
  const double v = *alpha;
  if (v >= 0.9) return "excellent";
  if (v >= 0.8) return "good";
  if (v >= 0.7) return "acceptable";
  if (v >= 0.6) return "questionable";
  if (v >= 0.5) return "poor";
  return "unacceptable";
}

double LogLikelihoodG2(double a, double b, double c, double d) {
  const double total = c + d;
  const double count = a + b;
  if (!(total > 0) || !(count > 0)) return 0;
  const double e1 = c * count / total;
  const double e2 = d * count / total;
  double g2 = 0;
  if (a > 0 && e1 > 0) g2 += a * std::log(a / e1);
  if (b > 0 && e2 > 0) g2 += b * std::log(b / e2);
  return std::max(0.0, 2.0 * g2);
}

}  // namespace kaizen::survey::stats
