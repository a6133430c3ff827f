#include "services/scheduling/scheduling_errors.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace kaizen::scheduling {

absl::Status InvalidField(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kInvalidField);
}

absl::Status OutsideWindow(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kOutsideWindow);
}

absl::Status DuplicateSlot(absl::string_view field) {
  return errors::InvalidField(field, "is listed twice", kDuplicateSlot);
}

absl::Status UnknownSlot(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kUnknownSlot);
}

absl::Status EndBeforeStart(absl::string_view field) {
  return errors::InvalidField(field, "must be after start_time", kEndBeforeStart);
}

absl::Status InvalidUrl(absl::string_view field) {
  return errors::InvalidField(field, "must be an https:// URL of at most 500 characters",
                              kInvalidUrl);
}

absl::Status NotStaff(absl::string_view field) {
  return errors::InvalidField(field, "must be a staff member on the roster", kNotStaff);
}

absl::Status DueTimeInPast(absl::string_view field) {
  return errors::InvalidField(field, "must be in the future", kDueTimeInPast);
}

absl::Status PersonNotOnRoster(absl::string_view field) {
  return errors::InvalidField(field, "is not on this cohort's roster", kNotOnRoster);
}

absl::Status CallerNotOnRoster(absl::string_view message) {
  return errors::PermissionDenied(kNotOnRoster, message);
}

absl::Status NotFound(absl::string_view resource_type, absl::string_view name) {
  return errors::NotFound(resource_type, name);
}

absl::Status FeedNotFound() {
  return errors::Error(absl::StatusCode::kNotFound, kFeedNotFound,
                       "this calendar feed does not exist or no longer works; ask for a new "
                       "calendar URL");
}

absl::Status FeedExists(absl::string_view feed) {
  return errors::AlreadyExists("CalendarFeed", feed, kFeedExists);
}

absl::Status FeedRevoked() {
  return errors::FailedPrecondition(kFeedRevoked,
                                    "this calendar feed was revoked; create a new one");
}

absl::Status TemplateExists(absl::string_view name) {
  return errors::AlreadyExists("Template", name, kAlreadyExists);
}

absl::Status SeriesExists(absl::string_view cohort) {
  return errors::AlreadyExists("MeetingSeries", absl::StrCat(cohort, "/meetings"),
                               kSeriesExists);
}

absl::Status SlotOverlaps(absl::string_view slot) {
  return errors::AlreadyExists("SupportSlot", slot, kSlotOverlaps);
}

absl::Status PollClosed(bool already) {
  return errors::FailedPrecondition(
      kPollClosed, already ? "the poll is already closed" : "the poll is closed");
}

absl::Status PollOpen() {
  return errors::FailedPrecondition(kPollOpen, "close the date poll (or confirm a slot) first");
}

absl::Status MeetingConfirmed() {
  return errors::FailedPrecondition(kMeetingConfirmed, "the meeting's date is already settled");
}

absl::Status MeetingCancelled(bool already) {
  return errors::FailedPrecondition(kMeetingCancelled, already
                                                           ? "this meeting was already cancelled"
                                                           : "this meeting was cancelled");
}

absl::Status MeetingNotConfirmed() {
  return errors::FailedPrecondition(kMeetingNotConfirmed,
                                    "attendance is taken at confirmed meetings");
}

absl::Status NoQualifyingSlot() {
  return errors::FailedPrecondition(
      kNoQualifyingSlot,
      "no candidate slot has a navigator, advisor or secretariat available; add "
      "candidates or let the secretariat confirm a slot by hand");
}

absl::Status SlotTaken() {
  return errors::FailedPrecondition(kSlotTaken, "this slot is already booked");
}

absl::Status SlotInPast() {
  return errors::FailedPrecondition(kSlotInPast, "this slot has already started");
}

absl::Status SlotNotBooked() {
  return errors::FailedPrecondition(kSlotNotBooked, "this slot is not booked");
}

absl::Status NotAssignee() {
  return errors::FailedPrecondition(kNotAssignee, "this task is for someone else");
}

absl::Status BookingOverlaps(absl::string_view other) {
  return errors::FailedPrecondition(
      kBookingOverlaps,
      absl::StrCat("this person already has a support session at an overlapping time (", other,
                   "); cancel that booking first"));
}

absl::Status SlotBooked() {
  return errors::FailedPrecondition(
      kSlotBooked, "this slot is booked; cancel the booking first (tell the participant)");
}

absl::Status NoSeries(absl::string_view cohort) {
  return errors::FailedPrecondition(
      kNoSeries, absl::StrCat(cohort, " has no meeting series yet; create the series first"));
}

absl::Status MeetingNotCancelled() {
  return errors::FailedPrecondition(kMeetingNotCancelled,
                                    "only a cancelled meeting can be reinstated");
}

