// The demo action plans that load_demo_data writes into the plans service:
// three plans of the FY2022 demo cohort, four revisions each, with the
// navigator's feedback and the owners' practice log (loader_plans.cc loads
// them).
#ifndef KAIZEN_TOOLS_DEMO_DEMO_PLANS_H_
#define KAIZEN_TOOLS_DEMO_DEMO_PLANS_H_

#include <string>
#include <vector>

#include "kaizen/plans/v1/plans.pb.h"

namespace kaizen::demo {

namespace pv1 = ::kaizen::plans::v1;

// A practice log entry of an owner, dated on the FY2022 calendar.
struct DemoPractice {
  const char* action_id;
  int year, month, day;
  const char* done;
  const char* result;
  const char* gap;
};

// Feedback from the navigator on one revision.
struct DemoFeedback {
  const char* action_id;  // "" for the plan as a whole
  const char* field;      // "" or a field path such as "vision"
  pv1::Feedback::Visibility visibility;
  const char* text;
};

// One revision: the draft an owner commits, the navigator's feedback on it,
// what the owners practised afterwards, and the stage it is presented as.
struct DemoRevision {
  const char* message;
  pv1::PlanContent content;
  std::vector<DemoFeedback> feedback;
  std::vector<DemoPractice> practice;
  pv1::Stage stage;  // STAGE_UNSPECIFIED: not presented
};

struct DemoPlan {
  const char* id;
  const char* title;
  // Display names on the roster; the first with an account edits.
  std::vector<std::string> owners;
  // Made by the navigator for its owners (a team plan); otherwise the
  // editing owner makes it for themself.
  bool by_navigator;
  std::vector<DemoRevision> revisions;
};

// Defined in demo_plans.cc.
std::vector<DemoPlan> DemoPlans();

}  // namespace kaizen::demo

#endif  // KAIZEN_TOOLS_DEMO_DEMO_PLANS_H_
