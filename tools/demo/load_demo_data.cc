// Loads the FY2022 demo programme into running enrollment, scheduling, plans
// and survey services, as a trusted tool holding the internal secret (it
// signs principals the way the gateway does). Idempotent: if the demo cohort
// exists it is left as it is, and a demo plan or survey wave whose id is
// taken is skipped. Every person is fictional.
//
//   load_demo_data --enrollment=127.0.0.1:50051 --scheduling=127.0.0.1:50052
//       --plans=127.0.0.1:50054 --survey=127.0.0.1:50053
//       --internal_secret_file=var/internal-secret
//
// The demo cohort keeps the flyer's facts (capacity 10, 6 municipalities,
// ages 20-39 on 2022-07-24, 10,000 JPY with two textbooks, 8 meetings with the
// first on 2022-07-24 09:00 JST) but its application window is open from
// yesterday for 60 days, so the frontend can try applying.
//
// Then the action plans of three of its participants (one a team plan made
// by the navigator): four revisions each, written by an owner, with the
// navigator's feedback and practice log entries. Meetings 6, 7 and 8 (the
// stage deadlines) are confirmed on their FY2022 dates if they have no date
// yet. Those dates are past, so the stages are locked: the secretariat
// presents the INTERIM, FOLLOW_UP and FINAL versions late, with a reason that
// says so (the path the API offers for late versions; submit times are the
// time of loading). An empty --plans skips the plans.
//
// Then the surveys, on the built-in pre-survey: the demo cohort's PRE,
// FOLLOW_UP_6 and FOLLOW_UP_12 waves, answered by its participants who have
// an account (eight of ten; one has only begun the 12-month follow-up), and
// three fictional reference cohorts of later years (FY2023-2025, ten people
// each from five of the demo municipalities, finished, their three waves
// answered and closed), so that every lens has a pool: the bird's eye of
// 松阪市, 千代田区 and 大阪市 passes the k=5 rule for anyone; 札幌市 and
// 北九州市 are shown only to a cohort's staff asking within their cohort. Answers are generated with a fixed seed
// from each municipality's (fictional) character, the wave and the year;
// free text is written by hand. The demo meetings lie in the past and answers
// are accepted only while a wave is open, so every wave's window is
// synthetic: open from an hour before loading for a year (the reference
// cohorts' waves are then closed). A wave that exists is skipped, a
// reference cohort that exists is not re-created. An empty --survey skips
// the surveys.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/auth/keys.h"
#include "common/auth/principal.h"
#include "common/server/principal_context.h"
#include "common/util/proto_time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "kaizen/plans/v1/plans.grpc.pb.h"
#include "kaizen/scheduling/v1/scheduling.grpc.pb.h"
#include "kaizen/survey/v1/survey.grpc.pb.h"

ABSL_FLAG(std::string, enrollment, "127.0.0.1:50051", "enrollment service address");
ABSL_FLAG(std::string, scheduling, "127.0.0.1:50052", "scheduling service address");
ABSL_FLAG(std::string, plans, "127.0.0.1:50054", "plans service address (empty: no demo plans)");
ABSL_FLAG(std::string, survey, "127.0.0.1:50053",
          "survey service address (empty: no demo surveys)");
ABSL_FLAG(std::string, internal_secret_file, "var/internal-secret", "the internal secret");
ABSL_FLAG(std::string, cohort_id, "fy2022", "id of the demo cohort");

