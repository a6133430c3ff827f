// The content of the demo surveys (demo_surveys.h): the municipalities'
// characters and the shifts by wave and year, the hand-written free text,
// the FY2022 voices, the reference cohorts, and the answers generated from
// them with a fixed seed.
#include "tools/demo/demo_surveys.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace kaizen::demo {

// FNV-1a of the parts: the seed of one person, scale, item or wave.
uint64_t Seed(std::initializer_list<absl::string_view> parts) {
  uint64_t h = 14695981039346656037ULL;
  for (absl::string_view part : parts) {
    for (unsigned char c : part) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
  }
  return h;
}

namespace {

const std::vector<DemoMunicipality>& DemoMunicipalities() {
  static const auto* const kTowns = new std::vector<DemoMunicipality>{
      {"242047",  // 松阪市: an improvement culture, open to proposals
       {{"mgmt-culture", 0.8}, {"mgmt-openness", 0.6}, {"wall-peers", -0.5},
        {"wall-seniors", -0.3}, {"self-efficacy", 0.3}},
       {"改善の提案は歓迎されるが、係の中で一緒に動いてくれる同僚がまだ少ない。",
        "改善発表会があって雰囲気は良い。ただ、若手の提案が上司のところで止まることがある。",
        "改善は楽しいが、忙しい時期には係内の改善ミーティングが後回しになる。"}},
      {"131016",  // 千代田区: improvement unseen by HR, slow decisions
       {{"wall-hr", 0.7}, {"mgmt-speed", -0.6}, {"mgmt-cooperation", -0.4},
        {"wall-executives", 0.3}},
       {"改善に取り組んでも人事評価に表れず、目標管理シートにも書く欄がない。",
        "決裁に時間がかかり、小さな改善でもすぐには実行できない。人事評価でも改善は見てもらえない。",
        "他の課に協力を頼んでも「うちの担当ではない」と言われ、改善が課の中で止まる。"}},
      {"271004",  // 大阪市: proposals stop before the executives
       {{"wall-executives", 0.8}, {"mgmt-speed", -0.8}, {"mgmt-leadership", 0.5},
        {"wall-seniors", 0.3}},
       {"提案が幹部に届く前に止まり、経営幹部がどう扱ったのか結果が返ってこない。",
        "トップの方針は明確だが、決裁の段階が多く、幹部の判断が現場に届くまで遅い。",
        "上司の前では改善のアイデアを言い出しにくく、部長に説明する機会もない。"}},
      {"011002",  // 札幌市: departments cooperate, seniors hesitate
       {{"mgmt-cooperation", 0.7}, {"wall-peers", -0.3}, {"wall-seniors", 0.4}},
       {"部署の間の協力はあるが、ベテランの上司に提案すると面倒がられる。",
        "係長に相談しにくく、提案を言い出す勇気が出ない。",
        "部署を越えた勉強会はあるが、自分の係では上司の顔色をうかがってしまう。"}},
      {"401005",  // 北九州市: leadership from the top, peers lag behind
       {{"mgmt-leadership", 0.8}, {"wall-hr", -0.4}, {"mgmt-culture", 0.3},
        {"wall-peers", 0.3}},
       {"市長が改善を強く呼びかけていて追い風を感じる。現場の同僚を巻き込むのが課題。",
        "改善の成果は評価面談で取り上げてもらえる。周りの職員との温度差が壁。",
        "トップの方針は見えるが、同僚は目の前の仕事で手一杯で協力してもらえない。"}},
      {"012025",  // 函館市: seniors' wall, few openings
       {{"wall-seniors", 0.7}, {"mgmt-openness", -0.6}},
       {"ベテランの先輩が多く、若手が意見を言い出しにくい。"}},
  };
  return *kTowns;
}

}  // namespace

const DemoMunicipality* FindDemoMunicipality(const std::string& code) {
  for (const DemoMunicipality& m : DemoMunicipalities()) {
    if (code == m.code) return &m;
  }
  return nullptr;
}

