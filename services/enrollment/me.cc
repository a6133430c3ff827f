// The caller's own view (GetMe) and a cohort's member list as its members
// see it (ListCohortMembers).
//
// GetMe reads by account: applications by their submitter column and
// participations by their subject column (both indexed, schema 2), grouped
// per cohort, newest cohort first. Nothing in it is someone else's.
//
// ListCohortMembers is participant-safe by construction: it copies display
// name, municipality and role into CohortMember and nothing else, so no
// e-mail, consent, fee or account can leak through a later Participant field.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/enrollment/access.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_errors.h"
#include "services/enrollment/internal.h"
#include "services/enrollment/municipalities.h"
#include "services/enrollment/waitlist.h"

namespace kaizen::enrollment {

absl::StatusOr<v1::Me> Enrollment::GetMe(const Principal& caller, const v1::GetMeRequest&) {
  if (IsPartner(caller)) return PartnerFeedOnly();
  if (caller.subject().empty()) return LoginRequired();
  v1::Me me;
  me.set_subject(caller.subject());
  for (int role : caller.roles()) me.add_roles(static_cast<kaizen::type::Role>(role));
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto apps, tx.ListApplicationsBySubmitter(caller.subject()));
    ASSIGN_OR_RETURN(auto people, tx.ListParticipantsBySubject(caller.subject()));
    std::map<std::string, v1::Me::CohortEntry> entries;  // by cohort id
    for (const ApplicationRecord& rec : apps) {
      v1::Me::MyApplication* a = entries[rec.cohort_id].add_applications();
      a->set_name(rec.application.name());
      a->set_state(rec.application.state());
      if (rec.application.has_offer_expire_time()) {
        *a->mutable_offer_expire_time() = rec.application.offer_expire_time();
      }
      ASSIGN_OR_RETURN(int position, WaitlistPosition(tx, rec));
      a->set_waitlist_position(position);
    }
    for (const ParticipantRecord& rec : people) {
      v1::Me::MyParticipation* p = entries[rec.cohort_id].add_participations();
      p->set_name(rec.participant.name());
      p->set_role(rec.participant.role());
      p->set_state(rec.participant.state());
      p->set_application(rec.participant.application());
    }
    std::vector<std::pair<int64_t, v1::Me::CohortEntry>> ordered;
    for (auto& [cohort_id, entry] : entries) {
      ASSIGN_OR_RETURN(CohortRecord cohort, tx.GetCohort(cohort_id));
      entry.set_cohort(cohort.cohort.name());
      entry.set_cohort_title(cohort.cohort.title());
      entry.set_cohort_state(cohort.cohort.state());
      ordered.emplace_back(cohort.seq, std::move(entry));
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (auto& [seq, entry] : ordered) *me.add_cohorts() = std::move(entry);
    return absl::OkStatus();
  }));
  return me;
}

absl::StatusOr<v1::ListCohortMembersResponse> Enrollment::ListCohortMembers(
    const Principal& caller, const v1::ListCohortMembersRequest& request) {
  if (IsPartner(caller)) return PartnerFeedOnly();
  ASSIGN_OR_RETURN(std::string cohort_id, ParseCohortName("parent", request.parent()));
  ASSIGN_OR_RETURN(int page_size, EffectivePageSize(request.page_size()));
  const std::string fingerprint = absl::StrCat("members\x1f", request.parent());
  int64_t after_seq = 0;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, page_tokens_.Decode(fingerprint, request.page_token()));
    if (!absl::SimpleAtoi(position, &after_seq)) return InvalidPageToken();
  }
  v1::ListCohortMembersResponse response;
  RETURN_IF_ERROR(store_->Read([&](EnrollmentTx& tx) -> absl::Status {
    // The caller first: an active participation of theirs in this cohort,
    // or its staff. Whether the cohort exists is for them to know.
    bool member = false;
    ASSIGN_OR_RETURN(auto mine, tx.ListParticipantsBySubject(caller.subject()));
    for (const ParticipantRecord& p : mine) {
      member = member || (p.cohort_id == cohort_id &&
                          p.participant.state() == v1::Participant::ACTIVE);
    }
    if (!member) {
      ASSIGN_OR_RETURN(member, IsCohortStaff(tx, cohort_id, caller));
    }
    if (!member) return Denied(caller, MembersOnly());
    RETURN_IF_ERROR(tx.GetCohort(cohort_id).status());
    ParticipantFilter active;
    active.state = v1::Participant::ACTIVE;
    // A cohort has at most 1000 seats plus its staff: reading it whole gives
    // an exact total_size at the cost of one indexed range scan.
    ASSIGN_OR_RETURN(auto rows, tx.ListParticipants(cohort_id, active, 0, 0));
    response.set_total_size(static_cast<int32_t>(rows.size()));
    int64_t last_seq = 0;
    bool more = false;
    for (const ParticipantRecord& rec : rows) {
      if (rec.seq <= after_seq) continue;
      if (response.members_size() == page_size) {
        more = true;
        break;
      }
      v1::CohortMember* m = response.add_members();
      m->set_display_name(rec.participant.display_name());
      m->set_municipality_code(rec.participant.municipality_code());
      AddMunicipalityName(m);
      m->set_role(rec.participant.role());
      last_seq = rec.seq;
    }
    if (more) response.set_next_page_token(page_tokens_.Encode(fingerprint, absl::StrCat(last_seq)));
    return absl::OkStatus();
  }));
  return response;
}

}  // namespace kaizen::enrollment
