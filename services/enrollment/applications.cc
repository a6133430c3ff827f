// Applications after submission (create_application.cc): reads for the
// applicant and staff, and every later move: withdrawal, the secretariat's
// decisions and the applicant's answer to an offer. Seat arithmetic is the
// ledger's (waitlist.h).
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/etag.h"
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

absl::Status CheckEligibility(const v1::Eligibility& e, const v1::Application& in) {
  Violations ineligible;
  for (int i = 0; i < in.members_size(); ++i) {
    const int age = AgeOn(in.members(i).birth_date(), e.age_reference_date());
    if ((e.min_age() > 0 && age < e.min_age()) || (e.max_age() > 0 && age > e.max_age())) {
      ineligible.Check(AgeOutOfRange(absl::StrCat("application.members[", i, "].birth_date"), e));
    }
  }
  return ineligible.Result();
}

absl::Status DecorateApplication(EnrollmentTx& tx, const ApplicationRecord& rec,
                                 v1::Application* out, bool secretariat,
                                 std::optional<int> known_place) {
  *out = rec.application;
  if (secretariat) {
    *out->mutable_decisions() = DecisionsOf(rec.application);
  } else {
    RedactApplicationForNonSecretariat(out);
  }
  out->set_etag(MakeEtag(out->name(), rec.revision));
  AddMunicipalityNames(out);
  int position = 0;
  if (known_place.has_value()) {
    position = *known_place;
  } else {
    ASSIGN_OR_RETURN(position, WaitlistPosition(tx, rec));
  }
  if (position > 0) out->set_waitlist_position(position);
  return absl::OkStatus();
}

absl::Status CheckNoLiveApplicationOf(EnrollmentTx& tx, const std::string& subject,
                                      const std::string& cohort_id,
                                      const std::string& except_id) {
  ASSIGN_OR_RETURN(auto mine, tx.ListApplicationsBySubmitter(subject));
  for (const ApplicationRecord& rec : mine) {
    const auto s = rec.application.state();
    if (rec.cohort_id == cohort_id && rec.id != except_id &&
        (s == v1::Application::SUBMITTED || s == v1::Application::WAITLISTED ||
         s == v1::Application::OFFERED || s == v1::Application::ACCEPTED)) {
      return AccountAlreadyApplied();
    }
  }
  return absl::OkStatus();
}

namespace {

bool IsLiveApplication(v1::Application::State s) {
  return s == v1::Application::ACCEPTED || s == v1::Application::WAITLISTED ||
         s == v1::Application::OFFERED;
}

// Who may act on an application: checked before anything about it (whether
// it exists, its etag, its state) is revealed. `rec` is null when no such
// application exists.
using MayActOnApplication =
    std::function<absl::Status(const std::string& name, const ApplicationRecord* rec)>;

// Anyone the RPC already admitted (the secretariat-only decisions).
absl::Status AlreadyAuthorised(const std::string&, const ApplicationRecord*) {
  return absl::OkStatus();
}

// The applicant (access token for this name, or the submitting account) or
// the secretariat; everyone else is refused whether or not it exists.
MayActOnApplication ApplicantOrSecretariat(const Principal& caller, const Enrollment& e,
                                           const char* refusal) {
  return [&caller, &e, refusal](const std::string& name,
                                const ApplicationRecord* rec) -> absl::Status {
    if (IsSecretariat(caller)) return absl::OkStatus();
    v1::Application unknown;
    const v1::Application& app = rec != nullptr ? rec->application : unknown;
    if (IsApplicant(caller, app, e.AccessTokenFor(name))) return absl::OkStatus();
    return Denied(caller, NotYourApplication(refusal));
  };
}

// Shared skeleton of the application mutations: parse, authorise the caller
// (before revealing anything), read the clock (under the write lock, so
// history, decision and offer times agree with commit order), load the
// cohort (expiring lapsed offers), load the application, check the etag,
// run `fn(tx, ledger, cohort, rec, now, &deferred)`, decorate. `fn` may set
// *deferred to an error that is returned after the transaction commits (so
// an expiry it observed is kept).
template <typename Fn>
absl::StatusOr<v1::Application> MutateApplication(EnrollmentStore* store, const Clock& clock,
                                                  const Notifier& notifier,
                                                  const Principal& caller,
                                                  const std::string& name,
                                                  const std::string& etag,
                                                  const MayActOnApplication& may_act, Fn fn) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", name, "applications"));
  v1::Application result;
  absl::Status deferred;
  RETURN_IF_ERROR(store->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock.Now();
    {
      absl::StatusOr<ApplicationRecord> seen = tx.GetApplication(ids.first, ids.second);
      if (!seen.ok() && !absl::IsNotFound(seen.status())) return seen.status();
      RETURN_IF_ERROR(may_act(name, seen.ok() ? &*seen : nullptr));
      if (!seen.ok()) return seen.status();  // NOT_FOUND, to someone entitled to know
    }
    SeatLedger ledger(tx, now, notifier);
    ASSIGN_OR_RETURN(CohortRecord cohort, ledger.LoadCohortForWrite(ids.first));
    ASSIGN_OR_RETURN(ApplicationRecord rec, tx.GetApplication(ids.first, ids.second));
    RETURN_IF_ERROR(CheckEtag(rec.application.name(), rec.revision, etag));
    RETURN_IF_ERROR(fn(tx, ledger, cohort, rec, now, &deferred));
    return DecorateApplication(tx, rec, &result, IsSecretariat(caller));
  }));
  RETURN_IF_ERROR(deferred);
  return result;
}

