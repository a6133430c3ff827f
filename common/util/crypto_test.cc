#include "common/util/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace kaizen::crypto {
namespace crypto_test {

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

// RFC 4231, test cases 1 (20-byte key), 6 and 7 (131-byte keys: hashed
// first, the second with a message longer than a block).
TEST(HmacSha256Test, Rfc4231KeysShorterAndLongerThanABlock) {
  EXPECT_EQ(Hex(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(Hex(HmacSha256(std::string(131, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(
      Hex(HmacSha256(std::string(131, '\xaa'),
                     "This is a test using a larger than block-size key and a larger than "
                     "block-size data. The key needs to be hashed before being used by the "
                     "HMAC algorithm.")),
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// Every key length around the block size and empty inputs agree with
// OpenSSL's own HMAC.
TEST(HmacSha256Test, AgreesWithOpenSslForEveryKeyLength) {
  for (size_t n : {0, 1, 31, 32, 63, 64, 65, 127, 128, 200}) {
    std::string key(n, '\0');
    for (size_t i = 0; i < n; ++i) key[i] = static_cast<char>(i * 7 + 1);
    for (const std::string& data : {std::string(), std::string("改善"), std::string(300, 'x')}) {
      unsigned char mac[EVP_MAX_MD_SIZE];
      unsigned int len = 0;
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
      EXPECT_EQ(HmacSha256(key, data), std::string(reinterpret_cast<char*>(mac), len))
          << "key length " << n << ", data length " << data.size();
    }
  }
}

// A default-constructed view (no pointer at all) is the empty key; the
// fuzz build's UBSan stops on a memcpy from null.
TEST(HmacSha256Test, EmptyViewWithoutPointerIsTheEmptyKey) {
  EXPECT_EQ(HmacSha256(absl::string_view(), "x"), HmacSha256(std::string(), "x"));
  EXPECT_EQ(HmacSha256(absl::string_view(), absl::string_view()).size(), 32u);
}

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ConstantTimeEqualsTest, ComparesLengthAndContent) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace kaizen::crypto
