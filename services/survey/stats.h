// Statistics behind the survey lenses: scale scores, summaries, percentiles,
// empirical-Bayes shrinkage of small groups, paired change, Cronbach's alpha
// and the log-likelihood keyness of free-text terms.
//
// Pure functions over plain vectors: no protos, no I/O, no allocation that
// outlives a call, no global state; every function is safe to call from any
// thread. Nothing here decides who may SEE a number (disclosure rules live in
// the domain); this file only computes it.
//
// Conventions that hold for every function below:
//  - "sample variance" divides by n - 1 (numpy `var(ddof=1)`); "sd" is its
//    square root.
//  - No function returns NaN or infinity for the edge cases it documents:
//    an undefined statistic is std::nullopt (or a documented finite value),
//    so results can be serialised without special-casing.
//  - Inputs are assumed finite unless a parameter says how missing values are
//    spelled (std::nullopt in answer vectors, NaN in `Matrix`).
//
// Every formula is checked against numpy/scipy in stats_reference_test.py and
// against a published worked example in stats_test.cc.
#ifndef KAIZEN_SERVICES_SURVEY_STATS_H_
#define KAIZEN_SERVICES_SURVEY_STATS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kaizen::survey::stats {

// ------------------------------------------------------------ scale scores

// A scale: the answer columns it averages, which of them are reverse-coded,
// and the number of Likert points (answers run 1..points).
//
// `items[i]` is a column index into a respondent's answer vector (or a
// `Matrix` row). `reversed[i]` says whether `items[i]` is reverse-coded; a
// `reversed` shorter than `items` means the missing tail is not reversed.
// A column index outside the answer vector counts as an unanswered item (it
// never reads out of bounds).
struct ScaleDef {
  std::vector<int> items;
  std::vector<bool> reversed;
  int points = 5;
};

// The smallest number of answered items that yields a score: ceil(k / 2) for
// a scale of k items (1 of 1, 1 of 2, 2 of 3, 2 of 4, 3 of 5, ...). 0 items
// never yield a score (returns 1 so that no count satisfies it vacuously).
int MinAnsweredItems(int k);

// One respondent's score on a scale:
//   score = mean over answered items of x', where x' = points + 1 - x for a
//   reverse-coded item and x' = x otherwise.
// The missing-item rule: the score is std::nullopt when fewer than
// MinAnsweredItems(k) of the scale's k items are answered (so exactly half of
// an even-sized scale still scores), and for a scale with no items.
// An answer is missing when it is std::nullopt or NaN. Answers are not range
// checked (validation happens when a response is saved).
std::optional<double> ScaleScore(
    const std::vector<std::optional<double>>& answers, const ScaleDef& scale);

// Respondents × items answers in row-major order, for the bulk path.
// values[r * cols + c] is respondent r's answer to column c; NaN = missing.
// Float halves the memory traffic; Likert answers are small integers, which a
// float represents exactly.
struct Matrix {
  int rows = 0;
  int cols = 0;
  std::vector<float> values;
};

// ScaleScore for every row of `m`, in one pass with no allocation per row:
// element r is identical to ScaleScore(row r as optionals, scale).
// Precondition: values.size() == rows * cols (otherwise every score is
// std::nullopt rather than a read out of bounds).
std::vector<std::optional<double>> ScaleScores(const Matrix& m,
                                               const ScaleDef& scale);

// ScaleScores for several scales in one row-major sweep: result[s][r] is
// ScaleScores(m, scales[s])[r]. Each respondent's answers are read once for
// all scales, which is what keeps the bird's eye linear in the number of
// respondents once the matrix no longer fits in cache. Allocates only the
// results and one small table of resolved columns.
std::vector<std::vector<std::optional<double>>> AllScaleScores(
    const Matrix& m, const std::vector<ScaleDef>& scales);

// ------------------------------------------------------------- summaries

// n, mean and sample sd of a group. For n == 0 mean and sd are 0; for n == 1
// sd is 0 (a single value has no spread to estimate). Check n before showing.
struct Summary {
  int n = 0;
  double mean = 0;
  double sd = 0;
};

