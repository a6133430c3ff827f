// Submitting an application: the request's checks (fields, team rules; no
// database, so they may run on gRPC's thread), then one transaction (cohort
// state and window, eligibility, staff and account rules; then, for a
// signed-in caller or the secretariat, the arrival: a seat or the waiting
// list, SeatLedger::Arrive; an anonymous caller's application waits for
// e-mail confirmation instead, confirmation.h), then the answer with the
// application's access token. CreateApplication waits for the write on its
// thread; CreateApplicationAsync hands it to the database's group commit
// (storage::Database::SubmitTransaction) and answers from its completion thread.
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/ids.h"
#include "common/validation/validation.h"
#include "services/enrollment/access.h"
#include "services/enrollment/appointments.h"
#include "services/enrollment/confirmation.h"
#include "services/enrollment/decisions.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/municipalities.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {

// One submission between its checks and its answer.
struct Enrollment::NewApplication {
  Principal caller;
  const v1::CreateApplicationRequest* request = nullptr;  // the caller's, outlives this
  std::string cohort_id;
  bool override_eligibility = false;
  std::set<std::string> email_keys;
  std::string scope;  // of the request id
  std::string fingerprint;  // of the request (Fingerprint), taken before the write
  v1::Application result;
};

namespace {

void CheckApplicant(Violations& v, const std::string& prefix, const v1::Applicant& m) {
  v.Check(ValidateText(prefix + ".display_name", m.display_name(), 1, 100, false));
  v.Check(ValidateKana(prefix + ".kana", m.kana()));
  // A field left out is "required", not "not a valid e-mail address" (or
  // a malformed code or date): FIELD_REQUIRED, then the format check.
  if (TrimSpaces(m.email()).empty()) {
    v.Check(FieldRequired(prefix + ".email"));
  } else {
    v.Check(ValidateEmail(prefix + ".email", m.email()));
  }
  if (m.municipality_code().empty()) v.Check(FieldRequired(prefix + ".municipality_code"));
  if (!m.municipality_code().empty()) {
    v.Check(CheckMunicipality(prefix + ".municipality_code", m.municipality_code()));
  }
  v.Check(ValidateText(prefix + ".department", m.department(), 0, 100, false));
  if (!m.has_birth_date()) {
    v.Check(FieldRequired(prefix + ".birth_date"));
  } else {
    v.Check(ValidateDate(prefix + ".birth_date", m.birth_date()));
  }
  v.Check(ValidateText(prefix + ".motivation", m.motivation(), 0, 2000, true));
}

}  // namespace

absl::StatusOr<std::shared_ptr<Enrollment::NewApplication>> Enrollment::CheckNewApplication(
    const Principal& caller, const v1::CreateApplicationRequest& request) const {
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  const v1::Application& in = request.application();
  if (IsPartner(caller)) return PartnerFeedOnly();
  const bool override_eligibility = !request.eligibility_override_reason().empty();
  if (override_eligibility) RETURN_IF_ERROR(RequireSecretariat(caller));

  Violations v;
  CheckRequestId(v, request.request_id());
  if (override_eligibility) {
    v.Check(ValidateText("eligibility_override_reason", request.eligibility_override_reason(), 1,
                         500, true));
  }
  if (in.members_size() < 1 || in.members_size() > kMaxTeamSize) v.Check(TeamSize(kMaxTeamSize));
  std::set<std::string> email_keys;
  for (int i = 0; i < in.members_size() && i < kMaxTeamSize; ++i) {
    const std::string prefix = absl::StrCat("application.members[", i, "]");
    CheckApplicant(v, prefix, in.members(i));
    if (i > 0 && in.members(i).municipality_code() != in.members(0).municipality_code()) {
      v.Check(TeamMunicipalityMismatch(prefix + ".municipality_code"));
    }
    if (!email_keys.insert(EmailKey(in.members(i).email())).second) {
      v.Check(DuplicateApplicant(prefix + ".email"));
    }
  }
  RETURN_IF_ERROR(v.Result());

  auto a = std::make_shared<NewApplication>();
  a->caller = caller;
  a->request = &request;
  a->cohort_id = std::move(cohort_id);
  a->override_eligibility = override_eligibility;
  a->email_keys = std::move(email_keys);
  // Hashed here, not under the write lock (only the request's bytes count).
  a->fingerprint = Fingerprint(request);
  a->scope =
      absl::StrCat("CreateApplication\x1f", request.parent(), "\x1f",
                   // Anonymous callers share no scope: the request itself
                   // (its personal data) scopes the id, so nobody can replay
                   // or probe another applicant's request id.
                   caller.subject().empty() ? "anon:" + a->fingerprint : caller.subject());
  return a;
}