// Shared by AcceptOffer and DeclineOffer.
template <typename Fn>
absl::StatusOr<v1::Application> AnswerOffer(EnrollmentStore* store, const Clock& clock,
                                            const Principal& caller, const Enrollment& e,
                                            const std::string& name, Fn answer) {
  return MutateApplication(
      store, clock, e.notifier(), caller, name, "",
      ApplicantOrSecretariat(caller, e,
                             "only the applicant and the secretariat may answer this offer"),
      [&](EnrollmentTx& tx, SeatLedger& ledger, const CohortRecord& cohort,
          ApplicationRecord& rec, absl::Time, absl::Status* deferred) -> absl::Status {
        if (rec.application.state() == v1::Application::EXPIRED) {
          // LoadCohortForWrite may just have expired it: keep that, then say so.
          *deferred = OfferExpired();
          return absl::OkStatus();
        }
        if (rec.application.state() != v1::Application::OFFERED) return NoOpenOffer();
        return answer(tx, ledger, cohort, rec);
      });
}

}  // namespace

absl::StatusOr<v1::Application> Enrollment::GetApplication(
    const Principal& caller, const v1::GetApplicationRequest& request) {
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", request.name(), "applications"));
  v1::Application result;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    // Authorise before revealing whether the application exists.
    absl::StatusOr<ApplicationRecord> found = tx.GetApplication(ids.first, ids.second);
    if (!found.ok() && !absl::IsNotFound(found.status())) return found.status();
    ASSIGN_OR_RETURN(bool navigator,
                     IsCohortStaff(tx, ids.first, caller, /*navigator_only=*/true));
    const v1::Application unknown;
    const bool applicant = IsApplicant(caller, found.ok() ? found->application : unknown,
                                       AccessTokenFor(request.name()));
    if (!navigator && !applicant) {
      return Denied(caller, NotYourApplication(
                                "only the applicant and the secretariat may see this application"));
    }
    if (!found.ok()) return found.status();
    const ApplicationRecord& rec = *found;
    RETURN_IF_ERROR(DecorateApplication(tx, rec, &result, IsSecretariat(caller)));
    if (!IsSecretariat(caller) && !applicant) RedactApplicationForStaff(&result);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListApplicationsResponse> Enrollment::ListApplications(
    const Principal& caller, const v1::ListApplicationsRequest& request) {
  // The token's role first (cheap, before looking at the request), then the
  // cohort: see IsCohortStaff in the transaction.
  if (!IsSecretariat(caller) && !auth::HasRole(caller, kaizen::type::ROLE_NAVIGATOR)) {
    return Denied(caller,
                  StaffOnly("only the secretariat and the navigator may list applications"));
  }
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  if (!v1::Application::State_IsValid(request.state())) return InvalidFilter("state");
  if (!request.municipality_code().empty()) {
    RETURN_IF_ERROR(CheckMunicipality("municipality_code", request.municipality_code()));
  }
  const std::string fingerprint =
      absl::StrCat("applications\x1f", request.parent(), "\x1f", request.state(), "\x1f",
                   request.municipality_code());
  std::optional<QueuePosition> after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, request.page_token()));
    std::pair<std::string, std::string> parts = absl::StrSplit(position, ':');
    QueuePosition p;
    if (!absl::SimpleAtoi(parts.first, &p.priority) || !absl::SimpleAtoi(parts.second, &p.seq)) {
      return InvalidPageToken();
    }
    after = p;
  }
  ApplicationFilter filter;
  if (request.state() != v1::Application::STATE_UNSPECIFIED) filter.state = request.state();
  filter.municipality_code = request.municipality_code();
  v1::ListApplicationsResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    // The caller first: whether the cohort exists is for its staff to know.
    ASSIGN_OR_RETURN(bool navigator, IsCohortStaff(tx, cohort_id, caller, /*navigator_only=*/true));
    if (!navigator) {
      return Denied(caller, StaffOnly("only the secretariat and this cohort's navigator may "
                                      "list applications"));
    }
    RETURN_IF_ERROR(tx.GetCohort(cohort_id).status());
    ASSIGN_OR_RETURN(int64_t total, tx.CountApplications(cohort_id, filter));
    response.set_total_size(static_cast<int32_t>(total));
    ASSIGN_OR_RETURN(auto rows, tx.ListApplications(cohort_id, filter, after, page_size + 1));
    const bool more = static_cast<int>(rows.size()) > page_size;
    if (more) rows.resize(page_size);
    for (const ApplicationRecord& rec : rows) {
      v1::Application* out = response.add_applications();
      RETURN_IF_ERROR(DecorateApplication(tx, rec, out, IsSecretariat(caller)));
      if (!IsSecretariat(caller)) RedactApplicationForStaff(out);
    }
    if (more) {
      response.set_next_page_token(page_tokens_.Encode(
          fingerprint, absl::StrCat(rows.back().application.priority(), ":", rows.back().seq)));
    }
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Application> Enrollment::WithdrawApplication(
    const Principal& caller, const v1::WithdrawApplicationRequest& request) {
  Violations v;
  v.Check(ValidateText("reason", request.reason(), 0, 500, true));
  RETURN_IF_ERROR(v.Result());
  return MutateApplication(
      store_, *clock_, notifier_, caller, request.name(), request.etag(),
      ApplicantOrSecretariat(caller, *this, "only the applicant and the secretariat may withdraw it"),
      [&](EnrollmentTx&, SeatLedger& ledger, const CohortRecord& cohort, ApplicationRecord& rec,
          absl::Time, absl::Status*) -> absl::Status {
        // One still waiting for e-mail confirmation may be withdrawn too
        // (it frees its addresses; confirmation.h).
        if (!IsLiveApplication(rec.application.state()) &&
            rec.application.state() != v1::Application::SUBMITTED) {
          return InvalidStateTransition("withdraw", rec.application.state());
        }
        return ledger.EndApplication(cohort, rec, v1::Application::WITHDRAWN, Actor(caller),
                                     TrimSpaces(request.reason()), Decision::WITHDRAW);
      });
}

