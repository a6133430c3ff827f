// Every template: the recipient's name, the cohort, the link, the time in
// Asia/Tokyo, the signature; nothing of anyone else.
#include "services/enrollment/notify_templates.h"

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment::notify_templates {
namespace notify_templates_test {

using ::testing::HasSubstr;
using ::testing::Not;

// 2022-07-03 14:00 JST (a Sunday) = 05:00 UTC.
absl::Time July3At14() { return absl::FromUnixSeconds(1656824400); }

Letter Hanako() {
  Letter l;
  l.display_name = "佐藤 花子";
  l.cohort_title = "2022年度 次世代改善リーダー事例研究会";
  l.signature = "次世代改善リーダー事例研究会 事務局";
  return l;
}

void ExpectLetter(const Text& t) {
  EXPECT_TRUE(absl::StartsWith(t.body, "佐藤 花子 様\n")) << t.body;
  EXPECT_THAT(t.subject, HasSubstr("2022年度 次世代改善リーダー事例研究会"));
  EXPECT_THAT(t.body, HasSubstr("「2022年度 次世代改善リーダー事例研究会」"));
  EXPECT_THAT(t.body, HasSubstr("--\n次世代改善リーダー事例研究会 事務局\n"));
  EXPECT_EQ(t.subject.find('\n'), std::string::npos);
}

TEST(NotifyTemplatesTest, TokyoTimeHasDateWeekdayAndMinute) {
  EXPECT_EQ(TokyoTime(July3At14()), "2022年7月3日(日) 14:00");
  // 23:30 UTC on 2 July is already 3 July in Tokyo.
  EXPECT_EQ(TokyoTime(absl::FromUnixSeconds(1656804600)), "2022年7月3日(日) 08:30");
  EXPECT_EQ(TokyoTime(absl::FromUnixSeconds(1656824400 + 86400)), "2022年7月4日(月) 14:00");
}

TEST(NotifyTemplatesTest, ReceivedCarriesTheViewLinkAndWithConfirmationTheDeadline) {
  Text plain = ApplicationReceived(Hanako(), "https://k.example/applications/view#t", "",
                                   absl::InfinitePast());
  ExpectLetter(plain);
  EXPECT_THAT(plain.subject, HasSubstr("受け付けました"));
  EXPECT_THAT(plain.body, HasSubstr("https://k.example/applications/view#t"));
  EXPECT_THAT(plain.body, Not(HasSubstr("確認の期限")));

  Text confirm = ApplicationReceived(Hanako(), "https://k.example/applications/view#t",
                                     "https://k.example/applications/confirm#c", July3At14());
  ExpectLetter(confirm);
  EXPECT_THAT(confirm.subject, HasSubstr("メールアドレスの確認"));
  EXPECT_THAT(confirm.body, HasSubstr("https://k.example/applications/confirm#c"));
  EXPECT_THAT(confirm.body, HasSubstr("確認の期限: 2022年7月3日(日) 14:00"));
  EXPECT_THAT(confirm.body, HasSubstr("https://k.example/applications/view#t"));
}

TEST(NotifyTemplatesTest, AlreadyAppliedIsNeutralWithoutLinksOrFalseClaims) {
  Letter l = Hanako();
  l.neutral = true;  // the Notifier sends it neutral: display_name ignored
  Text t = AlreadyApplied(l);
  EXPECT_TRUE(absl::StartsWith(t.body, std::string(kNeutralGreeting) + "\n\n")) << t.body;
  EXPECT_THAT(t.body, Not(HasSubstr("佐藤")));
  EXPECT_THAT(t.body, HasSubstr("既にあります"));
  EXPECT_THAT(t.body, HasSubstr("何もしていただく必要はありません"));
  // L4: the old text claimed no new application was made; one is stored.
  EXPECT_THAT(t.body, Not(HasSubstr("作成していません")));
  EXPECT_THAT(t.body, Not(HasSubstr("http")));
  EXPECT_THAT(t.body, HasSubstr("「2022年度 次世代改善リーダー事例研究会」"));
}

TEST(NotifyTemplatesTest, NeutralLetterCarriesNoName) {
  Letter l = Hanako();
  l.neutral = true;
  Text t = ApplicationReceived(l, "", "https://k.example/c", July3At14());
  EXPECT_TRUE(absl::StartsWith(t.body, "次世代改善リーダー事例研究会へのお申込みについてのご案内です。\n"))
      << t.body;
  EXPECT_THAT(t.body, Not(HasSubstr("佐藤")));
  EXPECT_THAT(t.body, Not(HasSubstr("様\n")));
}

TEST(NotifyTemplatesTest, ExpiredSaysWhyAndNotAdmittedPromisesNothing) {
  EXPECT_THAT(Expired(Hanako(), ExpiredWhy::kNotConfirmed).body,
              HasSubstr("メールアドレスの確認が済まなかった"));
  const Text refused = Expired(Hanako(), ExpiredWhy::kArrivalRefused);
  ExpectLetter(refused);
  EXPECT_THAT(refused.body, HasSubstr("確認が済みましたが、お受けできませんでした"));
  EXPECT_THAT(refused.body, HasSubstr("順番待ちが満員"));
  EXPECT_THAT(refused.body, Not(HasSubstr("確認が済まなかった")));
  EXPECT_THAT(Expired(Hanako(), ExpiredWhy::kOfferLapsed).body, HasSubstr("回答の期限が過ぎた"));
  const Text left_out = NotAdmitted(Hanako(), "");
  ExpectLetter(left_out);
  EXPECT_THAT(left_out.body, HasSubstr("今回ご参加いただけない"));
  // No promise of a later offer (the waitlisted text makes one).
  EXPECT_THAT(left_out.body, Not(HasSubstr("空きが出た場合")));
  EXPECT_THAT(left_out.body, Not(HasSubstr("順番待ち")));
}

TEST(NotifyTemplatesTest, DecisionsAndOffers) {
  Text offer = OfferMade(Hanako(), "https://k.example/v", July3At14());
  ExpectLetter(offer);
  EXPECT_THAT(offer.body, HasSubstr("期限: 2022年7月3日(日) 14:00"));
  EXPECT_THAT(offer.body, HasSubstr("https://k.example/v"));

  Letter reminder = Hanako();
  reminder.unsubscribe_link = "https://k.example/reminders/unsubscribe#token=u";
  Text soon = OfferExpiringSoon(reminder, "", July3At14());
  ExpectLetter(soon);
  EXPECT_THAT(soon.body, HasSubstr("2022年7月3日(日) 14:00"));
  EXPECT_THAT(soon.body, HasSubstr("https://k.example/reminders/unsubscribe#token=u"));

  ExpectLetter(Accepted(Hanako(), ""));
  EXPECT_THAT(Accepted(Hanako(), "").subject, HasSubstr("参加が決まりました"));
  Text waiting = Waitlisted(Hanako(), "", 3);
  ExpectLetter(waiting);
  EXPECT_THAT(waiting.body, HasSubstr("3番目"));
  EXPECT_THAT(Waitlisted(Hanako(), "", 0).body, Not(HasSubstr("番目")));
  Text rejected = Rejected(Hanako());
  ExpectLetter(rejected);
  EXPECT_THAT(rejected.body, Not(HasSubstr("理由")));
  // Transactional messages carry no unsubscribe text.
  EXPECT_THAT(Accepted(Hanako(), "").body, Not(HasSubstr("停止")));
}

TEST(NotifyTemplatesTest, ClaimLinkWithExpiry) {
  Text t = ClaimLink(Hanako(), "https://k.example/claim#token=x", July3At14());
  ExpectLetter(t);
  EXPECT_THAT(t.body, HasSubstr("https://k.example/claim#token=x"));
  EXPECT_THAT(t.body, HasSubstr("有効期限: 2022年7月3日(日) 14:00"));
}

std::map<std::string, std::string> Meeting() {
  return {{"meeting", "cohorts/c1/meetings/m1"},
          {"meeting_title", "第3回 研究会"},
          {"start_time", "2022-07-03T14:00:00+09:00"},
          {"end_time", "2022-07-03T16:30:00+09:00"},
          {"place", "津市 アスト津 4階"},
          {"format", "HYBRID"}};
}

TEST(NotifyTemplatesTest, MeetingKinds) {
  auto confirmed = HandOver(Hanako(), kaizen::type::MEETING_CONFIRMED, Meeting(),
                            "https://k.example");
  ASSERT_TRUE(confirmed.ok()) << confirmed.status();
  ExpectLetter(*confirmed);
  EXPECT_THAT(confirmed->subject, HasSubstr("【日程決定】第3回 研究会"));
  EXPECT_THAT(confirmed->body, HasSubstr("日時: 2022年7月3日(日) 14:00〜16:30"));
  EXPECT_THAT(confirmed->body, HasSubstr("津市 アスト津 4階"));
  EXPECT_THAT(confirmed->body, HasSubstr("ハイブリッド"));
  EXPECT_THAT(confirmed->body, HasSubstr("https://k.example/cohorts/c1/meetings/m1"));
  auto online = Meeting();
  online["format"] = "ONLINE";
  online["place"] = "https://meet.example.jp/abc";
  auto joined = HandOver(Hanako(), kaizen::type::MEETING_CONFIRMED, online, "https://k.example");
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_THAT(joined->body, HasSubstr("形式: オンライン"));
  EXPECT_THAT(joined->body, HasSubstr("参加用URL: https://meet.example.jp/abc"));
  online["format"] = "FORMAT_UNSPECIFIED";
  EXPECT_THAT(HandOver(Hanako(), kaizen::type::MEETING_CONFIRMED, online, "https://k")->body,
              Not(HasSubstr("形式")));

  auto params = Meeting();
  params["previous_start_time"] = "2022-06-26T05:00:00Z";
  auto moved = HandOver(Hanako(), kaizen::type::MEETING_RESCHEDULED, params, "https://k.example");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_THAT(moved->subject, HasSubstr("【日程変更】"));
  EXPECT_THAT(moved->body, HasSubstr("変更前の開始: 2022年6月26日(日) 14:00"));

  params = Meeting();
  params["reason"] = "台風の接近のため";
  auto cancelled = HandOver(Hanako(), kaizen::type::MEETING_CANCELLED, params, "https://k.example");
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_THAT(cancelled->subject, HasSubstr("【中止】"));
  EXPECT_THAT(cancelled->body, HasSubstr("理由: 台風の接近のため"));
}

TEST(NotifyTemplatesTest, PollAndTask) {
  auto poll = HandOver(Hanako(), kaizen::type::POLL_OPENED,
                       {{"poll", "cohorts/c1/polls/p1"},
                        {"meeting_title", "第4回 研究会"},
                        {"close_time", "2022-07-10T23:59:00+09:00"}},
                       "https://k.example");
  ASSERT_TRUE(poll.ok()) << poll.status();
  ExpectLetter(*poll);
  EXPECT_THAT(poll->body, HasSubstr("回答の締切: 2022年7月10日(日) 23:59"));
  EXPECT_THAT(poll->body, HasSubstr("https://k.example/cohorts/c1/polls/p1"));
  auto task = HandOver(Hanako(), kaizen::type::TASK_DUE,
                       {{"task", "cohorts/c1/tasks/t1"},
                        {"task_title", "行動計画の提出"},
                        {"due_time", "2022-07-15T17:00:00+09:00"}},
                       "https://k.example");
  ASSERT_TRUE(task.ok()) << task.status();
  ExpectLetter(*task);
  EXPECT_THAT(task->subject, HasSubstr("行動計画の提出"));
  EXPECT_THAT(task->body, HasSubstr("期限: 2022年7月15日(金) 17:00"));
}

TEST(NotifyTemplatesTest, MissingOrMalformedParametersNameTheParameter) {
  auto params = Meeting();
  params.erase("start_time");
  auto missing = HandOver(Hanako(), kaizen::type::MEETING_CONFIRMED, params, "https://k");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(errors::GetBadRequest(missing.status()).has_value());
  EXPECT_EQ(errors::GetBadRequest(missing.status())->field_violations(0).field(),
            "params.start_time");
  params = Meeting();
  params["end_time"] = "tomorrow";
  auto bad = HandOver(Hanako(), kaizen::type::MEETING_CONFIRMED, params, "https://k");
  ASSERT_TRUE(errors::GetBadRequest(bad.status()).has_value()) << bad.status();
  EXPECT_EQ(errors::GetBadRequest(bad.status())->field_violations(0).field(), "params.end_time");
}

TEST(NotifyTemplatesTest, AnEmptyNameIsAddressedPolitely) {
  Letter l = Hanako();
  l.display_name.clear();
  EXPECT_TRUE(absl::StartsWith(Rejected(l).body, "ご担当者 様\n"));
}

}  // namespace
}  // namespace kaizen::enrollment::notify_templates
