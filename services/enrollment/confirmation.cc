// E-mail confirmation of anonymous applications: submission, the
// confirmation link, and the expiry of applications never confirmed. The
// rule is confirmation.h's; the admission it ends in is SeatLedger::Arrive.
#include "services/enrollment/confirmation.h"

#include <optional>
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

bool ExpiredUnconfirmed(const v1::Application& app) {
  return app.state() == v1::Application::EXPIRED && app.history_size() > 0 &&
         app.history(app.history_size() - 1).reason() == kEmailNotConfirmed;
}

// EXPIRED (EMAIL_NOT_CONFIRMED), addresses released, members told (unless
// it answers a duplicate: SaveStateChange tells nobody then).
absl::Status ExpireUnconfirmed(EnrollmentTx& tx, SeatLedger& ledger, ApplicationRecord& rec,
                               absl::Time now) {
  AddHistory(rec.application, v1::Application::EXPIRED, now, kSystemActor, kEmailNotConfirmed,
             Decision::KIND_UNSPECIFIED);
  RETURN_IF_ERROR(tx.ReleaseEmails(rec.cohort_id, rec.id));
  return ledger.SaveStateChange(rec);
}

}  // namespace

std::string Enrollment::ConfirmationTokenFor(const std::string& application_name,
                                             int member) const {
  // A prefix of its own, so it is never the access token
  // ("application-access\x1f" + name) of any application.
  return absl::WebSafeBase64Escape(crypto::HmacSha256(
      config_.access_token_key, absl::StrCat("confirm\x1f", application_name, "\x1f", member)));
}

absl::Status SubmitForConfirmation(EnrollmentTx& tx, const Enrollment& e, absl::Duration window,
                                   ApplicationRecord& rec, absl::Time now) {
  v1::Application& app = rec.application;
  *app.mutable_confirm_expire_time() = ToProto(now + window);
  std::vector<std::string> keys;
  std::vector<std::pair<int, std::string>> held;  // member, the application holding the address
  for (int i = 0; i < app.members_size(); ++i) {
    keys.push_back(EmailKey(app.members(i).email()));
    ASSIGN_OR_RETURN(std::optional<std::string> holder, tx.EmailHolder(rec.cohort_id, keys.back()));
    if (holder.has_value()) held.emplace_back(i, *holder);
  }
  rec.answers_duplicate = !held.empty();
  RETURN_IF_ERROR(tx.InsertApplication(&rec));
  if (!rec.answers_duplicate) {
    RETURN_IF_ERROR(tx.ReserveEmails(rec.cohort_id, rec.id, keys));
    std::vector<std::string> tokens;
    for (int i = 0; i < app.members_size(); ++i) {
      tokens.push_back(e.ConfirmationTokenFor(app.name(), i));
    }
    return e.notifier().ApplicationReceived(tx, app, e.AccessTokenFor(app.name()), tokens, {}, now);
  }
  // The address's owner learns that someone applied with it, and gets the
  // link to the application that holds it; the caller learns nothing.
  for (const auto& [member, holder_id] : held) {
    ASSIGN_OR_RETURN(ApplicationRecord existing, tx.GetApplication(rec.cohort_id, holder_id));
    const v1::Application& other = existing.application;
    for (int j = 0; j < other.members_size(); ++j) {
      if (EmailKey(other.members(j).email()) != keys[member]) continue;
      const std::string confirm_token =
          AwaitsConfirmation(other) && !other.members(j).email_confirmed()
              ? e.ConfirmationTokenFor(other.name(), j)
              : "";
      RETURN_IF_ERROR(e.notifier().AlreadyApplied(tx, other, j, e.AccessTokenFor(other.name()),
                                                  confirm_token, rec.id, now));
      break;
    }
  }
  return absl::OkStatus();
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
      // application is revealed, with one answer for a wrong token, an
      // unknown application and one that answers a duplicate address.
      absl::StatusOr<ApplicationRecord> seen = tx.GetApplication(ids.first, ids.second);
      if (!seen.ok() && !absl::IsNotFound(seen.status())) return seen.status();
      const int member = seen.ok() ? MemberOfToken(*this, seen->application, request.token()) : -1;
      if (member < 0 || seen->answers_duplicate) return ConfirmationTokenInvalid();
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
    // The arrival. A cohort that stopped taking applications (or the limit
    // of the waiting list) refuses it; the confirmations are kept and the
    // application stays SUBMITTED: confirming again before the deadline
    // retries. An application submitted inside the window may arrive after
    // the window closed (the deadline bounds how late).
    absl::Status admitted = absl::OkStatus();
    ApplicationRecord arriving = rec;
    if (cohort.cohort.state() != v1::Cohort::OPEN) {
      admitted = CohortNotOpen(cohort.cohort.state());
    } else {
      *arriving.application.mutable_arrival_time() = ToProto(now);
      arriving.application.clear_confirm_expire_time();
      // The next arrival number: the queue follows confirmation order. If
      // Arrive refuses, the application keeps the new number, which orders
      // nothing while it is SUBMITTED and is renewed at its next try.
      RETURN_IF_ERROR(tx.MoveToQueueEnd(&arriving));
      rec.seq = arriving.seq;
      admitted = ledger.Arrive(cohort, arriving, kSeatAvailable);
    }
    if (admitted.ok()) return DecorateApplication(tx, arriving, &result, secretariat);
    if (errors::Reason(admitted) != kWaitlistFull && errors::Reason(admitted) != kCohortNotOpen) {
      return admitted;  // storage: roll back
    }
    if (first_time) RETURN_IF_ERROR(tx.UpdateApplication(&rec));
    deferred = admitted;
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(deferred);
  return result;
}

absl::StatusOr<int> Enrollment::ExpireUnconfirmedApplications() {
  int expired = 0;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();  // under the write lock
    expired = 0;
    SeatLedger ledger(tx, now, notifier_);
    ASSIGN_OR_RETURN(auto cohorts, tx.ListCohorts(std::nullopt, 0, 0));
    ApplicationFilter submitted;
    submitted.state = v1::Application::SUBMITTED;
    for (const CohortRecord& listed : cohorts) {
      ASSIGN_OR_RETURN(auto waiting, tx.ListApplications(listed.id, submitted, std::nullopt, 0));
      if (waiting.empty()) continue;
      RETURN_IF_ERROR(ledger.LoadCohortForWrite(listed.id).status());
      for (ApplicationRecord& rec : waiting) {
        if (!AwaitsConfirmation(rec.application) ||
            now < FromProto(rec.application.confirm_expire_time())) {
          continue;
        }
        RETURN_IF_ERROR(ExpireUnconfirmed(tx, ledger, rec, now));
        ++expired;
      }
    }
    return absl::OkStatus();
  }));
  return expired;
}

}  // namespace kaizen::enrollment
