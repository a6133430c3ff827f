#include "services/gateway/rate_limiter.h"

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kaizen::gateway {
namespace rate_limiter_test {

TEST(RateLimiterTest, BurstThenSustainedRate) {
  FakeClock clock;
  RateLimiter limiter({/*per_second=*/2, /*burst=*/3}, &clock);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Acquire("alice").ok());
  absl::Status s = limiter.Acquire("alice");
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(errors::Reason(s), "RATE_LIMITED");
  EXPECT_EQ(errors::GetErrorInfo(s)->metadata().at("retry_after_seconds"), "1");
  EXPECT_TRUE(limiter.Acquire("bob").ok());  // separate bucket
  clock.Advance(absl::Milliseconds(500));    // one token at 2/s
  EXPECT_TRUE(limiter.Acquire("alice").ok());
  EXPECT_FALSE(limiter.Acquire("alice").ok());
  clock.Advance(absl::Hours(1));  // refills only up to the burst
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Acquire("alice").ok());
  EXPECT_FALSE(limiter.Acquire("alice").ok());
}

TEST(RateLimiterTest, RetryAfterRoundsUp) {
  FakeClock clock;
  RateLimiter limiter({/*per_second=*/0.1, /*burst=*/1}, &clock);
  EXPECT_TRUE(limiter.Acquire("k").ok());
  EXPECT_EQ(errors::GetErrorInfo(limiter.Acquire("k"))->metadata().at("retry_after_seconds"),
            "10");
}

TEST(RateLimiterTest, ZeroRateDisablesLimiting) {
  FakeClock clock;
  RateLimiter limiter({/*per_second=*/0, /*burst=*/1}, &clock);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(limiter.Acquire("k").ok());
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(RateLimiterTest, TrackedKeysAreBounded) {
  FakeClock clock;
  RateLimiter limiter({/*per_second=*/1, /*burst=*/5, /*max_keys=*/100}, &clock);
  for (int i = 0; i < 1000; ++i) limiter.Acquire("ip:" + std::to_string(i)).IgnoreError();
  EXPECT_LE(limiter.tracked_keys(), 100u);
  // Idle keys are forgotten first: after they refill, a busy key keeps its state.
  for (int i = 0; i < 5; ++i) limiter.Acquire("busy").IgnoreError();
  EXPECT_FALSE(limiter.Acquire("busy").ok());
}

}  // namespace
}  // namespace kaizen::gateway