absl::Status Enrollment::WriteNewApplication(NewApplication& a, EnrollmentTx& tx) {
  const Principal& caller = a.caller;
  const v1::CreateApplicationRequest& request = *a.request;
  const v1::Application& in = request.application();
  const std::string& cohort_id = a.cohort_id;
  const bool override_eligibility = a.override_eligibility;
  const std::set<std::string>& email_keys = a.email_keys;
  const std::string& scope = a.scope;
  v1::Application& result = a.result;
  // The time is read under the write lock (Write is BEGIN IMMEDIATE), so
  // create_time grows with the arrival order (seq) that the queue uses;
  // read before the lock, a later create_time could commit first.
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(auto replayed, Replayed(tx, scope, request.request_id(), request));
  if (replayed.has_value()) {
    ASSIGN_OR_RETURN(auto ids, ParseChildName("name", *replayed, "applications"));
    ASSIGN_OR_RETURN(ApplicationRecord rec, tx.GetApplication(ids.first, ids.second));
    return DecorateApplication(tx, rec, &result, IsSecretariat(caller));
  }
  SeatLedger ledger(tx, now, notifier_);
  ASSIGN_OR_RETURN(CohortRecord cohort, ledger.LoadCohortForWrite(cohort_id));
  const v1::Cohort& c = cohort.cohort;
  if (c.state() == v1::Cohort::DRAFT) {
    // A draft cohort exists only for its staff (as in GetCohort).
    ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, cohort_id, caller));
    if (!staff) return errors::NotFound("Cohort", request.parent());
  }
  if (c.state() != v1::Cohort::OPEN) return CohortNotOpen(c.state());
  RETURN_IF_ERROR(CheckApplicantIsNotStaff(tx, cohort_id, caller));
  if (now < FromProto(c.application_open_time()) ||
      now >= FromProto(c.application_close_time())) {
    return ApplicationWindowClosed(FromProto(c.application_open_time()),
                                   FromProto(c.application_close_time()));
  }
  if (!override_eligibility) RETURN_IF_ERROR(CheckEligibility(c.eligibility(), in));
  if (in.members_size() > c.capacity() && !c.allow_partial_team()) {
    return TeamLargerThanCapacity();
  }
  if (!caller.subject().empty() && !IsSecretariat(caller)) {
    // One account, one live application per cohort (README "E-mail
    // confirmation"): the account is the accountable identity that lets
    // it skip confirmation, so it cannot be multiplied.
    RETURN_IF_ERROR(CheckNoLiveApplicationOf(tx, caller.subject(), cohort_id, ""));
  }

  ApplicationRecord rec;
  rec.cohort_id = cohort_id;
  rec.id = NewTimeOrderedId(now);
  rec.revision = 1;
  v1::Application& app = rec.application;
  app.set_name(ApplicationName(cohort_id, rec.id));
  for (const v1::Applicant& m : in.members()) {
    v1::Applicant* out = app.add_members();
    *out = m;
    out->set_display_name(TrimSpaces(m.display_name()));
    out->set_kana(TrimSpaces(m.kana()));
    out->set_email(TrimSpaces(m.email()));
    out->set_department(TrimSpaces(m.department()));
    out->set_motivation(TrimSpaces(m.motivation()));
  }
  // Anonymous callers prove each address first; an account (the identity
  // provider verified it, and the application is bound to it) and the
  // secretariat do not.
  const bool needs_confirmation =
      config_.require_email_confirmation && caller.subject().empty();
  for (v1::Applicant& m : *app.mutable_members()) m.set_email_confirmed(!needs_confirmation);
  app.set_municipality_code(in.members(0).municipality_code());
  app.set_submitter(caller.subject());
  app.set_eligibility_override_reason(request.eligibility_override_reason());
  *app.mutable_create_time() = ToProto(now);
  AddHistory(app, v1::Application::SUBMITTED, now, Actor(caller), "",
             Decision::KIND_UNSPECIFIED);
  if (override_eligibility) {
    RecordDecision(app, Decision::OVERRIDE_ELIGIBILITY, now, caller.subject(),
                   TrimSpaces(request.eligibility_override_reason()));
  }

  if (needs_confirmation) {
    // Holds nothing until every address is confirmed (confirmation.cc).
    RETURN_IF_ERROR(
        SubmitForConfirmation(tx, *this, c, config_.confirmation_window, rec, now));
  } else {
    // A verified identity or the secretariat: arrives now (README,
    // "E-mail confirmation").
    *app.mutable_arrival_time() = ToProto(now);
    RETURN_IF_ERROR(notifier_.ApplicationReceived(tx, app, AccessTokenFor(app.name()), {}, {},
                                                  now));
    RETURN_IF_ERROR(ledger.Arrive(
        cohort, rec, override_eligibility ? kEligibilityOverridden : kSeatAvailable));
    if (rec.application.state() != v1::Application::REJECTED) {
      RETURN_IF_ERROR(tx.ReserveEmails(
          cohort_id, rec.id, std::vector<std::string>(email_keys.begin(), email_keys.end())));
    }
  }
  if (!request.request_id().empty()) {
    RETURN_IF_ERROR(
        tx.SaveRequestId(scope, request.request_id(), {a.fingerprint, app.name()}, now));
  }
  return DecorateApplication(tx, rec, &result, IsSecretariat(caller), ledger.SavedPlace(rec));
}

v1::Application Enrollment::AnswerNewApplication(NewApplication& a) const {
  a.result.set_access_token(AccessTokenFor(a.result.name()));
  return std::move(a.result);
}

absl::StatusOr<v1::Application> Enrollment::CreateApplication(
    const Principal& caller, const v1::CreateApplicationRequest& request) {
  ASSIGN_OR_RETURN(std::shared_ptr<NewApplication> a, CheckNewApplication(caller, request));
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) { return WriteNewApplication(*a, tx); }));
  return AnswerNewApplication(*a);
}

void Enrollment::CreateApplicationAsync(const Principal& caller,
                                        const v1::CreateApplicationRequest& request,
                                        ApplicationDone done) {
  absl::StatusOr<std::shared_ptr<NewApplication>> a = CheckNewApplication(caller, request);
  if (!a.ok()) {
    std::move(done)(a.status());
    return;
  }
  store_->WriteAsync(
      [this, a = *a](EnrollmentTx& tx) { return WriteNewApplication(*a, tx); },
      [this, a = *a, done = std::move(done)](absl::Status written) mutable {
        if (!written.ok()) {
          std::move(done)(std::move(written));
        } else {
          std::move(done)(AnswerNewApplication(*a));
        }
      });
}

}  // namespace kaizen::enrollment
