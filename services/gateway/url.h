// URL pieces the gateway needs: splitting a request target, percent-decoding
// and query strings (application/x-www-form-urlencoded: '+' is a space).
#ifndef KAIZEN_SERVICES_GATEWAY_URL_H_
#define KAIZEN_SERVICES_GATEWAY_URL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace kaizen::gateway {

// "/a/b?x=1" -> {"/a/b", "x=1"}. A missing query is "".
std::pair<absl::string_view, absl::string_view> SplitTarget(absl::string_view target);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`).
// nullopt for a malformed escape.
std::optional<std::string> PercentDecode(absl::string_view s, bool plus_is_space);

// Encodes everything but unreserved characters (RFC 3986).
std::string PercentEncode(absl::string_view s);

// "a=1&b=x%20y&a=2" -> {{"a","1"},{"b","x y"},{"a","2"}}; empty pieces are
// skipped, a key without '=' has value "". nullopt for a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(
    absl::string_view query);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_URL_H_
