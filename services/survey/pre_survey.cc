// The built-in pre-survey (DefaultPreSurvey, instruments.h): its Japanese
// items and scales. Validation of instruments and answers is instruments.cc.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/survey/instruments.h"

namespace kaizen::survey {
namespace {

using kaizen::type::Wall;

// The five-point agreement scale of every Likert item in the pre-survey.
const char* const kAgreementLabels[] = {
    "まったくあてはまらない", "あまりあてはまらない", "どちらともいえない",
    "ややあてはまる", "とてもあてはまる"};

struct ScaleItem {
  const char* text;
  bool reversed;
};

struct ScaleSpec {
  const char* id;
  const char* title;
  v1::Scale::Kind kind;
  Wall wall;
  std::vector<ScaleItem> items;
};

// Wording: short statements about the respondent's own workplace, agreed
// with on the five-point scale. Reversed items state the opposite pole, so
// that answering "とてもあてはまる" everywhere does not look like a profile.
const std::vector<ScaleSpec>& PreSurveyScales() {
  static const auto* const kScales = new std::vector<ScaleSpec>{
      {"wall-peers", "同僚の協力の壁", v1::Scale::WALL, type::PEERS,
       {{"改善を提案しても同僚は協力してくれない", false},
        {"新しいやり方を試そうとすると、周囲から「今のままでいい」と言われる",
         false},
        {"同僚は私の改善の取り組みに関心を持ってくれる", true},
        {"職場で改善の仲間を見つけるのは難しい", false}}},
      {"wall-seniors", "先輩・上司の壁", v1::Scale::WALL,
       type::SENIORS_AND_BOSSES,
       {{"改善を提案すると、先輩や上司に面倒な人だと思われそうだ", false},
        {"上司の前では、改善のアイデアを口にするのをためらう", false},
        {"先輩や上司は、私の改善提案を後押ししてくれる", true},
        {"提案の中身より、誰が言ったかで受け止め方が変わる職場だ", false}}},
      {"wall-executives", "経営幹部への壁", v1::Scale::WALL, type::EXECUTIVES,
       {{"私の提案は、経営幹部に届く前にどこかで止まってしまう", false},
        {"現場の改善提案を経営幹部に伝える仕組みがない", false},
        {"良い提案であれば、経営幹部に直接説明する機会が得られる", true},
        {"幹部が提案をどう扱ったのか、結果が返ってこない", false}}},
      {"wall-hr", "人事評価の壁", v1::Scale::WALL, type::HR_EVALUATION,
       {{"改善活動に取り組んでも、人事評価には反映されない", false},
        {"業務ツールづくりなどの改善は「本来の仕事ではない」と見なされる",
         false},
        {"改善の成果は、評価面談で正当に取り上げられる", true},
        {"改善に時間を使うと、かえって評価が下がりそうだ", false}}},
      {"mgmt-openness", "提案への開放性", v1::Scale::MANAGEMENT,
       type::WALL_UNSPECIFIED,
       {{"この自治体には、職員の提案を歓迎する雰囲気がある", false},
        {"前例がないという理由で、提案が退けられることが多い", true},
        {"若手職員の意見も、組織の意思決定に生かされている", false}}},
      {"mgmt-speed", "意思決定の速さ", v1::Scale::MANAGEMENT,
       type::WALL_UNSPECIFIED,
       {{"必要な判断は速やかに下される", false},
        {"決裁や調整に時間がかかり、改善の機会を逃すことがある", true},
        {"小さな改善であれば、現場の判断ですぐに実行できる", false}}},
      {"mgmt-culture", "改善文化", v1::Scale::MANAGEMENT,
       type::WALL_UNSPECIFIED,
       {{"業務を見直すことが、日常の仕事の一部になっている", false},
        {"改善の取り組みを組織として表彰し、共有する仕組みがある", false},
        {"「今までどおり」が最も安全だと考える職員が多い", true}}},
      {"mgmt-cooperation", "部署間の協力", v1::Scale::MANAGEMENT,
       type::WALL_UNSPECIFIED,
       {{"部署をまたがる課題には、関係する課が協力して取り組んでいる", false},
        {"他の部署に協力を求めても「うちの担当ではない」と言われがちだ",
         true},
        {"部署の間で情報やノウハウが共有されている", false}}},
      {"mgmt-leadership", "トップのリーダーシップ", v1::Scale::MANAGEMENT,
       type::WALL_UNSPECIFIED,
       {{"首長や幹部は、改善・改革の方向性を職員に明確に示している", false},
        {"トップは、現場の改善の取り組みに関心を持っている", false},
        {"トップの方針が、自分の仕事に結びついているとは感じない", true}}},
      {"self-efficacy", "改善の自己効力感", v1::Scale::SELF_EFFICACY,
       type::WALL_UNSPECIFIED,
       {{"職場の課題を見つけ、改善策を考えることができる", false},
        {"周囲を巻き込みながら改善を進める自信がある", false},
        {"困難にぶつかっても、改善をやり遂げられると思う", false},
        {"自分には職場を変える力はないと思う", true}}},
  };
  return *kScales;
}

v1::Item* AddItem(v1::InstrumentVersion& version, absl::string_view id,
                  v1::Item::Type type, absl::string_view text, bool required) {
  v1::Item* item = version.add_items();
  item->set_id(std::string(id));
  item->set_type(type);
  item->set_text(std::string(text));
  item->set_required(required);
  return item;
}

void AddChoices(
    v1::Item* item,
    const std::vector<std::pair<const char*, const char*>>& choices) {
  for (const auto& [id, label] : choices) {
    v1::Choice* choice = item->add_choices();
    choice->set_id(id);
    choice->set_label(label);
  }
}

}  // namespace

v1::Instrument DefaultPreSurvey() {
  v1::Instrument instrument;
  instrument.set_name(std::string(kPreSurveyName));
  instrument.set_title("次世代改善リーダー 事前アンケート");
  instrument.set_description(
      "第1回のジブンガタリに向けた事前アンケートです。いまぶつかっている"
      "4つの壁（同僚の協力・先輩上司・経営幹部・人事評価）、あなたの自治体の"
      "経営の特徴、改善の自己効力感についてうかがいます。6か月後・12か月後の"
      "フォローアップでも同じ設問で変化を見ます。");
  v1::InstrumentVersion& version = *instrument.mutable_first_version();

  for (const ScaleSpec& spec : PreSurveyScales()) {
    v1::Scale* scale = version.add_scales();
    scale->set_id(spec.id);
    scale->set_title(spec.title);
    scale->set_kind(spec.kind);
    scale->set_wall(spec.wall);
    for (size_t n = 0; n < spec.items.size(); ++n) {
      const std::string id = absl::StrCat(spec.id, "-", n + 1);
      v1::Item* item =
          AddItem(version, id, v1::Item::LIKERT, spec.items[n].text, true);
      item->mutable_likert()->set_points(5);
      for (const char* label : kAgreementLabels) {
        item->mutable_likert()->add_labels(label);
      }
      scale->add_item_ids(id);
      if (spec.items[n].reversed) scale->add_reverse_item_ids(id);
    }
  }

  AddChoices(AddItem(version, "profile-department", v1::Item::SINGLE_CHOICE,
                     "現在の所属部署に最も近いものを選んでください", true),
             {{"general-affairs", "総務・企画・財政"},
              {"citizen-services", "税務・戸籍・住民窓口"},
              {"welfare", "福祉・子育て・健康"},
              {"industry", "産業・観光・環境"},
              {"infrastructure", "建設・都市整備・上下水道"},
              {"education", "教育・文化・スポーツ"},
              {"other", "その他"}});
  v1::NumberSpec* years =
      AddItem(version, "profile-years", v1::Item::NUMBER,
              "勤続年数（年）を整数でお答えください", true)
          ->mutable_number();
  years->set_min(0);
  years->set_max(45);
  years->set_integer(true);
  AddChoices(AddItem(version, "profile-activities", v1::Item::MULTIPLE_CHOICE,
                     "これまでに取り組んだことのある改善活動をすべて選んで"
                     "ください",
                     false),
             {{"work-process", "業務手順の見直し"},
              {"business-tools", "業務ツール・アプリの作成"},
              {"counter-service", "窓口・住民サービスの改善"},
              {"workplace-5s", "職場環境の整備（5Sなど）"},
              {"study-group", "庁内の勉強会・自主研究グループ"},
              {"proposal-system", "職員提案制度への応募"},
              {"none", "特にない"}});
  AddItem(version, std::string(kPreSurveyWallNowItem), v1::Item::FREE_TEXT,
          "いまぶつかっている壁について、具体的な場面を交えて自由にお書き"
          "ください",
          false)
      ->set_max_length(kDefaultFreeTextMaxLength);
  AddItem(version, "free-wish", v1::Item::FREE_TEXT,
          "5年後までに、あなたの職場で実現したい改善は何ですか", false)
      ->set_max_length(kDefaultFreeTextMaxLength);
  return instrument;
}

}  // namespace kaizen::survey
