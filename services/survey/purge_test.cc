// PurgePersonalData on the domain over in-memory SQLite (what the store
// deletes, counted and checked table by table), and through the real gRPC
// server with GrpcPurgeTarget, the client enrollment uses.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/purge/grpc_purge_target.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/testing/grpc_fixture.h"
#include "gtest/gtest.h"
#include "services/survey/grpc_service.h"
#include "services/survey/survey_store.h"
#include "services/survey/survey_test_util.h"

namespace kaizen::survey {
namespace purge_test {

using namespace ::kaizen::survey::testing;  // NOLINT
using kaizen::type::PurgeReport;
using kaizen::type::PurgeRequest;

constexpr char kOther[] = "cohorts/fy2023";

PurgeRequest WholeCohort(const std::string& cohort = kCohort) {
  PurgeRequest r;
  r.set_cohort(cohort);
  return r;
}

PurgeRequest OnePerson(const std::string& id) {
  PurgeRequest r;
  r.set_cohort(kCohort);
  r.set_participant(Person(id));
  r.set_subject("user-" + id);
  return r;
}

// kind -> deleted, in the report's order.
std::vector<std::pair<std::string, int64_t>> Counts(const PurgeReport& report) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& c : report.counts()) out.emplace_back(c.kind(), c.deleted());
  return out;
}

// A roster source that runs `between` once, after handing out a roster:
// what happens when an erasure commits while a write is between reading
// the roster (the person is still on it) and its transaction.
class EraseAfterRosterFetch : public enrollment_client::RosterSource {
 public:
  EraseAfterRosterFetch(enrollment_client::RosterSource* inner, std::function<void()> between)
      : inner_(inner), between_(std::move(between)) {}
  absl::StatusOr<enrollment_client::Roster> GetRoster(const std::string& cohort) override {
    auto roster = inner_->GetRoster(cohort);
    if (between_) std::exchange(between_, nullptr)();
    return roster;
  }

 private:
  enrollment_client::RosterSource* inner_;
  std::function<void()> between_;
};

class SurveyPurgeTest : public SurveyTest {
 protected:
  void SetUp() override {
    SurveyTest::SetUp();
    // A second cohort with the same people's subjects: its data must stay.
    ev1::Roster other = Roster();
    other.set_cohort(kOther);
    for (auto& e : *other.mutable_entries()) {
      e.set_participant(absl::StrReplaceAll(e.participant(), {{kCohort, kOther}}));
    }
    roster_.SetRoster(other);
    sv1::Meeting first = Confirmed(1, Tokyo(2022, 7, 24, 9));
    first.set_name(absl::StrCat(kOther, "/meetings/m1"));
    meetings_.SetMeeting(first);
  }

  v1::Wave Wave(const std::string& cohort, bool anonymous) {
    v1::CreateWaveRequest r;
    r.set_parent(cohort);
    r.mutable_wave()->set_kind(v1::Wave::PRE);
    r.mutable_wave()->set_instrument_version(kBuiltinVersion);
    r.mutable_wave()->set_anonymous(anonymous);
    auto w = survey_->CreateWave(Secretariat(), r);
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? *w : v1::Wave();
  }

  absl::StatusOr<v1::Response> Answer(const v1::Wave& wave, int person,
                                      const std::string& request_id = "") {
    v1::SaveResponseRequest save;
    save.set_parent(wave.name());
    *save.mutable_answers() = FullAnswers(Builtin(), 4);
    v1::Answer* text = save.add_answers();
    text->set_item_id("free-wall-now");
    text->set_text("課長に提案しても「前例がない」と言われて止まってしまう。");
    save.set_submit(true);
    save.set_request_id(request_id);
    return survey_->SaveResponse(Participant(person), save);
  }

  int64_t Responses(const std::string& cohort_id) {
    int64_t n = 0;
    EXPECT_TRUE(store_->Read([&](SurveyTx& tx) -> absl::Status {
                        ASSIGN_OR_RETURN(n, tx.CountResponses(cohort_id, "pre", false));
                        return absl::OkStatus();
                      }).ok());
    return n;
  }

