// GetSharedAttendance and the result-change log, on real in-memory SQLite
// with the fake roster (consent set per person) and a fake provision
// recorder: who sees what, what is recorded, what the log announces.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/partner_client_errors.h"
#include "clients/partner/shared_read.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/testing/principals.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling_fixture.h"

namespace kaizen::scheduling {
namespace shared_attendance_test {

using namespace ::kaizen::scheduling::testing;  // NOLINT
using ::kaizen::type::ListResultChangesRequest;
using ::kaizen::type::ListResultChangesResponse;

constexpr char kMatsusaka[] = "242047";

class SharedAttendanceTest : public SchedulingFixture {
 protected:
  void SetUp() override {
    SchedulingFixture::SetUp();
    // p1, p3: employed by 松阪市; p2: elsewhere. p1, p2 consent to share
    // attendance; p3 shares only the action plan.
    auto roster = roster_.GetRoster(kCohort);
    ASSERT_TRUE(roster.ok());
    for (auto& e : *roster->mutable_entries()) {
      if (e.participant() == Person("p1") || e.participant() == Person("p3")) {
        e.set_municipality_code(kMatsusaka);
      }
      if (e.participant() == Person("p1") || e.participant() == Person("p2")) {
        e.mutable_consent()->set_share_attendance(true);
      }
      if (e.participant() == Person("p3")) e.mutable_consent()->set_share_action_plan(true);
    }
    roster_.SetRoster(*roster);
    gate_ = std::make_unique<partner_client::SharedReadGate>(&roster_, &recorder_);
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_,
                                               SchedulingConfig(), gate_.get());
    CreateSeries();
    ASSERT_TRUE(Schedule(M2(), Tokyo(2022, 8, 21, 9)).ok());
  }

  absl::Status Record(const std::string& meeting,
                      const std::vector<std::pair<int, v1::AttendanceStatus>>& rows) {
    v1::RecordAttendanceRequest r;
    r.set_meeting(meeting);
    for (const auto& [p, status] : rows) {
      auto* rec = r.add_records();
      rec->set_participant(Person(absl::StrCat("p", p)));
      rec->set_status(status);
    }
    return scheduling_->RecordAttendance(Navigator(), r).status();
  }

  // m1: p1 PRESENT, p2 LATE; m2: p1 LATE (p2 not recorded).
  void HoldBoth() {
    clock_.Set(Tokyo(2022, 7, 24, 12));
    ASSERT_TRUE(Record(M1(), {{1, v1::PRESENT}, {2, v1::LATE}}).ok());
    clock_.Set(Tokyo(2022, 8, 21, 12));
    ASSERT_TRUE(Record(M2(), {{1, v1::LATE}}).ok());
  }

  absl::StatusOr<v1::SharedAttendance> Shared(const Principal& as, const std::string& who,
                                              const std::string& bundle = "") {
    v1::GetSharedAttendanceRequest r;
    r.set_participant(who);
    r.set_bundle(bundle);
    return scheduling_->GetSharedAttendance(as, r);
  }

  ListResultChangesResponse Changes(int64_t after = 0, int page_size = 1000) {
    ListResultChangesRequest r;
    r.set_after_sequence(after);
    r.set_page_size(page_size);
    auto out = scheduling_->ListResultChanges(auth::ServicePrincipal("enrollment"), r);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : ListResultChangesResponse();
  }

  // The participants of the log's rows after `after`, in order.
  std::vector<std::string> Logged(int64_t after = 0) {
    std::vector<std::string> out;
    const ListResultChangesResponse page = Changes(after);
    for (const auto& c : page.changes()) {
      EXPECT_EQ(c.category(), kaizen::type::SHARE_ATTENDANCE);
      out.push_back(c.participant());
    }
    return out;
  }

  static bool NotShared(const absl::Status& s) {
    return s.code() == absl::StatusCode::kPermissionDenied &&
           errors::Reason(s) == partner_client::kNotSharedWithPartner;
  }

