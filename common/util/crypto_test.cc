#include "common/util/crypto.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace kaizen::crypto {
namespace {

std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// RFC 5869, Appendix A.1 (basic test case with SHA-256).
TEST(HkdfSha256Test, Rfc5869TestCase1) {
  const std::string okm =
      HkdfSha256(std::string(22, '\x0b'), Unhex("000102030405060708090a0b0c"),
                 Unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  EXPECT_EQ(Hex(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
            "34007208d5b887185865");
}

// RFC 5869, Appendix A.2 (longer inputs and outputs).
TEST(HkdfSha256Test, Rfc5869TestCase2) {
  std::string ikm, salt, info;
  for (int i = 0x00; i <= 0x4f; ++i) ikm.push_back(static_cast<char>(i));
  for (int i = 0x60; i <= 0xaf; ++i) salt.push_back(static_cast<char>(i));
  for (int i = 0xb0; i <= 0xff; ++i) info.push_back(static_cast<char>(i));
  EXPECT_EQ(Hex(HkdfSha256(ikm, salt, info, 82)),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
            "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

// RFC 5869, Appendix A.3 (zero-length salt and info).
TEST(HkdfSha256Test, Rfc5869TestCase3EmptySaltAndInfo) {
  EXPECT_EQ(Hex(HkdfSha256(std::string(22, '\x0b'), "", "", 42)),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
            "9d201395faa4b61a96c8");
}

TEST(HkdfSha256Test, InfoSeparatesKeys) {
  const std::string secret = "one-secret-0123456789abcdef";
  EXPECT_NE(HkdfSha256(secret, "", "kaizen/v1/a", 32), HkdfSha256(secret, "", "kaizen/v1/b", 32));
  EXPECT_EQ(HkdfSha256(secret, "", "kaizen/v1/a", 32), HkdfSha256(secret, "", "kaizen/v1/a", 32));
}

// RFC 4231, test case 2.
TEST(HmacSha256Test, Rfc4231TestCase2) {
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(ConstantTimeEqualsTest, ComparesLengthAndContent) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace kaizen::crypto
