#include "common/util/clock.h"

namespace kaizen {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

Clock* Clock::Real() {
  static RealClock* clock = new RealClock();
  return clock;
}

absl::TimeZone TokyoTimeZone() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone tz;
    if (absl::LoadTimeZone("Asia/Tokyo", &tz)) return tz;
    return absl::FixedTimeZone(9 * 60 * 60);
  }();
  return zone;
}

}  // namespace kaizen
