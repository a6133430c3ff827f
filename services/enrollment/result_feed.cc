#include "services/enrollment/result_feed.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <utility>

#include "clients/partner/result_change_source.h"
#include "common/status/status_macros.h"
#include "common/util/proto_time.h"
#include "common/util/resource_name.h"
#include "services/enrollment/municipalities.h"

namespace kaizen::enrollment {
namespace {

using kaizen::type::ShareCategory;

bool Consents(const v1::Consent& c, ShareCategory category) {
  switch (category) {
    case kaizen::type::SHARE_ATTENDANCE: return c.share_attendance();
    case kaizen::type::SHARE_ACTION_PLAN: return c.share_action_plan();
    case kaizen::type::SHARE_SURVEY_PROFILE: return c.share_survey_profile();
    default: return false;
  }
}

}  // namespace

bool WellFormed(const kaizen::type::ListResultChangesResponse& r, int64_t after) {
  int64_t previous = after;
  for (const auto& change : r.changes()) {
    if (change.sequence() <= previous) return false;
    previous = change.sequence();
  }
  return r.last_sequence() == previous;
}

namespace {

}  // namespace

std::vector<ShareCategory> EffectiveShares(const v1::Participant& p) {
  std::vector<ShareCategory> shared;
  if (p.role() != v1::Participant::PARTICIPANT || p.state() != v1::Participant::ACTIVE) {
    return shared;
  }
  for (const FeedSource& source : kFeedSources) {
    if (Consents(p.consent(), source.category)) shared.push_back(source.category);
  }
  std::sort(shared.begin(), shared.end());
  return shared;
}

absl::Status AppendWithdrawals(EnrollmentTx& tx, const v1::Participant& before,
                               const v1::Participant& after, absl::Time now) {
  const std::vector<ShareCategory> still = EffectiveShares(after);
  for (ShareCategory category : EffectiveShares(before)) {
    if (std::find(still.begin(), still.end(), category) != still.end()) continue;
    ChangeRecord change;
    change.participant_name = after.name();
    change.municipality_code = after.municipality_code();
    change.kind = v1::Change::RESULT_WITHDRAWN;
    change.category = category;
    change.time = now;
    RETURN_IF_ERROR(tx.AppendChange(&change));
  }
  return absl::OkStatus();
}

absl::Status AppendTeamMateChanges(EnrollmentTx& tx, const std::string& cohort_id,
                                   const v1::Participant& before, const v1::Participant& after,
                                   absl::Time now) {
  auto shares_plan = [](const v1::Participant& p) {
    const std::vector<ShareCategory> shared = EffectiveShares(p);
    return std::find(shared.begin(), shared.end(), kaizen::type::SHARE_ACTION_PLAN) !=
           shared.end();
  };
  if (shares_plan(before) == shares_plan(after)) return absl::OkStatus();
  // The towns whose team plans with this person can change (one, unless the
  // employer itself changed in this write).
  std::set<std::string> towns;
  for (const v1::Participant* p : {&before, &after}) {
    if (!p->municipality_code().empty()) towns.insert(p->municipality_code());
  }
  for (const std::string& town : towns) {
    ParticipantFilter mates;
    mates.role = v1::Participant::PARTICIPANT;
    mates.state = v1::Participant::ACTIVE;
    mates.municipality_code = town;
    ASSIGN_OR_RETURN(std::vector<ParticipantRecord> rows,
                     tx.ListParticipants(cohort_id, mates, 0, 0));
    for (const ParticipantRecord& mate : rows) {
      if (mate.participant.name() == after.name()) continue;
      ChangeRecord change;
      change.participant_name = mate.participant.name();
      change.municipality_code = mate.participant.municipality_code();
      change.kind = v1::Change::RESULT_CHANGED;
      change.category = kaizen::type::SHARE_ACTION_PLAN;
      change.time = now;
      RETURN_IF_ERROR(tx.AppendChange(&change));
    }
  }
  return absl::OkStatus();
}

bool ResultChangeVisible(const v1::Participant* p, ShareCategory category,
                         const std::string& municipality) {
  return p != nullptr && p->role() == v1::Participant::PARTICIPANT &&
         p->state() == v1::Participant::ACTIVE && Consents(p->consent(), category) &&
         (municipality.empty() || p->municipality_code() == municipality);
}

absl::StatusOr<bool> ProjectOwnResultChange(EnrollmentTx& tx, const ChangeRecord& row,
                                            const std::string& municipality, v1::Change* out) {
  ASSIGN_OR_RETURN(auto ids, ParseResourceName("participant", row.participant_name,
                                               {"cohorts", "participants"}));
  absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant(ids[0], ids[1]);
  if (absl::IsNotFound(rec.status())) return false;  // purged since
  RETURN_IF_ERROR(rec.status());
  const v1::Participant& p = rec->participant;
  if (!ResultChangeVisible(&p, row.category, municipality)) return false;
  out->set_kind(v1::Change::RESULT_CHANGED);
  out->set_participant(row.participant_name);
  *out->mutable_time() = ToProtoTimestamp(row.time);
  out->set_category(row.category);
  out->set_municipality_code(p.municipality_code());
  AddMunicipalityName(out);
  return true;
}

FeedSources ArrangeFeedSources(const std::vector<partner_client::ResultChangeSource*>& sources) {
  FeedSources arranged{};
  for (partner_client::ResultChangeSource* source : sources) {
    if (source == nullptr) continue;
    for (size_t i = 0; i < kFeedSources.size(); ++i) {
      if (source->service() == kFeedSources[i].service) arranged[i] = source;
    }
  }
  return arranged;
}

SourcePages FetchResultChanges(const FeedSources& sources, const FeedPosition& position,
                               int budget) {
  SourcePages pages;
  if (budget <= 0) return pages;
  std::vector<std::thread> calls;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i] == nullptr) continue;
    pages[i].asked = true;
    try {
      calls.emplace_back(
          [&, i] { pages[i].response = sources[i]->List(position.sources[i], budget); });
    } catch (const std::system_error&) {
      // No thread to be had (resource limits): this source is unavailable
      // for this page, its position kept; the others still answer.
      pages[i].response = partner_client::ResultSourceUnavailable(kFeedSources[i].service);
    }
  }
  for (std::thread& t : calls) t.join();
  return pages;
}

