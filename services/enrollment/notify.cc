// The Notifier: renders a template per recipient (notify_templates.h) and
// writes it to the outbox inside the caller's transaction.
//
// Outbox ids (the idempotency keys, notify.h) name what a message is about:
//   application-received/<app>/<member>   (no confirmation link)
//   confirm-email/<Tokyo day>/<address hash>/<0..2>   (at most 3 a day per
//       address; a 4th is skipped silently)
//   already-applied/<app>/<member>/<Tokyo day>   (once a day; `attempt`
//       is ignored)
//   application-state/<app>/<history index>/<member>
//   offer-expiring/<app>/<history index of the offer>/<member>
//   claim-link/<participant>/<16 hex of SHA-256(token)>
//   handover/<idempotency key>/<participant>
// (an id over 200 characters becomes "<prefix>/h-" + 40 hex of its hash).
// subject_ref is the participant's name, or "<app>/members/<i>" for an
// application's member, so erasing one member deletes only their messages
// while DeleteFor(<app>) and DeleteFor(<cohort>) still take all. Offer
// reminders are "<app>/offer-reminder/<i>", so an answered or lapsed offer
// deletes its pending reminders (ApplicationStateChanged).
//
// Links: only member 0 (the applicant who submitted, the contact) gets the
// application's secret view link; team mates get their own confirmation
// link and state-only mails. An address not yet confirmed gets a neutral
// letter (no name in To or in the greeting, nothing the caller typed).
#include "services/enrollment/notify.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/notify/outbox.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/crypto.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/notify_ics.h"
#include "services/enrollment/notify_templates.h"

namespace kaizen::enrollment {
namespace {

namespace tpl = notify_templates;
using Application = v1::Application;

constexpr size_t kMaxOutboxIdChars = 200;

std::string OutboxId(absl::string_view prefix, absl::string_view natural) {
  std::string id = absl::StrCat(prefix, "/", natural);
  if (id.size() <= kMaxOutboxIdChars) return id;
  return absl::StrCat(prefix, "/h-", crypto::Hex(crypto::Sha256(natural)).substr(0, 40));
}

std::string MemberRef(const Application& app, int member) {
  return absl::StrCat(app.name(), "/members/", member);
}

std::string OfferReminderRef(const Application& app) {
  return absl::StrCat(app.name(), "/offer-reminder");
}

// Whether `app` was ever OFFERED (its history keeps every state it had).
bool WasOffered(const Application& app) {
  for (const Application::StateChange& h : app.history()) {
    if (h.state() == Application::OFFERED) return true;
  }
  return false;
}

bool IsReminder(kaizen::type::NotificationKind kind) {
  return kind == kaizen::type::POLL_OPENED || kind == kaizen::type::TASK_DUE;
}

// One message to write.
struct Outgoing {
  std::string id;
  std::string kind;
  std::string subject_ref;
  notify::MailAddress to;
  tpl::Text text;
  std::string unsubscribe_link;  // reminders
  std::vector<notify::MailAttachment> attachments;
};

absl::StatusOr<bool> Write(EnrollmentTx& tx, const NotifyConfig& config, Outgoing o,
                           absl::Time now) {
  notify::MailMessage m;
  m.from = config.from;
  m.to = std::move(o.to);
  m.subject = std::move(o.text.subject);
  m.body = std::move(o.text.body);
  m.attachments = std::move(o.attachments);
  m.message_id = notify::MessageIdFor(o.id, config.message_id_domain);
  m.date = now;
  m.extra_headers.emplace_back("Auto-Submitted", "auto-generated");
  if (!o.unsubscribe_link.empty()) {
    m.extra_headers.emplace_back("List-Unsubscribe", absl::StrCat("<", o.unsubscribe_link, ">"));
  }
  ASSIGN_OR_RETURN(std::string payload, notify::RenderMail(m));
  notify::OutboxMessage row;
  row.id = std::move(o.id);
  row.kind = std::move(o.kind);
  row.subject_ref = std::move(o.subject_ref);
  row.recipient = m.to.address;
  row.payload = std::move(payload);
  return tx.EnqueueMessage(row, now);
}

absl::StatusOr<std::string> CohortTitle(EnrollmentTx& tx, const std::string& resource_name,
                                        absl::string_view collection) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", resource_name, collection));
  return tx.GetCohortTitle(ids.first);
}

// The history index of the entry that put `app` in its current state.
int LastIndex(const Application& app) { return app.history_size() - 1; }

}  // namespace

