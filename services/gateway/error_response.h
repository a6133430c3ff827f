// From an absl::Status to the HTTP error the clients see, as Google APIs
// return it:
//
//   HTTP/1.1 404 Not Found
//   {"error": {"code": 404, "status": "NOT_FOUND", "message": "...",
//              "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
//                           "reason": "NOT_FOUND", "domain": "kaizen", ...}]}}
//
// The HTTP status follows the standard gRPC-to-HTTP mapping (HttpStatusForCode)
// with three gateway reasons that have their own HTTP status:
// METHOD_NOT_ALLOWED 405, BODY_TOO_LARGE 413, HEADERS_TOO_LARGE 431; and
// ETAG_MISMATCH is 412 Precondition Failed when the client sent the etag in
// an If-Match header (`if_match`), 409 (ABORTED) when it sent it in the body.
// Every 401 carries WWW-Authenticate (RFC 6750): `Bearer realm="kaizen"`,
// plus error="invalid_token" (or "invalid_request" for
// MULTIPLE_CREDENTIALS) and error_description when a credential was sent.
#ifndef KAIZEN_SERVICES_GATEWAY_ERROR_RESPONSE_H_
#define KAIZEN_SERVICES_GATEWAY_ERROR_RESPONSE_H_

#include <string>

#include "absl/status/status.h"
#include "services/gateway/http_types.h"

namespace kaizen::gateway {

// OK 200, INVALID_ARGUMENT/FAILED_PRECONDITION/OUT_OF_RANGE 400,
// UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404,
// ALREADY_EXISTS/ABORTED 409, RESOURCE_EXHAUSTED 429, CANCELLED 499,
// UNIMPLEMENTED 501, UNAVAILABLE 503, DEADLINE_EXCEEDED 504,
// INTERNAL/UNKNOWN/DATA_LOSS 500.
int HttpStatusForCode(absl::StatusCode code);

// HttpStatusForCode, except for the reasons listed above.
int HttpStatusFor(const absl::Status& status, bool if_match = false);

// The WWW-Authenticate value for an UNAUTHENTICATED status.
std::string WwwAuthenticate(const absl::Status& status);

// The JSON error body. Every payload of `status` (google.rpc details) is
// rendered with protobuf's JSON printer and an "@type"; a payload whose type
// is not linked in appears as {"@type": ...} only.
std::string ErrorJson(const absl::Status& status, bool if_match = false);

// Status, JSON body and Content-Type; plus Retry-After for RATE_LIMITED,
// Allow for METHOD_NOT_ALLOWED and WWW-Authenticate for every 401.
HttpResponse ErrorResponse(const absl::Status& status, bool if_match = false);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_ERROR_RESPONSE_H_
