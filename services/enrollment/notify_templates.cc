#include "services/enrollment/notify_templates.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/status/errors.h"
#include "common/util/clock.h"

namespace kaizen::enrollment::notify_templates {
namespace {

using ::kaizen::type::NotificationKind;

std::string Greeting(const Letter& l) {
  if (l.neutral) return absl::StrCat(kNeutralGreeting, "\n\n");
  return absl::StrCat(l.display_name.empty() ? "ご担当者" : l.display_name, " 様\n\n");
}

// The signature, and for reminders the way to stop them.
std::string Closing(const Letter& l) {
  std::string out = "\n";
  if (!l.unsubscribe_link.empty()) {
    absl::StrAppend(&out,
                    "このお知らせ（リマインダー）が不要な場合は、次のリンクから停止できます。\n",
                    l.unsubscribe_link, "\n\n");
  }
  absl::StrAppend(&out, "--\n", l.signature,
                  "\nこのメールは送信専用のアドレスからお送りしています。\n"
                  "お心当たりのない場合は、このメールを破棄してください。\n");
  return out;
}

std::string Cohort(const Letter& l) { return absl::StrCat("「", l.cohort_title, "」"); }

std::string LinkLine(const std::string& label, const std::string& link) {
  if (link.empty()) return "";
  return absl::StrCat("\n", label, "\n", link, "\n");
}

std::string Param(const std::map<std::string, std::string>& params, const std::string& key) {
  auto it = params.find(key);
  return it == params.end() ? "" : it->second;
}

absl::Status ParseParamTime(const std::map<std::string, std::string>& params,
                            const std::string& key, absl::Time* out) {
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, Param(params, key), out, &err)) {
    return errors::InvalidField(absl::StrCat("params.", key),
                                "must be a time in RFC 3339, e.g. 2022-07-03T14:00:00+09:00");
  }
  return absl::OkStatus();
}

std::string FormatLabel(const std::string& format) {
  if (format == "ONLINE" || format == "online") return "オンライン";
  if (format == "IN_PERSON" || format == "in_person") return "対面（会場）";
  if (format == "HYBRID" || format == "hybrid") return "ハイブリッド（会場・オンライン）";
  if (absl::EndsWith(format, "UNSPECIFIED")) return "";
  return format;
}

// "2022年7月3日(日) 14:00〜16:00" (one day) or both times in full.
std::string Span(absl::Time start, absl::Time end) {
  const absl::TimeZone tz = TokyoTimeZone();
  if (absl::ToCivilDay(start, tz) == absl::ToCivilDay(end, tz)) {
    return absl::StrCat(TokyoTime(start), "〜", absl::FormatTime("%H:%M", end, tz));
  }
  return absl::StrCat(TokyoTime(start), " 〜 ", TokyoTime(end));
}

// What every meeting message lists.
absl::StatusOr<std::string> MeetingDetails(const std::map<std::string, std::string>& params) {
  absl::Time start, end;
  if (absl::Status s = ParseParamTime(params, "start_time", &start); !s.ok()) return s;
  if (absl::Status s = ParseParamTime(params, "end_time", &end); !s.ok()) return s;
  std::string out = absl::StrCat("  日時: ", Span(start, end), "\n");
  const std::string format = FormatLabel(Param(params, "format"));
  if (!format.empty()) absl::StrAppend(&out, "  形式: ", format, "\n");
  if (!Param(params, "place").empty()) {
    // An online meeting's place is its URL (scheduling sends what people
    // need to join).
    const bool online = Param(params, "format") == "ONLINE" || Param(params, "format") == "online";
    absl::StrAppend(&out, online ? "  参加用URL: " : "  場所: ", Param(params, "place"), "\n");
  }
  return out;
}

}  // namespace

const char kNeutralGreeting[] =
    "次世代改善リーダー事例研究会へのお申込みについてのご案内です。";

std::string TokyoTime(absl::Time t) {
  static constexpr const char* kWeekdays[] = {"月", "火", "水", "木", "金", "土", "日"};
  const absl::TimeZone tz = TokyoTimeZone();
  const absl::CivilMinute m = absl::ToCivilMinute(t, tz);
  const absl::Weekday wd = absl::GetWeekday(absl::CivilDay(m));
  return absl::StrCat(m.year(), "年", m.month(), "月", m.day(), "日(",
                      kWeekdays[static_cast<int>(wd)], ") ",
                      absl::FormatTime("%H:%M", t, tz));
}

