// Fetching a bundle's data through the gateway's gRPC port with a partner
// HR API key: the whole partner feed (EnrollmentService/ListChanges from an
// empty cursor until next_cursor stops moving), then, per consenting person
// of the municipality, the GetShared* read of each category their consent
// shares, with `bundle` set (so each pull is recorded as provided by this
// bundle, APPI Art. 29). A PERMISSION_DENIED NOT_SHARED_WITH_PARTNER means
// consent went away after the feed was read: that category is skipped (only
// counted). Any other error fails the whole fetch.
//
// Calls are sequential, each with `call_timeout`; the key travels in the
// `x-api-key` metadata and is never logged.
#ifndef KAIZEN_TOOLS_BUNDLE_FETCH_H_
#define KAIZEN_TOOLS_BUNDLE_FETCH_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "tools/bundle/model.h"

namespace kaizen::bundle {

struct FetchOptions {
  std::string api_key;
  std::string municipality_code;
  Period period;
  std::string bundle_id;
  absl::Time create_time;
  absl::Duration call_timeout = absl::Seconds(30);
  // Feed page size (the service caps it at 1000).
  int page_size = 1000;
  // A feed that keeps moving past this many pages is an error (a loop).
  int max_pages = 100000;
};

// `channel` reaches the gateway's gRPC port (or, in tests, a fake).
// Before any personal read: MUNICIPALITY_MISMATCH when the feed holds anyone
// of another municipality than `municipality_code` (a partner key only ever
// sees its own town). People with nothing in the period are pulled but left
// out (counted in people_without_results).
absl::StatusOr<BundleData> FetchBundle(const std::shared_ptr<grpc::Channel>& channel,
                                       const FetchOptions& options);

// True when a gRPC target ("host:port", "dns:///host:port", "ipv4:...",
// "[::1]:port", "unix:...") stays on this machine: localhost, 127.0.0.0/8,
// ::1 or a local socket. `make` refuses plaintext to anything else unless
// --insecure is given (the API key and personal data would cross a network).
bool IsLoopbackTarget(absl::string_view target);

}  // namespace kaizen::bundle

#endif  // KAIZEN_TOOLS_BUNDLE_FETCH_H_