  partner_client::FakeProvisionRecorder recorder_;
  std::unique_ptr<partner_client::SharedReadGate> gate_;
};

TEST_F(SharedAttendanceTest, PartnerSeesItsConsentingStaffAndTheReadIsRecorded) {
  HoldBoth();
  auto got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"), "bundle-2022.q3");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->participant(), Person("p1"));
  ASSERT_EQ(got->meetings_size(), 2);
  EXPECT_EQ(got->meetings(0).meeting(), M1());
  EXPECT_EQ(got->meetings(0).status(), v1::PRESENT);
  EXPECT_FALSE(got->meetings(0).title().empty());
  EXPECT_EQ(got->meetings(1).meeting(), M2());
  EXPECT_EQ(got->meetings(1).status(), v1::LATE);
  EXPECT_EQ(got->held(), 2);
  EXPECT_EQ(got->attended(), 2);
  EXPECT_EQ(got->late(), 1);
  EXPECT_DOUBLE_EQ(got->rate(), 1.0);

  const auto requests = recorder_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& req = requests[0];
  EXPECT_EQ(req.method(), "/kaizen.scheduling.v1.SchedulingService/GetSharedAttendance");
  EXPECT_EQ(req.bundle(), "bundle-2022.q3");
  EXPECT_EQ(req.recipient().municipality_code(), kMatsusaka);
  EXPECT_EQ(req.recipient().subject(), testkit::PartnerHr(kMatsusaka).subject());
  ASSERT_EQ(req.items_size(), 1);
  EXPECT_EQ(req.items(0).participant(), Person("p1"));
  EXPECT_EQ(req.items(0).category(), kaizen::type::SHARE_ATTENDANCE);
  EXPECT_EQ(std::vector<std::string>(req.items(0).data_items().begin(),
                                     req.items(0).data_items().end()),
            (std::vector<std::string>{"attendance.meetings", "attendance.rate"}));
}

TEST_F(SharedAttendanceTest, TheMethodNameIsTheProtosOwn) {
  const auto* method = v1::GetSharedAttendanceRequest::descriptor()
                           ->file()
                           ->FindServiceByName("SchedulingService")
                           ->FindMethodByName("GetSharedAttendance");
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(std::string(kGetSharedAttendanceMethod),
            "/" + method->service()->full_name() + "/" + method->name());
}

TEST_F(SharedAttendanceTest, AnUnrecordedPersonIsUnknownAndCountsInHeld) {
  HoldBoth();
  auto got = Shared(Secretariat(), Person("p2"));
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->meetings_size(), 2);
  EXPECT_EQ(got->meetings(0).status(), v1::LATE);
  EXPECT_EQ(got->meetings(1).status(), v1::ATTENDANCE_STATUS_UNSPECIFIED);
  EXPECT_EQ(got->held(), 2);
  EXPECT_EQ(got->attended(), 1);
  EXPECT_DOUBLE_EQ(got->rate(), 0.5);
}

TEST_F(SharedAttendanceTest, OneRefusalForAnotherTownNoConsentUnknownPersonOrCohort) {
  HoldBoth();
  const Principal partner = testkit::PartnerHr(kMatsusaka);
  EXPECT_TRUE(NotShared(Shared(partner, Person("p2")).status()));  // another town
  EXPECT_TRUE(NotShared(Shared(partner, Person("p3")).status()));  // no consent to this
  EXPECT_TRUE(NotShared(Shared(partner, Person("p9")).status()));  // nobody
  EXPECT_TRUE(NotShared(Shared(partner, Person("navigator")).status()));  // staff, same town
  EXPECT_TRUE(NotShared(Shared(partner, "cohorts/nowhere/participants/p1").status()));
  // The 131016 key may see p2, not p1 (who works for 松阪市).
  EXPECT_TRUE(Shared(testkit::PartnerHr("131016"), Person("p2")).ok());
  EXPECT_TRUE(NotShared(Shared(testkit::PartnerHr("131016"), Person("p1")).status()));
  // Messages are one and the same.
  EXPECT_EQ(Shared(partner, Person("p2")).status().message(),
            Shared(partner, Person("p9")).status().message());
  EXPECT_EQ(recorder_.requests().size(), 1u);  // only the 131016 read of p2
}

TEST_F(SharedAttendanceTest, ConsentRevokedBeforeTheRecordProvidesNothing) {
  HoldBoth();
  recorder_.Refuse(Person("p1"), kaizen::type::SHARE_ATTENDANCE);
  EXPECT_TRUE(NotShared(Shared(testkit::PartnerHr(kMatsusaka), Person("p1")).status()));
}