Notifier::Notifier(NotifyConfig config) : config_(std::move(config)) {}

// --------------------------------------------------------------- links

namespace {

std::string ViewLink(const NotifyConfig& c, const std::string& app, std::string token) {
  if (token.empty() && c.access_token_for) token = c.access_token_for(app);
  if (token.empty()) return "";
  return absl::StrCat(c.public_base_url, "/applications/view#name=", app, "&token=", token);
}

std::string ConfirmLink(const NotifyConfig& c, const std::string& app, int member,
                        const std::string& token) {
  if (token.empty()) return "";
  return absl::StrCat(c.public_base_url, "/applications/confirm#name=", app,
                      "&member=", member, "&token=", token);
}

tpl::Letter LetterFor(const NotifyConfig& c, const std::string& display_name,
                      const std::string& cohort_title) {
  tpl::Letter l;
  l.display_name = display_name;
  l.cohort_title = cohort_title;
  l.signature = c.from.display_name;
  return l;
}

// Whether member `i`'s address is known to be theirs: confirmed, or the
// application arrived (every address confirmed, or a verified identity;
// also for applications stored before e-mail confirmation existed, whose
// members carry no flag).
bool AddressConfirmed(const Application& app, int i) {
  if (app.members(i).email_confirmed() || app.has_arrival_time()) return true;
  for (const auto& h : app.history()) {
    if (h.state() == Application::WAITLISTED || h.state() == Application::ACCEPTED ||
        h.state() == Application::OFFERED) {
      return true;
    }
  }
  return false;
}

// The letter to member `i`: neutral while the address is not confirmed.
tpl::Letter MemberLetter(const NotifyConfig& c, const Application& app, int i,
                         const std::string& cohort_title) {
  const bool confirmed = AddressConfirmed(app, i);
  tpl::Letter l = LetterFor(c, confirmed ? app.members(i).display_name() : "", cohort_title);
  l.neutral = !confirmed;
  return l;
}

notify::MailAddress MemberAddress(const Application& app, int i) {
  return {AddressConfirmed(app, i) ? app.members(i).display_name() : "", app.members(i).email()};
}

// The view link for member 0 only (the contact): it reads and withdraws the
// whole team's application.
std::string ViewLinkFor(const NotifyConfig& c, const std::string& app, int member,
                        const std::string& token) {
  return member == 0 ? ViewLink(c, app, token) : "";
}

std::string TokyoDay(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, TokyoTimeZone()); }

// A hash of the address for ids (never the address; keyed when a key is
// configured, so a logged id does not let anyone test a guess).
std::string AddressTag(const NotifyConfig& c, const std::string& address) {
  const std::string key = EmailKey(address);
  if (c.unsubscribe_key.empty()) return crypto::Hex(crypto::Sha256(key)).substr(0, 24);
  return crypto::Hex(crypto::HmacSha256(c.unsubscribe_key, absl::StrCat("id\x1f", key)))
      .substr(0, 24);
}

constexpr int kConfirmMailsPerDay = 3;

}  // namespace

// The reminder setting of `address`; with reminders on, the unsubscribe
// link (empty without a key).
static absl::StatusOr<std::optional<std::string>> ReminderLink(const Notifier& n,
                                                              EnrollmentTx& tx,
                                                              const std::string& address) {
  const std::string key = EmailKey(address);
  ASSIGN_OR_RETURN(bool on, tx.RemindersEnabled(key));
  if (!on) return std::optional<std::string>();
  if (n.config().unsubscribe_key.empty()) return std::optional<std::string>("");
  return std::optional<std::string>(absl::StrCat(n.config().public_base_url,
                                                 "/reminders/unsubscribe#token=",
                                                 n.UnsubscribeTokenFor(key)));
}

