// What other services and partners read: the roster (for Kaizen services
// and cohort staff) and the partner change feed, both projected from each
// participant's current state and consent at read time.
#include <map>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/municipalities.h"

namespace kaizen::enrollment {

absl::StatusOr<v1::Roster> Enrollment::GetRoster(const Principal& caller,
                                                 const v1::GetRosterRequest& request) {
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  v1::Roster roster;
  roster.set_cohort(request.parent());
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    // The caller first: whether the cohort exists is for its staff to know.
    if (!auth::HasRole(caller, kaizen::type::ROLE_SERVICE)) {
      ASSIGN_OR_RETURN(bool staff, IsCohortStaff(tx, cohort_id, caller));
      if (!staff) {
        return Denied(caller, StaffOnly("only this cohort's staff and Kaizen services may "
                                        "read the roster"));
      }
    }
    RETURN_IF_ERROR(tx.GetCohort(cohort_id).status());
    ParticipantFilter active;
    active.state = v1::Participant::ACTIVE;
    ASSIGN_OR_RETURN(auto rows, tx.ListParticipants(cohort_id, active, 0, 0));
    for (const ParticipantRecord& rec : rows) {
      auto* e = roster.add_entries();
      e->set_participant(rec.participant.name());
      e->set_display_name(rec.participant.display_name());
      e->set_role(rec.participant.role());
      e->set_municipality_code(rec.participant.municipality_code());
      AddMunicipalityName(e);
      e->set_subject(rec.participant.subject());
      // Current consent, so other services can honour it at read time.
      *e->mutable_consent() = WholeConsent(rec.participant.consent());
    }
    return absl::OkStatus();
  }));
  return roster;
}

absl::StatusOr<v1::ListChangesResponse> Enrollment::ListChanges(
    const Principal& caller, const v1::ListChangesRequest& request) {
  std::string municipality;
  if (IsPartner(caller)) {
    municipality = caller.municipality_code();
    if (municipality.empty()) return PartnerMunicipalityMissing();
  } else if (!IsSecretariat(caller)) {
    return Denied(caller, PartnerOnly());
  }
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size(), 100, 1000));
  const std::string fingerprint = absl::StrCat("changes\x1f", municipality);
  int64_t after_seq = 0;
  if (!request.cursor().empty()) {
    absl::StatusOr<std::string> position = page_tokens_.Decode(fingerprint, request.cursor());
    if (!position.ok() || !absl::SimpleAtoi(*position, &after_seq)) return InvalidCursor();
  }
  v1::ListChangesResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto rows, tx.ListChanges(after_seq, municipality, page_size));
    std::map<std::string, std::string> titles;
    for (const ChangeRecord& row : rows) {
      after_seq = row.seq;
      v1::Change* change = response.add_changes();
      change->set_participant(row.participant_name);
      *change->mutable_time() = ToProto(row.time);
      change->set_kind(v1::Change::DELETED);
      if (row.kind == v1::Change::DELETED) continue;
      auto ids = ParseChildName("participant", row.participant_name, "participants");
      if (!ids.ok()) return ids.status();
      absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant(ids->first, ids->second);
      if (absl::IsNotFound(rec.status())) continue;  // purged since
      if (!rec.ok()) return rec.status();
      // Projected through *current* consent: a revocation hides what was
      // shared before. Someone who shares nothing is not in the feed at all
      // (not even their state); someone who stopped sharing shows as
      // DELETED, so the partner forgets what it had.
      const v1::Participant& p = rec->participant;
      if (!SharesAnything(p.consent())) {
        if (!EverShared(p)) response.mutable_changes()->RemoveLast();
        continue;
      }
      change->set_kind(v1::Change::UPSERTED);
      change->set_municipality_code(p.municipality_code());
      AddMunicipalityName(change);
      change->set_state(p.state());
      *change->mutable_consent() = WholeConsent(p.consent());
      change->set_display_name(p.display_name());
      auto it = titles.find(ids->first);
      if (it == titles.end()) {
        ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(ids->first));
        it = titles.emplace(ids->first, cohort.cohort.title()).first;
      }
      change->set_cohort_title(it->second);
    }
    return absl::OkStatus();
  }));
  response.set_next_cursor(page_tokens_.Encode(fingerprint, absl::StrCat(after_seq)));
  return response;
}

}  // namespace kaizen::enrollment