TEST_F(SharedAttendanceTest, EnrollmentDownIsUnavailable) {
  HoldBoth();
  recorder_.SetUnavailable(true);
  EXPECT_EQ(Shared(testkit::PartnerHr(kMatsusaka), Person("p1")).status().code(),
            absl::StatusCode::kUnavailable);
  recorder_.SetUnavailable(false);
  roster_.SetDown(true);
  auto down = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"));
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::Reason(down.status()), kEnrollmentUnavailable);
}

TEST_F(SharedAttendanceTest, SecretariatAndTheSelfReadWithoutRecordsOthersMayNot) {
  HoldBoth();
  EXPECT_TRUE(Shared(Secretariat(), Person("p3")).ok());  // no consent needed inside
  EXPECT_TRUE(Shared(Participant(1), Person("p1")).ok());
  EXPECT_TRUE(recorder_.requests().empty());
  for (const Principal& other : {Participant(2), Navigator(), testkit::Service("plans")}) {
    auto s = Shared(other, Person("p1")).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << other.DebugString();
    EXPECT_EQ(errors::Reason(s), partner_client::kOwnResultsOnly);
  }
}

TEST_F(SharedAttendanceTest, BadNamesAndBundlesAreInvalid) {
  EXPECT_EQ(FieldOf(Shared(Secretariat(), "p1").status()), "participant");
  EXPECT_EQ(FieldOf(Shared(Secretariat(), Person("p1"), "no spaces").status()), "bundle");
}

TEST_F(SharedAttendanceTest, NothingHeldIsAnEmptyAnswerWithoutARecord) {
  auto got = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->meetings_size(), 0);
  EXPECT_EQ(got->held(), 0);
  EXPECT_EQ(got->rate(), 0.0);
  EXPECT_TRUE(recorder_.requests().empty());
}

TEST_F(SharedAttendanceTest, AttendanceChangesAreLoggedInTheirTransaction) {
  EXPECT_TRUE(Logged().empty());
  // Not started yet: the write fails and logs nothing.
  EXPECT_FALSE(Record(M1(), {{1, v1::PRESENT}}).ok());
  EXPECT_TRUE(Logged().empty());
  clock_.Set(Tokyo(2022, 7, 24, 12));
  // The first sheet makes m1 held for every participant.
  ASSERT_TRUE(Record(M1(), {{1, v1::PRESENT}}).ok());
  EXPECT_EQ(Logged(), (std::vector<std::string>{Person("p1"), Person("p2"), Person("p3"),
                                                Person("p4")}));
  const int64_t after_first = Changes().last_sequence();
  // The same status again changes nothing; a new one logs that person only.
  ASSERT_TRUE(Record(M1(), {{1, v1::PRESENT}, {2, v1::ABSENT}}).ok());
  EXPECT_EQ(Logged(after_first), std::vector<std::string>{Person("p2")});
}

