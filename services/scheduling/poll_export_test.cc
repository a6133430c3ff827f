// ExportPollAnswers' table: what staff see in Excel.
#include "services/scheduling/poll_export.h"

#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace poll_export_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

enrollment_client::RosterView Roster() {
  ev1::Roster roster;
  roster.set_cohort(kCohort);
  auto add = [&](const std::string& id, const std::string& name, ev1::Participant::Role role,
                 const std::string& code, const std::string& town) {
    auto* e = roster.add_entries();
    e->set_participant(Person(id));
    e->set_display_name(name);
    e->set_role(role);
    e->set_municipality_code(code);
    e->set_municipality_name(town);
  };
  add("p1", "山田 太郎", ev1::Participant::PARTICIPANT, "011002", "札幌市");
  add("p2", "佐藤 花子", ev1::Participant::PARTICIPANT, "242012", "津市");
  add("navigator", "中村 進", ev1::Participant::NAVIGATOR, "", "");
  add("secretariat", "事務局 花子", ev1::Participant::SECRETARIAT, "", "");
  return enrollment_client::RosterView(roster);
}

v1::Poll TwoSlotPoll() {
  v1::Poll poll;
  auto* a = poll.add_slots();
  a->set_id("s202208210900");
  *a->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 8, 21, 9));
  auto* b = poll.add_slots();
  b->set_id("s202208271300");
  *b->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 8, 27, 13));
  auto* answer = poll.add_answers();
  answer->set_participant(Person("p1"));
  (*answer->mutable_availability())["s202208210900"] = v1::YES;  // the 27th left open
  answer->set_comment("午前なら参加できます");
  auto* nav = poll.add_answers();
  nav->set_participant(Person("navigator"));
  (*nav->mutable_availability())["s202208210900"] = v1::MAYBE;
  (*nav->mutable_availability())["s202208271300"] = v1::NO;
  return poll;
}

TEST(PollExportTest, JapaneseLabelsCodesAsTextNamesAndUnanswered) {
  CsvTable t = PollAnswersTable(TwoSlotPoll(), Roster());
  EXPECT_EQ(t.header, (std::vector<std::string>{"氏名", "役割", "自治体コード", "自治体名",
                                                "2022/08/21(日) 09:00", "2022/08/27(土) 13:00",
                                                "コメント"}));
  // The secretariat gave no answer: a staff member without answers has no
  // row (only participants are "missing" when they have not answered).
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0], (std::vector<std::string>{"山田 太郎", "参加者", "=\"011002\"", "札幌市",
                                                 "○", "未回答", "午前なら参加できます"}));
  EXPECT_EQ(t.rows[1], (std::vector<std::string>{"佐藤 花子", "参加者", "=\"242012\"", "津市",
                                                 "未回答", "未回答", ""}));
  EXPECT_EQ(t.rows[2], (std::vector<std::string>{"中村 進", "ナビゲーター", "", "", "△", "×", ""}));
}

TEST(PollExportTest, StaffWhoAnsweredAreLabelledAndErasedPeopleAreLeftOut) {
  v1::Poll poll = TwoSlotPoll();
  auto* sec = poll.add_answers();
  sec->set_participant(Person("secretariat"));
  (*sec->mutable_availability())["s202208210900"] = v1::YES;
  CsvTable t = PollAnswersTable(poll, Roster(), {Person("p1")});
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0][0], "佐藤 花子");
  EXPECT_EQ(t.rows[1][1], "ナビゲーター");
  EXPECT_EQ(t.rows[2], (std::vector<std::string>{"事務局 花子", "事務局", "", "", "○", "未回答",
                                                 ""}));
}

// A name or comment that Excel would run as a formula (= + - @, and a
// leading tab or carriage return, OWASP's list) is opened as text.
TEST(PollExportTest, FormulasInNamesAndCommentsAreNeutralised) {
  ev1::Roster roster;
  roster.set_cohort(kCohort);
  auto* e = roster.add_entries();
  e->set_participant(Person("p1"));
  e->set_display_name("=HYPERLINK(\"http://evil.example/\",\"x\")");
  e->set_role(ev1::Participant::PARTICIPANT);
  e->set_municipality_code("011002");
  v1::Poll poll = TwoSlotPoll();
  poll.mutable_answers(0)->set_comment("\t=1+2");
  const std::string csv =
      RenderExcelCsv(PollAnswersTable(poll, enrollment_client::RosterView(roster)));
  EXPECT_NE(csv.find("\r\n\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\","), std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",\"'\t=1+2\"\r\n"), std::string::npos) << csv;
  // The code stays the one formula allowed: digits as text.
  EXPECT_NE(csv.find(",\"=\"\"011002\"\"\","), std::string::npos) << csv;
}

TEST(PollExportTest, EveryRoleHasALabel) {
  EXPECT_STREQ(RoleLabel(ev1::Participant::ADVISOR), "アドバイザー");
  EXPECT_STREQ(RoleLabel(ev1::Participant::OBSERVER), "オブザーバー");
  EXPECT_STREQ(RoleLabel(ev1::Participant::ROLE_UNSPECIFIED), "");
}

// What Excel is given: the leading zero survives as text, with the BOM.
TEST(PollExportTest, RenderedForExcel) {
  const std::string csv = RenderExcelCsv(PollAnswersTable(TwoSlotPoll(), Roster()));
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find("山田 太郎,参加者,\"=\"\"011002\"\"\",札幌市,○,未回答,午前なら参加できます\r\n"),
            std::string::npos)
      << csv;
  EXPECT_EQ(csv.find(",11002,"), std::string::npos);
}

}  // namespace
}  // namespace kaizen::scheduling