  size_t PoolRows(const std::string& cohort_id) {
    size_t n = 0;
    EXPECT_TRUE(store_->Read([&](SurveyTx& tx) -> absl::Status {
                        PoolFilter f{"kaizen-pre", v1::Wave::PRE, cohort_id, ""};
                        ASSIGN_OR_RETURN(auto rows, tx.ListPoolLikert(f, {"wall-peers-1"}));
                        n = rows.size();
                        return absl::OkStatus();
                      }).ok());
    return n;
  }

  std::set<std::string> Answered(const std::string& cohort_id) {
    std::set<std::string> out;
    EXPECT_TRUE(store_->Read([&](SurveyTx& tx) -> absl::Status {
                        ASSIGN_OR_RETURN(out, tx.ParticipationOf(cohort_id, "pre"));
                        return absl::OkStatus();
                      }).ok());
    return out;
  }

  absl::StatusOr<PurgeReport> Purge(const PurgeRequest& r) {
    return survey_->PurgePersonalData(auth::ServicePrincipal("enrollment"), r);
  }

  // p1 saves an answer to `wave`; p1's erasure commits after the save read
  // the roster (p1 still on it) and before its transaction.
  absl::Status SaveWhileBeingErased(const v1::Wave& wave) {
    EraseAfterRosterFetch racing_roster(&roster_, [&] {
      auto erased = Purge(OnePerson("p1"));
      EXPECT_TRUE(erased.ok()) << erased.status();
    });
    Survey racing(store_.get(), &racing_roster, &meetings_, tokenizer_.get(), &clock_,
                  SurveyConfig{"survey-page-key-0123456789", 5});
    v1::SaveResponseRequest save;
    save.set_parent(wave.name());
    *save.mutable_answers() = FullAnswers(Builtin(), 4);
    save.set_submit(true);
    absl::Status s = racing.SaveResponse(Participant(1), save).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
    return s;
  }
};

TEST_F(SurveyPurgeTest, OnlyTheEnrollmentServiceMayPurge) {
  for (const auto& caller : {Secretariat(), Navigator(), Participant(1),
                             auth::ServicePrincipal("scheduling")}) {
    absl::Status s = survey_->PurgePersonalData(caller, WholeCohort()).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << caller.DebugString();
    EXPECT_EQ(errors::Reason(s), "ENROLLMENT_ONLY");
  }
}

TEST_F(SurveyPurgeTest, CohortPurgeDeletesEverythingPersonalOnceAndOnlyThatCohort) {
  const v1::Wave wave = Wave(kCohort, /*anonymous=*/false);
  ASSERT_TRUE(Answer(wave, 1, "req-1").ok());
  ASSERT_TRUE(Answer(wave, 2).ok());
  const v1::Wave other = Wave(kOther, /*anonymous=*/false);
  ASSERT_TRUE(Answer(other, 1).ok());
  ASSERT_EQ(Responses("fy2022"), 2);
  ASSERT_EQ(PoolRows("fy2022"), 2u);

  auto report = Purge(WholeCohort());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->service(), "survey");
  EXPECT_EQ(report->cohort(), kCohort);
  EXPECT_TRUE(report->has_complete_time());
  using Row = std::pair<std::string, int64_t>;
  EXPECT_EQ(Counts(*report), (std::vector<Row>{{"responses", 2},
                                               {"free_text_answers", 2},
                                               {"pool_rows", 2},
                                               {"participation_entries", 0},
                                               {"request_ids", 1},
                                               {"result_changes", 2}}));
  EXPECT_EQ(Responses("fy2022"), 0);
  EXPECT_EQ(PoolRows("fy2022"), 0u);
  EXPECT_EQ(Responses("fy2023"), 1);  // the other cohort is untouched
  EXPECT_EQ(PoolRows("fy2023"), 1u);

  EXPECT_FALSE(report->repeat());

  // A retry (enrollment lost the answer): nothing more is deleted and the
  // first report comes back, time included, marked as a repeat.
  clock_.Advance(absl::Hours(1));
  auto again = Purge(WholeCohort());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->repeat());
  EXPECT_EQ(Counts(*again), Counts(*report));
  EXPECT_EQ(again->complete_time().seconds(), report->complete_time().seconds());
  EXPECT_EQ(Responses("fy2023"), 1);
}

