#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/status/errors.h"
#include "common/util/clock.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "common/util/page_token.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"
#include "gtest/gtest.h"

namespace kaizen {
namespace util_test {

TEST(IdsTest, NewIdsAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewId();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_TRUE(IsValidResourceId(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

// Ids come from a per-thread pool of random bytes (ids.cc): threads must
// never hand out the same bytes.
TEST(IdsTest, IdsFromManyThreadsAreDistinct) {
  constexpr int kThreads = 8;
  constexpr int kEach = 500;  // several refills of each thread's pool
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&made, t] {
      for (int i = 0; i < kEach; ++i) made[t].push_back(NewId());
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<std::string> seen;
  for (const auto& ids : made) seen.insert(ids.begin(), ids.end());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kEach));
}

// Forks with `fork_fn`; the child writes 8 NewIds to a pipe and exits.
// Returns them ("" if the child wrote fewer).
std::string ChildsIds(pid_t (*fork_fn)()) {
  int fds[2];
  if (pipe(fds) != 0) return "";
  const pid_t pid = fork_fn();
  if (pid < 0) return "";
  if (pid == 0) {
    close(fds[0]);
    std::string ids;
    for (int i = 0; i < 8; ++i) ids += NewId();
    _exit(write(fds[1], ids.data(), ids.size()) == static_cast<ssize_t>(ids.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string child(8 * 16, '\0');
  size_t got = 0;
  while (got < child.size()) {
    const ssize_t n = read(fds[0], child.data() + got, child.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return got == child.size() ? child : "";
}

// A forked child must not hand out the ids its parent's pool holds next
// (the pool is copied by a fork): not after fork(), which runs the atfork
// handlers, nor after the forks that run none (the wipe-on-fork flag).
TEST(IdsTest, AForkedChildDoesNotRepeatItsParentsIds) {
  const std::vector<std::pair<const char*, pid_t (*)()>> forks = {
      {"fork()", +[] { return fork(); }},
      {"_Fork()", +[] { return _Fork(); }},
      {"syscall(SYS_fork)", +[] { return static_cast<pid_t>(syscall(SYS_fork)); }},
  };
  for (const auto& [how, fork_fn] : forks) {
    NewId();  // the pool is filled and mostly unused
    const std::string child = ChildsIds(fork_fn);
    ASSERT_EQ(child.size(), 8u * 16) << how;
    std::set<std::string> parent;
    for (int i = 0; i < 8; ++i) parent.insert(NewId());
    for (int i = 0; i < 8; ++i) {
      EXPECT_EQ(parent.count(child.substr(i * 16, 16)), 0u)
          << how << ": the child repeated id " << i;
    }
  }
}

TEST(IdsTest, TimeOrderedIdsAreValidDistinctAndSortByTime) {
  // 10 s from 2026-12-01 (the first character stays the same).
  const absl::Time start = absl::FromUnixSeconds(1796083200);  // 2026-12-01
  std::set<std::string> seen;
  std::string last;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = NewTimeOrderedId(start + absl::Milliseconds(5) * i);
    EXPECT_EQ(id.size(), 16u);
    EXPECT_TRUE(IsValidResourceId(id)) << id;
    EXPECT_GT(id, last) << "made 5 ms later, sorts after";
    last = id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
  for (int64_t ticks : {0LL, (1LL << 29) - 1, (15LL << 25), 12345678LL}) {
    const std::string id = NewTimeOrderedId(absl::FromUnixMicros(ticks << 12));
    EXPECT_TRUE(IsValidResourceId(id)) << ticks << " " << id;
  }
}

// Where a character of the tick count carries into the next (every
// character's boundaries, up to the first character's a..p), the ids still
// sort by time; at the count's wrap (2^29 ticks, ~25.4 days) they start over,
// valid, and the later one sorts first, as documented.
TEST(IdsTest, TimeOrderedIdsSortAcrossEveryCarryAndStartOverAtTheWrap) {
  auto at_tick = [](int64_t ticks) { return NewTimeOrderedId(absl::FromUnixMicros(ticks << 12)); };
  for (int shift = 0; shift <= 25; shift += 5) {
    for (int64_t digit = 1; digit < (shift == 25 ? 16 : 32); ++digit) {
      const int64_t boundary = digit << shift;
      const std::string before = at_tick(boundary - 1);
      const std::string after = at_tick(boundary);
      EXPECT_TRUE(IsValidResourceId(before)) << before;
      EXPECT_TRUE(IsValidResourceId(after)) << after;
      EXPECT_LT(before, after) << "tick " << boundary;
    }
  }
  const int64_t wrap = int64_t{1} << 29;
  const std::string last = at_tick(wrap - 1);
  const std::string first = at_tick(wrap);
  EXPECT_EQ(last.substr(0, 6), "pzzzzz");
  EXPECT_EQ(first.substr(0, 6), "a22222");
  EXPECT_TRUE(IsValidResourceId(first)) << first;
  EXPECT_LT(first, last);
  // Before 1970 the count runs on without a break up to the wrap at 1970.
  EXPECT_LT(at_tick(-2), at_tick(-1));
}

// Ids made at the same instant share their time and differ in the rest.
TEST(IdsTest, TimeOrderedIdsOfOneInstantDifferInTheirRandomPart) {
  const absl::Time now = absl::FromUnixSeconds(1796083200);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewTimeOrderedId(now);
    EXPECT_EQ(id.substr(0, 6), NewTimeOrderedId(now).substr(0, 6));
    seen.insert(id.substr(6));
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IdsTest, ResourceIdRules) {
  EXPECT_TRUE(IsValidResourceId("fy2022"));
  EXPECT_FALSE(IsValidResourceId("2022"));
  EXPECT_FALSE(IsValidResourceId("FY2022"));
  EXPECT_FALSE(IsValidResourceId("fy-"));
  EXPECT_FALSE(IsValidResourceId(""));
  EXPECT_FALSE(IsValidResourceId(std::string(64, 'a')));
}

TEST(IdsTest, SecretTokensAreLongAndDigestIsStable) {
  std::string t = NewSecretToken();
  EXPECT_GE(t.size(), 43u);
  EXPECT_EQ(SecretDigest(t), SecretDigest(t));
  EXPECT_NE(SecretDigest(t), SecretDigest(NewSecretToken()));
}

TEST(PageTokenTest, RoundTrip) {
  PageTokenCodec codec("0123456789abcdef");
  std::string token = codec.Encode("cohorts/x|state=OPEN", "k\x1f" "42");
  auto position = codec.Decode("cohorts/x|state=OPEN", token);
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(*position, "k\x1f" "42");
}

TEST(PageTokenTest, TamperedTokenIsInvalidArgument) {
  PageTokenCodec codec("0123456789abcdef");
  std::string token = codec.Encode("q", "position-7");
  for (size_t i = 0; i < token.size(); ++i) {
    std::string bad = token;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    auto result = codec.Decode("q", bad);
    ASSERT_FALSE(result.ok()) << "byte " << i;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(errors::Reason(result.status()), "INVALID_PAGE_TOKEN");
    EXPECT_EQ(errors::GetBadRequest(result.status())->field_violations(0).field(),
              "page_token");
  }
  EXPECT_FALSE(codec.Decode("q", "!!notbase64").ok());
  EXPECT_FALSE(codec.Decode("q", "").ok());
}

TEST(PageTokenTest, TokenFromAnotherQueryOrKeyIsRefused) {
  PageTokenCodec codec("0123456789abcdef");
  PageTokenCodec other("fedcba9876543210");
  std::string token = codec.Encode("filter=a", "p");
  EXPECT_FALSE(codec.Decode("filter=b", token).ok());
  EXPECT_FALSE(other.Decode("filter=a", token).ok());
}

TEST(PageTokenTest, PageSizeRules) {
  EXPECT_EQ(*EffectivePageSize(0, 50, 500), 50);
  EXPECT_EQ(*EffectivePageSize(10, 50, 500), 10);
  EXPECT_EQ(*EffectivePageSize(10000, 50, 500), 500);
  EXPECT_EQ(EffectivePageSize(-1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EtagTest, MatchesOnlySameNameAndRevision) {
  std::string etag = MakeEtag("cohorts/a", 3);
  EXPECT_TRUE(CheckEtag("cohorts/a", 3, etag).ok());
  EXPECT_TRUE(CheckEtag("cohorts/a", 3, "").ok());
  EXPECT_EQ(CheckEtag("cohorts/a", 4, etag).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(CheckEtag("cohorts/b", 3, etag).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(errors::Reason(CheckEtag("cohorts/a", 4, etag)), "ETAG_MISMATCH");
}

TEST(ClockTest, FakeClockMovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  clock.Advance(absl::Hours(48));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100) + absl::Hours(48));
}

TEST(ClockTest, TokyoIsNineHoursAhead) {
  absl::Time t = absl::FromUnixSeconds(1658620800);  // 2022-07-24 00:00 UTC
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d %H:%M", t, TokyoTimeZone()),
            "2022-07-24 09:00");
}

TEST(ResourceNameTest, SplitsIdsAndRefusesAnythingElse) {
  auto ids = ParseResourceName("name", "cohorts/fy2022/meetings/m2", {"cohorts", "meetings"});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"fy2022", "m2"}));
  for (const char* bad : {"cohorts/fy2022", "cohorts/fy2022/tasks/m2", "cohorts/FY/meetings/m2",
                          "cohorts/fy2022/meetings/m2/x", "", "cohorts//meetings/m2"}) {
    auto r = ParseResourceName("name", bad, {"cohorts", "meetings"});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(errors::Reason(r.status()), "INVALID_NAME");
    EXPECT_EQ(r.status().message(), "name: must look like cohorts/{id}/meetings/{id}");
  }
}

TEST(ProtoTimeTest, RoundTripsWithNanos) {
  absl::Time t = absl::FromUnixSeconds(1658620800) + absl::Nanoseconds(123456789);
  EXPECT_EQ(FromProtoTimestamp(ToProtoTimestamp(t)), t);
  EXPECT_EQ(ToProtoTimestamp(t).nanos(), 123456789);
  absl::Duration d = absl::Hours(3) + absl::Milliseconds(5);
  EXPECT_EQ(FromProtoDuration(ToProtoDuration(d)), d);
  EXPECT_EQ(ToProtoDuration(d).seconds(), 10800);
}

}  // namespace
}  // namespace kaizen
