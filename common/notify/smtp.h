// Delivery to an SMTP relay (RFC 5321): the Transport the enrollment service
// uses for its outbox (deliverer.h).
//
// One connection per message: connect (timeout), read the greeting, EHLO,
// STARTTLS when configured (required: a relay that does not offer it is a
// transient failure, never a silent downgrade; the certificate is verified
// against ca_file or the system store, with the host name), EHLO again, AUTH
// PLAIN when credentials are configured (refused without TLS unless the host
// is loopback), MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT.
//
// Reply classes: 2xx/3xx as expected; 4xx, a refused or dropped connection,
// or a timeout -> UNAVAILABLE (retried); 5xx -> INVALID_ARGUMENT with the
// code (dead letter: the relay will never take it). Messages carry the
// reply code and the SMTP command, never the recipient, the credentials or
// the body.
#ifndef KAIZEN_COMMON_NOTIFY_SMTP_H_
#define KAIZEN_COMMON_NOTIFY_SMTP_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/notify/deliverer.h"

namespace kaizen::notify {

struct SmtpOptions {
  std::string host;  // required
  int port = 25;
  // Upgrade with STARTTLS before anything else; fail (retry) if not offered.
  bool starttls = false;
  // PEM CA bundle for the relay's certificate; "" = the system store.
  std::string ca_file;
  // AUTH PLAIN credentials ("" = no AUTH). Read them with
  // ReadCredentialsFile, never from a flag.
  std::string username;
  std::string password;
  // EHLO name.
  std::string helo_name = "kaizen.localdomain";
  // Envelope sender (MAIL FROM); the header From is the message's own.
  std::string envelope_from;
  absl::Duration timeout = absl::Seconds(30);
  // Without STARTTLS, ValidateSmtpOptions refuses a relay that is not
  // loopback (bodies carry access, confirmation and claim links) unless
  // this is set: for a relay on a private network only.
  bool allow_plaintext = false;
};

// A credentials file: "username\npassword\n" (trailing newline optional).
// Refuses a file readable by group or others (FAILED_PRECONDITION naming the
// path and the fix: chmod 600).
absl::Status ReadCredentialsFile(const std::string& path, SmtpOptions* options);

class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(SmtpOptions options);
  ~SmtpTransport() override;
  // message.recipient as RCPT TO, message.payload as the DATA content.
  absl::Status Deliver(const OutboxMessage& message) override;

 private:
  SmtpOptions options_;
};

}  // namespace kaizen::notify

#endif  // KAIZEN_COMMON_NOTIFY_SMTP_H_
