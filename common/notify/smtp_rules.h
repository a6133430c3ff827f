// Configuration rules of the SMTP transport (smtp.h), separate so that a
// service's main() can check its flags at start-up, before any message is
// attempted, and so that tests can check the rules without a network.
#ifndef KAIZEN_COMMON_NOTIFY_SMTP_RULES_H_
#define KAIZEN_COMMON_NOTIFY_SMTP_RULES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/notify/smtp.h"

namespace kaizen::notify {

// "localhost" (any case), an IPv4 address in 127.0.0.0/8, "::1", or an
// IPv4-mapped loopback address. Only such a relay may receive AUTH PLAIN
// over an unencrypted connection: the password never leaves the machine.
bool IsLoopbackHost(absl::string_view host);

// FAILED_PRECONDITION (reason SMTP_CONFIG) naming the option and the fix:
// empty host or one with spaces or control characters; port outside
// 1..65535; timeout <= 0; an empty or malformed helo_name; an envelope_from
// that is neither empty (the null sender "<>") nor an e-mail address;
// credentials with CR, LF or NUL, a username without a password; and AUTH
// without STARTTLS to a host that is not loopback (IsLoopbackHost); and any
// delivery without STARTTLS to a host that is not loopback unless
// allow_plaintext (a relay on a private network only).
absl::Status ValidateSmtpOptions(const SmtpOptions& options);

}  // namespace kaizen::notify

#endif  // KAIZEN_COMMON_NOTIFY_SMTP_RULES_H_
