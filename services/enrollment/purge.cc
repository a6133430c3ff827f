// Purging a finished cohort's personal data once its retention is over,
// everywhere: enrollment's own rows, then scheduling, survey and plans
// through their PurgePersonalData (clients/purge), with a report that makes
// it verifiable later (GetPurgeReport). The report's mechanics are purge.h.
#include "services/enrollment/purge.h"

#include <algorithm>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "clients/purge/purge_client_errors.h"
#include "clients/purge/purge_target.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {
namespace {

using Report = v1::PurgeReport;

// A call this request made sure no other request makes at the same time.
struct Claim {
  purge_client::PurgeTarget* target = nullptr;
  int attempt = 0;
  kaizen::type::PurgeRequest request;
  absl::StatusOr<kaizen::type::PurgeReport> result = absl::UnknownError("not called");
};

std::string MetadataOf(const absl::Status& status, const std::string& key) {
  auto info = errors::GetErrorInfo(status);
  if (!info.has_value()) return "";
  auto it = info->metadata().find(key);
  return it == info->metadata().end() ? "" : it->second;
}

// An answer is only stored DONE if it answers what was asked: a service
// that reports for another service, cohort or person (a bug, a mixed-up
// address) has not shown that it deleted this one's data.
void CheckAnswer(Claim& claim) {
  if (!claim.result.ok()) return;
  const kaizen::type::PurgeReport& r = *claim.result;
  if (r.service() != claim.target->service() || r.cohort() != claim.request.cohort() ||
      r.participant() != claim.request.participant()) {
    claim.result = purge_client::PurgeTargetFailed(claim.target->service(), kReportMismatch);
  }
}

}  // namespace

const std::vector<std::string>& PurgeServices() {
  static const auto* const kServices =
      new std::vector<std::string>{"scheduling", "survey", "plans"};
  return *kServices;
}

std::string PurgeReportName(const std::string& cohort_id, const std::string& participant_id) {
  if (participant_id.empty()) return absl::StrCat(CohortName(cohort_id), "/purgeReport");
  if (absl::StartsWith(participant_id, kApplicationReportPrefix)) {
    return absl::StrCat(CohortName(cohort_id), "/", participant_id, "/purgeReport");
  }
  return absl::StrCat(ParticipantName(cohort_id, participant_id), "/purgeReport");
}

absl::Status StartPurgeReport(EnrollmentTx& tx, const std::string& cohort_id,
                              const std::string& participant_id, const std::string& subject,
                              const std::vector<std::pair<std::string, int64_t>>& counts,
                              const std::set<std::string>& configured, absl::Time now) {
  PurgeReportRow own;
  own.cohort_id = cohort_id;
  own.participant_id = participant_id;
  own.service = std::string(kEnrollmentService);
  own.position = 0;
  own.create_time = now;
  own.report.set_service(own.service);
  own.report.set_state(Report::DONE);
  *own.report.mutable_update_time() = ToProto(now);
  kaizen::type::PurgeReport* counted = own.report.mutable_report();
  counted->set_service(own.service);
  counted->set_cohort(CohortName(cohort_id));
  // An application's erasure names the application (the only resource the
  // person had here).
  if (absl::StartsWith(participant_id, kApplicationReportPrefix)) {
    counted->set_participant(absl::StrCat(CohortName(cohort_id), "/", participant_id));
  } else if (!participant_id.empty()) {
    counted->set_participant(ParticipantName(cohort_id, participant_id));
  }
  for (const auto& [kind, deleted] : counts) {
    auto* c = counted->add_counts();
    c->set_kind(kind);
    c->set_deleted(deleted);
  }
  *counted->mutable_complete_time() = ToProto(now);
  RETURN_IF_ERROR(tx.PutPurgeReportRow(own));
  if (absl::StartsWith(participant_id, kApplicationReportPrefix)) return absl::OkStatus();
  int position = 1;
  for (const std::string& service : PurgeServices()) {
    PurgeReportRow row;
    row.cohort_id = cohort_id;
    row.participant_id = participant_id;
    row.service = service;
    row.position = position++;
    row.create_time = now;
    const bool is_configured = configured.count(service) > 0;
    // Only a row that will be called keeps the account (purge.h).
    if (is_configured) row.subject = subject;
    row.report.set_service(service);
    row.report.set_state(is_configured ? Report::PENDING : Report::NOT_CONFIGURED);
    *row.report.mutable_update_time() = ToProto(now);
    RETURN_IF_ERROR(tx.PutPurgeReportRow(row));
  }
  return absl::OkStatus();
}