Text ApplicationReceived(const Letter& l, const std::string& view_link,
                         const std::string& confirm_link, absl::Time confirm_deadline) {
  Text t;
  std::string body = absl::StrCat(Greeting(l), Cohort(l), "へのお申込みを受け付けました。\n");
  if (!confirm_link.empty()) {
    t.subject = absl::StrCat("【要確認】メールアドレスの確認をお願いします（", l.cohort_title, "）");
    absl::StrAppend(&body,
                    "\nお申込みを有効にするため、次のリンクを開いてメールアドレスを確認してください。\n"
                    "確認が済むまで、お席や順番待ちの順位は確保されません。\n",
                    confirm_link, "\n\n確認の期限: ", TokyoTime(confirm_deadline),
                    "\n期限までに確認がない場合、お申込みは無効になります。\n");
  } else {
    t.subject = absl::StrCat("お申込みを受け付けました（", l.cohort_title, "）");
  }
  absl::StrAppend(&body,
                  LinkLine("お申込みの状況は、次のリンクからいつでも確認できます。\n"
                           "このリンクはお申込みの鍵です。他の方に転送しないでください。",
                           view_link));
  t.body = absl::StrCat(body, Closing(l));
  return t;
}

Text AlreadyApplied(const Letter& l) {
  Text t;
  t.subject = absl::StrCat("お申込みについてのお知らせ（", l.cohort_title, "）");
  t.body = absl::StrCat(
      Greeting(l), Cohort(l),
      "に、このメールアドレスを含むお申込みがありました。\n"
      "このメールアドレスでのお申込みは、この期に既にあります。\n\n"
      "今回のお申込みにお心当たりがない場合は、何もしていただく必要はありません。\n"
      "既にあるお申込みの内容は変わりません。\n",
      Closing(l));
  return t;
}

Text OfferMade(const Letter& l, const std::string& view_link, absl::Time deadline) {
  Text t;
  t.subject = absl::StrCat("【期限あり】お席をご用意できました（", l.cohort_title, "）");
  t.body = absl::StrCat(
      Greeting(l), Cohort(l),
      "で空きが出たため、順番待ちのお申込みにお席をご用意しました。\n\n"
      "参加される場合は、期限までにお申込みの画面でお受けください。\n"
      "期限: ",
      TokyoTime(deadline), "\n期限を過ぎると、お席は次の方にご案内します。\n",
      LinkLine("お申込みの画面:", view_link), Closing(l));
  return t;
}

Text OfferExpiringSoon(const Letter& l, const std::string& view_link, absl::Time deadline) {
  Text t;
  t.subject = absl::StrCat("【まもなく期限】ご用意したお席の回答期限が近づいています（",
                           l.cohort_title, "）");
  t.body = absl::StrCat(Greeting(l), Cohort(l),
                        "でご用意したお席の回答期限が近づいています。\n\n期限: ",
                        TokyoTime(deadline),
                        "\n参加される場合は、期限までにお申込みの画面でお受けください。\n",
                        LinkLine("お申込みの画面:", view_link), Closing(l));
  return t;
}

Text Accepted(const Letter& l, const std::string& view_link) {
  Text t;
  t.subject = absl::StrCat("参加が決まりました（", l.cohort_title, "）");
  t.body = absl::StrCat(Greeting(l), Cohort(l),
                        "への参加が決まりました。\n今後のご案内は、このメールアドレスにお送りします。\n",
                        LinkLine("お申込みの状況:", view_link), Closing(l));
  return t;
}

Text Waitlisted(const Letter& l, const std::string& view_link, int position) {
  Text t;
  t.subject = absl::StrCat("順番待ちでお受けしました（", l.cohort_title, "）");
  std::string body =
      absl::StrCat(Greeting(l), Cohort(l),
                   "は現在満席のため、お申込みを順番待ちでお受けしました。\n");
  if (position > 0) absl::StrAppend(&body, "現在の順番: ", position, "番目\n");
  absl::StrAppend(&body,
                  "お席に空きが出た場合は、このメールアドレスにご案内します（回答の期限があります）。\n",
                  LinkLine("お申込みの状況:", view_link));
  t.body = absl::StrCat(body, Closing(l));
  return t;
}

