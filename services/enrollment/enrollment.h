// The enrollment domain: every rule of cohorts, applications, the waiting
// list, participants, fees, shipments, consent, the roster and the partner
// change feed. Transport-free: takes the verified caller and a request proto,
// returns the response or a named error (enrollment_errors.h).
//
// The member functions are defined one file per resource (cohorts.cc,
// applications.cc, participants.cc, feed.cc); the seat ledger they share is
// waitlist.h, authorisation access.h.
//
// Concurrency: every mutation is one EnrollmentStore::Write transaction
// (BEGIN IMMEDIATE), so seat and municipality counts are read and changed
// atomically: capacity and the municipality limit hold whatever the
// concurrency. Before any mutation of a cohort, lapsed offers in it are
// expired and their seats passed on, so no decision sees a stale offer.
//
// Thread-safe; holds no mutable state besides the store and the feed's
// guard (feed_guard.h: pages in flight, resting sources).
#ifndef KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_H_
#define KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/storage/generation_cache.h"
#include "common/util/clock.h"
#include "common/util/page_token.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/principal.pb.h"
#include "services/enrollment/feed_guard.h"
#include "services/enrollment/notify.h"
#include "kaizen/type/notification.pb.h"

namespace kaizen::enrollment {

class EnrollmentStore;  // enrollment_store.h; the domain header needs no storage header
}  // namespace kaizen::enrollment
namespace kaizen::purge_client {
class PurgeTarget;  // clients/purge/purge_target.h
}  // namespace kaizen::purge_client
namespace kaizen::partner_client {
class ResultChangeSource;  // clients/partner/result_change_source.h
}  // namespace kaizen::partner_client
namespace kaizen::enrollment {

using ::kaizen::type::Principal;

struct EnrollmentConfig {
  // Signs page tokens and change-feed cursors. >= 16 bytes.
  std::string page_token_key;
  // Derives applicants' access tokens: HMAC(key, application name), so a
  // retried create returns the same token and nothing secret is stored.
  std::string access_token_key;
  // Hashes claim-link tokens for storage (HMAC; common/auth/keys.h purpose
  // "claim-links"), so a copy of the database redeems nothing. Empty:
  // IssueClaimLink and RedeemClaimLink fail with INTERNAL.
  std::string claim_link_key;
  // Earlier claim-link keys during a rotation overlap (the key file's
  // previous secrets): links issued under them still redeem. New links are
  // always hashed with claim_link_key.
  std::vector<std::string> previous_claim_link_keys;
  // The services asked to delete a purged cohort's or an erased person's
  // data (purge.cc; not owned, must outlive the domain). Scheduling, survey
  // and plans are expected: one without a target here is reported
  // NOT_CONFIGURED, never skipped silently.
  std::vector<purge_client::PurgeTarget*> purge_targets;
  // The result-change logs ListChanges merges behind enrollment's own
  // (result_feed.h): scheduling, plans and survey, by service() (not owned,
  // must outlive the domain). One left out is not part of the feed (its
  // cursor position is carried unchanged); none: the feed is enrollment's
  // alone.
  std::vector<partner_client::ResultChangeSource*> result_change_sources;
  // ListChanges pages served at once (more: RESOURCE_EXHAUSTED FEED_BUSY),
  // and how long a result-change source that failed is skipped without a
  // call (feed_guard.h).
  int max_concurrent_feed_pages = 4;
  absl::Duration result_source_backoff = absl::Seconds(10);
  // E-mail (notify.h): links, sender, reminder timing, unsubscribe key.
  // Messages are always written to the outbox; whether they leave the
  // process is the server's delivery configuration (main.cc).
  NotifyConfig notify;
  // An application submitted without a verified identity (anonymous
  // caller) waits SUBMITTED, holding nothing, until every member confirms
  // the address (ConfirmApplicationEmail); admission runs at the last
  // confirmation. false: admitted on arrival as before (tests of other
  // rules; never in production).
  bool require_email_confirmation = true;
  // How long an unconfirmed application waits before it expires.
  absl::Duration confirmation_window = absl::Hours(48);
};

class Enrollment {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  Enrollment(EnrollmentStore* store, const Clock* clock, EnrollmentConfig config);
  // Not copyable: the notifier's link function points at this object.
  Enrollment(const Enrollment&) = delete;
  Enrollment& operator=(const Enrollment&) = delete;