namespace {

// What changed after the plan (the fish's eye): walls lower, self-efficacy up.
double WaveShift(svv1::Wave::Kind kind, const std::string& scale) {
  static const auto* const kSix = new std::map<std::string, double>{
      {"wall-peers", -0.4}, {"wall-seniors", -0.3}, {"wall-executives", -0.1},
      {"self-efficacy", 0.4}, {"mgmt-culture", 0.1}};
  static const auto* const kTwelve = new std::map<std::string, double>{
      {"wall-peers", -0.6}, {"wall-seniors", -0.5}, {"wall-executives", -0.3},
      {"wall-hr", -0.1}, {"self-efficacy", 0.6}, {"mgmt-culture", 0.2}};
  const auto* shifts = kind == svv1::Wave::FOLLOW_UP_6    ? kSix
                       : kind == svv1::Wave::FOLLOW_UP_12 ? kTwelve
                                                          : nullptr;
  if (shifts == nullptr) return 0;
  auto it = shifts->find(scale);
  return it == shifts->end() ? 0 : it->second;
}

// Year over year: the HR wall eases in later cohorts (evaluation reforms).
double YearShift(int fiscal_year, const std::string& scale) {
  if (scale == "wall-hr") return 0.3 - 0.2 * (fiscal_year - 2022);
  if (scale == "self-efficacy") return 0.1 * (fiscal_year - 2022);
  return 0;
}

}  // namespace

// Free text of the follow-ups for the reference cohorts.
const std::vector<const char*>& FollowUpTexts() {
  static const auto* const kTexts = new std::vector<const char*>{
      "係内で改善ミーティングを始め、同僚が少しずつ協力してくれるようになった。",
      "上司に相談する習慣ができ、提案を後押ししてもらえた。",
      "改善の成果を課長に報告する場ができた。幹部に届く仕組みはまだない。",
      "改善に取り組む時間を業務として認めてもらえるようになった。",
      "人事評価に改善の欄はまだないが、評価面談で取組を話せるようになった。",
  };
  return *kTexts;
}

namespace {

const std::vector<const char*>& WishTexts() {
  static const auto* const kTexts = new std::vector<const char*>{
      "5年後、課を越えて改善を共有する仕組みをつくりたい。",
      "窓口の待ち時間を半分にしたい。",
      "改善が人事評価で正当に評価される職場にしたい。",
      "若手が気軽に提案できる場を庁内につくりたい。",
  };
  return *kTexts;
}

}  // namespace

const std::vector<DemoVoice>& FY2022Voices() {
  static const auto* const kVoices = new std::vector<DemoVoice>{
      {"青木 陽向",
       {"部署がばらばらで、改善の話ができる仲間が職場の近くにいない。同僚は忙しく、新しいやり方には"
        "乗ってこない。",
        "三人の共有会を続けるうちに、係内にも関心を持ってくれる同僚が出てきた。",
        "若手改善ネットワークに12人が集まり、職場で孤立している感じはなくなった。次は上司への報告の"
        "仕方が課題。"},
       true},
      {"江口 蓮",
       {"窓口が忙しく、同僚は新しいことに乗ってこない。改善に時間を使っても人事評価には表れない。",
        "窓口アンケートで集めた困りごとを係で解くようになり、同僚も協力してくれるようになった。",
        "課長へのランチ報告会が定着した。評価面談でも改善の取組を話せたが、評価制度にはまだ欄がない。"},
       false},
      {"大野 葵",
       {"係内で改善を提案しても「前例がない」と言われて止まってしまう。課長に提案するのは怖い。",
        "係長との立ち話を続け、課長に改善を報告できる場ができた。係内のミーティングにも皆が参加して"
        "くれる。",
        "部長への改善発表会を企画している。改善が人事評価に反映されないことが次の壁。"},
       true},
      {"加藤 大和",
       {"良い提案でも決裁に時間がかかり、幹部に届く前にどこかで止まってしまう。",
        "課長の後押しで、提案を部長に説明する機会をもらえた。決裁の遅さは変わらない。",
        "庁議に改善事例が報告されるようになった。幹部の反応が返ってくるようになり、手応えがある。"},
       true},
      {"木村 さくら",
       {"市長は改善を呼びかけているが、現場では目の前の仕事で手一杯で、周りの職員を巻き込めない。",
        "係で小さな改善を一つ実現し、周りの職員も手伝ってくれるようになった。",
        "改善の取組が所属の目標に入り、評価面談で取り上げてもらえた。"},
       false},
      {"工藤 悠真",
       {"ベテランの先輩が多く、若手が意見を言い出しにくい。上司の顔色をうかがってしまう。",
        "先輩に相談しながら進めると、反対されずに話を聞いてもらえることが分かった。",
        "係長に改善の提案を一つ出した。"},
       true},
      {"斎藤 颯",
       {"改善に取り組むと「本来の仕事ではない」と見なされ、人事評価には反映されない。",
        "業務ツールを作ったことを、課長が評価面談で取り上げてくれた。",
        "他の課からもツールの相談が来るようになった。人事課に改善の評価欄を提案したい。"},
       false},
      {"佐々木 凛",
       {"同僚は改善に関心はあるが、忙しくて協力してもらえない。職場に改善の仲間がいない。",
        "大野さんと係を越えて改善の勉強会を始め、仲間が少しずつ増えている。",
        "勉強会が課の公式な取組になり、職場で改善の話をするのが当たり前になってきた。"},
       true},
  };
  return *kVoices;
}

