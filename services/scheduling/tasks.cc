// Preparation tasks for a meeting: CreateTask, ListTasks, UpdateTask,
// DeleteTask, SetTaskDone. A task is due in the future when it is set (no
// one can prepare for the past); an overdue task can still be edited in
// other ways, or deleted.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/util/etag.h"
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
  out.set_etag(MakeEtag(t.name, t.revision));
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

absl::StatusOr<std::string> CohortOfTask(const std::string& field, const std::string& name) {
  return internal::CohortOfChild(field, name, {"cohorts", "meetings", "tasks"});
}

}  // namespace

absl::StatusOr<v1::Task> Scheduling::CreateTask(const Principal& caller,
                                                const v1::CreateTaskRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(MeetingName n, ParseMeeting("parent", r.parent()));
  RETURN_IF_ERROR(ValidateText("task.title", r.task().title(), 1, 200, false));
  RETURN_IF_ERROR(ValidateText("task.description", r.task().description(), 0, 2000, true));
  if (!r.task().has_due_time()) return InvalidField("task.due_time", "is required");
  const absl::Time now = clock_->Now();
  if (FromProtoTimestamp(r.task().due_time()) <= now) return DueTimeInPast("task.due_time");
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, n.cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  if (!r.task().assignee().empty() && roster.FindByName(r.task().assignee()) == nullptr) {
    return PersonNotOnRoster("task.assignee");
  }
  TaskRecord t;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, n.cohort));
    RETURN_IF_ERROR(internal::RequireNotErased(tx, r.task().assignee()));
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

absl::StatusOr<v1::Task> Scheduling::UpdateTask(const Principal& caller,
                                                const v1::UpdateTaskRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  const v1::Task& in = r.task();
  ASSIGN_OR_RETURN(std::string cohort, CohortOfTask("task.name", in.name()));
  if (r.update_mask().paths_size() == 0) {
    return InvalidField("update_mask",
                        "must name the fields to change: title, description, assignee, due_time");
  }
  std::set<std::string> fields;
  for (const std::string& path : r.update_mask().paths()) {
    if (path != "title" && path != "description" && path != "assignee" && path != "due_time") {
      return InvalidField("update_mask", absl::StrCat("cannot change '", path,
                                                      "'; only title, description, assignee, "
                                                      "due_time"));
    }
    fields.insert(path);
  }
  if (fields.count("title")) {
    RETURN_IF_ERROR(ValidateText("task.title", in.title(), 1, 200, false));
  }
  if (fields.count("description")) {
    RETURN_IF_ERROR(ValidateText("task.description", in.description(), 0, 2000, true));
  }
  const absl::Time now = clock_->Now();
  if (fields.count("due_time")) {
    if (!in.has_due_time()) return InvalidField("task.due_time", "is required");
    if (FromProtoTimestamp(in.due_time()) <= now) return DueTimeInPast("task.due_time");
  }
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  if (fields.count("assignee") && !in.assignee().empty() &&
      roster.FindByName(in.assignee()) == nullptr) {
    return PersonNotOnRoster("task.assignee");
  }
  v1::Task out;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort));
    if (fields.count("assignee")) RETURN_IF_ERROR(internal::RequireNotErased(tx, in.assignee()));
    ASSIGN_OR_RETURN(TaskRecord t, tx.GetTask(in.name()));
    RETURN_IF_ERROR(CheckEtag(t.name, t.revision, in.etag()));
    const absl::Time old_due = FromProtoTimestamp(t.message.due_time());
    const std::string old_assignee = t.message.assignee();
    if (fields.count("title")) t.message.set_title(TrimSpaces(in.title()));
    if (fields.count("description")) t.message.set_description(TrimSpaces(in.description()));
    if (fields.count("due_time")) *t.message.mutable_due_time() = in.due_time();
    if (fields.count("assignee") && in.assignee() != t.message.assignee()) {
      t.message.set_assignee(in.assignee());
      if (!in.assignee().empty()) {
        // Someone else's completion says nothing about the new assignee.
        const bool done = std::count(t.message.done_by().begin(), t.message.done_by().end(),
                                     in.assignee()) > 0;
        t.message.clear_done_by();
        if (done) t.message.add_done_by(in.assignee());
      }
    }
    RETURN_IF_ERROR(tx.UpdateTask(&t));
    // A reminder not yet handed over names the old due time or the old
    // assignee: drop it; the sweep reminds of the task as it is now
    // (notifications.h).
    if (FromProtoTimestamp(t.message.due_time()) != old_due ||
        t.message.assignee() != old_assignee) {
      RETURN_IF_ERROR(tx.DeleteUndeliveredNotifications(t.name).status());
    }
    out = TaskOut(t, roster);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<google::protobuf::Empty> Scheduling::DeleteTask(const Principal& caller,
                                                               const v1::DeleteTaskRequest& r) {
  RETURN_IF_ERROR(RequireOrganiser(caller));
  ASSIGN_OR_RETURN(std::string cohort, CohortOfTask("name", r.name()));
  ASSIGN_OR_RETURN(RosterView roster, FetchRoster(caller, cohort));
  RETURN_IF_ERROR(RequireOrganiserOf(caller, roster));
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(TaskRecord t, tx.GetTask(r.name()));
    RETURN_IF_ERROR(CheckEtag(t.name, t.revision, r.etag()));
    // Its reminder, if one is waiting, goes with it.
    RETURN_IF_ERROR(tx.DeleteUndeliveredNotifications(t.name).status());
    return tx.DeleteTask(t.name);
  }));
  return google::protobuf::Empty();
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
    RETURN_IF_ERROR(internal::RequireNotPurged(tx, cohort));
    RETURN_IF_ERROR(internal::RequireNotErased(tx, person->participant()));
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
