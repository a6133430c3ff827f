// E-mail from enrollment: the Japanese templates (notify_templates.cc) and
// the Notifier that writes rendered messages to enrollment's outbox
// (common/notify/outbox.h) inside the caller's transaction, so a message is
// sent if and only if the change that causes it commits. The enrollment
// server's Deliverer sends them over SMTP (common/notify/smtp.h, main.cc).
//
// Kinds: transactional (always sent): application received (with the
// secret link), please confirm your e-mail, already applied (to the
// existing applicant, in place of an error), offer made (deadline in
// Asia/Tokyo), accepted, waitlisted, rejected, claim link, and the meeting
// messages scheduling hands over (EnqueueNotification). Reminders (honour
// the address's reminder setting, carry List-Unsubscribe): offer expiring
// soon, poll opened, task due.
//
// Privacy: a message carries the recipient's own name, the cohort's title
// and what the event needs; never another person's data, the secretariat's
// words on a decision, or anything from the application beyond the state.
// Links point at the frontend (NotifyConfig::public_base_url) and carry their
// secret after "#", so it never reaches a server log or a Referer:
//   <base>/applications/confirm#name=<app>&member=<i>&token=<t>
//   <base>/applications/view#name=<app>&token=<access token>
//   <base>/claim#token=<claim token>
//   <base>/reminders/unsubscribe#token=<t>
// (docs/notifications.md documents them for the frontend team).
//
// Idempotency: each message's outbox id is derived from what it is about
// (application name + history index + member, ...), so a repeated call in a
// retried transaction adds nothing.
#ifndef KAIZEN_SERVICES_ENROLLMENT_NOTIFY_H_
#define KAIZEN_SERVICES_ENROLLMENT_NOTIFY_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/notify/mail.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/notification.pb.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

struct NotifyConfig {
  // The frontend's base URL for links (no trailing slash).
  std::string public_base_url = "http://localhost:8080";
  notify::MailAddress from{"次世代改善リーダー事例研究会 事務局", "noreply@kaizen.localdomain"};
  // Right-hand side of Message-IDs.
  std::string message_id_domain = "kaizen.localdomain";
  // "Offer expiring soon" goes out this long before offer_expire_time.
  absl::Duration offer_reminder_before = absl::Hours(12);
  // The access token of an application by name (Enrollment::AccessTokenFor):
  // when set, every message about an application carries its secret view
  // link, also where the caller (the seat ledger) has no token at hand.
  std::function<std::string(const std::string&)> access_token_for;
  // Signs unsubscribe tokens (HMAC; >= 16 bytes). Empty: reminders carry no
  // unsubscribe link and UnsubscribeReminders refuses every token.
  std::string unsubscribe_key;
};

class Notifier {
 public:
  explicit Notifier(NotifyConfig config);

  // To every member: received; member 0 (the contact) also gets the
  // application's secret link. With `confirm_tokens` (one per member, same
  // order) each member's own confirmation link and the deadline
  // (app.confirm_expire_time), at most 3 such mails per address and Tokyo
  // day (further ones are skipped silently). Members in `skip_members`
  // (indexes) get nothing (their address already applied: AlreadyApplied is
  // sent instead). Unconfirmed addresses get a neutral letter (no name).
  absl::Status ApplicationReceived(EnrollmentTx& tx, const v1::Application& app,
                                   const std::string& access_token,
                                   const std::vector<std::string>& confirm_tokens,
                                   const std::vector<int>& skip_members, absl::Time now) const;

  // To member `member` of `existing` (the application that holds the
  // address): this address already has an application in this cohort; if
  // the new request was not theirs, nothing to do. Neutral, no links at all:
  // `existing_access_token`, `confirm_token` and `attempt` are ignored (kept
  // for callers); at most one per (existing, member, Asia/Tokyo day).
  absl::Status AlreadyApplied(EnrollmentTx& tx, const v1::Application& existing, int member,
                              const std::string& existing_access_token,
                              const std::string& confirm_token, const std::string& attempt,
                              absl::Time now) const;

  // After app's state changed (its last history entry): ACCEPTED, WAITLISTED
  // (with the queue position when known, 0 = unknown), OFFERED (with the
  // deadline), REJECTED, and EXPIRED (wording by the entry's reason:
  // EMAIL_NOT_CONFIRMED, ARRIVAL_REFUSED, else a lapsed offer; only to
  // members whose address is confirmed). Other states send nothing. To
  // every member with an address (for ACCEPTED of a partial team the
  // members not admitted get "not admitted this time"). Any state but
  // OFFERED deletes the application's pending offer reminders.
  absl::Status ApplicationStateChanged(EnrollmentTx& tx, const v1::Application& app,
                                       int waitlist_position, absl::Time now) const;

  // The reminder for an OFFERED application (once per offer); subject_ref
  // "<app>/offer-reminder/<member>".
  absl::Status OfferExpiringSoon(EnrollmentTx& tx, const v1::Application& app,
                                 absl::Time now) const;

  // The claim link to the participant's address.
  absl::Status ClaimLinkIssued(EnrollmentTx& tx, const v1::Participant& participant,
                               const std::string& cohort_title, const std::string& link_token,
                               absl::Time expire_time, absl::Time now) const;

  // A hand-over from another service (EnqueueNotification) to one
  // participant: renders the kind's template with request.params and the
  // attachment (a text/calendar one personalised: notify_ics.h). Reminder kinds are skipped (false) when the address has
  // reminders off.
  absl::StatusOr<bool> HandOver(EnrollmentTx& tx, const kaizen::type::EnqueueNotificationRequest& r,
                                const v1::Participant& participant,
                                const std::string& cohort_title, absl::Time now) const;

  // The unsubscribe token for an address (by EmailKey), and its check.
  std::string UnsubscribeTokenFor(const std::string& email_key) const;
  // The e-mail key a valid token was made for; PERMISSION_DENIED
  // UNSUBSCRIBE_TOKEN_INVALID otherwise.
  absl::StatusOr<std::string> EmailKeyOfUnsubscribeToken(const std::string& token) const;

  const NotifyConfig& config() const { return config_; }

 private:
  NotifyConfig config_;
};

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_NOTIFY_H_
