#include "services/scheduling/grpc_service.h"

namespace kaizen::scheduling {

KAIZEN_DEFINE_RPC(SchedulingGrpcService, ListTemplates, v1::ListTemplatesRequest, v1::ListTemplatesResponse)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, CreateTemplate, v1::CreateTemplateRequest, v1::Template)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, CreateMeetingSeries, v1::CreateMeetingSeriesRequest, v1::CreateMeetingSeriesResponse)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, GetMeeting, v1::GetMeetingRequest, v1::Meeting)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, ListMeetings, v1::ListMeetingsRequest, v1::ListMeetingsResponse)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, UpdateMeetingFormat, v1::UpdateMeetingFormatRequest, v1::Meeting)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, SetPollCandidates, v1::SetPollCandidatesRequest, v1::Poll)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, GetPoll, v1::GetPollRequest, v1::Poll)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, AnswerPoll, v1::AnswerPollRequest, v1::Poll)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, ClosePoll, v1::ClosePollRequest, v1::Poll)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, ExportPollAnswers, v1::ExportPollAnswersRequest, kaizen::type::HttpBody)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, ScheduleMeeting, v1::ScheduleMeetingRequest, v1::Meeting)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, CancelMeeting, v1::CancelMeetingRequest, v1::Meeting)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, CreateTask, v1::CreateTaskRequest, v1::Task)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, ListTasks, v1::ListTasksRequest, v1::ListTasksResponse)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, SetTaskDone, v1::SetTaskDoneRequest, v1::Task)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, RecordAttendance, v1::RecordAttendanceRequest, v1::MeetingAttendance)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, GetMeetingAttendance, v1::GetMeetingAttendanceRequest, v1::MeetingAttendance)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, GetAttendanceSummary, v1::GetAttendanceSummaryRequest, v1::AttendanceSummary)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, CreateSupportSlot, v1::CreateSupportSlotRequest, v1::SupportSlot)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, ListSupportSlots, v1::ListSupportSlotsRequest, v1::ListSupportSlotsResponse)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, BookSupportSlot, v1::BookSupportSlotRequest, v1::SupportSlot)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, CancelSupportBooking, v1::CancelSupportBookingRequest, v1::SupportSlot)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, GetCohortCalendar, v1::GetCohortCalendarRequest, kaizen::type::HttpBody)
KAIZEN_DEFINE_RPC(SchedulingGrpcService, GetPersonCalendar, v1::GetPersonCalendarRequest, kaizen::type::HttpBody)

}  // namespace kaizen::scheduling