TEST_F(SurveyPurgeTest, APurgedCohortTakesNoNewPersonalDataAndReadsEmpty) {
  const v1::Wave wave = Wave(kCohort, false);
  ASSERT_TRUE(Answer(wave, 1).ok());
  ASSERT_TRUE(Purge(WholeCohort()).ok());

  // The same request id cannot replay (and resurrect) anything either.
  absl::Status s = Answer(wave, 1).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  EXPECT_EQ(errors::Reason(s), "COHORT_PURGED");

  v1::CreateWaveRequest create;
  create.set_parent(kCohort);
  create.mutable_wave()->set_kind(v1::Wave::FOLLOW_UP_6);
  create.mutable_wave()->set_instrument_version(kBuiltinVersion);
  EXPECT_EQ(errors::Reason(survey_->CreateWave(Secretariat(), create).status()), "COHORT_PURGED");

  v1::UpdateWaveRequest update;
  *update.mutable_wave() = wave;
  EXPECT_EQ(errors::Reason(survey_->UpdateWave(Secretariat(), update).status()), "COHORT_PURGED");

  v1::ListResponsesRequest list;
  list.set_parent(wave.name());
  auto listed = survey_->ListResponses(Secretariat(), list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->responses_size(), 0);
}

TEST_F(SurveyPurgeTest, AnonymousWaveLedgerAndResponsesGoWithTheCohort) {
  const v1::Wave wave = Wave(kCohort, /*anonymous=*/true);
  ASSERT_TRUE(Answer(wave, 1).ok());
  ASSERT_TRUE(Answer(wave, 2).ok());
  ASSERT_EQ(Answered("fy2022").size(), 2u);
  auto report = Purge(WholeCohort());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->counts(0).deleted(), 2);  // responses
  EXPECT_EQ(report->counts(3).deleted(), 2);  // participation_entries
  EXPECT_EQ(Responses("fy2022"), 0);
  EXPECT_TRUE(Answered("fy2022").empty());
}

