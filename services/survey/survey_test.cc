// Instruments, waves and responses through the domain class, on SQLite with
// fake enrollment and scheduling.
#include <atomic>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status/errors.h"
#include "common/testing/child_process.h"
#include "gtest/gtest.h"
#include "services/survey/survey.h"
#include "services/survey/survey_store.h"
#include "services/survey/survey_test_util.h"

namespace kaizen::survey {
namespace survey_test {

using namespace ::kaizen::survey::testing;  // NOLINT
using Code = absl::StatusCode;

class SurveyDomainTest : public SurveyTest {
 protected:
  absl::StatusOr<v1::Response> Save(const Principal& p, const v1::Wave& wave, int value,
                                    bool submit, const std::string& key = "") {
    v1::SaveResponseRequest r;
    r.set_parent(wave.name());
    *r.mutable_answers() = FullAnswers(Builtin(), value);
    r.set_submit(submit);
    r.set_response_key(key);
    return survey_->SaveResponse(p, r);
  }
};

TEST_F(SurveyDomainTest, BuiltinPreSurveyIsPublishedAndJapanese) {
  v1::GetInstrumentRequest g;
  g.set_name("instruments/kaizen-pre");
  auto inst = survey_->GetInstrument(Participant(1), g);
  ASSERT_TRUE(inst.ok()) << inst.status();
  EXPECT_EQ(inst->latest_published(), kBuiltinVersion);
  const v1::InstrumentVersion v = Builtin();
  EXPECT_EQ(v.state(), v1::InstrumentVersion::PUBLISHED);
  int walls = 0;
  for (const auto& s : v.scales()) walls += s.kind() == v1::Scale::WALL;
  EXPECT_EQ(walls, 4);
  EXPECT_TRUE(survey_->EnsureBuiltins().ok());  // idempotent
}

TEST_F(SurveyDomainTest, VersionsDraftPublishAndKeepItemIds) {
  v1::CreateInstrumentVersionRequest next;
  next.set_parent("instruments/kaizen-pre");
  EXPECT_EQ(errors::Reason(survey_->CreateInstrumentVersion(Navigator(), next).status()),
            "SECRETARIAT_ONLY");
  auto v2 = survey_->CreateInstrumentVersion(Secretariat(), next);
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->name(), "instruments/kaizen-pre/versions/v2");
  EXPECT_EQ(v2->state(), v1::InstrumentVersion::DRAFT);
  EXPECT_EQ(v2->items_size(), Builtin().items_size());
  EXPECT_EQ(errors::Reason(survey_->CreateInstrumentVersion(Secretariat(), next).status()),
            "DRAFT_EXISTS");
  // Changing a published item's type is refused, naming it.
  v1::UpdateInstrumentVersionRequest u;
  *u.mutable_version() = *v2;
  u.mutable_version()->mutable_items(0)->set_type(v1::Item::FREE_TEXT);
  u.mutable_version()->mutable_items(0)->clear_likert();
  auto changed = survey_->UpdateInstrumentVersion(Secretariat(), u);
  EXPECT_EQ(changed.status().code(), Code::kInvalidArgument);
  // Rewording is fine; then publish; then it is immutable.
  *u.mutable_version() = *v2;
  u.mutable_version()->mutable_items(0)->set_text("改善を提案しても、同僚はなかなか協力してくれない");
  auto reworded = survey_->UpdateInstrumentVersion(Secretariat(), u);
  ASSERT_TRUE(reworded.ok()) << reworded.status();
  v1::PublishInstrumentVersionRequest pub;
  pub.set_name(reworded->name());
  pub.set_etag(reworded->etag());
  ASSERT_TRUE(survey_->PublishInstrumentVersion(Secretariat(), pub).ok());
  u.mutable_version()->set_etag(reworded->etag());
  EXPECT_EQ(errors::Reason(survey_->UpdateInstrumentVersion(Secretariat(), u).status()),
            "VERSION_PUBLISHED");
}

TEST_F(SurveyDomainTest, WaveWindowsComeFromTheMeetings) {
  const v1::Wave pre = MakeWave(v1::Wave::PRE);
  EXPECT_EQ(pre.name(), std::string(kCohort) + "/waves/pre");
  EXPECT_EQ(FromProtoTimestamp(pre.close_time()), Tokyo(2022, 7, 24, 9));
  EXPECT_EQ(pre.state(), v1::Wave::OPEN);
  const v1::Wave f6 = MakeWave(v1::Wave::FOLLOW_UP_6);
  EXPECT_EQ(FromProtoTimestamp(f6.close_time()), Tokyo(2023, 6, 18, 9));
  EXPECT_EQ(FromProtoTimestamp(f6.open_time()), Tokyo(2023, 6, 18, 9) - absl::Hours(24 * 30));
  EXPECT_EQ(f6.state(), v1::Wave::SCHEDULED);
  // One wave per kind.
  v1::CreateWaveRequest again;
  again.set_parent(kCohort);
  again.mutable_wave()->set_kind(v1::Wave::PRE);
  again.mutable_wave()->set_instrument_version(kBuiltinVersion);
  EXPECT_EQ(survey_->CreateWave(Secretariat(), again).status().code(), Code::kAlreadyExists);
  // No confirmed meeting 8 yet: say so; scheduling down: UNAVAILABLE.
  auto m8 = Confirmed(8, Tokyo(2023, 12, 17, 9));
  m8.set_state(sv1::Meeting::POLLING);
  meetings_.SetMeeting(m8);
  again.mutable_wave()->set_kind(v1::Wave::FOLLOW_UP_12);
  EXPECT_EQ(errors::Reason(survey_->CreateWave(Secretariat(), again).status()),
            "MEETING_NOT_SCHEDULED");
  meetings_.SetUnavailable(true);
  EXPECT_EQ(survey_->CreateWave(Secretariat(), again).status().code(), Code::kUnavailable);
}

TEST_F(SurveyDomainTest, ParticipantsAnswerTheirOwnAndEditUntilClose) {
  const v1::Wave pre = MakeWave(v1::Wave::PRE);
  auto partial = Save(Participant(1), pre, 3, false);
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_FALSE(partial->submitted());
  EXPECT_EQ(partial->participant(), Person("p1"));
  EXPECT_EQ(partial->municipality_code(), "242047");
  // Submit without a required answer names it.
  v1::SaveResponseRequest missing;
  missing.set_parent(pre.name());
  missing.set_submit(true);
  auto bad = survey_->SaveResponse(Participant(1), missing);
  EXPECT_EQ(errors::Reason(bad.status()), "ANSWER_REQUIRED");
  EXPECT_TRUE(absl::StartsWith(errors::GetBadRequest(bad.status())->field_violations(0).field(),
                               "answers["));
  auto submitted = Save(Participant(1), pre, 4, true);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_TRUE(submitted->submitted());
  EXPECT_EQ(submitted->name(), partial->name());  // the same response, edited
  // Staff do not answer; strangers are refused.
  EXPECT_EQ(errors::Reason(Save(Navigator(), pre, 3, true).status()), "NOT_A_PARTICIPANT");
  EXPECT_EQ(errors::Reason(Save(Stranger(), pre, 3, true).status()), "NOT_ON_ROSTER");
  // After the close: no more edits.
  clock_.Set(Tokyo(2022, 7, 24, 9));
  EXPECT_EQ(errors::Reason(Save(Participant(1), pre, 5, true).status()), "WAVE_NOT_OPEN");
  v1::GetMyResponseRequest mine;
  mine.set_parent(pre.name());
  auto read = survey_->GetMyResponse(Participant(1), mine);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->answers(0).likert(), 4);
}

