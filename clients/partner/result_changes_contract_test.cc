// The result-change log every result-owning service keeps (real in-memory
// SQLite).
#include "clients/partner/result_changes_contract.h"

#include <string>

#include "SQLiteCpp/Database.h"
#include "common/auth/principal.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kaizen::partner_client {
namespace result_changes_contract_test {

using ::kaizen::type::SHARE_ATTENDANCE;
using ::kaizen::type::SHARE_SURVEY_PROFILE;

class ResultChangesTest : public ::testing::Test {
 protected:
  ResultChangesTest() : db_(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db_.exec(std::string(kResultChangesSchema));
  }
  SQLite::Database db_;
};

TEST_F(ResultChangesTest, PagesInSequenceOrderAndSequencesAreNeverReused) {
  const absl::Time t = absl::FromUnixSeconds(1650000000);
  AppendResultChange(db_, "fy2022", "cohorts/fy2022/participants/p1", SHARE_ATTENDANCE, t);
  AppendResultChange(db_, "fy2022", "cohorts/fy2022/participants/p2", SHARE_ATTENDANCE, t);
  AppendResultChange(db_, "fy2023", "cohorts/fy2023/participants/p1", SHARE_SURVEY_PROFILE, t);

  auto page = ListResultChanges(db_, {0, 2});
  ASSERT_EQ(page.changes_size(), 2);
  EXPECT_EQ(page.changes(0).participant(), "cohorts/fy2022/participants/p1");
  EXPECT_EQ(page.changes(0).category(), SHARE_ATTENDANCE);
  EXPECT_EQ(page.changes(0).time().seconds(), 1650000000);
  EXPECT_EQ(page.last_sequence(), page.changes(1).sequence());
  auto rest = ListResultChanges(db_, {page.last_sequence(), 2});
  ASSERT_EQ(rest.changes_size(), 1);
  EXPECT_EQ(rest.changes(0).category(), SHARE_SURVEY_PROFILE);
  auto empty = ListResultChanges(db_, {rest.last_sequence(), 2});
  EXPECT_EQ(empty.changes_size(), 0);
  EXPECT_EQ(empty.last_sequence(), rest.last_sequence()) << "the position stays when nothing is new";

  // Purging the newest rows must not let their sequence numbers come back.
  const int64_t newest = rest.last_sequence();
  EXPECT_EQ(DeleteResultChanges(db_, "fy2023", ""), 1);
  EXPECT_EQ(DeleteResultChanges(db_, "fy2022", "cohorts/fy2022/participants/p2"), 1);
  AppendResultChange(db_, "fy2023", "cohorts/fy2023/participants/p9", SHARE_ATTENDANCE, t);
  auto after = ListResultChanges(db_, {newest, 10});
  ASSERT_EQ(after.changes_size(), 1);
  EXPECT_GT(after.changes(0).sequence(), newest);
  auto all = ListResultChanges(db_, {0, 10});
  EXPECT_EQ(all.changes_size(), 2);
}

TEST(ResultChangesContractTest, RequestsAreChecked) {
  kaizen::type::ListResultChangesRequest request;
  auto defaults = ParseListResultChanges(request);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->page_size, 100);
  request.set_page_size(1000);
  EXPECT_EQ(ParseListResultChanges(request)->page_size, 1000);
  request.set_page_size(1001);
  EXPECT_EQ(errors::GetBadRequest(ParseListResultChanges(request).status())
                ->field_violations(0).field(), "page_size");
  request.set_page_size(-1);
  EXPECT_FALSE(ParseListResultChanges(request).ok());
  request.set_page_size(0);
  request.set_after_sequence(-5);
  EXPECT_EQ(errors::GetBadRequest(ParseListResultChanges(request).status())
                ->field_violations(0).field(), "after_sequence");
}

TEST(ResultChangesContractTest, OnlyEnrollmentReadsTheLog) {
  EXPECT_TRUE(RequireEnrollmentReader(auth::ServicePrincipal("enrollment")).ok());
  kaizen::type::Principal scheduling = auth::ServicePrincipal("scheduling");
  EXPECT_EQ(RequireEnrollmentReader(scheduling).code(), absl::StatusCode::kPermissionDenied);
  kaizen::type::Principal user;
  user.set_subject("enrollment");  // a user account named like the service
  user.add_roles(kaizen::type::ROLE_SECRETARIAT);
  EXPECT_EQ(RequireEnrollmentReader(user).code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace kaizen::partner_client
