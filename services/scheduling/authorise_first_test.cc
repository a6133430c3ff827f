// Authorise before revealing (issue 16, points 2 and 4): partner HR keys
// are nobody in scheduling, even if a roster entry carries their subject;
// which cohorts exist, who is on a roster and a slot's state are told only
// to callers entitled to them. Each test compares what a refused caller sees
// for two objects that differ only in the secret.
#include <string>

#include "absl/strings/str_cat.h"

#include "common/status/errors.h"
#include "common/testing/observed.h"
#include "common/testing/principals.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling {
namespace authorise_first_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT

using ::kaizen::testkit::Observed;

class AuthoriseFirstTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_);
    v1::CreateMeetingSeriesRequest r;
    r.set_parent(kCohort);
    r.set_template_("templates/next-gen-leaders-fy2022");
    r.set_start_year(2022);
    *r.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    ASSERT_TRUE(scheduling_->CreateMeetingSeries(Secretariat(), r).ok());
  }

  v1::SupportSlot Slot(int day) {
    v1::CreateSupportSlotRequest r;
    r.set_parent(kCohort);
    r.mutable_support_slot()->set_staff(Person("advisor"));
    *r.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2022, 10, day, 19));
    *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2022, 10, day, 20));
    auto slot = scheduling_->CreateSupportSlot(Navigator(), r);
    EXPECT_TRUE(slot.ok()) << slot.status();
    return slot.ok() ? *slot : v1::SupportSlot();
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
};

TEST_F(AuthoriseFirstTest, APartnerKeyIsNobodyEvenWithARosterSubject) {
  // A (now refused) staff entry whose subject looks like a partner key's.
  auto fetched = roster_.GetRoster(kCohort);
  ASSERT_TRUE(fetched.ok());
  ev1::Roster roster = *fetched;
  auto* e = roster.add_entries();
  e->set_participant(Person("hr"));
  e->set_display_name("人事課");
  e->set_role(ev1::Participant::OBSERVER);
  e->set_subject("partner:demo-matsusaka-hr");
  roster_.SetRoster(roster);
  Principal partner = ::kaizen::testkit::PartnerHr("242047");
  partner.set_subject("partner:demo-matsusaka-hr");
  partner.add_roles(kaizen::type::ROLE_OBSERVER);  // even a forged extra role

  v1::ListMeetingsRequest list;
  list.set_parent(kCohort);
  const absl::Status s = scheduling_->ListMeetings(partner, list).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  v1::GetPollRequest poll;
  poll.set_meeting(std::string(kCohort) + "/meetings/m2");
  EXPECT_EQ(scheduling_->GetPoll(partner, poll).status().code(),
            absl::StatusCode::kPermissionDenied);
}

// A draft cohort (enrollment answers services for drafts too, so scheduling
// sees its roster) with its own people, meetings and a slot; and a cohort
// that does not exist. People of kCohort are on neither.
constexpr char kDraft[] = "cohorts/fy2023-draft";
constexpr char kMissing[] = "cohorts/fy2099";

