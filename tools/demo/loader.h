// The Loader of load_demo_data: the clients of the four services, calling
// as the demo's people (principals signed with the internal secret), and the
// steps that load the programme (loader.cc), the action plans
// (loader_plans.cc) and the surveys (loader_surveys.cc).
#ifndef KAIZEN_TOOLS_DEMO_LOADER_H_
#define KAIZEN_TOOLS_DEMO_LOADER_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/time/time.h"
#include "common/auth/principal.h"
#include "kaizen/enrollment/v1/enrollment.grpc.pb.h"
#include "kaizen/plans/v1/plans.grpc.pb.h"
#include "kaizen/scheduling/v1/scheduling.grpc.pb.h"
#include "kaizen/survey/v1/survey.grpc.pb.h"
#include "tools/demo/demo_plans.h"
#include "tools/demo/demo_surveys.h"

// Defined in load_demo_data.cc.
ABSL_DECLARE_FLAG(std::string, enrollment);
ABSL_DECLARE_FLAG(std::string, scheduling);
ABSL_DECLARE_FLAG(std::string, plans);
ABSL_DECLARE_FLAG(std::string, survey);
ABSL_DECLARE_FLAG(std::string, cohort_id);

namespace kaizen::demo {

namespace ev1 = ::kaizen::enrollment::v1;
namespace sv1 = ::kaizen::scheduling::v1;
namespace pv1 = ::kaizen::plans::v1;
namespace svv1 = ::kaizen::survey::v1;
using kaizen::type::Principal;

// Defined in loader.cc.
Principal Subject(const std::string& subject, kaizen::type::Role role);

class Loader {
 public:
  Loader(const std::string& secret);

  std::unique_ptr<grpc::ClientContext> As(const Principal& p);

  bool Check(const grpc::Status& s, const std::string& what);

  int Run();

 private:
  // Defined in loader.cc.
  int LoadProgramme();

  // ---- demo plans

  struct Person {
    std::string name;     // "cohorts/{c}/participants/{p}"
    std::string subject;  // the account, "" for team members without one
    ev1::Participant::Role role = ev1::Participant::PARTICIPANT;
  };

  struct PlanCounts {
    int created = 0, skipped = 0, revisions = 0, stages = 0, late = 0, feedback = 0,
        resolved = 0, practice = 0;
  };

  // Defined in loader.cc.
  bool Participants(const std::string& cohort, std::vector<ev1::Participant>* out);
  bool Roster(const std::string& cohort, std::map<std::string, Person>* people);
  bool StageMeetings(const std::string& cohort, std::map<pv1::Stage, absl::Time>* starts);
  bool RecordDemoAttendance(const std::string& cohort, const std::map<std::string, Person>& people);

  // Defined in loader_plans.cc.
  bool GetPlan(const std::string& name, const Principal& who, pv1::Plan* plan);
  bool LoadPlan(const std::string& cohort, const DemoPlan& d,
                const std::map<std::string, Person>& people,
                const std::map<pv1::Stage, absl::Time>& starts, PlanCounts* n);
  int LoadPlans();

  // ---- demo surveys

  struct Respondent {
    std::string subject;
    std::string display_name;
    std::string municipality;
  };

  struct SurveyCounts {
    int pool_cohorts = 0, waves = 0, skipped = 0, submitted = 0, partial = 0, closed = 0;
    std::set<std::string> respondents;
  };

  // Defined in loader_surveys.cc.
  bool Respondents(const std::string& cohort, std::vector<Respondent>* out);
  bool EnsurePoolCohort(const PoolCohort& d, int cohort_index, SurveyCounts* n);
  bool LoadWave(const std::string& cohort, int fiscal_year, svv1::Wave::Kind kind,
                const svv1::InstrumentVersion& version, const std::vector<Respondent>& people,
                bool close_after, SurveyCounts* n);
  int LoadSurveys();

  kaizen::auth::PrincipalSigner signer_;
  std::unique_ptr<ev1::EnrollmentService::Stub> enrollment_;
  std::unique_ptr<sv1::SchedulingService::Stub> scheduling_;
  std::unique_ptr<pv1::PlansService::Stub> plans_;
  std::unique_ptr<svv1::SurveyService::Stub> survey_;
};

}  // namespace kaizen::demo

#endif  // KAIZEN_TOOLS_DEMO_LOADER_H_
