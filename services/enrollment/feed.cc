// What other services and partners read: the roster (for Kaizen services
// and cohort staff) and the partner change feed, both projected from each
// participant's current state and consent at read time. The feed merges
// the services' result-change logs (result_feed.h) behind enrollment's own.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/feed_cursor.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/municipalities.h"
#include "services/enrollment/provision.h"
#include "services/enrollment/result_feed.h"

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
  // Bounded: each page may wait on three services (feed_guard.h).
  FeedGuard::Slot slot(feed_guard_);
  if (!slot.ok()) return FeedBusy(feed_guard_.max_pages(), feed_guard_.retry_after_seconds());
  const std::string fingerprint = absl::StrCat("changes\x1f", municipality);
  ASSIGN_OR_RETURN(const FeedPosition start,
                   DecodeFeedCursor(page_tokens_, fingerprint, request.cursor()));
  FeedPosition position = start;
  // Enrollment's own log first (its rows are this municipality's only), then
  // the services' logs with what is left of the page (result_feed.h). The
  // services are asked outside any transaction; every entry is projected
  // through the participant's current record in the one read below.
  std::vector<ChangeRecord> rows;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    // A position past the log's head was handed out before a restore of an
    // older backup: resuming there would skip whatever the log writes next.
    ASSIGN_OR_RETURN(const int64_t head, tx.ChangesHead());
    if (start.own > head) return CursorAheadOfFeed();
    ASSIGN_OR_RETURN(rows, tx.ListChanges(start.own, municipality, page_size));
    return absl::OkStatus();
  }));
  const int budget = page_size - static_cast<int>(rows.size());
  const SourcePages pages =
      FetchGuardedResultChanges(feed_guard_, clock_->Now(),
                                ArrangeFeedSources(config_.result_change_sources), start, budget);
  v1::ListChangesResponse response;
  // A page that names people to a partner key is a provision of personal
  // data (APPI Art. 29): for a partner the projection runs in a write
  // transaction that records each named entry (provision.h), so a name
  // leaves only with its record.
  const bool partner = IsPartner(caller);
  const auto project = [&](EnrollmentTx& tx) -> absl::Status {
    response.Clear();  // a retried transaction starts over
    position = start;
    const absl::Time now = clock_->Now();
    std::map<std::string, std::string> titles;
    for (const ChangeRecord& row : rows) {
      position.own = row.seq;
      v1::Change* change = response.add_changes();
      change->set_participant(row.participant_name);
      *change->mutable_time() = ToProto(row.time);
      change->set_kind(v1::Change::DELETED);
      if (row.kind == v1::Change::DELETED) continue;
      if (row.kind == v1::Change::RESULT_WITHDRAWN) {
        // A tombstone carries no personal data: always delivered, also when
        // consent came back since (an UPSERTED follows it then).
        change->set_kind(v1::Change::RESULT_WITHDRAWN);
        change->set_category(row.category);
        change->set_municipality_code(row.municipality_code);
        AddMunicipalityName(change);
        continue;
      }
      if (row.kind == v1::Change::RESULT_CHANGED) {
        // A team mate's consent or participation changed this person's
        // shared plans (result_feed.h): only while they share it now.
        ASSIGN_OR_RETURN(bool shown, ProjectOwnResultChange(tx, row, municipality, change));
        if (!shown) response.mutable_changes()->RemoveLast();
        continue;
      }
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
      // The consent in effect, not the stored flags: nothing is in effect
      // unless the person is an ACTIVE PARTICIPANT (a cancelled person's
      // flags would tell the partner to pull what the services refuse). The
      // name only travels while something is shared.
      const std::vector<kaizen::type::ShareCategory> effective = EffectiveShares(p);
      v1::Consent in_effect = WholeConsent(v1::Consent());
      for (kaizen::type::ShareCategory category : effective) {
        if (category == kaizen::type::SHARE_ATTENDANCE) in_effect.set_share_attendance(true);
        if (category == kaizen::type::SHARE_ACTION_PLAN) in_effect.set_share_action_plan(true);
        if (category == kaizen::type::SHARE_SURVEY_PROFILE) {
          in_effect.set_share_survey_profile(true);
        }
      }
      *change->mutable_consent() = in_effect;
      if (!effective.empty()) {
        change->set_display_name(p.display_name());
        if (partner) RETURN_IF_ERROR(RecordFeedProvision(tx, caller, p, in_effect, now));
      }
      auto it = titles.find(ids->first);
      if (it == titles.end()) {
        ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(ids->first));
        it = titles.emplace(ids->first, cohort.cohort.title()).first;
      }
      change->set_cohort_title(it->second);
    }
    return MergeResultChanges(tx, municipality, pages, budget, &position, &response);
  };
  RETURN_IF_ERROR(partner ? store_->Write(project) : store_->Read(project));
  // No position moved: the very cursor sent comes back (the end of the feed
  // when unavailable_sources is empty).
  response.set_next_cursor(!request.cursor().empty() && position == start
                               ? request.cursor()
                               : EncodeFeedCursor(page_tokens_, fingerprint, position));
  return response;
}

}  // namespace kaizen::enrollment
