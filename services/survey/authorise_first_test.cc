// Authorise before revealing (issue 16, point 4): whether a cohort exists,
// drafts included, is not told to callers who are refused anyway. Enrollment
// answers survey's GetRoster for draft cohorts too, so a draft the caller is
// not on must be refused exactly like a cohort that does not exist.
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/testing/observed.h"
#include "gtest/gtest.h"
#include "services/survey/survey.h"
#include "services/survey/survey_test_util.h"

namespace kaizen::survey {
namespace authorise_first_test {

using namespace ::kaizen::survey::testing;  // NOLINT
using ::kaizen::testkit::Observed;

constexpr char kDraft[] = "cohorts/fy2023-draft";
constexpr char kMissing[] = "cohorts/fy2099";

class SurveyAuthoriseFirstTest : public SurveyTest {
 protected:
  void SetUp() override {
    SurveyTest::SetUp();
    if (HasFatalFailure()) return;
    ev1::Roster draft;
    draft.set_cohort(kDraft);
    for (const char* id : {"navigator", "p1"}) {
      auto* e = draft.add_entries();
      e->set_participant(absl::StrCat(kDraft, "/participants/", id));
      e->set_display_name(id);
      e->set_role(id[0] == 'p' ? ev1::Participant::PARTICIPANT : ev1::Participant::NAVIGATOR);
      e->set_municipality_code("242047");
      e->set_subject(absl::StrCat("draft-", id));
    }
    roster_.SetRoster(draft);
  }

  // `call(cohort)` for the draft and the missing cohort: the one
  // not-on-roster refusal, identical in code, reason and message.
  template <typename Call>
  void ExpectSameRefusal(const std::string& what, Call call) {
    const absl::Status draft = call(std::string(kDraft));
    const absl::Status missing = call(std::string(kMissing));
    EXPECT_EQ(draft.code(), absl::StatusCode::kPermissionDenied) << what << ": " << draft;
    EXPECT_EQ(errors::Reason(draft), "NOT_ON_ROSTER") << what << ": " << draft;
    EXPECT_EQ(Observed(draft), Observed(missing)) << what;
  }
};

TEST_F(SurveyAuthoriseFirstTest, ADraftCohortLooksLikeAMissingOne) {
  for (const Principal& caller : {Participant(1), Navigator(), Advisor(), Stranger()}) {
    const std::string who = caller.subject();
    ExpectSameRefusal("GetWave as " + who, [&](const std::string& c) {
      v1::GetWaveRequest r;
      r.set_name(c + "/waves/pre");
      return survey_->GetWave(caller, r).status();
    });
    ExpectSameRefusal("ListWaves as " + who, [&](const std::string& c) {
      v1::ListWavesRequest r;
      r.set_parent(c);
      return survey_->ListWaves(caller, r).status();
    });
    ExpectSameRefusal("GetMyResponse as " + who, [&](const std::string& c) {
      v1::GetMyResponseRequest r;
      r.set_parent(c + "/waves/pre");
      return survey_->GetMyResponse(caller, r).status();
    });
    ExpectSameRefusal("ListResponses as " + who, [&](const std::string& c) {
      v1::ListResponsesRequest r;
      r.set_parent(c + "/waves/pre");
      return survey_->ListResponses(caller, r).status();
    });
    ExpectSameRefusal("GetPersonProfile as " + who, [&](const std::string& c) {
      v1::GetPersonProfileRequest r;
      r.set_participant(c + "/participants/p1");
      r.set_wave("pre");
      return survey_->GetPersonProfile(caller, r).status();
    });
  }
  // Staff of another cohort asking for a municipality's profile within one.
  ExpectSameRefusal("GetMunicipalityProfile", [&](const std::string& c) {
    v1::GetMunicipalityProfileRequest r;
    r.set_municipality_code("242047");
    r.set_wave_kind(v1::Wave::PRE);
    r.set_cohort(c);
    return survey_->GetMunicipalityProfile(Navigator(), r).status();
  });
}

TEST_F(SurveyAuthoriseFirstTest, MembersAndTheSecretariatGetTheSpecificAnswer) {
  const Principal draft_p1 = ::kaizen::testkit::User("draft-p1", kaizen::type::ROLE_PARTICIPANT);
  v1::GetWaveRequest r;
  r.set_name(absl::StrCat(kDraft, "/waves/pre"));
  EXPECT_EQ(survey_->GetWave(draft_p1, r).status().code(), absl::StatusCode::kNotFound);
  v1::ListResponsesRequest list;
  list.set_parent(absl::StrCat(kDraft, "/waves/pre"));
  EXPECT_EQ(errors::Reason(survey_->ListResponses(draft_p1, list).status()), "STAFF_ONLY");
  // The secretariat is told which cohorts exist.
  r.set_name(absl::StrCat(kMissing, "/waves/pre"));
  EXPECT_EQ(survey_->GetWave(Secretariat(), r).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace kaizen::survey