namespace {

namespace ev1 = ::kaizen::enrollment::v1;
namespace sv1 = ::kaizen::scheduling::v1;
namespace pv1 = ::kaizen::plans::v1;
namespace svv1 = ::kaizen::survey::v1;
using kaizen::type::Principal;

Principal Subject(const std::string& subject, kaizen::type::Role role) {
  Principal p;
  p.set_subject(subject);
  p.add_roles(role);
  return p;
}

// ---------------------------------------------------------------- demo plans

// A practice log entry of an owner, dated on the FY2022 calendar.
struct DemoPractice {
  const char* action_id;
  int year, month, day;
  const char* done;
  const char* result;
  const char* gap;
};

// Feedback from the navigator on one revision.
struct DemoFeedback {
  const char* action_id;  // "" for the plan as a whole
  const char* field;      // "" or a field path such as "vision"
  pv1::Feedback::Visibility visibility;
  const char* text;
};

// One revision: the draft an owner commits, the navigator's feedback on it,
// what the owners practised afterwards, and the stage it is presented as.
struct DemoRevision {
  const char* message;
  pv1::PlanContent content;
  std::vector<DemoFeedback> feedback;
  std::vector<DemoPractice> practice;
  pv1::Stage stage;  // STAGE_UNSPECIFIED: not presented
};

struct DemoPlan {
  const char* id;
  const char* title;
  // Display names on the roster; the first with an account edits.
  std::vector<std::string> owners;
  // Made by the navigator for its owners (a team plan); otherwise the
  // editing owner makes it for themself.
  bool by_navigator;
  std::vector<DemoRevision> revisions;
};

pv1::Action* AddAction(pv1::PlanContent& c, const char* id, const char* title,
                       const char* description, kaizen::type::Wall target,
                       std::initializer_list<pv1::Stakeholder> with, const char* timeframe,
                       const char* indicator) {
  pv1::Action* a = c.add_actions();
  a->set_id(id);
  a->set_title(title);
  a->set_description(description);
  a->set_target_result(target);
  for (pv1::Stakeholder s : with) a->add_stakeholders(s);
  a->set_timeframe(timeframe);
  a->set_indicator(indicator);
  a->set_status(pv1::Action::PLANNED);
  return a;
}

// The action `id` of `c` (the data below names only existing ones).
pv1::Action& ActionOf(pv1::PlanContent& c, const std::string& id) {
  for (pv1::Action& a : *c.mutable_actions()) {
    if (a.id() == id) return a;
  }
  std::fprintf(stderr, "load_demo_data: no demo action %s\n", id.c_str());
  std::abort();
}

void SetWall(pv1::PlanContent& c, kaizen::type::Wall wall, const char* text) {
  for (pv1::WallStatement& w : *c.mutable_walls()) {
    if (w.wall() == wall) {
      w.set_text(text);
      return;
    }
  }
  pv1::WallStatement* w = c.add_walls();
  w->set_wall(wall);
  w->set_text(text);
}

void AddMilestone(pv1::PlanContent& c, const char* title, int y, int m, int d) {
  pv1::Milestone* ms = c.add_milestones();
  ms->set_title(title);
  ms->mutable_target_date()->set_year(y);
  ms->mutable_target_date()->set_month(m);
  ms->mutable_target_date()->set_day(d);
}

// Three plans of the demo cohort, four revisions each: 初稿, then the
// versions presented at meetings 6 (時点版), 7 (軌道修正) and 8 (完成版).
std::vector<DemoPlan> DemoPlans() {
  const auto kCohort = pv1::Feedback::COHORT;
  const auto kStaff = pv1::Feedback::STAFF;
  std::vector<DemoPlan> plans;

  {  // 大野 葵, 松阪市.
    DemoPlan p{"demo-matsusaka-ono", "係から広げる改善の輪：松阪市 5か年アクションプラン",
               {"大野 葵"}, false, {}};
    pv1::PlanContent c;
    c.set_vision(
        "5年後、松阪市役所で「改善は楽しい」と言える職員を増やし、課を越えた改善の輪をつくる"
        "旗手になる。");
    SetWall(c, kaizen::type::PEERS, "係内で改善を提案しても「前例がない」で止まってしまう。");
    SetWall(c, kaizen::type::SENIORS_AND_BOSSES, "課長に提案する場がなく、提案するのが怖い。");
    AddAction(c, "kaizen-meeting", "係内の改善ミーティング",
              "月に一度、30分だけ係内で困りごとを出し合う。", kaizen::type::PEERS, {pv1::PEERS_AROUND},
              "2023年度上期", "参加人数と出た改善案の数");
    AddAction(c, "boss-talk", "係長との改善の立ち話",
              "隔週15分、係長と改善の種を話す時間をもらう。", kaizen::type::SENIORS_AND_BOSSES,
              {pv1::SENIORS_BOSSES}, "2023年度", "係長から課長に上がった提案の数");
    AddMilestone(c, "係内ミーティングを3回開く", 2023, 3, 31);
    p.revisions.push_back({"初稿", c,
                           {{"kaizen-meeting", "", kCohort,
                             "小さな成功を見える形で残すと、周りも乗ってきやすくなります。"
                             "出た改善を貼り出してみては？"}},
                           {},
                           pv1::STAGE_UNSPECIFIED});

    c.set_vision(
        "まずは自分の係から。5年後には松阪市役所で「改善は楽しい」と言える職員を増やし、"
        "課を越えた改善の輪をつくる旗手になる。");
    ActionOf(c, "kaizen-meeting")
        .set_description("月に一度、30分だけ係内で困りごとを出し合う。出た改善は掲示板に貼り出して"
                         "見える化する。");
    AddAction(c, "kaizen-board", "改善事例の掲示板",
              "係の前の掲示板に、今月の改善を写真付きで一枚ずつ貼る。", kaizen::type::PEERS,
              {pv1::PEERS_AROUND}, "2023年度上期", "掲示した改善の数");
    p.revisions.push_back(
        {"ナビゲーターの助言を反映（時点版）", c,
         {{"", "", kCohort,
           "時点版の発表、お疲れさまでした。係長を味方にする道筋がはっきりしてきました。"}},
         {{"kaizen-meeting", 2023, 1, 20, "第1回の係内改善ミーティングを開いた。",
           "6人中5人が参加し、改善案が4件出た。", "30分では半分しか話せなかった。"},
          {"kaizen-board", 2023, 2, 15, "窓口の待ち時間表示の改善を掲示した。",
           "他の係の人から「うちでもやりたい」と声がかかった。", ""},
          {"boss-talk", 2023, 3, 8, "係長に改善ミーティングの結果を報告した。",
           "課長への報告の場をつくってもらえることになった。",
           "報告資料づくりに思ったより時間がかかる。"}},
         pv1::INTERIM});

    ActionOf(c, "kaizen-meeting").set_status(pv1::Action::IN_PROGRESS);
    ActionOf(c, "kaizen-meeting").set_timeframe("2023年度通年");
    ActionOf(c, "kaizen-meeting")
        .set_description("月に一度、30分だけ係内で困りごとを出し合う。議題は事前に集める。出た改善は"
                         "掲示板に貼り出して見える化する。");
    ActionOf(c, "kaizen-board").set_status(pv1::Action::DONE);
    ActionOf(c, "boss-talk").set_status(pv1::Action::IN_PROGRESS);
    ActionOf(c, "boss-talk")
        .set_description("隔週15分、係長と改善の種を話し、月に一度は課長への報告にまとめる。");
    SetWall(c, kaizen::type::EXECUTIVES, "改善の提案が幹部まで届く仕組みがない。");
    AddAction(c, "exec-showcase", "幹部に見てもらう改善発表会",
              "年に一度、課の改善を部長に発表する場を企画する。", kaizen::type::EXECUTIVES,
              {pv1::SENIORS_BOSSES, pv1::EXECUTIVE_TEAM}, "2024年度", "発表会に出席した幹部の数");
    c.mutable_milestones(0)->set_done(true);
    AddMilestone(c, "部長への改善発表会を開く", 2024, 11, 30);
    p.revisions.push_back(
        {"フォローアップ：進み具合に合わせて軌道修正", c,
         {{"exec-showcase", "", kStaff,
           "事務局・アドバイザーへ：部長級の発表会は、次年度の全庁改善発表会と時期を合わせられるか"
           "確認したい。"}},
         {{"boss-talk", 2023, 7, 12, "課長への改善報告を初めて行った。",
           "窓口の改善が課の目標に入った。", ""},
          {"kaizen-meeting", 2023, 9, 20, "議題を事前に集める形に変えた。",
           "一回で話せる案が倍になった。", ""}},
         pv1::FOLLOW_UP});

    c.set_vision(
        "まずは自分の係から。5年後には松阪市役所で「改善は楽しい」と言える職員を増やし、"
        "課を越えた改善の輪と、改善が評価される仕組みをつくる旗手になる。");
    SetWall(c, kaizen::type::HR_EVALUATION, "改善に取り組んでも人事評価に表れない。");
    AddAction(c, "hr-evaluation", "人事評価に改善の欄を提案する",
              "人事課と話し、目標管理シートに改善の取組欄を設けることを提案する。",
              kaizen::type::HR_EVALUATION, {pv1::HR_DEPARTMENT}, "2025〜2027年度",
              "改善の欄が評価シートに入ること");
    ActionOf(c, "exec-showcase")
        .set_indicator("発表会に出席した幹部の数と、予算に反映された改善の数");
    AddMilestone(c, "目標管理シートの改定案を人事課に出す", 2026, 3, 31);
    p.revisions.push_back(
        {"完成版", c,
         {{"hr-evaluation", "", kCohort,
           "完成版、見事です。人事評価への提案は、研究会OBの人事課職員にもつないでみましょう。"}},
         {},
         pv1::FINAL});
    plans.push_back(std::move(p));
  }

  {  // 江口 蓮, 千代田区.
    DemoPlan p{"demo-chiyoda-eguchi", "窓口から始める千代田区の改善 5か年計画", {"江口 蓮"},
               false, {}};
    pv1::PlanContent c;
    c.set_vision("5年後、区民に一番近い窓口から改善を広げ、区役所全体の改善を支える旗手になる。");
    SetWall(c, kaizen::type::PEERS, "忙しさを理由に、同僚が新しいことに乗ってこない。");
    AddAction(c, "counter-survey", "窓口の困りごとアンケート",
              "窓口で区民と職員から困りごとを集める。", kaizen::type::PEERS, {pv1::PEERS_AROUND},
              "2023年度上期", "集まった困りごとの数");
    p.revisions.push_back({"初稿", c,
                           {{"counter-survey", "", kCohort,
                             "集めた困りごとを、誰とどう解くかまで書けると計画が強くなります。"}},
                           {},
                           pv1::STAGE_UNSPECIFIED});

    ActionOf(c, "counter-survey")
        .set_description("窓口で区民と職員から困りごとを集める。集めた困りごとは、係内で月に一つずつ"
                         "解く。");
    AddAction(c, "quick-wins", "月に一つの小さな改善",
              "アンケートで多かった困りごとから、月に一つずつ係で解く。", kaizen::type::PEERS,
              {pv1::PEERS_AROUND}, "2023年度", "解いた困りごとの数");
    SetWall(c, kaizen::type::SENIORS_AND_BOSSES, "上司が忙しく、提案を聞いてもらう時間がない。");
    p.revisions.push_back(
        {"時点版", c,
         {{"quick-wins", "", kCohort,
           "月に一つ、という区切りが良いですね。解いた結果を区民にも見せられると更に良くなります。"}},
         {{"counter-survey", 2023, 1, 25, "窓口アンケートを2週間実施した。",
           "困りごとが37件集まった。", "職員の回答が少なかった。"},
          {"quick-wins", 2023, 3, 15, "申請書の記入例の掲示を改善した。",
           "書き直しの件数が減った。", ""}},
         pv1::INTERIM});

    ActionOf(c, "counter-survey").set_status(pv1::Action::DONE);
    ActionOf(c, "quick-wins").set_status(pv1::Action::IN_PROGRESS);
    AddAction(c, "boss-lunch", "課長へのランチ報告会",
              "月に一度、昼休みに課長へ改善の進み具合を報告する。", kaizen::type::SENIORS_AND_BOSSES,
              {pv1::SENIORS_BOSSES}, "2023年度下期", "課長から出た次の一手の数");
    p.revisions.push_back(
        {"フォローアップ：上司を巻き込む一手を追加", c,
         {{"", "vision", kCohort,
           "ビジョンに「区役所全体」とあります。他の課を巻き込む一手も考えてみましょう。"}},
         {{"boss-lunch", 2023, 8, 10, "課長へのランチ報告会を始めた。",
           "課長が区の改善提案制度に推薦してくれた。", ""}},
         pv1::FOLLOW_UP});

    c.set_vision(
        "5年後、区民に一番近い窓口から改善を広げ、他の課と組んで区役所全体の改善を支える旗手に"
        "なる。");
    SetWall(c, kaizen::type::EXECUTIVES, "窓口の声が区の計画に届かない。");
    AddAction(c, "cross-section", "他課との合同改善会",
              "戸籍・税・福祉の窓口担当と、年に二回、合同で改善事例を持ち寄る。", kaizen::type::EXECUTIVES,
              {pv1::PEERS_AROUND, pv1::EXECUTIVE_TEAM}, "2024〜2026年度",
              "合同会から区の計画に入った改善の数");
    AddMilestone(c, "合同改善会を初めて開く", 2024, 10, 31);
    p.revisions.push_back(
        {"完成版", c,
         {{"cross-section", "", kCohort,
           "合同改善会、ぜひ研究会の仲間にも見学してもらいましょう。"}},
         {},
         pv1::FINAL});
    plans.push_back(std::move(p));
  }

  {  // The 札幌市 team, a plan the navigator made for its three members.
    DemoPlan p{"demo-sapporo-team", "札幌市チーム：三人で広げる改善の5か年計画",
               {"青木 陽向", "井上 湊", "上田 結衣"}, true, {}};
    pv1::PlanContent c;
    c.set_vision(
        "5年後、三人がそれぞれの部署で改善の旗手となり、札幌市役所に部署を越えた改善のつながりを"
        "つくる。");
    SetWall(c, kaizen::type::PEERS, "部署がばらばらで、改善の話をする仲間が近くにいない。");
    AddAction(c, "monthly-share", "三人の月例改善共有会",
              "毎月一回、三人で各部署の改善を持ち寄り、次の一手を決める。", kaizen::type::PEERS,
              {pv1::PEERS_AROUND}, "2023年度", "共有会で決めた次の一手の数");
    p.revisions.push_back({"初稿", c,
                           {{"monthly-share", "", kCohort,
                             "三人の強みを活かして、部署ごとの役割分担も書いてみましょう。"}},
                           {},
                           pv1::STAGE_UNSPECIFIED});

    ActionOf(c, "monthly-share")
        .set_description("毎月一回、三人で各部署の改善を持ち寄り、次の一手を決める。議事メモは共有"
                         "フォルダに残す。");
    SetWall(c, kaizen::type::SENIORS_AND_BOSSES, "それぞれの上司に、三人の活動が知られていない。");
    AddAction(c, "each-section", "各部署で一つずつ改善を起こす",
              "青木は区役所の窓口、井上は道路維持、上田は子育て支援で、年に一つずつ改善を起こす。",
              kaizen::type::SENIORS_AND_BOSSES, {pv1::PEERS_AROUND, pv1::SENIORS_BOSSES}, "2023年度",
              "各部署で起こした改善の数");
    p.revisions.push_back(
        {"役割分担を追加（時点版）", c,
         {{"each-section", "", kCohort,
           "役割分担がはっきりしました。上司への報告のタイミングもそろえられると良いですね。"}},
         {{"monthly-share", 2023, 1, 18, "第1回の三人の共有会をオンラインで開いた。",
           "各部署の困りごとを三つずつ出し合った。", "業務時間内に集まるのが難しい。"},
          {"each-section", 2023, 4, 20, "井上が道路維持の点検表を見直した。",
           "点検の記入時間が短くなった。", ""}},
         pv1::INTERIM});

    ActionOf(c, "monthly-share").set_status(pv1::Action::IN_PROGRESS);
    ActionOf(c, "each-section").set_status(pv1::Action::IN_PROGRESS);
    SetWall(c, kaizen::type::EXECUTIVES, "部署を越えた改善を提案する窓口がない。");
    AddAction(c, "city-network", "庁内の若手改善ネットワーク",
              "研究会の仲間と、庁内の若手改善ネットワークを立ち上げる。", kaizen::type::EXECUTIVES,
              {pv1::PEERS_AROUND, pv1::EXECUTIVE_TEAM}, "2024年度", "ネットワークの参加人数");
    p.revisions.push_back(
        {"フォローアップ：ネットワークづくりを追加", c,
         {{"city-network", "", kStaff,
           "スタッフ向け：札幌市の行政改革担当に、ネットワーク立ち上げの相談先を確認しておく。"}},
         {{"city-network", 2023, 10, 5, "ネットワークの呼びかけ文を作り、三部署に配った。",
           "12人から参加の返事があった。", ""}},
         pv1::FOLLOW_UP});

    ActionOf(c, "city-network").set_timeframe("2024〜2027年度");
    SetWall(c, kaizen::type::HR_EVALUATION, "改善の取組が異動の引き継ぎで消えてしまう。");
    AddAction(c, "handover", "改善の引き継ぎシート",
              "異動しても改善が続くよう、引き継ぎシートに改善の欄を設けるよう人事課に提案する。",
              kaizen::type::HR_EVALUATION, {pv1::HR_DEPARTMENT}, "2025年度", "引き継ぎシートへの採用");
    AddMilestone(c, "若手改善ネットワークの第1回交流会", 2024, 6, 30);
    p.revisions.push_back(
        {"完成版", c,
         {{"", "", kCohort, "三人の計画が一つにまとまりました。完成版の発表、楽しみにしています。"}},
         {},
         pv1::FINAL});
    plans.push_back(std::move(p));
  }
  return plans;
}

// ---------------------------------------------------------------- demo surveys

// Deterministic pseudo-random numbers (SplitMix64, seeded from fixed strings)
// so every load writes the same answers on every machine.
class DemoRandom {
 public:
  explicit DemoRandom(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Roughly standard normal (the sum of four uniforms, rescaled).
  double Normal() {
    double sum = 0;
    for (int i = 0; i < 4; ++i) sum += Uniform();
    return (sum - 2.0) * std::sqrt(3.0);
  }
  int Below(int n) { return n <= 0 ? 0 : static_cast<int>(Next() % static_cast<uint64_t>(n)); }

 private:
  uint64_t state_;
};

// FNV-1a of the parts: the seed of one person, scale, item or wave.
uint64_t Seed(std::initializer_list<absl::string_view> parts) {
  uint64_t h = 14695981039346656037ULL;
  for (absl::string_view part : parts) {
    for (unsigned char c : part) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
  }
  return h;
}

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

const DemoMunicipality* FindDemoMunicipality(const std::string& code) {
  for (const DemoMunicipality& m : DemoMunicipalities()) {
    if (code == m.code) return &m;
  }
  return nullptr;
}

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

const std::vector<const char*>& WishTexts() {
  static const auto* const kTexts = new std::vector<const char*>{
      "5年後、課を越えて改善を共有する仕組みをつくりたい。",
      "窓口の待ち時間を半分にしたい。",
      "改善が人事評価で正当に評価される職場にしたい。",
      "若手が気軽に提案できる場を庁内につくりたい。",
  };
  return *kTexts;
}

// The FY2022 participants' own words about their walls (PRE, FOLLOW_UP_6,
// FOLLOW_UP_12), by display name. 井上 and 上田 of the 札幌市 team have no
// account (the team's submitter applied for them), so they do not answer.
struct DemoVoice {
  const char* display_name;
  const char* texts[3];
  bool share_text;
};

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

// The FY2022 participant who only saved a partial 12-month follow-up.
constexpr absl::string_view kPartialRespondent = "工藤 悠真";

// The fictional reference cohorts: later years of the programme whose
// answers form the pool every lens compares against. Ten people each, one
// application each (so everyone has an account and answers).
struct PoolCohort {
  const char* id;
  int fiscal_year;
  // Municipality codes, one per participant.
  std::vector<const char*> towns;
};

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

// Fictional names for the reference cohorts: surname i with given name j.
const std::pair<const char*, const char*> kPoolSurnames[] = {
    {"青山", "あおやま"}, {"石田", "いしだ"},   {"宇野", "うの"},     {"岡本", "おかもと"},
    {"川口", "かわぐち"}, {"菊地", "きくち"},   {"久保", "くぼ"},     {"小松", "こまつ"},
    {"坂本", "さかもと"}, {"島田", "しまだ"},   {"杉山", "すぎやま"}, {"高木", "たかぎ"},
    {"田村", "たむら"},   {"土屋", "つちや"},   {"中島", "なかじま"}, {"西川", "にしかわ"},
    {"野口", "のぐち"},   {"橋本", "はしもと"}, {"平野", "ひらの"},   {"福田", "ふくだ"},
    {"藤井", "ふじい"},   {"前田", "まえだ"},   {"松尾", "まつお"},   {"三浦", "みうら"},
    {"宮本", "みやもと"}, {"村上", "むらかみ"}, {"森田", "もりた"},   {"安田", "やすだ"},
    {"山口", "やまぐち"}, {"吉川", "よしかわ"},
};
const std::pair<const char*, const char*> kPoolGivenNames[] = {
    {"陽菜", "ひな"},   {"悠人", "はると"}, {"美咲", "みさき"}, {"大翔", "ひろと"},
    {"彩花", "あやか"}, {"蒼", "あおい"},   {"花音", "かのん"}, {"陸", "りく"},
    {"莉子", "りこ"},   {"颯太", "そうた"},
};

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

// The built-in pre-survey every demo wave uses (created by the survey
// service at start-up).
constexpr absl::string_view kDemoInstrumentVersion = "instruments/kaizen-pre/versions/v1";

class Loader {
 public:
  Loader(const std::string& secret)
      : signer_(secret),
        enrollment_(ev1::EnrollmentService::NewStub(grpc::CreateChannel(
            absl::GetFlag(FLAGS_enrollment), grpc::InsecureChannelCredentials()))),
        scheduling_(sv1::SchedulingService::NewStub(grpc::CreateChannel(
            absl::GetFlag(FLAGS_scheduling), grpc::InsecureChannelCredentials()))) {
    if (!absl::GetFlag(FLAGS_plans).empty()) {
      plans_ = pv1::PlansService::NewStub(grpc::CreateChannel(
          absl::GetFlag(FLAGS_plans), grpc::InsecureChannelCredentials()));
    }
    if (!absl::GetFlag(FLAGS_survey).empty()) {
      survey_ = svv1::SurveyService::NewStub(grpc::CreateChannel(
          absl::GetFlag(FLAGS_survey), grpc::InsecureChannelCredentials()));
    }
  }