Text Rejected(const Letter& l) {
  Text t;
  t.subject = absl::StrCat("お申込みの結果について（", l.cohort_title, "）");
  t.body = absl::StrCat(Greeting(l), Cohort(l),
                        "へお申込みいただき、ありがとうございました。\n"
                        "誠に残念ながら、今回はご参加いただけないこととなりました。\n"
                        "またの機会にお申込みいただければ幸いです。\n",
                        Closing(l));
  return t;
}

Text NotAdmitted(const Letter& l, const std::string& view_link) {
  Text t;
  t.subject = absl::StrCat("お申込みの結果について（", l.cohort_title, "）");
  t.body = absl::StrCat(Greeting(l), Cohort(l),
                        "へのチームでのお申込みのうち、今回は定員の都合で一部の方のみ"
                        "ご参加いただくこととなり、あなたは今回ご参加いただけないこととなりました。\n"
                        "誠に申し訳ございません。またの機会にお申込みいただければ幸いです。\n",
                        LinkLine("お申込みの状況:", view_link), Closing(l));
  return t;
}

Text Expired(const Letter& l, ExpiredWhy why) {
  Text t;
  switch (why) {
    case ExpiredWhy::kNotConfirmed:
      t.subject = absl::StrCat("お申込みが無効になりました（", l.cohort_title, "）");
      t.body = absl::StrCat(
          Greeting(l), Cohort(l),
          "へのお申込みは、期限までにすべてのメールアドレスの確認が済まなかったため無効になりました。\n"
          "参加を希望される場合は、改めてお申込みください。\n",
          Closing(l));
      break;
    case ExpiredWhy::kArrivalRefused:
      t.subject = absl::StrCat("お申込みをお受けできませんでした（", l.cohort_title, "）");
      t.body = absl::StrCat(
          Greeting(l), Cohort(l),
          "へのお申込みは、メールアドレスの確認が済みましたが、お受けできませんでした。\n"
          "確認の時点で、順番待ちが満員であったか、申込みの受付が終了していたか、"
          "このメールアドレスでのお申込みが既にあったためです。\n",
          Closing(l));
      break;
    case ExpiredWhy::kOfferLapsed:
      t.subject = absl::StrCat("ご用意したお席の回答期限が過ぎました（", l.cohort_title, "）");
      t.body = absl::StrCat(Greeting(l), Cohort(l),
                            "でご用意したお席は、回答の期限が過ぎたため次の方にご案内しました。\n",
                            Closing(l));
      break;
  }
  return t;
}

Text ClaimLink(const Letter& l, const std::string& claim_link, absl::Time expire_time) {
  Text t;
  t.subject = absl::StrCat("アカウントとの連携のご案内（", l.cohort_title, "）");
  t.body = absl::StrCat(
      Greeting(l), Cohort(l),
      "の参加情報を、あなたのアカウントに連携するためのリンクをお送りします。\n"
      "サインインしたうえで、次のリンクを開いてください。このリンクは一度だけ使えます。\n",
      claim_link, "\n\n有効期限: ", TokyoTime(expire_time),
      "\n他の方に転送しないでください。\n", Closing(l));
  return t;
}

const std::vector<std::string>& RequiredParams(NotificationKind kind) {
  static const auto* const kMeeting =
      new std::vector<std::string>{"meeting", "meeting_title", "start_time", "end_time"};
  static const auto* const kReschedule = new std::vector<std::string>{
      "meeting", "meeting_title", "start_time", "end_time", "previous_start_time"};
  static const auto* const kPoll =
      new std::vector<std::string>{"poll", "meeting_title", "close_time"};
  static const auto* const kTask = new std::vector<std::string>{"task", "task_title", "due_time"};
  static const auto* const kNone = new std::vector<std::string>{};
  switch (kind) {
    case kaizen::type::MEETING_CONFIRMED:
    case kaizen::type::MEETING_CANCELLED: return *kMeeting;
    case kaizen::type::MEETING_RESCHEDULED: return *kReschedule;
    case kaizen::type::POLL_OPENED: return *kPoll;
    case kaizen::type::TASK_DUE: return *kTask;
    default: return *kNone;
  }
}