  // Cohorts.
  absl::StatusOr<v1::Cohort> CreateCohort(const Principal& caller,
                                          const v1::CreateCohortRequest& request);
  absl::StatusOr<v1::Cohort> GetCohort(const Principal& caller,
                                       const v1::GetCohortRequest& request);
  // GetCohort calls answered from memory (no write since the read that
  // produced the answer; cohort_cache_ below), since construction.
  int64_t cohort_cache_hits() const { return cohort_cache_.hits(); }
  absl::StatusOr<v1::ListCohortsResponse> ListCohorts(
      const Principal& caller, const v1::ListCohortsRequest& request);
  absl::StatusOr<v1::Cohort> UpdateCohort(const Principal& caller,
                                          const v1::UpdateCohortRequest& request);
  absl::StatusOr<v1::Cohort> TransitionCohort(
      const Principal& caller, const v1::TransitionCohortRequest& request);
  absl::StatusOr<v1::PurgeCohortPersonalDataResponse> PurgeCohortPersonalData(
      const Principal& caller,
      const v1::PurgeCohortPersonalDataRequest& request);
  // Purge reports and the erasure of one person (purge.cc, erasure.cc).
  absl::StatusOr<v1::PurgeReport> GetPurgeReport(const Principal& caller,
                                                 const v1::GetPurgeReportRequest& request);
  absl::StatusOr<v1::PurgeReport> ErasePersonalData(
      const Principal& caller, const v1::ErasePersonalDataRequest& request);

  // Applications (create_application.cc).
  absl::StatusOr<v1::Application> CreateApplication(
      const Principal& caller, const v1::CreateApplicationRequest& request);
  // The same without waiting for the write: the request's checks run on the
  // calling thread (no database: gRPC's thread may call it), the
  // transaction in the database's group commit, and `done` gets the answer
  // on the database's completion thread (KAIZEN_DEFINE_WRITE_RPC,
  // common/server/unary_call.h). `request` must stay valid until `done`.
  using ApplicationDone = absl::AnyInvocable<void(absl::StatusOr<v1::Application>) &&>;
  void CreateApplicationAsync(const Principal& caller,
                              const v1::CreateApplicationRequest& request, ApplicationDone done);
  absl::StatusOr<v1::Application> GetApplication(
      const Principal& caller, const v1::GetApplicationRequest& request);
  absl::StatusOr<v1::ListApplicationsResponse> ListApplications(
      const Principal& caller, const v1::ListApplicationsRequest& request);
  absl::StatusOr<v1::Application> WithdrawApplication(
      const Principal& caller, const v1::WithdrawApplicationRequest& request);
  absl::StatusOr<v1::Application> AcceptApplication(
      const Principal& caller, const v1::DecideApplicationRequest& request);
  absl::StatusOr<v1::Application> RejectApplication(
      const Principal& caller, const v1::DecideApplicationRequest& request);
  absl::StatusOr<v1::Application> PrioritizeApplication(
      const Principal& caller, const v1::PrioritizeApplicationRequest& request);
  absl::StatusOr<v1::Application> AcceptOffer(
      const Principal& caller, const v1::AnswerOfferRequest& request);
  absl::StatusOr<v1::Application> DeclineOffer(
      const Principal& caller, const v1::AnswerOfferRequest& request);