  std::unique_ptr<grpc::ClientContext> As(const Principal& p) {
    auto c = std::make_unique<grpc::ClientContext>();
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    kaizen::server::AttachPrincipal(p, signer_, c.get());
    return c;
  }

  bool Check(const grpc::Status& s, const std::string& what) {
    if (s.ok()) return true;
    std::fprintf(stderr, "load_demo_data: %s failed: %s (code %d)\n", what.c_str(),
                 s.error_message().c_str(), static_cast<int>(s.error_code()));
    return false;
  }

  int Run() {
    if (const int programme = LoadProgramme(); programme != 0) return programme;
    if (plans_ != nullptr) {
      if (const int plans = LoadPlans(); plans != 0) return plans;
    }
    return survey_ != nullptr ? LoadSurveys() : 0;
  }

 private:
  // The cohort, its staff, the applications and the meeting series; nothing
  // if the cohort exists.
  int LoadProgramme() {
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    const std::string cohort_name = "cohorts/" + absl::GetFlag(FLAGS_cohort_id);
    {
      ev1::GetCohortRequest get;
      get.set_name(cohort_name);
      ev1::Cohort existing;
      grpc::Status s = enrollment_->GetCohort(As(secretariat).get(), get, &existing);
      if (s.ok()) {
        std::printf("demo data: %s already loaded\n", cohort_name.c_str());
        return 0;
      }
      if (s.error_code() != grpc::StatusCode::NOT_FOUND) return Check(s, "GetCohort") ? 0 : 1;
    }

    ev1::CreateCohortRequest create;
    create.set_cohort_id(absl::GetFlag(FLAGS_cohort_id));
    create.set_request_id("demo-cohort");
    ev1::Cohort* c = create.mutable_cohort();
    c->set_title("2022年度 次世代改善リーダー事例研究会");
    c->set_fiscal_year(2022);
    c->set_capacity(10);
    c->set_max_municipalities(6);
    c->mutable_eligibility()->set_min_age(20);
    c->mutable_eligibility()->set_max_age(39);
    c->mutable_eligibility()->mutable_age_reference_date()->set_year(2022);
    c->mutable_eligibility()->mutable_age_reference_date()->set_month(7);
    c->mutable_eligibility()->mutable_age_reference_date()->set_day(24);
    c->mutable_fee()->set_currency_code("JPY");
    c->mutable_fee()->set_units(10000);
    auto book = [&](const char* id, const char* title, int y, int m, int d) {
      ev1::IncludedItem* i = c->add_included_items();
      i->set_id(id);
      i->set_title(title);
      i->mutable_available_date()->set_year(y);
      i->mutable_available_date()->set_month(m);
      i->mutable_available_date()->set_day(d);
    };
    book("kaizen-undo", "『自治体経営を変える改善運動』", 2022, 5, 1);
    book("shin-kaizen-bon", "『新改善本』", 2022, 9, 15);
    *c->mutable_application_open_time() = kaizen::ToProtoTimestamp(absl::Now() - absl::Hours(24));
    *c->mutable_application_close_time() =
        kaizen::ToProtoTimestamp(absl::Now() + absl::Hours(24 * 60));
    ev1::Cohort cohort;
    if (!Check(enrollment_->CreateCohort(As(secretariat).get(), create, &cohort), "CreateCohort")) {
      return 1;
    }
    ev1::TransitionCohortRequest open;
    open.set_name(cohort.name());
    open.set_state(ev1::Cohort::OPEN);
    if (!Check(enrollment_->TransitionCohort(As(secretariat).get(), open, &cohort), "open")) {
      return 1;
    }

    struct Staff {
      const char* subject;
      const char* name;
      const char* kana;
      ev1::Participant::Role role;
      const char* town;
    };
    const Staff staff[] = {
        {"demo-navigator", "中村 進", "なかむら すすむ", ev1::Participant::NAVIGATOR, "242047"},
        {"demo-advisor", "小川 恵美", "おがわ えみ", ev1::Participant::ADVISOR, ""},
        {"demo-observer", "森 健一", "もり けんいち", ev1::Participant::OBSERVER, ""},
        {"demo-secretariat", "石井 和子", "いしい かずこ", ev1::Participant::SECRETARIAT, ""},
    };
    for (const Staff& s : staff) {
      ev1::CreateParticipantRequest r;
      r.set_parent(cohort.name());
      r.set_request_id(absl::StrCat("demo-", s.subject));
      r.mutable_participant()->set_subject(s.subject);
      r.mutable_participant()->set_display_name(s.name);
      r.mutable_participant()->set_kana(s.kana);
      r.mutable_participant()->set_role(s.role);
      r.mutable_participant()->set_municipality_code(s.town);
      ev1::Participant p;
      if (!Check(enrollment_->CreateParticipant(As(secretariat).get(), r, &p), "staff")) return 1;
    }

    // 12 people from 7 municipalities; one team of three. In this order the
    // first 10 seats go to 6 towns, the 7th town waits, and so does the last.
    struct Applicant {
      const char* name;
      const char* kana;
      const char* town;
      int team;  // members in this application (first row of a team)
    };
    const Applicant people[] = {
        {"青木 陽向", "あおき ひなた", "011002", 3},  // 札幌市 team
        {"井上 湊", "いのうえ みなと", "011002", 0},
        {"上田 結衣", "うえだ ゆい", "011002", 0},
        {"江口 蓮", "えぐち れん", "131016", 1},      // 千代田区
        {"大野 葵", "おおの あおい", "242047", 1},    // 松阪市
        {"加藤 大和", "かとう やまと", "271004", 1},  // 大阪市
        {"木村 さくら", "きむら さくら", "401005", 1},  // 北九州市
        {"工藤 悠真", "くどう ゆうま", "012025", 1},  // 函館市
        {"小林 芽依", "こばやし めい", "472018", 1},  // 那覇市: the 7th town
        {"斎藤 颯", "さいとう はやて", "131016", 1},
        {"佐々木 凛", "ささき りん", "242047", 1},
        {"清水 樹", "しみず いつき", "271004", 1},    // cohort full by now
    };
    int accepted = 0, waiting = 0;
    for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); ++i) {
      if (people[i].team == 0) continue;
      ev1::CreateApplicationRequest r;
      r.set_parent(cohort.name());
      r.set_request_id(absl::StrCat("demo-application-", i));
      for (int m = 0; m < people[i].team; ++m) {
        const Applicant& a = people[i + m];
        ev1::Applicant* out = r.mutable_application()->add_members();
        out->set_display_name(a.name);
        out->set_kana(a.kana);
        out->set_email(absl::StrCat("demo", i + m + 1, "@example.jp"));
        out->set_municipality_code(a.town);
        out->set_department("企画部 行政改革課");
        out->mutable_birth_date()->set_year(1990 + static_cast<int>(i % 8));
        out->mutable_birth_date()->set_month(4);
        out->mutable_birth_date()->set_day(1);
        out->set_motivation("同僚を巻き込み、改善の旗手になりたい。");
        out->mutable_consent()->set_share_attendance(true);
        out->mutable_consent()->set_share_action_plan(i % 2 == 0);
      }
      ev1::Application app;
      const Principal applicant =
          Subject(absl::StrCat("demo-participant-", i + 1), kaizen::type::ROLE_PARTICIPANT);
      if (!Check(enrollment_->CreateApplication(As(applicant).get(), r, &app), "apply")) return 1;
      if (app.state() == ev1::Application::ACCEPTED) accepted += app.admitted_member_count();
      if (app.state() == ev1::Application::WAITLISTED) ++waiting;
    }