absl::StatusOr<v1::Application> Enrollment::AcceptApplication(
    const Principal& caller, const v1::DecideApplicationRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), 1, 500, true));
  return MutateApplication(
      store_, *clock_, notifier_, caller, request.name(), request.etag(), AlreadyAuthorised,
      [&](EnrollmentTx& tx, SeatLedger& ledger, const CohortRecord& cohort,
          ApplicationRecord& rec, absl::Time, absl::Status*) -> absl::Status {
        const auto state = rec.application.state();
        if (state != v1::Application::WAITLISTED && state != v1::Application::OFFERED &&
            state != v1::Application::REJECTED) {
          return InvalidStateTransition("accept", state);
        }
        if (!IsLiveCohort(cohort.cohort.state())) return CohortNotOpen();
        // An open offer's own seats are free for it (Fit leaves them out).
        ASSIGN_OR_RETURN(AdmissionDecision d, ledger.Fit(cohort, rec));
        if (d.admitted == 0) {
          return d.blocked_reason == kCohortFull ? CohortFull() : MunicipalityLimitReached();
        }
        if (state == v1::Application::REJECTED) {
          std::vector<std::string> keys;
          for (const auto& m : rec.application.members()) keys.push_back(EmailKey(m.email()));
          RETURN_IF_ERROR(tx.ReserveEmails(rec.cohort_id, rec.id, keys));
        }
        // MEMBER_IS_STAFF from here reaches the secretariat as an error
        // (the transaction rolls back, nothing changes).
        return ledger.AdmitApplication(cohort, rec, d.admitted, caller.subject(),
                                       TrimSpaces(request.reason()), Decision::ACCEPT);
      });
}

