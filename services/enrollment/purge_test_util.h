// A fixture for the purge and erasure tests: an in-memory store, a fake
// clock, fake purge targets for scheduling and survey (plans only when
// asked), and a cohort with admitted applicants.
#ifndef KAIZEN_SERVICES_ENROLLMENT_PURGE_TEST_UTIL_H_
#define KAIZEN_SERVICES_ENROLLMENT_PURGE_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "clients/purge/fake_purge_target.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment::testing {

class PurgeFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions options;
    options.path = ":memory:";
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    Configure({&scheduling_, &survey_});
  }

  // A domain on the same store with these targets (the others are not
  // configured).
  void Configure(std::vector<purge_client::PurgeTarget*> targets) {
    EnrollmentConfig config{"page-token-key-0123456789", "access-key-0123456789",
                            "claim-key-0123456789"};
    config.require_email_confirmation = false;  // other rules (enrollment_test_util.h)
    config.purge_targets = std::move(targets);
    enrollment_ = std::make_unique<Enrollment>(store_.get(), &clock_, std::move(config));
  }

  // An OPEN cohort (retention 0) with `n` single applicants from different
  // towns, each applying signed in as "applicant-{i}"; returns its name.
  std::string CohortWithApplicants(int n) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = Fy2022Cohort();
    create.mutable_cohort()->set_retention_days(0);
    auto cohort = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(cohort.ok()) << cohort.status();
    Move(cohort->name(), v1::Cohort::OPEN);
    for (int i = 0; i < n; ++i) {
      auto app = enrollment_->CreateApplication(User("applicant-" + std::to_string(i)),
                                                Apply(cohort->name(), i + 1, kTowns[i]));
      EXPECT_TRUE(app.ok()) << app.status();
    }
    return cohort->name();
  }

  void Move(const std::string& cohort, v1::Cohort::State state) {
    v1::TransitionCohortRequest t;
    t.set_name(cohort);
    t.set_state(state);
    auto moved = enrollment_->TransitionCohort(Secretariat(), t);
    ASSERT_TRUE(moved.ok()) << moved.status();
  }

  void Finish(const std::string& cohort) {
    Move(cohort, v1::Cohort::RUNNING);
    Move(cohort, v1::Cohort::FINISHED);
  }

  std::vector<v1::Participant> Participants(const std::string& cohort) {
    v1::ListParticipantsRequest list;
    list.set_parent(cohort);
    auto listed = enrollment_->ListParticipants(Secretariat(), list);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return {listed->participants().begin(), listed->participants().end()};
  }

  absl::StatusOr<v1::PurgeCohortPersonalDataResponse> Purge(const std::string& cohort) {
    v1::PurgeCohortPersonalDataRequest purge;
    purge.set_name(cohort);
    return enrollment_->PurgeCohortPersonalData(Secretariat(), purge);
  }

  absl::StatusOr<v1::PurgeReport> Erase(const std::string& participant,
                                        const Principal& caller = Secretariat()) {
    v1::ErasePersonalDataRequest erase;
    erase.set_name(participant);
    return enrollment_->ErasePersonalData(caller, erase);
  }

  absl::StatusOr<v1::PurgeReport> Report(const std::string& name,
                                         const Principal& caller = Secretariat()) {
    v1::GetPurgeReportRequest get;
    get.set_name(name);
    return enrollment_->GetPurgeReport(caller, get);
  }

  static const v1::PurgeReport::ServiceReport& Of(const v1::PurgeReport& r,
                                                  const std::string& service) {
    for (const auto& s : r.services()) {
      if (s.service() == service) return s;
    }
    ADD_FAILURE() << "no " << service << " in the report";
    return v1::PurgeReport::ServiceReport::default_instance();
  }

  static int64_t Count(const v1::PurgeReport::ServiceReport& s, const std::string& kind) {
    for (const auto& c : s.report().counts()) {
      if (c.kind() == kind) return c.deleted();
    }
    ADD_FAILURE() << "no count " << kind << " for " << s.service();
    return -1;
  }

  std::unique_ptr<EnrollmentStore> store_;
  FakeClock clock_;
  purge_client::FakePurgeTarget scheduling_{"scheduling",
                                            {{"attendance", 8}, {"poll_comments", 2}}};
  purge_client::FakePurgeTarget survey_{"survey", {{"responses", 5}}};
  purge_client::FakePurgeTarget plans_{"plans", {{"plans", 3}}};
  std::unique_ptr<Enrollment> enrollment_;
};

}  // namespace kaizen::enrollment::testing

#endif  // KAIZEN_SERVICES_ENROLLMENT_PURGE_TEST_UTIL_H_