    sv1::CreateMeetingSeriesRequest series;
    series.set_parent(cohort.name());
    series.set_template_("templates/next-gen-leaders-fy2022");
    series.set_start_year(2022);
    *series.mutable_first_meeting_start() =
        kaizen::ToProtoTimestamp(absl::FromUnixSeconds(1658620800));  // 2022-07-24 09:00 JST
    series.set_online_url("https://meet.example.jp/kaizen-fy2022");
    sv1::CreateMeetingSeriesResponse meetings;
    if (!Check(scheduling_->CreateMeetingSeries(As(secretariat).get(), series, &meetings),
               "CreateMeetingSeries")) {
      return 1;
    }
    std::printf("demo data: %s with %d accepted, %d applications waiting, %d meetings\n",
                cohort.name().c_str(), accepted, waiting, meetings.meetings_size());
    return 0;
  }

  // ---- demo plans

  struct Person {
    std::string name;     // "cohorts/{c}/participants/{p}"
    std::string subject;  // the account, "" for team members without one
    ev1::Participant::Role role = ev1::Participant::PARTICIPANT;
  };

  struct PlanCounts {
    int created = 0, skipped = 0, revisions = 0, stages = 0, late = 0, feedback = 0,
        resolved = 0, practice = 0;
  };

  // The cohort's roster by display name.
  bool Roster(const std::string& cohort, std::map<std::string, Person>* people) {
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    ev1::ListParticipantsRequest r;
    r.set_parent(cohort);
    r.set_page_size(500);
    do {
      ev1::ListParticipantsResponse page;
      if (!Check(enrollment_->ListParticipants(As(secretariat).get(), r, &page),
                 "ListParticipants")) {
        return false;
      }
      for (const ev1::Participant& p : page.participants()) {
        (*people)[p.display_name()] = Person{p.name(), p.subject(), p.role()};
      }
      r.set_page_token(page.next_page_token());
    } while (!r.page_token().empty());
    return true;
  }

