// Erasing the personal data of an application whose people never became
// participants (issue 15): a waitlisted applicant who gave up, a rejected or
// withdrawn one, a lapsed offer, a team member left out of a partial team.
// ErasePersonalData on "cohorts/{c}/applications/{a}".
//
// The rule: the application must be final (REJECTED, WITHDRAWN, which
// includes a declined offer, or EXPIRED), or the cohort FINISHED. One that
// may still get a seat (SUBMITTED, WAITLISTED, OFFERED) is refused: erasing
// it would leave a queue entry or an offer nobody can name. An application
// whose members became participants is refused until each participant is
// erased on its own (that erasure also reaches scheduling, survey and plans;
// this one has nothing to ask them).
//
// What stays (no personal data): the application's name, state, times,
// priority, history and decision kinds and times, the secretariat's entries
// with their reasons, the participant links, the member count.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/purge.h"

namespace kaizen::enrollment {
namespace {

bool MayStillGetSeat(v1::Application::State state) {
  return state == v1::Application::SUBMITTED || state == v1::Application::WAITLISTED ||
         state == v1::Application::OFFERED;
}

bool HasPersonalData(const v1::Applicant& m) {
  return !m.display_name().empty() || !m.kana().empty() || !m.email().empty() ||
         !m.municipality_code().empty() || !m.department().empty() || m.has_birth_date() ||
         !m.motivation().empty();
}

}  // namespace

absl::StatusOr<v1::PurgeReport> Enrollment::EraseApplicationPersonalData(
    const std::string& cohort_id, const std::string& application_id) {
  const std::string report_key = absl::StrCat(kApplicationReportPrefix, application_id);
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(cohort_id));
    ASSIGN_OR_RETURN(auto report_rows, tx.ListPurgeReport(cohort_id, report_key));
    if (!report_rows.empty()) return absl::OkStatus();  // erased before: the same report
    if (cohort.cohort.has_purge_time()) return CohortPurged();
    ASSIGN_OR_RETURN(ApplicationRecord rec, tx.GetApplication(cohort_id, application_id));
    v1::Application& a = rec.application;
    if (MayStillGetSeat(a.state()) && cohort.cohort.state() != v1::Cohort::FINISHED) {
      return ApplicationErasureNotAllowed(v1::Application::State_Name(a.state()));
    }
    std::vector<std::string> not_erased;
    for (const std::string& name : a.participants()) {
      ASSIGN_OR_RETURN(auto ids, ParseChildName("participant", name, "participants"));
      ASSIGN_OR_RETURN(auto rows, tx.ListPurgeReport(ids.first, ids.second));
      if (rows.empty()) not_erased.push_back(name);
    }
    if (!not_erased.empty()) return ApplicationHasParticipants(not_erased);

    int64_t members = 0;
    std::vector<std::string> email_keys;  // their reminder settings go too
    for (v1::Applicant& m : *a.mutable_members()) {
      if (!m.email().empty()) email_keys.push_back(EmailKey(m.email()));
      if (HasPersonalData(m)) ++members;
      ClearApplicant(&m);
    }
    // Everyone in it is erased: what the submitting account and the access
    // token's holder ("applicant") did and wrote goes with them.
    std::set<std::string> subjects = {"applicant"};
    if (!a.submitter().empty()) subjects.insert(a.submitter());
    subjects.erase(std::string(kSystemActor));
    const int64_t submitter = a.submitter().empty() ? 0 : 1;
    a.clear_submitter();
    a.clear_municipality_code();
    a.clear_municipality_name();
    const int64_t history_entries = ScrubErasedActors(a, subjects);
    RETURN_IF_ERROR(tx.UpdateApplication(&rec));
    ASSIGN_OR_RETURN(ErasedKeys keys, tx.DeleteApplicationKeys(cohort_id, application_id));
    // Every message to its members (common/notify/outbox.h).
    ASSIGN_OR_RETURN(const int messages,
                     tx.DeleteMessagesFor(ApplicationName(cohort_id, application_id)));
    // Reminder settings of its addresses, unless another application still
    // reserves the address (notify_sql.h).
    RETURN_IF_ERROR(tx.DeleteUnusedReminderSettings(email_keys).status());
    // Nothing for the partner feed: a non-participant was never shared.
    // No downstream rows: no other service holds data of a non-participant.
    return StartPurgeReport(tx, cohort_id, report_key, "",
                            {{"application_members", members},
                             {"submitter", submitter},
                             {"history_actors", history_entries},
                             {"email_keys", keys.email_keys},
                             {"request_ids", keys.request_ids},
                             {"outbox_messages", messages}},
                            {}, now);
  }));
  // Reads the report back (there is nothing to call) and empties the WAL of
  // the old page images.
  return RunPurgeTargets(cohort_id, report_key);
}

}  // namespace kaizen::enrollment