// Summary of `values` (two passes: mean, then sum of squared deviations, so
// large offsets do not cancel).
Summary Summarize(const std::vector<double>& values);

// Summary of the present values, skipping std::nullopt (e.g. ScaleScores).
Summary SummarizeAnswered(const std::vector<std::optional<double>>& values);

// One Summary per group in a single sweep over `values`: row r belongs to
// group `group_of_row[r]` (0 <= g < groups; anything else, or a missing
// value, is skipped). Equal to SummarizeAnswered over each group's values.
// Used for the pool's municipalities, which feed BetweenGroupVariance.
// Precondition: group_of_row.size() == values.size() (extra rows on either
// side are ignored).
std::vector<Summary> SummarizeByGroup(
    const std::vector<std::optional<double>>& values,
    const std::vector<int>& group_of_row, int groups);

// Mid-rank percentile of `x` within `sorted_pool` (ascending):
//   100 * (#{v < x} + 0.5 * #{v == x}) / n,
// which is scipy.stats.percentileofscore(pool, x, kind='mean'). A value below
// the whole pool is 0, above it 100, equal to every member 50.
// std::nullopt for an empty pool. O(log n).
std::optional<double> Percentile(const std::vector<double>& sorted_pool,
                                 double x);

// (mean - pool_mean) / pool_sd: a group's difference in pool standard
// deviations (Glass's delta with the pool as the reference). 0 when pool_sd
// is not positive (a pool without spread shows no difference).
double StandardizedDifference(double mean, double pool_mean, double pool_sd);

// ------------------------------------------------ empirical-Bayes shrinkage
//
// Model: respondent scores in group g are y ~ N(theta_g, sigma²), and group
// means theta_g ~ N(mu, tau²) around the pool mean mu. A group's observed mean
// m_g of n_g answers then has sampling variance sigma² / n_g, and its
// posterior given the data is normal with
//   weight B_g = tau² / (tau² + sigma² / n_g)
//   mean       = mu + B_g * (m_g - mu)
//   variance   = B_g * sigma² / n_g      (= 1 / (1/tau² + n_g/sigma²))
// A municipality with one respondent is pulled most of the way to the pool;
// one with hundreds keeps its own mean. This is the "honest uncertainty for
// tiny n" of the bird's eye: the interval is wide exactly when n is small.

// Pooled within-group variance sigma²:
//   sum_g (n_g - 1) * sd_g²  /  sum_g (n_g - 1)
// over groups with n_g >= 2 (groups of 0 or 1 contribute no degrees of
// freedom). 0 when no group has two members.
double PooledWithinVariance(const std::vector<Summary>& groups);

// Between-group variance tau² by the method of moments (the unweighted
// estimator of Hedges 1983; DerSimonian & Laird 1986 is its weighted
// sibling), over the G groups with n_g >= 1:
//   s²_m  = sum_g (m_g - mean_g m_g)² / (G - 1)     variance of group means
//   v_bar = sigma² * (1/G) * sum_g 1 / n_g          mean sampling variance
//   tau²  = max(0, s²_m - v_bar)
// with sigma² = PooledWithinVariance(groups). Unweighted, so one huge group
// cannot set tau² alone. 0 when fewer than two groups have a respondent.
double BetweenGroupVariance(const std::vector<Summary>& groups);

// A shrunk group mean with its central interval [low, high] and the weight
// given to the group's own mean (0 = all pool, 1 = all own data).
struct Shrunk {
  double mean = 0;
  double low = 0;
  double high = 0;
  double weight = 0;
};