TEST_F(SurveyDomainTest, StaffListAndExportOnly) {
  const v1::Wave pre = MakeWave(v1::Wave::PRE);
  ASSERT_TRUE(Save(Participant(1), pre, 4, true).ok());
  ASSERT_TRUE(Save(Participant(2), pre, 2, false).ok());  // partial: not listed
  v1::ListResponsesRequest list;
  list.set_parent(pre.name());
  EXPECT_EQ(errors::Reason(survey_->ListResponses(Participant(1), list).status()), "STAFF_ONLY");
  auto listed = survey_->ListResponses(Navigator(), list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->responses_size(), 1);
  v1::ExportResponsesRequest ex;
  ex.set_parent(pre.name());
  auto csv = survey_->ExportResponses(Advisor(), ex);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_TRUE(absl::StartsWith(csv->data(), "\xEF\xBB\xBF"));
  EXPECT_TRUE(absl::StrContains(csv->data(), "\"=\"\"242047\"\"\""));  // code kept as text
  EXPECT_TRUE(absl::StrContains(csv->data(), ",松阪市,"));  // the name beside the code
  EXPECT_TRUE(absl::StrContains(csv->data(), "自治体コード,自治体名,"));
  EXPECT_TRUE(absl::StrContains(csv->data(), "参加者 p1"));
}

