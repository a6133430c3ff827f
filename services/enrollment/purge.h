// The purge report's bookkeeping shared by a cohort's purge (purge.cc) and
// one person's erasure (erasure.cc). Package-private.
//
// A report is one row per service (purge_report_sql.h): enrollment's own,
// DONE in the transaction that deletes, and one per downstream service
// (scheduling, survey, plans), PENDING in that same transaction (or
// NOT_CONFIGURED when this server has no target for it). The calls happen
// afterwards, outside any transaction (Enrollment::RunPurgeTargets):
//   1. claim: in one write transaction, every row not DONE whose target is
//      configured and that no other request is calling (its lease has
//      passed) gets attempts + 1 and a lease of kPurgeLease;
//   2. call the claimed targets, in parallel, each with its own deadline;
//   3. complete: in one write transaction, a row whose attempts still match
//      the claim becomes DONE (the service's report) or FAILED (the error's
//      reason, never its message). DONE is final.
// So two purges at once never call one service twice and never overwrite
// each other's answers; a crashed request's lease lapses and the next call
// retries.
#ifndef KAIZEN_SERVICES_ENROLLMENT_PURGE_H_
#define KAIZEN_SERVICES_ENROLLMENT_PURGE_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

inline constexpr absl::string_view kEnrollmentService = "enrollment";
// How long a claimed call may take before another request may retry it;
// longer than any purge deadline (main.cc caps --purge_deadline_ms at 60 s).
inline constexpr absl::Duration kPurgeLease = absl::Minutes(2);

// A purge report's target_reason when a service's answer named another
// service, cohort or participant than the request (stored FAILED
// PURGE_TARGET_FAILED, retried on the next call).
inline constexpr absl::string_view kReportMismatch = "REPORT_MISMATCH";

// The actor an erased person's account becomes in application history and
// decisions.
inline constexpr absl::string_view kErasedActor = "erased";

// Replaces every history and decision actor in `subjects` with
// kErasedActor and clears that entry's reason (what they wrote, e.g. a
// withdrawal's). Returns the entries changed. (erasure.cc)
int ScrubErasedActors(v1::Application& a, const std::set<std::string>& subjects);

// Clears one applicant entry's personal fields (name, kana, e-mail,
// municipality, department, birth date, motivation; consent shares nothing).
// (erasure.cc)
void ClearApplicant(v1::Applicant* m);

// The downstream services, in report order.
const std::vector<std::string>& PurgeServices();

// An application's erasure (erasure_application.cc) keeps its report rows
// under participant_id "applications/{a}" (ids never hold '/', so it cannot
// meet a participant's id). Only enrollment's row: no other service ever
// held data of someone who never became a participant.
inline constexpr absl::string_view kApplicationReportPrefix = "applications/";

// "cohorts/{c}/purgeReport", "cohorts/{c}/participants/{p}/purgeReport" or
// (participant_id "applications/{a}") "cohorts/{c}/applications/{a}/purgeReport".
std::string PurgeReportName(const std::string& cohort_id, const std::string& participant_id);

// Inside the deleting transaction: enrollment's row DONE with `counts`
// (kind, deleted), each downstream row PENDING, or NOT_CONFIGURED when it is
// not in `configured`. `subject`: an erasure's account, kept only in the
// PENDING downstream rows, and there until each is DONE (a FAILED row keeps
// it: the retry needs it); a NOT_CONFIGURED row never holds it (a service
// configured later is asked with the participant's name alone), and the
// cohort's purge clears it from every row of the cohort.
absl::Status StartPurgeReport(EnrollmentTx& tx, const std::string& cohort_id,
                              const std::string& participant_id, const std::string& subject,
                              const std::vector<std::pair<std::string, int64_t>>& counts,
                              const std::set<std::string>& configured, absl::Time now);

// The API view of stored rows.
v1::PurgeReport AssembleReport(const std::string& cohort_id, const std::string& participant_id,
                               const std::vector<PurgeReportRow>& rows);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_PURGE_H_
