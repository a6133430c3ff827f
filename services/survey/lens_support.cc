#include "services/survey/lens_support.h"

#include "common/auth/principal.h"
#include "common/status/status_macros.h"
#include "services/survey/disclosure.h"

namespace kaizen::survey::lens {
namespace {

int Total(const Counts& counts) {
  int n = 0;
  for (const auto& [group, c] : counts) n += c;
  return n;
}

int CountIn(const Counts& counts, const std::string& group) {
  auto it = counts.find(group);
  return it == counts.end() ? 0 : it->second;
}

}  // namespace


bool IsPartnerOrService(const kaizen::type::Principal& p) {
  return auth::HasRole(p, kaizen::type::ROLE_PARTNER_HR) ||
         auth::HasRole(p, kaizen::type::ROLE_SERVICE);
}

absl::StatusOr<VersionRecord> VersionOfWave(SurveyTx& tx, const v1::Wave& wave) {
  ASSIGN_OR_RETURN(
      auto id, internal::ParseVersionName("wave.instrument_version", wave.instrument_version()));
  return tx.GetVersion(id.first, id.second);
}

std::vector<double> ScoresOf(const std::vector<const Scored*>& rows, const std::string& scale_id) {
  std::vector<double> out;
  for (const Scored* s : rows) {
    auto it = s->scales.find(scale_id);
    if (it != s->scales.end()) out.push_back(it->second);
  }
  return out;
}

std::vector<const Scored*> All(const std::vector<Scored>& rows) {
  std::vector<const Scored*> out;
  out.reserve(rows.size());
  for (const Scored& s : rows) out.push_back(&s);
  return out;
}

bool RestIsSafe(int rest, int k) { return rest == 0 || rest >= k; }

bool SmallGroupsSafe(const Counts& counts, const std::string* except, int k) {
  int small = 0;
  for (const auto& [group, n] : counts) {
    if (n < k && (except == nullptr || group != *except)) small += n;
  }
  return RestIsSafe(small, k);
}

bool MayReleaseGroup(const Counts& group, const Counts& pool, int k) {
  const int group_n = Total(group);
  const int pool_n = Total(pool);
  if (!disclosure::MayRelease(group_n, pool_n, k)) return false;
  // "" stands for a caller who knows no cohort's part.
  std::vector<std::string> known = {""};
  for (const auto& [cohort, n] : pool) known.push_back(cohort);
  for (const std::string& c : known) {
    const int group_c = CountIn(group, c);
    const int pool_c = CountIn(pool, c);
    if (!RestIsSafe(group_n - group_c, k)) return false;
    if (!RestIsSafe((pool_n - group_n) - (pool_c - group_c), k)) return false;
    if (!SmallGroupsSafe(pool, &c, k)) return false;
  }
  return true;
}

bool MayReleaseGroupTo(const Counts& group, const Counts& pool,
                       const std::set<std::string>& known, int k) {
  if (!MayReleaseGroup(group, pool, k)) return false;
  int group_known = 0;
  int pool_known = 0;
  for (const std::string& c : known) {
    group_known += CountIn(group, c);
    pool_known += CountIn(pool, c);
  }
  const int group_n = Total(group);
  const int pool_n = Total(pool);
  return RestIsSafe(group_n - group_known, k) &&
         RestIsSafe((pool_n - group_n) - (pool_known - group_known), k);
}

bool MayReleasePoolTo(const Counts& pool, const std::string& known, int k) {
  return RestIsSafe(Total(pool) - CountIn(pool, known), k) && SmallGroupsSafe(pool, &known, k);
}

void SetScaleFields(const v1::Scale& scale, v1::ScaleScore* out) {
  out->set_scale_id(scale.id());
  out->set_title(scale.title());
  out->set_kind(scale.kind());
  out->set_wall(scale.wall());
}

}  // namespace kaizen::survey::lens