TEST_F(SurveyDomainTest, AnonymousWaveLinksNobody) {
  const v1::Wave pre = MakeWave(v1::Wave::PRE, /*anonymous=*/true);
  auto first = Save(Participant(4), pre, 4, true);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->participant().empty());
  EXPECT_FALSE(first->has_submit_time());
  EXPECT_EQ(first->submit_date().day(), 15);
  const std::string key = first->response_key();
  ASSERT_GE(key.size(), 32u);
  // Three people from 131016 < k: the municipality is not kept either.
  EXPECT_TRUE(first->municipality_code().empty());
  // A second first-save by the same person is refused; edits need the key.
  EXPECT_EQ(errors::Reason(Save(Participant(4), pre, 2, true).status()), "ALREADY_RESPONDED");
  auto edited = Save(Participant(4), pre, 2, true, key);
  ASSERT_TRUE(edited.ok()) << edited.status();
  EXPECT_EQ(edited->name(), first->name());
  EXPECT_TRUE(edited->response_key().empty());  // shown once only
  v1::GetMyResponseRequest mine;
  mine.set_parent(pre.name());
  EXPECT_EQ(errors::Reason(survey_->GetMyResponse(Participant(4), mine).status()),
            "RESPONSE_KEY_REQUIRED");
  mine.set_response_key(key);
  EXPECT_TRUE(survey_->GetMyResponse(Participant(4), mine).ok());
  // Staff see the answers without any person.
  v1::ListResponsesRequest list;
  list.set_parent(pre.name());
  auto listed = survey_->ListResponses(Navigator(), list);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->responses_size(), 1);
  EXPECT_TRUE(listed->responses(0).participant().empty());
  v1::ExportResponsesRequest ex;
  ex.set_parent(pre.name());
  auto csv = survey_->ExportResponses(Navigator(), ex);
  ASSERT_TRUE(csv.ok());
  // Not as a field: random ids (base32, digits 2-7) may contain "p4".
  for (absl::string_view field : absl::StrSplit(csv->data(), absl::ByAnyChar(",\r\n\""))) {
    EXPECT_NE(field, "p4");
  }
  EXPECT_FALSE(absl::StrContains(csv->data(), "参加者"));
  // No person profile exists; anonymity cannot be switched off now.
  v1::UpdateWaveRequest off;
  *off.mutable_wave() = pre;
  off.mutable_wave()->set_anonymous(false);
  EXPECT_EQ(errors::Reason(survey_->UpdateWave(Secretariat(), off).status()), "ANONYMITY_LOCKED");
}

