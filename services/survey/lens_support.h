// What the lens files (lenses.cc, change.cc) share: the disclosure tests
// that decide which groups may be published beside which, and small helpers
// over scored respondents. Package-private; nothing here is API.
//
// disclosure::MayRelease(group, pool) is always the first test; the others
// close the subtractions that other published figures allow:
//  - the staff of any cohort c know c's part of both a group and the pool
//    (GetMunicipalityProfile with `cohort`, GetChange): taking it away must
//    leave, among the people they do not know, each rest 0 or at least k;
//  - GetChange publishes the means of whole cohorts of at least k (years),
//    and released municipalities are published beside the pool: the groups
//    below k left over must together hold 0 or at least k respondents.
#ifndef KAIZEN_SERVICES_SURVEY_LENS_SUPPORT_H_
#define KAIZEN_SERVICES_SURVEY_LENS_SUPPORT_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kaizen/survey/v1/survey.pb.h"
#include "kaizen/type/principal.pb.h"
#include "kaizen/type/wall.pb.h"
#include "services/survey/internal.h"
#include "services/survey/survey_store.h"

namespace kaizen::survey::lens {

using internal::Scored;

inline constexpr int kItemsShown = 3;
inline constexpr kaizen::type::Wall kWalls[] = {
    kaizen::type::PEERS, kaizen::type::SENIORS_AND_BOSSES, kaizen::type::EXECUTIVES,
    kaizen::type::HR_EVALUATION};

// Respondents per group (cohort id, or municipality code).
using Counts = std::map<std::string, int>;

// Partner keys and Kaizen services: never given an aggregate here.
bool IsPartnerOrService(const kaizen::type::Principal& p);

// The version a wave was created on.
absl::StatusOr<VersionRecord> VersionOfWave(SurveyTx& tx, const v1::Wave& wave);

// The scores of `scale_id` among `rows` (respondents without one skipped).
std::vector<double> ScoresOf(const std::vector<const Scored*>& rows, const std::string& scale_id);
std::vector<const Scored*> All(const std::vector<Scored>& rows);

// 0 or at least k.
bool RestIsSafe(int rest, int k);

// The groups below k, other than `except` (none when null), together hold 0
// or at least k respondents.
bool SmallGroupsSafe(const Counts& counts, const std::string* except, int k);

// May a group (respondents per cohort) be shown beside the pool (per cohort)
// to a caller who is not privileged for it?
bool MayReleaseGroup(const Counts& group, const Counts& pool, int k);

// MayReleaseGroup for a caller who can see the parts of every cohort in
// `known` on their own (a navigator or advisor on several cohorts' staff
// gets each with the cohort filter): what is left of the group, and of the
// rest of the pool, after taking all of them away together is 0 or at
// least k as well. MayReleaseGroup tests one cohort at a time only.
bool MayReleaseGroupTo(const Counts& group, const Counts& pool,
                       const std::set<std::string>& known, int k);

// May the pool (per cohort) be shown to the staff of cohort `known`, who
// know all of that cohort's part?
bool MayReleasePoolTo(const Counts& pool, const std::string& known, int k);

void SetScaleFields(const v1::Scale& scale, v1::ScaleScore* out);

}  // namespace kaizen::survey::lens

#endif  // KAIZEN_SERVICES_SURVEY_LENS_SUPPORT_H_
