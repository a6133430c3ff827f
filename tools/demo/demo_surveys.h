// The demo survey content that load_demo_data writes into the survey
// service: each municipality's (fictional) character, the FY2022
// participants' own words, the fictional reference cohorts and the
// generated answers (loader_surveys.cc loads them).
#ifndef KAIZEN_TOOLS_DEMO_DEMO_SURVEYS_H_
#define KAIZEN_TOOLS_DEMO_DEMO_SURVEYS_H_

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/util/split_mix64.h"
#include "kaizen/survey/v1/survey.pb.h"

namespace kaizen::demo {

namespace svv1 = ::kaizen::survey::v1;

// Deterministic pseudo-random numbers (SplitMix64, seeded from fixed strings)
// so every load writes the same answers on every machine.
class DemoRandom : public util::SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  // Roughly standard normal (the sum of four uniforms, rescaled).
  double Normal() {
    double sum = 0;
    for (int i = 0; i < 4; ++i) sum += Uniform();
    return (sum - 2.0) * std::sqrt(3.0);
  }
};

// Defined in demo_surveys.cc.
uint64_t Seed(std::initializer_list<absl::string_view> parts);

// What the demo survey answers say about a municipality (fictional): scale
// offsets on the five-point scale (a positive wall offset is a stronger
// wall, a positive management offset a stronger characteristic), so that the
// bird's eye finds something distinctive, and the walls its people write
// about in the pre-survey.
struct DemoMunicipality {
  const char* code;
  std::map<std::string, double> offsets;
  std::vector<const char*> walls_now;
};

// Defined in demo_surveys.cc.
const DemoMunicipality* FindDemoMunicipality(const std::string& code);
const std::vector<const char*>& FollowUpTexts();

// The FY2022 participants' own words about their walls (PRE, FOLLOW_UP_6,
// FOLLOW_UP_12), by display name. 井上 and 上田 of the 札幌市 team have no
// account (the team's submitter applied for them), so they do not answer.
struct DemoVoice {
  const char* display_name;
  const char* texts[3];
  bool share_text;
};

// Defined in demo_surveys.cc.
const std::vector<DemoVoice>& FY2022Voices();

// The FY2022 participant who only saved a partial 12-month follow-up.
inline constexpr absl::string_view kPartialRespondent = "工藤 悠真";

// The fictional reference cohorts: later years of the programme whose
// answers form the pool every lens compares against. Ten people each, one
// application each (so everyone has an account and answers).
struct PoolCohort {
  const char* id;
  int fiscal_year;
  // Municipality codes, one per participant.
  std::vector<const char*> towns;
};

// Defined in demo_surveys.cc.
const std::vector<PoolCohort>& PoolCohorts();

// Fictional names for the reference cohorts: surname i with given name j.
inline const std::pair<const char*, const char*> kPoolSurnames[] = {
    {"青山", "あおやま"}, {"石田", "いしだ"},   {"宇野", "うの"},     {"岡本", "おかもと"},
    {"川口", "かわぐち"}, {"菊地", "きくち"},   {"久保", "くぼ"},     {"小松", "こまつ"},
    {"坂本", "さかもと"}, {"島田", "しまだ"},   {"杉山", "すぎやま"}, {"高木", "たかぎ"},
    {"田村", "たむら"},   {"土屋", "つちや"},   {"中島", "なかじま"}, {"西川", "にしかわ"},
    {"野口", "のぐち"},   {"橋本", "はしもと"}, {"平野", "ひらの"},   {"福田", "ふくだ"},
    {"藤井", "ふじい"},   {"前田", "まえだ"},   {"松尾", "まつお"},   {"三浦", "みうら"},
    {"宮本", "みやもと"}, {"村上", "むらかみ"}, {"森田", "もりた"},   {"安田", "やすだ"},
    {"山口", "やまぐち"}, {"吉川", "よしかわ"},
};
inline const std::pair<const char*, const char*> kPoolGivenNames[] = {
    {"陽菜", "ひな"},   {"悠人", "はると"}, {"美咲", "みさき"}, {"大翔", "ひろと"},
    {"彩花", "あやか"}, {"蒼", "あおい"},   {"花音", "かのん"}, {"陸", "りく"},
    {"莉子", "りこ"},   {"颯太", "そうた"},
};

// Defined in demo_surveys.cc.
std::vector<svv1::Answer> DemoAnswers(const svv1::InstrumentVersion& version,
                                      const std::string& person_seed,
                                      const std::string& municipality, int fiscal_year,
                                      svv1::Wave::Kind kind, const std::string& wall_now,
                                      bool share_text);

// The built-in pre-survey every demo wave uses (created by the survey
// service at start-up).
inline constexpr absl::string_view kDemoInstrumentVersion = "instruments/kaizen-pre/versions/v1";

}  // namespace kaizen::demo

#endif  // KAIZEN_TOOLS_DEMO_DEMO_SURVEYS_H_
