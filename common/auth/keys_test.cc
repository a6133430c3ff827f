#include "common/auth/keys.h"

#include <set>

#include "common/status/errors.h"
#include "common/util/crypto.h"
#include "common/util/page_token.h"
#include "gtest/gtest.h"

namespace kaizen::auth {
namespace keys_test {

constexpr char kSecretA[] = "internal-secret-A-0123456789";
constexpr char kSecretB[] = "internal-secret-B-0123456789";

TEST(KeysTest, EveryPurposeHasItsOwnKey) {
  std::set<std::string> keys;
  for (KeyPurpose p : {KeyPurpose::kPrincipalForwarding, KeyPurpose::kPageTokens,
                       KeyPurpose::kApplicantLinks, KeyPurpose::kClaimLinks,
                       KeyPurpose::kCalendarFeeds}) {
    const std::string key = DeriveKey(kSecretA, p);
    EXPECT_EQ(key.size(), 32u);
    EXPECT_NE(key, kSecretA);
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), 5u);
  EXPECT_EQ(PurposeInfo(KeyPurpose::kPrincipalForwarding), "kaizen/v1/principal-forwarding");
  EXPECT_EQ(PurposeInfo(KeyPurpose::kClaimLinks), "kaizen/v1/claim-links");
  EXPECT_EQ(PurposeInfo(KeyPurpose::kCalendarFeeds), "kaizen/v1/calendar-feeds");
  EXPECT_EQ(DeriveServiceKeys({kSecretA}).calendar_feeds.current(),
            DeriveKey(kSecretA, KeyPurpose::kCalendarFeeds));
}

TEST(KeysTest, DerivationIsHkdfWithThePurposeAsInfo) {
  EXPECT_EQ(DeriveKey(kSecretA, KeyPurpose::kPageTokens),
            crypto::HkdfSha256(kSecretA, "", "kaizen/v1/page-tokens", 32));
}

TEST(KeysTest, ApplicantLinksKeepTheirEarlierDerivation) {
  // Tokens handed out before per-purpose keys must keep working.
  EXPECT_EQ(DeriveKey(kSecretA, KeyPurpose::kApplicantLinks),
            crypto::HmacSha256(kSecretA, "enrollment-access-tokens"));
}

TEST(KeysTest, RingSignsWithTheFirstAndAcceptsAll) {
  KeyRing ring = KeyRing::Derive({kSecretB, kSecretA}, KeyPurpose::kPrincipalForwarding);
  ASSERT_EQ(ring.all().size(), 2u);
  EXPECT_EQ(ring.current(), DeriveKey(kSecretB, KeyPurpose::kPrincipalForwarding));
  EXPECT_EQ(ring.all()[1], DeriveKey(kSecretA, KeyPurpose::kPrincipalForwarding));
}

// Page tokens (and applicant links) made under secret A keep working when
// only the principal-forwarding keys rotate, because each purpose has its
// own key: the operator gives the principal purpose its own file and leaves
// the internal secret alone.
TEST(KeysTest, RotatingOnlyThePrincipalKeyKeepsPageTokensAndLinks) {
  const ServiceKeys before = DeriveServiceKeys({kSecretA});
  ServiceKeys after = DeriveServiceKeys({kSecretA});
  after.principal_forwarding =
      KeyRing::Derive({kSecretB, kSecretA}, KeyPurpose::kPrincipalForwarding);
  EXPECT_NE(after.principal_forwarding.current(), before.principal_forwarding.current());

  PageTokenCodec old_codec(before.page_tokens.current());
  const std::string token = old_codec.Encode("cohorts/x|filter", "position-7");
  PageTokenCodec new_codec(after.page_tokens.current());
  auto position = new_codec.Decode("cohorts/x|filter", token);
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(*position, "position-7");
  EXPECT_EQ(after.applicant_links.current(), before.applicant_links.current());
  EXPECT_EQ(after.claim_links.current(), before.claim_links.current());
}

TEST(KeysTest, ParseSecretListTakesCurrentThenPrevious) {
  auto secrets = ParseSecretList(
      "# rotated 2024-04\n  internal-secret-B-0123456789  \n\ninternal-secret-A-0123456789\n",
      "internal_secret_file");
  ASSERT_TRUE(secrets.ok()) << secrets.status();
  EXPECT_EQ(*secrets, (std::vector<std::string>{kSecretB, kSecretA}));
}

TEST(KeysTest, ParseSecretListRefusesBadFilesWithoutEchoingSecrets) {
  for (const char* bad : {"", "\n# only a comment\n", "short\n",
                          "internal-secret-A-0123456789\ninternal-secret-A-0123456789\n"}) {
    auto secrets = ParseSecretList(bad, "principal_key_file");
    ASSERT_FALSE(secrets.ok()) << bad;
    EXPECT_EQ(secrets.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(errors::Reason(secrets.status()), "INVALID_FLAG");
    auto info = errors::GetErrorInfo(secrets.status());
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->metadata().at("field"), "principal_key_file");
    EXPECT_EQ(std::string(secrets.status().message()).find("internal-secret"), std::string::npos);
  }
  std::string many;
  for (int i = 0; i < 9; ++i) many += "internal-secret-number-" + std::to_string(i) + "\n";
  EXPECT_FALSE(ParseSecretList(many, "f").ok());
}

}  // namespace
}  // namespace kaizen::auth
