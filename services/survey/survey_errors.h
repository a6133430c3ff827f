// Every error the survey service originates, one named factory each. All are
// built with common/status/errors.h, so each carries google.rpc.ErrorInfo
// (domain "kaizen") with one of the reasons below, and INVALID_ARGUMENT ones
// a google.rpc.BadRequest naming the field. Clients switch on the reason,
// never on the message. README.md ("Error reasons") lists exactly
// ErrorReasons() and SharedReasons(); survey_errors_test keeps them in step.
// Reasons are stable forever.
#ifndef KAIZEN_SERVICES_SURVEY_SURVEY_ERRORS_H_
#define KAIZEN_SERVICES_SURVEY_SURVEY_ERRORS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kaizen::survey {

// INVALID_ARGUMENT
inline constexpr absl::string_view kInvalidField = "INVALID_FIELD";
inline constexpr absl::string_view kInvalidInstrument = "INVALID_INSTRUMENT";
inline constexpr absl::string_view kItemIdChanged = "ITEM_ID_CHANGED";
inline constexpr absl::string_view kInvalidAnswer = "INVALID_ANSWER";
inline constexpr absl::string_view kAnswerRequired = "ANSWER_REQUIRED";
inline constexpr absl::string_view kResponseKeyRequired = "RESPONSE_KEY_REQUIRED";
inline constexpr absl::string_view kInvalidRule = "INVALID_RULE";
inline constexpr absl::string_view kMunicipalityIsWard = "MUNICIPALITY_IS_WARD";
inline constexpr absl::string_view kMunicipalityUnknown = "MUNICIPALITY_UNKNOWN";
// FAILED_PRECONDITION
inline constexpr absl::string_view kVersionPublished = "VERSION_PUBLISHED";
inline constexpr absl::string_view kVersionNotPublished = "VERSION_NOT_PUBLISHED";
inline constexpr absl::string_view kDraftExists = "DRAFT_EXISTS";
inline constexpr absl::string_view kMeetingNotScheduled = "MEETING_NOT_SCHEDULED";
inline constexpr absl::string_view kWaveNotOpen = "WAVE_NOT_OPEN";
inline constexpr absl::string_view kAnonymityLocked = "ANONYMITY_LOCKED";
inline constexpr absl::string_view kAnonymousWave = "ANONYMOUS_WAVE";
inline constexpr absl::string_view kCohortPurged = "COHORT_PURGED";
inline constexpr absl::string_view kParticipantErased = "PARTICIPANT_ERASED";
// ALREADY_EXISTS
inline constexpr absl::string_view kAlreadyResponded = "ALREADY_RESPONDED";
// PERMISSION_DENIED
inline constexpr absl::string_view kNotOnRoster = "NOT_ON_ROSTER";
inline constexpr absl::string_view kNotAParticipant = "NOT_A_PARTICIPANT";
inline constexpr absl::string_view kSecretariatOnly = "SECRETARIAT_ONLY";
inline constexpr absl::string_view kStaffOnly = "STAFF_ONLY";
inline constexpr absl::string_view kNotYourself = "NOT_YOURSELF";

// INVALID_ARGUMENT naming `field` with the generic reason.
absl::Status InvalidField(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming `field` (an instrument's item or scale).
absl::Status InvalidInstrument(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming `field`: an item id of the published version
// changed its type (waves and years would no longer compare).
absl::Status ItemIdChanged(absl::string_view field);
// INVALID_ARGUMENT naming "answers[<item>]".
absl::Status InvalidAnswer(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming "answers[<item>]": required on submit.
absl::Status AnswerRequired(absl::string_view field);
// INVALID_ARGUMENT naming response_key: an anonymous wave's response is
// edited and read with the key its first save returned.
absl::Status ResponseKeyRequired();
// INVALID_ARGUMENT naming `field` (a coding rule's expression).
absl::Status InvalidRule(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming `field`: the code is a ward (行政区) of a
// designated city; the message names the city and its code (the same
// reason and words as enrollment's).
absl::Status MunicipalityIsWard(absl::string_view field, absl::string_view ward_code,
                                absl::string_view city_name, absl::string_view city_code);
// INVALID_ARGUMENT naming `field`: the code is not in the national master
// of local government codes, or (`name` given) is in it without a
// municipal government.
absl::Status MunicipalityUnknown(absl::string_view field, absl::string_view code,
                                 absl::string_view name = "");
// FAILED_PRECONDITION: a published version is immutable.
absl::Status VersionPublished();
// FAILED_PRECONDITION: waves use published versions only.
absl::Status VersionNotPublished(absl::string_view version);
// FAILED_PRECONDITION: the instrument already has a draft version.
absl::Status DraftExists(absl::string_view version);
// FAILED_PRECONDITION: the meeting a wave's default window needs has no
// confirmed time (give open_time and close_time instead).
absl::Status MeetingNotScheduled(absl::string_view meeting);
// FAILED_PRECONDITION: the wave is not open now (it opens at `open`, or
// closed at `close`).
absl::Status WaveNotOpen(absl::Time open, absl::Time close);
// FAILED_PRECONDITION: anonymity cannot change once a response exists.
absl::Status AnonymityLocked();
// FAILED_PRECONDITION: no person's profile exists in an anonymous wave.
absl::Status AnonymousWave();
// FAILED_PRECONDITION: the cohort's personal data was purged (issue 15);
// nothing personal is written for it again.
absl::Status CohortPurged();
// FAILED_PRECONDITION: this person's data was erased on their request;
// nothing of theirs is written again.
absl::Status ParticipantErased();
// ALREADY_EXISTS: this person already answered this anonymous wave (send
// the response key to edit).
absl::Status AlreadyResponded();
// PERMISSION_DENIED: the caller is on neither the roster nor the staff.
absl::Status CallerNotOnRoster();
// PERMISSION_DENIED: only participants answer surveys.
absl::Status NotAParticipant();
// PERMISSION_DENIED: only the secretariat may do this (`what`).
absl::Status SecretariatOnly(absl::string_view what);
// PERMISSION_DENIED: only the cohort's staff may do this (`what`).
absl::Status StaffOnly(absl::string_view what);
// PERMISSION_DENIED: a person's profile is for that person and staff.
absl::Status NotYourself();

// The reasons above, in catalog order.
const std::vector<absl::string_view>& ErrorReasons();
// Reasons made by shared code (common/, clients/) that survey returns.
const std::vector<absl::string_view>& SharedReasons();

}  // namespace kaizen::survey

#endif  // KAIZEN_SERVICES_SURVEY_SURVEY_ERRORS_H_