v1::PurgeReport AssembleReport(const std::string& cohort_id, const std::string& participant_id,
                               const std::vector<PurgeReportRow>& rows) {
  Report out;
  out.set_name(PurgeReportName(cohort_id, participant_id));
  bool complete = !rows.empty();
  for (const PurgeReportRow& row : rows) {
    if (row.service == kEnrollmentService) *out.mutable_create_time() = ToProto(row.create_time);
    *out.add_services() = row.report;
    switch (row.report.state()) {
      case Report::DONE: break;
      case Report::FAILED: out.add_failed_services(row.service); complete = false; break;
      case Report::NOT_CONFIGURED:
        out.add_not_configured_services(row.service);
        complete = false;
        break;
      default: out.add_pending_services(row.service); complete = false; break;
    }
  }
  out.set_complete(complete);
  return out;
}

absl::StatusOr<v1::PurgeReport> Enrollment::RunPurgeTargets(const std::string& cohort_id,
                                                            const std::string& participant_id) {
  std::map<std::string, purge_client::PurgeTarget*> targets;
  for (purge_client::PurgeTarget* t : config_.purge_targets) targets[t->service()] = t;

  // 1. Claim, in one transaction, what this request will call.
  std::vector<Claim> claims;
  absl::Time now = clock_->Now();
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    claims.clear();
    ASSIGN_OR_RETURN(auto rows, tx.ListPurgeReport(cohort_id, participant_id));
    for (PurgeReportRow& row : rows) {
      if (row.service == kEnrollmentService || row.report.state() == Report::DONE) continue;
      auto it = targets.find(row.service);
      if (it == targets.end()) {
        if (row.report.state() == Report::NOT_CONFIGURED) continue;
        row.report.set_state(Report::NOT_CONFIGURED);
        row.lease_until = absl::InfinitePast();
        row.subject.clear();
      } else {
        if (row.report.state() == Report::PENDING && row.lease_until > now) continue;  // in flight
        row.report.set_state(Report::PENDING);
        row.report.set_attempts(row.report.attempts() + 1);
        row.lease_until = now + kPurgeLease;
        Claim claim;
        claim.target = it->second;
        claim.attempt = row.report.attempts();
        claim.request.set_cohort(CohortName(cohort_id));
        if (!participant_id.empty()) {
          claim.request.set_participant(ParticipantName(cohort_id, participant_id));
          claim.request.set_subject(row.subject);
        }
        claims.push_back(std::move(claim));
      }
      *row.report.mutable_update_time() = ToProto(now);
      RETURN_IF_ERROR(tx.PutPurgeReportRow(row));
    }
    return absl::OkStatus();
  }));

  // 2. Call them outside any transaction, in parallel (at most three
  // threads, each bounded by its target's deadline).
  if (claims.size() == 1) {
    claims[0].result = claims[0].target->Purge(claims[0].request);
  } else if (!claims.empty()) {
    std::vector<std::thread> calls;
    for (Claim& claim : claims) {
      calls.emplace_back([&claim] { claim.result = claim.target->Purge(claim.request); });
    }
    for (std::thread& t : calls) t.join();
  }
  for (Claim& claim : claims) CheckAnswer(claim);

  // 3. Store the answers whose claim still stands, and read the report.
  now = clock_->Now();
  v1::PurgeReport report;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto rows, tx.ListPurgeReport(cohort_id, participant_id));
    for (PurgeReportRow& row : rows) {
      auto claim = std::find_if(claims.begin(), claims.end(), [&](const Claim& c) {
        return c.target->service() == row.service;
      });
      if (claim == claims.end() || row.report.state() == Report::DONE ||
          row.report.attempts() != claim->attempt) {
        continue;  // not ours, or another request took it over after our lease
      }
      row.report.clear_error_reason();
      row.report.clear_target_reason();
      if (claim->result.ok()) {
        row.report.set_state(Report::DONE);
        *row.report.mutable_report() = *claim->result;
        row.subject.clear();  // not needed any more
      } else {
        // The reason only: a message could one day carry something personal.
        row.report.set_state(Report::FAILED);
        const std::string reason = errors::Reason(claim->result.status());
        row.report.set_error_reason(
            reason.empty() ? absl::StatusCodeToString(claim->result.status().code()) : reason);
        row.report.set_target_reason(MetadataOf(claim->result.status(), "target_reason"));
      }
      row.lease_until = absl::InfinitePast();
      *row.report.mutable_update_time() = ToProto(now);
      RETURN_IF_ERROR(tx.PutPurgeReportRow(row));
    }
    ASSIGN_OR_RETURN(rows, tx.ListPurgeReport(cohort_id, participant_id));
    report = AssembleReport(cohort_id, participant_id, rows);
    return absl::OkStatus();
  }));
  // Enrollment's own deletion committed before the calls; secure_delete
  // zeroed the rows in their pages, and this empties the WAL of the old page
  // images. If a reader holds on (ABORTED DATABASE_BUSY), the report is
  // already stored and a repeated call checkpoints again.
  RETURN_IF_ERROR(store_->CheckpointWal());
  return report;
}

