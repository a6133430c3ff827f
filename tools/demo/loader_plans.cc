// The Loader's plans step: the demo plans (demo_plans.h) written revision by
// revision into the plans service, with feedback, practice and the stage
// versions.
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tools/demo/loader.h"

namespace kaizen::demo {

bool Loader::GetPlan(const std::string& name, const Principal& who, pv1::Plan* plan) {
  pv1::GetPlanRequest r;
  r.set_name(name);
  return Check(plans_->GetPlan(As(who).get(), r, plan), "GetPlan");
}

// One demo plan, revision by revision: an owner updates the draft with
// the etag and commits; the owners resolve the navigator's feedback on the
// previous revision; the navigator comments; the owners log their
// practice; the revision is presented as its stage. A plan whose id is
// taken is left as it is (the demo plans were loaded before).
bool Loader::LoadPlan(const std::string& cohort, const DemoPlan& d,
                      const std::map<std::string, Person>& people,
                      const std::map<pv1::Stage, absl::Time>& starts, PlanCounts* n) {
  const Principal secretariat = Subject("demo-secretariat", kaizen::type::ROLE_SECRETARIAT);
  const Principal navigator = Subject("demo-navigator", kaizen::type::ROLE_NAVIGATOR);
  std::vector<std::string> owners;
  Principal editor;
  for (const std::string& display_name : d.owners) {
    auto it = people.find(display_name);
    if (it == people.end()) {
      std::fprintf(stderr, "load_demo_data: %s is not on the roster of %s\n",
                   display_name.c_str(), cohort.c_str());
      return false;
    }
    owners.push_back(it->second.name);
    if (editor.subject().empty() && !it->second.subject.empty()) {
      editor = Subject(it->second.subject, kaizen::type::ROLE_PARTICIPANT);
    }
  }
  if (editor.subject().empty()) {
    std::fprintf(stderr, "load_demo_data: no owner of %s has an account\n", d.id);
    return false;
  }

  pv1::CreatePlanRequest create;
  create.set_parent(cohort);
  create.set_plan_id(d.id);
  create.mutable_plan()->set_title(d.title);
  if (d.by_navigator) {
    for (const std::string& o : owners) create.mutable_plan()->add_owners(o);
  }
  pv1::Plan plan;
  const grpc::Status created =
      plans_->CreatePlan(As(d.by_navigator ? navigator : editor).get(), create, &plan);
  if (created.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    ++n->skipped;
    return true;
  }
  if (!Check(created, absl::StrCat("CreatePlan ", d.id))) return false;
  ++n->created;

  std::vector<pv1::Feedback> open;  // COHORT feedback the next revision answers
  for (const DemoRevision& r : d.revisions) {
    if (!GetPlan(plan.name(), editor, &plan)) return false;
    pv1::UpdatePlanRequest update;
    update.mutable_plan()->set_name(plan.name());
    update.mutable_plan()->set_etag(plan.etag());
    *update.mutable_plan()->mutable_draft() = r.content;
    update.mutable_update_mask()->add_paths("draft");
    if (!Check(plans_->UpdatePlan(As(editor).get(), update, &plan), "UpdatePlan")) return false;
    pv1::CommitRevisionRequest commit;
    commit.set_name(plan.name());
    commit.set_etag(plan.etag());
    commit.set_message(r.message);
    pv1::Revision revision;
    if (!Check(plans_->CommitRevision(As(editor).get(), commit, &revision), "CommitRevision")) {
      return false;
    }
    ++n->revisions;

    for (const pv1::Feedback& f : open) {
      pv1::ResolveFeedbackRequest resolve;
      resolve.set_name(f.name());
      resolve.set_etag(f.etag());
      pv1::Feedback resolved;
      if (!Check(plans_->ResolveFeedback(As(editor).get(), resolve, &resolved),
                 "ResolveFeedback")) {
        return false;
      }
      ++n->resolved;
    }
    open.clear();
    for (const DemoFeedback& f : r.feedback) {
      pv1::CreateFeedbackRequest give;
      give.set_parent(plan.name());
      pv1::Feedback* fb = give.mutable_feedback();
      fb->set_revision(revision.number());
      fb->set_action_id(f.action_id);
      fb->set_field(f.field);
      fb->set_text(f.text);
      fb->set_visibility(f.visibility);
      pv1::Feedback given;
      if (!Check(plans_->CreateFeedback(As(navigator).get(), give, &given), "CreateFeedback")) {
        return false;
      }
      ++n->feedback;
      if (given.visibility() == pv1::Feedback::COHORT) open.push_back(given);
    }
    for (const DemoPractice& e : r.practice) {
      pv1::CreatePracticeEntryRequest log;
      log.set_parent(plan.name());
      pv1::PracticeEntry* entry = log.mutable_entry();
      entry->set_action_id(e.action_id);
      entry->mutable_date()->set_year(e.year);
      entry->mutable_date()->set_month(e.month);
      entry->mutable_date()->set_day(e.day);
      entry->set_done(e.done);
      entry->set_result(e.result);
      entry->set_gap(e.gap);
      pv1::PracticeEntry logged;
      if (!Check(plans_->CreatePracticeEntry(As(editor).get(), log, &logged),
                 "CreatePracticeEntry")) {
        return false;
      }
      ++n->practice;
    }

    if (r.stage == pv1::STAGE_UNSPECIFIED) continue;
    // From the meeting's start only the secretariat presents, with a
    // reason; before it (a meeting moved into the future) the owner does.
    const bool late = absl::Now() >= starts.at(r.stage);
    const Principal& presenter = late ? secretariat : editor;
    if (!GetPlan(plan.name(), presenter, &plan)) return false;
    pv1::SubmitStageRequest submit;
    submit.set_name(plan.name());
    submit.set_stage(r.stage);
    submit.set_revision(revision.number());
    submit.set_etag(plan.etag());
    if (late) submit.set_late_reason("デモデータ: 2022年度の発表版を登録");
    if (!Check(plans_->SubmitStage(As(presenter).get(), submit, &plan),
               absl::StrCat("SubmitStage ", pv1::Stage_Name(r.stage)))) {
      return false;
    }
    ++n->stages;
    if (late) ++n->late;
  }
  return true;
}

// The demo plans of the demo cohort; plans loaded before are skipped.
int Loader::LoadPlans() {
  const std::string cohort = "cohorts/" + absl::GetFlag(FLAGS_cohort_id);
  std::map<std::string, Person> people;
  if (!Roster(cohort, &people)) return 1;
  std::map<pv1::Stage, absl::Time> starts;
  if (!StageMeetings(cohort, &starts)) return 1;
  if (!RecordDemoAttendance(cohort, people)) return 1;
  PlanCounts n;
  for (const DemoPlan& d : DemoPlans()) {
    if (!LoadPlan(cohort, d, people, starts, &n)) return 1;
  }
  if (n.created == 0) {
    std::printf("demo data: the %d plans of %s already loaded\n", n.skipped, cohort.c_str());
    return 0;
  }
  std::printf(
      "demo data: %d plans of %s with %d revisions, %d stage versions (%d presented late by "
      "the secretariat), %d feedback (%d resolved), %d practice entries\n",
      n.created, cohort.c_str(), n.revisions, n.stages, n.late, n.feedback, n.resolved,
      n.practice);
  return 0;
}

}  // namespace kaizen::demo
