#include "services/enrollment/enrollment_errors.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "common/util/clock.h"

namespace kaizen::enrollment {
namespace {

std::string Day(const google::type::Date& d) {
  return absl::FormatCivilTime(absl::CivilDay(d.year(), d.month(), d.day()));
}

std::string TokyoMinute(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", t, TokyoTimeZone());
}

}  // namespace

const std::vector<absl::string_view>& ErrorReasons() {
  static const auto* const kReasons = new std::vector<absl::string_view>{
      kInvalidPageToken, kInvalidCursor, kUpdateMaskRequired, kUpdateMaskInvalid,
      kTeamSize, kTeamMunicipalityMismatch, kTeamLargerThanCapacity, kAgeOutOfRange,
      kCurrencyNotJpy, kStaffRoleRequired, kSubjectReserved, kUnknownItem, kInvalidFilter,
      kDuplicateApplicant, kFieldRequired, kAlreadyAppointed,
      kMunicipalityIsWard, kMunicipalityUnknown,
      kCohortNotOpen, kApplicationWindowClosed, kInvalidStateTransition, kCohortFull,
      kMunicipalityLimitReached, kCapacityBelowTaken, kMunicipalityLimitBelowTaken,
      kCohortFinished, kNoOpenOffer, kOfferExpired, kAlreadyCancelled, kRefundExceedsPaid,
      kPaymentExceedsBalance, kParticipantCannotBeStaff, kStaffCannotApply,
      kApplicantCannotBeStaff, kMemberIsStaff, kWaiverNotInEffect,
      kItemNotYetAvailable, kAlreadyShipped, kCohortNotFinished, kRetentionNotElapsed,
      kCohortPurged, kErasureNotAllowed,
      kClaimLinkExpired, kClaimLinkUsed, kClaimLinkRevoked, kParticipationAlreadyClaimed,
      kApplicationAlreadyClaimed, kSubjectAlreadyInCohort, kClaimLinkNotFound,
      kWaitlistFull, kLoginRequired, kSecretariatOnly, kStaffOnly, kNotYourApplication,
      kNotYourParticipation, kPartnerOnly, kPartnerFeedOnly, kPartnerMunicipalityMissing,
      kMembersOnly, kServicesOnly, kRecipientNotPartner, kExportTooLarge,
      kCursorAheadOfFeed, kFeedBusy, kConfirmationTokenInvalid, kConfirmationExpired,
      kUnsubscribeTokenInvalid, kAccountAlreadyApplied};
  return *kReasons;
}

const std::vector<absl::string_view>& HistoryReasons() {
  static const auto* const kReasons = new std::vector<absl::string_view>{
      kSeatAvailable, kCohortFull, kMunicipalityLimitReached, kOfferExpired,
      kOfferAccepted, kOfferDeclined, kEligibilityOverridden, kMemberIsStaff,
      kEmailNotConfirmed, kArrivalRefused};
  return *kReasons;
}

// ---------------------------------------------------------------- INVALID_ARGUMENT

absl::Status InvalidPageToken() {
  return errors::InvalidField("page_token", "is not valid", kInvalidPageToken);
}

absl::Status InvalidCursor() {
  return errors::InvalidField("cursor", "is not a cursor this feed gave you", kInvalidCursor);
}

absl::Status UpdateMaskRequired() {
  return errors::InvalidField("update_mask", "name at least one field to change",
                              kUpdateMaskRequired);
}

absl::Status UpdateMaskInvalid(absl::string_view path) {
  return errors::InvalidField("update_mask", absl::StrCat("'", path, "' cannot be updated"),
                              kUpdateMaskInvalid);
}

absl::Status TeamSize(int max_members) {
  return errors::InvalidField("application.members",
                              absl::StrCat("must list 1 to ", max_members, " people"),
                              kTeamSize);
}

absl::Status TeamMunicipalityMismatch(absl::string_view field) {
  return errors::InvalidField(field, "a team applies from one municipality: must match members[0]",
                              kTeamMunicipalityMismatch);
}

absl::Status TeamLargerThanCapacity() {
  return errors::InvalidField("application.members",
                              "the team is larger than the cohort's capacity",
                              kTeamLargerThanCapacity);
}

absl::Status AgeOutOfRange(absl::string_view field, const v1::Eligibility& e) {
  return errors::InvalidField(field,
                              absl::StrCat("must be aged ", e.min_age(), " to ", e.max_age(),
                                           " on ", Day(e.age_reference_date())),
                              kAgeOutOfRange);
}

absl::Status CurrencyNotJpy(absl::string_view field) {
  return errors::InvalidField(field, "must be JPY", kCurrencyNotJpy);
}

absl::Status StaffRoleRequired() {
  return errors::InvalidField("participant.role",
                              "must be NAVIGATOR, ADVISOR, OBSERVER or SECRETARIAT (participants "
                              "join through applications)",
                              kStaffRoleRequired);
}

absl::Status SubjectReserved() {
  return errors::InvalidField("participant.subject",
                              "must not start with \"partner:\" (reserved for partner API keys)",
                              kSubjectReserved);
}

absl::Status UnknownItem() {
  return errors::InvalidField("item_id", "is not an item this cohort's fee includes",
                              kUnknownItem);
}

absl::Status UnknownItem(absl::string_view field) {
  return errors::InvalidField(field, "is not an item this cohort's fee includes", kUnknownItem);
}

absl::Status InvalidFilter(absl::string_view field) {
  return errors::InvalidField(field, "is not one of the values this filter takes",
                              kInvalidFilter);
}

absl::Status MunicipalityIsWard(absl::string_view field, absl::string_view ward_code,
                                absl::string_view city_name, absl::string_view city_code) {
  return errors::InvalidField(field,
                              absl::StrCat(ward_code, " is a ward of ", city_name, " (", city_code,
                                           "); use the city's code"),
                              kMunicipalityIsWard);
}

absl::Status MunicipalityUnknown(absl::string_view field, absl::string_view code,
                                 absl::string_view name) {
  if (!name.empty()) {
    return errors::InvalidField(
        field, absl::StrCat(code, " (", name, ") has no municipal government; nobody is employed there"),
        kMunicipalityUnknown);
  }
  return errors::InvalidField(
      field,
      absl::StrCat(code, " is not in the national list of local government codes (総務省 "
                         "全国地方公共団体コード); check the code"),
      kMunicipalityUnknown);
}

absl::Status FieldRequired(absl::string_view field) {
  return errors::InvalidField(field, "is required", kFieldRequired);
}

absl::Status DuplicateApplicant() {
  return errors::Error(absl::StatusCode::kAlreadyExists, kDuplicateApplicant,
                       "this e-mail address already has an application in this cohort");
}

absl::Status DuplicateApplicant(absl::string_view field) {
  return errors::InvalidField(field, "is used by another member of the team",
                              kDuplicateApplicant);
}

// ---------------------------------------------------------------- FAILED_PRECONDITION

absl::Status CohortNotOpen(v1::Cohort::State state) {
  return errors::FailedPrecondition(kCohortNotOpen, "this cohort is not accepting applications",
                                    {{"state", v1::Cohort::State_Name(state)}});
}

absl::Status CohortNotOpen() {
  return errors::FailedPrecondition(kCohortNotOpen, "this cohort is not taking people in");
}

absl::Status ApplicationWindowClosed(absl::Time open, absl::Time close) {
  return errors::FailedPrecondition(
      kApplicationWindowClosed,
      absl::StrCat("applications are accepted from ", TokyoMinute(open), " until ",
                   TokyoMinute(close), " (Asia/Tokyo)"));
}

absl::Status InvalidStateTransition(v1::Cohort::State from, v1::Cohort::State to) {
  const std::string from_name = v1::Cohort::State_Name(from);
  const std::string to_name = v1::Cohort::State_Name(to);
  return errors::FailedPrecondition(
      kInvalidStateTransition,
      absl::StrCat("a cohort cannot go from ", from_name, " to ", to_name),
      {{"from", from_name}, {"to", to_name}});
}

absl::Status InvalidStateTransition(absl::string_view action, v1::Application::State from) {
  const std::string from_name = v1::Application::State_Name(from);
  return errors::FailedPrecondition(
      kInvalidStateTransition,
      absl::StrCat("cannot ", action, " an application that is ", from_name),
      {{"state", from_name}});
}

absl::Status CohortFull() {
  return errors::FailedPrecondition(kCohortFull, "no seats are free for this application");
}

absl::Status MunicipalityLimitReached() {
  return errors::FailedPrecondition(
      kMunicipalityLimitReached, "accepting it would exceed the cohort's municipality limit");
}

absl::Status CapacityBelowTaken(int seats_taken) {
  return errors::FailedPrecondition(
      kCapacityBelowTaken,
      absl::StrCat("capacity cannot drop below the ", seats_taken, " seats already taken"));
}

absl::Status MunicipalityLimitBelowTaken(int municipalities_taken) {
  return errors::FailedPrecondition(
      kMunicipalityLimitBelowTaken,
      absl::StrCat("max_municipalities cannot drop below the ", municipalities_taken,
                   " municipalities already in"));
}

absl::Status CohortFinished(absl::string_view message) {
  return errors::FailedPrecondition(kCohortFinished, message);
}

absl::Status CohortPurged() {
  return errors::FailedPrecondition(kCohortPurged,
                                    "this cohort's personal data was purged; it cannot change");
}

absl::Status ErasureNotAllowed() {
  return errors::FailedPrecondition(
      kErasureNotAllowed,
      "an active participation of a cohort that has not finished holds a seat; cancel the "
      "participation first, or erase after the cohort finishes");
}

absl::Status ApplicationErasureNotAllowed(absl::string_view state) {
  return errors::FailedPrecondition(
      kErasureNotAllowed,
      absl::StrCat("the application is ", state,
                   " and may still get a seat; withdraw or reject it first, then erase it"),
      {{"state", std::string(state)}});
}

absl::Status ApplicationHasParticipants(const std::vector<std::string>& participants) {
  const std::string names = absl::StrJoin(participants, ", ");
  return errors::FailedPrecondition(
      kErasureNotAllowed,
      absl::StrCat("the application's members became participants; erase each participant "
                   "first (ErasePersonalData on ",
                   names, "), then the application"),
      {{"participants", absl::StrJoin(participants, ",")}});
}

absl::Status NoOpenOffer() {
  return errors::FailedPrecondition(kNoOpenOffer, "this application has no open offer");
}

absl::Status OfferExpired() {
  return errors::FailedPrecondition(kOfferExpired, "the offer has expired");
}

absl::Status AlreadyCancelled() {
  return errors::FailedPrecondition(kAlreadyCancelled,
                                    "this participation is already cancelled");
}

absl::Status RefundExceedsPaid(int64_t refundable) {
  return errors::FailedPrecondition(
      kRefundExceedsPaid, absl::StrCat("at most ", refundable, " yen can be refunded"),
      {{"refundable_yen", absl::StrCat(refundable)}});
}

absl::Status PaymentExceedsBalance(int64_t balance) {
  return errors::FailedPrecondition(
      kPaymentExceedsBalance,
      balance == 0 ? std::string("nothing is due from this participant (balance 0 yen)")
                   : absl::StrCat("the balance is ", balance,
                                  " yen; a payment may not be larger"),
      {{"balance_yen", absl::StrCat(balance)}});
}

absl::Status ParticipantCannotBeStaff() {
  return errors::FailedPrecondition(
      kParticipantCannotBeStaff,
      "this person is a participant of the cohort and cannot also be its staff");
}

absl::Status StaffCannotApply() {
  return errors::FailedPrecondition(
      kStaffCannotApply, "you are staff of this cohort and cannot apply to it as a participant");
}

absl::Status ApplicantCannotBeStaff() {
  return errors::FailedPrecondition(
      kApplicantCannotBeStaff,
      "this person has an application waiting in the cohort; withdraw or reject it before "
      "appointing them staff");
}

absl::Status MemberIsStaff(int index) {
  return errors::FailedPrecondition(
      kMemberIsStaff,
      absl::StrCat("member ", index + 1,
                   " of this application is staff of the cohort and cannot take a seat in it"),
      {{"member_index", absl::StrCat(index)}});
}

absl::Status WaiverNotInEffect() {
  return errors::FailedPrecondition(kWaiverNotInEffect,
                                    "no waiver is in effect for this participant");
}

absl::Status AlreadyAppointed(v1::Participant::Role role) {
  return errors::Error(absl::StatusCode::kAlreadyExists, kAlreadyAppointed,
                       absl::StrCat("this person already is ", v1::Participant::Role_Name(role),
                                    " of the cohort"),
                       {{"role", v1::Participant::Role_Name(role)}});
}

absl::Status ItemNotYetAvailable(const google::type::Date& available) {
  return errors::FailedPrecondition(kItemNotYetAvailable,
                                    absl::StrCat("this item can ship from ", Day(available)));
}

absl::Status AlreadyShipped() {
  return errors::FailedPrecondition(kAlreadyShipped,
                                    "this item was already shipped to this person");
}

absl::Status CohortNotFinished() {
  return errors::FailedPrecondition(kCohortNotFinished,
                                    "personal data is kept until the cohort finishes");
}

absl::Status RetentionNotElapsed(absl::Time earliest) {
  return errors::FailedPrecondition(
      kRetentionNotElapsed,
      absl::StrCat("the retention period ends at ",
                   absl::FormatTime("%Y-%m-%d %H:%M %Z", earliest, TokyoTimeZone())),
      {{"earliest_purge_time", absl::FormatTime(earliest)}});
}

// ---------------------------------------------------------------- RESOURCE_EXHAUSTED

// FAILED_PRECONDITION (HTTP 400), not RESOURCE_EXHAUSTED (429): the state
// of the cohort forbids it and a retry never helps, while clients retry 429.
absl::Status WaitlistFull(int max_waitlist) {
  return errors::FailedPrecondition(kWaitlistFull,
                                    "the cohort is full and so is its waiting list",
                                    {{"max_waitlist", absl::StrCat(max_waitlist)}});
}

absl::Status ClaimLinkExpired() {
  return errors::FailedPrecondition(kClaimLinkExpired,
                                    "this link has expired: ask for a new one");
}

absl::Status ClaimLinkUsed() {
  return errors::FailedPrecondition(kClaimLinkUsed, "this link has already been used");
}

absl::Status ClaimLinkRevoked() {
  return errors::FailedPrecondition(kClaimLinkRevoked,
                                    "this link was replaced by a newer one: use the newest");
}

absl::Status ParticipationAlreadyClaimed() {
  return errors::FailedPrecondition(kParticipationAlreadyClaimed,
                                    "an account is already linked to this participation");
}

absl::Status ApplicationAlreadyClaimed() {
  return errors::FailedPrecondition(kApplicationAlreadyClaimed,
                                    "another account already holds this application");
}

absl::Status SubjectAlreadyInCohort() {
  return errors::FailedPrecondition(
      kSubjectAlreadyInCohort, "your account already takes part in this cohort as someone else");
}

absl::Status ClaimLinkNotFound() {
  return errors::Error(absl::StatusCode::kNotFound, kClaimLinkNotFound,
                       "there is no such link: check that it was copied whole");
}

// ---------------------------------------------------------------- who may

absl::Status LoginRequired() {
  return errors::Unauthenticated(kLoginRequired, "sign in to do this");
}

absl::Status SecretariatOnly() {
  return errors::PermissionDenied(kSecretariatOnly, "only the secretariat may do this");
}

absl::Status StaffOnly(absl::string_view message) {
  return errors::PermissionDenied(kStaffOnly, message);
}

absl::Status NotYourApplication(absl::string_view message) {
  return errors::PermissionDenied(kNotYourApplication, message);
}

absl::Status NotYourParticipation(absl::string_view message) {
  return errors::PermissionDenied(kNotYourParticipation, message);
}

absl::Status PartnerOnly() {
  return errors::PermissionDenied(
      kPartnerOnly, "the change feed is for partner HR systems and the secretariat");
}

absl::Status PartnerFeedOnly() {
  return errors::PermissionDenied(kPartnerFeedOnly,
                                  "partner keys may only read the change feed");
}

absl::Status MembersOnly() {
  return errors::PermissionDenied(
      kMembersOnly, "only this cohort's participants and staff may see who takes part");
}

absl::Status PartnerMunicipalityMissing() {
  return errors::PermissionDenied(kPartnerMunicipalityMissing,
                                  "this partner key is not bound to a municipality");
}

absl::Status ServicesOnly() {
  return errors::PermissionDenied(
      kServicesOnly, "only Kaizen's scheduling, plans and survey services may record a provision");
}

absl::Status ServicesOnly(absl::string_view message) {
  return errors::PermissionDenied(kServicesOnly, message);
}

absl::Status RecipientNotPartner(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kRecipientNotPartner);
}

