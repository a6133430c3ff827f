#include "services/survey/stats.h"

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::survey::stats {
namespace stats_test {

using ::testing::DoubleNear;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::Optional;

constexpr double kEps = 1e-12;
constexpr double kZ90 = 1.6448536269514722;
const std::optional<double> kNone = std::nullopt;

// ------------------------------------------------------------ scale scores

TEST(MinAnsweredItemsTest, IsHalfRoundedUp) {
  EXPECT_EQ(MinAnsweredItems(0), 1);
  EXPECT_EQ(MinAnsweredItems(1), 1);
  EXPECT_EQ(MinAnsweredItems(2), 1);
  EXPECT_EQ(MinAnsweredItems(3), 2);
  EXPECT_EQ(MinAnsweredItems(4), 2);
  EXPECT_EQ(MinAnsweredItems(5), 3);
}

TEST(ScaleScoreTest, MeanOfAnsweredItems) {
  const ScaleDef scale{{0, 1, 2}, {}, 5};
  EXPECT_THAT(ScaleScore({4.0, 5.0, 3.0}, scale),
              Optional(DoubleNear(4, kEps)));
}

TEST(ScaleScoreTest, ReverseCodingIsPointsPlusOneMinusX) {
  // 5-point: 1 <-> 5, 2 <-> 4, 3 stays; 7-point: 2 -> 6.
  const ScaleDef five{{0, 1}, {false, true}, 5};
  EXPECT_THAT(ScaleScore({5.0, 1.0}, five), Optional(DoubleNear(5, kEps)));
  EXPECT_THAT(ScaleScore({2.0, 3.0}, five), Optional(DoubleNear(2.5, kEps)));
  const ScaleDef seven{{0}, {true}, 7};
  EXPECT_THAT(ScaleScore({2.0}, seven), Optional(DoubleNear(6, kEps)));
}

TEST(ScaleScoreTest, ShortReversedVectorMeansNotReversed) {
  const ScaleDef scale{{0, 1, 2}, {true}, 5};
  // (6-1) + 1 + 1 = 7 over 3.
  EXPECT_THAT(ScaleScore({1.0, 1.0, 1.0}, scale),
              Optional(DoubleNear(7.0 / 3, kEps)));
}

TEST(ScaleScoreTest, ItemsReadByColumnNotPosition) {
  const ScaleDef scale{{3, 1}, {}, 5};
  EXPECT_THAT(ScaleScore({1.0, 2.0, 9.0, 4.0}, scale),
              Optional(DoubleNear(3, kEps)));
}

TEST(ScaleScoreTest, EvenScaleScoresWithExactlyHalfAnswered) {
  const ScaleDef scale{{0, 1, 2, 3}, {false, false, false, true}, 5};
  // Two of four answered (the threshold): mean of 2 and (6 - 5).
  EXPECT_THAT(ScaleScore({2.0, kNone, kNone, 5.0}, scale),
              Optional(DoubleNear(1.5, kEps)));
  // One of four: below the threshold.
  EXPECT_EQ(ScaleScore({2.0, kNone, kNone, kNone}, scale), std::nullopt);
}

TEST(ScaleScoreTest, OddScaleNeedsMoreThanHalf) {
  const ScaleDef scale{{0, 1, 2, 3, 4}, {}, 5};
  // 3 of 5 answered: scores.
  EXPECT_THAT(ScaleScore({1.0, 2.0, 3.0, kNone, kNone}, scale),
              Optional(DoubleNear(2, kEps)));
  // 2 of 5 (2.5 would be "half"): no score.
  EXPECT_EQ(ScaleScore({1.0, 2.0, kNone, kNone, kNone}, scale), std::nullopt);
}

TEST(ScaleScoreTest, AllMissingOrEmptyScaleIsNullopt) {
  const ScaleDef scale{{0, 1}, {}, 5};
  EXPECT_EQ(ScaleScore({kNone, kNone}, scale), std::nullopt);
  EXPECT_EQ(ScaleScore({}, scale), std::nullopt);
  EXPECT_EQ(ScaleScore({1.0, 2.0}, ScaleDef{{}, {}, 5}), std::nullopt);
}

TEST(ScaleScoreTest, NanAndOutOfRangeColumnsAreMissing) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const ScaleDef scale{{0, 1, 7, -1}, {}, 5};
  // Items 7 and -1 do not exist: 2 of 4 answered, still the threshold.
  EXPECT_THAT(ScaleScore({2.0, 4.0}, scale), Optional(DoubleNear(3, kEps)));
  EXPECT_EQ(ScaleScore({2.0, nan}, scale), std::nullopt);
}

TEST(ScaleScoresTest, MatchesScaleScoreRowByRow) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Matrix m{4,
           3,
           {
               1, 2, 3,        //
               nan, 5, 1,      //
               nan, nan, 4,    //
               nan, nan, nan,  //
           }};
  const ScaleDef scale{{0, 2, 1}, {false, true, false}, 5};
  const std::vector<std::optional<double>> got = ScaleScores(m, scale);
  ASSERT_EQ(got.size(), 4u);
  for (int r = 0; r < m.rows; ++r) {
    std::vector<std::optional<double>> row;
    for (int c = 0; c < m.cols; ++c) {
      const float v = m.values[r * m.cols + c];
      row.push_back(std::isnan(v) ? kNone : std::optional<double>(v));
    }
    EXPECT_EQ(got[r], ScaleScore(row, scale)) << "row " << r;
  }
  EXPECT_THAT(got[0], Optional(DoubleNear((1 + 3 + 2) / 3.0, kEps)));
  EXPECT_THAT(got[1], Optional(DoubleNear((5 + 5) / 2.0, kEps)));
  EXPECT_EQ(got[2], std::nullopt);  // 1 of 3
  EXPECT_EQ(got[3], std::nullopt);
}

