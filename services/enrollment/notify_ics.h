// Per-recipient .ics invitations (RFC 5545, RFC 5546): scheduling hands over
// one calendar object per meeting change (EnqueueNotification); an iTIP
// REQUEST or CANCEL needs an ORGANIZER and the recipient as ATTENDEE, or
// mail programs (Outlook, Gmail) treat it as a plain file. PersonaliseIcs
// inserts both into each VEVENT just before its END:VEVENT and leaves every
// other byte as it was (SEQUENCE, UID, times: scheduling's).
//
//   ORGANIZER;CN="<from name>":mailto:<from address>
//   ATTENDEE;CN="<recipient name>";RSVP=FALSE:mailto:<recipient>
//
// CN is always a quoted-string; a DQUOTE, a line break or a "^" in a name is
// written as RFC 6868 says (^' ^n ^^) and other control characters are
// dropped. The new lines are folded at 75 octets (CRLF + space) without
// splitting a UTF-8 character. A VEVENT that already has an ORGANIZER keeps
// it (only the ATTENDEE is added). Lines end as the input's do (CRLF, or LF
// if it has no CRLF).
#ifndef KAIZEN_SERVICES_ENROLLMENT_NOTIFY_ICS_H_
#define KAIZEN_SERVICES_ENROLLMENT_NOTIFY_ICS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/notify/mail.h"

namespace kaizen::enrollment {

// INVALID_ARGUMENT when the text has no VEVENT or an address is empty or
// has characters a mailto: URI cannot carry here (space, control, '"').
absl::StatusOr<std::string> PersonaliseIcs(absl::string_view ics,
                                           const notify::MailAddress& organizer,
                                           const notify::MailAddress& attendee);

// The parameter value for CN (with its quotes). Exposed for tests.
std::string IcsQuotedParam(absl::string_view text);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_NOTIFY_ICS_H_
