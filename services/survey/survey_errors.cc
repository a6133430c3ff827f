#include "services/survey/survey_errors.h"

#include "absl/strings/str_cat.h"
#include "clients/partner/partner_client_errors.h"
#include "common/status/errors.h"
#include "common/util/clock.h"

namespace kaizen::survey {

namespace {

std::string Tokyo(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", t, TokyoTimeZone());
}

}  // namespace

absl::Status InvalidField(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kInvalidField);
}

absl::Status InvalidInstrument(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kInvalidInstrument);
}

absl::Status ItemIdChanged(absl::string_view field) {
  return errors::InvalidField(
      field, "keeps the id of a published item but changes its type; use a new id",
      kItemIdChanged);
}

absl::Status InvalidAnswer(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kInvalidAnswer);
}

absl::Status AnswerRequired(absl::string_view field) {
  return errors::InvalidField(field, "is required to submit", kAnswerRequired);
}

absl::Status ResponseKeyRequired() {
  return errors::InvalidField("response_key",
                              "send the key your first save returned to see or edit your "
                              "answers in this anonymous survey",
                              kResponseKeyRequired);
}

absl::Status InvalidRule(absl::string_view field, absl::string_view description) {
  return errors::InvalidField(field, description, kInvalidRule);
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
        field,
        absl::StrCat(code, " (", name, ") has no municipal government; nobody is employed there"),
        kMunicipalityUnknown);
  }
  return errors::InvalidField(
      field,
      absl::StrCat(code, " is not in the national list of local government codes (総務省 "
                         "全国地方公共団体コード); check the code"),
      kMunicipalityUnknown);
}

absl::Status VersionPublished() {
  return errors::FailedPrecondition(kVersionPublished,
                                    "a published version cannot change; start a new version");
}

absl::Status VersionNotPublished(absl::string_view version) {
  return errors::FailedPrecondition(
      kVersionNotPublished, absl::StrCat(version, " is a draft; publish it before using it"));
}

absl::Status DraftExists(absl::string_view version) {
  return errors::FailedPrecondition(kDraftExists,
                                    absl::StrCat(version, " is already a draft; edit it"));
}

absl::Status MeetingNotScheduled(absl::string_view meeting) {
  return errors::FailedPrecondition(
      kMeetingNotScheduled,
      absl::StrCat(meeting, " has no confirmed time yet; give open_time and close_time"));
}

absl::Status WaveNotOpen(absl::Time open, absl::Time close) {
  return errors::FailedPrecondition(
      kWaveNotOpen, absl::StrCat("this survey is open from ", Tokyo(open), " to ",
                                 Tokyo(close), " (Asia/Tokyo)"));
}

absl::Status AnonymityLocked() {
  return errors::FailedPrecondition(
      kAnonymityLocked, "anonymity cannot change once someone has responded");
}

absl::Status AnonymousWave() {
  return errors::FailedPrecondition(
      kAnonymousWave, "this survey is anonymous: no person's answers can be shown");
}

absl::Status AlreadyResponded() {
  return errors::Error(absl::StatusCode::kAlreadyExists, kAlreadyResponded,
                       "you already answered this anonymous survey; send your response key "
                       "to edit it");
}

absl::Status CallerNotOnRoster() {
  return errors::PermissionDenied(kNotOnRoster,
                                  "only this cohort's members and staff may see this");
}

absl::Status NotAParticipant() {
  return errors::PermissionDenied(kNotAParticipant,
                                  "only the cohort's participants answer its surveys");
}

absl::Status SecretariatOnly(absl::string_view what) {
  return errors::PermissionDenied(kSecretariatOnly,
                                  absl::StrCat("only the secretariat may ", what));
}

absl::Status StaffOnly(absl::string_view what) {
  return errors::PermissionDenied(kStaffOnly,
                                  absl::StrCat("only this cohort's staff may ", what));
}

absl::Status NotYourself() {
  return errors::PermissionDenied(kNotYourself,
                                  "a person's survey profile is for that person and staff");
}

absl::Status CohortPurged() {
  return errors::FailedPrecondition(
      kCohortPurged, "this cohort's personal data was purged; nothing can be recorded for it");
}

absl::Status ParticipantErased() {
  return errors::FailedPrecondition(
      kParticipantErased, "this person's data was erased; nothing can be recorded for them");
}

const std::vector<absl::string_view>& ErrorReasons() {
  static const auto* const kReasons = new std::vector<absl::string_view>{
      kInvalidField,      kInvalidInstrument,  kItemIdChanged,    kInvalidAnswer,
      kAnswerRequired,    kResponseKeyRequired, kInvalidRule,     kMunicipalityIsWard,
      kMunicipalityUnknown, kVersionPublished,
      kVersionNotPublished, kDraftExists,      kMeetingNotScheduled, kWaveNotOpen,
      kAnonymityLocked,   kAnonymousWave,      kCohortPurged,     kParticipantErased,
      kAlreadyResponded,  kNotOnRoster,
      kNotAParticipant,   kSecretariatOnly,    kStaffOnly,        kNotYourself,
  };
  return *kReasons;
}

const std::vector<absl::string_view>& SharedReasons() {
  // INVALID_NAME (common/util/resource_name), the text and municipality
  // checks of common/validation, INVALID_PAGE_TOKEN, REQUEST_ID_REUSED,
  // NOT_FOUND and ALREADY_EXISTS (common/status/errors), ETAG_MISMATCH, the
  // clients' ENROLLMENT_UNAVAILABLE and SCHEDULING_UNAVAILABLE, the purge
  // contract's ENROLLMENT_ONLY (clients/purge), the partner kit's
  // NOT_SHARED_WITH_PARTNER / OWN_RESULTS_ONLY / PROVISION_UNRECORDED
  // (clients/partner: GetSharedSurveyProfile), and storage's DATABASE_BUSY /
  // STORAGE_ERROR / INTERNAL.
  static const auto* const kReasons = new std::vector<absl::string_view>{
      "INVALID_NAME",      "TEXT_REQUIRED",     "TEXT_TOO_SHORT",    "TEXT_TOO_LONG",
      "INVALID_UTF8",      "CONTROL_CHARACTER", "MUNICIPALITY_CODE_FORMAT",
      "MUNICIPALITY_CODE_CHECK_DIGIT", "NOT_A_MUNICIPALITY", "INVALID_PAGE_TOKEN", "REQUEST_ID_REUSED",
      "NOT_FOUND",         "ALREADY_EXISTS",    "ETAG_MISMATCH",     "ENROLLMENT_UNAVAILABLE",
      "SCHEDULING_UNAVAILABLE", "ENROLLMENT_ONLY", "DATABASE_BUSY", "STORAGE_ERROR",    "INTERNAL", "DATABASE_MISSING", "DATABASE_CORRUPT", "DISK_FULL", "DATABASE_READ_ONLY",
      partner_client::kNotSharedWithPartner, partner_client::kOwnResultsOnly,
      partner_client::kProvisionUnrecorded,
  };
  return *kReasons;
}

}  // namespace kaizen::survey
