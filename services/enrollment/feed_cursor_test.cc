// The partner feed cursor: round trip, the format before the merge, and
// every way a cursor can be wrong.
#include "services/enrollment/feed_cursor.h"

#include "common/status/errors.h"
#include "common/util/page_token.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment {
namespace feed_cursor_test {

const PageTokenCodec kCodec("feed-cursor-key-0123456789");
constexpr char kFeed[] = "changes\x1f" "242047";

TEST(FeedCursorTest, EmptyIsTheBeginning) {
  auto p = DecodeFeedCursor(kCodec, kFeed, "");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(*p, FeedPosition());
}

TEST(FeedCursorTest, FourPositionsRoundTrip) {
  FeedPosition position;
  position.own = 17;
  position.sources = {3, 0, 123456789012};
  const std::string cursor = EncodeFeedCursor(kCodec, kFeed, position);
  auto back = DecodeFeedCursor(kCodec, kFeed, cursor);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, position);
  // Deterministic: the same position gives the same cursor (the feed's end
  // is "next_cursor equals the cursor sent").
  EXPECT_EQ(EncodeFeedCursor(kCodec, kFeed, position), cursor);
}

TEST(FeedCursorTest, CursorOfBeforeTheMergeIsEnrollmentsPosition) {
  // What ListChanges issued before issue 14: the signed decimal position.
  const std::string old_cursor = kCodec.Encode(kFeed, "42");
  auto p = DecodeFeedCursor(kCodec, kFeed, old_cursor);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->own, 42);
  EXPECT_EQ(p->sources, (std::array<int64_t, 3>{0, 0, 0}));
}

TEST(FeedCursorTest, WrongCursorsAreInvalidCursor) {
  FeedPosition position;
  position.own = 5;
  std::string cursor = EncodeFeedCursor(kCodec, kFeed, position);
  std::string tampered = cursor;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  const std::string bad[] = {
      tampered,
      EncodeFeedCursor(kCodec, "changes\x1f" "011002", position),  // another town's
      EncodeFeedCursor(PageTokenCodec("another-key-0123456789"), kFeed, position),
      kCodec.Encode(kFeed, "-1"),
      kCodec.Encode(kFeed, "2:1:2:3"),        // a position missing
      kCodec.Encode(kFeed, "2:1:2:3:4:5"),    // one too many
      kCodec.Encode(kFeed, "3:1:2:3:4"),      // unknown version
      kCodec.Encode(kFeed, "2:1:x:3:4"),
      kCodec.Encode(kFeed, "2:1:2:-3:4"),
      "not a cursor",
  };
  for (const std::string& c : bad) {
    auto p = DecodeFeedCursor(kCodec, kFeed, c);
    ASSERT_FALSE(p.ok()) << c;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(errors::Reason(p.status()), "INVALID_CURSOR");
    auto bad_request = errors::GetBadRequest(p.status());
    ASSERT_TRUE(bad_request.has_value());
    EXPECT_EQ(bad_request->field_violations(0).field(), "cursor");
  }
}

}  // namespace
}  // namespace kaizen::enrollment
