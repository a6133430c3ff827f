// The catalog: each factory's code and reason, and README.md listing exactly
// the catalog's reasons (so the docs cannot drift from the code).
#include "services/enrollment/enrollment_errors.h"

#include <set>
#include <string>

#include "absl/strings/match.h"
#include "common/status/errors.h"
#include "common/testing/readme.h"
#include "gtest/gtest.h"

namespace kaizen::enrollment {
namespace enrollment_errors_test {

using Code = absl::StatusCode;

void ExpectError(const absl::Status& status, Code code, absl::string_view reason) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(errors::Reason(status), reason) << status;
  if (code == Code::kInvalidArgument) {
    auto bad = errors::GetBadRequest(status);
    ASSERT_TRUE(bad.has_value()) << status;
    EXPECT_EQ(bad->field_violations_size(), 1) << status;
  }
}

TEST(EnrollmentErrorsTest, FactoriesCarryTheirCodeAndReason) {
  v1::Eligibility e;
  e.set_min_age(20);
  e.set_max_age(39);
  google::type::Date day;
  day.set_year(2022);
  day.set_month(9);
  day.set_day(15);
  const absl::Time t = absl::FromUnixSeconds(1654009200);

  ExpectError(InvalidPageToken(), Code::kInvalidArgument, kInvalidPageToken);
  ExpectError(InvalidCursor(), Code::kInvalidArgument, kInvalidCursor);
  ExpectError(UpdateMaskRequired(), Code::kInvalidArgument, kUpdateMaskRequired);
  ExpectError(UpdateMaskInvalid("name"), Code::kInvalidArgument, kUpdateMaskInvalid);
  ExpectError(TeamSize(10), Code::kInvalidArgument, kTeamSize);
  ExpectError(TeamMunicipalityMismatch("f"), Code::kInvalidArgument, kTeamMunicipalityMismatch);
  ExpectError(TeamLargerThanCapacity(), Code::kInvalidArgument, kTeamLargerThanCapacity);
  ExpectError(AgeOutOfRange("f", e), Code::kInvalidArgument, kAgeOutOfRange);
  ExpectError(CurrencyNotJpy("f"), Code::kInvalidArgument, kCurrencyNotJpy);
  ExpectError(StaffRoleRequired(), Code::kInvalidArgument, kStaffRoleRequired);
  ExpectError(UnknownItem(), Code::kInvalidArgument, kUnknownItem);
  ExpectError(UnknownItem("unshipped_item_id"), Code::kInvalidArgument, kUnknownItem);
  ExpectError(InvalidFilter("fee_status"), Code::kInvalidArgument, kInvalidFilter);
  ExpectError(MunicipalityIsWard("f", "011011", "札幌市", "011002"), Code::kInvalidArgument,
              kMunicipalityIsWard);
  ExpectError(MunicipalityUnknown("f", "013005"), Code::kInvalidArgument, kMunicipalityUnknown);
  ExpectError(ErasureNotAllowed(), Code::kFailedPrecondition, kErasureNotAllowed);
  ExpectError(ClaimLinkExpired(), Code::kFailedPrecondition, kClaimLinkExpired);
  ExpectError(ClaimLinkUsed(), Code::kFailedPrecondition, kClaimLinkUsed);
  ExpectError(ClaimLinkRevoked(), Code::kFailedPrecondition, kClaimLinkRevoked);
  ExpectError(ParticipationAlreadyClaimed(), Code::kFailedPrecondition,
              kParticipationAlreadyClaimed);
  ExpectError(ApplicationAlreadyClaimed(), Code::kFailedPrecondition, kApplicationAlreadyClaimed);
  ExpectError(SubjectAlreadyInCohort(), Code::kFailedPrecondition, kSubjectAlreadyInCohort);
  ExpectError(ClaimLinkNotFound(), Code::kNotFound, kClaimLinkNotFound);
  ExpectError(MembersOnly(), Code::kPermissionDenied, kMembersOnly);
  ExpectError(DuplicateApplicant(), Code::kAlreadyExists, kDuplicateApplicant);
  ExpectError(DuplicateApplicant("f"), Code::kInvalidArgument, kDuplicateApplicant);

  ExpectError(CohortNotOpen(v1::Cohort::DRAFT), Code::kFailedPrecondition, kCohortNotOpen);
  ExpectError(CohortNotOpen(), Code::kFailedPrecondition, kCohortNotOpen);
  ExpectError(ApplicationWindowClosed(t, t), Code::kFailedPrecondition, kApplicationWindowClosed);
  ExpectError(InvalidStateTransition(v1::Cohort::DRAFT, v1::Cohort::FINISHED),
              Code::kFailedPrecondition, kInvalidStateTransition);
  ExpectError(InvalidStateTransition("accept", v1::Application::ACCEPTED),
              Code::kFailedPrecondition, kInvalidStateTransition);
  ExpectError(CohortFull(), Code::kFailedPrecondition, kCohortFull);
  ExpectError(MunicipalityLimitReached(), Code::kFailedPrecondition, kMunicipalityLimitReached);
  ExpectError(CapacityBelowTaken(3), Code::kFailedPrecondition, kCapacityBelowTaken);
  ExpectError(MunicipalityLimitBelowTaken(3), Code::kFailedPrecondition,
              kMunicipalityLimitBelowTaken);
  ExpectError(CohortFinished("x"), Code::kFailedPrecondition, kCohortFinished);
  ExpectError(NoOpenOffer(), Code::kFailedPrecondition, kNoOpenOffer);
  ExpectError(OfferExpired(), Code::kFailedPrecondition, kOfferExpired);
  ExpectError(AlreadyCancelled(), Code::kFailedPrecondition, kAlreadyCancelled);
  ExpectError(RefundExceedsPaid(5), Code::kFailedPrecondition, kRefundExceedsPaid);
  ExpectError(PaymentExceedsBalance(0), Code::kFailedPrecondition, kPaymentExceedsBalance);
  ExpectError(PaymentExceedsBalance(3000), Code::kFailedPrecondition, kPaymentExceedsBalance);
  EXPECT_EQ(errors::GetErrorInfo(PaymentExceedsBalance(3000))->metadata().at("balance_yen"),
            "3000");
  ExpectError(ParticipantCannotBeStaff(), Code::kFailedPrecondition, kParticipantCannotBeStaff);
  ExpectError(StaffCannotApply(), Code::kFailedPrecondition, kStaffCannotApply);
  ExpectError(AlreadyAppointed(v1::Participant::OBSERVER), Code::kAlreadyExists,
              kAlreadyAppointed);
  ExpectError(FieldRequired("consent"), Code::kInvalidArgument, kFieldRequired);
  ExpectError(ItemNotYetAvailable(day), Code::kFailedPrecondition, kItemNotYetAvailable);
  ExpectError(AlreadyShipped(), Code::kFailedPrecondition, kAlreadyShipped);
  ExpectError(CohortNotFinished(), Code::kFailedPrecondition, kCohortNotFinished);
  ExpectError(CohortPurged(), Code::kFailedPrecondition, kCohortPurged);
  ExpectError(RetentionNotElapsed(t), Code::kFailedPrecondition, kRetentionNotElapsed);

  ExpectError(WaitlistFull(50), Code::kFailedPrecondition, kWaitlistFull);

  ExpectError(LoginRequired(), Code::kUnauthenticated, kLoginRequired);
  ExpectError(SecretariatOnly(), Code::kPermissionDenied, kSecretariatOnly);
  ExpectError(StaffOnly("x"), Code::kPermissionDenied, kStaffOnly);
  ExpectError(NotYourApplication("x"), Code::kPermissionDenied, kNotYourApplication);
  ExpectError(NotYourParticipation("x"), Code::kPermissionDenied, kNotYourParticipation);
  ExpectError(PartnerOnly(), Code::kPermissionDenied, kPartnerOnly);
  ExpectError(PartnerFeedOnly(), Code::kPermissionDenied, kPartnerFeedOnly);
  ExpectError(PartnerMunicipalityMissing(), Code::kPermissionDenied, kPartnerMunicipalityMissing);
  ExpectError(ServicesOnly(), Code::kPermissionDenied, kServicesOnly);
  ExpectError(ServicesOnly("m"), Code::kPermissionDenied, kServicesOnly);
  ExpectError(UnsubscribeTokenInvalid(), Code::kPermissionDenied, kUnsubscribeTokenInvalid);
  ExpectError(RecipientNotPartner("recipient.roles", "x"), Code::kInvalidArgument,
              kRecipientNotPartner);
  ExpectError(ExportTooLarge(20000), Code::kResourceExhausted, kExportTooLarge);
  ExpectError(ConfirmationTokenInvalid(), Code::kPermissionDenied, kConfirmationTokenInvalid);
  ExpectError(ConfirmationExpired(), Code::kFailedPrecondition, kConfirmationExpired);
  ExpectError(AccountAlreadyApplied(), Code::kFailedPrecondition, kAccountAlreadyApplied);
}

TEST(EnrollmentErrorsTest, MessagesNameNoValueAndMetadataIsKept) {
  const absl::Status s = InvalidStateTransition(v1::Cohort::DRAFT, v1::Cohort::FINISHED);
  EXPECT_EQ(s.message(), "a cohort cannot go from DRAFT to FINISHED");
  auto info = errors::GetErrorInfo(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("from"), "DRAFT");
  EXPECT_EQ(info->metadata().at("to"), "FINISHED");
  EXPECT_TRUE(absl::EndsWith(TeamSize(10).message(), "must list 1 to 10 people"));
  google::type::Date day;
  day.set_year(2022);
  day.set_month(9);
  day.set_day(15);
  EXPECT_EQ(ItemNotYetAvailable(day).message(), "this item can ship from 2022-09-15");
  // Municipality codes are public, not personal: the message names them.
  EXPECT_EQ(MunicipalityIsWard("f", "011011", "札幌市", "011002").message(),
            "f: 011011 is a ward of 札幌市 (011002); use the city's code");
  // The duplicate names neither the address nor the other application.
  EXPECT_EQ(DuplicateApplicant().message(),
            "this e-mail address already has an application in this cohort");
}

TEST(EnrollmentErrorsTest, ReasonsAreUniqueUpperSnakeCase) {
  std::set<absl::string_view> seen;
  for (absl::string_view r : ErrorReasons()) {
    EXPECT_TRUE(seen.insert(r).second) << r;
    for (char c : r) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '_') << r;
  }
  std::set<absl::string_view> history;
  for (absl::string_view r : HistoryReasons()) EXPECT_TRUE(history.insert(r).second) << r;
}

TEST(EnrollmentErrorsTest, ReadmeListsExactlyTheCatalog) {
  auto readme = testkit::ReadRunfile("services/enrollment/README.md");
  ASSERT_TRUE(readme.ok()) << readme.status();
  // "## Error reasons": a table of error reasons, then "### History reasons".
  auto section = testkit::MarkdownSection(*readme, "## Error reasons");
  ASSERT_TRUE(section.ok()) << section.status();
  auto history = testkit::MarkdownSection(*readme, "### History reasons");
  ASSERT_TRUE(history.ok()) << history.status();
  const std::string errors_part = section->substr(0, section->find("\n### History reasons"));

  std::set<std::string> expected_errors(ErrorReasons().begin(), ErrorReasons().end());
  std::set<std::string> expected_history(HistoryReasons().begin(), HistoryReasons().end());
  EXPECT_EQ(testkit::BacktickedReasons(errors_part), expected_errors);
  EXPECT_EQ(testkit::BacktickedReasons(*history), expected_history);
}

}  // namespace
}  // namespace kaizen::enrollment
