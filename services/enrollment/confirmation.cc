// E-mail confirmation of anonymous applications: submission, the
// confirmation link, and the expiry of applications never confirmed. The
// rule is confirmation.h's; the admission it ends in is SeatLedger::Arrive.
#include "services/enrollment/confirmation.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/crypto.h"
#include "services/enrollment/access.h"
#include "services/enrollment/decisions.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {
namespace {

// Tokens are 43 characters; anything much longer is not one of ours.
constexpr size_t kMaxTokenLength = 200;

// The member whose confirmation token `token` is, or -1. Every member's
// token is compared in constant time, and all of them, so the time taken
// says nothing about which matched.
int MemberOfToken(const Enrollment& e, const v1::Application& app, const std::string& token) {
  int member = -1;
  for (int i = 0; i < app.members_size(); ++i) {
    if (crypto::ConstantTimeEquals(token, e.ConfirmationTokenFor(app.name(), i))) member = i;
  }
  return member;
}

bool AllConfirmed(const v1::Application& app) {
  for (const v1::Applicant& m : app.members()) {
    if (!m.email_confirmed()) return false;
  }
  return app.members_size() > 0;
}

// SUBMITTED and still waiting for a confirmation.
bool AwaitsConfirmation(const v1::Application& app) {
  return app.state() == v1::Application::SUBMITTED && app.has_confirm_expire_time();
}

// EXPIRED at its confirmation deadline (either reason).
bool ExpiredUnconfirmed(const v1::Application& app) {
  if (app.state() != v1::Application::EXPIRED || app.history_size() == 0) return false;
  const std::string& reason = app.history(app.history_size() - 1).reason();
  return reason == kEmailNotConfirmed || reason == kArrivalRefused;
}

// An address held by this application counts against a new one: it has
// arrived and is live (an unarrived application holds no address).
bool HoldsByArrival(const v1::Application& app) {
  return app.state() == v1::Application::ACCEPTED || app.state() == v1::Application::WAITLISTED ||
         app.state() == v1::Application::OFFERED;
}

// EXPIRED at its deadline: ARRIVAL_REFUSED when every member confirmed (its
// arrival was refused), EMAIL_NOT_CONFIRMED otherwise; members told. It
// holds no address (ReleaseEmails removes only this application's own
// reservations, of which an unarrived one has none).
absl::Status ExpireUnconfirmed(EnrollmentTx& tx, SeatLedger& ledger, ApplicationRecord& rec,
                               absl::Time now) {
  AddHistory(rec.application, v1::Application::EXPIRED, now, kSystemActor,
             AllConfirmed(rec.application) ? kArrivalRefused : kEmailNotConfirmed,
             Decision::KIND_UNSPECIFIED);
  RETURN_IF_ERROR(tx.ReleaseEmails(rec.cohort_id, rec.id));
  return ledger.SaveStateChange(rec);
}

// Why the cohort, as it is now, refuses the arrival of `app` (OK: it may
// arrive). Checked before anything is written.
absl::Status ArrivalRefusal(const v1::Cohort& c, const v1::Application& app, absl::Time now) {
  if (c.state() != v1::Cohort::OPEN) return CohortNotOpen(c.state());
  const absl::Time open = FromProto(c.application_open_time());
  const absl::Time close = FromProto(c.application_close_time());
  if (FromProto(app.create_time()) >= close || now >= close + kLateArrival) {
    return ApplicationWindowClosed(open, close);
  }
  if (app.eligibility_override_reason().empty()) {
    RETURN_IF_ERROR(CheckEligibility(c.eligibility(), app));
  }
  if (app.members_size() > c.capacity() && !c.allow_partial_team()) {
    return TeamLargerThanCapacity();
  }
  return absl::OkStatus();
}

// Refusals of an arrival that keep the confirmations (the transaction
// commits; the caller gets the error afterwards).
bool KeepsConfirmations(const absl::Status& refused) {
  const std::string reason(errors::Reason(refused));
  return reason == kWaitlistFull || reason == kCohortNotOpen || reason == kDuplicateApplicant ||
         reason == kApplicationWindowClosed || reason == kAgeOutOfRange ||
         reason == kTeamLargerThanCapacity;
}

// The sweep's transactions read at most this many due applications each.
constexpr int kSweepBatch = 200;

}  // namespace