TEST(AllScaleScoresTest, EqualsOneScaleAtATime) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Matrix m{3, 4, {1, 2, 3, 4, nan, 5, nan, 2, 3, nan, nan, nan}};
  const std::vector<ScaleDef> scales = {
      {{0, 1}, {}, 5},
      {{1, 2, 3}, {true, false, true}, 5},
      {{3, 0, 9}, {false, true}, 7},  // column 9 does not exist
      {{}, {}, 5},
  };
  const auto all = AllScaleScores(m, scales);
  ASSERT_EQ(all.size(), scales.size());
  for (size_t s = 0; s < scales.size(); ++s) {
    EXPECT_EQ(all[s], ScaleScores(m, scales[s])) << "scale " << s;
  }
  EXPECT_THAT(all[1][0], Optional(DoubleNear((4 + 3 + 2) / 3.0, kEps)));
  EXPECT_THAT(all[2][0], Optional(DoubleNear((4 + 7) / 2.0, kEps)));
  EXPECT_THAT(all[3], ElementsAre(Eq(kNone), Eq(kNone), Eq(kNone)));
  EXPECT_TRUE(AllScaleScores(m, {}).empty());
}

TEST(ScaleScoresTest, BadShapeGivesNoScores) {
  Matrix m{2, 3, {1, 2, 3}};  // too few values
  EXPECT_THAT(ScaleScores(m, ScaleDef{{0}, {}, 5}),
              ElementsAre(Eq(kNone), Eq(kNone)));
  EXPECT_TRUE(ScaleScores(Matrix{}, ScaleDef{{0}, {}, 5}).empty());
}

// ------------------------------------------------------------- summaries

TEST(SummarizeTest, SampleSd) {
  const Summary s = Summarize({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_EQ(s.n, 8);
  EXPECT_NEAR(s.mean, 5, kEps);
  EXPECT_NEAR(s.sd, std::sqrt(32.0 / 7), kEps);  // sum of squares 32, n-1 = 7
}

TEST(SummarizeTest, SmallN) {
  const Summary none = Summarize({});
  EXPECT_EQ(none.n, 0);
  EXPECT_EQ(none.mean, 0);
  EXPECT_EQ(none.sd, 0);
  const Summary one = Summarize({3.5});
  EXPECT_EQ(one.n, 1);
  EXPECT_EQ(one.mean, 3.5);
  EXPECT_EQ(one.sd, 0);
  const Summary two = Summarize({1, 2});
  EXPECT_NEAR(two.sd, std::sqrt(0.5), kEps);
}

TEST(SummarizeTest, ZeroVarianceAndLargeOffset) {
  EXPECT_EQ(Summarize({4, 4, 4}).sd, 0);
  // A naive E[x²] - E[x]² would lose these digits.
  const Summary s = Summarize({1e9 + 1, 1e9 + 2, 1e9 + 3});
  EXPECT_NEAR(s.sd, 1, 1e-9);
}

TEST(SummarizeAnsweredTest, SkipsMissing) {
  const Summary s = SummarizeAnswered(
      {1.0, kNone, 3.0, std::numeric_limits<double>::quiet_NaN()});
  EXPECT_EQ(s.n, 2);
  EXPECT_NEAR(s.mean, 2, kEps);
  EXPECT_NEAR(s.sd, std::sqrt(2.0), kEps);
}

TEST(SummarizeByGroupTest, EqualsPerGroupSummaries) {
  const std::vector<std::optional<double>> v = {1.0, 2.0, kNone, 4.0,
                                                5.0, 6.0, 7.0};
  const std::vector<int> g = {0, 1, 0, 1, 0, 3, -1};
  const std::vector<Summary> s = SummarizeByGroup(v, g, 3);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].n, 2);
  EXPECT_NEAR(s[0].mean, 3, kEps);
  EXPECT_NEAR(s[0].sd, std::sqrt(8.0), kEps);
  EXPECT_EQ(s[1].n, 2);
  EXPECT_NEAR(s[1].mean, 3, kEps);
  EXPECT_EQ(s[2].n, 0);  // nobody; group 3 and -1 are out of range
}

