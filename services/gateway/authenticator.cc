#include "services/gateway/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"
#include "services/gateway/gateway_errors.h"

namespace kaizen::gateway {
namespace {

// Application tokens are base64url secrets (common/util/ids.h).
bool IsApplicationToken(absl::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<kaizen::type::Principal> Authenticator::Authenticate(
    const Credentials& credentials, bool allow_anonymous, bool accept_api_key) const {
  if (!credentials.authorization.empty() && !credentials.api_key.empty()) {
    return MultipleCredentials();
  }
  if (!credentials.application_token.empty() &&
      !IsApplicationToken(credentials.application_token)) {
    return TokenInvalid("malformed application token");
  }
  kaizen::type::Principal principal;
  if (!credentials.authorization.empty()) {
    absl::string_view value = absl::StripAsciiWhitespace(credentials.authorization);
    if (value.size() < 7 || !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
      return TokenInvalid("only Bearer tokens are accepted");
    }
    if (jwt_ == nullptr || !jwt_->enabled()) return TokenInvalid("user tokens are not accepted");
    ASSIGN_OR_RETURN(principal, jwt_->Verify(absl::StripLeadingAsciiWhitespace(value.substr(7))));
  } else if (!credentials.api_key.empty()) {
    if (api_keys_ == nullptr) return ApiKeyInvalid();
    ASSIGN_OR_RETURN(principal, api_keys_->Authenticate(credentials.api_key));
    if (!accept_api_key) return ApiKeyNotAccepted();  // a valid key, the wrong method
    return principal;  // partner keys never carry an applicant's token
  } else if (!allow_anonymous) {
    return TokenMissing();
  }
  principal.set_access_token(std::string(credentials.application_token));
  return principal;
}

}  // namespace kaizen::gateway
