// Erasing one person's personal data on their request (issue 15):
// enrollment's rows for them become an anonymous record, then scheduling,
// survey and plans are asked to erase that person too, with the same
// report mechanics as a cohort's purge (purge.h).
//
// The rule: a CANCELLED participation (it holds no seat), or any
// participation of a FINISHED cohort (seats no longer matter). An ACTIVE
// participation of a running cohort is refused (ERASURE_NOT_ALLOWED): the
// seat ledger counts it, so erasing it would either free a seat nobody
// freed or count someone nobody can name.
//
// What stays (no personal data; the accounts and the ledger need it): the
// participation's name (a random id), role, state, application link, times,
// payment kinds, amounts, times and recorder, shipped item ids and times.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "clients/purge/purge_target.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/purge.h"

namespace kaizen::enrollment {

void ClearApplicant(v1::Applicant* m) {
  m->clear_display_name();
  m->clear_kana();
  m->clear_email();
  m->clear_municipality_code();
  m->clear_municipality_name();
  m->clear_department();
  m->clear_birth_date();
  m->clear_motivation();
  *m->mutable_consent() = WholeConsent(v1::Consent());
}

int ScrubErasedActors(v1::Application& a, const std::set<std::string>& subjects) {
  int scrubbed = 0;
  auto scrub = [&](auto* entry) {
    if (entry->actor().empty() || subjects.count(entry->actor()) == 0) return;
    entry->set_actor(std::string(kErasedActor));
    entry->clear_reason();
    ++scrubbed;
  };
  for (auto& h : *a.mutable_history()) scrub(&h);
  for (auto& d : *a.mutable_decisions()) scrub(&d);
  return scrubbed;
}

namespace {

// What erasing one person did to their application.
struct ErasedMember {
  int members = 0;         // their entry cleared (0 or 1)
  int history_entries = 0; // history and decision entries they were the actor of
  std::string application_id;  // their application, "" if none
  int member_index = -1;       // their entry in it, -1 if none
};

// The person's entry in their application cleared, and their account
// replaced by "erased" wherever it acted (with what they wrote there).
absl::StatusOr<ErasedMember> EraseApplicationMember(EnrollmentTx& tx, const v1::Participant& p,
                                                    const std::string& cohort_id) {
  ErasedMember out;
  if (p.application().empty()) return out;
  ASSIGN_OR_RETURN(auto ids, ParseChildName("application", p.application(), "applications"));
  if (ids.first != cohort_id) return out;
  absl::StatusOr<ApplicationRecord> app = tx.GetApplication(ids.first, ids.second);
  if (absl::IsNotFound(app.status())) return out;
  RETURN_IF_ERROR(app.status());
  out.application_id = ids.second;
  v1::Application& a = app->application;
  std::set<std::string> subjects;
  if (!p.subject().empty()) subjects.insert(p.subject());
  const std::string key = p.email().empty() ? "" : EmailKey(p.email());
  for (int i = 0; i < a.members_size() && !key.empty(); ++i) {
    if (a.members(i).email().empty() || EmailKey(a.members(i).email()) != key) continue;
    ClearApplicant(a.mutable_members(i));
    out.member_index = i;
    // Member 0 submitted it: the submitting account is theirs. A one-person
    // application's employer is theirs alone (a team's is the team's).
    if (i == 0) {
      if (!a.submitter().empty()) subjects.insert(a.submitter());
      a.clear_submitter();
    }
    if (a.members_size() == 1) {
      a.clear_municipality_code();
      a.clear_municipality_name();
    }
    out.members = 1;
    break;
  }
  subjects.erase(std::string(kSystemActor));
  out.history_entries = ScrubErasedActors(a, subjects);
  if (out.members > 0 || out.history_entries > 0) RETURN_IF_ERROR(tx.UpdateApplication(&*app));
  return out;
}

}  // namespace

absl::StatusOr<v1::PurgeReport> Enrollment::ErasePersonalData(
    const Principal& caller, const v1::ErasePersonalDataRequest& request) {
  RETURN_IF_ERROR(RequireSecretariat(caller));
  if (absl::StrContains(request.name(), "/applications/")) {
    ASSIGN_OR_RETURN(auto app_ids, ParseChildName("name", request.name(), "applications"));
    return EraseApplicationPersonalData(app_ids.first, app_ids.second);
  }
  ASSIGN_OR_RETURN(auto ids, ParseChildName("name", request.name(), "participants"));
  // Named references, not a structured binding: lambdas below capture them
  // (capturing a structured binding is C++20; clang refuses it in C++17).
  const std::string& cohort_id = ids.first;
  const std::string& participant_id = ids.second;
  std::set<std::string> configured;
  for (purge_client::PurgeTarget* t : config_.purge_targets) configured.insert(t->service());
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(store_->Write([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(cohort_id));
    ASSIGN_OR_RETURN(auto report_rows, tx.ListPurgeReport(cohort_id, participant_id));
    if (!report_rows.empty()) return absl::OkStatus();  // erased before: retry the rest only
    if (cohort.cohort.has_purge_time()) return CohortPurged();
    ASSIGN_OR_RETURN(ParticipantRecord rec, tx.GetParticipant(cohort_id, participant_id));
    v1::Participant& p = rec.participant;
    if (p.state() != v1::Participant::CANCELLED &&
        cohort.cohort.state() != v1::Cohort::FINISHED) {
      return ErasureNotAllowed();
    }
    // The partner forgets them (before their consent history goes).
    if (p.role() == v1::Participant::PARTICIPANT && EverShared(p)) {
      ChangeRecord change;
      change.participant_name = p.name();
      change.municipality_code = p.municipality_code();
      change.kind = v1::Change::DELETED;
      change.time = now;
      RETURN_IF_ERROR(tx.AppendChange(&change));
    }
    const std::string subject = p.subject();
    const std::string email_key = p.email().empty() ? "" : EmailKey(p.email());
    ASSIGN_OR_RETURN(ErasedMember member, EraseApplicationMember(tx, p, cohort_id));
    const int64_t consent_changes = p.consent_history_size();
    int64_t notes = 0;
    for (auto& pay : *p.mutable_payments()) {
      if (!pay.note().empty()) ++notes;
      pay.clear_note();
    }
    for (auto& shipment : *p.mutable_shipments()) {
      if (!shipment.note().empty()) ++notes;
      shipment.clear_note();
    }
    p.clear_subject();
    p.clear_display_name();
    p.clear_kana();
    p.clear_email();
    p.clear_municipality_code();
    p.clear_municipality_name();
    p.clear_department();
    p.clear_consent_history();
    *p.mutable_consent() = WholeConsent(v1::Consent());
    *p.mutable_update_time() = ToProto(now);
    // Not SaveParticipant: the feed got its DELETED above, not an update.
    RETURN_IF_ERROR(tx.UpdateParticipant(&rec));
    ASSIGN_OR_RETURN(ErasedKeys keys, tx.DeleteParticipantKeys(cohort_id, participant_id,
                                                               member.application_id, email_key));
    // Messages to them (their address, their name in a body): as the
    // participant, and as their application's member (notify.cc names both).
    ASSIGN_OR_RETURN(int messages,
                     tx.DeleteMessagesFor(ParticipantName(cohort_id, participant_id)));
    if (member.member_index >= 0) {
      ASSIGN_OR_RETURN(const int as_member,
                       tx.DeleteMessagesFor(absl::StrCat(
                           ApplicationName(cohort_id, member.application_id), "/members/",
                           member.member_index)));
      messages += as_member;
      // Their offer reminders (notify.cc names them apart).
      ASSIGN_OR_RETURN(const int reminders,
                       tx.DeleteMessagesFor(absl::StrCat(
                           ApplicationName(cohort_id, member.application_id),
                           "/offer-reminder/", member.member_index)));
      messages += reminders;
    }
    // Their reminder setting, unless another application still reserves
    // the address (notify_sql.h).
    if (!email_key.empty()) {
      RETURN_IF_ERROR(tx.DeleteUnusedReminderSettings({email_key}).status());
    }
    return StartPurgeReport(tx, cohort_id, participant_id, subject,
                            {{"participant", 1},
                             {"application_member", member.members},
                             {"history_actors", member.history_entries},
                             {"consent_changes", consent_changes},
                             {"notes", notes},
                             {"email_keys", keys.email_keys},
                             {"claim_links", keys.claim_links},
                             {"request_ids", keys.request_ids},
                             {"outbox_messages", messages}},
                            configured, now);
  }));
  return RunPurgeTargets(cohort_id, participant_id);
}

}  // namespace kaizen::enrollment