absl::StatusOr<v1::Application> Enrollment::RejectApplication(
    const Principal& caller, const v1::DecideApplicationRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  RETURN_IF_ERROR(ValidateText("reason", request.reason(), 1, 500, true));
  return MutateApplication(
      store_, *clock_, notifier_, caller, request.name(), request.etag(), AlreadyAuthorised,
      [&](EnrollmentTx&, SeatLedger& ledger, const CohortRecord& cohort, ApplicationRecord& rec,
          absl::Time, absl::Status*) -> absl::Status {
        if (!IsLiveApplication(rec.application.state())) {
          return InvalidStateTransition("reject", rec.application.state());
        }
        return ledger.EndApplication(cohort, rec, v1::Application::REJECTED, caller.subject(),
                                     TrimSpaces(request.reason()), Decision::REJECT);
      });
}

absl::StatusOr<v1::Application> Enrollment::PrioritizeApplication(
    const Principal& caller, const v1::PrioritizeApplicationRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  Violations v;
  if (request.priority() < -100 || request.priority() > 100) {
    v.Add("priority", "must be between -100 and 100");
  }
  v.Check(ValidateText("reason", request.reason(), 1, 500, true));
  RETURN_IF_ERROR(v.Result());
  return MutateApplication(
      store_, *clock_, notifier_, caller, request.name(), request.etag(), AlreadyAuthorised,
      [&](EnrollmentTx& tx, SeatLedger&, const CohortRecord&, ApplicationRecord& rec,
          absl::Time now, absl::Status*) -> absl::Status {
        if (rec.application.state() != v1::Application::WAITLISTED) {
          return InvalidStateTransition("prioritize", rec.application.state());
        }
        RecordDecision(rec.application, Decision::PRIORITIZE, now, caller.subject(),
                       TrimSpaces(request.reason()), rec.application.priority(),
                       request.priority());
        rec.application.set_priority(request.priority());
        rec.application.set_priority_reason(TrimSpaces(request.reason()));
        return tx.UpdateApplication(&rec);
      });
}

absl::StatusOr<v1::Application> Enrollment::AcceptOffer(const Principal& caller,
                                                        const v1::AnswerOfferRequest& request) {
  return AnswerOffer(
      store_, *clock_, caller, *this, request.name(),
      [&](EnrollmentTx& tx, SeatLedger& ledger, const CohortRecord& cohort,
          ApplicationRecord& rec) -> absl::Status {
        const int admitted = rec.application.admitted_member_count();
        ASSIGN_OR_RETURN(CohortStaff staff, CohortStaff::Load(tx, rec.cohort_id));
        if (staff.StaffMemberOf(rec.application, admitted) >= 0) {
          // Not an error to the applicant (appointments.h): the service
          // rejects it, and the secretariat sees why.
          return ledger.EndApplication(cohort, rec, v1::Application::REJECTED, kSystemActor,
                                       kMemberIsStaff, Decision::REJECT);
        }
        return ledger.AdmitApplication(cohort, rec, admitted, Actor(caller), kOfferAccepted,
                                       Decision::OFFER_ACCEPTED);
      });
}

absl::StatusOr<v1::Application> Enrollment::DeclineOffer(const Principal& caller,
                                                         const v1::AnswerOfferRequest& request) {
  return AnswerOffer(store_, *clock_, caller, *this, request.name(),
                     [&](EnrollmentTx&, SeatLedger& ledger, const CohortRecord& cohort,
                         ApplicationRecord& rec) {
                       return ledger.EndApplication(cohort, rec, v1::Application::WITHDRAWN,
                                                    Actor(caller), kOfferDeclined,
                                                    Decision::OFFER_DECLINED);
                     });
}

}  // namespace kaizen::enrollment