TEST(PercentileTest, MidRank) {
  const std::vector<double> pool = {1, 2, 2, 3};
  EXPECT_THAT(Percentile(pool, 2), Optional(DoubleNear(50, kEps)));
  EXPECT_THAT(Percentile(pool, 2.5), Optional(DoubleNear(75, kEps)));
  EXPECT_THAT(Percentile(pool, 1), Optional(DoubleNear(12.5, kEps)));
  EXPECT_THAT(Percentile(pool, 0), Optional(DoubleNear(0, kEps)));
  EXPECT_THAT(Percentile(pool, 4), Optional(DoubleNear(100, kEps)));
  EXPECT_THAT(Percentile({3, 3, 3}, 3), Optional(DoubleNear(50, kEps)));
  EXPECT_EQ(Percentile({}, 1), std::nullopt);
}

TEST(StandardizedDifferenceTest, InPoolSds) {
  EXPECT_NEAR(StandardizedDifference(4, 3, 0.5), 2, kEps);
  EXPECT_NEAR(StandardizedDifference(2, 3, 2), -0.5, kEps);
  EXPECT_EQ(StandardizedDifference(4, 3, 0), 0);
  EXPECT_EQ(StandardizedDifference(4, 3, -1), 0);
}

// ------------------------------------------------ empirical-Bayes shrinkage

TEST(PooledWithinVarianceTest, WeightsByDegreesOfFreedom) {
  // (1 * 1 + 3 * 4) / (1 + 3); the n=1 and n=0 groups add nothing.
  EXPECT_NEAR(
      PooledWithinVariance({{2, 0, 1}, {4, 0, 2}, {1, 9, 0}, {0, 0, 0}}),
      13.0 / 4, kEps);
  EXPECT_EQ(PooledWithinVariance({{1, 3, 0}, {1, 4, 0}}), 0);
  EXPECT_EQ(PooledWithinVariance({}), 0);
}

TEST(BetweenGroupVarianceTest, VarianceOfMeansMinusSamplingVariance) {
  // Means 1 and 3: variance 2. sigma² = 1, mean(1/n) = 1/2: 2 - 0.5.
  EXPECT_NEAR(BetweenGroupVariance({{2, 1, 1}, {2, 3, 1}}), 1.5, kEps);
  // Three groups, one of a single person (counts in the means and 1/n, not
  // in sigma²): means 1, 2, 6 -> var 7; sigma² = (1*1 + 3*4)/4 = 3.25;
  // mean(1/n) = (1/2 + 1/4 + 1) / 3.
  const double expected = 7 - 3.25 * (0.5 + 0.25 + 1) / 3;
  EXPECT_NEAR(BetweenGroupVariance({{2, 1, 1}, {4, 2, 2}, {1, 6, 0}}), expected,
              kEps);
}

TEST(BetweenGroupVarianceTest, FlooredAtZeroAndNeedsTwoGroups) {
  EXPECT_EQ(BetweenGroupVariance({{10, 3, 1}, {10, 3.01, 1}}), 0);
  EXPECT_EQ(BetweenGroupVariance({{10, 3, 1}}), 0);
  EXPECT_EQ(BetweenGroupVariance({{10, 3, 1}, {0, 9, 0}}), 0);
  EXPECT_EQ(BetweenGroupVariance({}), 0);
}

