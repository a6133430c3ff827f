// Test fixture shared by the decision, decision-kind and appointment tests:
// Enrollment over real in-memory SQLite and a fake clock (2022-06-01), with
// one open cohort of a single seat and one municipality, so a second
// applicant waits. Test-only.
#ifndef KAIZEN_SERVICES_ENROLLMENT_DECISIONS_FIXTURE_H_
#define KAIZEN_SERVICES_ENROLLMENT_DECISIONS_FIXTURE_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "common/status/errors.h"
#include "common/util/clock.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment::testing {

// The field of a status's first BadRequest violation ("" if none).
inline std::string FieldOf(const absl::Status& s) {
  auto bad = errors::GetBadRequest(s);
  return bad.has_value() && bad->field_violations_size() > 0
             ? bad->field_violations(0).field()
             : "";
}

class OneSeatCohortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    enrollment_ = std::make_unique<Enrollment>(
        store_.get(), &clock_,
        WithoutEmailConfirmation(EnrollmentConfig{
            "page-token-key-0123456789", "access-key-0123456789", "claim-key-0123456789"}));
    v1::Cohort small = Fy2022Cohort();
    small.set_capacity(1);
    small.set_max_municipalities(1);
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = small;
    create.set_cohort_id("small");
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    ASSERT_TRUE(created.ok()) << created.status();
    cohort_ = created->name();
    v1::TransitionCohortRequest open;
    open.set_name(cohort_);
    open.set_state(v1::Cohort::OPEN);
    ASSERT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
  }

  // Applicant n (from kTowns[0]); the first takes the seat, later ones wait.
  v1::Application MustApply(int n, const Principal& as = Anonymous()) {
    auto app = enrollment_->CreateApplication(as, Apply(cohort_, n, kTowns[0]));
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  v1::Application Get(const std::string& name, const Principal& as = Secretariat()) {
    v1::GetApplicationRequest get;
    get.set_name(name);
    auto app = enrollment_->GetApplication(as, get);
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  // Appoints staff in the cohort (by account `subject` and/or `email`).
  absl::StatusOr<v1::Participant> Appoint(const std::string& subject, v1::Participant::Role role,
                                          const std::string& email = "") {
    v1::CreateParticipantRequest r;
    r.set_parent(cohort_);
    r.mutable_participant()->set_display_name("架空 スタッフ");
    r.mutable_participant()->set_role(role);
    r.mutable_participant()->set_subject(subject);
    r.mutable_participant()->set_email(email);
    return enrollment_->CreateParticipant(Secretariat(), r);
  }

  absl::StatusOr<v1::Application> Accept(const std::string& name) {
    v1::DecideApplicationRequest accept;
    accept.set_name(name);
    accept.set_reason("欠員補充");
    return enrollment_->AcceptApplication(Secretariat(), accept);
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

}  // namespace kaizen::enrollment::testing

#endif  // KAIZEN_SERVICES_ENROLLMENT_DECISIONS_FIXTURE_H_