  // The stage meetings (6, 7, 8) and their starts. One that has no date yet
  // is confirmed on its FY2022 date (a Sunday, 09:00 JST); a meeting that has
  // one keeps it.
  bool StageMeetings(const std::string& cohort, std::map<pv1::Stage, absl::Time>* starts) {
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    const struct {
      pv1::Stage stage;
      int sequence;
      int64_t start;
    } rows[] = {
        {pv1::INTERIM, 6, 1671321600},    // 2022-12-18 09:00 JST
        {pv1::FOLLOW_UP, 7, 1687046400},  // 2023-06-18 09:00 JST
        {pv1::FINAL, 8, 1702771200},      // 2023-12-17 09:00 JST
    };
    for (const auto& row : rows) {
      sv1::GetMeetingRequest get;
      get.set_name(absl::StrCat(cohort, "/meetings/m", row.sequence));
      sv1::Meeting meeting;
      if (!Check(scheduling_->GetMeeting(As(secretariat).get(), get, &meeting), "GetMeeting")) {
        return false;
      }
      if (meeting.state() == sv1::Meeting::UNSCHEDULED) {
        sv1::ScheduleMeetingRequest schedule;
        schedule.set_name(meeting.name());
        *schedule.mutable_start_time() = kaizen::ToProtoTimestamp(absl::FromUnixSeconds(row.start));
        schedule.set_reason("デモデータ: 2022年度の開催日");
        if (!Check(scheduling_->ScheduleMeeting(As(secretariat).get(), schedule, &meeting),
                   "ScheduleMeeting")) {
          return false;
        }
      }
      if (meeting.state() != sv1::Meeting::CONFIRMED) {
        std::fprintf(stderr, "load_demo_data: %s has no confirmed time; no demo plans\n",
                     meeting.name().c_str());
        return false;
      }
      (*starts)[row.stage] = kaizen::FromProtoTimestamp(meeting.start_time());
    }
    return true;
  }