absl::StatusOr<v1::PurgeCohortPersonalDataResponse> Enrollment::PurgeCohortPersonalData(
    const Principal& caller, const v1::PurgeCohortPersonalDataRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  ASSIGN_OR_RETURN(std::string id, ParseCohortName("name", request.name()));
  std::set<std::string> configured;
  for (purge_client::PurgeTarget* t : config_.purge_targets) configured.insert(t->service());
  const absl::Time now = clock_->Now();
  v1::PurgeCohortPersonalDataResponse response;
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord rec, tx.GetCohort(id));
    ASSIGN_OR_RETURN(auto report_rows, tx.ListPurgeReport(id, ""));
    if (rec.cohort.has_purge_time()) {
      // Purged before: nothing more to delete here; only the services not
      // DONE are retried. A cohort purged before reports existed gets one
      // now (its own counts unknown: zeros).
      if (report_rows.empty()) {
        RETURN_IF_ERROR(StartPurgeReport(tx, id, "", "", {{"applications", 0}, {"participants", 0}},
                                         configured, FromProto(rec.cohort.purge_time())));
      }
      return DecorateCohort(tx, rec, response.mutable_cohort());
    }
    if (rec.cohort.state() != v1::Cohort::FINISHED) return CohortNotFinished();
    const absl::Time earliest =
        FromProto(rec.cohort.finish_time()) + absl::Hours(24) * rec.cohort.retention_days();
    if (now < earliest) return RetentionNotElapsed(earliest);
    ParticipantFilter members;
    members.role = v1::Participant::PARTICIPANT;
    ASSIGN_OR_RETURN(auto participants, tx.ListParticipants(id, members, 0, 0));
    for (const ParticipantRecord& p : participants) {
      if (!EverShared(p.participant)) continue;  // the partner never knew them
      ChangeRecord change;
      change.participant_name = p.participant.name();
      change.municipality_code = p.participant.municipality_code();
      change.kind = v1::Change::DELETED;
      change.time = now;
      RETURN_IF_ERROR(tx.AppendChange(&change));
    }
    // Reminder settings of the cohort's addresses go with it unless another
    // cohort's application still reserves the address (notify_sql.h).
    ASSIGN_OR_RETURN(std::vector<std::string> email_keys, tx.CohortEmailKeys(id));
    for (const ParticipantRecord& p : participants) {
      if (!p.participant.email().empty()) email_keys.push_back(EmailKey(p.participant.email()));
    }
    ASSIGN_OR_RETURN(auto deleted, tx.DeleteCohortPersonalData(id));
    RETURN_IF_ERROR(tx.DeleteUnusedReminderSettings(email_keys).status());
    // Messages about the cohort's people not yet sent (and the ids of those
    // sent): addresses and bodies go with the rest (common/notify/outbox.h).
    ASSIGN_OR_RETURN(const int messages, tx.DeleteMessagesFor(CohortName(id)));
    *rec.cohort.mutable_purge_time() = ToProto(now);
    RETURN_IF_ERROR(SeatLedger(tx, now, notifier_).SaveCohort(rec));
    response.set_applications_deleted(deleted.first);
    response.set_participants_deleted(deleted.second);
    RETURN_IF_ERROR(StartPurgeReport(
        tx, id, "", "",
        {{"applications", deleted.first}, {"participants", deleted.second},
         {"outbox_messages", messages}},
        configured, now));
    return DecorateCohort(tx, rec, response.mutable_cohort());
  }));
  ASSIGN_OR_RETURN(*response.mutable_report(), RunPurgeTargets(id, ""));
  return response;
}

absl::StatusOr<v1::PurgeReport> Enrollment::GetPurgeReport(
    const Principal& caller, const v1::GetPurgeReportRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  absl::string_view owner = request.name();
  if (!absl::ConsumeSuffix(&owner, "/purgeReport")) {
    return errors::InvalidField("name",
                                "must look like cohorts/{cohort}/purgeReport, "
                                "cohorts/{cohort}/participants/{participant}/purgeReport or "
                                "cohorts/{cohort}/applications/{application}/purgeReport",
                                "INVALID_NAME");
  }
  std::string cohort_id;
  std::string participant_id;
  if (absl::StrContains(owner, "/applications/")) {
    ASSIGN_OR_RETURN(auto ids, ParseChildName("name", owner, "applications"));
    cohort_id = ids.first;
    participant_id = absl::StrCat(kApplicationReportPrefix, ids.second);
  } else if (absl::StrContains(owner, "/participants/")) {
    ASSIGN_OR_RETURN(auto ids, ParseChildName("name", owner, "participants"));
    cohort_id = ids.first;
    participant_id = ids.second;
  } else {
    ASSIGN_OR_RETURN(cohort_id, ParseCohortName("name", owner));
  }
  v1::PurgeReport report;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto rows, tx.ListPurgeReport(cohort_id, participant_id));
    if (rows.empty()) return errors::NotFound("PurgeReport", request.name());
    report = AssembleReport(cohort_id, participant_id, rows);
    return absl::OkStatus();
  }));
  return report;
}

}  // namespace kaizen::enrollment
