// The security part of ServerOptionsFromFlags (options.h): the internal
// secret and the keys derived from it, the principal lifetime, and TLS.
// Part of the :options library; nothing else calls it.
#ifndef KAIZEN_COMMON_SERVER_SECURITY_FLAGS_H_
#define KAIZEN_COMMON_SERVER_SECURITY_FLAGS_H_

#include "absl/status/status.h"
#include "common/server/options.h"

namespace kaizen::server::internal {

// Fills internal_secret, keys, page_token_key, principal_lifetime, tls and
// backend_tls from the flags and variables listed in options.h.
// INVALID_ARGUMENT (INVALID_FLAG) naming the flag; never echoes a secret.
absl::Status ReadSecurityFlags(ServerOptions* options);

}  // namespace kaizen::server::internal

#endif  // KAIZEN_COMMON_SERVER_SECURITY_FLAGS_H_
