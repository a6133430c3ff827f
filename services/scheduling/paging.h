// Pages over scheduling's lists (AIP-158), on the shared page tokens of
// common/util/page_token.h (signed, opaque, bound to one query).
//
// Scheduling's lists are small (a series has a few dozen meetings, a meeting
// a handful of tasks, a cohort some dozens of support slots and feeds), so a
// List RPC reads its items whole, filters what the caller may see, sorts
// them, and cuts one page here; total_size is then free. A page token
// carries the sort key of the last item returned (not an offset), so items
// added or removed between pages are neither skipped nor repeated.
#ifndef KAIZEN_SERVICES_SCHEDULING_PAGING_H_
#define KAIZEN_SERVICES_SCHEDULING_PAGING_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/util/page_token.h"

namespace kaizen::scheduling {

// Page sizes of every scheduling list: 0 means kDefaultPageSize, larger than
// kMaxPageSize is treated as kMaxPageSize, negative is INVALID_ARGUMENT
// (field page_size, reason INVALID_PAGE_SIZE).
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 500;

// What a request asks for, validated.
struct PageRequest {
  int page_size = kDefaultPageSize;
  std::string after;  // sort key of the last item already returned; "" = start
};

// Validates page_size and page_token. `fingerprint` names the list and every
// request field that shapes it (e.g. "slots\x1f" + parent + "\x1f" +
// open_only); a token made for another fingerprint, altered or made under
// another key is INVALID_ARGUMENT (field page_token, INVALID_PAGE_TOKEN).
absl::StatusOr<PageRequest> ReadPageRequest(const PageTokenCodec& codec,
                                            absl::string_view fingerprint, int32_t page_size,
                                            const std::string& page_token);

// A sort key whose byte order is the order of `parts` (signed integers,
// compared left to right): each part as 16 hex digits with the sign bit
// flipped.
std::string OrderedKey(std::initializer_list<int64_t> parts);

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // empty on the last page
  int32_t total_size = 0;       // every item, all pages
};

// One page of `items`, which must be sorted by `key(item)` ascending with
// unique keys: the first page_size items whose key is after request.after.
template <typename T, typename KeyFn>
Page<T> TakePage(std::vector<T> items, const KeyFn& key, const PageRequest& request,
                 const PageTokenCodec& codec, absl::string_view fingerprint) {
  Page<T> page;
  page.total_size = static_cast<int32_t>(items.size());
  for (T& item : items) {
    if (!request.after.empty() && !(key(item) > request.after)) continue;
    if (static_cast<int>(page.items.size()) == request.page_size) {
      page.next_page_token = codec.Encode(fingerprint, key(page.items.back()));
      break;
    }
    page.items.push_back(std::move(item));
  }
  return page;
}

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_PAGING_H_
