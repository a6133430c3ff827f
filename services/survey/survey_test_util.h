// Builders for survey tests: a FY2022-like roster (fake enrollment), meetings
// (fake scheduling), principals, a real MeCab tokenizer, and the domain on
// in-memory SQLite with the built-in pre-survey.
#ifndef KAIZEN_SERVICES_SURVEY_SURVEY_TEST_UTIL_H_
#define KAIZEN_SERVICES_SURVEY_SURVEY_TEST_UTIL_H_

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/enrollment/fake_roster_source.h"
#include "clients/partner/fake_provision_recorder.h"
#include "clients/partner/shared_read.h"
#include "clients/scheduling/fake_meeting_source.h"
#include "common/testing/principals.h"
#include "common/util/clock.h"
#include "common/util/proto_time.h"
#include "gtest/gtest.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"
#include "kaizen/survey/v1/survey.pb.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/text.h"

namespace kaizen::survey::testing {

namespace ev1 = ::kaizen::enrollment::v1;
namespace sv1 = ::kaizen::scheduling::v1;
using ::kaizen::type::Principal;

inline constexpr char kCohort[] = "cohorts/fy2022";
inline constexpr char kBuiltinVersion[] = "instruments/kaizen-pre/versions/v1";

inline absl::Time Tokyo(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::FixedTimeZone(9 * 3600));
}

inline std::string Person(const std::string& id) {
  return absl::StrCat(kCohort, "/participants/", id);
}

// Navigator, advisor and participants p1..p6: p1-p3 from 242047 (松阪市),
// p4-p6 from 131016. Subjects "user-<id>".
inline ev1::Roster Roster() {
  ev1::Roster roster;
  roster.set_cohort(kCohort);
  auto add = [&](const std::string& id, ev1::Participant::Role role, const std::string& town) {
    auto* e = roster.add_entries();
    e->set_participant(Person(id));
    e->set_display_name("参加者 " + id);
    e->set_role(role);
    e->set_municipality_code(town);
    e->set_subject("user-" + id);
  };
  add("navigator", ev1::Participant::NAVIGATOR, "242047");
  add("advisor", ev1::Participant::ADVISOR, "");
  for (int i = 1; i <= 6; ++i) {
    add(absl::StrCat("p", i), ev1::Participant::PARTICIPANT, i <= 3 ? "242047" : "131016");
  }
  return roster;
}

inline sv1::Meeting Confirmed(int sequence, absl::Time start) {
  sv1::Meeting m;
  m.set_name(absl::StrCat(kCohort, "/meetings/m", sequence));
  m.set_sequence(sequence);
  m.set_state(sv1::Meeting::CONFIRMED);
  *m.mutable_start_time() = ToProtoTimestamp(start);
  return m;
}

inline Principal As(const std::string& id, kaizen::type::Role role) {
  return ::kaizen::testkit::User("user-" + id, role);
}
inline Principal Participant(int n) {
  return As(absl::StrCat("p", n), kaizen::type::ROLE_PARTICIPANT);
}
inline Principal Navigator() { return As("navigator", kaizen::type::ROLE_NAVIGATOR); }
inline Principal Advisor() { return As("advisor", kaizen::type::ROLE_ADVISOR); }
inline Principal Secretariat() { return ::kaizen::testkit::Secretariat(); }
inline Principal Stranger() { return As("stranger", kaizen::type::ROLE_PARTICIPANT); }

// Every Likert item of `version` answered with `value` (1..5), the required
// choice and number items answered too.
inline google::protobuf::RepeatedPtrField<v1::Answer> FullAnswers(
    const v1::InstrumentVersion& version, int value) {
  google::protobuf::RepeatedPtrField<v1::Answer> out;
  for (const v1::Item& item : version.items()) {
    v1::Answer a;
    a.set_item_id(item.id());
    switch (item.type()) {
      case v1::Item::LIKERT:
        a.set_likert(value);
        break;
      case v1::Item::SINGLE_CHOICE:
        a.set_choice(item.choices(0).id());
        break;
      case v1::Item::NUMBER:
        a.set_number(item.number().min());
        break;
      default:
        if (!item.required()) continue;
        break;
    }
    *out.Add() = a;
  }
  return out;
}

// The domain with the built-in pre-survey; the clock at 2022-06-15 10:00
// JST, meeting 1 on 2022-07-24 09:00 JST (so the PRE wave is open). Partner
// reads go through a real SharedReadGate over the fake roster and a fake
// provision recorder (`provisions_`).
class SurveyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SurveyStore::Open(storage::DatabaseOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto tokenizer = text::Tokenizer::Create();
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    tokenizer_ = std::move(*tokenizer);
    roster_.SetRoster(Roster());
    meetings_.SetMeeting(Confirmed(1, Tokyo(2022, 7, 24, 9)));
    meetings_.SetMeeting(Confirmed(7, Tokyo(2023, 6, 18, 9)));
    meetings_.SetMeeting(Confirmed(8, Tokyo(2023, 12, 17, 9)));
    clock_.Set(Tokyo(2022, 6, 15, 10));
    survey_ = std::make_unique<Survey>(store_.get(), &roster_, &meetings_, tokenizer_.get(),
                                       &clock_, SurveyConfig{"survey-page-key-0123456789", 5},
                                       &shared_reads_);
    ASSERT_TRUE(survey_->EnsureBuiltins().ok());
  }

  v1::InstrumentVersion Builtin() {
    v1::GetInstrumentVersionRequest r;
    r.set_name(kBuiltinVersion);
    auto v = survey_->GetInstrumentVersion(Secretariat(), r);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : v1::InstrumentVersion();
  }

  // Creates the cohort's wave of `kind` with its default window.
  v1::Wave MakeWave(v1::Wave::Kind kind, bool anonymous = false) {
    v1::CreateWaveRequest r;
    r.set_parent(kCohort);
    r.mutable_wave()->set_kind(kind);
    r.mutable_wave()->set_instrument_version(kBuiltinVersion);
    r.mutable_wave()->set_anonymous(anonymous);
    auto w = survey_->CreateWave(Secretariat(), r);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *w : v1::Wave();
  }

  std::unique_ptr<SurveyStore> store_;
  std::unique_ptr<text::Tokenizer> tokenizer_;
  enrollment_client::FakeRosterSource roster_;
  scheduling_client::FakeMeetingSource meetings_;
  FakeClock clock_;
  partner_client::FakeProvisionRecorder provisions_;
  partner_client::SharedReadGate shared_reads_{&roster_, &provisions_};
  std::unique_ptr<Survey> survey_;
};

}  // namespace kaizen::survey::testing

#endif  // KAIZEN_SERVICES_SURVEY_SURVEY_TEST_UTIL_H_