class DraftCohortTest : public AuthoriseFirstTest {
 protected:
  void SetUp() override {
    AuthoriseFirstTest::SetUp();
    if (HasFatalFailure()) return;
    ev1::Roster draft;
    draft.set_cohort(kDraft);
    for (const char* id : {"navigator", "advisor", "observer", "p1", "p2"}) {
      auto* e = draft.add_entries();
      e->set_participant(absl::StrCat(kDraft, "/participants/", id));
      e->set_display_name(id);
      e->set_role(id[0] == 'p'    ? ev1::Participant::PARTICIPANT
                  : id[0] == 'n' ? ev1::Participant::NAVIGATOR
                  : id[0] == 'a' ? ev1::Participant::ADVISOR
                                 : ev1::Participant::OBSERVER);
      e->set_subject(absl::StrCat("draft-", id));
    }
    roster_.SetRoster(draft);
    v1::CreateMeetingSeriesRequest series;
    series.set_parent(kDraft);
    series.set_template_("templates/next-gen-leaders-fy2022");
    series.set_start_year(2023);
    *series.mutable_first_meeting_start() = ToProtoTimestamp(Tokyo(2023, 7, 24, 9));
    ASSERT_TRUE(scheduling_->CreateMeetingSeries(Secretariat(), series).ok());
    v1::CreateSupportSlotRequest slot;
    slot.set_parent(kDraft);
    slot.mutable_support_slot()->set_staff(absl::StrCat(kDraft, "/participants/advisor"));
    *slot.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2023, 10, 5, 19));
    *slot.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2023, 10, 5, 20));
    auto created = scheduling_->CreateSupportSlot(Secretariat(), slot);
    ASSERT_TRUE(created.ok()) << created.status();
    draft_slot_id_ = created->name().substr(created->name().rfind('/') + 1);
  }

  // What `call(cohort)` answers for the draft and for the missing cohort:
  // both must be the one not-on-roster refusal, identical to the byte.
  template <typename Call>
  void ExpectSameRefusal(const std::string& what, Call call) {
    const absl::Status draft = call(std::string(kDraft));
    const absl::Status missing = call(std::string(kMissing));
    EXPECT_EQ(draft.code(), absl::StatusCode::kPermissionDenied) << what << ": " << draft;
    EXPECT_EQ(errors::Reason(draft), "NOT_ON_ROSTER") << what << ": " << draft;
    EXPECT_EQ(Observed(draft), Observed(missing)) << what;
  }

  std::string draft_slot_id_;
};