const std::vector<PoolCohort>& PoolCohorts() {
  static const auto* const kCohorts = new std::vector<PoolCohort>{
      {"demo-pool-fy2023", 2023,
       {"242047", "242047", "242047", "131016", "131016", "271004", "271004", "011002", "011002",
        "401005"}},
      {"demo-pool-fy2024", 2024,
       {"242047", "242047", "242047", "131016", "131016", "131016", "271004", "271004", "011002",
        "401005"}},
      {"demo-pool-fy2025", 2025,
       {"242047", "242047", "242047", "131016", "131016", "271004", "271004", "011002", "011002",
        "401005"}},
  };
  return *kCohorts;
}

// One respondent's answers to `version` in a wave of kind `kind`: each
// scale from the municipality's character, the wave, the year and the
// person (stable across waves), items around it; reverse-coded items
// answered from the other pole; profile items and free text.
std::vector<svv1::Answer> DemoAnswers(const svv1::InstrumentVersion& version,
                                      const std::string& person_seed,
                                      const std::string& municipality, int fiscal_year,
                                      svv1::Wave::Kind kind, const std::string& wall_now,
                                      bool share_text) {
  const DemoMunicipality* town = FindDemoMunicipality(municipality);
  const std::string wave = svv1::Wave::Kind_Name(kind);
  std::vector<svv1::Answer> answers;
  std::set<std::string> scaled;
  for (const svv1::Scale& scale : version.scales()) {
    double latent = scale.kind() == svv1::Scale::MANAGEMENT ? 3.0 : 3.2;
    if (town != nullptr) {
      auto it = town->offsets.find(scale.id());
      if (it != town->offsets.end()) latent += it->second;
    }
    latent += WaveShift(kind, scale.id()) + YearShift(fiscal_year, scale.id());
    latent += 0.6 * DemoRandom(Seed({person_seed, scale.id()})).Normal();
    latent += 0.25 * DemoRandom(Seed({person_seed, scale.id(), wave})).Normal();
    const std::set<std::string> reversed(scale.reverse_item_ids().begin(),
                                         scale.reverse_item_ids().end());
    for (const std::string& item : scale.item_ids()) {
      const double noisy = latent + 0.55 * DemoRandom(Seed({person_seed, item, wave})).Normal();
      const int value = std::clamp(static_cast<int>(std::lround(noisy)), 1, 5);
      svv1::Answer a;
      a.set_item_id(item);
      a.set_likert(reversed.count(item) > 0 ? 6 - value : value);
      answers.push_back(a);
      scaled.insert(item);
    }
  }
  DemoRandom person(Seed({person_seed, "profile"}));
  for (const svv1::Item& item : version.items()) {
    if (scaled.count(item.id()) > 0) continue;
    svv1::Answer a;
    a.set_item_id(item.id());
    switch (item.type()) {
      case svv1::Item::SINGLE_CHOICE:  // not the last choice ("その他")
        a.set_choice(item.choices(person.Below(std::max(1, item.choices_size() - 1))).id());
        break;
      case svv1::Item::MULTIPLE_CHOICE: {  // one to three, never the last ("特にない")
        std::set<int> picked;
        const int n = 1 + person.Below(3);
        for (int i = 0; i < n; ++i) picked.insert(person.Below(std::max(1, item.choices_size() - 1)));
        for (int i : picked) a.mutable_choices()->add_ids(item.choices(i).id());
        break;
      }
      case svv1::Item::NUMBER: {  // years of service, one more a year later
        const int years = 2 + person.Below(12) + (kind == svv1::Wave::FOLLOW_UP_12 ? 1 : 0);
        a.set_number(std::clamp<double>(years, item.number().min(), item.number().max()));
        break;
      }
      case svv1::Item::FREE_TEXT: {
        const bool wall_item = item.id() == "free-wall-now";
        std::string text = wall_item ? wall_now : "";
        if (!wall_item && kind == svv1::Wave::PRE && person.Below(2) == 0) {
          text = WishTexts()[person.Below(static_cast<int>(WishTexts().size()))];
        }
        if (text.empty()) continue;
        a.set_text(text);
        a.set_share_text(share_text);
        // The demo's sharers also let their wall text go to their employer
        // (partner release); their wishes stay in the programme.
        a.set_share_with_employer(share_text && wall_item);
        break;
      }
      default:
        continue;
    }
    answers.push_back(a);
  }
  return answers;
}

}  // namespace kaizen::demo