  // Participants.
  absl::StatusOr<v1::Participant> CreateParticipant(
      const Principal& caller, const v1::CreateParticipantRequest& request);
  absl::StatusOr<v1::Participant> GetParticipant(
      const Principal& caller, const v1::GetParticipantRequest& request);
  absl::StatusOr<v1::ListParticipantsResponse> ListParticipants(
      const Principal& caller, const v1::ListParticipantsRequest& request);
  absl::StatusOr<v1::Participant> CancelParticipant(
      const Principal& caller, const v1::CancelParticipantRequest& request);
  absl::StatusOr<v1::Participant> UpdateConsent(
      const Principal& caller, const v1::UpdateConsentRequest& request);
  absl::StatusOr<v1::Participant> RecordPayment(
      const Principal& caller, const v1::RecordPaymentRequest& request);
  absl::StatusOr<v1::Participant> RecordShipment(
      const Principal& caller, const v1::RecordShipmentRequest& request);

  // Accounts (claims.cc, me.cc): claim links, claiming an anonymous
  // application, the caller's own view and a cohort's member list.
  absl::StatusOr<v1::ClaimLink> IssueClaimLink(const Principal& caller,
                                               const v1::IssueClaimLinkRequest& request);
  absl::StatusOr<v1::Participant> RedeemClaimLink(const Principal& caller,
                                                  const v1::RedeemClaimLinkRequest& request);
  absl::StatusOr<v1::Application> ClaimApplication(const Principal& caller,
                                                   const v1::ClaimApplicationRequest& request);
  absl::StatusOr<v1::Me> GetMe(const Principal& caller, const v1::GetMeRequest& request);
  absl::StatusOr<v1::ListCohortMembersResponse> ListCohortMembers(
      const Principal& caller, const v1::ListCohortMembersRequest& request);

  // For other services and partners.
  absl::StatusOr<v1::Roster> GetRoster(const Principal& caller,
                                       const v1::GetRosterRequest& request);
  absl::StatusOr<v1::ListChangesResponse> ListChanges(
      const Principal& caller, const v1::ListChangesRequest& request);

  // APPI Art. 29 provision records (provision.cc: recording, for the
  // scheduling, plans and survey services; provision_list.cc: the
  // secretariat's list and CSV export, and each person's own list).
  absl::StatusOr<kaizen::type::RecordProvisionResponse> RecordProvision(
      const Principal& caller, const kaizen::type::RecordProvisionRequest& request);
  absl::StatusOr<v1::ListProvisionRecordsResponse> ListProvisionRecords(
      const Principal& caller, const v1::ListProvisionRecordsRequest& request);
  absl::StatusOr<v1::ListParticipantProvisionRecordsResponse> ListParticipantProvisionRecords(
      const Principal& caller, const v1::ListParticipantProvisionRecordsRequest& request);
  absl::StatusOr<kaizen::type::HttpBody> ExportProvisionRecords(
      const Principal& caller, const v1::ExportProvisionRecordsRequest& request);

  // E-mail confirmation and notifications (confirmation.cc, notify_rpc.cc).
  absl::StatusOr<v1::Application> ConfirmApplicationEmail(
      const Principal& caller, const v1::ConfirmApplicationEmailRequest& request);
  absl::StatusOr<kaizen::type::EnqueueNotificationResponse> EnqueueNotification(
      const Principal& caller, const kaizen::type::EnqueueNotificationRequest& request);
  absl::StatusOr<v1::NotificationPreferences> GetNotificationPreferences(
      const Principal& caller, const v1::GetNotificationPreferencesRequest& request);
  absl::StatusOr<v1::NotificationPreferences> UpdateNotificationPreferences(
      const Principal& caller, const v1::UpdateNotificationPreferencesRequest& request);
  absl::StatusOr<v1::UnsubscribeRemindersResponse> UnsubscribeReminders(
      const Principal& caller, const v1::UnsubscribeRemindersRequest& request);

