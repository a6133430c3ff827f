// SplitMix64 (Steele, Lea and Flood, 2014): a tiny deterministic generator
// for reproducible data, the same numbers from the same seed on every
// machine (the demo loader's survey answers, the survey statistics'
// reference data, benchmarks). Not for anything secret: crypto.h.
#ifndef KAIZEN_COMMON_UTIL_SPLIT_MIX64_H_
#define KAIZEN_COMMON_UTIL_SPLIT_MIX64_H_

#include <cstdint>

namespace kaizen::util {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform in [0, n); 0 when n <= 0.
  int Below(int n) { return n <= 0 ? 0 : static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

}  // namespace kaizen::util

#endif  // KAIZEN_COMMON_UTIL_SPLIT_MIX64_H_
