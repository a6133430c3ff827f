// The gRPC face of the scheduling service: one line per RPC (see
// KAIZEN_DEFINE_RPC in common/server/principal_context.h).
#ifndef KAIZEN_SERVICES_SCHEDULING_GRPC_SERVICE_H_
#define KAIZEN_SERVICES_SCHEDULING_GRPC_SERVICE_H_

#include "common/auth/principal.h"
#include "common/server/unary_call.h"
#include "kaizen/scheduling/v1/scheduling.grpc.pb.h"
#include "services/scheduling/scheduling.h"

namespace kaizen::scheduling {

class SchedulingGrpcService final : public v1::SchedulingService::CallbackService,
                              public server::ExecutorBound {
 public:
  // Neither is owned; both must outlive the service.
  SchedulingGrpcService(Scheduling* domain, const auth::PrincipalSigner* signer)
      : domain_(domain), signer_(signer) {}

  KAIZEN_DECLARE_RPC(ListTemplates, v1::ListTemplatesRequest, v1::ListTemplatesResponse)
  KAIZEN_DECLARE_RPC(CreateTemplate, v1::CreateTemplateRequest, v1::Template)
  KAIZEN_DECLARE_RPC(CreateMeetingSeries, v1::CreateMeetingSeriesRequest, v1::CreateMeetingSeriesResponse)
  KAIZEN_DECLARE_RPC(CreateMeeting, v1::CreateMeetingRequest, v1::Meeting)
  KAIZEN_DECLARE_RPC(GetMeeting, v1::GetMeetingRequest, v1::Meeting)
  KAIZEN_DECLARE_RPC(ListMeetings, v1::ListMeetingsRequest, v1::ListMeetingsResponse)
  KAIZEN_DECLARE_RPC(UpdateMeetingFormat, v1::UpdateMeetingFormatRequest, v1::Meeting)
  KAIZEN_DECLARE_RPC(SetPollCandidates, v1::SetPollCandidatesRequest, v1::Poll)
  KAIZEN_DECLARE_RPC(GetPoll, v1::GetPollRequest, v1::Poll)
  KAIZEN_DECLARE_RPC(AnswerPoll, v1::AnswerPollRequest, v1::Poll)
  KAIZEN_DECLARE_RPC(ClosePoll, v1::ClosePollRequest, v1::Poll)
  KAIZEN_DECLARE_RPC(ExportPollAnswers, v1::ExportPollAnswersRequest, kaizen::type::HttpBody)
  KAIZEN_DECLARE_RPC(ScheduleMeeting, v1::ScheduleMeetingRequest, v1::Meeting)
  KAIZEN_DECLARE_RPC(CancelMeeting, v1::CancelMeetingRequest, v1::Meeting)
  KAIZEN_DECLARE_RPC(ReinstateMeeting, v1::ReinstateMeetingRequest, v1::Meeting)
  KAIZEN_DECLARE_RPC(CreateTask, v1::CreateTaskRequest, v1::Task)
  KAIZEN_DECLARE_RPC(ListTasks, v1::ListTasksRequest, v1::ListTasksResponse)
  KAIZEN_DECLARE_RPC(UpdateTask, v1::UpdateTaskRequest, v1::Task)
  KAIZEN_DECLARE_RPC(DeleteTask, v1::DeleteTaskRequest, google::protobuf::Empty)
  KAIZEN_DECLARE_RPC(SetTaskDone, v1::SetTaskDoneRequest, v1::Task)
  KAIZEN_DECLARE_RPC(RecordAttendance, v1::RecordAttendanceRequest, v1::MeetingAttendance)
  KAIZEN_DECLARE_RPC(GetMeetingAttendance, v1::GetMeetingAttendanceRequest, v1::MeetingAttendance)
  KAIZEN_DECLARE_RPC(GetAttendanceSummary, v1::GetAttendanceSummaryRequest, v1::AttendanceSummary)
  KAIZEN_DECLARE_RPC(CreateSupportSlot, v1::CreateSupportSlotRequest, v1::SupportSlot)
  KAIZEN_DECLARE_RPC(ListSupportSlots, v1::ListSupportSlotsRequest, v1::ListSupportSlotsResponse)
  KAIZEN_DECLARE_RPC(BookSupportSlot, v1::BookSupportSlotRequest, v1::SupportSlot)
  KAIZEN_DECLARE_RPC(CancelSupportBooking, v1::CancelSupportBookingRequest, v1::SupportSlot)
  KAIZEN_DECLARE_RPC(DeleteSupportSlot, v1::DeleteSupportSlotRequest, google::protobuf::Empty)
  KAIZEN_DECLARE_RPC(GetCohortCalendar, v1::GetCohortCalendarRequest, kaizen::type::HttpBody)
  KAIZEN_DECLARE_RPC(GetPersonCalendar, v1::GetPersonCalendarRequest, kaizen::type::HttpBody)
  KAIZEN_DECLARE_RPC(CreateCalendarFeed, v1::CreateCalendarFeedRequest, v1::CalendarFeed)
  KAIZEN_DECLARE_RPC(ListCalendarFeeds, v1::ListCalendarFeedsRequest, v1::ListCalendarFeedsResponse)
  KAIZEN_DECLARE_RPC(RotateCalendarFeed, v1::RotateCalendarFeedRequest, v1::CalendarFeed)
  KAIZEN_DECLARE_RPC(RevokeCalendarFeed, v1::RevokeCalendarFeedRequest, v1::CalendarFeed)
  KAIZEN_DECLARE_RPC(ReadCalendarFeed, v1::ReadCalendarFeedRequest, kaizen::type::HttpBody)
  KAIZEN_DECLARE_RPC(PurgePersonalData, kaizen::type::PurgeRequest, kaizen::type::PurgeReport)
  KAIZEN_DECLARE_RPC(GetSharedAttendance, v1::GetSharedAttendanceRequest, v1::SharedAttendance)
  KAIZEN_DECLARE_RPC(ListResultChanges, kaizen::type::ListResultChangesRequest, kaizen::type::ListResultChangesResponse)

 private:
  Scheduling* domain_;
  const auth::PrincipalSigner* signer_;
};

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_GRPC_SERVICE_H_
