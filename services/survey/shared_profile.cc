// The partner release (issue 14): one person's own survey profile as shared
// with their employer (GetSharedSurveyProfile), and the log of changes to it
// that enrollment merges into the partner change feed (ListResultChanges).
//
// Order of a shared read (clients/partner/shared_read.h): authorise against
// enrollment's roster before anything is read, read, then (for a partner
// key) have enrollment record the provision of exactly the items about to
// leave; enrollment re-checks consent there, so a revocation in between
// provides nothing. Only the person's own responses are read: the profile
// is scored without the reference pool, so nothing in it is derived from
// anyone else's answers.
//
// Free text goes only where its author agreed to this purpose
// (Answer.share_with_employer). Answer.share_text is a different consent
// (the text may leave the staff in aggregates and the reference corpus) and
// releases nothing here: APPI needs consent per purpose.
//
// Results go to the person's current employer for their participation:
// their roster entry's municipality. A response keeps the municipality it
// was saved under (a copy of the roster's at that save), so a response given
// while employed elsewhere is left out rather than sent to the new employer.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "clients/partner/result_changes_contract.h"
#include "clients/partner/shared_read.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "services/survey/disclosure.h"
#include "services/survey/internal.h"
#include "services/survey/lens_support.h"
#include "services/survey/person_profile.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey {

namespace {

// The data items a provision record names (documented in README.md).
constexpr char kItemProfile[] = "survey.profile";
constexpr char kItemSharedText[] = "survey.shared_text";
// The RPC a record names (survey_server_test checks it against the stub's).
constexpr char kSharedProfileMethod[] = "/kaizen.survey.v1.SurveyService/GetSharedSurveyProfile";

// One submitted response of the person in a non-anonymous wave.
struct Submitted {
  WaveRecord wave;
  v1::InstrumentVersion version;
  ResponseRecord response;
};

// The person's free-text answers they agreed to send to their employer, in
// the version's item order (empty texts are no answer). share_text is not
// this consent and does not count.
void AddSharedText(const Submitted& s, v1::SharedSurveyProfile* out) {
  for (const v1::Item& item : s.version.items()) {
    for (const v1::Answer& a : s.response.response.answers()) {
      if (a.item_id() != item.id() || a.value_case() != v1::Answer::kText) continue;
      if (!a.share_with_employer() || a.text().empty()) continue;
      v1::SharedSurveyProfile::SharedText* t = out->add_shared_text();
      t->set_wave(s.wave.wave.name());
      t->set_item_id(item.id());
      t->set_question(item.text());
      t->set_text(a.text());
    }
  }
}

}  // namespace

absl::StatusOr<v1::SharedSurveyProfile> Survey::GetSharedSurveyProfile(
    const Principal& caller, const v1::GetSharedSurveyProfileRequest& r) {
  ASSIGN_OR_RETURN(partner_client::SharedReadRequest request,
                   partner_client::ParseSharedRead(r.participant(), r.bundle()));
  if (shared_reads_ == nullptr) {
    return errors::Internal("shared survey profiles are not configured on this server");
  }
  ASSIGN_OR_RETURN(
      partner_client::SharedReader reader,
      shared_reads_->Authorise(caller, request, kaizen::type::SHARE_SURVEY_PROFILE));

  // The employer the profile is for: for a partner key its own municipality
  // (the gate checked they are the same), for the secretariat and the person
  // the one a partner would be.
  const std::string& employer = reader.entry->municipality_code();
  std::vector<Submitted> submitted;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<WaveRecord> waves, tx.ListWaves(request.cohort_id));
    for (WaveRecord& wave : waves) {
      // An anonymous wave's responses belong to no one (and are not found).
      if (wave.wave.anonymous()) continue;
      absl::StatusOr<ResponseRecord> found =
          tx.FindResponseOf(request.cohort_id, wave.id, request.participant);
      if (absl::IsNotFound(found.status())) continue;
      if (!found.ok()) return found.status();
      // A saved but unsubmitted response is nobody's profile yet.
      if (!found->response.submitted()) continue;
      // Given while employed elsewhere: not this employer's to receive.
      if (found->response.municipality_code() != employer) continue;
      ASSIGN_OR_RETURN(VersionRecord version, lens::VersionOfWave(tx, wave.wave));
      submitted.push_back({std::move(wave), std::move(version.version), *std::move(found)});
    }
    return absl::OkStatus();
  }));
  std::stable_sort(submitted.begin(), submitted.end(), [](const auto& a, const auto& b) {
    const auto& ta = a.response.response.submit_time();
    const auto& tb = b.response.response.submit_time();
    return ta.seconds() != tb.seconds() ? ta.seconds() < tb.seconds() : ta.nanos() < tb.nanos();
  });

  v1::SharedSurveyProfile out;
  out.set_participant(request.participant);
  // Nothing submitted: nothing about the person leaves, so nothing is
  // recorded (a record would claim a provision that did not happen).
  if (submitted.empty()) return out;
  const int k = disclosure::EffectiveK(config_.min_group_size);
  for (const Submitted& s : submitted) {
    v1::SharedSurveyProfile::WaveProfile* w = out.add_waves();
    w->set_wave(s.wave.wave.name());
    w->set_wave_kind(s.wave.wave.kind());
    *w->mutable_submit_time() = s.response.response.submit_time();
    // Without the pool: no percentile and pool_size 0 (see survey.h).
    *w->mutable_profile() = lens::PersonProfileOf(s.version, s.response, {}, request.participant,
                                                  s.wave.wave.name(), request.cohort_id, k);
    AddSharedText(s, &out);
  }
  std::vector<std::string> items = {kItemProfile};
  if (out.shared_text_size() > 0) items.push_back(kItemSharedText);
  RETURN_IF_ERROR(shared_reads_->Record(reader, items, kSharedProfileMethod));
  return out;
}

absl::StatusOr<kaizen::type::ListResultChangesResponse> Survey::ListResultChanges(
    const Principal& caller, const kaizen::type::ListResultChangesRequest& r) {
  RETURN_IF_ERROR(partner_client::RequireEnrollmentReader(caller));
  ASSIGN_OR_RETURN(partner_client::ResultChangesQuery query,
                   partner_client::ParseListResultChanges(r));
  kaizen::type::ListResultChangesResponse out;
  RETURN_IF_ERROR(store_->Read([&](SurveyTx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(out, tx.ListResultChanges(query.after_sequence, query.page_size));
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace kaizen::survey
