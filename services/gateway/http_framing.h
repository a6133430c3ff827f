// Request framing (RFC 9112 section 6), checked on the request head before
// any body byte is read. A request whose length two parsers could read
// differently is the root of request smuggling: a proxy in front of the
// gateway and the gateway would disagree on where the body ends, and the
// rest of the body would be answered as a second request. So the gateway
// accepts exactly two framings and refuses everything else:
//
//   Content-Length: <digits>      one field, 1*DIGIT (surrounding spaces
//                                 allowed), at most 19 digits
//   Transfer-Encoding: chunked    one field, the single token "chunked"
//                                 (any case, surrounding spaces allowed),
//                                 HTTP/1.1 only, no Content-Length
//   neither                       no body
//
// Refused (INVALID_ARGUMENT INVALID_MESSAGE_FRAMING): any other transfer
// coding or list ("xchunked", "identity", "chunked, identity",
// "chunked, chunked", "gzip, chunked"), Transfer-Encoding repeated or in an
// HTTP/1.0 request, Transfer-Encoding with Content-Length, Content-Length
// repeated (even with equal values, or as a list "5, 5"), signed, empty,
// non-decimal or overflowing. The server closes the connection after the
// answer (http_server.h).
#ifndef KAIZEN_SERVICES_GATEWAY_HTTP_FRAMING_H_
#define KAIZEN_SERVICES_GATEWAY_HTTP_FRAMING_H_

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kaizen::gateway {

// `fields` are the request's header fields as received (names in any case),
// `version` 10 or 11. OK or INVALID_MESSAGE_FRAMING with a fixed phrase.
absl::Status CheckRequestFraming(
    unsigned version, const std::vector<std::pair<absl::string_view, absl::string_view>>& fields);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_HTTP_FRAMING_H_
