// The content of the demo action plans (demo_plans.h): the three plans of
// the FY2022 demo cohort, revision by revision, and the helpers that write
// their content.
#include "tools/demo/demo_plans.h"

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace kaizen::demo {
namespace {

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

}  // namespace

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

}  // namespace kaizen::demo
