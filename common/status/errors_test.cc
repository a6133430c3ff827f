#include "common/status/errors.h"

#include "absl/status/statusor.h"
#include "common/status/status_macros.h"
#include "gtest/gtest.h"

namespace kaizen::errors {
namespace errors_test {

TEST(ErrorsTest, InvalidFieldCarriesReasonAndViolation) {
  absl::Status s = InvalidField("members[0].birth_date", "must be in the past");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(s), "INVALID_FIELD");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "members[0].birth_date");
  EXPECT_EQ(GetErrorInfo(s)->domain(), "kaizen");
  EXPECT_EQ(GetErrorInfo(s)->metadata().at("field"), "members[0].birth_date");
  EXPECT_EQ(s.message(), "members[0].birth_date: must be in the past");
}

TEST(ErrorsTest, NotFoundCarriesResourceInfo) {
  absl::Status s = NotFound("Cohort", "cohorts/x");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(GetResourceInfo(s)->resource_name(), "cohorts/x");
  EXPECT_EQ(Reason(s), "NOT_FOUND");
}

TEST(ErrorsTest, EtagMismatchIsAborted) {
  absl::Status s = EtagMismatch("cohorts/x");
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Reason(s), "ETAG_MISMATCH");
}

// Found by json_transcode_fuzzer: an unknown query parameter named in
// invalid UTF-8 made the details unparseable, so the refusal lost its reason.
TEST(ErrorsTest, DetailsStayParseableWhenTheyNameInvalidUtf8) {
  const std::string field = std::string("a.b\x01\xba\xc0\xaf") + "\xed\xa0\x80" + "名";
  absl::Status s = InvalidField(field, "is not a field of this request");
  EXPECT_EQ(Reason(s), "INVALID_FIELD");
  auto bad = GetBadRequest(s);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).field(),
            "a.b\x01\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd名");
}

TEST(ErrorsTest, ReasonOfPlainStatusIsEmpty) {
  EXPECT_EQ(Reason(absl::InternalError("x")), "");
}

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidField("x", "must be even");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(half, Half(half));
  return half;
}

absl::Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PropagateErrorsAndValues) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(Reason(CheckEven(3)), "INVALID_FIELD");
}

}  // namespace
}  // namespace kaizen::errors
