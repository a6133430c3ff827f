// Date polls against real in-memory SQLite: candidates, answers, the closing
// rule and its explanation, the CSV export; and what a meeting's state and
// window do to its poll (issue 15 review: a cancelled meeting is not
// confirmed by its poll; a longer meeting cannot be confirmed past its
// window).
#include <string>

#include "common/status/errors.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/poll_rule.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace polls_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

class PollsTest : public SchedulingFixture {
 protected:
  absl::StatusOr<v1::Poll> Close(const std::string& meeting, const std::string& slot = "") {
    v1::ClosePollRequest r;
    r.set_meeting(meeting);
    r.set_slot_id(slot);
    return scheduling_->ClosePoll(slot.empty() ? Navigator() : Secretariat(), r);
  }

  absl::StatusOr<v1::Meeting> Cancel(const std::string& meeting) {
    v1::CancelMeetingRequest r;
    r.set_name(meeting);
    r.set_reason("台風のため中止");
    return scheduling_->CancelMeeting(Navigator(), r);
  }

  absl::StatusOr<v1::Meeting> Lengthen(const std::string& meeting, absl::Duration d) {
    v1::UpdateMeetingFormatRequest r;
    r.set_name(meeting);
    r.set_format(v1::ONLINE);
    r.set_online_url("https://meet.example.jp/kaizen");
    *r.mutable_duration() = ToProtoDuration(d);
    return scheduling_->UpdateMeetingFormat(Navigator(), r);
  }
};

TEST_F(PollsTest, CandidatesOutsideTheWindowAreRefusedWithTheField) {
  CreateSeries();
  v1::SetPollCandidatesRequest r;
  r.set_meeting(M2());
  *r.add_start_times() = ToProtoTimestamp(Tokyo(2022, 8, 21, 9));
  *r.add_start_times() = ToProtoTimestamp(Tokyo(2022, 8, 31, 22));  // ends in September
  auto p = scheduling_->SetPollCandidates(Navigator(), r);
  EXPECT_EQ(FieldOf(p.status()), "start_times[1]");
  EXPECT_EQ(errors::Reason(p.status()), "OUTSIDE_WINDOW");
  EXPECT_EQ(scheduling_->SetPollCandidates(Participant(1), r).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(PollsTest, AnswersAreKeptAcrossACandidateEdit) {
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9), b = Tokyo(2022, 8, 27, 13), c = Tokyo(2022, 8, 28, 9);
  OpenPoll(M2(), {a, b});
  ASSERT_TRUE(Answer(Participant(1), M2(), {{SlotId(a), v1::YES}, {SlotId(b), v1::NO}}).ok());
  v1::Poll edited = OpenPoll(M2(), {a, c});  // b replaced by c
  ASSERT_EQ(edited.answers_size(), 1);
  const auto& kept = edited.answers(0).availability();
  EXPECT_EQ(kept.at(SlotId(a)), v1::YES);
  EXPECT_EQ(kept.count(SlotId(b)), 0u);
  EXPECT_EQ(kept.count(SlotId(c)), 0u);
  EXPECT_EQ(Meeting(M2()).state(), v1::Meeting::POLLING);
}

TEST_F(PollsTest, PeopleAnswerForThemselvesOnly) {
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9);
  OpenPoll(M2(), {a});
  v1::AnswerPollRequest r;
  r.set_meeting(M2());
  r.set_participant(Person("p2"));
  (*r.mutable_availability())[SlotId(a)] = v1::YES;
  EXPECT_EQ(errors::Reason(scheduling_->AnswerPoll(Participant(1), r).status()), "NOT_YOURSELF");
  EXPECT_TRUE(scheduling_->AnswerPoll(Secretariat(), r).ok());  // on their behalf
  (*r.mutable_availability())["s209901010900"] = v1::YES;
  EXPECT_EQ(errors::Reason(scheduling_->AnswerPoll(Secretariat(), r).status()), "UNKNOWN_SLOT");
  Principal stranger = As("nobody", kaizen::type::ROLE_PARTICIPANT);
  EXPECT_EQ(errors::Reason(Answer(stranger, M2(), {{SlotId(a), v1::YES}}).status()),
            "NOT_ON_ROSTER");
}