SourcePages FetchGuardedResultChanges(FeedGuard& guard, absl::Time now, FeedSources sources,
                                      const FeedPosition& position, int budget) {
  if (budget <= 0) return SourcePages{};
  std::array<bool, kFeedSources.size()> resting{};
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i] != nullptr && !guard.SourceOpen(i, now)) {
      resting[i] = true;
      sources[i] = nullptr;
    }
  }
  SourcePages pages = FetchResultChanges(sources, position, budget);
  for (size_t i = 0; i < pages.size(); ++i) {
    if (resting[i]) {
      pages[i].asked = true;
      pages[i].response = partner_client::ResultSourceUnavailable(kFeedSources[i].service);
      continue;
    }
    if (!pages[i].asked) continue;
    if (!pages[i].response.ok()) {
      guard.RecordFailure(i, now, pages[i].response.status().code());
    } else if (!WellFormed(*pages[i].response, position.sources[i])) {
      guard.RecordFailure(i, now, absl::StatusCode::kInternal);
    } else {
      guard.RecordSuccess(i);
    }
  }
  return pages;
}

absl::Status MergeResultChanges(EnrollmentTx& tx, const std::string& municipality,
                                const SourcePages& pages, int budget, FeedPosition* position,
                                v1::ListChangesResponse* response) {
  // Participants read once per page (nullopt: not found, purged since).
  std::map<std::string, std::optional<v1::Participant>> people;
  auto find = [&](const std::string& name) -> absl::StatusOr<const v1::Participant*> {
    auto it = people.find(name);
    if (it == people.end()) {
      std::optional<v1::Participant> found;
      auto ids = ParseResourceName("participant", name, {"cohorts", "participants"});
      if (ids.ok()) {
        absl::StatusOr<ParticipantRecord> rec = tx.GetParticipant((*ids)[0], (*ids)[1]);
        if (rec.ok()) {
          found = std::move(rec->participant);
        } else if (!absl::IsNotFound(rec.status())) {
          return rec.status();
        }
      }
      it = people.emplace(name, std::move(found)).first;
    }
    return it->second.has_value() ? &*it->second : nullptr;
  };

  std::vector<v1::Change> emitted;
  for (size_t i = 0; i < pages.size(); ++i) {
    const SourcePage& page = pages[i];
    if (!page.asked) continue;
    const int64_t after = position->sources[i];
    if (!page.response.ok() || !WellFormed(*page.response, after)) {
      response->add_unavailable_sources(std::string(kFeedSources[i].service));
      continue;
    }
    if (budget <= 0) continue;  // asked, but earlier sources filled the page
    int64_t reached = page.response->last_sequence();
    for (int n = 0; n < page.response->changes_size(); ++n) {
      const kaizen::type::ResultChange& change = page.response->changes(n);
      if (budget == 0) {
        reached = page.response->changes(n - 1).sequence();
        break;
      }
      --budget;
      if (change.category() != kFeedSources[i].category) continue;  // not this log's
      ASSIGN_OR_RETURN(const v1::Participant* p, find(change.participant()));
      if (!ResultChangeVisible(p, change.category(), municipality)) continue;
      v1::Change out;
      out.set_kind(v1::Change::RESULT_CHANGED);
      out.set_participant(change.participant());
      *out.mutable_time() = change.time();
      out.set_category(change.category());
      out.set_municipality_code(p->municipality_code());
      AddMunicipalityName(&out);
      emitted.push_back(std::move(out));
    }
    position->sources[i] = reached;
  }
  // Fold repeats: keep the last RESULT_CHANGED per person and category.
  std::set<std::pair<std::string, int>> seen;
  std::vector<bool> keep(emitted.size(), true);
  for (size_t k = emitted.size(); k-- > 0;) {
    keep[k] = seen.insert({emitted[k].participant(), emitted[k].category()}).second;
  }
  for (size_t k = 0; k < emitted.size(); ++k) {
    if (keep[k]) *response->add_changes() = std::move(emitted[k]);
  }
  return absl::OkStatus();
}

}  // namespace kaizen::enrollment
