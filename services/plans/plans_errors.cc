#include "services/plans/plans_errors.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/util/clock.h"

namespace kaizen::plans {

absl::Status InvalidField(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kInvalidField);
}

absl::Status UpdateMaskInvalid(absl::string_view path) {
  // The caller's path, shortened and without bytes that are not printable
  // ASCII (a path is ASCII): an error message is no echo chamber.
  std::string shown;
  for (char c : path.substr(0, 64)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (path.size() > 64) shown += "...";
  return errors::InvalidField(
      "update_mask.paths",
      absl::StrCat("'", shown,
                   "' cannot be updated; use title, draft, draft.vision, draft.walls, "
                   "draft.actions or draft.milestones"),
      kUpdateMaskInvalid);
}

absl::Status NothingToUpdate() {
  return errors::InvalidField(
      "update_mask.paths",
      "name the fields to change (title, draft, draft.vision, draft.walls, draft.actions or "
      "draft.milestones); the request sets none of them",
      kUpdateMaskInvalid);
}

absl::Status DuplicateId(absl::string_view field) {
  return errors::InvalidField(field, "is used twice", kDuplicateId);
}

absl::Status UnknownAction(absl::string_view field) {
  return errors::InvalidField(field, "is not an action of this plan", kUnknownAction);
}

absl::Status DateInFuture(absl::string_view field) {
  return errors::InvalidField(field, "must not be after today (Asia/Tokyo)", kDateInFuture);
}

absl::Status LateReasonRequired() {
  return errors::InvalidField("late_reason",
                              "is required when presenting after the meeting started",
                              kLateReasonRequired);
}

absl::Status PersonNotOnRoster(absl::string_view field) {
  return errors::InvalidField(field, "is not an active participant of this cohort",
                              kNotOnRoster);
}

absl::Status CallerNotOnRoster() {
  return errors::PermissionDenied(kNotOnRoster,
                                  "only this cohort's members and staff may see its plans");
}

absl::Status NothingToCommit() {
  return errors::FailedPrecondition(kNothingToCommit,
                                    "the draft has not changed since the newest revision");
}

absl::Status StageLocked(absl::string_view stage, absl::Time start) {
  return errors::FailedPrecondition(
      kStageLocked,
      absl::StrCat("the ", stage, " version is locked: its meeting started at ",
                   absl::FormatTime("%Y-%m-%d %H:%M", start, TokyoTimeZone()),
                   " (Asia/Tokyo); only the secretariat can still present it, with a reason"));
}

absl::Status StageMeetingNotScheduled(absl::string_view stage, absl::string_view meeting) {
  return errors::FailedPrecondition(
      kStageMeetingNotScheduled,
      absl::StrCat("the ", stage, " version is presented at ", meeting,
                   ", which has no confirmed time yet"));
}

absl::Status StageOutOfOrder(absl::string_view stage) {
  return errors::FailedPrecondition(
      kStageOutOfOrder, absl::StrCat("present the INTERIM version before the ", stage, " one"));
}

absl::Status AlreadyResolved() {
  return errors::FailedPrecondition(kAlreadyResolved, "this feedback is already resolved");
}

absl::Status NotResolved() {
  return errors::FailedPrecondition(kNotResolved, "this feedback is open");
}

absl::Status CohortPurged() {
  return errors::FailedPrecondition(
      kCohortPurged, "this cohort's personal data was purged; its plans cannot change");
}

absl::Status ParticipantErased() {
  return errors::FailedPrecondition(
      kParticipantErased, "an owner's data was erased; nothing can be recorded for them");
}

absl::Status OrganiserOnly(absl::string_view what) {
  return errors::PermissionDenied(
      kOrganiserOnly, absl::StrCat("only the secretariat and this cohort's navigator may ", what));
}

absl::Status NotPlanOwner(absl::string_view what) {
  return errors::PermissionDenied(kNotPlanOwner,
                                  absl::StrCat("only the plan's owners may ", what));
}

absl::Status StaffOnly(absl::string_view what) {
  return errors::PermissionDenied(kStaffOnly,
                                  absl::StrCat("only this cohort's staff may ", what));
}

const std::vector<absl::string_view>& ErrorReasons() {
  static const auto* const kReasons = new std::vector<absl::string_view>{
      kInvalidField,   kUpdateMaskInvalid, kDuplicateId,      kUnknownAction,
      kDateInFuture,   kLateReasonRequired, kNotOnRoster,     kNothingToCommit,
      kStageLocked,    kStageMeetingNotScheduled, kStageOutOfOrder, kAlreadyResolved,
      kNotResolved,    kCohortPurged,      kParticipantErased, kOrganiserOnly,
      kNotPlanOwner,   kStaffOnly,
  };
  return *kReasons;
}

const std::vector<absl::string_view>& SharedReasons() {
  // INVALID_NAME (common/util/resource_name), the text checks of
  // common/validation, INVALID_PAGE_TOKEN (common/util/page_token),
  // REQUEST_ID_REUSED (common/storage/request_ids), NOT_FOUND and
  // ALREADY_EXISTS (common/status/errors), ETAG_MISMATCH (common/util/etag),
  // the clients' ENROLLMENT_UNAVAILABLE and SCHEDULING_UNAVAILABLE, the purge
  // contract's ENROLLMENT_ONLY (clients/purge), the partner kit's
  // NOT_SHARED_WITH_PARTNER / OWN_RESULTS_ONLY / PROVISION_UNRECORDED, and
  // storage's DATABASE_BUSY / STORAGE_ERROR / INTERNAL.
  static const auto* const kReasons = new std::vector<absl::string_view>{
      "INVALID_NAME",      "TEXT_REQUIRED",  "TEXT_TOO_SHORT",  "TEXT_TOO_LONG",
      "INVALID_UTF8",      "CONTROL_CHARACTER", "INVALID_DATE", "INVALID_PAGE_TOKEN",
      "REQUEST_ID_REUSED", "NOT_FOUND",      "ALREADY_EXISTS",  "ETAG_MISMATCH",
      "ENROLLMENT_UNAVAILABLE", "SCHEDULING_UNAVAILABLE", "ENROLLMENT_ONLY",
      // clients/partner/partner_client_errors.h (GetSharedPlanStages' gate).
      "NOT_SHARED_WITH_PARTNER", "OWN_RESULTS_ONLY", "PROVISION_UNRECORDED",
      "DATABASE_BUSY", "STORAGE_ERROR",
      "INTERNAL", "DATABASE_MISSING", "DATABASE_CORRUPT", "DISK_FULL", "DATABASE_READ_ONLY",
  };
  return *kReasons;
}

}  // namespace kaizen::plans