absl::Status Notifier::ApplicationReceived(EnrollmentTx& tx, const v1::Application& app,
                                           const std::string& access_token,
                                           const std::vector<std::string>& confirm_tokens,
                                           const std::vector<int>& skip_members,
                                           absl::Time now) const {
  ASSIGN_OR_RETURN(std::string title, CohortTitle(tx, app.name(), "applications"));
  const absl::Time deadline = FromProto(app.confirm_expire_time());
  for (int i = 0; i < app.members_size(); ++i) {
    const v1::Applicant& m = app.members(i);
    if (m.email().empty()) continue;
    if (std::find(skip_members.begin(), skip_members.end(), i) != skip_members.end()) continue;
    const std::string confirm =
        i < static_cast<int>(confirm_tokens.size())
            ? ConfirmLink(config_, app.name(), i, confirm_tokens[i]) : "";
    Outgoing o;
    o.kind = confirm.empty() ? "application_received" : "confirm_email";
    o.subject_ref = MemberRef(app, i);
    o.to = MemberAddress(app, i);
    o.text = tpl::ApplicationReceived(MemberLetter(config_, app, i, title),
                                      ViewLinkFor(config_, app.name(), i, access_token), confirm,
                                      deadline);
    if (confirm.empty()) {
      o.id = OutboxId("application-received", absl::StrCat(app.name(), "/", i));
      RETURN_IF_ERROR(Write(tx, config_, std::move(o), now).status());
      continue;
    }
    // At most kConfirmMailsPerDay confirmation mails per address and Tokyo
    // day: the slots' ids are fixed, a taken one is not written again.
    const std::string slot =
        absl::StrCat(TokyoDay(now), "/", AddressTag(config_, m.email()), "/");
    for (int k = 0; k < kConfirmMailsPerDay; ++k) {
      Outgoing attempt = o;
      attempt.id = OutboxId("confirm-email", absl::StrCat(slot, k));
      ASSIGN_OR_RETURN(bool written, Write(tx, config_, std::move(attempt), now));
      if (written) break;
    }
  }
  return absl::OkStatus();
}

absl::Status Notifier::AlreadyApplied(EnrollmentTx& tx, const v1::Application& existing,
                                      int member, const std::string& existing_access_token,
                                      const std::string& confirm_token,
                                      const std::string& attempt, absl::Time now) const {
  if (member < 0 || member >= existing.members_size()) {
    return absl::InternalError("AlreadyApplied: no such member");
  }
  const v1::Applicant& m = existing.members(member);
  if (m.email().empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string title, CohortTitle(tx, existing.name(), "applications"));
  // No links and no caller-entered text: whoever reads it has not shown the
  // address is theirs. Once a day per application, member and Tokyo day,
  // however many attempts (`attempt`, the tokens: unused on purpose).
  (void)existing_access_token;
  (void)confirm_token;
  (void)attempt;
  Outgoing o;
  o.id = OutboxId("already-applied",
                  absl::StrCat(existing.name(), "/", member, "/", TokyoDay(now)));
  o.kind = "already_applied";
  o.subject_ref = MemberRef(existing, member);
  o.to = {"", m.email()};
  tpl::Letter l = LetterFor(config_, "", title);
  l.neutral = true;
  o.text = tpl::AlreadyApplied(l);
  return Write(tx, config_, std::move(o), now).status();
}

