// Turns the credentials of one request (HTTP headers or gRPC metadata) into
// the principal the gateway forwards, for both front doors.
//
//   Authorization: Bearer <JWT>    a user (jwt.h)
//   X-Api-Key: <key>               a partner HR system (api_keys.h), only on
//                                  methods with (kaizen.api.accept_api_key)
//   X-Kaizen-Application-Token     an applicant's access token; rides along in
//                                  Principal.access_token for anonymous callers
//                                  and users (not for partner keys)
//   (nothing)                      anonymous: only for methods marked
//                                  (kaizen.api.allow_anonymous); else 401
//                                  TOKEN_MISSING
//
// A credential that is present but invalid is always 401, even on methods
// that allow anonymous callers: a client with a broken token learns so
// instead of silently being served as anonymous.
#ifndef KAIZEN_SERVICES_GATEWAY_AUTHENTICATOR_H_
#define KAIZEN_SERVICES_GATEWAY_AUTHENTICATOR_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kaizen/type/principal.pb.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/jwt.h"

namespace kaizen::gateway {

// Header names (lower-case; the same keys are used as gRPC metadata).
inline constexpr char kAuthorizationHeader[] = "authorization";
inline constexpr char kApiKeyHeader[] = "x-api-key";
inline constexpr char kApplicationTokenHeader[] = "x-kaizen-application-token";

struct Credentials {
  absl::string_view authorization;      // the whole header value
  absl::string_view api_key;
  absl::string_view application_token;
};

class Authenticator {
 public:
  // Neither is owned; both must outlive this. `jwt` may be null (no user
  // tokens accepted).
  Authenticator(const JwtVerifier* jwt, const ApiKeyStore* api_keys)
      : jwt_(jwt), api_keys_(api_keys) {}

  // The principal to forward, or UNAUTHENTICATED with TOKEN_MISSING,
  // TOKEN_INVALID, TOKEN_EXPIRED, API_KEY_INVALID or MULTIPLE_CREDENTIALS;
  // PERMISSION_DENIED API_KEY_NOT_ACCEPTED for a valid API key when
  // `accept_api_key` is false (the method's kaizen.api.accept_api_key).
  // Thread-safe.
  absl::StatusOr<kaizen::type::Principal> Authenticate(const Credentials& credentials,
                                                       bool allow_anonymous,
                                                       bool accept_api_key = true) const;

 private:
  const JwtVerifier* jwt_;
  const ApiKeyStore* api_keys_;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_AUTHENTICATOR_H_