TEST(ShrinkTest, PosteriorMeanAndInterval) {
  // tau² = 0.25, sigma²/n = 1/4: weight 1/2.
  const Shrunk s = Shrink({4, 4.0, 1.0}, 3.0, 1.0, 0.25);
  EXPECT_NEAR(s.weight, 0.5, kEps);
  EXPECT_NEAR(s.mean, 3.5, kEps);
  const double sd = std::sqrt(0.5 * 0.25);
  EXPECT_NEAR(s.low, 3.5 - kZ90 * sd, kEps);
  EXPECT_NEAR(s.high, 3.5 + kZ90 * sd, kEps);
}

TEST(ShrinkTest, OnePersonIsPulledHardLargeGroupKeepsItsMean) {
  const Shrunk one = Shrink({1, 5.0, 0}, 3.0, 1.0, 0.1);
  EXPECT_NEAR(one.weight, 0.1 / 1.1, kEps);
  EXPECT_LT(one.mean, 3.2);
  const Shrunk many = Shrink({1000, 5.0, 1.0}, 3.0, 1.0, 0.1);
  EXPECT_GT(many.weight, 0.99);
  EXPECT_GT(many.mean, 4.98);
  EXPECT_GT(one.high - one.low, many.high - many.low);
}

TEST(ShrinkTest, NoRespondentsGivesThePrior) {
  const Shrunk s = Shrink({0, 0, 0}, 3.0, 1.0, 0.04);
  EXPECT_EQ(s.weight, 0);
  EXPECT_EQ(s.mean, 3.0);
  EXPECT_NEAR(s.low, 3.0 - kZ90 * 0.2, kEps);
  EXPECT_NEAR(s.high, 3.0 + kZ90 * 0.2, kEps);
}

TEST(ShrinkTest, NoBetweenVarianceGivesThePoolMean) {
  const Shrunk s = Shrink({50, 4.0, 1.0}, 3.0, 1.0, 0.0);
  EXPECT_EQ(s.weight, 0);
  EXPECT_EQ(s.mean, 3.0);
  EXPECT_EQ(s.low, 3.0);
  EXPECT_EQ(s.high, 3.0);
  EXPECT_EQ(Shrink({50, 4.0, 1.0}, 3.0, 1.0, -0.5).mean, 3.0);
}

TEST(ShrinkTest, NoWithinVarianceKeepsTheGroupMean) {
  const Shrunk s = Shrink({3, 4.0, 0.0}, 3.0, 0.0, 0.3);
  EXPECT_EQ(s.weight, 1);
  EXPECT_EQ(s.mean, 4.0);
  EXPECT_EQ(s.low, 4.0);
  EXPECT_EQ(s.high, 4.0);
}

TEST(ShrinkTest, CustomZ) {
  const Shrunk s = Shrink({4, 4.0, 1.0}, 3.0, 1.0, 0.25, 1.959963984540054);
  EXPECT_NEAR(s.high - s.mean, 1.959963984540054 * std::sqrt(0.125), kEps);
}

// ----------------------------------------------------------- paired change

TEST(PairedChangeTest, MeansAndDz) {
  // Differences 1, 2, 0: mean 1, sample sd 1.
  const Paired p = PairedChange({{1, 2}, {2, 4}, {3, 3}});
  EXPECT_EQ(p.n, 3);
  EXPECT_NEAR(p.mean_from, 2, kEps);
  EXPECT_NEAR(p.mean_to, 3, kEps);
  EXPECT_NEAR(p.mean_diff, 1, kEps);
  EXPECT_THAT(p.dz, Optional(DoubleNear(1, kEps)));
}

TEST(PairedChangeTest, Negative) {
  const Paired p = PairedChange({{4, 2}, {5, 4}});
  EXPECT_NEAR(p.mean_diff, -1.5, kEps);
  EXPECT_THAT(p.dz, Optional(DoubleNear(-1.5 / std::sqrt(0.5), kEps)));
}

TEST(PairedChangeTest, EdgeCases) {
  const Paired none = PairedChange({});
  EXPECT_EQ(none.n, 0);
  EXPECT_EQ(none.mean_diff, 0);
  EXPECT_EQ(none.dz, std::nullopt);
  const Paired one = PairedChange({{2, 5}});
  EXPECT_EQ(one.n, 1);
  EXPECT_NEAR(one.mean_diff, 3, kEps);
  EXPECT_EQ(one.dz, std::nullopt);
  // Everyone moved by exactly one point: sd 0, no effect size.
  const Paired same = PairedChange({{1, 2}, {3, 4}, {2, 3}});
  EXPECT_NEAR(same.mean_diff, 1, kEps);
  EXPECT_EQ(same.dz, std::nullopt);
}

