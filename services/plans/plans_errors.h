// Every error the plans service originates, one named factory each. All are
// built with common/status/errors.h, so each carries google.rpc.ErrorInfo
// (domain "kaizen") with one of the reasons below, and INVALID_ARGUMENT ones
// a google.rpc.BadRequest naming the field. Clients switch on the reason,
// never on the message. README.md ("Error reasons") lists exactly
// ErrorReasons() and SharedReasons(); plans_errors_test keeps them in step.
// Reasons are stable forever.
#ifndef KAIZEN_SERVICES_PLANS_PLANS_ERRORS_H_
#define KAIZEN_SERVICES_PLANS_PLANS_ERRORS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kaizen::plans {

// INVALID_ARGUMENT
inline constexpr absl::string_view kInvalidField = "INVALID_FIELD";
inline constexpr absl::string_view kUpdateMaskInvalid = "UPDATE_MASK_INVALID";
inline constexpr absl::string_view kDuplicateId = "DUPLICATE_ID";
inline constexpr absl::string_view kUnknownAction = "UNKNOWN_ACTION";
inline constexpr absl::string_view kDateInFuture = "DATE_IN_FUTURE";
inline constexpr absl::string_view kLateReasonRequired = "LATE_REASON_REQUIRED";
// INVALID_ARGUMENT (a person named in the request) or PERMISSION_DENIED (the caller)
inline constexpr absl::string_view kNotOnRoster = "NOT_ON_ROSTER";
// FAILED_PRECONDITION
inline constexpr absl::string_view kNothingToCommit = "NOTHING_TO_COMMIT";
inline constexpr absl::string_view kStageLocked = "STAGE_LOCKED";
inline constexpr absl::string_view kStageMeetingNotScheduled = "STAGE_MEETING_NOT_SCHEDULED";
inline constexpr absl::string_view kStageOutOfOrder = "STAGE_OUT_OF_ORDER";
inline constexpr absl::string_view kAlreadyResolved = "ALREADY_RESOLVED";
inline constexpr absl::string_view kNotResolved = "NOT_RESOLVED";
inline constexpr absl::string_view kCohortPurged = "COHORT_PURGED";
inline constexpr absl::string_view kParticipantErased = "PARTICIPANT_ERASED";
// PERMISSION_DENIED
inline constexpr absl::string_view kOrganiserOnly = "ORGANISER_ONLY";
inline constexpr absl::string_view kNotPlanOwner = "NOT_PLAN_OWNER";
inline constexpr absl::string_view kStaffOnly = "STAFF_ONLY";

// INVALID_ARGUMENT naming `field` with the generic reason.
absl::Status InvalidField(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming update_mask.paths: `path` is not updatable.
absl::Status UpdateMaskInvalid(absl::string_view path);
// INVALID_ARGUMENT naming update_mask.paths (reason UPDATE_MASK_INVALID):
// no mask and the request sets none of the updatable fields.
absl::Status NothingToUpdate();
// INVALID_ARGUMENT naming `field`: an id used twice in one list.
absl::Status DuplicateId(absl::string_view field);
// INVALID_ARGUMENT naming `field`: no action with that id in the plan (or
// revision) it refers to.
absl::Status UnknownAction(absl::string_view field);
// INVALID_ARGUMENT naming `field`: a practice date after today (Asia/Tokyo).
absl::Status DateInFuture(absl::string_view field);
// INVALID_ARGUMENT naming late_reason: the secretariat presents a stage
// after its meeting started without saying why.
absl::Status LateReasonRequired();
// INVALID_ARGUMENT naming `field`: the participant named there is not an
// active participant of the cohort.
absl::Status PersonNotOnRoster(absl::string_view field);
// PERMISSION_DENIED: the caller is on neither the roster nor the staff of
// the cohort.
absl::Status CallerNotOnRoster();
// FAILED_PRECONDITION: the draft is the same as the newest revision.
absl::Status NothingToCommit();
// FAILED_PRECONDITION: the stage's meeting started at `start`; only the
// secretariat may still present (late, with a reason).
absl::Status StageLocked(absl::string_view stage, absl::Time start);
// FAILED_PRECONDITION: the stage's meeting (`meeting`) has no confirmed
// start time yet, so there is no deadline to present against.
absl::Status StageMeetingNotScheduled(absl::string_view stage, absl::string_view meeting);
// FAILED_PRECONDITION: FOLLOW_UP and FINAL need an INTERIM version first.
absl::Status StageOutOfOrder(absl::string_view stage);
// FAILED_PRECONDITION: resolving feedback that is resolved.
absl::Status AlreadyResolved();
// FAILED_PRECONDITION: reopening feedback that is open.
absl::Status NotResolved();
// FAILED_PRECONDITION: the cohort's personal data was purged (issue 15); no
// plan is created or changed for it again.
absl::Status CohortPurged();
// FAILED_PRECONDITION: a named owner's data was erased on their request.
absl::Status ParticipantErased();
// PERMISSION_DENIED: only the secretariat and the cohort's navigator may do
// this (`what`).
absl::Status OrganiserOnly(absl::string_view what);
// PERMISSION_DENIED: only the plan's owners may do this (`what`).
absl::Status NotPlanOwner(absl::string_view what);
// PERMISSION_DENIED: only the cohort's staff may do this (`what`).
absl::Status StaffOnly(absl::string_view what);

// The reasons above, in catalog order.
const std::vector<absl::string_view>& ErrorReasons();
// Reasons made by shared code (common/, clients/) that plans returns.
const std::vector<absl::string_view>& SharedReasons();

}  // namespace kaizen::plans

#endif  // KAIZEN_SERVICES_PLANS_PLANS_ERRORS_H_
