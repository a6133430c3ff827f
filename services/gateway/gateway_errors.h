// Every error the gateway itself originates, one named factory each. All are
// built with common/status/errors.h, so each carries google.rpc.ErrorInfo
// (domain "kaizen") with one of the reasons below; clients switch on the
// reason, never on the message. The reasons are listed in README.md and are
// stable forever.
//
// Errors that come from a backend pass through unchanged when they carry an
// ErrorInfo (the service made them); errors made by gRPC itself (connection
// refused, deadline, ...) are replaced by SanitizeBackendError so that no
// internal address or library text reaches a client.
#ifndef KAIZEN_SERVICES_GATEWAY_GATEWAY_ERRORS_H_
#define KAIZEN_SERVICES_GATEWAY_GATEWAY_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kaizen::gateway {

// Reasons (ErrorInfo.reason) originated by the gateway.
inline constexpr absl::string_view kRouteNotFound = "ROUTE_NOT_FOUND";
inline constexpr absl::string_view kMethodNotAllowed = "METHOD_NOT_ALLOWED";
inline constexpr absl::string_view kUnknownField = "UNKNOWN_FIELD";
inline constexpr absl::string_view kInvalidJson = "INVALID_JSON";
inline constexpr absl::string_view kInvalidFieldValue = "INVALID_FIELD_VALUE";
inline constexpr absl::string_view kInvalidPath = "INVALID_PATH";
inline constexpr absl::string_view kUnsupportedContentType = "UNSUPPORTED_CONTENT_TYPE";
inline constexpr absl::string_view kBodyTooLarge = "BODY_TOO_LARGE";
inline constexpr absl::string_view kHeadersTooLarge = "HEADERS_TOO_LARGE";
inline constexpr absl::string_view kMalformedRequest = "MALFORMED_REQUEST";
inline constexpr absl::string_view kInvalidMessageFraming = "INVALID_MESSAGE_FRAMING";
inline constexpr absl::string_view kTooManyConnections = "TOO_MANY_CONNECTIONS";
inline constexpr absl::string_view kRateLimited = "RATE_LIMITED";
inline constexpr absl::string_view kTokenMissing = "TOKEN_MISSING";
inline constexpr absl::string_view kTokenExpired = "TOKEN_EXPIRED";
inline constexpr absl::string_view kTokenInvalid = "TOKEN_INVALID";
inline constexpr absl::string_view kApiKeyInvalid = "API_KEY_INVALID";
inline constexpr absl::string_view kMultipleCredentials = "MULTIPLE_CREDENTIALS";
inline constexpr absl::string_view kApiKeyNotAccepted = "API_KEY_NOT_ACCEPTED";
inline constexpr absl::string_view kInvalidIfMatch = "INVALID_IF_MATCH";
inline constexpr absl::string_view kBackendUnavailable = "BACKEND_UNAVAILABLE";
inline constexpr absl::string_view kBackendDeadlineExceeded = "BACKEND_DEADLINE_EXCEEDED";
inline constexpr absl::string_view kBackendOverloaded = "BACKEND_OVERLOADED";
inline constexpr absl::string_view kBackendError = "BACKEND_ERROR";
inline constexpr absl::string_view kMethodNotFound = "METHOD_NOT_FOUND";
inline constexpr absl::string_view kStreamingNotSupported = "STREAMING_NOT_SUPPORTED";