TEST_F(SurveyPurgeTest, ErasureDeletesOnlyThatPersonAndKeepsThemErased) {
  const v1::Wave wave = Wave(kCohort, false);
  ASSERT_TRUE(Answer(wave, 1, "req-p1").ok());
  ASSERT_TRUE(Answer(wave, 2, "req-p2").ok());
  auto report = Purge(OnePerson("p1"));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->participant(), Person("p1"));
  using Row = std::pair<std::string, int64_t>;
  EXPECT_EQ(Counts(*report), (std::vector<Row>{{"responses", 1},
                                               {"free_text_answers", 1},
                                               {"pool_rows", 1},
                                               {"participation_entries", 0},
                                               {"request_ids", 1},
                                               {"result_changes", 1}}));
  EXPECT_EQ(Responses("fy2022"), 1);  // p2's stays
  v1::GetMyResponseRequest mine;
  mine.set_parent(wave.name());
  EXPECT_TRUE(survey_->GetMyResponse(Participant(2), mine).ok());
  EXPECT_TRUE(absl::IsNotFound(survey_->GetMyResponse(Participant(1), mine).status()));

  // p1 cannot answer again; p2 still can; the cohort is not purged.
  EXPECT_EQ(errors::Reason(Answer(wave, 1).status()), "PARTICIPANT_ERASED");
  EXPECT_TRUE(Answer(wave, 2).ok());

  // A retried erasure answers with the first report.
  clock_.Advance(absl::Minutes(5));
  auto again = Purge(OnePerson("p1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->repeat());
  EXPECT_EQ(again->participant(), Person("p1"));
  EXPECT_EQ(Counts(*again), Counts(*report));
  EXPECT_EQ(again->complete_time().seconds(), report->complete_time().seconds());
  EXPECT_EQ(Responses("fy2022"), 1);  // p2's answer (saved again above) stays
}

TEST_F(SurveyPurgeTest, AnErasureDuringANamedSaveWinsOverTheRosterFetchedBefore) {
  const v1::Wave wave = Wave(kCohort, /*anonymous=*/false);
  EXPECT_EQ(errors::Reason(SaveWhileBeingErased(wave)), "PARTICIPANT_ERASED");
  EXPECT_EQ(Responses("fy2022"), 0);
  EXPECT_EQ(PoolRows("fy2022"), 0u);
}

TEST_F(SurveyPurgeTest, AnErasureDuringAnAnonymousSaveWinsOverTheRosterFetchedBefore) {
  const v1::Wave wave = Wave(kCohort, /*anonymous=*/true);
  EXPECT_EQ(errors::Reason(SaveWhileBeingErased(wave)), "PARTICIPANT_ERASED");
  EXPECT_EQ(Responses("fy2022"), 0);
  EXPECT_TRUE(Answered("fy2022").empty());
}

TEST_F(SurveyPurgeTest, ErasureTakesThePersonOutOfAnonymousLedgers) {
  const v1::Wave wave = Wave(kCohort, /*anonymous=*/true);
  ASSERT_TRUE(Answer(wave, 1).ok());
  ASSERT_TRUE(Answer(wave, 2).ok());
  auto report = Purge(OnePerson("p1"));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->counts(0).deleted(), 0);  // anonymous responses carry no link
  EXPECT_EQ(report->counts(3).deleted(), 1);
  EXPECT_EQ(Answered("fy2022"), std::set<std::string>{Person("p2")});
  EXPECT_EQ(Responses("fy2022"), 2);
}

TEST_F(SurveyPurgeTest, BadRequestsNameTheField) {
  PurgeRequest r = OnePerson("p1");
  r.set_participant("cohorts/fy2023/participants/p1");
  auto bad = errors::GetBadRequest(Purge(r).status());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(), "participant");
}

// Through the real server and the client enrollment uses: the enrollment
// principal is accepted, the secretariat's is refused.
class SurveyPurgeServerTest : public SurveyPurgeTest {
 protected:
  void SetUp() override {
    SurveyPurgeTest::SetUp();
    service_ = std::make_unique<SurveyGrpcService>(survey_.get(), &server_.signer());
    ASSERT_TRUE(
        server_.Start("survey", {{v1::SurveyService::service_full_name(), service_.get()}}).ok());
  }
  std::unique_ptr<SurveyGrpcService> service_;
  testkit::InProcessGrpcServer server_;
};

TEST_F(SurveyPurgeServerTest, EnrollmentPurgesThroughGrpcAndOthersAreRefused) {
  const v1::Wave wave = Wave(kCohort, false);
  ASSERT_TRUE(Answer(wave, 1).ok());

  auto stub = v1::SurveyService::NewStub(server_.channel());
  PurgeReport out;
  grpc::Status denied = stub->PurgePersonalData(server_.As(Secretariat()).get(), WholeCohort(),
                                                &out);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Responses("fy2022"), 1);

  purge_client::GrpcPurgeTarget target("survey",
                                       std::string(purge_client::kSurveyPurgeMethod),
                                       server_.channel(), &server_.signer(), absl::Seconds(30));
  auto report = target.Purge(WholeCohort());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->service(), "survey");
  EXPECT_EQ(report->counts(0).kind(), "responses");
  EXPECT_EQ(report->counts(0).deleted(), 1);
  EXPECT_EQ(Responses("fy2022"), 0);
}

}  // namespace
}  // namespace kaizen::survey