absl::Status Notifier::ApplicationStateChanged(EnrollmentTx& tx, const v1::Application& app,
                                               int waitlist_position, absl::Time now) const {
  const Application::State state = app.state();
  if (state != Application::OFFERED && WasOffered(app)) {
    // An answered or lapsed offer: its reminders must not go out. (Only an
    // offer writes them, so an application never offered, e.g. every new
    // one, has none: its arrival skips the delete.)
    RETURN_IF_ERROR(tx.DeleteMessagesFor(OfferReminderRef(app)).status());
  }
  if (state != Application::ACCEPTED && state != Application::WAITLISTED &&
      state != Application::OFFERED && state != Application::REJECTED &&
      state != Application::EXPIRED) {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string title, CohortTitle(tx, app.name(), "applications"));
  const int index = LastIndex(app);
  // Why it expired: the last entry's reason (confirmation.cc); an
  // application that expires while SUBMITTED without one was never
  // confirmed; else an offer lapsed.
  tpl::ExpiredWhy why = tpl::ExpiredWhy::kOfferLapsed;
  if (state == Application::EXPIRED) {
    const std::string& reason = app.history(index).reason();
    if (reason == kArrivalRefused) {
      why = tpl::ExpiredWhy::kArrivalRefused;
    } else if (reason == kEmailNotConfirmed ||
               (index >= 1 && app.history(index - 1).state() == Application::SUBMITTED)) {
      why = tpl::ExpiredWhy::kNotConfirmed;
    }
  }
  const int admitted =
      app.admitted_member_count() > 0 ? app.admitted_member_count() : app.members_size();
  for (int i = 0; i < app.members_size(); ++i) {
    const v1::Applicant& m = app.members(i);
    if (m.email().empty()) continue;
    // EXPIRED never goes to an address nobody confirmed (a stranger's).
    if (state == Application::EXPIRED && !AddressConfirmed(app, i)) continue;
    const tpl::Letter l = MemberLetter(config_, app, i, title);
    const std::string view = ViewLinkFor(config_, app.name(), i, app.access_token());
    Outgoing o;
    o.id = OutboxId("application-state", absl::StrCat(app.name(), "/", index, "/", i));
    o.subject_ref = MemberRef(app, i);
    o.to = MemberAddress(app, i);
    switch (state) {
      case Application::ACCEPTED:
        if (i < admitted) {
          o.kind = "application_accepted";
          o.text = tpl::Accepted(l, view);
        } else {
          o.kind = "application_not_admitted";
          o.text = tpl::NotAdmitted(l, view);
        }
        break;
      case Application::WAITLISTED:
        o.kind = "application_waitlisted";
        o.text = tpl::Waitlisted(l, view, waitlist_position);
        break;
      case Application::OFFERED:
        o.kind = "offer_made";
        o.text = tpl::OfferMade(l, view, FromProto(app.offer_expire_time()));
        break;
      case Application::REJECTED:
        o.kind = "application_rejected";
        o.text = tpl::Rejected(l);
        break;
      default:
        o.kind = "application_expired";
        o.text = tpl::Expired(l, why);
        break;
    }
    RETURN_IF_ERROR(Write(tx, config_, std::move(o), now).status());
  }
  return absl::OkStatus();
}

absl::Status Notifier::OfferExpiringSoon(EnrollmentTx& tx, const v1::Application& app,
                                         absl::Time now) const {
  if (app.state() != Application::OFFERED || !app.has_offer_expire_time()) {
    return absl::OkStatus();
  }
  int offer = LastIndex(app);
  while (offer >= 0 && app.history(offer).state() != Application::OFFERED) --offer;
  ASSIGN_OR_RETURN(std::string title, CohortTitle(tx, app.name(), "applications"));
  for (int i = 0; i < app.members_size(); ++i) {
    const v1::Applicant& m = app.members(i);
    if (m.email().empty()) continue;
    ASSIGN_OR_RETURN(std::optional<std::string> unsubscribe, ReminderLink(*this, tx, m.email()));
    if (!unsubscribe.has_value()) continue;  // reminders off for this address
    const std::string view = ViewLinkFor(config_, app.name(), i, app.access_token());
    tpl::Letter l = MemberLetter(config_, app, i, title);
    l.unsubscribe_link = *unsubscribe;
    Outgoing o;
    o.id = OutboxId("offer-expiring", absl::StrCat(app.name(), "/", offer, "/", i));
    o.kind = "offer_expiring";
    o.subject_ref = absl::StrCat(OfferReminderRef(app), "/", i);
    o.to = MemberAddress(app, i);
    o.text = tpl::OfferExpiringSoon(l, view, FromProto(app.offer_expire_time()));
    o.unsubscribe_link = *unsubscribe;
    RETURN_IF_ERROR(Write(tx, config_, std::move(o), now).status());
  }
  return absl::OkStatus();
}

absl::Status Notifier::ClaimLinkIssued(EnrollmentTx& tx, const v1::Participant& participant,
                                       const std::string& cohort_title,
                                       const std::string& link_token, absl::Time expire_time,
                                       absl::Time now) const {
  if (participant.email().empty()) return absl::OkStatus();
  Outgoing o;
  const std::string token_hash = crypto::Hex(crypto::Sha256(link_token)).substr(0, 16);
  o.id = OutboxId("claim-link", absl::StrCat(participant.name(), "/", token_hash));
  o.kind = "claim_link";
  o.subject_ref = participant.name();
  o.to = {participant.display_name(), participant.email()};
  o.text = tpl::ClaimLink(LetterFor(config_, participant.display_name(), cohort_title),
                          absl::StrCat(config_.public_base_url, "/claim#token=", link_token),
                          expire_time);
  return Write(tx, config_, std::move(o), now).status();
}