  // Attendance at the meetings held on fixed dates (1, 6, 7, 8), as the
  // navigator took it: most present, a few late or absent (stable per person
  // and meeting). Recording the same sheet again changes nothing.
  bool RecordDemoAttendance(const std::string& cohort, const std::map<std::string, Person>& people) {
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    for (int sequence : {1, 6, 7, 8}) {
      sv1::RecordAttendanceRequest r;
      r.set_meeting(absl::StrCat(cohort, "/meetings/m", sequence));
      for (const auto& [display_name, person] : people) {
        if (person.role != ev1::Participant::PARTICIPANT) continue;
        const size_t roll = std::hash<std::string>()(absl::StrCat(display_name, sequence)) % 10;
        sv1::MeetingAttendance::Record* record = r.add_records();
        record->set_participant(person.name);
        record->set_status(roll == 0 ? sv1::ABSENT : roll == 1 ? sv1::LATE : sv1::PRESENT);
      }
      sv1::MeetingAttendance sheet;
      if (!Check(scheduling_->RecordAttendance(As(secretariat).get(), r, &sheet),
                 "RecordAttendance")) {
        return false;
      }
    }
    return true;
  }

  bool GetPlan(const std::string& name, const Principal& who, pv1::Plan* plan) {
    pv1::GetPlanRequest r;
    r.set_name(name);
    return Check(plans_->GetPlan(As(who).get(), r, plan), "GetPlan");
  }

  // One demo plan, revision by revision: an owner updates the draft with
  // the etag and commits; the owners resolve the navigator's feedback on the
  // previous revision; the navigator comments; the owners log their
  // practice; the revision is presented as its stage. A plan whose id is
  // taken is left as it is (the demo plans were loaded before).
  bool LoadPlan(const std::string& cohort, const DemoPlan& d,
                const std::map<std::string, Person>& people,
                const std::map<pv1::Stage, absl::Time>& starts, PlanCounts* n) {
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    const Principal navigator = Subject("demo-navigator", kaizen::type::ROLE_NAVIGATOR);
    std::vector<std::string> owners;
    Principal editor;
    for (const std::string& display_name : d.owners) {
      auto it = people.find(display_name);
      if (it == people.end()) {
        std::fprintf(stderr, "load_demo_data: %s is not on the roster of %s\n",
                     display_name.c_str(), cohort.c_str());
        return false;
      }
      owners.push_back(it->second.name);
      if (editor.subject().empty() && !it->second.subject.empty()) {
        editor = Subject(it->second.subject, kaizen::type::ROLE_PARTICIPANT);
      }
    }
    if (editor.subject().empty()) {
      std::fprintf(stderr, "load_demo_data: no owner of %s has an account\n", d.id);
      return false;
    }

    pv1::CreatePlanRequest create;
    create.set_parent(cohort);
    create.set_plan_id(d.id);
    create.mutable_plan()->set_title(d.title);
    if (d.by_navigator) {
      for (const std::string& o : owners) create.mutable_plan()->add_owners(o);
    }
    pv1::Plan plan;
    const grpc::Status created =
        plans_->CreatePlan(As(d.by_navigator ? navigator : editor).get(), create, &plan);
    if (created.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      ++n->skipped;
      return true;
    }
    if (!Check(created, absl::StrCat("CreatePlan ", d.id))) return false;
    ++n->created;

    std::vector<pv1::Feedback> open;  // COHORT feedback the next revision answers
    for (const DemoRevision& r : d.revisions) {
      if (!GetPlan(plan.name(), editor, &plan)) return false;
      pv1::UpdatePlanRequest update;
      update.mutable_plan()->set_name(plan.name());
      update.mutable_plan()->set_etag(plan.etag());
      *update.mutable_plan()->mutable_draft() = r.content;
      update.mutable_update_mask()->add_paths("draft");
      if (!Check(plans_->UpdatePlan(As(editor).get(), update, &plan), "UpdatePlan")) return false;
      pv1::CommitRevisionRequest commit;
      commit.set_name(plan.name());
      commit.set_etag(plan.etag());
      commit.set_message(r.message);
      pv1::Revision revision;
      if (!Check(plans_->CommitRevision(As(editor).get(), commit, &revision), "CommitRevision")) {
        return false;
      }
      ++n->revisions;

      for (const pv1::Feedback& f : open) {
        pv1::ResolveFeedbackRequest resolve;
        resolve.set_name(f.name());
        resolve.set_etag(f.etag());
        pv1::Feedback resolved;
        if (!Check(plans_->ResolveFeedback(As(editor).get(), resolve, &resolved),
                   "ResolveFeedback")) {
          return false;
        }
        ++n->resolved;
      }
      open.clear();
      for (const DemoFeedback& f : r.feedback) {
        pv1::CreateFeedbackRequest give;
        give.set_parent(plan.name());
        pv1::Feedback* fb = give.mutable_feedback();
        fb->set_revision(revision.number());
        fb->set_action_id(f.action_id);
        fb->set_field(f.field);
        fb->set_text(f.text);
        fb->set_visibility(f.visibility);
        pv1::Feedback given;
        if (!Check(plans_->CreateFeedback(As(navigator).get(), give, &given), "CreateFeedback")) {
          return false;
        }
        ++n->feedback;
        if (given.visibility() == pv1::Feedback::COHORT) open.push_back(given);
      }
      for (const DemoPractice& e : r.practice) {
        pv1::CreatePracticeEntryRequest log;
        log.set_parent(plan.name());
        pv1::PracticeEntry* entry = log.mutable_entry();
        entry->set_action_id(e.action_id);
        entry->mutable_date()->set_year(e.year);
        entry->mutable_date()->set_month(e.month);
        entry->mutable_date()->set_day(e.day);
        entry->set_done(e.done);
        entry->set_result(e.result);
        entry->set_gap(e.gap);
        pv1::PracticeEntry logged;
        if (!Check(plans_->CreatePracticeEntry(As(editor).get(), log, &logged),
                   "CreatePracticeEntry")) {
          return false;
        }
        ++n->practice;
      }

      if (r.stage == pv1::STAGE_UNSPECIFIED) continue;
      // From the meeting's start only the secretariat presents, with a
      // reason; before it (a meeting moved into the future) the owner does.
      const bool late = absl::Now() >= starts.at(r.stage);
      const Principal& presenter = late ? secretariat : editor;
      if (!GetPlan(plan.name(), presenter, &plan)) return false;
      pv1::SubmitStageRequest submit;
      submit.set_name(plan.name());
      submit.set_stage(r.stage);
      submit.set_revision(revision.number());
      submit.set_etag(plan.etag());
      if (late) submit.set_late_reason("デモデータ: 2022年度の発表版を登録");
      if (!Check(plans_->SubmitStage(As(presenter).get(), submit, &plan),
                 absl::StrCat("SubmitStage ", pv1::Stage_Name(r.stage)))) {
        return false;
      }
      ++n->stages;
      if (late) ++n->late;
    }
    return true;
  }