TEST_F(PollsTest, ClosingPicksMostAvailableWithStaffAndExplains) {
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9), b = Tokyo(2022, 8, 27, 13);
  OpenPoll(M2(), {a, b});
  ASSERT_TRUE(Answer(Navigator(), M2(), {{SlotId(a), v1::YES}, {SlotId(b), v1::YES}}).ok());
  ASSERT_TRUE(Answer(Participant(1), M2(), {{SlotId(a), v1::NO}, {SlotId(b), v1::YES}}).ok());
  ASSERT_TRUE(Answer(Participant(2), M2(), {{SlotId(a), v1::YES}, {SlotId(b), v1::MAYBE}}).ok());
  ASSERT_TRUE(Answer(Participant(3), M2(), {{SlotId(a), v1::MAYBE}, {SlotId(b), v1::YES}}).ok());
  auto closed = Close(M2());
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->result().slot_id(), SlotId(b));  // 3 available vs 2
  EXPECT_EQ(closed->result().decided_by(), "RULE");
  EXPECT_NE(closed->result().explanation().find("3 of 4 participants"), std::string::npos)
      << closed->result().explanation();
  const auto& slot_b = closed->result().slots(1);
  EXPECT_EQ(slot_b.yes_size(), 2);
  EXPECT_EQ(slot_b.maybe_size(), 1);
  ASSERT_EQ(slot_b.unavailable_size(), 1);  // p4 did not answer
  EXPECT_EQ(slot_b.unavailable(0), Person("p4"));
  v1::Meeting m = Meeting(M2());
  EXPECT_EQ(m.state(), v1::Meeting::CONFIRMED);
  EXPECT_EQ(FromProtoTimestamp(m.start_time()), b);
  EXPECT_EQ(FromProtoTimestamp(m.end_time()), b + absl::Hours(3));
  EXPECT_EQ(errors::Reason(Answer(Participant(1), M2(), {{SlotId(a), v1::YES}}).status()),
            "POLL_CLOSED");
}

TEST_F(PollsTest, TieGoesToTheEarlierSlotAndYesBeatsMaybe) {
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9), b = Tokyo(2022, 8, 27, 13), c = Tokyo(2022, 8, 28, 9);
  OpenPoll(M2(), {c, b, a});  // order of entry does not matter
  ASSERT_TRUE(Answer(Advisor(), M2(),
                     {{SlotId(a), v1::YES}, {SlotId(b), v1::YES}, {SlotId(c), v1::YES}}).ok());
  // b and c: 2 yes each; a: 1 yes + 1 maybe (same availability, fewer yes).
  ASSERT_TRUE(Answer(Participant(1), M2(),
                     {{SlotId(a), v1::YES}, {SlotId(b), v1::YES}, {SlotId(c), v1::YES}}).ok());
  ASSERT_TRUE(Answer(Participant(2), M2(),
                     {{SlotId(a), v1::MAYBE}, {SlotId(b), v1::YES}, {SlotId(c), v1::YES}}).ok());
  auto closed = Close(M2());
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->result().slot_id(), SlotId(b));
  EXPECT_NE(closed->result().explanation().find("earliest of 2 slots tied"), std::string::npos)
      << closed->result().explanation();
}

TEST_F(PollsTest, SlotWithoutStaffDoesNotQualify) {
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9), b = Tokyo(2022, 8, 27, 13);
  OpenPoll(M2(), {a, b});
  // Everyone can do a, but the navigator cannot and no other staff said yes.
  ASSERT_TRUE(Answer(Navigator(), M2(), {{SlotId(a), v1::NO}, {SlotId(b), v1::YES}}).ok());
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(Answer(Participant(i), M2(), {{SlotId(a), v1::YES}, {SlotId(b), i == 1 ? v1::YES : v1::NO}}).ok());
  }
  // Observers do not decide.
  ASSERT_TRUE(Answer(As("observer", kaizen::type::ROLE_OBSERVER), M2(), {{SlotId(a), v1::YES}}).ok());
  auto closed = Close(M2());
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->result().slot_id(), SlotId(b));
  EXPECT_FALSE(closed->result().slots(0).qualifies());
  EXPECT_NE(closed->result().explanation().find("1 slot(s) excluded"), std::string::npos);
}