absl::StatusOr<bool> Notifier::HandOver(EnrollmentTx& tx,
                                        const kaizen::type::EnqueueNotificationRequest& r,
                                        const v1::Participant& participant,
                                        const std::string& cohort_title, absl::Time now) const {
  if (participant.email().empty()) return false;
  tpl::Letter l = LetterFor(config_, participant.display_name(), cohort_title);
  Outgoing o;
  if (IsReminder(r.kind())) {
    ASSIGN_OR_RETURN(std::optional<std::string> unsubscribe,
                     ReminderLink(*this, tx, participant.email()));
    if (!unsubscribe.has_value()) return false;
    l.unsubscribe_link = o.unsubscribe_link = *unsubscribe;
  }
  const std::map<std::string, std::string> params(r.params().begin(), r.params().end());
  ASSIGN_OR_RETURN(o.text, tpl::HandOver(l, r.kind(), params, config_.public_base_url));
  o.id = OutboxId("handover", absl::StrCat(r.idempotency_key(), "/", participant.name()));
  o.kind = absl::AsciiStrToLower(kaizen::type::NotificationKind_Name(r.kind()));
  o.subject_ref = participant.name();
  o.to = {participant.display_name(), participant.email()};
  if (r.has_attachment() && !r.attachment().data().empty()) {
    std::string data = r.attachment().data();
    if (absl::StartsWithIgnoreCase(r.attachment().content_type(), "text/calendar")) {
      // An invitation names its organiser and this recipient (notify_ics.h).
      ASSIGN_OR_RETURN(data, PersonaliseIcs(data, config_.from, o.to));
    }
    o.attachments.push_back({r.attachment().filename(), r.attachment().content_type(),
                             std::move(data)});
  }
  RETURN_IF_ERROR(Write(tx, config_, std::move(o), now).status());
  return true;
}

// --------------------------------------------------------------- unsubscribe
//
// token = base64url(iv[16] || ct[32] || tag[16]) where, under subkeys of
// unsubscribe_key, iv = HMAC(k_iv, key)[:16] (deterministic: one token per
// address), ct = key XOR HMAC(k_pad, iv) and tag = HMAC(k_tag, iv || ct)[:16].
// The e-mail key (SHA-256 of the address) is encrypted, so a token neither
// shows the address nor lets anyone test a guess of it.

namespace {

std::string SubKey(const std::string& key, absl::string_view label) {
  return crypto::HmacSha256(key, absl::StrCat("kaizen-unsubscribe\x1f", label));
}

std::string Xor(absl::string_view a, absl::string_view b) {
  std::string out(a);
  for (size_t i = 0; i < out.size() && i < b.size(); ++i) out[i] ^= b[i];
  return out;
}

}  // namespace

std::string Notifier::UnsubscribeTokenFor(const std::string& email_key) const {
  if (config_.unsubscribe_key.empty()) return "";
  const std::string raw = absl::HexStringToBytes(email_key);
  const std::string iv =
      crypto::HmacSha256(SubKey(config_.unsubscribe_key, "iv"), raw).substr(0, 16);
  const std::string ct = Xor(raw, crypto::HmacSha256(SubKey(config_.unsubscribe_key, "pad"), iv));
  const std::string tag =
      crypto::HmacSha256(SubKey(config_.unsubscribe_key, "tag"), iv + ct).substr(0, 16);
  return absl::WebSafeBase64Escape(iv + ct + tag);
}

absl::StatusOr<std::string> Notifier::EmailKeyOfUnsubscribeToken(const std::string& token) const {
  std::string bytes;
  if (config_.unsubscribe_key.empty() || token.size() > 200 ||
      !absl::WebSafeBase64Unescape(token, &bytes) || bytes.size() != 64) {
    return UnsubscribeTokenInvalid();
  }
  const std::string iv = bytes.substr(0, 16);
  const std::string ct = bytes.substr(16, 32);
  const std::string tag =
      crypto::HmacSha256(SubKey(config_.unsubscribe_key, "tag"), iv + ct).substr(0, 16);
  if (!crypto::ConstantTimeEquals(tag, bytes.substr(48))) return UnsubscribeTokenInvalid();
  const std::string raw = Xor(ct, crypto::HmacSha256(SubKey(config_.unsubscribe_key, "pad"), iv));
  return crypto::Hex(raw);
}

}  // namespace kaizen::enrollment
