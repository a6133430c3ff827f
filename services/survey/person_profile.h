// The insect's eye of one response (GetPersonProfile), as one function so
// that every RPC that shows a person's profile (GetPersonProfile,
// GetSharedSurveyProfile) computes it alike. Package-private.
#ifndef KAIZEN_SERVICES_SURVEY_PERSON_PROFILE_H_
#define KAIZEN_SERVICES_SURVEY_PERSON_PROFILE_H_

#include <string>
#include <vector>

#include "kaizen/survey/v1/survey.pb.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey::lens {

// `mine` is a submitted response of cohort `cohort_id` to `version`;
// `pool` the submitted responses of every cohort to the same instrument and
// wave kind (SurveyTx::ListPool), `mine` included. Scale scores (with the
// missing-item rule), the walls strongest first, the three strongest and
// weakest items, and, only against a pool of at least `k` scored
// respondents whose part outside the cohort is 0 or at least `k`, each
// score's percentile. `pool_size` is the pool's size.
v1::PersonProfile PersonProfileOf(const v1::InstrumentVersion& version, const ResponseRecord& mine,
                                  const std::vector<ResponseRecord>& pool,
                                  const std::string& participant, const std::string& wave_name,
                                  const std::string& cohort_id, int k);

}  // namespace kaizen::survey::lens

#endif  // KAIZEN_SERVICES_SURVEY_PERSON_PROFILE_H_
