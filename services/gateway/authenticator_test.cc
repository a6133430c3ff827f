#include "services/gateway/authenticator.h"

#include <string>

#include "common/status/errors.h"
#include "common/util/crypto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gateway/api_keys.h"

namespace kaizen::gateway {
namespace authenticator_test {

constexpr char kSecret[] = "authenticator-test-secret-0123456789";
constexpr char kKeyA[] = "key-for-matsusaka-0123456789abcdef";
constexpr char kKeyB[] = "key-for-sapporo-0123456789abcdef";

std::string Line(const std::string& id, const std::string& key, const std::string& town) {
  return id + " " + crypto::Hex(crypto::Sha256(key)) + " " + town;
}

TEST(ApiKeyStoreTest, ParsesAndAuthenticates) {
  auto store = ApiKeyStore::Parse("# partner keys\n\n" + Line("matsusaka", kKeyA, "242047") +
                                  "\n  " + Line("sapporo", kKeyB, "011002") + "  \n");
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(store->size(), 2u);
  auto a = store->Authenticate(kKeyA);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->subject(), "partner:matsusaka");
  ASSERT_EQ(a->roles_size(), 1);
  EXPECT_EQ(a->roles(0), kaizen::type::ROLE_PARTNER_HR);
  EXPECT_EQ(a->municipality_code(), "242047");
  EXPECT_EQ(store->Authenticate(kKeyB)->municipality_code(), "011002");
  auto bad = store->Authenticate("guess");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::Reason(bad.status()), "API_KEY_INVALID");
  EXPECT_FALSE(store->Authenticate("").ok());
}

TEST(ApiKeyStoreTest, UppercaseHexIsAccepted) {
  std::string hex = crypto::Hex(crypto::Sha256(kKeyA));
  for (char& c : hex) c = static_cast<char>(std::toupper(c));
  auto store = ApiKeyStore::Parse("a " + hex + " 242047");
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(store->Authenticate(kKeyA).ok());
}

TEST(ApiKeyStoreTest, BadLinesNameTheLineNotTheContent) {
  const std::string digest = crypto::Hex(crypto::Sha256(kKeyA));
  for (const std::string& bad :
       {"a " + digest, "a " + digest + " 24204", std::string("a nothex 242047"), "a b" + digest + " 242047",
        "bad/id " + digest + " 242047", "a " + digest + " 242047\na " + digest + " 131016"}) {
    auto store = ApiKeyStore::Parse("# header\n" + bad);
    ASSERT_FALSE(store.ok()) << bad;
    EXPECT_EQ(errors::Reason(store.status()), "INVALID_FLAG");
    EXPECT_EQ(store.status().message().find(digest), absl::string_view::npos);
    EXPECT_NE(store.status().message().find("line "), absl::string_view::npos);
  }
}

// A key is bound to an employer: a ward of a designated city, a prefecture or
// a code the national master lacks would match no participant's code.
TEST(ApiKeyStoreTest, MunicipalityMustBeAnEmployerInTheMaster) {
  const std::string digest = crypto::Hex(crypto::Sha256(kKeyA));
  struct Case {
    const char* code;
    const char* says;
  };
  for (const Case& c : {Case{"011011", "use its city's code 011002 (札幌市)"},
                        Case{"010006", "is not a municipality"},
                        Case{"013005", "not in Japan's local government code master"},
                        Case{"242048", "not in Japan's local government code master"}}) {
    auto store = ApiKeyStore::Parse("a " + digest + " " + c.code);
    ASSERT_FALSE(store.ok()) << c.code;
    EXPECT_EQ(errors::Reason(store.status()), "INVALID_FLAG");
    EXPECT_THAT(std::string(store.status().message()), ::testing::HasSubstr(c.says));
  }
  EXPECT_TRUE(ApiKeyStore::Parse("a " + digest + " 131016").ok());  // 千代田区: a municipality
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JwtConfig config;
    config.hs256_secret = kSecret;
    jwt_ = std::move(*JwtVerifier::Create(config, &clock_));
    keys_ = *ApiKeyStore::Parse(Line("matsusaka", kKeyA, "242047"));
  }
  std::string Token(const std::string& sub) {
    JwtClaims c;
    c.subject = sub;
    c.roles = {"participant"};
    c.issued_at = clock_.Now();
    c.expires_at = clock_.Now() + absl::Hours(1);
    return "Bearer " + MintHs256Jwt(kSecret, c);
  }

  FakeClock clock_;
  std::unique_ptr<JwtVerifier> jwt_;
  ApiKeyStore keys_;
};

TEST_F(AuthenticatorTest, NoCredentialOnlyWhereAnonymousIsAllowed) {
  Authenticator auth(jwt_.get(), &keys_);
  auto p = auth.Authenticate({}, /*allow_anonymous=*/false);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::Reason(p.status()), "TOKEN_MISSING");
  p = auth.Authenticate({}, true);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->subject().empty());
  EXPECT_EQ(p->roles_size(), 0);
  // The applicant's token rides along, but is no credential by itself.
  p = auth.Authenticate({"", "", "tok_EN-1"}, true);
  EXPECT_EQ(p->access_token(), "tok_EN-1");
  EXPECT_EQ(errors::Reason(auth.Authenticate({"", "", "tok_EN-1"}, false).status()),
            "TOKEN_MISSING");
  EXPECT_EQ(errors::Reason(auth.Authenticate({"", "", "bad token!"}, true).status()),
            "TOKEN_INVALID");
}

TEST_F(AuthenticatorTest, InvalidCredentialsAreRefusedEvenWhereAnonymousIsAllowed) {
  Authenticator auth(jwt_.get(), &keys_);
  for (bool anonymous : {false, true}) {
    EXPECT_EQ(errors::Reason(auth.Authenticate({"Bearer x.y.z"}, anonymous).status()),
              "TOKEN_INVALID");
    EXPECT_EQ(errors::Reason(auth.Authenticate({"Basic dXNlcjpwYXNz"}, anonymous).status()),
              "TOKEN_INVALID");
    EXPECT_EQ(errors::Reason(auth.Authenticate({"", "nope"}, anonymous).status()),
              "API_KEY_INVALID");
    const std::string token = Token("u");
    EXPECT_EQ(errors::Reason(auth.Authenticate({token, kKeyA}, anonymous).status()),
              "MULTIPLE_CREDENTIALS");
  }
}

TEST_F(AuthenticatorTest, UsersAndPartners) {
  Authenticator auth(jwt_.get(), &keys_);
  const std::string token = Token("alice");
  auto p = auth.Authenticate({token, "", "app-token"}, false);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject(), "alice");
  EXPECT_EQ(p->access_token(), "app-token");
  p = auth.Authenticate({"bearer   " + token.substr(7)}, false);  // case, spaces
  EXPECT_TRUE(p.ok()) << p.status();
  p = auth.Authenticate({"", kKeyA, "app-token"}, false);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->subject(), "partner:matsusaka");
  EXPECT_TRUE(p->access_token().empty());  // partners never carry one
  // No JWT keys configured: bearer tokens are refused.
  Authenticator keys_only(nullptr, &keys_);
  EXPECT_EQ(errors::Reason(keys_only.Authenticate({token}, true).status()), "TOKEN_INVALID");
}

}  // namespace
}  // namespace kaizen::gateway
