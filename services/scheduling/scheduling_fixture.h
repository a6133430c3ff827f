// A test fixture for the Scheduling domain: real SQLite (in memory, or a
// file for concurrency tests), the fake roster of scheduling_test_util.h
// and a fake clock at 2022-07-01 10:00 JST, with helpers for the common
// steps (a FY2022 series, a poll, a support slot).
#ifndef KAIZEN_SERVICES_SCHEDULING_SCHEDULING_FIXTURE_H_
#define KAIZEN_SERVICES_SCHEDULING_SCHEDULING_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "services/scheduling/scheduling.h"
#include "services/scheduling/scheduling_errors.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_test_util.h"

namespace kaizen::scheduling::testing {

// The field a BadRequest names ("" when none).
inline std::string FieldOf(const absl::Status& s) {
  auto bad = errors::GetBadRequest(s);
  return bad.has_value() && bad->field_violations_size() > 0 ? bad->field_violations(0).field()
                                                              : "";
}

inline const std::string& M1() {
  static const std::string* const kName = new std::string(std::string(kCohort) + "/meetings/m1");
  return *kName;
}
inline const std::string& M2() {
  static const std::string* const kName = new std::string(std::string(kCohort) + "/meetings/m2");
  return *kName;
}

class SchedulingFixture : public ::testing::Test {
 protected:
  void SetUp() override { Open(":memory:"); }

  void Open(const std::string& path) {
    storage::DatabaseOptions options;
    options.path = path;
    auto store = SchedulingStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    scheduling_.reset();
    store_ = std::move(*store);
    clock_.Set(Tokyo(2022, 7, 1, 10));
    scheduling_ = std::make_unique<Scheduling>(store_.get(), &roster_, &clock_);
  }

  // The FY2022 series with meeting 1 confirmed at 2022-07-24 09:00 JST.
  v1::CreateMeetingSeriesResponse CreateSeries() {
    v1::CreateMeetingSeriesRequest r;
    r.set_parent(kCohort);
    r.set_template_("templates/next-gen-leaders-fy2022");
    r.set_start_year(2022);
    *r.mutable_first_meeting_start() = ToProtoTimestamp(FirstMeeting());
    r.set_online_url("https://meet.example.jp/kaizen");
    auto s = scheduling_->CreateMeetingSeries(Secretariat(), r);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : v1::CreateMeetingSeriesResponse();
  }

  v1::Meeting Meeting(const std::string& name) {
    v1::GetMeetingRequest r;
    r.set_name(name);
    auto m = scheduling_->GetMeeting(Secretariat(), r);
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? *m : v1::Meeting();
  }

  absl::StatusOr<v1::Meeting> Schedule(const std::string& meeting, absl::Time start) {
    v1::ScheduleMeetingRequest r;
    r.set_name(meeting);
    *r.mutable_start_time() = ToProtoTimestamp(start);
    return scheduling_->ScheduleMeeting(Navigator(), r);
  }

  v1::Poll OpenPoll(const std::string& meeting, const std::vector<absl::Time>& starts) {
    v1::SetPollCandidatesRequest r;
    r.set_meeting(meeting);
    for (absl::Time t : starts) *r.add_start_times() = ToProtoTimestamp(t);
    auto p = scheduling_->SetPollCandidates(Navigator(), r);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : v1::Poll();
  }

  absl::StatusOr<v1::Poll> Answer(const Principal& who, const std::string& meeting,
                                  const std::map<std::string, v1::Availability>& answers,
                                  const std::string& comment = "") {
    v1::AnswerPollRequest r;
    r.set_meeting(meeting);
    for (const auto& [slot, a] : answers) (*r.mutable_availability())[slot] = a;
    r.set_comment(comment);
    return scheduling_->AnswerPoll(who, r);
  }

  // A slot given by roster entry `staff` ("navigator", "advisor"...).
  absl::StatusOr<v1::SupportSlot> Slot(const std::string& staff, absl::Time start,
                                       absl::Duration length = absl::Hours(1),
                                       const Principal& as = Navigator()) {
    v1::CreateSupportSlotRequest r;
    r.set_parent(kCohort);
    r.mutable_support_slot()->set_staff(Person(staff));
    *r.mutable_support_slot()->mutable_start_time() = ToProtoTimestamp(start);
    *r.mutable_support_slot()->mutable_end_time() = ToProtoTimestamp(start + length);
    return scheduling_->CreateSupportSlot(as, r);
  }

  absl::StatusOr<v1::SupportSlot> Book(const Principal& who, const std::string& slot) {
    v1::BookSupportSlotRequest r;
    r.set_name(slot);
    return scheduling_->BookSupportSlot(who, r);
  }

  FakeRoster roster_;
  FakeClock clock_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<Scheduling> scheduling_;
};

}  // namespace kaizen::scheduling::testing

#endif  // KAIZEN_SERVICES_SCHEDULING_SCHEDULING_FIXTURE_H_