  // The demo plans of the demo cohort; plans loaded before are skipped.
  int LoadPlans() {
    const std::string cohort = "cohorts/" + absl::GetFlag(FLAGS_cohort_id);
    std::map<std::string, Person> people;
    if (!Roster(cohort, &people)) return 1;
    std::map<pv1::Stage, absl::Time> starts;
    if (!StageMeetings(cohort, &starts)) return 1;
    if (!RecordDemoAttendance(cohort, people)) return 1;
    PlanCounts n;
    for (const DemoPlan& d : DemoPlans()) {
      if (!LoadPlan(cohort, d, people, starts, &n)) return 1;
    }
    if (n.created == 0) {
      std::printf("demo data: the %d plans of %s already loaded\n", n.skipped, cohort.c_str());
      return 0;
    }
    std::printf(
        "demo data: %d plans of %s with %d revisions, %d stage versions (%d presented late by "
        "the secretariat), %d feedback (%d resolved), %d practice entries\n",
        n.created, cohort.c_str(), n.revisions, n.stages, n.late, n.feedback, n.resolved,
        n.practice);
    return 0;
  }

  // ---- demo surveys

  struct Respondent {
    std::string subject;
    std::string display_name;
    std::string municipality;
  };

  struct SurveyCounts {
    int pool_cohorts = 0, waves = 0, skipped = 0, submitted = 0, partial = 0, closed = 0;
    std::set<std::string> respondents;
  };

  // The cohort's participants with an account: they answer for themselves.
  bool Respondents(const std::string& cohort, std::vector<Respondent>* out) {
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    ev1::ListParticipantsRequest r;
    r.set_parent(cohort);
    r.set_page_size(500);
    do {
      ev1::ListParticipantsResponse page;
      if (!Check(enrollment_->ListParticipants(As(secretariat).get(), r, &page),
                 "ListParticipants")) {
        return false;
      }
      for (const ev1::Participant& p : page.participants()) {
        if (p.role() != ev1::Participant::PARTICIPANT || p.state() != ev1::Participant::ACTIVE ||
            p.subject().empty()) {
          continue;
        }
        out->push_back(Respondent{p.subject(), p.display_name(), p.municipality_code()});
      }
      r.set_page_token(page.next_page_token());
    } while (!r.page_token().empty());
    return true;
  }

  // A fictional reference cohort of a later year: created, ten people (one
  // application each, so each has an account) admitted, then finished.
  // Nothing if it exists.
  bool EnsurePoolCohort(const PoolCohort& d, int cohort_index, SurveyCounts* n) {
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    const std::string name = absl::StrCat("cohorts/", d.id);
    ev1::GetCohortRequest get;
    get.set_name(name);
    ev1::Cohort cohort;
    const grpc::Status found = enrollment_->GetCohort(As(secretariat).get(), get, &cohort);
    if (found.ok()) return true;
    if (found.error_code() != grpc::StatusCode::NOT_FOUND) return Check(found, "GetCohort");

    ev1::CreateCohortRequest create;
    create.set_cohort_id(d.id);
    create.set_request_id(d.id);
    ev1::Cohort* c = create.mutable_cohort();
    c->set_title(absl::StrCat(d.fiscal_year, "年度 次世代改善リーダー事例研究会（参照用デモ）"));
    c->set_fiscal_year(d.fiscal_year);
    c->set_capacity(10);
    c->set_max_municipalities(6);
    *c->mutable_application_open_time() = kaizen::ToProtoTimestamp(absl::Now() - absl::Hours(1));
    *c->mutable_application_close_time() = kaizen::ToProtoTimestamp(absl::Now() + absl::Hours(1));
    if (!Check(enrollment_->CreateCohort(As(secretariat).get(), create, &cohort), "CreateCohort")) {
      return false;
    }
    auto transition = [&](ev1::Cohort::State state) {
      ev1::TransitionCohortRequest t;
      t.set_name(cohort.name());
      t.set_state(state);
      return Check(enrollment_->TransitionCohort(As(secretariat).get(), t, &cohort),
                   absl::StrCat("TransitionCohort ", ev1::Cohort::State_Name(state)));
    };
    if (!transition(ev1::Cohort::OPEN)) return false;
    for (size_t i = 0; i < d.towns.size(); ++i) {
      const auto& surname = kPoolSurnames[(cohort_index * 10 + i) % std::size(kPoolSurnames)];
      const auto& given = kPoolGivenNames[(i * 3 + cohort_index) % std::size(kPoolGivenNames)];
      ev1::CreateApplicationRequest r;
      r.set_parent(cohort.name());
      r.set_request_id(absl::StrCat(d.id, "-application-", i + 1));
      ev1::Applicant* a = r.mutable_application()->add_members();
      a->set_display_name(absl::StrCat(surname.first, " ", given.first));
      a->set_kana(absl::StrCat(surname.second, " ", given.second));
      a->set_email(absl::StrCat(d.id, "-", i + 1, "@example.jp"));
      a->set_municipality_code(d.towns[i]);
      a->set_department("企画部 行政改革課");
      a->mutable_birth_date()->set_year(d.fiscal_year - 24 - static_cast<int>(i % 9));
      a->mutable_birth_date()->set_month(1 + static_cast<int>(i % 12));
      a->mutable_birth_date()->set_day(10);
      a->set_motivation("職場の改善を仲間と進めたい。");
      a->mutable_consent()->set_share_attendance(true);
      ev1::Application app;
      const Principal applicant =
          Subject(absl::StrCat(d.id, "-p", i + 1), kaizen::type::ROLE_PARTICIPANT);
      if (!Check(enrollment_->CreateApplication(As(applicant).get(), r, &app), "apply")) {
        return false;
      }
      if (app.state() != ev1::Application::ACCEPTED) {
        std::fprintf(stderr, "load_demo_data: an application to %s was not accepted\n", d.id);
        return false;
      }
    }
    if (!transition(ev1::Cohort::RUNNING) || !transition(ev1::Cohort::FINISHED)) return false;
    ++n->pool_cohorts;
    return true;
  }