// ------------------------------------------------------------- reliability

// Published worked example: "Survey reliability", thinkdeeply.cc
// (https://thinkdeeply.cc/posts/survey-reliability): ten respondents, four
// 5-point items. It prints the covariance matrix (variances 0.6778, 0.989,
// 0.6222, 1.344) and alpha = 4 * 0.309 / (0.908 + 3 * 0.309) = 0.674,
// confirmed there with R's psych::alpha ("alpha: 0.674").
TEST(CronbachAlphaTest, PublishedWorkedExample) {
  const std::vector<std::vector<double>> rows = {
      {3, 3, 3, 3}, {3, 3, 4, 3}, {3, 3, 3, 1}, {5, 4, 4, 5}, {2, 1, 4, 4},
      {4, 4, 4, 5}, {3, 2, 3, 3}, {3, 4, 3, 3}, {4, 2, 2, 3}, {3, 3, 2, 3},
  };
  const Alpha a = CronbachAlpha(rows);
  EXPECT_EQ(a.n, 10);
  EXPECT_EQ(a.k, 4);
  ASSERT_TRUE(a.alpha.has_value());
  EXPECT_NEAR(*a.alpha, 0.674, 0.0005);
  // Exactly, from the printed covariances: sum of variances 32.7/9, sum of
  // all covariance entries (= var of the total) 66.1/9 (sums of squares over
  // 9): alpha = 4/3 * (1 - 32.7 / 66.1).
  EXPECT_NEAR(*a.alpha, 4.0 / 3 * (1 - 32.7 / 66.1), 1e-12);
  EXPECT_EQ(AlphaBand(a.alpha, a.n), "questionable");
}

TEST(CronbachAlphaTest, ParallelItemsHaveAlphaOne) {
  const Alpha a = CronbachAlpha({{1, 1, 1}, {2, 2, 2}, {4, 4, 4}, {5, 5, 5}});
  EXPECT_THAT(a.alpha, Optional(DoubleNear(1, kEps)));
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(a.item_total[i], Optional(DoubleNear(1, kEps)));
    EXPECT_THAT(a.alpha_if_deleted[i], Optional(DoubleNear(1, kEps)));
  }
}

TEST(CronbachAlphaTest, ItemTotalIsCorrected) {
  // Item 2 runs against items 0 and 1: negative corrected correlation, and
  // alpha rises when it is deleted.
  const Alpha a =
      CronbachAlpha({{1, 1, 5}, {2, 3, 4}, {3, 2, 3}, {4, 5, 1}, {5, 4, 2}});
  ASSERT_TRUE(a.item_total[2].has_value());
  EXPECT_LT(*a.item_total[2], 0);
  ASSERT_TRUE(a.alpha.has_value());
  ASSERT_TRUE(a.alpha_if_deleted[2].has_value());
  EXPECT_GT(*a.alpha_if_deleted[2], *a.alpha);
  // Deleting item 2 leaves items 0 and 1: items (1..5) and (1,3,2,5,4) have
  // variances 2.5 and 2.5 and covariance 2, so alpha = 2 * (1 - 5 / 9).
  EXPECT_THAT(a.alpha_if_deleted[2],
              Optional(DoubleNear(2 * (1 - 5.0 / 9), kEps)));
  // Item 0 against items 1 + 2 = (6, 7, 5, 6, 6): r computed by hand.
  // x = 1..5 (mean 3), y = 6,7,5,6,6 (mean 6): sxy = -3+(-1)... = -1,
  // sxx = 10, syy = 2: r = -1 / sqrt(20).
  EXPECT_THAT(a.item_total[0],
              Optional(DoubleNear(-1 / std::sqrt(20.0), kEps)));
}

TEST(CronbachAlphaTest, TooFewRespondentsOrItems) {
  const Alpha two = CronbachAlpha({{1, 2}, {2, 3}});
  EXPECT_EQ(two.n, 2);
  EXPECT_EQ(two.alpha, std::nullopt);
  EXPECT_THAT(two.item_total, ElementsAre(Eq(kNone), Eq(kNone)));
  EXPECT_EQ(AlphaBand(two.alpha, two.n), "too few respondents");

  const Alpha one_item = CronbachAlpha({{1}, {2}, {3}});
  EXPECT_EQ(one_item.k, 1);
  EXPECT_EQ(one_item.alpha, std::nullopt);

  const Alpha empty = CronbachAlpha({});
  EXPECT_EQ(empty.n, 0);
  EXPECT_EQ(empty.k, 0);
  EXPECT_EQ(empty.alpha, std::nullopt);
  EXPECT_TRUE(empty.item_total.empty());
}