// By reading the database file: nothing pairs an anonymous response with its
// author (names and subjects appear only in the participation set, which
// holds no response, and in no request-id record).
TEST_F(SurveyDomainTest, AnonymousResponsesCannotBeLinkedByReadingTheDatabase) {
  const std::string path = testkit::NewTempPath("survey", "db");
  storage::DatabaseOptions options;
  options.path = path;
  auto store = SurveyStore::Open(options);
  ASSERT_TRUE(store.ok());
  Survey survey(store->get(), &roster_, &meetings_, tokenizer_.get(), &clock_,
                SurveyConfig{"survey-page-key-0123456789", 5});
  ASSERT_TRUE(survey.EnsureBuiltins().ok());
  v1::CreateWaveRequest w;
  w.set_parent(kCohort);
  w.mutable_wave()->set_kind(v1::Wave::PRE);
  w.mutable_wave()->set_instrument_version(kBuiltinVersion);
  w.mutable_wave()->set_anonymous(true);
  auto wave = survey.CreateWave(Secretariat(), w);
  ASSERT_TRUE(wave.ok());
  for (int n : {3, 1, 5}) {
    v1::SaveResponseRequest r;
    r.set_parent(wave->name());
    *r.mutable_answers() = FullAnswers(Builtin(), n);
    r.set_submit(true);
    r.set_request_id("req-" + std::to_string(n));
    ASSERT_TRUE(survey.SaveResponse(Participant(n), r).ok());
  }
  store->reset();
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table'");
  int scanned = 0;
  while (tables.executeStep()) {
    const std::string table = tables.getColumn(0).getString();
    SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\"");
    while (rows.executeStep()) {
      for (int c = 0; c < rows.getColumnCount(); ++c) {
        const std::string value = rows.getColumn(c).getString();
        ++scanned;
        for (int n : {1, 3, 5}) {
          const std::string name = Person("p" + std::to_string(n));
          const std::string subject = "user-p" + std::to_string(n);
          if (table == "participation") continue;  // the set of who answered, nothing else
          EXPECT_FALSE(absl::StrContains(value, name)) << table << " holds " << name;
          EXPECT_FALSE(absl::StrContains(value, subject)) << table << " holds " << subject;
        }
      }
    }
  }
  EXPECT_GT(scanned, 0);
}

TEST_F(SurveyDomainTest, ConcurrentFirstSubmissionsLeaveOneResponse) {
  const v1::Wave pre = MakeWave(v1::Wave::PRE);
  const v1::Wave f6 = [&] {
    v1::CreateWaveRequest r;
    r.set_parent(kCohort);
    r.mutable_wave()->set_kind(v1::Wave::FOLLOW_UP_6);
    r.mutable_wave()->set_instrument_version(kBuiltinVersion);
    r.mutable_wave()->set_anonymous(true);
    *r.mutable_wave()->mutable_open_time() = ToProtoTimestamp(Tokyo(2022, 6, 1, 0));
    *r.mutable_wave()->mutable_close_time() = ToProtoTimestamp(Tokyo(2022, 6, 30, 0));
    auto w = survey_->CreateWave(Secretariat(), r);
    EXPECT_TRUE(w.ok()) << w.status();
    return *w;
  }();
  for (const v1::Wave* wave : {&pre, &f6}) {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        if (Save(Participant(2), *wave, 1 + t, true).ok()) ++ok;
      });
    }
    for (auto& t : threads) t.join();
    v1::ListResponsesRequest list;
    list.set_parent(wave->name());
    auto listed = survey_->ListResponses(Navigator(), list);
    ASSERT_TRUE(listed.ok());
    EXPECT_EQ(listed->responses_size(), 1) << wave->name();
    if (wave->anonymous()) {
      EXPECT_EQ(ok.load(), 1);  // the others: ALREADY_RESPONDED
    } else {
      EXPECT_EQ(ok.load(), 4);  // the others edited the one response
    }
  }
}

}  // namespace
}  // namespace kaizen::survey
