#include "services/survey/grpc_service.h"

namespace kaizen::survey {

KAIZEN_DEFINE_RPC(SurveyGrpcService, ListInstruments, v1::ListInstrumentsRequest, v1::ListInstrumentsResponse)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetInstrument, v1::GetInstrumentRequest, v1::Instrument)
KAIZEN_DEFINE_RPC(SurveyGrpcService, CreateInstrument, v1::CreateInstrumentRequest, v1::Instrument)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetInstrumentVersion, v1::GetInstrumentVersionRequest, v1::InstrumentVersion)
KAIZEN_DEFINE_RPC(SurveyGrpcService, UpdateInstrumentVersion, v1::UpdateInstrumentVersionRequest, v1::InstrumentVersion)
KAIZEN_DEFINE_RPC(SurveyGrpcService, PublishInstrumentVersion, v1::PublishInstrumentVersionRequest, v1::InstrumentVersion)
KAIZEN_DEFINE_RPC(SurveyGrpcService, CreateInstrumentVersion, v1::CreateInstrumentVersionRequest, v1::InstrumentVersion)
KAIZEN_DEFINE_RPC(SurveyGrpcService, CreateWave, v1::CreateWaveRequest, v1::Wave)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetWave, v1::GetWaveRequest, v1::Wave)
KAIZEN_DEFINE_RPC(SurveyGrpcService, ListWaves, v1::ListWavesRequest, v1::ListWavesResponse)
KAIZEN_DEFINE_RPC(SurveyGrpcService, UpdateWave, v1::UpdateWaveRequest, v1::Wave)
KAIZEN_DEFINE_RPC(SurveyGrpcService, SaveResponse, v1::SaveResponseRequest, v1::Response)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetMyResponse, v1::GetMyResponseRequest, v1::Response)
KAIZEN_DEFINE_RPC(SurveyGrpcService, ListResponses, v1::ListResponsesRequest, v1::ListResponsesResponse)
KAIZEN_DEFINE_RPC(SurveyGrpcService, ExportResponses, v1::ExportResponsesRequest, kaizen::type::HttpBody)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetPersonProfile, v1::GetPersonProfileRequest, v1::PersonProfile)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetMunicipalityProfile, v1::GetMunicipalityProfileRequest, v1::MunicipalityProfile)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetChange, v1::GetChangeRequest, v1::Change)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetScaleReliability, v1::GetScaleReliabilityRequest, v1::ScaleReliability)
KAIZEN_DEFINE_RPC(SurveyGrpcService, AnalyzeText, v1::AnalyzeTextRequest, v1::TextAnalysis)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetCodingRules, v1::GetCodingRulesRequest, v1::CodingRules)
KAIZEN_DEFINE_RPC(SurveyGrpcService, UpdateCodingRules, v1::UpdateCodingRulesRequest, v1::CodingRules)
KAIZEN_DEFINE_RPC(SurveyGrpcService, PurgePersonalData, kaizen::type::PurgeRequest, kaizen::type::PurgeReport)
KAIZEN_DEFINE_RPC(SurveyGrpcService, GetSharedSurveyProfile, v1::GetSharedSurveyProfileRequest, v1::SharedSurveyProfile)
KAIZEN_DEFINE_RPC(SurveyGrpcService, ListResultChanges, kaizen::type::ListResultChangesRequest, kaizen::type::ListResultChangesResponse)

}  // namespace kaizen::survey