TEST_F(DraftCohortTest, WhichCohortsExistIsNotToldToOutsiders) {
  const Principal observer = As("observer", kaizen::type::ROLE_OBSERVER);
  const auto m1 = [](const std::string& c) { return c + "/meetings/m1"; };
  // Organisers of another cohort, whatever they try to change.
  ExpectSameRefusal("CreateSupportSlot", [&](const std::string& c) {
    v1::CreateSupportSlotRequest r;
    r.set_parent(c);
    r.mutable_support_slot()->set_staff(c + "/participants/advisor");
    *r.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(Tokyo(2023, 10, 6, 19));
    *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(Tokyo(2023, 10, 6, 20));
    return scheduling_->CreateSupportSlot(Navigator(), r).status();
  });
  ExpectSameRefusal("RecordAttendance", [&](const std::string& c) {
    v1::RecordAttendanceRequest r;
    r.set_meeting(m1(c));
    auto* rec = r.add_records();
    rec->set_participant(c + "/participants/p1");
    rec->set_status(v1::PRESENT);
    return scheduling_->RecordAttendance(Navigator(), r).status();
  });
  ExpectSameRefusal("UpdateMeetingFormat", [&](const std::string& c) {
    v1::UpdateMeetingFormatRequest r;
    r.set_name(m1(c));
    r.set_format(v1::IN_PERSON);
    r.set_venue("会議室");
    return scheduling_->UpdateMeetingFormat(Navigator(), r).status();
  });
  ExpectSameRefusal("ScheduleMeeting", [&](const std::string& c) {
    v1::ScheduleMeetingRequest r;
    r.set_name(m1(c));
    *r.mutable_start_time() = ToProtoTimestamp(Tokyo(2023, 7, 24, 9));
    return scheduling_->ScheduleMeeting(Navigator(), r).status();
  });
  ExpectSameRefusal("CancelMeeting", [&](const std::string& c) {
    v1::CancelMeetingRequest r;
    r.set_name(m1(c));
    r.set_reason("台風");
    return scheduling_->CancelMeeting(Navigator(), r).status();
  });
  ExpectSameRefusal("SetPollCandidates", [&](const std::string& c) {
    v1::SetPollCandidatesRequest r;
    r.set_meeting(m1(c));
    *r.add_start_times() = ToProtoTimestamp(Tokyo(2023, 7, 24, 9));
    return scheduling_->SetPollCandidates(Navigator(), r).status();
  });
  ExpectSameRefusal("ClosePoll", [&](const std::string& c) {
    v1::ClosePollRequest r;
    r.set_meeting(m1(c));
    return scheduling_->ClosePoll(Navigator(), r).status();
  });
  ExpectSameRefusal("CreateTask", [&](const std::string& c) {
    v1::CreateTaskRequest r;
    r.set_parent(m1(c));
    r.mutable_task()->set_title("資料準備");
    *r.mutable_task()->mutable_due_time() = ToProtoTimestamp(Tokyo(2023, 7, 20, 9));
    return scheduling_->CreateTask(Navigator(), r).status();
  });
  // Staff of another cohort reading.
  ExpectSameRefusal("GetMeetingAttendance", [&](const std::string& c) {
    v1::GetMeetingAttendanceRequest r;
    r.set_meeting(m1(c));
    return scheduling_->GetMeetingAttendance(observer, r).status();
  });
  ExpectSameRefusal("ExportPollAnswers", [&](const std::string& c) {
    v1::ExportPollAnswersRequest r;
    r.set_meeting(m1(c));
    return scheduling_->ExportPollAnswers(observer, r).status();
  });
  // A participant of another cohort.
  ExpectSameRefusal("CancelSupportBooking", [&](const std::string& c) {
    v1::CancelSupportBookingRequest r;
    r.set_name(c + "/supportSlots/" + draft_slot_id_);
    return scheduling_->CancelSupportBooking(Participant(1), r).status();
  });
  ExpectSameRefusal("BookSupportSlot", [&](const std::string& c) {
    v1::BookSupportSlotRequest r;
    r.set_name(c + "/supportSlots/" + draft_slot_id_);
    return scheduling_->BookSupportSlot(Participant(1), r).status();
  });
  ExpectSameRefusal("GetPersonCalendar", [&](const std::string& c) {
    v1::GetPersonCalendarRequest r;
    r.set_participant(c + "/participants/p1");
    return scheduling_->GetPersonCalendar(Participant(1), r).status();
  });
  ExpectSameRefusal("ListSupportSlots", [&](const std::string& c) {
    v1::ListSupportSlotsRequest r;
    r.set_parent(c);
    return scheduling_->ListSupportSlots(Participant(1), r).status();
  });
  ExpectSameRefusal("GetPoll", [&](const std::string& c) {
    v1::GetPollRequest r;
    r.set_meeting(m1(c));
    return scheduling_->GetPoll(Participant(1), r).status();
  });
  ExpectSameRefusal("GetAttendanceSummary", [&](const std::string& c) {
    v1::GetAttendanceSummaryRequest r;
    r.set_parent(c);
    return scheduling_->GetAttendanceSummary(Participant(1), r).status();
  });
  ExpectSameRefusal("ListMeetings", [&](const std::string& c) {
    v1::ListMeetingsRequest r;
    r.set_parent(c);
    return scheduling_->ListMeetings(Participant(1), r).status();
  });
  // The secretariat is told which cohorts exist.
  v1::CreateMeetingSeriesRequest series;
  series.set_parent(kMissing);
  series.set_template_("templates/next-gen-leaders-fy2022");
  series.set_start_year(2023);
  *series.mutable_first_meeting_start() = ToProtoTimestamp(Tokyo(2023, 7, 24, 9));
  EXPECT_EQ(scheduling_->CreateMeetingSeries(Secretariat(), series).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DraftCohortTest, MembersStillGetTheirSpecificAnswers) {
  // The gate refuses only outsiders: the draft's own people pass it.
  const Principal draft_nav = ::kaizen::testkit::User("draft-navigator",
                                                      kaizen::type::ROLE_NAVIGATOR);
  const Principal draft_p1 = ::kaizen::testkit::User("draft-p1", kaizen::type::ROLE_PARTICIPANT);
  v1::ListMeetingsRequest list;
  list.set_parent(kDraft);
  EXPECT_TRUE(scheduling_->ListMeetings(draft_p1, list).ok());
  v1::CancelSupportBookingRequest cancel;
  cancel.set_name(absl::StrCat(kDraft, "/supportSlots/", draft_slot_id_));
  EXPECT_EQ(errors::Reason(scheduling_->CancelSupportBooking(draft_p1, cancel).status()),
            "NOT_YOUR_BOOKING");
  EXPECT_EQ(errors::Reason(scheduling_->CancelSupportBooking(draft_nav, cancel).status()),
            "SLOT_NOT_BOOKED");
  v1::ExportPollAnswersRequest exp;
  exp.set_meeting(absl::StrCat(kDraft, "/meetings/m1"));
  EXPECT_EQ(errors::Reason(scheduling_->ExportPollAnswers(draft_p1, exp).status()), "STAFF_ONLY");
}

TEST_F(AuthoriseFirstTest, APersonCalendarDoesNotTellWhichParticipantsExist) {
  // A participant asking for someone else's calendar: the same refusal
  // whether the name is on the roster or not.
  v1::GetPersonCalendarRequest other;
  other.set_participant(Person("p2"));
  v1::GetPersonCalendarRequest nobody;
  nobody.set_participant(Person("nobody"));
  const absl::Status a = scheduling_->GetPersonCalendar(Participant(1), other).status();
  EXPECT_EQ(errors::Reason(a), "NOT_YOURSELF") << a;
  EXPECT_EQ(Observed(a), Observed(scheduling_->GetPersonCalendar(Participant(1), nobody).status()));
  // Their own calendar they get; staff are told the name is unknown.
  v1::GetPersonCalendarRequest own;
  own.set_participant(Person("p1"));
  EXPECT_TRUE(scheduling_->GetPersonCalendar(Participant(1), own).ok());
  EXPECT_EQ(scheduling_->GetPersonCalendar(Advisor(), nobody).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AuthoriseFirstTest, BookingForSomeoneElseDoesNotRevealTheRoster) {
  const v1::SupportSlot slot = Slot(5);
  v1::BookSupportSlotRequest on_roster;
  on_roster.set_name(slot.name());
  on_roster.set_participant(Person("p2"));
  v1::BookSupportSlotRequest not_on_roster = on_roster;
  not_on_roster.set_participant(Person("nobody"));
  const absl::Status a = scheduling_->BookSupportSlot(Participant(1), on_roster).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
  EXPECT_EQ(Observed(a), Observed(scheduling_->BookSupportSlot(Participant(1), not_on_roster)
                                      .status()));
  // The secretariat, who may act for anyone, is told the name is unknown.
  EXPECT_EQ(scheduling_->BookSupportSlot(Secretariat(), not_on_roster).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AuthoriseFirstTest, CancellingSomeoneElsesBookingDoesNotRevealTheSlotState) {
  const v1::SupportSlot booked = Slot(5);
  const v1::SupportSlot open = Slot(6);
  v1::BookSupportSlotRequest book;
  book.set_name(booked.name());
  ASSERT_TRUE(scheduling_->BookSupportSlot(Participant(1), book).ok());

  v1::CancelSupportBookingRequest c1;
  c1.set_name(booked.name());
  v1::CancelSupportBookingRequest c2;
  c2.set_name(open.name());
  // Another participant: same answer for a booked and an open slot.
  const absl::Status a = scheduling_->CancelSupportBooking(Participant(2), c1).status();
  EXPECT_EQ(a.code(), absl::StatusCode::kPermissionDenied) << a;
  EXPECT_EQ(Observed(a), Observed(scheduling_->CancelSupportBooking(Participant(2), c2).status()));
  // Someone on no roster: the same again.
  const Principal stranger = As("stranger", kaizen::type::ROLE_PARTICIPANT);
  EXPECT_EQ(Observed(scheduling_->CancelSupportBooking(stranger, c1).status()),
            Observed(scheduling_->CancelSupportBooking(stranger, c2).status()));
  // The organiser is told the open slot has no booking; the owner cancels.
  EXPECT_EQ(errors::Reason(scheduling_->CancelSupportBooking(Navigator(), c2).status()),
            "SLOT_NOT_BOOKED");
  EXPECT_TRUE(scheduling_->CancelSupportBooking(Participant(1), c1).ok());
}

}  // namespace
}  // namespace kaizen::scheduling
