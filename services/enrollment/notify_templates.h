// The Japanese plain-text templates of enrollment's e-mail (notify.h): one
// function per kind, each returning the subject and body for one recipient.
// Pure text: no storage, no clock (times are given), no personal data but
// the recipient's own name. Every body opens with "<display_name> 様", names
// the cohort by its title and closes with the secretariat's signature.
// Times are shown in Asia/Tokyo, e.g. "2022年7月3日(日) 14:00".
#ifndef KAIZEN_SERVICES_ENROLLMENT_NOTIFY_TEMPLATES_H_
#define KAIZEN_SERVICES_ENROLLMENT_NOTIFY_TEMPLATES_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kaizen/type/notification.pb.h"

namespace kaizen::enrollment::notify_templates {

struct Text {
  std::string subject;
  std::string body;
};

// What every message has.
struct Letter {
  std::string display_name;  // the recipient's own name ("" -> "ご担当者")
  std::string cohort_title;
  std::string signature;  // the sender's name (NotifyConfig::from.display_name)
  // Reminders only: the one-click stop link (empty: none).
  std::string unsubscribe_link;
  // To an address not yet confirmed: no name at all (display_name is
  // ignored); the greeting is kNeutralGreeting, so nothing a caller typed
  // reaches a mailbox nobody has shown to be theirs.
  bool neutral = false;
};

// The opening line of a neutral letter.
extern const char kNeutralGreeting[];

// "2022年7月3日(日) 14:00" in Asia/Tokyo.
std::string TokyoTime(absl::Time t);

// Received; with `confirm_link` also the request to confirm the address by
// `confirm_deadline` (the seat is not held until then).
Text ApplicationReceived(const Letter& l, const std::string& view_link,
                         const std::string& confirm_link, absl::Time confirm_deadline);
// Someone applied again with this address: it already has an application
// in this cohort; nothing to do if the new request was not theirs. No links
// at all (the reader has not shown the address is theirs).
Text AlreadyApplied(const Letter& l);
// `view_link` may be empty in the state messages (the first e-mail has it).
Text OfferMade(const Letter& l, const std::string& view_link, absl::Time deadline);
Text OfferExpiringSoon(const Letter& l, const std::string& view_link, absl::Time deadline);
Text Accepted(const Letter& l, const std::string& view_link);
// `position` 0: unknown (not shown).
Text Waitlisted(const Letter& l, const std::string& view_link, int position);
// No reasons: the secretariat's words stay with the secretariat.
Text Rejected(const Letter& l);
// Members of a partially admitted team who were not admitted: no promise
// of a later offer (SeatLedger::Promote never offers them one).
Text NotAdmitted(const Letter& l, const std::string& view_link);
// Why an application expired (its last history entry's reason).
enum class ExpiredWhy {
  kNotConfirmed,    // EMAIL_NOT_CONFIRMED: not every address confirmed in time
  kArrivalRefused,  // ARRIVAL_REFUSED: confirmed, but no place could be given
  kOfferLapsed,     // an offer was not answered in time
};
Text Expired(const Letter& l, ExpiredWhy why);
Text ClaimLink(const Letter& l, const std::string& claim_link, absl::Time expire_time);

// The hand-over kinds (EnqueueNotification). `params` as agreed with
// scheduling (notify.h): meetings "meeting", "meeting_title", "start_time",
// "end_time" (RFC 3339), "place", "format", "previous_start_time"
// (reschedule), "reason" (cancel); POLL_OPENED "poll", "meeting_title",
// "close_time"; TASK_DUE "task", "task_title", "due_time". `base_url` makes
// the link to the resource. INVALID_ARGUMENT naming "params.<key>" when a
// required parameter is missing or a time is not RFC 3339.
absl::StatusOr<Text> HandOver(const Letter& l, kaizen::type::NotificationKind kind,
                              const std::map<std::string, std::string>& params,
                              const std::string& base_url);

// The parameters HandOver requires for `kind` (validation of the request).
const std::vector<std::string>& RequiredParams(kaizen::type::NotificationKind kind);
// Every parameter name HandOver reads for `kind`.
const std::vector<std::string>& KnownParams(kaizen::type::NotificationKind kind);

}  // namespace kaizen::enrollment::notify_templates

#endif  // KAIZEN_SERVICES_ENROLLMENT_NOTIFY_TEMPLATES_H_
