// The gRPC face of the survey service: one line per RPC (see
// KAIZEN_DEFINE_RPC in common/server/principal_context.h).
#ifndef KAIZEN_SERVICES_SURVEY_GRPC_SERVICE_H_
#define KAIZEN_SERVICES_SURVEY_GRPC_SERVICE_H_

#include "common/auth/principal.h"
#include "common/server/unary_call.h"
#include "kaizen/survey/v1/survey.grpc.pb.h"
#include "services/survey/survey.h"

namespace kaizen::survey {

class SurveyGrpcService final : public v1::SurveyService::CallbackService,
                              public server::ExecutorBound {
 public:
  // Neither is owned; both must outlive the service.
  SurveyGrpcService(Survey* domain, const auth::PrincipalSigner* signer)
      : domain_(domain), signer_(signer) {}

  KAIZEN_DECLARE_RPC(ListInstruments, v1::ListInstrumentsRequest, v1::ListInstrumentsResponse)
  KAIZEN_DECLARE_RPC(GetInstrument, v1::GetInstrumentRequest, v1::Instrument)
  KAIZEN_DECLARE_RPC(CreateInstrument, v1::CreateInstrumentRequest, v1::Instrument)
  KAIZEN_DECLARE_RPC(GetInstrumentVersion, v1::GetInstrumentVersionRequest, v1::InstrumentVersion)
  KAIZEN_DECLARE_RPC(UpdateInstrumentVersion, v1::UpdateInstrumentVersionRequest, v1::InstrumentVersion)
  KAIZEN_DECLARE_RPC(PublishInstrumentVersion, v1::PublishInstrumentVersionRequest, v1::InstrumentVersion)
  KAIZEN_DECLARE_RPC(CreateInstrumentVersion, v1::CreateInstrumentVersionRequest, v1::InstrumentVersion)
  KAIZEN_DECLARE_RPC(CreateWave, v1::CreateWaveRequest, v1::Wave)
  KAIZEN_DECLARE_RPC(GetWave, v1::GetWaveRequest, v1::Wave)
  KAIZEN_DECLARE_RPC(ListWaves, v1::ListWavesRequest, v1::ListWavesResponse)
  KAIZEN_DECLARE_RPC(UpdateWave, v1::UpdateWaveRequest, v1::Wave)
  KAIZEN_DECLARE_RPC(SaveResponse, v1::SaveResponseRequest, v1::Response)
  KAIZEN_DECLARE_RPC(GetMyResponse, v1::GetMyResponseRequest, v1::Response)
  KAIZEN_DECLARE_RPC(ListResponses, v1::ListResponsesRequest, v1::ListResponsesResponse)
  KAIZEN_DECLARE_RPC(ExportResponses, v1::ExportResponsesRequest, kaizen::type::HttpBody)
  KAIZEN_DECLARE_RPC(GetPersonProfile, v1::GetPersonProfileRequest, v1::PersonProfile)
  KAIZEN_DECLARE_RPC(GetMunicipalityProfile, v1::GetMunicipalityProfileRequest, v1::MunicipalityProfile)
  KAIZEN_DECLARE_RPC(GetChange, v1::GetChangeRequest, v1::Change)
  KAIZEN_DECLARE_RPC(GetScaleReliability, v1::GetScaleReliabilityRequest, v1::ScaleReliability)
  KAIZEN_DECLARE_RPC(AnalyzeText, v1::AnalyzeTextRequest, v1::TextAnalysis)
  KAIZEN_DECLARE_RPC(GetCodingRules, v1::GetCodingRulesRequest, v1::CodingRules)
  KAIZEN_DECLARE_RPC(UpdateCodingRules, v1::UpdateCodingRulesRequest, v1::CodingRules)
  KAIZEN_DECLARE_RPC(PurgePersonalData, kaizen::type::PurgeRequest, kaizen::type::PurgeReport)
  KAIZEN_DECLARE_RPC(GetSharedSurveyProfile, v1::GetSharedSurveyProfileRequest, v1::SharedSurveyProfile)
  KAIZEN_DECLARE_RPC(ListResultChanges, kaizen::type::ListResultChangesRequest, kaizen::type::ListResultChangesResponse)

 private:
  Survey* domain_;
  const auth::PrincipalSigner* signer_;
};

}  // namespace kaizen::survey

#endif  // KAIZEN_SERVICES_SURVEY_GRPC_SERVICE_H_
