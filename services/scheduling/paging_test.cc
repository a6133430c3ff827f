#include "services/scheduling/paging.h"

#include <string>
#include <vector>

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kaizen::scheduling {
namespace paging_test {

const PageTokenCodec kCodec(std::string(32, 'k'));

std::string Key(int v) { return OrderedKey({v}); }

TEST(PagingTest, OrderedKeysSortLikeTheirNumbers) {
  EXPECT_LT(OrderedKey({-5}), OrderedKey({0}));
  EXPECT_LT(OrderedKey({0}), OrderedKey({1}));
  EXPECT_LT(OrderedKey({9}), OrderedKey({10}));
  EXPECT_LT(OrderedKey({1, 99}), OrderedKey({2, 0}));
  EXPECT_LT(OrderedKey({2, 0}), OrderedKey({2, 1}));
  EXPECT_LT(OrderedKey({-1'000'000'000'000}), OrderedKey({1'000'000'000'000}));
}

TEST(PagingTest, WalksEveryItemOnceAcrossPages) {
  std::vector<int> items = {1, 2, 3, 4, 5, 6, 7};
  PageRequest request{3, ""};
  std::vector<int> seen;
  int pages = 0;
  while (true) {
    auto page = TakePage(items, Key, request, kCodec, "q");
    EXPECT_EQ(page.total_size, 7);
    EXPECT_LE(page.items.size(), 3u);
    seen.insert(seen.end(), page.items.begin(), page.items.end());
    ++pages;
    if (page.next_page_token.empty()) break;
    auto next = ReadPageRequest(kCodec, "q", 3, page.next_page_token);
    ASSERT_TRUE(next.ok()) << next.status();
    request = *next;
  }
  EXPECT_EQ(seen, items);
  EXPECT_EQ(pages, 3);
}

TEST(PagingTest, AFullLastPageHasNoNextToken) {
  auto page = TakePage(std::vector<int>{1, 2, 3}, Key, PageRequest{3, ""}, kCodec, "q");
  EXPECT_EQ(page.items.size(), 3u);
  EXPECT_TRUE(page.next_page_token.empty());
}

TEST(PagingTest, ItemsAddedBetweenPagesAreNeitherSkippedNorRepeated) {
  auto first = TakePage(std::vector<int>{10, 20, 30, 40}, Key, PageRequest{2, ""}, kCodec, "q");
  ASSERT_EQ(first.items, (std::vector<int>{10, 20}));
  auto next = ReadPageRequest(kCodec, "q", 2, first.next_page_token);
  ASSERT_TRUE(next.ok());
  // 5 was added before the cursor (not shown again), 25 after it.
  auto second = TakePage(std::vector<int>{5, 10, 20, 25, 30, 40}, Key, *next, kCodec, "q");
  EXPECT_EQ(second.items, (std::vector<int>{25, 30}));
}

TEST(PagingTest, PageSizeDefaultsClampsAndRefusesNegative) {
  auto zero = ReadPageRequest(kCodec, "q", 0, "");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->page_size, kDefaultPageSize);
  auto huge = ReadPageRequest(kCodec, "q", 100000, "");
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->page_size, kMaxPageSize);
  auto negative = ReadPageRequest(kCodec, "q", -1, "");
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(negative.status()), "INVALID_PAGE_SIZE");
  auto bad = errors::GetBadRequest(negative.status());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "page_size");
}

TEST(PagingTest, ATokenOfAnotherQueryOrAlteredIsRefusedNamingTheField) {
  auto page = TakePage(std::vector<int>{1, 2, 3}, Key, PageRequest{1, ""}, kCodec, "list-a");
  ASSERT_FALSE(page.next_page_token.empty());
  std::string altered = page.next_page_token;
  altered[0] = altered[0] == 'A' ? 'B' : 'A';
  for (const auto& [fingerprint, token] :
       std::vector<std::pair<std::string, std::string>>{{"list-b", page.next_page_token},
                                                        {"list-a", altered},
                                                        {"list-a", "not a token"}}) {
    auto r = ReadPageRequest(kCodec, fingerprint, 1, token);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << token;
    EXPECT_EQ(errors::Reason(r.status()), "INVALID_PAGE_TOKEN");
    auto bad = errors::GetBadRequest(r.status());
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->field_violations(0).field(), "page_token");
  }
  // Another key (another deployment) too.
  auto other = ReadPageRequest(PageTokenCodec(std::string(32, 'x')), "list-a", 1,
                               page.next_page_token);
  EXPECT_EQ(errors::Reason(other.status()), "INVALID_PAGE_TOKEN");
}

}  // namespace
}  // namespace kaizen::scheduling