  // One wave of `cohort` on the built-in pre-survey, answered by every
  // respondent. The window is synthetic: open from an hour ago for a year,
  // because answers are accepted only inside it and the demo meetings lie in
  // the past. With `close_after`, the wave is closed once answered (the
  // reference cohorts are over). A wave that exists is left as it is.
  bool LoadWave(const std::string& cohort, int fiscal_year, svv1::Wave::Kind kind,
                const svv1::InstrumentVersion& version, const std::vector<Respondent>& people,
                bool close_after, SurveyCounts* n) {
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    const absl::Time now = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));  // whole
    svv1::CreateWaveRequest create;
    create.set_parent(cohort);
    create.mutable_wave()->set_kind(kind);
    create.mutable_wave()->set_instrument_version(version.name());
    *create.mutable_wave()->mutable_open_time() = kaizen::ToProtoTimestamp(now - absl::Hours(1));
    *create.mutable_wave()->mutable_close_time() =
        kaizen::ToProtoTimestamp(now + absl::Hours(24 * 365));
    svv1::Wave wave;
    const grpc::Status created = survey_->CreateWave(As(secretariat).get(), create, &wave);
    if (created.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      ++n->skipped;
      return true;
    }
    if (!Check(created, absl::StrCat("CreateWave ", svv1::Wave::Kind_Name(kind)))) return false;
    ++n->waves;

    const int wave_index = kind == svv1::Wave::PRE ? 0 : kind == svv1::Wave::FOLLOW_UP_6 ? 1 : 2;
    for (const Respondent& p : people) {
      const std::string seed = absl::StrCat(cohort, "/", p.display_name);
      DemoRandom pick(Seed({seed, svv1::Wave::Kind_Name(kind), "text"}));
      std::string text;
      bool share = pick.Below(2) == 0;
      const DemoVoice* voice = nullptr;
      for (const DemoVoice& v : FY2022Voices()) {
        if (p.display_name == v.display_name) voice = &v;
      }
      const DemoMunicipality* town = FindDemoMunicipality(p.municipality);
      if (voice != nullptr) {
        text = voice->texts[wave_index];
        share = voice->share_text;
      } else if (kind == svv1::Wave::PRE && town != nullptr) {
        text = town->walls_now[pick.Below(static_cast<int>(town->walls_now.size()))];
      } else {
        text = FollowUpTexts()[pick.Below(static_cast<int>(FollowUpTexts().size()))];
      }
      std::vector<svv1::Answer> answers =
          DemoAnswers(version, seed, p.municipality, fiscal_year, kind, text, share);
      // One FY2022 participant has only begun the 12-month follow-up.
      const bool partial = voice != nullptr && kind == svv1::Wave::FOLLOW_UP_12 &&
                           p.display_name == kPartialRespondent;
      svv1::SaveResponseRequest save;
      save.set_parent(wave.name());
      for (size_t i = 0; i < answers.size(); ++i) {
        if (partial && i >= 12 && answers[i].item_id() != "free-wall-now") continue;
        *save.add_answers() = answers[i];
      }
      save.set_submit(!partial);
      save.set_request_id("demo-survey");
      svv1::Response response;
      if (!Check(survey_->SaveResponse(
                     As(Subject(p.subject, kaizen::type::ROLE_PARTICIPANT)).get(), save, &response),
                 absl::StrCat("SaveResponse ", wave.name()))) {
        return false;
      }
      ++(partial ? n->partial : n->submitted);
      n->respondents.insert(seed);
    }

    if (close_after) {
      svv1::GetWaveRequest get;
      get.set_name(wave.name());
      if (!Check(survey_->GetWave(As(secretariat).get(), get, &wave), "GetWave")) return false;
      svv1::UpdateWaveRequest update;
      *update.mutable_wave() = wave;
      *update.mutable_wave()->mutable_close_time() =
          kaizen::ToProtoTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())));
      if (!Check(survey_->UpdateWave(As(secretariat).get(), update, &wave), "UpdateWave")) {
        return false;
      }
      ++n->closed;
    }
    return true;
  }

  // The pre-survey and both follow-ups of the demo cohort, then the
  // reference cohorts and their waves (the pool every lens compares
  // against). Waves that exist are skipped.
  int LoadSurveys() {
    const absl::Time start = absl::Now();
    const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
    svv1::GetInstrumentVersionRequest get;
    get.set_name(std::string(kDemoInstrumentVersion));
    svv1::InstrumentVersion version;
    if (!Check(survey_->GetInstrumentVersion(As(secretariat).get(), get, &version),
               "GetInstrumentVersion")) {
      return 1;
    }
    const svv1::Wave::Kind kinds[] = {svv1::Wave::PRE, svv1::Wave::FOLLOW_UP_6,
                                      svv1::Wave::FOLLOW_UP_12};
    SurveyCounts n;
    const std::string demo = "cohorts/" + absl::GetFlag(FLAGS_cohort_id);
    std::vector<Respondent> people;
    if (!Respondents(demo, &people)) return 1;
    for (svv1::Wave::Kind kind : kinds) {
      if (!LoadWave(demo, 2022, kind, version, people, false, &n)) return 1;
    }
    for (size_t i = 0; i < PoolCohorts().size(); ++i) {
      const PoolCohort& d = PoolCohorts()[i];
      if (!EnsurePoolCohort(d, static_cast<int>(i), &n)) return 1;
      const std::string cohort = absl::StrCat("cohorts/", d.id);
      std::vector<Respondent> pool;
      if (!Respondents(cohort, &pool)) return 1;
      for (svv1::Wave::Kind kind : kinds) {
        if (!LoadWave(cohort, d.fiscal_year, kind, version, pool, true, &n)) return 1;
      }
    }
    if (n.waves == 0) {
      std::printf("demo data: the %d survey waves already loaded\n", n.skipped);
      return 0;
    }
    std::printf(
        "demo data: %d survey waves (%d closed) of %s and %d new reference cohorts, %d responses "
        "submitted and %d partial from %zu people, in %.1f s\n",
        n.waves, n.closed, demo.c_str(), n.pool_cohorts, n.submitted, n.partial,
        n.respondents.size(), absl::ToDoubleSeconds(absl::Now() - start));
    return 0;
  }

  kaizen::auth::PrincipalSigner signer_;
  std::unique_ptr<ev1::EnrollmentService::Stub> enrollment_;
  std::unique_ptr<sv1::SchedulingService::Stub> scheduling_;
  std::unique_ptr<pv1::PlansService::Stub> plans_;
  std::unique_ptr<svv1::SurveyService::Stub> survey_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::ifstream in(absl::GetFlag(FLAGS_internal_secret_file));
  std::stringstream secret;
  secret << in.rdbuf();
  if (!in || secret.str().empty()) {
    std::fprintf(stderr, "load_demo_data: cannot read the internal secret file\n");
    return 2;
  }
  // One secret per line, the current one first (common/auth/keys.h).
  auto secrets = kaizen::auth::ParseSecretList(secret.str(), "internal_secret_file");
  if (!secrets.ok()) {
    std::fprintf(stderr, "load_demo_data: %s\n", std::string(secrets.status().message()).c_str());
    return 2;
  }
  return Loader(secrets->front()).Run();
}
