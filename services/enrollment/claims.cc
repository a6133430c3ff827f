// Claims: binding an account (a JWT subject) to a participation or an
// application that was made without one.
//
//   - IssueClaimLink: the secretariat, or the signed-in submitter of the
//     application a participation came from (their team mates; an anonymous
//     applicant claims the application first), gets a single-use,
//     expiring token for one unbound ACTIVE participation. Only its keyed
//     hash is stored (Enrollment::ClaimTokenHash, key purpose "claim-links");
//     a new link for the same participation revokes the earlier ones.
//   - RedeemClaimLink: a signed-in caller binds their subject to it. The
//     check and the write are one BEGIN IMMEDIATE transaction, so of two
//     redemptions at once exactly one wins; the other sees CLAIM_LINK_USED.
//   - ClaimApplication: a signed-in caller holding an application's access
//     token becomes its submitter, and member 0's participation is bound.
//
// One account, one place per cohort: binding a subject that already holds
// another ACTIVE participation of the cohort is SUBJECT_ALREADY_IN_COHORT.
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/clock.h"
#include "common/util/etag.h"
#include "common/util/ids.h"
#include "services/enrollment/access.h"
#include "services/enrollment/confirmation.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/fees.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/municipalities.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {
namespace {

constexpr absl::Duration kDefaultClaimTtl = absl::Hours(24 * 7);
constexpr absl::Duration kMinClaimTtl = absl::Hours(1);
constexpr absl::Duration kMaxClaimTtl = absl::Hours(24 * 30);
// Tokens are 43 characters; anything much longer is not one of ours.
constexpr size_t kMaxClaimTokenLength = 200;

// OK unless `subject` holds an ACTIVE participation of `cohort_id` other
// than `except_id`.
absl::Status CheckOnePlacePerCohort(EnrollmentTx& tx, const std::string& subject,
                                    const std::string& cohort_id, const std::string& except_id) {
  ASSIGN_OR_RETURN(auto mine, tx.ListParticipantsBySubject(subject));
  for (const ParticipantRecord& p : mine) {
    if (p.cohort_id == cohort_id && p.id != except_id &&
        p.participant.state() == v1::Participant::ACTIVE) {
      return SubjectAlreadyInCohort();
    }
  }
  return absl::OkStatus();
}

// Binds `subject` to the participation (not a partner-visible change: no
// feed entry, like fees).
absl::Status Bind(EnrollmentTx& tx, ParticipantRecord& rec, const std::string& subject,
                  absl::Time now) {
  rec.participant.set_subject(subject);
  *rec.participant.mutable_update_time() = ToProto(now);
  return tx.UpdateParticipant(&rec);
}

// As its owner sees it: with etag, fee position and items to ship (fees.h).
absl::StatusOr<v1::Participant> Decorated(EnrollmentTx& tx, const ParticipantRecord& rec,
                                          absl::Time now) {
  v1::Participant out = rec.participant;
  out.set_etag(MakeEtag(out.name(), rec.revision));
  WholeConsents(&out);
  ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(rec.cohort_id));
  DecorateLedger(cohort.cohort, absl::ToCivilDay(now, TokyoTimeZone()), &out);
  AddMunicipalityName(&out);
  return out;
}