std::string Enrollment::ConfirmationTokenFor(const std::string& application_name,
                                             int member) const {
  // A prefix of its own, so it is never the access token
  // ("application-access\x1f" + name) of any application.
  return absl::WebSafeBase64Escape(crypto::HmacSha256(
      config_.access_token_key, absl::StrCat("confirm\x1f", application_name, "\x1f", member)));
}

absl::Status SubmitForConfirmation(EnrollmentTx& tx, const Enrollment& e,
                                   const v1::Cohort& cohort, absl::Duration window,
                                   ApplicationRecord& rec, absl::Time now) {
  v1::Application& app = rec.application;
  *app.mutable_confirm_expire_time() =
      ToProto(std::min(now + window, FromProto(cohort.application_close_time()) + kLateArrival));
  RETURN_IF_ERROR(tx.InsertApplication(&rec));
  // Reserves nothing: an address is reserved when its application arrives.
  // A member whose address an arrived application holds gets no link (it
  // could never arrive); the address's owner is told instead, with the
  // link to their own application. Every other member gets the same mail
  // as in any application, so the caller's team mates learn nothing.
  std::vector<int> skip;
  std::vector<std::string> tokens;
  for (int i = 0; i < app.members_size(); ++i) {
    tokens.push_back(e.ConfirmationTokenFor(app.name(), i));
    const std::string key = EmailKey(app.members(i).email());
    ASSIGN_OR_RETURN(std::optional<std::string> holder, tx.EmailHolder(rec.cohort_id, key));
    if (!holder.has_value()) continue;
    ASSIGN_OR_RETURN(ApplicationRecord existing, tx.GetApplication(rec.cohort_id, *holder));
    const v1::Application& other = existing.application;
    if (!HoldsByArrival(other)) continue;
    for (int j = 0; j < other.members_size(); ++j) {
      if (EmailKey(other.members(j).email()) != key) continue;
      RETURN_IF_ERROR(e.notifier().AlreadyApplied(tx, other, j, e.AccessTokenFor(other.name()),
                                                  "", rec.id, now));
      skip.push_back(i);
      break;
    }
  }
  return e.notifier().ApplicationReceived(tx, app, e.AccessTokenFor(app.name()), tokens, skip,
                                          now);
}

