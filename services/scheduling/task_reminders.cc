// The task-due reminder sweep (scheduling.h SweepTaskReminders).
//
// Two steps, so that no roster call happens inside a write transaction
// (clients/enrollment/README.md): a read finds the tasks due soon that have
// no reminder row yet; rosters are fetched for the everyone-tasks someone
// has already done; one write then re-reads each task and enqueues its
// reminder unless the task is gone, changed meanwhile (its due time or
// assignee: the next run sees the new state), was done meanwhile (by its
// assignee, or by everyone planned; those who did it since the read are left
// out), or its cohort was purged.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status/status_macros.h"
#include "services/scheduling/internal.h"
#include "services/scheduling/notifications.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"

namespace kaizen::scheduling {
namespace {

bool DoneBy(const v1::Task& t, const std::string& participant) {
  return std::find(t.done_by().begin(), t.done_by().end(), participant) != t.done_by().end();
}

std::string CohortOfTaskName(const std::string& task) {
  const size_t second = task.find('/', task.find('/') + 1);
  return task.substr(0, second);
}

struct Planned {
  TaskRecord task;
  std::vector<std::string> participants;  // empty: every ACTIVE participant
};

}  // namespace

absl::StatusOr<Scheduling::TaskReminderSweep> Scheduling::SweepTaskReminders() {
  const absl::Time now = clock_->Now();
  std::vector<TaskRecord> due;
  RETURN_IF_ERROR(store_->Read([&](SchedulingTx& tx) -> absl::Status {
    due.clear();
    ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks,
                     tx.ListTasksDue(now, now + internal::kTaskDueWindow));
    for (TaskRecord& t : tasks) {
      ASSIGN_OR_RETURN(bool reminded, tx.HasNotification(internal::TaskDueId(t)));
      if (reminded) continue;
      if (!t.message.assignee().empty() && DoneBy(t.message, t.message.assignee())) continue;
      ASSIGN_OR_RETURN(bool purged, tx.IsCohortPurged(CohortOfTaskName(t.name)));
      if (purged) continue;
      due.push_back(std::move(t));
    }
    return absl::OkStatus();
  }));

  TaskReminderSweep result;
  std::map<std::string, absl::StatusOr<enrollment_client::Roster>> rosters;  // by cohort
  std::vector<Planned> plan;
  for (TaskRecord& t : due) {
    Planned p;
    if (!t.message.assignee().empty()) {
      p.participants.push_back(t.message.assignee());
    } else if (t.message.done_by_size() > 0) {
      const std::string cohort = CohortOfTaskName(t.name);
      auto it = rosters.find(cohort);
      if (it == rosters.end()) it = rosters.emplace(cohort, roster_->GetRoster(cohort)).first;
      if (!it->second.ok()) {
        ++result.deferred;
        continue;
      }
      const RosterView view(*it->second);
      for (const RosterEntry* e : view.Participants()) {
        if (!DoneBy(t.message, e->participant())) p.participants.push_back(e->participant());
      }
      if (p.participants.empty()) continue;  // everyone has done it
    }
    p.task = std::move(t);
    plan.push_back(std::move(p));
  }
  if (plan.empty()) return result;

  int enqueued = 0;
  RETURN_IF_ERROR(store_->Write([&](SchedulingTx& tx) -> absl::Status {
    enqueued = 0;  // the transaction may run again from the start
    for (const Planned& p : plan) {
      absl::StatusOr<TaskRecord> current = tx.GetTask(p.task.name);
      if (absl::IsNotFound(current.status())) continue;  // deleted meanwhile
      RETURN_IF_ERROR(current.status());
      if (internal::TaskDueId(*current) != internal::TaskDueId(p.task) ||
          current->message.assignee() != p.task.message.assignee()) {
        continue;  // changed meanwhile: the next run decides afresh
      }
      // Done meanwhile (between the read above and this write): nobody is
      // reminded of what they have just done.
      const v1::Task& now_task = current->message;
      std::vector<std::string> participants;
      if (!now_task.assignee().empty()) {
        if (DoneBy(now_task, now_task.assignee())) continue;
        participants = p.participants;
      } else if (p.participants.empty()) {
        // Planned for everyone because nobody had done it; someone has now:
        // the next run asks the roster who is left.
        if (now_task.done_by_size() > 0) continue;
      } else {
        for (const std::string& who : p.participants) {
          if (!DoneBy(now_task, who)) participants.push_back(who);
        }
        if (participants.empty()) continue;
      }
      ASSIGN_OR_RETURN(bool purged, tx.IsCohortPurged(CohortOfTaskName(p.task.name)));
      if (purged) continue;
      // The roster was read before this transaction: someone erased since is
      // named in no new message (every write checks the erasure mark).
      std::vector<std::string> kept;
      for (std::string& who : participants) {
        ASSIGN_OR_RETURN(bool erased, tx.IsParticipantErased(who));
        if (!erased) kept.push_back(std::move(who));
      }
      participants = std::move(kept);
      if (participants.empty() && !p.participants.empty()) continue;
      ASSIGN_OR_RETURN(bool added,
                       tx.EnqueueNotification(internal::TaskDueId(*current), current->name,
                                              internal::TaskDueRequest(*current, participants, now),
                                              now));
      if (added) ++enqueued;
    }
    return absl::OkStatus();
  }));
  result.enqueued = enqueued;
  return result;
}

}  // namespace kaizen::scheduling