// A caller who can hold an account: signed in and not a partner key.
absl::Status RequireAccount(const Principal& caller) {
  if (IsPartner(caller)) return PartnerFeedOnly();
  if (caller.subject().empty()) return LoginRequired();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::ClaimLink> Enrollment::IssueClaimLink(
    const Principal& caller, const v1::IssueClaimLinkRequest& request) {
  if (IsPartner(caller)) return PartnerFeedOnly();
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", request.name(), "participants"));
  absl::Duration ttl = kDefaultClaimTtl;
  if (request.has_ttl()) {
    ttl = FromProto(request.ttl());
    if (ttl < kMinClaimTtl || ttl > kMaxClaimTtl) {
      return errors::InvalidField("ttl", "must be between 1 hour and 30 days");
    }
  }
  if (config_.claim_link_key.empty()) return errors::Internal("claim links are not configured");
  const std::string token = NewSecretToken();
  v1::ClaimLink result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();  // under the write lock
    // The caller first: a stranger learns nothing about the participation.
    absl::StatusOr<ParticipantRecord> found = tx.GetParticipant(ids.first, ids.second);
    if (!found.ok() && !absl::IsNotFound(found.status())) return found.status();
    bool allowed = IsSecretariat(caller);
    if (!allowed && found.ok() && !found->participant.application().empty()) {
      const std::string& app_name = found->participant.application();
      ASSIGN_OR_RETURN(auto app_ids, ParseChildName("application", app_name, "applications"));
      absl::StatusOr<ApplicationRecord> app = tx.GetApplication(app_ids.first, app_ids.second);
      if (!app.ok() && !absl::IsNotFound(app.status())) return app.status();
      // The submitter's account, not the application's access token: the
      // token can be neither revoked nor tied to a person, so its holder
      // must first claim the application (ClaimApplication) with an account.
      allowed = app.ok() && !IsPartner(caller) && !caller.subject().empty() &&
                caller.subject() == app->application.submitter();
    }
    if (!allowed) {
      return Denied(caller, NotYourParticipation("only the secretariat and the submitter of "
                                                 "this person's application may issue a link"));
    }
    if (!found.ok()) return found.status();
    const v1::Participant& p = found->participant;
    if (p.state() != v1::Participant::ACTIVE) return AlreadyCancelled();
    if (!p.subject().empty()) return ParticipationAlreadyClaimed();
    RETURN_IF_ERROR(tx.RevokeClaimLinks(ids.first, ids.second));
    ClaimLinkRecord link;
    link.token_hash = ClaimTokenHash(token);
    link.cohort_id = ids.first;
    link.participant_id = ids.second;
    link.issued_by = Actor(caller);
    link.create_time = now;
    link.expire_time = now + ttl;
    RETURN_IF_ERROR(tx.InsertClaimLink(link));
    // The link also goes to the person's own address, in this transaction.
    ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(ids.first));
    RETURN_IF_ERROR(notifier_.ClaimLinkIssued(tx, p, cohort.cohort.title(), token,
                                              link.expire_time, now));
    result.set_participant(p.name());
    *result.mutable_create_time() = ToProto(now);
    *result.mutable_expire_time() = ToProto(link.expire_time);
    return absl::OkStatus();
  }));
  result.set_token(token);
  return result;
}