// NOT_FOUND: no route for this path (HTTP 404).
absl::Status RouteNotFound();
// UNIMPLEMENTED: the path exists but not for this HTTP method (HTTP 405;
// metadata "allow" lists the methods that exist).
absl::Status MethodNotAllowed(absl::string_view allow);
// INVALID_ARGUMENT naming `field` (BadRequest) for a JSON member or query
// parameter the request message does not have.
absl::Status UnknownField(absl::string_view field);
// INVALID_ARGUMENT: the body is not JSON at all (no field to name).
absl::Status InvalidJson();
// INVALID_ARGUMENT: the body is not strict RFC 8259 JSON; `why` is a fixed
// phrase with a byte offset ("single-quoted string at byte 12"), never a
// piece of the body.
absl::Status InvalidJson(absl::string_view why);
// INVALID_ARGUMENT naming `field`: the value has the wrong type or format.
// The description never repeats the value.
absl::Status InvalidFieldValue(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT: a path variable is not valid for its field.
absl::Status InvalidPath(absl::string_view field);
// INVALID_ARGUMENT: a body that is not application/json.
absl::Status UnsupportedContentType();
// RESOURCE_EXHAUSTED (HTTP 413): the body exceeds `limit_bytes`.
absl::Status BodyTooLarge(size_t limit_bytes);
// RESOURCE_EXHAUSTED (HTTP 431): the request head is too large.
absl::Status HeadersTooLarge();
// INVALID_ARGUMENT: unparseable HTTP.
absl::Status MalformedRequest();
// INVALID_ARGUMENT MALFORMED_REQUEST: a gRPC request whose bytes do not
// parse as `message_type` (truncated, wrong wire types, invalid UTF-8 in a
// string field).
absl::Status MalformedMessage(absl::string_view message_type);
// INVALID_ARGUMENT (HTTP 400): the request's length cannot be determined
// without ambiguity (RFC 9112 section 6): a Transfer-Encoding other than
// exactly "chunked", both Transfer-Encoding and Content-Length, a repeated
// or malformed Content-Length. `why` is a fixed phrase. The connection is
// closed after the answer, so nothing that followed is read as a request.
absl::Status InvalidMessageFraming(absl::string_view why);
// RESOURCE_EXHAUSTED (HTTP 429): the client's address already holds
// `per_address_limit` open connections; metadata "limit".
absl::Status TooManyConnections(int per_address_limit);
// RESOURCE_EXHAUSTED (HTTP 429): per-principal rate limit; metadata
// "retry_after_seconds".
absl::Status RateLimited(absl::Duration retry_after);
// UNAUTHENTICATED: no credential on a method that needs one.
absl::Status TokenMissing();
// UNAUTHENTICATED: the JWT has expired (or is not valid yet).
absl::Status TokenExpired();
// UNAUTHENTICATED: the JWT is malformed, wrongly signed or not for us.
// `why` is a short fixed phrase ("bad signature"), never token content.
absl::Status TokenInvalid(absl::string_view why);
// UNAUTHENTICATED: the API key is unknown.
absl::Status ApiKeyInvalid();
// UNAUTHENTICATED: both a bearer token and an API key were sent.
absl::Status MultipleCredentials();
// PERMISSION_DENIED (HTTP 403): a valid partner API key on a method that
// does not accept keys (kaizen.api.accept_api_key).
absl::Status ApiKeyNotAccepted();
// INVALID_ARGUMENT naming `field` ("If-Match" or the request's etag field):
// the If-Match header is not one strong entity tag ("\"...\""), or it
// disagrees with the etag the body carries. `description` is a fixed phrase.
absl::Status InvalidIfMatch(absl::string_view field, absl::string_view description);
// UNIMPLEMENTED: gRPC method of no configured service.
absl::Status MethodNotFound();
// UNIMPLEMENTED: streaming methods are not proxied.
absl::Status StreamingNotSupported();

// A backend's error as the client should see it. Statuses with an ErrorInfo
// are returned unchanged. Others (made by gRPC, not by a Kaizen service) get
// a neutral message and a reason: UNAVAILABLE -> BACKEND_UNAVAILABLE,
// DEADLINE_EXCEEDED -> BACKEND_DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (the
// service's thread quota, not the caller's) -> UNAVAILABLE BACKEND_OVERLOADED,
// so a client is not told it was rate-limited; anything else keeps its code
// with BACKEND_ERROR. `service` is the short service name for the
// message (e.g. "EnrollmentService").
absl::Status SanitizeBackendError(const absl::Status& status, absl::string_view service);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_GATEWAY_ERRORS_H_
