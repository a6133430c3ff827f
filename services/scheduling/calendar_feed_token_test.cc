#include "services/scheduling/calendar_feed_token.h"

#include <set>
#include <string>

#include "common/auth/keys.h"
#include "gtest/gtest.h"

namespace kaizen::scheduling {
namespace calendar_feed_token_test {

TEST(CalendarFeedTokenTest, ANewTokenNamesItsFeedAndIsUrlSafe) {
  const std::string token = NewFeedToken("fy2022", "k3v9q2m4x8c1z7ab");
  auto parsed = ParseFeedToken(token);
  ASSERT_TRUE(parsed.has_value()) << token;
  EXPECT_EQ(parsed->FeedName(), "cohorts/fy2022/calendarFeeds/k3v9q2m4x8c1z7ab");
  for (char c : token) {
    EXPECT_TRUE(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')
        << token;
  }
  EXPECT_EQ(FeedUrlPath(token), "/v1/calendarFeeds/" + token + "/calendar.ics");
}

TEST(CalendarFeedTokenTest, SecretsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(seen.insert(NewFeedToken("c", "f")).second);
}

TEST(CalendarFeedTokenTest, MalformedTokensParseToNothing) {
  const std::string good = NewFeedToken("fy2022", "abc");
  const std::string secret = good.substr(good.rfind('.') + 1);
  for (const std::string& bad : {
           std::string(""),
           std::string("fy2022.abc"),                               // two parts
           "fy2022.abc." + secret + ".x",                            // four parts
           "FY2022.abc." + secret,                                   // not an id
           "fy2022..{" + secret,                                     // empty id
           "fy2022.abc." + secret.substr(1),                         // short secret
           "fy2022.abc." + secret.substr(1) + "/",                   // not base64url
           "../../abc." + secret,                                    // path tricks
           std::string(300, 'a'),                                    // too long
       }) {
    EXPECT_FALSE(ParseFeedToken(bad).has_value()) << bad;
  }
}

TEST(CalendarFeedTokenTest, OnlyTheExactTokenMatchesUnderAnyKeyOfTheRing) {
  const auth::KeyRing old_ring({std::string(32, 'a')});
  const auth::KeyRing rotated({std::string(32, 'b'), std::string(32, 'a')});
  const std::string token = NewFeedToken("fy2022", "abc");
  const std::string stored = FeedTokenHmac(old_ring.current(), token);
  EXPECT_NE(stored, token);
  EXPECT_EQ(stored.size(), 32u);
  EXPECT_EQ(MatchFeedToken(old_ring, token, stored), 0);
  EXPECT_EQ(MatchFeedToken(rotated, token, stored), 1);  // previous key: rehash
  EXPECT_EQ(MatchFeedToken(auth::KeyRing({std::string(32, 'b')}), token, stored), -1);
  std::string altered = token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(MatchFeedToken(old_ring, altered, stored), -1);
  EXPECT_EQ(MatchFeedToken(old_ring, token, ""), -1);  // a revoked feed keeps no HMAC
}

}  // namespace
}  // namespace kaizen::scheduling