TEST(CronbachAlphaTest, TwoItemsHaveNoAlphaIfDeleted) {
  const Alpha a = CronbachAlpha({{1, 2}, {2, 2}, {3, 5}, {4, 4}});
  EXPECT_TRUE(a.alpha.has_value());
  EXPECT_THAT(a.alpha_if_deleted, ElementsAre(Eq(kNone), Eq(kNone)));
  EXPECT_TRUE(a.item_total[0].has_value());
}

TEST(CronbachAlphaTest, ZeroVariance) {
  const Alpha flat = CronbachAlpha({{3, 3}, {3, 3}, {3, 3}});
  EXPECT_EQ(flat.n, 3);
  EXPECT_EQ(flat.alpha, std::nullopt);
  EXPECT_THAT(flat.item_total, ElementsAre(Eq(kNone), Eq(kNone)));
  EXPECT_EQ(AlphaBand(flat.alpha, flat.n), "not computable");

  // One constant item: its item-total r is undefined, the others are not.
  const Alpha one_flat = CronbachAlpha({{1, 2, 3}, {2, 3, 3}, {3, 3, 3}});
  EXPECT_EQ(one_flat.item_total[2], std::nullopt);
  EXPECT_TRUE(one_flat.item_total[0].has_value());
}

TEST(CronbachAlphaTest, RowsOfAnotherWidthAreSkipped) {
  const Alpha a = CronbachAlpha({{1, 1}, {2, 2, 9}, {2, 2}, {3, 3}, {4}});
  EXPECT_EQ(a.n, 3);
  EXPECT_THAT(a.alpha, Optional(DoubleNear(1, kEps)));
}

TEST(AlphaBandTest, Thresholds) {
  EXPECT_EQ(AlphaBand(0.95, 10), "excellent");
  EXPECT_EQ(AlphaBand(0.9, 10), "excellent");
  EXPECT_EQ(AlphaBand(0.85, 10), "good");
  EXPECT_EQ(AlphaBand(0.8, 10), "good");
  EXPECT_EQ(AlphaBand(0.7, 10), "acceptable");
  EXPECT_EQ(AlphaBand(0.65, 10), "questionable");
  EXPECT_EQ(AlphaBand(0.5, 10), "poor");
  EXPECT_EQ(AlphaBand(0.49, 10), "unacceptable");
  EXPECT_EQ(AlphaBand(-0.3, 10), "unacceptable");
  EXPECT_EQ(AlphaBand(0.95, 2), "too few respondents");
  EXPECT_EQ(AlphaBand(std::nullopt, 3), "not computable");
}

// ------------------------------------------------------------- free text

TEST(LogLikelihoodG2Test, SameRateIsZero) {
  EXPECT_NEAR(LogLikelihoodG2(10, 10, 100, 100), 0, kEps);
  EXPECT_NEAR(LogLikelihoodG2(5, 50, 100, 1000), 0, kEps);
}

TEST(LogLikelihoodG2Test, ZeroCountUsesZeroLogZero) {
  // E1 = E2 = 5: 2 * (0 + 10 ln 2), either way round.
  EXPECT_NEAR(LogLikelihoodG2(0, 10, 100, 100), 20 * std::log(2.0), 1e-12);
  EXPECT_NEAR(LogLikelihoodG2(10, 0, 100, 100), 20 * std::log(2.0), 1e-12);
}

TEST(LogLikelihoodG2Test, HandComputed) {
  // a=30, b=70, c=1000, d=9000: E1 = 10, E2 = 90.
  const double expected = 2 * (30 * std::log(3.0) + 70 * std::log(70.0 / 90));
  EXPECT_NEAR(LogLikelihoodG2(30, 70, 1000, 9000), expected, 1e-12);
  EXPECT_GT(expected, 6.63);
}

TEST(LogLikelihoodG2Test, Degenerate) {
  EXPECT_EQ(LogLikelihoodG2(0, 0, 100, 100), 0);
  EXPECT_EQ(LogLikelihoodG2(0, 0, 0, 0), 0);
  EXPECT_EQ(LogLikelihoodG2(3, 0, 3, 0), 0);  // no reference: all expected
}

}  // namespace
}  // namespace kaizen::survey::stats