absl::Status CohortPurged() {
  return errors::FailedPrecondition(
      kCohortPurged, "this cohort's personal data was purged; it takes no new personal data");
}

absl::Status ParticipantErased() {
  return errors::FailedPrecondition(
      kParticipantErased, "this person's data was erased; nothing can be recorded for them");
}

absl::Status MeetingNotStarted() {
  return errors::FailedPrecondition(
      kMeetingNotStarted, "attendance is taken once the meeting has started");
}

absl::Status AttendanceAlreadyTaken() {
  return errors::FailedPrecondition(
      kAttendanceAlreadyTaken,
      "attendance was already taken for this meeting: it can be moved only to a time that "
      "has already begun, or cancelled");
}

absl::Status SlotWithdrawn() {
  return errors::FailedPrecondition(
      kSlotWithdrawn, "this support slot is no longer offered; choose another one");
}

absl::Status BookingLimit(int limit) {
  return errors::FailedPrecondition(
      kBookingLimit,
      absl::StrCat("this person already has ", limit,
                   " upcoming support sessions in this cohort; cancel one, or book again once "
                   "one has taken place"));
}

absl::Status OrganiserOnly(bool in_cohort) {
  return errors::PermissionDenied(
      kOrganiserOnly, in_cohort ? "only the secretariat and this cohort's navigator may do this"
                                : "only the secretariat and the navigator may do this");
}

absl::Status SecretariatOnly(absl::string_view action) {
  return errors::PermissionDenied(kSecretariatOnly,
                                  absl::StrCat("only the secretariat may ", action));
}

absl::Status StaffOnly(absl::string_view action, bool in_cohort) {
  return errors::PermissionDenied(
      kStaffOnly, absl::StrCat(in_cohort ? "only this cohort's staff may " : "only staff may ",
                               action));
}

absl::Status NotYourself(absl::string_view message) {
  return errors::PermissionDenied(kNotYourself, message);
}

absl::Status NotYourBooking() {
  return errors::PermissionDenied(kNotYourBooking,
                                  "only the booker and organisers may cancel it");
}

absl::Status NotYourSlot() {
  return errors::PermissionDenied(
      kNotYourSlot, "only the staff member giving this slot and the secretariat may withdraw it");
}

const std::vector<absl::string_view>& ErrorReasons() {
  static const auto* const kReasons = new std::vector<absl::string_view>{
      kInvalidField,
      kOutsideWindow,
      kDuplicateSlot,
      kUnknownSlot,
      kEndBeforeStart,
      kInvalidUrl,
      kNotStaff,
      kDueTimeInPast,
      kNotOnRoster,
      kNotFound,
      kFeedNotFound,
      kAlreadyExists,
      kSeriesExists,
      kSlotOverlaps,
      kFeedExists,
      kPollClosed,
      kPollOpen,
      kMeetingConfirmed,
      kMeetingCancelled,
      kMeetingNotConfirmed,
      kNoQualifyingSlot,
      kSlotTaken,
      kSlotInPast,
      kSlotNotBooked,
      kNotAssignee,
      kFeedRevoked,
      kBookingOverlaps,
      kSlotBooked,
      kNoSeries,
      kMeetingNotCancelled,
      kCohortPurged,
      kParticipantErased,
      kMeetingNotStarted,
      kAttendanceAlreadyTaken,
      kSlotWithdrawn,
      kBookingLimit,
      kOrganiserOnly,
      kSecretariatOnly,
      kStaffOnly,
      kNotYourself,
      kNotYourBooking,
      kNotYourSlot,
  };
  return *kReasons;
}

const std::vector<absl::string_view>& SharedReasons() {
  // INVALID_NAME (common/util/resource_name), the text checks of
  // common/validation, ETAG_MISMATCH (common/util/etag), the roster client's
  // ENROLLMENT_UNAVAILABLE, and storage's DATABASE_BUSY / STORAGE_ERROR /
  // INTERNAL (common/storage/database).
  static const auto* const kReasons = new std::vector<absl::string_view>{
      kInvalidName,    "TEXT_REQUIRED",  "TEXT_TOO_SHORT",         "TEXT_TOO_LONG",
      "INVALID_UTF8",  "CONTROL_CHARACTER", kEtagMismatch,         kEnrollmentUnavailable,
      kInvalidPageToken, kInvalidPageSize, kEnrollmentOnly,
      kNotSharedWithPartner, kOwnResultsOnly, kProvisionUnrecorded,
      "DATABASE_BUSY", "STORAGE_ERROR",  "INTERNAL", "DATABASE_MISSING", "DATABASE_CORRUPT", "DISK_FULL", "DATABASE_READ_ONLY",
  };
  return *kReasons;
}

}  // namespace kaizen::scheduling
