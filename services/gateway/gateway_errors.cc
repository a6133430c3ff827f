#include "services/gateway/gateway_errors.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kaizen::gateway {

absl::Status ApiKeyNotAccepted() {
  return errors::PermissionDenied(kApiKeyNotAccepted,
                                  "partner API keys are not accepted by this method");
}

absl::Status InvalidIfMatch(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kInvalidIfMatch);
}

absl::Status RouteNotFound() {
  return errors::Error(absl::StatusCode::kNotFound, kRouteNotFound,
                       "no API route matches this path");
}

absl::Status MethodNotAllowed(absl::string_view allow) {
  return errors::Error(absl::StatusCode::kUnimplemented, kMethodNotAllowed,
                       "this path does not support the HTTP method",
                       {{"allow", std::string(allow)}});
}

absl::Status UnknownField(absl::string_view field) {
  return errors::InvalidField(field, "is not a field of this request", kUnknownField);
}

absl::Status InvalidJson() {
  return errors::Error(absl::StatusCode::kInvalidArgument, kInvalidJson,
                       "the request body is not valid JSON");
}

absl::Status InvalidJson(absl::string_view why) {
  return errors::Error(absl::StatusCode::kInvalidArgument, kInvalidJson,
                       absl::StrCat("the request body is not valid JSON: ", why));
}

absl::Status InvalidFieldValue(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kInvalidFieldValue);
}

absl::Status InvalidPath(absl::string_view field) {
  return errors::InvalidField(field, "is not valid in the URL path", kInvalidPath);
}

absl::Status UnsupportedContentType() {
  return errors::Error(absl::StatusCode::kInvalidArgument, kUnsupportedContentType,
                       "send the request body as application/json");
}

absl::Status BodyTooLarge(size_t limit_bytes) {
  return errors::ResourceExhausted(
      kBodyTooLarge, absl::StrCat("the request body exceeds ", limit_bytes, " bytes"),
      {{"limit_bytes", absl::StrCat(limit_bytes)}});
}

absl::Status HeadersTooLarge() {
  return errors::ResourceExhausted(kHeadersTooLarge, "the request headers are too large");
}

absl::Status MalformedRequest() {
  return errors::Error(absl::StatusCode::kInvalidArgument, kMalformedRequest,
                       "the HTTP request is malformed");
}

absl::Status MalformedMessage(absl::string_view message_type) {
  return errors::Error(absl::StatusCode::kInvalidArgument, kMalformedRequest,
                       absl::StrCat("the request message is not a valid ", message_type));
}

absl::Status InvalidMessageFraming(absl::string_view why) {
  return errors::Error(absl::StatusCode::kInvalidArgument, kInvalidMessageFraming,
                       absl::StrCat("the request's length is ambiguous: ", why));
}

absl::Status TooManyConnections(int per_address_limit) {
  return errors::ResourceExhausted(
      kTooManyConnections,
      absl::StrCat("too many open connections from your address (limit ", per_address_limit,
                   "); reuse or close connections"),
      {{"limit", absl::StrCat(per_address_limit)}});
}

absl::Status RateLimited(absl::Duration retry_after) {
  const int64_t seconds =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(retry_after))));
  return errors::ResourceExhausted(
      kRateLimited, absl::StrCat("too many requests; retry in ", seconds, " s"),
      {{"retry_after_seconds", absl::StrCat(seconds)}});
}

absl::Status TokenMissing() {
  return errors::Unauthenticated(
      kTokenMissing, "sign in: send 'Authorization: Bearer <token>' or an API key");
}

absl::Status TokenExpired() {
  return errors::Unauthenticated(kTokenExpired, "the token has expired; sign in again");
}

absl::Status TokenInvalid(absl::string_view why) {
  return errors::Unauthenticated(kTokenInvalid, absl::StrCat("the token is not valid: ", why));
}

absl::Status ApiKeyInvalid() {
  return errors::Unauthenticated(kApiKeyInvalid, "the API key is not valid");
}

absl::Status MultipleCredentials() {
  return errors::Unauthenticated(kMultipleCredentials,
                                 "send either a bearer token or an API key, not both");
}

absl::Status MethodNotFound() {
  return errors::Error(absl::StatusCode::kUnimplemented, kMethodNotFound,
                       "no Kaizen service offers this method");
}

absl::Status StreamingNotSupported() {
  return errors::Error(absl::StatusCode::kUnimplemented, kStreamingNotSupported,
                       "streaming methods are not served by the gateway");
}

absl::Status SanitizeBackendError(const absl::Status& status, absl::string_view service) {
  if (status.ok() || errors::GetErrorInfo(status).has_value()) return status;
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return errors::Unavailable(
          kBackendUnavailable, absl::StrCat(service, " is unavailable; retry later"));
    case absl::StatusCode::kResourceExhausted:
      return errors::Unavailable(kBackendOverloaded,
                                 absl::StrCat(service, " is overloaded; retry later"));
    case absl::StatusCode::kDeadlineExceeded:
      return errors::Error(absl::StatusCode::kDeadlineExceeded, kBackendDeadlineExceeded,
                           absl::StrCat(service, " did not answer in time"));
    default:
      return errors::Error(status.code(), kBackendError,
                           absl::StrCat(service, " failed to handle the request"));
  }
}

}  // namespace kaizen::gateway
