// The survey domain: instruments, waves, responses (with an unlinkable
// anonymous mode), the three lenses, reliability, and Japanese free text.
// Transport-free; every method takes the verified caller and returns the
// response or a named error (survey_errors.h; README.md lists them).
//
// Who may see which aggregate is the core of this service (access.h and
// disclosure.h): a person sees their own profile; a cohort's staff see
// everything of that cohort; every aggregate shown to anyone else covers at
// least k respondents, and the rest of any group it is shown beside is 0 or
// at least k, so nothing hidden can be recovered by subtraction.
//
// Consistency: each mutation is one SurveyStore::Write (BEGIN IMMEDIATE), so
// "one response per person per wave" holds under concurrent submissions.
// The roster and meeting times are read before the transaction; if
// enrollment or scheduling cannot be reached the call fails with
// UNAVAILABLE and writes nothing.
//
// Thread-safe; holds no mutable state besides the store.
#ifndef KAIZEN_SERVICES_SURVEY_SURVEY_H_
#define KAIZEN_SERVICES_SURVEY_SURVEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "clients/enrollment/roster.h"
#include "clients/partner/shared_read.h"
#include "clients/scheduling/meetings.h"
#include "common/util/clock.h"
#include "common/util/page_token.h"
#include "kaizen/survey/v1/survey.pb.h"
#include "kaizen/type/http_body.pb.h"
#include "kaizen/type/partner.pb.h"
#include "kaizen/type/principal.pb.h"
#include "kaizen/type/purge.pb.h"

namespace kaizen::survey {

using ::kaizen::type::Principal;
class SurveyStore;  // survey_store.h
namespace text {
class Tokenizer;  // text.h
}

struct SurveyConfig {
  // Signs page tokens. >= 16 bytes.
  std::string page_token_key;
  // k: the smallest group an aggregate shown outside a cohort's staff may
  // cover (disclosure::EffectiveK: default 5, never below 3).
  int min_group_size = 5;
};

class Survey {
 public:
  // None owned; all must outlive this object. `shared_reads` decides who
  // may read a person's shared profile and records partner pulls (main.cc
  // builds it over the same roster source and enrollment's
  // RecordProvision); without it GetSharedSurveyProfile answers INTERNAL
  // and provides nothing (tools that never serve partners, fuzzers).
  Survey(SurveyStore* store, enrollment_client::RosterSource* roster,
         scheduling_client::MeetingSource* meetings, const text::Tokenizer* tokenizer,
         const Clock* clock, SurveyConfig config,
         const partner_client::SharedReadGate* shared_reads = nullptr);

  // Creates the built-in pre-survey ("instruments/kaizen-pre", v1
  // published) and the default coding rules if missing. Idempotent; main()
  // calls it at start-up.
  absl::Status EnsureBuiltins();

  // Instruments (questionnaires.cc).
  absl::StatusOr<v1::ListInstrumentsResponse> ListInstruments(
      const Principal& caller, const v1::ListInstrumentsRequest& r);
  absl::StatusOr<v1::Instrument> GetInstrument(const Principal& caller,
                                               const v1::GetInstrumentRequest& r);
  absl::StatusOr<v1::Instrument> CreateInstrument(const Principal& caller,
                                                  const v1::CreateInstrumentRequest& r);
  absl::StatusOr<v1::InstrumentVersion> GetInstrumentVersion(
      const Principal& caller, const v1::GetInstrumentVersionRequest& r);
  absl::StatusOr<v1::InstrumentVersion> UpdateInstrumentVersion(
      const Principal& caller, const v1::UpdateInstrumentVersionRequest& r);
  absl::StatusOr<v1::InstrumentVersion> PublishInstrumentVersion(
      const Principal& caller, const v1::PublishInstrumentVersionRequest& r);
  absl::StatusOr<v1::InstrumentVersion> CreateInstrumentVersion(
      const Principal& caller, const v1::CreateInstrumentVersionRequest& r);