absl::Status ExportTooLarge(int max_records) {
  return errors::ResourceExhausted(
      kExportTooLarge,
      absl::StrCat("more records match than one export may hold (at most ", max_records,
                   " or 3 MiB); narrow start_time and end_time and export in parts"),
      {{"max_records", absl::StrCat(max_records)}});
}

absl::Status CursorAheadOfFeed() {
  return errors::FailedPrecondition(
      kCursorAheadOfFeed,
      "the cursor is ahead of this feed (the service was restored from a backup); start "
      "again with an empty cursor: entries you already have may come again, each showing "
      "the current state",
      {{"field", "cursor"}});
}

absl::Status FeedBusy(int limit, int retry_after_seconds) {
  return errors::ResourceExhausted(
      kFeedBusy,
      absl::StrCat("more than ", limit, " change feed pages are being served at once; retry in ",
                   retry_after_seconds, " seconds"),
      {{"retry_after_seconds", absl::StrCat(retry_after_seconds)}});
}

absl::Status ConfirmationTokenInvalid() {
  return errors::PermissionDenied(kConfirmationTokenInvalid,
                                  "this confirmation link is not valid; open the link in the "
                                  "most recent e-mail about this application");
}

absl::Status ConfirmationExpired() {
  return errors::FailedPrecondition(kConfirmationExpired,
                                    "the time to confirm this e-mail address has passed and the "
                                    "application has expired; please apply again");
}

absl::Status AccountAlreadyApplied() {
  return errors::FailedPrecondition(kAccountAlreadyApplied,
                                    "your account already has an application in this cohort; "
                                    "withdraw it before applying again");
}

absl::Status UnsubscribeTokenInvalid() {
  return errors::PermissionDenied(kUnsubscribeTokenInvalid,
                                  "this unsubscribe link is not valid; open the link in the "
                                  "most recent reminder e-mail");
}

}  // namespace kaizen::enrollment
