// Every error the scheduling service originates, one named factory each.
// All are built with common/status/errors.h, so each carries
// google.rpc.ErrorInfo (domain "kaizen") with one of the reasons below, and
// INVALID_ARGUMENT ones a google.rpc.BadRequest naming the field. Clients
// switch on the reason, never on the message. The reasons are listed in
// README.md ("Error reasons") and are stable forever.
//
// Some reasons the service returns are made by shared code; they are listed
// at the end so this file is the complete list, and have no factory here.
#ifndef KAIZEN_SERVICES_SCHEDULING_SCHEDULING_ERRORS_H_
#define KAIZEN_SERVICES_SCHEDULING_SCHEDULING_ERRORS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "clients/enrollment/enrollment_client_errors.h"
#include "clients/partner/partner_client_errors.h"
#include "clients/purge/purge_client_errors.h"

namespace kaizen::scheduling {

// Reasons (ErrorInfo.reason) originated by scheduling.
// INVALID_ARGUMENT
inline constexpr absl::string_view kInvalidField = "INVALID_FIELD";
inline constexpr absl::string_view kOutsideWindow = "OUTSIDE_WINDOW";
inline constexpr absl::string_view kDuplicateSlot = "DUPLICATE_SLOT";
inline constexpr absl::string_view kUnknownSlot = "UNKNOWN_SLOT";
inline constexpr absl::string_view kEndBeforeStart = "END_BEFORE_START";
inline constexpr absl::string_view kInvalidUrl = "INVALID_URL";
inline constexpr absl::string_view kNotStaff = "NOT_STAFF";
inline constexpr absl::string_view kDueTimeInPast = "DUE_TIME_IN_PAST";
// INVALID_ARGUMENT (a person named in the request) or PERMISSION_DENIED (the caller)
inline constexpr absl::string_view kNotOnRoster = "NOT_ON_ROSTER";
// NOT_FOUND
inline constexpr absl::string_view kNotFound = "NOT_FOUND";
inline constexpr absl::string_view kFeedNotFound = "FEED_NOT_FOUND";
// ALREADY_EXISTS
inline constexpr absl::string_view kAlreadyExists = "ALREADY_EXISTS";
inline constexpr absl::string_view kSeriesExists = "SERIES_EXISTS";
inline constexpr absl::string_view kSlotOverlaps = "SLOT_OVERLAPS";
inline constexpr absl::string_view kFeedExists = "FEED_EXISTS";
// FAILED_PRECONDITION
inline constexpr absl::string_view kPollClosed = "POLL_CLOSED";
inline constexpr absl::string_view kPollOpen = "POLL_OPEN";
inline constexpr absl::string_view kMeetingConfirmed = "MEETING_CONFIRMED";
inline constexpr absl::string_view kMeetingCancelled = "MEETING_CANCELLED";
inline constexpr absl::string_view kMeetingNotConfirmed = "MEETING_NOT_CONFIRMED";
inline constexpr absl::string_view kNoQualifyingSlot = "NO_QUALIFYING_SLOT";
inline constexpr absl::string_view kSlotTaken = "SLOT_TAKEN";
inline constexpr absl::string_view kSlotInPast = "SLOT_IN_PAST";
inline constexpr absl::string_view kSlotNotBooked = "SLOT_NOT_BOOKED";
inline constexpr absl::string_view kNotAssignee = "NOT_ASSIGNEE";
inline constexpr absl::string_view kFeedRevoked = "FEED_REVOKED";
inline constexpr absl::string_view kBookingOverlaps = "BOOKING_OVERLAPS";
inline constexpr absl::string_view kSlotBooked = "SLOT_BOOKED";
inline constexpr absl::string_view kNoSeries = "NO_SERIES";
inline constexpr absl::string_view kMeetingNotCancelled = "MEETING_NOT_CANCELLED";
inline constexpr absl::string_view kCohortPurged = "COHORT_PURGED";
inline constexpr absl::string_view kParticipantErased = "PARTICIPANT_ERASED";
inline constexpr absl::string_view kMeetingNotStarted = "MEETING_NOT_STARTED";
inline constexpr absl::string_view kAttendanceAlreadyTaken = "ATTENDANCE_ALREADY_TAKEN";
inline constexpr absl::string_view kSlotWithdrawn = "SLOT_WITHDRAWN";
inline constexpr absl::string_view kBookingLimit = "BOOKING_LIMIT";
// PERMISSION_DENIED
inline constexpr absl::string_view kOrganiserOnly = "ORGANISER_ONLY";
inline constexpr absl::string_view kSecretariatOnly = "SECRETARIAT_ONLY";
inline constexpr absl::string_view kStaffOnly = "STAFF_ONLY";
inline constexpr absl::string_view kNotYourself = "NOT_YOURSELF";
inline constexpr absl::string_view kNotYourBooking = "NOT_YOUR_BOOKING";
inline constexpr absl::string_view kNotYourSlot = "NOT_YOUR_SLOT";

// ---------------------------------------------------------------- INVALID_ARGUMENT

// INVALID_ARGUMENT naming `field`: a value is missing, malformed or out of
// range (years, durations, empty lists, unset enums, template rules...).
absl::Status InvalidField(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming `field`: a meeting (or one of its candidate
// slots) would start or end outside the meeting's window; the description
// names the window's dates in Asia/Tokyo.
absl::Status OutsideWindow(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming `field` (start_times[i]): two candidates with the
// same start.
absl::Status DuplicateSlot(absl::string_view field);
// INVALID_ARGUMENT naming `field`: a slot id that is not one of the poll's
// slots (an answer's availability[id], or ClosePoll's slot_id).
absl::Status UnknownSlot(absl::string_view field, absl::string_view description);
// INVALID_ARGUMENT naming `field`: a support slot that ends before it starts.
absl::Status EndBeforeStart(absl::string_view field);
// INVALID_ARGUMENT naming `field`: not an https:// URL of at most 500
// characters.
absl::Status InvalidUrl(absl::string_view field);
// INVALID_ARGUMENT naming `field`: a support slot's staff is not a staff
// member on the cohort's roster.
absl::Status NotStaff(absl::string_view field);
// INVALID_ARGUMENT naming `field` (task.due_time): a task due at or before
// now; nobody can prepare for the past.
absl::Status DueTimeInPast(absl::string_view field);
// INVALID_ARGUMENT naming `field`: a person named in the request (task
// assignee, attendance record, participant acted for) is not on the
// cohort's roster.
absl::Status PersonNotOnRoster(absl::string_view field);
// PERMISSION_DENIED, same reason NOT_ON_ROSTER: the caller is not on the
// cohort's roster (and not staff who may see it anyway). `message` says
// what was refused.
absl::Status CallerNotOnRoster(absl::string_view message);

// ---------------------------------------------------------------- NOT_FOUND

// NOT_FOUND with ResourceInfo (`resource_type`, `name`): e.g. a participant
// whose calendar is asked for is not on the roster. (The store returns the
// same shape for every missing meeting, poll, task, sheet, slot, template.)
absl::Status NotFound(absl::string_view resource_type, absl::string_view name);
// NOT_FOUND FEED_NOT_FOUND, one message and no details: a calendar feed URL
// that does not work, whether the token is malformed, unknown, rotated or
// revoked, or the feed's owner is no longer on the roster. Never names the
// token.
absl::Status FeedNotFound();

// ---------------------------------------------------------------- ALREADY_EXISTS

// ALREADY_EXISTS (reason ALREADY_EXISTS): a custom template would take the
// name of a built-in one. (The store returns the same for any name taken.)
absl::Status TemplateExists(absl::string_view name);
// ALREADY_EXISTS: the cohort already has meetings; a series is created once.
absl::Status SeriesExists(absl::string_view cohort);
// ALREADY_EXISTS: the staff member already has a support slot (`slot`)
// overlapping the new one.
absl::Status SlotOverlaps(absl::string_view slot);
// ALREADY_EXISTS: the caller already has an active calendar feed (`feed`)
// of this kind in the cohort; rotate or revoke it instead.
absl::Status FeedExists(absl::string_view feed);

// ---------------------------------------------------------------- FAILED_PRECONDITION

// FAILED_PRECONDITION: the poll is closed (answers, candidate edits), or
// already closed (`already`: ClosePoll).
absl::Status PollClosed(bool already);
// FAILED_PRECONDITION: ScheduleMeeting while the meeting's poll is open.
absl::Status PollOpen();
// FAILED_PRECONDITION: candidates for a meeting whose date is settled
// (confirmed or cancelled).
absl::Status MeetingConfirmed();
// FAILED_PRECONDITION: a change to a cancelled meeting, or cancelling it
// again (`already`).
absl::Status MeetingCancelled(bool already);
// FAILED_PRECONDITION: attendance at a meeting that is not confirmed.
absl::Status MeetingNotConfirmed();
// FAILED_PRECONDITION: no candidate slot has deciding staff available; the
// poll stays open.
absl::Status NoQualifyingSlot();
// FAILED_PRECONDITION: booking a support slot someone else booked first.
absl::Status SlotTaken();
// FAILED_PRECONDITION: booking a support slot that has already started.
absl::Status SlotInPast();
// FAILED_PRECONDITION: cancelling the booking of a slot that is not booked.
absl::Status SlotNotBooked();
// FAILED_PRECONDITION: marking a task that is assigned to someone else.
absl::Status NotAssignee();
// FAILED_PRECONDITION: rotating a revoked calendar feed (create a new one).
absl::Status FeedRevoked();
// FAILED_PRECONDITION: booking a support slot that overlaps in time another
// booking the same person holds (`other`, with any staff member).
absl::Status BookingOverlaps(absl::string_view other);
// FAILED_PRECONDITION: withdrawing a support slot someone has booked.
absl::Status SlotBooked();
// FAILED_PRECONDITION: adding a meeting to a cohort that has no series yet.
absl::Status NoSeries(absl::string_view cohort);
// FAILED_PRECONDITION: reinstating a meeting that is not cancelled.
absl::Status MeetingNotCancelled();
// FAILED_PRECONDITION: a write that would store personal data in a cohort
// whose personal data was purged (PurgePersonalData).
absl::Status CohortPurged();
// FAILED_PRECONDITION: a write that would store a row about a person whose
// personal data was erased (PurgePersonalData with `participant`): an
// answer, attendance record, booking, completion, task assignment, slot or
// calendar feed. Also when the request was built from a roster fetched
// before enrollment removed them.
absl::Status ParticipantErased();
// FAILED_PRECONDITION: attendance recorded for a meeting that has not
// started yet (on the service's clock).
absl::Status MeetingNotStarted();
// FAILED_PRECONDITION: moving a meeting whose attendance was taken to a
// time after now (it would be "held" with a start still to come).
absl::Status AttendanceAlreadyTaken();
// FAILED_PRECONDITION: booking a slot that is no longer offered (the staff
// member giving it was erased).
absl::Status SlotWithdrawn();
// FAILED_PRECONDITION: the person already holds `limit` upcoming support
// bookings in the cohort. Not RESOURCE_EXHAUSTED: retrying does not help
// until a booking is cancelled or a session has taken place.
absl::Status BookingLimit(int limit);

// ---------------------------------------------------------------- PERMISSION_DENIED

// PERMISSION_DENIED: only the secretariat and navigators may do this; with
// `in_cohort`, the navigator must be on this cohort's roster.
absl::Status OrganiserOnly(bool in_cohort);
// PERMISSION_DENIED: only the secretariat may do this (`action`, e.g.
// "do this", "confirm a slot by hand").
absl::Status SecretariatOnly(absl::string_view action);
// PERMISSION_DENIED: only staff ("only staff may {action}") or, with
// `in_cohort`, only this cohort's staff.
absl::Status StaffOnly(absl::string_view action, bool in_cohort);
// PERMISSION_DENIED: the caller acts for someone else (only the secretariat
// may), or asks for another person's calendar (only staff may).
absl::Status NotYourself(absl::string_view message);
// PERMISSION_DENIED: cancelling a booking that is neither the caller's nor
// one an organiser of the cohort may cancel.
absl::Status NotYourBooking();
// PERMISSION_DENIED: withdrawing a support slot someone else gives (only
// its staff member and the secretariat may).
absl::Status NotYourSlot();

// ---------------------------------------------------------------- made elsewhere
// Reasons scheduling returns that shared code makes (no factory here):
// INVALID_ARGUMENT, common/util/resource_name.h: a malformed resource name.
inline constexpr absl::string_view kInvalidName = "INVALID_NAME";
// ABORTED, common/util/etag.h CheckEtag: the etag no longer matches.
inline constexpr absl::string_view kEtagMismatch = "ETAG_MISMATCH";
// UNAVAILABLE, clients/enrollment: the roster could not be fetched in time.
inline constexpr absl::string_view kEnrollmentUnavailable =
    enrollment_client::kEnrollmentUnavailable;
// INVALID_ARGUMENT, common/util/page_token.h: a page token of another list
// or query, or altered; a negative page size.
inline constexpr absl::string_view kInvalidPageToken = "INVALID_PAGE_TOKEN";
inline constexpr absl::string_view kInvalidPageSize = "INVALID_PAGE_SIZE";
// PERMISSION_DENIED, clients/purge/purge_contract.h RequireEnrollmentCaller:
// PurgePersonalData from anyone but the enrollment service principal.
inline constexpr absl::string_view kEnrollmentOnly = purge_client::kEnrollmentOnly;
// clients/partner/partner_client_errors.h, from GetSharedAttendance's gate:
// PERMISSION_DENIED NOT_SHARED_WITH_PARTNER (a partner key, for anyone it
// may not see now), PERMISSION_DENIED OWN_RESULTS_ONLY (anyone else but the
// secretariat and the person), INTERNAL PROVISION_UNRECORDED (enrollment
// refused to record for a reason of ours: nothing was provided).
inline constexpr absl::string_view kNotSharedWithPartner = partner_client::kNotSharedWithPartner;
inline constexpr absl::string_view kOwnResultsOnly = partner_client::kOwnResultsOnly;
inline constexpr absl::string_view kProvisionUnrecorded = partner_client::kProvisionUnrecorded;
// Also: text reasons of common/validation (TEXT_REQUIRED, TEXT_TOO_SHORT,
// TEXT_TOO_LONG, INVALID_UTF8, CONTROL_CHARACTER; INVALID_ARGUMENT) and the
// storage reasons of common/storage/database.h (DATABASE_BUSY: ABORTED;
// STORAGE_ERROR and INTERNAL: INTERNAL).

// Every reason scheduling itself originates (each has a factory above), in
// catalog order; README.md lists exactly these plus the
// shared-code reasons in SharedReasons(). scheduling_errors_test keeps the
// three in step.
const std::vector<absl::string_view>& ErrorReasons();
// Reasons made by shared code (common/, clients/) that scheduling returns.
const std::vector<absl::string_view>& SharedReasons();

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_SCHEDULING_ERRORS_H_
