#include "services/survey/disclosure.h"

#include <functional>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kaizen::survey::disclosure {
namespace disclosure_test {

std::vector<bool> Hidden(std::initializer_list<int> hidden_indices,
                         size_t size) {
  std::vector<bool> out(size, false);
  for (int i : hidden_indices) out[i] = true;
  return out;
}

std::string Show(const std::vector<int>& counts) {
  std::string s = "[";
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i > 0) s += ",";
    s += std::to_string(counts[i]);
  }
  return s + "]";
}

TEST(EffectiveKTest, DefaultsAndClampsToTheFloor) {
  EXPECT_EQ(EffectiveK(0), 5);
  EXPECT_EQ(EffectiveK(-7), 5);
  EXPECT_EQ(EffectiveK(1), 3);
  EXPECT_EQ(EffectiveK(2), 3);
  EXPECT_EQ(EffectiveK(3), 3);
  EXPECT_EQ(EffectiveK(5), 5);
  EXPECT_EQ(EffectiveK(12), 12);
}

TEST(MayReleaseTest, TruthTable) {
  struct Case {
    int group_n, superset_n, k;
    bool want;
  };
  const Case cases[] = {
      {5, 5, 5, true},     // the group is the whole superset
      {4, 4, 5, false},    // too small on its own
      {0, 0, 5, false},    // nothing to show
      {5, 10, 5, true},    // rest 5
      {5, 9, 5, false},    // rest 4
      {6, 10, 5, false},   // rest 4: the subtraction attack
      {6, 11, 5, true},    // rest 5
      {10, 10, 5, true},
      {9, 10, 5, false},   // rest 1: one person's exact score
      {3, 3, 3, true},
      {3, 5, 3, false},    // rest 2
      {3, 6, 3, true},
      {4, 200, 5, false},  // a huge pool does not rescue a small group
      {5, 200, 5, true},
      {-1, 10, 5, false},  // inconsistent input is refused
      {11, 10, 5, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(MayRelease(c.group_n, c.superset_n, c.k), c.want)
        << "group " << c.group_n << " of " << c.superset_n << ", k "
        << c.k;
  }
}

TEST(MayReleaseTest, KIsClampedInside) {
  // A caller passing a raw k of 2 still gets k = 3; 0 means the default 5.
  EXPECT_FALSE(MayRelease(2, 2, 2));
  EXPECT_TRUE(MayRelease(3, 3, 2));
  EXPECT_FALSE(MayRelease(4, 4, 0));
  EXPECT_TRUE(MayRelease(5, 5, 0));
}

// The queries the rule exists for, spelled out with means.
TEST(MayReleaseTest, MunicipalityBesideThePoolCannotBeSubtracted) {
  // Pool of 10, municipality of 6: publishing both means gives the other
  // four's mean (10 * pool_mean - 6 * mean) / 4.
  const std::vector<double> municipality = {4, 4, 5, 3, 4, 4};
  const std::vector<double> others = {1, 2, 1, 2};
  const double sum_m = std::accumulate(municipality.begin(), municipality.end(), 0.0);
  const double sum_o = std::accumulate(others.begin(), others.end(), 0.0);
  const double pool_mean = (sum_m + sum_o) / 10, mean = sum_m / 6;
  EXPECT_DOUBLE_EQ((10 * pool_mean - 6 * mean) / 4, sum_o / 4);
  EXPECT_FALSE(MayRelease(6, 10, 5));
  // With one person outside the municipality the "rest" is that person.
  EXPECT_FALSE(MayRelease(9, 10, 5));
  EXPECT_TRUE(MayRelease(6, 11, 5));
}

TEST(MayReleaseTest, MunicipalityBesideItsCohort) {
  // A cohort of 10, 7 of them from one municipality: the other three.
  EXPECT_FALSE(MayRelease(7, 10, 5));
  EXPECT_TRUE(MayRelease(5, 10, 5));
}

TEST(MayReleaseTest, CohortFilteredBesideUnfiltered) {
  // A municipality with 8 respondents over all cohorts, 6 in this one:
  // the unfiltered minus the filtered query gives the other cohorts' 2.
  EXPECT_FALSE(MayRelease(6, 8, 5));
  EXPECT_TRUE(MayRelease(6, 12, 5));
}

TEST(SuppressCellsTest, NothingSmallNothingHidden) {
  EXPECT_EQ(SuppressCells({5, 6, 7}, 5), Hidden({}, 3));
  EXPECT_EQ(SuppressCells({0, 7, 0, 9}, 5), Hidden({}, 4));
  EXPECT_EQ(SuppressCells({0, 0}, 5), Hidden({}, 2));
  EXPECT_TRUE(SuppressCells({}, 5).empty());
}

TEST(SuppressCellsTest, OneSmallCellForcesAComplement) {
  // Hiding the 2 alone: total - shown = 2. The smallest other non-zero
  // cell (the 5) goes with it.
  EXPECT_EQ(SuppressCells({2, 5, 9, 6}, 5), Hidden({0, 1}, 4));
  // Zeros are not complements: they would hide nothing.
  EXPECT_EQ(SuppressCells({0, 9, 1, 0, 7}, 5), Hidden({2, 4}, 5));
  // Equal candidates: the first one.
  EXPECT_EQ(SuppressCells({1, 6, 6}, 5), Hidden({0, 1}, 3));
}

TEST(SuppressCellsTest, SmallCellsWhoseSumIsLargeEnoughNeedNoComplement) {
  EXPECT_EQ(SuppressCells({2, 3, 9, 10}, 5), Hidden({0, 1}, 4));
  EXPECT_EQ(SuppressCells({4, 4, 0, 8}, 5), Hidden({0, 1}, 4));
}

TEST(SuppressCellsTest, SmallCellsWhoseSumIsSmallGetAComplement) {
  // 1 + 2 = 3 < 5: the two together are still a small group.
  EXPECT_EQ(SuppressCells({1, 2, 9, 10}, 5), Hidden({0, 1, 2}, 4));
  // Three small cells still below k need the smallest large cell.
  EXPECT_EQ(SuppressCells({12, 1, 1, 1, 6}, 5), Hidden({1, 2, 3, 4}, 5));
}

TEST(SuppressCellsTest, AllSmall) {
  // 1 + 2 + 1 + 1 = 5 >= k, more respondents than cells: all hidden as
  // primaries, which is safe.
  EXPECT_EQ(SuppressCells({1, 2, 1, 1}, 5), Hidden({0, 1, 2, 3}, 4));
  // The total itself is below k: everything is hidden, zeros included.
  EXPECT_EQ(SuppressCells({2, 1, 0}, 5), Hidden({0, 1, 2}, 3));
  EXPECT_EQ(SuppressCells({3}, 5), Hidden({0}, 1));
}

TEST(SuppressCellsTest, KOfThree) {
  EXPECT_EQ(SuppressCells({1, 3, 4}, 3), Hidden({0, 1}, 3));
  EXPECT_EQ(SuppressCells({2, 2, 0, 7}, 3), Hidden({0, 1}, 4));
  EXPECT_EQ(SuppressCells({3, 3, 3}, 3), Hidden({}, 3));
  // k below the floor is 3.
  EXPECT_EQ(SuppressCells({2, 9}, 1), Hidden({0, 1}, 2));
}

TEST(SuppressCellsTest, HiddenOnesWithZerosShownAreAComplementCase) {
  // 1 + 1 + 1 = 3 = k, but zeros are shown, so each hidden cell is at least
  // 1 and three cells summing to 3 are all exactly 1: add the 8.
  EXPECT_EQ(SuppressCells({1, 1, 1, 8, 9}, 3), Hidden({0, 1, 2, 3}, 5));
  // Nothing left to add: everything is hidden.
  EXPECT_EQ(SuppressCells({1, 1, 1, 0}, 3), Hidden({0, 1, 2, 3}, 4));
}

TEST(SuppressCellsTest, NegativeCountsAreHidden) {
  const std::vector<bool> hidden = SuppressCells({-1, 9, 8}, 5);
  EXPECT_TRUE(hidden[0]);
}

// For every hidden cell, the set of values it can take given the total, the
// shown cells and what a reader knows (a hidden cell is >= 1 because zeros
// are shown, unless everything is hidden), by enumeration.
std::vector<std::set<int>> PossibleValues(const std::vector<int>& counts,
                                          const std::vector<bool>& hidden) {
  int total = 0, shown = 0;
  std::vector<size_t> cells;
  for (size_t i = 0; i < counts.size(); ++i) {
    total += counts[i];
    if (hidden[i]) {
      cells.push_back(i);
    } else {
      shown += counts[i];
    }
  }
  const bool all_hidden = cells.size() == counts.size();
  const int floor = all_hidden ? 0 : 1;
  const int rest = total - shown;
  std::vector<std::set<int>> values(cells.size());
  std::vector<int> assignment(cells.size());
  // Stops as soon as every hidden cell has shown two values: that is all
  // the property needs, and it keeps large tables cheap.
  bool done = false;
  std::function<void(size_t, int)> go = [&](size_t at, int left) {
    if (done) return;
    if (at + 1 == cells.size()) {
      if (left < floor) return;
      assignment[at] = left;
      done = true;
      for (size_t j = 0; j < cells.size(); ++j) {
        values[j].insert(assignment[j]);
        done = done && values[j].size() >= 2;
      }
      return;
    }
    const int later = static_cast<int>(cells.size() - at - 1) * floor;
    for (int v = floor; v + later <= left; ++v) {
      assignment[at] = v;
      go(at + 1, left - v);
    }
  };
  if (!cells.empty()) go(0, rest);
  return values;
}

void CheckProperty(const std::vector<int>& counts, int k) {
  const std::vector<bool> hidden = SuppressCells(counts, k);
  ASSERT_EQ(hidden.size(), counts.size());
  const int kk = EffectiveK(k);
  int total = 0, hidden_cells = 0, hidden_sum = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    total += counts[i];
    if (counts[i] > 0 && counts[i] < kk) {
      ASSERT_TRUE(hidden[i]) << "primary cell " << i << " shown in "
                             << Show(counts) << " k " << kk;
    }
    if (hidden[i]) {
      ++hidden_cells;
      hidden_sum += counts[i];
    }
  }
  if (hidden_cells == static_cast<int>(counts.size()) && hidden_cells > 0) {
    // Everything hidden: only when the rule could not be met otherwise.
    bool all_ones = true;
    for (int c : counts) all_ones = all_ones && (c == 0 || c == 1);
    const bool rule_met = hidden_cells >= 2 && hidden_sum >= kk;
    if (!rule_met) {
      ASSERT_TRUE(total < kk || all_ones) << Show(counts);
      return;
    }
  }
  // The brief's invariant.
  ASSERT_TRUE(hidden_cells == 0 || (hidden_cells >= 2 && hidden_sum >= kk))
      << Show(counts) << " k " << kk;
  // And no hidden value follows from the published numbers.
  const std::vector<std::set<int>> values = PossibleValues(counts, hidden);
  for (size_t j = 0; j < values.size(); ++j) {
    ASSERT_GE(values[j].size(), 2u)
        << "hidden cell " << j << " determined in " << Show(counts) << " k "
        << kk;
  }
}

TEST(SuppressCellsPropertyTest, EveryTableUpToFourCellsOfSevenOrLess) {
  for (int k : {3, 4, 5}) {
    for (int size = 1; size <= 4; ++size) {
      std::vector<int> counts(size, 0);
      std::function<void(int)> each = [&](int at) {
        if (at == size) {
          CheckProperty(counts, k);
          return;
        }
        for (int v = 0; v <= 7; ++v) {
          counts[at] = v;
          each(at + 1);
        }
      };
      each(0);
    }
  }
}

TEST(SuppressCellsPropertyTest, RandomTables) {
  std::mt19937 rng(20220724);  // fixed seed: hermetic and reproducible
  std::uniform_int_distribution<int> size_of(1, 6);
  std::uniform_int_distribution<int> k_of(-1, 7);
  std::uniform_int_distribution<int> small(0, 9);
  std::uniform_int_distribution<int> large(0, 40);
  std::bernoulli_distribution mostly_small(0.8);
  for (int round = 0; round < 3000; ++round) {
    std::vector<int> counts(size_of(rng));
    for (int& c : counts) c = mostly_small(rng) ? small(rng) : large(rng);
    CheckProperty(counts, k_of(rng));
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace kaizen::survey::disclosure
