// The fixture of the e-mail confirmation tests (confirmation.h): a domain
// with require_email_confirmation on (the default), an open FY2022 cohort,
// and readers of what the outbox holds.
#ifndef KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_FIXTURE_H_
#define KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/util/clock.h"
#include "common/util/ids.h"
#include "gtest/gtest.h"
#include "services/enrollment/enrollment.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/enrollment_test_util.h"

namespace kaizen::enrollment::testing {

// One outbox row, as the tests need it (the address unmasked: the test
// reads the table itself, not notify::List, which masks it).
struct Mail {
  std::string kind;
  std::string subject_ref;
  std::string recipient;
};

inline std::vector<Mail> OutboxRows(EnrollmentStore& store) {
  std::vector<Mail> rows;
  absl::Status read = store.database().RunReadOnly([&](SQLite::Database& db) -> absl::Status {
    SQLite::Statement q(db, "SELECT kind, subject_ref, recipient FROM outbox ORDER BY rowid");
    while (q.executeStep()) {
      rows.push_back(
          {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString()});
    }
    return absl::OkStatus();
  });
  EXPECT_TRUE(read.ok()) << read;
  return rows;
}

// The rows sent to `address`.
inline std::vector<Mail> MailTo(EnrollmentStore& store, const std::string& address) {
  std::vector<Mail> out;
  for (const Mail& m : OutboxRows(store)) {
    if (m.recipient == address) out.push_back(m);
  }
  return out;
}

inline std::vector<std::string> KindsTo(EnrollmentStore& store, const std::string& address) {
  std::vector<std::string> kinds;
  for (const Mail& m : MailTo(store, address)) kinds.push_back(m.kind);
  return kinds;
}

class ConfirmationTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(":memory:"); }

  // (Re)opens the domain on a database at `path` (":memory:" or a file),
  // with the confirmation window `window` (0: the default).
  void Open(const std::string& path, absl::Duration window = absl::ZeroDuration()) {
    storage::DatabaseOptions options;
    options.path = path;
    auto store = EnrollmentStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    clock_.Set(June1());
    EnrollmentConfig config{"page-token-key-0123456789", "access-key-0123456789",
                            "claim-key-0123456789"};
    EXPECT_TRUE(config.require_email_confirmation);  // the default under test
    if (window > absl::ZeroDuration()) config.confirmation_window = window;
    enrollment_ = std::make_unique<Enrollment>(store_.get(), &clock_, std::move(config));
    cohort_ = MakeOpenCohort(Fy2022Cohort(), "fy2022");
  }

  std::string MakeOpenCohort(v1::Cohort cohort, const std::string& id) {
    v1::CreateCohortRequest create;
    *create.mutable_cohort() = cohort;
    create.set_cohort_id(id);
    auto created = enrollment_->CreateCohort(Secretariat(), create);
    EXPECT_TRUE(created.ok()) << created.status();
    v1::TransitionCohortRequest open;
    open.set_name(created->name());
    open.set_state(v1::Cohort::OPEN);
    EXPECT_TRUE(enrollment_->TransitionCohort(Secretariat(), open).ok());
    return created->name();
  }

  v1::Application MustApply(const Principal& who, const v1::CreateApplicationRequest& r) {
    auto app = enrollment_->CreateApplication(who, r);
    EXPECT_TRUE(app.ok()) << app.status();
    return app.ok() ? *app : v1::Application();
  }

  absl::StatusOr<v1::Application> Confirm(const std::string& name, const std::string& token) {
    v1::ConfirmApplicationEmailRequest r;
    r.set_name(name);
    r.set_token(token);
    return enrollment_->ConfirmApplicationEmail(Anonymous(), r);
  }

  // Confirms every member with the token their e-mail carried.
  absl::StatusOr<v1::Application> ConfirmAll(const v1::Application& app) {
    absl::StatusOr<v1::Application> last = absl::UnknownError("no members");
    for (int i = 0; i < app.members_size(); ++i) {
      last = Confirm(app.name(), enrollment_->ConfirmationTokenFor(app.name(), i));
      if (!last.ok()) return last;
    }
    return last;
  }

  v1::Application Get(const std::string& name, const Principal& who) {
    v1::GetApplicationRequest r;
    r.set_name(name);
    auto got = enrollment_->GetApplication(who, r);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : v1::Application();
  }

  v1::Cohort Cohort(const std::string& name) {
    v1::GetCohortRequest r;
    r.set_name(name);
    auto c = enrollment_->GetCohort(Secretariat(), r);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : v1::Cohort();
  }

  int CountIn(const std::string& cohort, v1::Application::State state) {
    v1::ListApplicationsRequest r;
    r.set_parent(cohort);
    r.set_state(state);
    r.set_page_size(1000);
    auto listed = enrollment_->ListApplications(Secretariat(), r);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? listed->total_size() : -1;
  }

  FakeClock clock_;
  std::unique_ptr<EnrollmentStore> store_;
  std::unique_ptr<Enrollment> enrollment_;
  std::string cohort_;
};

}  // namespace kaizen::enrollment::testing

#endif  // KAIZEN_SERVICES_ENROLLMENT_CONFIRMATION_FIXTURE_H_
