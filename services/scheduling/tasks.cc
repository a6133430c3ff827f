// Preparation tasks for a meeting: CreateTask, ListTasks, SetTaskDone.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/util/ids.h"
#include "common/util/proto_time.h"
#include "common/validation/validation.h"
#include "services/scheduling/access.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/paging.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {

using internal::MeetingName;
using internal::ParseMeeting;

namespace {

// The stored task with `done` computed: an everyone-task (no assignee) is
// done when every participant on the roster has marked it.
v1::Task TaskOut(const TaskRecord& t, const RosterView& roster) {
  v1::Task out = t.message;
  const std::set<std::string> done(out.done_by().begin(), out.done_by().end());
  if (!out.assignee().empty()) {
    out.set_done(done.count(out.assignee()) > 0);
  } else {
    bool all = true;
    for (const RosterEntry* p : roster.Participants()) all = all && done.count(p->participant());
    out.set_done(all && !roster.Participants().empty());
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::Task> Scheduling::CreateTask(const Principal& caller,
                                                const v1::CreateTaskRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("parent", r.parent()));
  RETURN_IF_ERROR(ValidateText("task.title", r.task().title(), 1, 200, false));
  RETURN_IF_ERROR(ValidateText("task.description", r.task().description(), 0, 2000, true));
  if (!r.task().has_due_time()) return InvalidField("task.due_time", "is required");
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  if (!r.task().assignee().empty() && roster.FindByName(r.task().assignee()) == nullptr) {
    return PersonNotOnRoster("task.assignee");
  }
  const absl::Time now = clock_->Now();
  TaskRecord t;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.GetMeeting(n.meeting).status());
    t.name = absl::StrCat(n.meeting, "/tasks/", NewId());
    t.message.set_name(t.name);
    t.message.set_title(TrimSpaces(r.task().title()));
    t.message.set_description(TrimSpaces(r.task().description()));
    t.message.set_assignee(r.task().assignee());
    *t.message.mutable_due_time() = r.task().due_time();
    *t.message.mutable_create_time() = ToProtoTimestamp(now);
    return tx.InsertTask(&t);
  }));
  return TaskOut(t, roster);
}

absl::StatusOr<v1::ListTasksResponse> Scheduling::ListTasks(const Principal& caller,
                                                            const v1::ListTasksRequest& r) {
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("parent", r.parent()));
  const std::string fingerprint = absl::StrCat("tasks\x1f", n.meeting);
  ASSIGN_OR_RETURN(PageRequest page,
                   ReadPageRequest(page_tokens_, fingerprint, r.page_size(), r.page_token()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  const RosterEntry* self = roster.FindCaller(caller);
  const bool staff = IsCohortStaff(caller, roster);
  if (!staff && self == nullptr) {
    return CallerNotOnRoster("only this cohort's members and staff may see this");
  }
  std::vector<TaskRecord> visible;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto tasks, tx.ListTasks(n.meeting));
    for (auto& t : tasks) {
      const std::string& assignee = t.message.assignee();
      if (staff || assignee.empty() || assignee == self->participant()) {
        visible.push_back(std::move(t));
      }
    }
    return absl::OkStatus();
  }));
  // By due time, then creation order: the page key.
  auto key = [](const TaskRecord& t) {
    return OrderedKey({absl::ToUnixNanos(FromProtoTimestamp(t.message.due_time())), t.seq});
  };
  std::sort(visible.begin(), visible.end(),
            [&](const TaskRecord& a, const TaskRecord& b) { return key(a) < key(b); });
  auto cut = TakePage(std::move(visible), key, page, page_tokens_, fingerprint);
  v1::ListTasksResponse response;
  for (const auto& t : cut.items) *response.add_tasks() = TaskOut(t, roster);
  response.set_next_page_token(cut.next_page_token);
  response.set_total_size(cut.total_size);
  return response;
}

absl::StatusOr<v1::Task> Scheduling::SetTaskDone(const Principal& caller,
                                                 const v1::SetTaskDoneRequest& r) {
  ASSIGN_OR_RETURN(std::string cohort, internal::CohortOfChild("name", r.name(),
                                                               {"cohorts", "meetings", "tasks"}));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  const RosterEntry* person = nullptr;
  if (!r.participant().empty() && IsOrganiserOf(caller, roster)) {
    person = roster.FindByName(r.participant());
    if (person == nullptr) return PersonNotOnRoster("participant");
  } else {
    ASSIGN_OR_RETURN(person, ActingFor(caller, roster, "participant", r.participant()));
  }
  v1::Task out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(TaskRecord t, tx.GetTask(r.name()));
    if (!t.message.assignee().empty() && t.message.assignee() != person->participant()) {
      return NotAssignee();
    }
    auto* done_by = t.message.mutable_done_by();
    auto it = std::find(done_by->begin(), done_by->end(), person->participant());
    if (r.done() && it == done_by->end()) done_by->Add(std::string(person->participant()));
    if (!r.done() && it != done_by->end()) done_by->erase(it);
    RETURN_IF_ERROR(tx.UpdateTask(&t));
    out = TaskOut(t, roster);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::scheduling
