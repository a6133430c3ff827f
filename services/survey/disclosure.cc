#include "services/survey/disclosure.h"

#include <algorithm>
#include <cstddef>

namespace kaizen::survey::disclosure {

int EffectiveK(int configured) {
  if (configured <= 0) return kDefaultK;
  return std::max(kMinimumK, configured);
}

bool MayRelease(int group_n, int superset_n, int k) {
  k = EffectiveK(k);
  if (group_n < 0 || superset_n < group_n) return false;
  const int rest = superset_n - group_n;
  return group_n >= k && (rest == 0 || rest >= k);
}

std::vector<bool> SuppressCells(const std::vector<int>& counts, int k) {
  k = EffectiveK(k);
  std::vector<bool> hidden(counts.size(), false);
  // 64-bit sums: the counts are ints, their sum need not fit one.
  long long hidden_sum = 0;
  int hidden_cells = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] < 0 || (counts[i] > 0 && counts[i] < k)) {
      hidden[i] = true;
      hidden_sum += std::max(counts[i], 0);
      ++hidden_cells;
    }
  }
  // Already safe when nothing is hidden, or when the hidden cells are at
  // least two, hold at least k respondents together, and are not all 1s.
  const auto safe = [&] {
    return hidden_cells == 0 ||
           (hidden_cells >= 2 && hidden_sum >= k && hidden_sum > hidden_cells);
  };
  while (!safe()) {
    // The smallest shown non-zero cell costs the least information.
    size_t pick = counts.size();
    for (size_t i = 0; i < counts.size(); ++i) {
      if (hidden[i] || counts[i] == 0) continue;
      if (pick == counts.size() || counts[i] < counts[pick]) pick = i;
    }
    if (pick == counts.size()) {
      return std::vector<bool>(counts.size(), true);
    }
    hidden[pick] = true;
    hidden_sum += counts[pick];
    ++hidden_cells;
  }
  return hidden;
}

}  // namespace kaizen::survey::disclosure