const std::vector<std::string>& KnownParams(NotificationKind kind) {
  static const auto* const kMeeting = new std::vector<std::string>{
      "meeting", "meeting_title", "start_time", "end_time", "place", "format",
      "previous_start_time", "reason"};
  switch (kind) {
    case kaizen::type::MEETING_CONFIRMED:
    case kaizen::type::MEETING_RESCHEDULED:
    case kaizen::type::MEETING_CANCELLED: return *kMeeting;
    default: return RequiredParams(kind);
  }
}

absl::StatusOr<Text> HandOver(const Letter& l, NotificationKind kind,
                              const std::map<std::string, std::string>& params,
                              const std::string& base_url) {
  for (const std::string& key : RequiredParams(kind)) {
    if (Param(params, key).empty()) {
      return errors::InvalidField(absl::StrCat("params.", key), "is required for this kind");
    }
  }
  Text t;
  std::string body = Greeting(l);
  switch (kind) {
    case kaizen::type::MEETING_CONFIRMED:
    case kaizen::type::MEETING_RESCHEDULED:
    case kaizen::type::MEETING_CANCELLED: {
      absl::StatusOr<std::string> details = MeetingDetails(params);
      if (!details.ok()) return details.status();
      const std::string title = Param(params, "meeting_title");
      const std::string link = absl::StrCat(base_url, "/", Param(params, "meeting"));
      if (kind == kaizen::type::MEETING_CONFIRMED) {
        t.subject = absl::StrCat("【日程決定】", title, "（", l.cohort_title, "）");
        absl::StrAppend(&body, Cohort(l), "の「", title, "」の日程が決まりました。\n\n",
                        *details, LinkLine("詳細:", link),
                        "\n予定表に取り込めるファイル（.ics）を添付しています。\n");
      } else if (kind == kaizen::type::MEETING_RESCHEDULED) {
        absl::Time previous;
        if (absl::Status s = ParseParamTime(params, "previous_start_time", &previous); !s.ok()) {
          return s;
        }
        t.subject = absl::StrCat("【日程変更】", title, "（", l.cohort_title, "）");
        absl::StrAppend(&body, Cohort(l), "の「", title, "」の予定が変更になりました。\n\n",
                        "  変更前の開始: ", TokyoTime(previous), "\n", "変更後:\n", *details,
                        LinkLine("詳細:", link),
                        "\n変更後の予定（.ics）を添付しています。予定表の予定が更新されます。\n");
      } else {
        t.subject = absl::StrCat("【中止】", title, "（", l.cohort_title, "）");
        absl::StrAppend(&body, Cohort(l), "の「", title, "」は中止になりました。\n\n",
                        *details);
        if (!Param(params, "reason").empty()) {
          absl::StrAppend(&body, "  理由: ", Param(params, "reason"), "\n");
        }
        absl::StrAppend(&body, "\n予定表から取り消すためのファイル（.ics）を添付しています。\n");
      }
      break;
    }
    case kaizen::type::POLL_OPENED: {
      absl::Time close;
      if (absl::Status s = ParseParamTime(params, "close_time", &close); !s.ok()) return s;
      const std::string title = Param(params, "meeting_title");
      t.subject = absl::StrCat("【日程調整】", title, "のご都合をお知らせください（",
                               l.cohort_title, "）");
      absl::StrAppend(&body, Cohort(l), "の「", title,
                      "」の日程調整を始めました。\nご都合のよい候補日をお知らせください。\n\n"
                      "  回答の締切: ",
                      TokyoTime(close), "\n",
                      LinkLine("回答はこちら:", absl::StrCat(base_url, "/", Param(params, "poll"))));
      break;
    }
    case kaizen::type::TASK_DUE: {
      absl::Time due;
      if (absl::Status s = ParseParamTime(params, "due_time", &due); !s.ok()) return s;
      const std::string title = Param(params, "task_title");
      t.subject = absl::StrCat("【期限が近づいています】", title, "（", l.cohort_title, "）");
      absl::StrAppend(&body, Cohort(l), "の課題「", title, "」の期限が近づいています。\n\n",
                      "  期限: ", TokyoTime(due), "\n",
                      LinkLine("課題:", absl::StrCat(base_url, "/", Param(params, "task"))));
      break;
    }
    default:
      return errors::InvalidField("kind", "must be a NotificationKind other than UNSPECIFIED");
  }
  t.body = absl::StrCat(body, Closing(l));
  return t;
}

}  // namespace kaizen::enrollment::notify_templates