absl::StatusOr<v1::Participant> Enrollment::RedeemClaimLink(
    const Principal& caller, const v1::RedeemClaimLinkRequest& request) {
  RETURN_IF_ERROR(RequireAccount(caller));
  if (request.token().empty()) return errors::InvalidField("token", "is required");
  if (request.token().size() > kMaxClaimTokenLength) return ClaimLinkNotFound();
  if (config_.claim_link_key.empty()) return errors::Internal("claim links are not configured");
  // Current key first, then the previous ones of a rotation overlap.
  const std::vector<std::string> hashes = ClaimTokenHashes(request.token());
  v1::Participant result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();  // under the write lock
    std::optional<ClaimLinkRecord> link;
    for (const std::string& hash : hashes) {
      ASSIGN_OR_RETURN(link, tx.GetClaimLink(hash));
      if (link.has_value()) break;
    }
    if (!link.has_value()) return ClaimLinkNotFound();
    absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant(link->cohort_id,
                                                              link->participant_id);
    if (absl::IsNotFound(rec.status())) return ClaimLinkNotFound();  // purged since
    if (!rec.ok()) return rec.status();
    const std::string& me = caller.subject();
    if (link->redeem_time.has_value()) {
      // The same account again (a double click, a retry): what it got.
      if (link->redeemed_by == me && rec->participant.subject() == me) {
        ASSIGN_OR_RETURN(result, Decorated(tx, *rec, now));
        return absl::OkStatus();
      }
      return ClaimLinkUsed();
    }
    if (link->revoked) return ClaimLinkRevoked();
    if (now >= link->expire_time) return ClaimLinkExpired();
    if (rec->participant.state() != v1::Participant::ACTIVE) return AlreadyCancelled();
    if (!rec->participant.subject().empty() && rec->participant.subject() != me) {
      return ParticipationAlreadyClaimed();
    }
    RETURN_IF_ERROR(CheckOnePlacePerCohort(tx, me, rec->cohort_id, rec->id));
    if (rec->participant.subject().empty()) RETURN_IF_ERROR(Bind(tx, *rec, me, now));
    link->redeem_time = now;
    link->redeemed_by = me;
    RETURN_IF_ERROR(tx.MarkClaimLinkRedeemed(*link));
    ASSIGN_OR_RETURN(result, Decorated(tx, *rec, now));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Application> Enrollment::ClaimApplication(
    const Principal& caller, const v1::ClaimApplicationRequest& request) {
  RETURN_IF_ERROR(RequireAccount(caller));
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", request.name(), "applications"));
  const std::string& me = caller.subject();
  v1::Application result;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    const absl::Time now = clock_->Now();  // under the write lock
    // The caller first: the access token (or already being its submitter)
    // is checked before anything about the application is revealed.
    absl::StatusOr<ApplicationRecord> found = tx.GetApplication(ids.first, ids.second);
    if (!found.ok() && !absl::IsNotFound(found.status())) return found.status();
    const v1::Application unknown;
    if (!IsApplicant(caller, found.ok() ? found->application : unknown,
                     AccessTokenFor(request.name()))) {
      return Denied(caller, NotYourApplication("send this application's access token with "
                                               "your sign-in to claim it"));
    }
    if (!found.ok()) return found.status();
    ApplicationRecord& rec = *found;
    v1::Application& app = rec.application;
    if (!app.submitter().empty() && app.submitter() != me) return ApplicationAlreadyClaimed();
    std::string own_participation;
    if (app.participants_size() > 0) {
      ASSIGN_OR_RETURN(auto pids, ParseChildName("participant", app.participants(0),
                                                 "participants"));
      own_participation = pids.second;
    }
    if (app.submitter().empty() && app.state() != v1::Application::WITHDRAWN &&
        app.state() != v1::Application::REJECTED && app.state() != v1::Application::EXPIRED) {
      // Claiming makes the account its submitter: still one live
      // application per account and cohort (applications.cc).
      RETURN_IF_ERROR(CheckNoLiveApplicationOf(tx, me, rec.cohort_id, rec.id));
    }
    RETURN_IF_ERROR(CheckOnePlacePerCohort(tx, me, rec.cohort_id, own_participation));
    if (!own_participation.empty()) {
      ASSIGN_OR_RETURN(ParticipantRecord p, tx.GetParticipant(rec.cohort_id, own_participation));
      if (p.participant.state() == v1::Participant::ACTIVE) {
        if (p.participant.subject().empty()) {
          RETURN_IF_ERROR(Bind(tx, p, me, now));
        } else if (p.participant.subject() != me) {
          return ParticipationAlreadyClaimed();
        }
      }
    }
    if (app.submitter().empty()) {
      app.set_submitter(me);
      RETURN_IF_ERROR(tx.UpdateApplication(&rec));
    }
    result = app;
    // The applicant's view: no record of decisions, actors or the
    // secretariat's words (access.h).
    RedactApplicationForNonSecretariat(&result);
    result.set_etag(MakeEtag(app.name(), rec.revision));
    AddMunicipalityNames(&result);
    ASSIGN_OR_RETURN(int position, WaitlistPosition(tx, rec));
    if (position > 0) result.set_waitlist_position(position);
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace kaizen::enrollment