  // Waves (waves.cc).
  absl::StatusOr<v1::Wave> CreateWave(const Principal& caller, const v1::CreateWaveRequest& r);
  absl::StatusOr<v1::Wave> GetWave(const Principal& caller, const v1::GetWaveRequest& r);
  absl::StatusOr<v1::ListWavesResponse> ListWaves(const Principal& caller,
                                                  const v1::ListWavesRequest& r);
  absl::StatusOr<v1::Wave> UpdateWave(const Principal& caller, const v1::UpdateWaveRequest& r);

  // Responses (responses.cc).
  absl::StatusOr<v1::Response> SaveResponse(const Principal& caller,
                                            const v1::SaveResponseRequest& r);
  absl::StatusOr<v1::Response> GetMyResponse(const Principal& caller,
                                             const v1::GetMyResponseRequest& r);
  absl::StatusOr<v1::ListResponsesResponse> ListResponses(const Principal& caller,
                                                          const v1::ListResponsesRequest& r);
  absl::StatusOr<kaizen::type::HttpBody> ExportResponses(const Principal& caller,
                                                         const v1::ExportResponsesRequest& r);

  // The lenses (lenses.cc) and reliability (reliability.cc).
  absl::StatusOr<v1::PersonProfile> GetPersonProfile(const Principal& caller,
                                                     const v1::GetPersonProfileRequest& r);
  absl::StatusOr<v1::MunicipalityProfile> GetMunicipalityProfile(
      const Principal& caller, const v1::GetMunicipalityProfileRequest& r);
  absl::StatusOr<v1::Change> GetChange(const Principal& caller, const v1::GetChangeRequest& r);
  absl::StatusOr<v1::ScaleReliability> GetScaleReliability(
      const Principal& caller, const v1::GetScaleReliabilityRequest& r);

  // Free text (text_analysis.cc).
  absl::StatusOr<v1::TextAnalysis> AnalyzeText(const Principal& caller,
                                               const v1::AnalyzeTextRequest& r);
  absl::StatusOr<v1::CodingRules> GetCodingRules(const Principal& caller,
                                                 const v1::GetCodingRulesRequest& r);
  absl::StatusOr<v1::CodingRules> UpdateCodingRules(const Principal& caller,
                                                    const v1::UpdateCodingRulesRequest& r);

  // Personal-data purge and erasure (purge.cc; the proto comment has the
  // rules). The enrollment service only.
  absl::StatusOr<kaizen::type::PurgeReport> PurgePersonalData(
      const Principal& caller, const kaizen::type::PurgeRequest& r);

  // The partner release (shared_profile.cc; issue 14). One person's own
  // profile as shared with their employer: the insect's eye of each of
  // their submitted responses in non-anonymous waves (oldest first), scored
  // exactly as GetPersonProfile but without the reference pool (no
  // percentile, pool_size 0: nothing derived from other people's answers),
  // and their free-text answers marked share_with_employer (share_text, the
  // consent to aggregates and the reference corpus, releases nothing here).
  // Only responses saved under the person's current roster municipality
  // (their employer for this participation) are included. Read through
  // partner_client::SharedReadGate: a partner key gets it only for its own
  // consenting staff and only after enrollment recorded the provision
  // ("survey.profile", plus "survey.shared_text" when text is included);
  // the secretariat and the person themself read it without a record. No
  // submitted response: an empty answer and no record (nothing provided).
  absl::StatusOr<v1::SharedSurveyProfile> GetSharedSurveyProfile(
      const Principal& caller, const v1::GetSharedSurveyProfileRequest& r);
  // The SHARE_SURVEY_PROFILE change log, for enrollment's partner feed
  // (enrollment's service principal only).
  absl::StatusOr<kaizen::type::ListResultChangesResponse> ListResultChanges(
      const Principal& caller, const kaizen::type::ListResultChangesRequest& r);

 private:
  SurveyStore* store_;
  enrollment_client::RosterSource* roster_;
  scheduling_client::MeetingSource* meetings_;
  const text::Tokenizer* tokenizer_;
  const Clock* clock_;
  SurveyConfig config_;
  PageTokenCodec page_tokens_;
  const partner_client::SharedReadGate* shared_reads_;
};

}  // namespace kaizen::survey

#endif  // KAIZEN_SERVICES_SURVEY_SURVEY_H_