// Posterior of `group`'s mean under the model above:
//   mean = pool_mean + weight * (group.mean - pool_mean)
//   sd   = sqrt(weight * within_var / n);  [low, high] = mean -/+ z * sd
// z defaults to the 95th normal quantile, i.e. a 90% interval.
// Limits, checked in this order:
//  - n <= 0: nothing observed; mean = pool_mean, weight 0, sd = sqrt(tau²)
//    (the prior: where a municipality's mean may lie at all);
//  - between_var <= 0 (tau² = 0): groups do not differ beyond chance; mean =
//    pool_mean, weight 0, zero-width interval (the pool mean's own
//    uncertainty is not part of this model);
//  - within_var <= 0 with tau² > 0: the group mean is exact; weight 1, mean =
//    group.mean, zero-width interval.
// Negative variances are treated as 0.
Shrunk Shrink(const Summary& group, double pool_mean, double within_var,
              double between_var, double z = 1.6448536269514722);

// ----------------------------------------------------------- paired change

// Change of one set of people between two waves.
//   mean_diff = mean(to - from)
//   dz        = mean_diff / sd(to - from)     (Cohen's d_z, sample sd)
// dz is std::nullopt when n < 2 or every difference is the same (sd == 0).
// For n == 0 the means are 0.
struct Paired {
  int n = 0;
  double mean_from = 0;
  double mean_to = 0;
  double mean_diff = 0;
  std::optional<double> dz;
};

// `pairs[i]` = (earlier value, later value) of person i; only people present
// in both waves belong in `pairs`.
Paired PairedChange(const std::vector<std::pair<double, double>>& pairs);

// ------------------------------------------------------------- reliability

// Cronbach's alpha of a scale on complete cases, with per-item diagnostics.
struct Alpha {
  int n = 0;  // respondents used (rows of the expected width)
  int k = 0;  // items
  // alpha = k / (k - 1) * (1 - sum_i var(x_i) / var(sum_i x_i)).
  // std::nullopt when n < 3, k < 2, or the total has no variance. May be
  // negative (items that disagree); it is reported, not clamped.
  std::optional<double> alpha;
  // Corrected item-total correlation of item i: Pearson r between x_i and
  // the sum of the OTHER items. std::nullopt when n < 3, k < 2, or either
  // side has no variance.
  std::vector<std::optional<double>> item_total;
  // Alpha of the scale without item i (std::nullopt when that scale has
  // fewer than 2 items or no total variance, or n < 3).
  std::vector<std::optional<double>> alpha_if_deleted;
};

// `rows` are respondents × items, complete cases only, reverse coding already
// applied. k is the width of the first row; rows of another width are
// skipped (not counted in n). Empty input gives n = 0, k = 0.
// O(n * k²) time for the per-item diagnostics, O(n * k) memory.
Alpha CronbachAlpha(const std::vector<std::vector<double>>& rows);

// Plain-language band for an alpha (George & Mallery 2003):
//   n < 3            -> "too few respondents"
//   alpha nullopt    -> "not computable"   (e.g. nobody's answers varied)
//   >= 0.9 "excellent", >= 0.8 "good", >= 0.7 "acceptable",
//   >= 0.6 "questionable", >= 0.5 "poor", otherwise "unacceptable".
// The strings are stable keys; the domain translates them for display.
std::string AlphaBand(std::optional<double> alpha, int n);

// ------------------------------------------------------------- free text

// Log-likelihood keyness of a term (Rayson & Garside 2000, "Comparing
// corpora using frequency profiling"):
//   a = the term's count in the target (one municipality's text),
//   b = its count in the reference (the pool), c, d = token totals of each.
//   E1 = c * (a + b) / (c + d),  E2 = d * (a + b) / (c + d)
//   G2 = 2 * (a * ln(a / E1) + b * ln(b / E2)),  with 0 * ln(0) = 0.
// Always >= 0 (tiny negative rounding is clamped); 0 when c + d == 0 or
// a + b == 0. G2 has no sign: a term is over-used in the target when
// a / c > b / d. G2 > 3.84 is p < 0.05 and > 6.63 is p < 0.01 (chi², 1 df).
double LogLikelihoodG2(double a, double b, double c, double d);

}  // namespace kaizen::survey::stats

#endif  // KAIZEN_SERVICES_SURVEY_STATS_H_
