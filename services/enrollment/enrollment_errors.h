// Every error reason the enrollment service originates, one named factory
// each, plus the reasons it writes into an application's history. All errors
// are built with common/status/errors.h, so each carries google.rpc.ErrorInfo
// (domain "kaizen") with one of the reasons below (and BadRequest for
// INVALID_ARGUMENT); clients switch on the reason, never on the message.
// Reasons are stable forever. README.md lists exactly these (a test checks).
//
// Not here: reasons made by shared code in common/ and used unchanged
// (resource names, field validation, page sizes, etags, NOT_FOUND, the
// internal credential); docs/errors.md lists those.
//
// Messages speak the user's language and never echo submitted values.
#ifndef KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_ERRORS_H_
#define KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_ERRORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/type/date.pb.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"

namespace kaizen::enrollment {

// ---------------------------------------------------------------- reasons

// Bad input (INVALID_ARGUMENT).
inline constexpr absl::string_view kInvalidPageToken = "INVALID_PAGE_TOKEN";
inline constexpr absl::string_view kInvalidCursor = "INVALID_CURSOR";
inline constexpr absl::string_view kUpdateMaskRequired = "UPDATE_MASK_REQUIRED";
inline constexpr absl::string_view kUpdateMaskInvalid = "UPDATE_MASK_INVALID";
inline constexpr absl::string_view kTeamSize = "TEAM_SIZE";
inline constexpr absl::string_view kTeamMunicipalityMismatch = "TEAM_MUNICIPALITY_MISMATCH";
inline constexpr absl::string_view kTeamLargerThanCapacity = "TEAM_LARGER_THAN_CAPACITY";
inline constexpr absl::string_view kAgeOutOfRange = "AGE_OUT_OF_RANGE";
inline constexpr absl::string_view kCurrencyNotJpy = "CURRENCY_NOT_JPY";
inline constexpr absl::string_view kStaffRoleRequired = "STAFF_ROLE_REQUIRED";
inline constexpr absl::string_view kUnknownItem = "UNKNOWN_ITEM";
// A staff entry's account subject in a namespace the gateway reserves
// (`partner:` is an API key's).
inline constexpr absl::string_view kSubjectReserved = "SUBJECT_RESERVED";
// A list filter with a value the enum does not have.
inline constexpr absl::string_view kInvalidFilter = "INVALID_FILTER";
// Also ALREADY_EXISTS (see DuplicateApplicant).
inline constexpr absl::string_view kDuplicateApplicant = "DUPLICATE_APPLICANT";
// A municipality code that passes the shape checks of common/validation but
// is not an employer in the national master (common/municipality): a ward of
// a designated city, or a code the master does not have.
inline constexpr absl::string_view kMunicipalityIsWard = "MUNICIPALITY_IS_WARD";
inline constexpr absl::string_view kMunicipalityUnknown = "MUNICIPALITY_UNKNOWN";
// A required field (one whose own validator would only say "not valid":
// e-mail, municipality code, date, a message) was not sent.
inline constexpr absl::string_view kFieldRequired = "FIELD_REQUIRED";
// The same person appointed to the same staff role of a cohort twice
// (ALREADY_EXISTS).
inline constexpr absl::string_view kAlreadyAppointed = "ALREADY_APPOINTED";

// State forbids it (FAILED_PRECONDITION).
inline constexpr absl::string_view kCohortNotOpen = "COHORT_NOT_OPEN";
inline constexpr absl::string_view kApplicationWindowClosed = "APPLICATION_WINDOW_CLOSED";
inline constexpr absl::string_view kInvalidStateTransition = "INVALID_STATE_TRANSITION";
inline constexpr absl::string_view kCohortFull = "COHORT_FULL";
inline constexpr absl::string_view kMunicipalityLimitReached = "MUNICIPALITY_LIMIT_REACHED";
inline constexpr absl::string_view kCapacityBelowTaken = "CAPACITY_BELOW_TAKEN";
inline constexpr absl::string_view kMunicipalityLimitBelowTaken =
    "MUNICIPALITY_LIMIT_BELOW_TAKEN";
inline constexpr absl::string_view kCohortFinished = "COHORT_FINISHED";
inline constexpr absl::string_view kNoOpenOffer = "NO_OPEN_OFFER";
inline constexpr absl::string_view kOfferExpired = "OFFER_EXPIRED";
inline constexpr absl::string_view kAlreadyCancelled = "ALREADY_CANCELLED";
inline constexpr absl::string_view kRefundExceedsPaid = "REFUND_EXCEEDS_PAID";
inline constexpr absl::string_view kPaymentExceedsBalance = "PAYMENT_EXCEEDS_BALANCE";
// A cohort's participant appointed its staff; its staff applying to it.
inline constexpr absl::string_view kParticipantCannotBeStaff = "PARTICIPANT_CANNOT_BE_STAFF";
inline constexpr absl::string_view kStaffCannotApply = "STAFF_CANNOT_APPLY";
// Someone with a pending application appointed staff; a seat for active
// staff (also the history reason of the service's rejection).
inline constexpr absl::string_view kApplicantCannotBeStaff = "APPLICANT_CANNOT_BE_STAFF";
inline constexpr absl::string_view kMemberIsStaff = "MEMBER_IS_STAFF";
// WAIVER_REVOKED without a waiver in effect.
inline constexpr absl::string_view kWaiverNotInEffect = "WAIVER_NOT_IN_EFFECT";
inline constexpr absl::string_view kItemNotYetAvailable = "ITEM_NOT_YET_AVAILABLE";
inline constexpr absl::string_view kAlreadyShipped = "ALREADY_SHIPPED";
inline constexpr absl::string_view kCohortNotFinished = "COHORT_NOT_FINISHED";
inline constexpr absl::string_view kRetentionNotElapsed = "RETENTION_NOT_ELAPSED";
inline constexpr absl::string_view kCohortPurged = "COHORT_PURGED";
inline constexpr absl::string_view kErasureNotAllowed = "ERASURE_NOT_ALLOWED";
// Claim links and claims (claims.cc).
inline constexpr absl::string_view kClaimLinkExpired = "CLAIM_LINK_EXPIRED";
inline constexpr absl::string_view kClaimLinkUsed = "CLAIM_LINK_USED";
inline constexpr absl::string_view kClaimLinkRevoked = "CLAIM_LINK_REVOKED";
inline constexpr absl::string_view kParticipationAlreadyClaimed =
    "PARTICIPATION_ALREADY_CLAIMED";
inline constexpr absl::string_view kApplicationAlreadyClaimed = "APPLICATION_ALREADY_CLAIMED";
inline constexpr absl::string_view kSubjectAlreadyInCohort = "SUBJECT_ALREADY_IN_COHORT";

// Not found (NOT_FOUND) with a reason of its own.
inline constexpr absl::string_view kClaimLinkNotFound = "CLAIM_LINK_NOT_FOUND";

// Limits (RESOURCE_EXHAUSTED).
inline constexpr absl::string_view kWaitlistFull = "WAITLIST_FULL";

// Who may (UNAUTHENTICATED, PERMISSION_DENIED).
inline constexpr absl::string_view kLoginRequired = "LOGIN_REQUIRED";
inline constexpr absl::string_view kSecretariatOnly = "SECRETARIAT_ONLY";
inline constexpr absl::string_view kStaffOnly = "STAFF_ONLY";
inline constexpr absl::string_view kNotYourApplication = "NOT_YOUR_APPLICATION";
inline constexpr absl::string_view kNotYourParticipation = "NOT_YOUR_PARTICIPATION";
inline constexpr absl::string_view kPartnerOnly = "PARTNER_ONLY";
inline constexpr absl::string_view kPartnerFeedOnly = "PARTNER_FEED_ONLY";
inline constexpr absl::string_view kPartnerMunicipalityMissing = "PARTNER_MUNICIPALITY_MISSING";
inline constexpr absl::string_view kMembersOnly = "MEMBERS_ONLY";
// RecordProvision from anyone but the scheduling, plans or survey service
// principal (provision.cc).
inline constexpr absl::string_view kServicesOnly = "SERVICES_ONLY";
// RecordProvision's recipient is not a partner HR key bound to a
// municipality (INVALID_ARGUMENT: the calling service's bug).
inline constexpr absl::string_view kRecipientNotPartner = "RECIPIENT_NOT_PARTNER";
// An export larger than one response may be (RESOURCE_EXHAUSTED).
inline constexpr absl::string_view kExportTooLarge = "EXPORT_TOO_LARGE";
// ListChanges with a cursor past the head of enrollment's change log: the
// database was restored from an older backup (FAILED_PRECONDITION; start
// again with an empty cursor).
inline constexpr absl::string_view kCursorAheadOfFeed = "CURSOR_AHEAD_OF_FEED";
// More partner feed pages at once than the service serves (RESOURCE_EXHAUSTED).
inline constexpr absl::string_view kFeedBusy = "FEED_BUSY";
// E-mail confirmation of an anonymous application (confirmation.cc):
// ConfirmApplicationEmail with a token that is not this application's
// (PERMISSION_DENIED, the same whether or not the application exists), and
// after the confirmation deadline (FAILED_PRECONDITION).
inline constexpr absl::string_view kConfirmationTokenInvalid = "CONFIRMATION_TOKEN_INVALID";
inline constexpr absl::string_view kConfirmationExpired = "CONFIRMATION_EXPIRED";
// A signed-in caller who already holds a SUBMITTED, WAITLISTED, OFFERED or
// ACCEPTED application in the cohort creates another (FAILED_PRECONDITION;
// applications.cc: one application per account and cohort).
inline constexpr absl::string_view kAccountAlreadyApplied = "ACCOUNT_ALREADY_APPLIED";
// UnsubscribeReminders with a token this service did not make (or made
// under another key): PERMISSION_DENIED (notify_rpc.cc).
inline constexpr absl::string_view kUnsubscribeTokenInvalid = "UNSUBSCRIBE_TOKEN_INVALID";

// Application history reasons (v1::Application.history[].reason), not
// errors. kCohortFull, kMunicipalityLimitReached (why an application waits),
// kOfferExpired and kMemberIsStaff (the service's rejection; shown to the
// secretariat only) are history reasons too.
inline constexpr absl::string_view kSeatAvailable = "SEAT_AVAILABLE";
inline constexpr absl::string_view kOfferAccepted = "OFFER_ACCEPTED";
inline constexpr absl::string_view kOfferDeclined = "OFFER_DECLINED";
inline constexpr absl::string_view kEligibilityOverridden = "ELIGIBILITY_OVERRIDDEN";
// An application that expired waiting for e-mail confirmation.
inline constexpr absl::string_view kEmailNotConfirmed = "EMAIL_NOT_CONFIRMED";
// An application whose every member confirmed but whose arrival was refused
// (WAITLIST_FULL, COHORT_NOT_OPEN, DUPLICATE_APPLICANT, the window or the
// eligibility) and that expired at its confirmation deadline.
inline constexpr absl::string_view kArrivalRefused = "ARRIVAL_REFUSED";

// Every error reason above, and every history reason, in declaration order
// (for the README check and docs).
const std::vector<absl::string_view>& ErrorReasons();
const std::vector<absl::string_view>& HistoryReasons();

// ---------------------------------------------------------------- INVALID_ARGUMENT
// Each names its field in google.rpc.BadRequest, so Violations can collect it.

// `page_token` was not made by this list with these filters.
absl::Status InvalidPageToken();
// `cursor` was not made by this change feed for this caller's municipality.
absl::Status InvalidCursor();
// UpdateCohort without any update_mask path.
absl::Status UpdateMaskRequired();
// UpdateCohort naming a `path` that cannot be changed (output-only, name, state).
absl::Status UpdateMaskInvalid(absl::string_view path);
// `application.members` is empty or lists more than `max_members`.
absl::Status TeamSize(int max_members);
// A team member (`field`, its municipality_code) from another municipality
// than members[0].
absl::Status TeamMunicipalityMismatch(absl::string_view field);
// A team larger than the cohort's capacity, without allow_partial_team.
absl::Status TeamLargerThanCapacity();
// A member (`field`, its birth_date) outside the cohort's age range on its
// reference date.
absl::Status AgeOutOfRange(absl::string_view field, const v1::Eligibility& eligibility);
// Money (`field`, its currency_code) in another currency than yen.
absl::Status CurrencyNotJpy(absl::string_view field);
// CreateParticipant with a role that is not a staff role (participants join
// through applications).
absl::Status StaffRoleRequired();
// CreateParticipant with a subject starting with `partner:` (API keys only).
absl::Status SubjectReserved();
// RecordShipment for an item the cohort's fee does not include.
absl::Status UnknownItem();
// The same for another field (ListParticipants' unshipped_item_id).
absl::Status UnknownItem(absl::string_view field);
// A list filter `field` whose enum value is not one the API defines.
absl::Status InvalidFilter(absl::string_view field);
// `field` holds the code of a ward (行政区) of a designated city, e.g.
// 011011 札幌市中央区: its staff are employed by the city, so the city's code
// is the one to use. The message names both codes and the city ("011011 is a
// ward of 札幌市 (011002); use the city's code"): public data, not personal.
absl::Status MunicipalityIsWard(absl::string_view field, absl::string_view ward_code,
                                absl::string_view city_name, absl::string_view city_code);
// `field` holds a well-formed code that names no municipality in the master
// (e.g. 013005), or one without a municipal government (`name` of the
// Northern Territories' villages; empty otherwise).
absl::Status MunicipalityUnknown(absl::string_view field, absl::string_view code,
                                 absl::string_view name = "");
// `field` is required and was not sent ("is required"), for fields whose
// validator would otherwise call an empty value malformed.
absl::Status FieldRequired(absl::string_view field);

// DUPLICATE_APPLICANT, two forms:
// ALREADY_EXISTS: one of the e-mail addresses already has a live application
// in the cohort. Names neither the address nor the other application (the
// caller may be anyone probing).
absl::Status DuplicateApplicant();
// INVALID_ARGUMENT naming `field` (a member's email): the same address twice
// in one team.
absl::Status DuplicateApplicant(absl::string_view field);

// ---------------------------------------------------------------- FAILED_PRECONDITION

// CreateApplication in a cohort that is not OPEN (metadata "state").
absl::Status CohortNotOpen(v1::Cohort::State state);
// AcceptApplication in a cohort that no longer takes people in (DRAFT or
// FINISHED).
absl::Status CohortNotOpen();
// CreateApplication outside [open, close): the message gives the window in
// Asia/Tokyo.
absl::Status ApplicationWindowClosed(absl::Time open, absl::Time close);
// TransitionCohort along an edge the cohort lifecycle does not have
// (metadata "from", "to").
absl::Status InvalidStateTransition(v1::Cohort::State from, v1::Cohort::State to);
// `action` ("withdraw", "accept", ...) on an application whose state forbids
// it (metadata "state").
absl::Status InvalidStateTransition(absl::string_view action, v1::Application::State from);
// Manual accept with no seat free.
absl::Status CohortFull();
// Manual accept that would bring in one municipality too many.
absl::Status MunicipalityLimitReached();
// UpdateCohort lowering capacity below the `seats_taken`.
absl::Status CapacityBelowTaken(int seats_taken);
// UpdateCohort lowering max_municipalities below those already in.
absl::Status MunicipalityLimitBelowTaken(int municipalities_taken);
// Changing a FINISHED cohort: updates ("a finished cohort cannot be
// changed") and new staff ("the cohort has finished"); `message` says which.
absl::Status CohortFinished(absl::string_view message);
// Changing a cohort whose personal data was purged (its retention, say).
absl::Status CohortPurged();
// ErasePersonalData of an ACTIVE participation of a cohort that has not
// finished (it holds a seat: cancel it first, or wait for the finish).
absl::Status ErasureNotAllowed();
// ErasePersonalData of an application that still waits for a seat or holds
// an offer (`state`: "WAITLISTED", "OFFERED" or "SUBMITTED") in a cohort that
// has not finished (reason ERASURE_NOT_ALLOWED, metadata "state").
absl::Status ApplicationErasureNotAllowed(absl::string_view state);
// ErasePersonalData of an application whose participants are not erased:
// each is erased on its own (reason ERASURE_NOT_ALLOWED, metadata
// "participants": their names, comma-separated).
absl::Status ApplicationHasParticipants(const std::vector<std::string>& participants);
// AcceptOffer / DeclineOffer on an application that has no open offer.
absl::Status NoOpenOffer();
// AcceptOffer / DeclineOffer after the offer lapsed (the lapse is kept).
absl::Status OfferExpired();
// CancelParticipant on a cancelled participation.
absl::Status AlreadyCancelled();
// A refund larger than what was paid and not yet refunded (`refundable` yen;
// metadata "refundable_yen").
absl::Status RefundExceedsPaid(int64_t refundable);
// A payment larger than the participant's `balance` (yen still due; 0 when
// nothing is due). Metadata "balance_yen". FAILED_PRECONDITION, not
// INVALID_ARGUMENT: the same amount is fine for someone who owes more.
absl::Status PaymentExceedsBalance(int64_t balance);
// CreateParticipant for someone who is an active participant (seat holder)
// of the same cohort: nobody is both taught and staff in one cohort.
absl::Status ParticipantCannotBeStaff();
// CreateApplication by a signed-in caller who is active staff of the cohort
// (the secretariat excepted: it applies on people's behalf).
absl::Status StaffCannotApply();
// CreateParticipant for someone with a WAITLISTED or OFFERED application in
// the same cohort (its submitting account, or a member's e-mail): decide
// the application first.
absl::Status ApplicantCannotBeStaff();
// A seat for member `index` of an application who is active staff of the
// cohort (AcceptApplication; the secretariat's message only: applicants
// never see it, see SeatLedger::AdmitApplication).
absl::Status MemberIsStaff(int index);
// RecordPayment WAIVER_REVOKED while no waiver is in effect.
absl::Status WaiverNotInEffect();
// RecordShipment before the item's `available` date (Asia/Tokyo).
absl::Status ItemNotYetAvailable(const google::type::Date& available);
// RecordShipment for an item this person already received.
absl::Status AlreadyShipped();
// PurgeCohortPersonalData before the cohort is FINISHED.
absl::Status CohortNotFinished();
// PurgeCohortPersonalData before `earliest` (finish time + retention_days);
// metadata "earliest_purge_time".
absl::Status RetentionNotElapsed(absl::Time earliest);
// RedeemClaimLink after the link's expire_time.
absl::Status ClaimLinkExpired();
// RedeemClaimLink on a link another account already redeemed.
absl::Status ClaimLinkUsed();
// RedeemClaimLink on a link replaced by a newer one for the same
// participation.
absl::Status ClaimLinkRevoked();
// A claim link for (or the redemption of one onto) a participation that an
// account is already bound to.
absl::Status ParticipationAlreadyClaimed();
// ClaimApplication on an application another account submitted or claimed.
absl::Status ApplicationAlreadyClaimed();
// Binding an account that is already bound to another active participation
// of the same cohort (one person, one place in a cohort).
absl::Status SubjectAlreadyInCohort();

// ---------------------------------------------------------------- ALREADY_EXISTS

// CreateParticipant for a person (account subject or e-mail) who already
// holds `role` (active) in the cohort; metadata "role".
absl::Status AlreadyAppointed(v1::Participant::Role role);

// ---------------------------------------------------------------- NOT_FOUND

// RedeemClaimLink with a token that no link has (mistyped, truncated, or
// its participation was purged). Says nothing about which.
absl::Status ClaimLinkNotFound();

// ---------------------------------------------------------------- RESOURCE_EXHAUSTED

// CreateApplication that would wait while `max_waitlist` applications
// already wait (abuse limit of the public route; metadata "max_waitlist").
absl::Status WaitlistFull(int max_waitlist);

// ---------------------------------------------------------------- who may

// UNAUTHENTICATED: an anonymous caller on something that needs an account
// (access.h: Denied turns any refusal of an anonymous caller into this).
absl::Status LoginRequired();
// PERMISSION_DENIED: only the secretariat may do this.
absl::Status SecretariatOnly();
// PERMISSION_DENIED: only (this cohort's) staff; `message` names who may do
// what.
absl::Status StaffOnly(absl::string_view message);
// PERMISSION_DENIED: neither the applicant (account or access token) nor the
// secretariat (or the cohort's navigator, for reads); `message` names who
// may do what.
absl::Status NotYourApplication(absl::string_view message);
// PERMISSION_DENIED: neither the participant themself nor the secretariat
// (or the cohort's staff, for reads); `message` names who may do what.
absl::Status NotYourParticipation(absl::string_view message);
// PERMISSION_DENIED: the change feed, for someone neither partner HR nor
// the secretariat.
absl::Status PartnerOnly();
// PERMISSION_DENIED: a partner key doing anything but read the feed (it can
// never apply, own a participation or give consent).
absl::Status PartnerFeedOnly();
// PERMISSION_DENIED: a partner key bound to no municipality.
absl::Status PartnerMunicipalityMissing();
// PERMISSION_DENIED: a cohort's member list, for someone neither an active
// participant nor staff of it (the same whether or not the cohort exists).
absl::Status MembersOnly();
// PERMISSION_DENIED: RecordProvision, for anyone but Kaizen's scheduling,
// plans and survey services.
absl::Status ServicesOnly();
// The same reason for another service-only RPC; `message` names who may
// (EnqueueNotification: the scheduling service only).
absl::Status ServicesOnly(absl::string_view message);
// INVALID_ARGUMENT naming `field` (recipient.roles, recipient.subject or
// recipient.municipality_code): the recipient of a provision must be a
// partner HR key with an id and a municipality.
absl::Status RecipientNotPartner(absl::string_view field, absl::string_view description);
// RESOURCE_EXHAUSTED: more than `max_records` records match an export, or
// the file would exceed what one response carries; split it by period.
absl::Status ExportTooLarge(int max_records);
// FAILED_PRECONDITION CURSOR_AHEAD_OF_FEED naming field "cursor": the cursor
// points past the change log's head (a restore of an older backup); start
// again with an empty cursor (every entry is projected at read time, so
// replays are safe).
absl::Status CursorAheadOfFeed();
// RESOURCE_EXHAUSTED FEED_BUSY: `limit` feed pages are being served already;
// metadata "retry_after_seconds".
absl::Status FeedBusy(int limit, int retry_after_seconds);
// PERMISSION_DENIED CONFIRMATION_TOKEN_INVALID: ConfirmApplicationEmail with
// a token that no member of the named application was sent (or an
// application that does not exist: the answer is the same).
absl::Status ConfirmationTokenInvalid();
// FAILED_PRECONDITION CONFIRMATION_EXPIRED: ConfirmApplicationEmail after
// the application's confirm_expire_time (it is EXPIRED now; apply again).
absl::Status ConfirmationExpired();
// FAILED_PRECONDITION ACCOUNT_ALREADY_APPLIED: the signed-in caller already
// has a live application (SUBMITTED, WAITLISTED, OFFERED or ACCEPTED) in this
// cohort; withdraw it first. Reveals only the caller's own application.
absl::Status AccountAlreadyApplied();
// PERMISSION_DENIED UNSUBSCRIBE_TOKEN_INVALID: the token of an unsubscribe
// link is not one this service made (mistyped, cut, or signed with another
// key). Says nothing about any address.
absl::Status UnsubscribeTokenInvalid();

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_ENROLLMENT_ERRORS_H_