absl::StatusOr<v1::Application> Enrollment::ConfirmApplicationEmail(
    const Principal& caller, const v1::ConfirmApplicationEmailRequest& request) {
  if (IsPartner(caller)) return PartnerFeedOnly();
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", request.name(), "applications"));
  if (request.token().empty()) return errors::InvalidField("token", "is required");
  if (request.token().size() > kMaxTokenLength) return ConfirmationTokenInvalid();
  v1::Application result;
  absl::Status deferred;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();  // under the write lock: confirmation order
    deferred = absl::OkStatus();
    {
      // The token is the authority: checked before anything about the
      // application is revealed, with one answer for a wrong token and an
      // unknown application.
      absl::StatusOr<ApplicationRecord> seen = tx.GetApplication(ids.first, ids.second);
      if (!seen.ok() && !absl::IsNotFound(seen.status())) return seen.status();
      const int member = seen.ok() ? MemberOfToken(*this, seen->application, request.token()) : -1;
      if (member < 0) return ConfirmationTokenInvalid();
    }
    SeatLedger ledger(tx, now, notifier_);
    ASSIGN_OR_RETURN(CohortRecord cohort, ledger.LoadCohortForWrite(ids.first));
    ASSIGN_OR_RETURN(ApplicationRecord rec, tx.GetApplication(ids.first, ids.second));
    const int member = MemberOfToken(*this, rec.application, request.token());
    v1::Application& app = rec.application;
    const bool secretariat = IsSecretariat(caller);
    if (ExpiredUnconfirmed(app)) return ConfirmationExpired();
    // Admitted, waiting, decided or withdrawn: a repeated click is answered
    // with the application as it is.
    if (!AwaitsConfirmation(app)) return DecorateApplication(tx, rec, &result, secretariat);
    if (now >= FromProto(app.confirm_expire_time())) {
      // Too late, whether or not the sweep has run: never admitted.
      RETURN_IF_ERROR(ExpireUnconfirmed(tx, ledger, rec, now));
      deferred = ConfirmationExpired();
      return absl::OkStatus();
    }
    const bool first_time = !app.members(member).email_confirmed();
    app.mutable_members(member)->set_email_confirmed(true);
    if (!AllConfirmed(app)) {
      if (first_time) RETURN_IF_ERROR(tx.UpdateApplication(&rec));
      return DecorateApplication(tx, rec, &result, secretariat);
    }
    // The arrival, against the cohort as it is now (ArrivalRefusal), then
    // the addresses (another arrived application may hold one: it arrived
    // first), then the seat or the waiting list. A refusal keeps the
    // confirmations, reserves nothing and leaves the application
    // SUBMITTED: confirming again before the deadline retries; at the
    // deadline it expires (ARRIVAL_REFUSED).
    absl::Status refused = ArrivalRefusal(cohort.cohort, app, now);
    if (refused.ok()) {
      std::vector<std::string> keys;
      for (const v1::Applicant& m : app.members()) keys.push_back(EmailKey(m.email()));
      refused = tx.ReserveEmails(rec.cohort_id, rec.id, keys);  // reserves none on conflict
    }
    if (refused.ok()) {
      ApplicationRecord arriving = rec;
      *arriving.application.mutable_arrival_time() = ToProto(now);
      arriving.application.clear_confirm_expire_time();
      // The next arrival number: the queue follows confirmation order. If
      // Arrive refuses, the application keeps the new number, which orders
      // nothing while it is SUBMITTED and is renewed at its next try.
      RETURN_IF_ERROR(tx.MoveToQueueEnd(&arriving));
      rec.seq = arriving.seq;
      refused = ledger.Arrive(cohort, arriving, kSeatAvailable);
      if (refused.ok()) return DecorateApplication(tx, arriving, &result, secretariat);
      if (!KeepsConfirmations(refused)) return refused;  // storage: roll back
      RETURN_IF_ERROR(tx.ReleaseEmails(rec.cohort_id, rec.id));
    }
    if (!KeepsConfirmations(refused)) return refused;
    if (first_time) RETURN_IF_ERROR(tx.UpdateApplication(&rec));
    deferred = refused;
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(deferred);
  return result;
}

absl::StatusOr<int> Enrollment::ExpireUnconfirmedApplications() {
  // Only due rows, through the indexed confirm_expire_micros, at most
  // kSweepBatch per transaction, so the write lock is held briefly however
  // many applications wait. Each due row leaves the due set (expired, or,
  // for a row migration 9 marked due, given its real deadline), so the loop
  // ends.
  int expired = 0;
  for (;;) {
    size_t seen = 0;
    int batch_expired = 0;
    RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
      const absl::Time now = clock_->Now();  // under the write lock
      batch_expired = 0;
      ASSIGN_OR_RETURN(auto due, tx.ListConfirmationsDue(now, kSweepBatch));
      seen = due.size();
      SeatLedger ledger(tx, now, notifier_);
      std::set<std::string> loaded;
      for (ApplicationRecord& rec : due) {
        if (!AwaitsConfirmation(rec.application) ||
            now < FromProto(rec.application.confirm_expire_time())) {
          // Marked due by migration 9: the write stores its real deadline
          // (or none).
          RETURN_IF_ERROR(tx.UpdateApplication(&rec));
          continue;
        }
        if (loaded.insert(rec.cohort_id).second) {
          RETURN_IF_ERROR(ledger.LoadCohortForWrite(rec.cohort_id).status());
        }
        RETURN_IF_ERROR(ExpireUnconfirmed(tx, ledger, rec, now));
        ++batch_expired;
      }
      return absl::OkStatus();
    }));
    expired += batch_expired;
    if (seen < static_cast<size_t>(kSweepBatch)) return expired;
  }
}

}  // namespace kaizen::enrollment