TEST_F(SharedAttendanceTest, CancellingAndReinstatingAHeldMeetingIsLoggedForEveryone) {
  HoldBoth();
  const int64_t before = Changes().last_sequence();
  v1::CancelMeetingRequest cancel;
  cancel.set_name(M2());
  cancel.set_reason("講師の都合");
  cancel.set_etag("stale");
  EXPECT_EQ(scheduling_->CancelMeeting(Navigator(), cancel).status().code(),
            absl::StatusCode::kAborted);
  EXPECT_TRUE(Logged(before).empty());  // a failed write logs nothing
  cancel.set_etag("");
  ASSERT_TRUE(scheduling_->CancelMeeting(Navigator(), cancel).ok());
  EXPECT_EQ(Logged(before).size(), 4u);
  auto got = Shared(Participant(1), Person("p1"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->held(), 1);  // cancelled: not held

  const int64_t cancelled = Changes().last_sequence();
  v1::ReinstateMeetingRequest reinstate;
  reinstate.set_name(M2());
  reinstate.set_reason("再開");
  ASSERT_TRUE(scheduling_->ReinstateMeeting(Navigator(), reinstate).ok());
  EXPECT_EQ(Logged(cancelled).size(), 4u);
  EXPECT_EQ(Shared(Participant(1), Person("p1"))->held(), 2);
}

TEST_F(SharedAttendanceTest, CancellingAMeetingNobodyTookAttendanceForLogsNothing) {
  v1::CancelMeetingRequest cancel;
  cancel.set_name(M2());
  cancel.set_reason("講師の都合");
  ASSERT_TRUE(scheduling_->CancelMeeting(Navigator(), cancel).ok());
  EXPECT_TRUE(Logged().empty());
}

TEST_F(SharedAttendanceTest, PurgeDeletesThePersonsRowsThenTheCohorts) {
  HoldBoth();
  kaizen::type::PurgeRequest erase;
  erase.set_cohort(kCohort);
  erase.set_participant(Person("p1"));
  auto report = scheduling_->PurgePersonalData(auth::ServicePrincipal("enrollment"), erase);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_GT(report->counts_size(), 1);
  // result_changes, then notifications (issue 13), last.
  EXPECT_EQ(report->counts(report->counts_size() - 2).kind(), "result_changes");
  EXPECT_EQ(report->counts(report->counts_size() - 2).deleted(), 2);  // m1's sheet, m2's
  for (const std::string& p : Logged()) EXPECT_NE(p, Person("p1"));
  // m2 held only p1's record: its emptied sheet stays, so p2's view did not
  // change without a log row.
  EXPECT_EQ(Shared(Secretariat(), Person("p2"))->held(), 2);

  // p1 is still on this (stale) roster: a later change logs nobody erased.
  const int64_t erased = Changes().last_sequence();
  v1::CancelMeetingRequest cancel;
  cancel.set_name(M2());
  cancel.set_reason("講師の都合");
  ASSERT_TRUE(scheduling_->CancelMeeting(Navigator(), cancel).ok());
  EXPECT_EQ(Logged(erased),
            (std::vector<std::string>{Person("p2"), Person("p3"), Person("p4")}));

  kaizen::type::PurgeRequest purge;
  purge.set_cohort(kCohort);
  ASSERT_TRUE(scheduling_->PurgePersonalData(auth::ServicePrincipal("enrollment"), purge).ok());
  EXPECT_TRUE(Logged().empty());
  EXPECT_EQ(Shared(Secretariat(), Person("p2"))->meetings_size(), 0);
}

// Reviewer 2: a held meeting moved into the future after attendance was
// taken was "held" for partners (with a future start_time) but not in the
// person's own GetAttendanceSummary. Such a move is refused now; a
// correction to another time already begun is still a move.
TEST_F(SharedAttendanceTest, Reviewer2MovedIntoTheFutureDivergesFromSummary) {
  HoldBoth();  // clock now 2022-08-21 12:00
  const int64_t before = Changes().last_sequence();
  auto moved = Schedule(M2(), Tokyo(2022, 8, 27, 13));
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kFailedPrecondition) << moved.status();
  EXPECT_EQ(errors::Reason(moved.status()), kAttendanceAlreadyTaken);
  EXPECT_TRUE(Logged(before).empty());  // refused: nothing logged
  auto shared = Shared(testkit::PartnerHr(kMatsusaka), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  v1::GetAttendanceSummaryRequest s;
  s.set_parent(kCohort);
  auto summary = scheduling_->GetAttendanceSummary(Participant(1), s);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(shared->held(), summary->meetings_held())
      << "partner held=" << shared->held() << " rate=" << shared->rate()
      << " but the person's summary held=" << summary->meetings_held()
      << " rate=" << (summary->rows_size() ? summary->rows(0).rate() : -1);
  ASSERT_EQ(summary->rows_size(), 1);
  EXPECT_DOUBLE_EQ(shared->rate(), summary->rows(0).rate());

  // Earlier the same day (already begun): allowed, and logged for partners.
  auto corrected = Schedule(M2(), Tokyo(2022, 8, 21, 10));
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ(Logged(before).size(), 4u);
  // A meeting without a sheet still moves into the future as before.
  auto m3 = Schedule(std::string(kCohort) + "/meetings/m3", Tokyo(2022, 9, 25, 13));
  EXPECT_TRUE(m3.ok()) << m3.status();
}

// The one documented difference: a started meeting without a sheet counts
// in the summary (unknown for everyone) but not for partners.
TEST_F(SharedAttendanceTest, AStartedMeetingWithoutASheetIsHeldInTheSummaryOnly) {
  clock_.Set(Tokyo(2022, 7, 24, 12));
  ASSERT_TRUE(Record(M1(), {{1, v1::PRESENT}}).ok());
  clock_.Set(Tokyo(2022, 8, 21, 12));  // m2 started, nobody took attendance
  v1::GetAttendanceSummaryRequest s;
  s.set_parent(kCohort);
  auto summary = scheduling_->GetAttendanceSummary(Participant(1), s);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->meetings_held(), 2);
  auto shared = Shared(Participant(1), Person("p1"));
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_EQ(shared->held(), 1);
}

