#include "tools/bundle/pdf.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/util/proto_time.h"
#include "tools/bundle/pdf_canvas.h"
#include "tools/bundle/wall_chart.h"

namespace kaizen::bundle {
namespace {

namespace pv1 = plans::v1;
namespace sv1 = scheduling::v1;
namespace yv1 = survey::v1;

constexpr double kBody = 9.5;
constexpr double kSmall = 8;
constexpr double kHeading = 13;

std::string Time(const google::protobuf::Timestamp& t) {
  return TokyoMinute(FromProtoTimestamp(t));
}

void Heading(PdfCanvas& c, absl::string_view text) {
  c.Space(10);
  c.Text(text, kHeading, /*bold=*/true);
  c.Rule();
}

void NotShared(PdfCanvas& c) {
  c.Text("本人の同意がないため、この項目は提供していません。", kBody);
}

void Attendance(PdfCanvas& c, const sv1::SharedAttendance& a) {
  if (a.held() == 0) {
    c.Text("期間内に開催された回はありません。", kBody);
    return;
  }
  c.Text(absl::StrFormat("出席率 %.0f%%（期間内 %d 回のうち %d 回出席、うち遅刻 %d 回）",
                         a.rate() * 100, a.held(), a.attended(), a.late()),
         kBody, /*bold=*/true);
  c.Space(4);
  const std::vector<double> x = {0, 100, 420};
  const std::vector<double> w = {95, 315, 80};
  c.Row({"日時（日本時間）", "回", "出欠"}, x, w, kSmall, /*bold=*/true, /*shade=*/true);
  for (const auto& m : a.meetings()) {
    c.Row({Time(m.start_time()), m.title(), StatusLabelJa(m.status())}, x, w, kSmall);
  }
}

const char* WallShort(type::Wall wall) { return WallGoalJa(wall); }

void Stage(PdfCanvas& c, const pv1::SharedPlanStages::SharedStage& s) {
  c.Space(4);
  c.Text(absl::StrCat(StageLabelJa(s.stage()), "（改訂 ", s.revision(), "、提出 ",
                      Time(s.submit_time()), s.late() ? "、期限後に事務局が提出" : "", "）"),
         10.5, /*bold=*/true, 8);
  const pv1::PlanContent& content = s.content();
  if (!content.vision().empty()) {
    c.Text("5年後のビジョン", kBody, true, 16);
    c.Text(content.vision(), kBody, false, 24);
  }
  if (content.walls_size() > 0) {
    c.Text("壁ごとの取り組み", kBody, true, 16);
    for (const auto& ws : content.walls()) {
      c.Text(absl::StrCat("【", WallShort(ws.wall()), "】", ws.text()), kBody, false, 24);
    }
  }
  if (content.actions_size() > 0) {
    c.Text("アクション", kBody, true, 16);
    for (const auto& a : content.actions()) {
      std::vector<std::string> meta;
      if (!a.timeframe().empty()) meta.push_back(absl::StrCat("時期: ", a.timeframe()));
      if (!a.indicator().empty()) meta.push_back(absl::StrCat("指標: ", a.indicator()));
      if (a.target_result() != type::WALL_UNSPECIFIED) {
        meta.push_back(absl::StrCat("狙い: ", WallShort(a.target_result())));
      }
      c.Text(absl::StrCat("・", a.title()), kBody, false, 24);
      if (!a.description().empty()) c.Text(a.description(), kSmall, false, 34);
      if (!meta.empty()) c.Text(absl::StrJoin(meta, "／"), kSmall, false, 34);
    }
  }
  if (content.milestones_size() > 0) {
    c.Text("マイルストーン", kBody, true, 16);
    for (const auto& m : content.milestones()) {
      std::string date =
          m.has_target_date()
              ? absl::StrFormat("%04d-%02d-%02d", m.target_date().year(), m.target_date().month(),
                                m.target_date().day())
              : "";
      c.Text(absl::StrCat(m.done() ? "☑ " : "☐ ", m.title(), date.empty() ? "" : "（", date,
                          date.empty() ? "" : "）"),
             kBody, false, 24);
    }
  }
}

void Plans(PdfCanvas& c, const pv1::SharedPlanStages& p) {
  if (p.plans_size() == 0) {
    c.Text("期間内に提出された段階版はありません。", kBody);
    return;
  }
  for (const auto& plan : p.plans()) {
    c.Space(4);
    c.Text(absl::StrCat(plan.title(),
                        plan.owner_count() > 1
                            ? absl::StrCat("（チーム計画・", plan.owner_count(), "名）")
                            : ""),
           11, /*bold=*/true);
    for (const auto& s : plan.stages()) Stage(c, s);
  }
}

void Survey(PdfCanvas& c, const yv1::SharedSurveyProfile& s) {
  if (s.waves_size() == 0) {
    c.Text("期間内に回答されたサーベイはありません。", kBody);
    return;
  }
  c.Text("4つの壁（スコアは項目の尺度上の平均。高いほどその壁が強いことを示します）",
         kSmall);
  c.Space(6);
  DrawWallChart(c, s);
  c.Space(4);
  c.Text("同僚の壁: 身近な仲間を巻き込めない／上司の壁: 先輩・上司を支援者にできない／"
         "経営幹部の壁: 提案が経営幹部に届かない／人事評価の壁: 改善活動が人事評価に反映されない",
         kSmall);
  c.Space(6);
  for (const auto& w : s.waves()) {
    std::vector<std::string> ranked;
    for (int wall : w.profile().walls_ranked()) {
      ranked.push_back(WallLabelJa(static_cast<type::Wall>(wall)));
    }
    c.Text(absl::StrCat(WaveKindLabelJa(w.wave_kind()), "（", Time(w.submit_time()), " 回答）",
                        ranked.empty() ? "" : "　壁の強い順: ", absl::StrJoin(ranked, " ＞ ")),
           kBody, false);
  }
  if (s.shared_text_size() > 0) {
    c.Space(6);
    c.Text("本人が共有に同意した自由記述", kBody, true);
    for (const auto& t : s.shared_text()) {
      c.Text(absl::StrCat("問: ", t.question()), kSmall, false, 8);
      c.Text(t.text(), kBody, false, 16);
    }
  }
}

}  // namespace

absl::Status RenderPersonPdf(const BundleData& data, const PersonResults& r,
                             const std::string& path, const PdfOptions& options) {
  const Person& p = r.person;
  PdfCanvas c(path, options.font_family,
              // On every page: a loose printed page still says whose it is.
              absl::StrCat("Kaizen 提供データ ", p.display_name, "　", data.bundle_id, " ",
                           p.participant));
  if (!c.status().ok()) return c.status();
  c.Text("研修成果の提供記録（本人の同意に基づく）", kSmall);
  c.Space(2);
  c.Text(p.display_name, 20, /*bold=*/true);
  c.Space(2);
  c.Text(absl::StrCat(p.municipality_name, "（", p.municipality_code, "）　", p.cohort_title),
         kBody);
  c.Text(absl::StrCat("対象期間 ", absl::FormatCivilTime(data.period.from), " 〜 ",
                      absl::FormatCivilTime(data.period.to), "（日本時間）　作成 ",
                      TokyoMinute(data.create_time)),
         kSmall);
  c.Text(absl::StrCat("バンドル ", data.bundle_id, "　", p.participant), kSmall);

  Heading(c, "出席");
  if (r.attendance) Attendance(c, *r.attendance); else NotShared(c);
  Heading(c, "行動計画（段階版）");
  if (r.plans) Plans(c, *r.plans); else NotShared(c);
  Heading(c, "サーベイ・プロフィール");
  if (r.survey) Survey(c, *r.survey); else NotShared(c);
  return c.Finish();
}

}  // namespace kaizen::bundle