TEST_F(PollsTest, NoQualifyingSlotNeedsTheSecretariat) {
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9);
  OpenPoll(M2(), {a});
  ASSERT_TRUE(Answer(Participant(1), M2(), {{SlotId(a), v1::YES}}).ok());
  EXPECT_EQ(errors::Reason(Close(M2()).status()), "NO_QUALIFYING_SLOT");
  EXPECT_EQ(errors::Reason(Close(M2(), "s209901010900").status()), "UNKNOWN_SLOT");
  auto closed = Close(M2(), SlotId(a));
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->result().decided_by(), "SECRETARIAT");
}

TEST_F(PollsTest, PollCsvOpensInExcelWithMarks) {
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9);
  OpenPoll(M2(), {a});
  v1::AnswerPollRequest r;
  r.set_meeting(M2());
  (*r.mutable_availability())[SlotId(a)] = v1::MAYBE;
  r.set_comment("午後なら参加可能, 要調整");
  ASSERT_TRUE(scheduling_->AnswerPoll(Participant(1), r).ok());
  v1::ExportPollAnswersRequest e;
  e.set_meeting(M2());
  auto csv = scheduling_->ExportPollAnswers(Navigator(), e);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->content_type(), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->data().substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv->data().find("2022/08/21(日) 09:00"), std::string::npos);
  // Issue 15: role as a Japanese label, the code kept as text for Excel,
  // the municipality name column (empty until the roster carries it), and
  // 未回答 where someone gave no answer.
  EXPECT_NE(csv->data().find(
                "参加者1,参加者,\"=\"\"131016\"\"\",,△,\"午後なら参加可能, 要調整\"\r\n"),
            std::string::npos)
      << csv->data();
  EXPECT_NE(csv->data().find("参加者2,参加者,\"=\"\"131016\"\"\",,未回答,\r\n"), std::string::npos)
      << csv->data();
  // Staff who gave no answer have no row (a column of 未回答 for each would
  // hide the participants who have not answered).
  EXPECT_EQ(csv->data().find("中村 進"), std::string::npos) << csv->data();
  EXPECT_EQ(csv->data().find("事務局 花子"), std::string::npos) << csv->data();
  EXPECT_EQ(scheduling_->ExportPollAnswers(Participant(1), e).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// Cancelling a polled meeting leaves its poll open (reinstating resumes
// it), but neither answers nor closing may confirm a cancelled meeting.
TEST_F(PollsTest, ACancelledMeetingTakesNoAnswersAndIsNotConfirmed) {
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9);
  OpenPoll(M2(), {a});
  ASSERT_TRUE(Answer(Navigator(), M2(), {{SlotId(a), v1::YES}}).ok());
  ASSERT_TRUE(Cancel(M2()).ok());

  auto answer = Answer(Participant(1), M2(), {{SlotId(a), v1::YES}});
  EXPECT_EQ(answer.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::Reason(answer.status()), kMeetingCancelled);
  EXPECT_EQ(errors::Reason(Close(M2()).status()), kMeetingCancelled);
  EXPECT_EQ(errors::Reason(Close(M2(), SlotId(a)).status()), kMeetingCancelled);
  EXPECT_EQ(Meeting(M2()).state(), v1::Meeting::CANCELLED);
  EXPECT_FALSE(Meeting(M2()).has_start_time());

  v1::ReinstateMeetingRequest back;
  back.set_name(M2());
  back.set_reason("台風が逸れたため");
  ASSERT_TRUE(scheduling_->ReinstateMeeting(Navigator(), back).ok());
  EXPECT_EQ(Meeting(M2()).state(), v1::Meeting::POLLING);
  ASSERT_TRUE(Answer(Participant(1), M2(), {{SlotId(a), v1::YES}}).ok());
  auto closed = Close(M2());
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(Meeting(M2()).state(), v1::Meeting::CONFIRMED);
}