// Recording a sheet again keeps the records of people no longer on the
// roster (cancelled since), after the roster's people; they are not lost.
TEST_F(SharedAttendanceTest, RecordingAgainKeepsPeopleNoLongerOnTheRoster) {
  HoldBoth();  // m1: p1 PRESENT, p2 LATE
  auto roster = roster_.GetRoster(kCohort);
  ASSERT_TRUE(roster.ok());
  auto* entries = roster->mutable_entries();
  entries->erase(std::remove_if(entries->begin(), entries->end(),
                                [](const ev1::Roster::Entry& e) {
                                  return e.participant() == Person("p2");
                                }),
                 entries->end());
  roster_.SetRoster(*roster);  // p2 cancelled
  ASSERT_TRUE(Record(M1(), {{1, v1::ABSENT}, {3, v1::PRESENT}}).ok());
  v1::GetMeetingAttendanceRequest g;
  g.set_meeting(M1());
  auto sheet = scheduling_->GetMeetingAttendance(Navigator(), g);
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  std::vector<std::string> order;
  for (const auto& rec : sheet->records()) {
    order.push_back(absl::StrCat(rec.participant(), "=", v1::AttendanceStatus_Name(rec.status())));
  }
  EXPECT_EQ(order, (std::vector<std::string>{Person("p1") + "=ABSENT", Person("p3") + "=PRESENT",
                                             Person("p2") + "=LATE"}));
  EXPECT_EQ(Shared(Secretariat(), Person("p1"))->attended(), 1);  // m2 LATE only

  // Erased: gone from the sheet with the erasure, and never brought back.
  kaizen::type::PurgeRequest erase;
  erase.set_cohort(kCohort);
  erase.set_participant(Person("p2"));
  ASSERT_TRUE(scheduling_->PurgePersonalData(auth::ServicePrincipal("enrollment"), erase).ok());
  ASSERT_TRUE(Record(M1(), {{1, v1::PRESENT}}).ok());
  sheet = scheduling_->GetMeetingAttendance(Navigator(), g);
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  for (const auto& rec : sheet->records()) EXPECT_NE(rec.participant(), Person("p2"));
}

TEST_F(SharedAttendanceTest, ListResultChangesIsForEnrollmentOnlyAndPages) {
  HoldBoth();  // 4 rows (first m1 sheet) + 4 rows (first m2 sheet)
  ListResultChangesRequest r;
  for (const Principal& other :
       {Secretariat(), testkit::Service("plans"), testkit::PartnerHr(kMatsusaka)}) {
    auto s = scheduling_->ListResultChanges(other, r).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(errors::Reason(s), kEnrollmentOnly);
  }
  r.set_page_size(-1);
  EXPECT_EQ(FieldOf(scheduling_->ListResultChanges(auth::ServicePrincipal("enrollment"), r)
                        .status()),
            "page_size");
  r.set_page_size(0);
  r.set_after_sequence(-1);
  EXPECT_EQ(FieldOf(scheduling_->ListResultChanges(auth::ServicePrincipal("enrollment"), r)
                        .status()),
            "after_sequence");

  std::vector<int64_t> seen;
  int64_t cursor = 0;
  for (int pages = 0; pages < 10; ++pages) {
    const ListResultChangesResponse page = Changes(cursor, 3);
    for (const auto& c : page.changes()) {
      EXPECT_GT(c.sequence(), cursor);
      EXPECT_EQ(c.time().seconds() > 0, true);
      seen.push_back(c.sequence());
    }
    if (page.last_sequence() == cursor) break;  // the end: the cursor stops moving
    cursor = page.last_sequence();
  }
  EXPECT_EQ(seen.size(), 8u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

}  // namespace
}  // namespace kaizen::scheduling