  // Expires every SUBMITTED application whose confirm_expire_time has
  // passed (EXPIRED, EMAIL_NOT_CONFIRMED; releases its e-mail keys; tells
  // the members). Returns how many. The server calls it periodically
  // (confirmation.cc).
  absl::StatusOr<int> ExpireUnconfirmedApplications();
  // Writes the "offer expiring soon" reminder of every OFFERED application
  // whose offer lapses within notify.offer_reminder_before (once per offer).
  // Returns how many. The server calls it periodically (notify_rpc.cc).
  absl::StatusOr<int> SendOfferReminders();
  // The token in member `member`'s confirmation link:
  // HMAC(access_token_key, "confirm\x1f" + name + "\x1f" + member), never
  // equal to the access token.
  std::string ConfirmationTokenFor(const std::string& application_name, int member) const;
  const Notifier& notifier() const { return notifier_; }

  // Expires every lapsed offer (in cohorts that are OPEN, CLOSED or RUNNING)
  // and offers the freed seats to the next applications. Returns how many
  // offers expired. The server calls it periodically; correctness does not
  // depend on it, since every mutation of a cohort does the same first.
  absl::StatusOr<int> ExpireLapsedOffers();

  // The automatic retry of purge and erasure reports (purge_sweep.cc): for
  // up to `max_reports` reports after `after` (a sweep's `next`; {} starts
  // from the first) with a service FAILED, or PENDING with its lease lapsed
  // (a crashed call), does what calling the purge or erasure again does
  // (RunPurgeTargets). NOT_CONFIGURED alone never selects a report (it needs
  // configuration, not a retry). The server calls it every minute; the
  // counts are all it logs.
  struct PurgeSweep {
    int reports = 0;     // reports retried
    int completed = 0;   // of those, complete now
    int errors = 0;      // of those, whose retry itself failed (e.g. storage)
    // Where the next sweep starts ({}: from the first), so more than
    // max_reports failing reports are all retried in turn. A sweep that
    // reaches the end goes on from the first, up to `after`.
    std::pair<std::string, std::string> next;
  };
  absl::StatusOr<PurgeSweep> RetryIncompletePurges(
      int max_reports, const std::pair<std::string, std::string>& after = {});

  // The access token for an application (what CreateApplication returns).
  std::string AccessTokenFor(const std::string& application_name) const;
  // What the store keeps of a claim-link token: hex HMAC under
  // claim_link_key.
  std::string ClaimTokenHash(const std::string& token) const;
  // The same under the current key and then each previous one.
  std::vector<std::string> ClaimTokenHashes(const std::string& token) const;

 private:
  // CreateApplication's three steps (create_application.cc).
  struct NewApplication;
  absl::StatusOr<std::shared_ptr<NewApplication>> CheckNewApplication(
      const Principal& caller, const v1::CreateApplicationRequest& request) const;
  absl::Status WriteNewApplication(NewApplication& a, EnrollmentTx& tx);
  v1::Application AnswerNewApplication(NewApplication& a) const;

  // Asks every target of the report (cohort_id, participant_id: "" for the
  // whole cohort) that is not DONE to purge, outside any transaction and in
  // parallel, and stores each answer (purge.cc). Returns the report.
  absl::StatusOr<v1::PurgeReport> RunPurgeTargets(const std::string& cohort_id,
                                                  const std::string& participant_id);
  // ErasePersonalData of "cohorts/{c}/applications/{a}"
  // (erasure_application.cc).
  absl::StatusOr<v1::PurgeReport> EraseApplicationPersonalData(const std::string& cohort_id,
                                                               const std::string& application_id);

  // `config` with access_token_for bound to `e` (messages carry view links).
  static NotifyConfig WithAccessTokens(NotifyConfig config, const Enrollment* e);

  EnrollmentStore* store_;
  const Clock* clock_;
  EnrollmentConfig config_;
  PageTokenCodec page_tokens_;
  FeedGuard feed_guard_;
  Notifier notifier_;
  // GetCohort's answers for published (not DRAFT) cohorts, which every
  // caller may read, valid until the next write (generation_cache.h): the
  // cohort every screen shows is read thousands of times per write.
  storage::GenerationCache<v1::Cohort> cohort_cache_{kCohortCacheEntries};
  static constexpr size_t kCohortCacheEntries = 256;
};

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_H_