// A longer duration cannot push a polled meeting past its window: refused
// when the format changes, and a candidate that no longer fits (a poll
// stored before this rule) is never chosen when the poll closes.
TEST_F(PollsTest, ALongerMeetingIsNotConfirmedPastItsWindow) {
  CreateSeries();
  const absl::Time early = Tokyo(2022, 8, 21, 9), late = Tokyo(2022, 8, 31, 20);
  OpenPoll(M2(), {early, late});  // late + 3 h ends at 23:00, inside August

  auto longer = Lengthen(M2(), absl::Hours(5));  // late would end on 1 September
  EXPECT_EQ(errors::Reason(longer.status()), kOutsideWindow);
  EXPECT_EQ(FieldOf(longer.status()), "duration");
  EXPECT_EQ(FromProtoDuration(Meeting(M2()).duration()), absl::Hours(3));
  ASSERT_TRUE(Lengthen(M2(), absl::Hours(4)).ok());  // ends exactly at the window's end

  // Everyone prefers the late slot; then the meeting grows behind the
  // rule's back (straight in the store).
  ASSERT_TRUE(Answer(Navigator(), M2(), {{SlotId(early), v1::YES}, {SlotId(late), v1::YES}}).ok());
  for (int p = 1; p <= 3; ++p) {
    ASSERT_TRUE(Answer(Participant(p), M2(), {{SlotId(early), v1::NO}, {SlotId(late), v1::YES}})
                    .ok());
  }
  ASSERT_TRUE(store_->Write([](SchedulingTx& tx) -> absl::Status {
                      auto m = tx.GetMeeting(M2());
                      if (!m.ok()) return m.status();
                      *m->message.mutable_duration() = ToProtoDuration(absl::Hours(6));
                      return tx.UpdateMeeting(&*m);
                    }).ok());
  auto forced = Close(M2(), SlotId(late));
  EXPECT_EQ(errors::Reason(forced.status()), kOutsideWindow);
  EXPECT_EQ(FieldOf(forced.status()), "slot_id");
  auto closed = Close(M2());
  ASSERT_TRUE(closed.ok()) << closed.status();
  EXPECT_EQ(closed->result().slot_id(), SlotId(early));
  const v1::Meeting m = Meeting(M2());
  EXPECT_LE(FromProtoTimestamp(m.end_time()), FromProtoTimestamp(m.window_end()));
}

// Names and comments that Excel would run as formulas open as text; staff
// who answered are there, labelled.
TEST_F(PollsTest, TheExportNeutralisesFormulasInNamesAndComments) {
  auto roster = roster_.GetRoster(kCohort);
  ASSERT_TRUE(roster.ok());
  for (auto& e : *roster->mutable_entries()) {
    if (e.participant() == Person("p2")) e.set_display_name("=HYPERLINK(\"http://x.example\")");
  }
  roster_.SetRoster(*roster);
  CreateSeries();
  const absl::Time a = Tokyo(2022, 8, 21, 9);
  OpenPoll(M2(), {a});
  ASSERT_TRUE(Answer(Participant(1), M2(), {{SlotId(a), v1::YES}}, "@SUM(1+1)*cmd").ok());
  ASSERT_TRUE(Answer(Navigator(), M2(), {{SlotId(a), v1::YES}}, "-2+3").ok());
  v1::ExportPollAnswersRequest e;
  e.set_meeting(M2());
  auto csv = scheduling_->ExportPollAnswers(Navigator(), e);
  ASSERT_TRUE(csv.ok()) << csv.status();
  const std::string& data = csv->data();
  EXPECT_NE(data.find(",\"'@SUM(1+1)*cmd\"\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find("\r\n\"'=HYPERLINK(\"\"http://x.example\"\")\",参加者,"), std::string::npos)
      << data;
  EXPECT_NE(data.find("中村 進,ナビゲーター,\"=\"\"242047\"\"\",,○,\"'-2+3\"\r\n"),
            std::string::npos)
      << data;
}

}  // namespace
}  // namespace kaizen::scheduling
