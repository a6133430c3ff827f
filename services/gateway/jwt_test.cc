#include "services/gateway/jwt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/util/crypto.h"
#include "gtest/gtest.h"

namespace kaizen::gateway {
namespace jwt_test {

constexpr char kSecret[] = "jwt-test-secret-0123456789abcdef-xyz";

// An RSA key pair made for the test: the public PEM and a signer.
class RsaKey {
 public:
  explicit RsaKey(int bits = 2048) : key_(EVP_RSA_gen(bits)) {}
  ~RsaKey() { EVP_PKEY_free(key_); }

  std::string PublicPem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key_);
    char* data;
    long n = BIO_get_mem_data(bio, &data);
    std::string pem(data, n);
    BIO_free(bio);
    return pem;
  }

  std::string Sign(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_);
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return sig;
  }

 private:
  EVP_PKEY* key_;
};

class JwtTest : public ::testing::Test {
 protected:
  JwtClaims Claims() {
    JwtClaims c;
    c.subject = "user-123";
    c.roles = {"secretariat", "participant", "partner_hr", "service", "wizard"};
    c.issuer = "https://login.kaizen.test";
    c.audience = "kaizen-api";
    c.issued_at = clock_.Now();
    c.expires_at = clock_.Now() + absl::Minutes(30);
    return c;
  }
  JwtConfig Config() {
    JwtConfig config;
    config.hs256_secret = kSecret;
    config.issuer = "https://login.kaizen.test";
    config.audience = "kaizen-api";
    return config;
  }
  std::unique_ptr<JwtVerifier> Verifier(JwtConfig config) {
    auto v = JwtVerifier::Create(std::move(config), &clock_);
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? std::move(*v) : nullptr;
  }
  // header.payload.signature with any header, payload and HS256 key.
  static std::string Hs256(const std::string& header, const std::string& payload,
                           const std::string& secret = kSecret) {
    const std::string input =
        absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload));
    return absl::StrCat(input, ".", Base64UrlEncode(crypto::HmacSha256(secret, input)));
  }

  FakeClock clock_;
};

TEST_F(JwtTest, ValidHs256TokenGivesSubjectAndKnownRoles) {
  auto verifier = Verifier(Config());
  auto p = verifier->Verify(MintHs256Jwt(kSecret, Claims()));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject(), "user-123");
  // Only roles a JWT may grant: partner_hr, service and unknown ones are dropped.
  ASSERT_EQ(p->roles_size(), 2);
  EXPECT_EQ(p->roles(0), kaizen::type::ROLE_SECRETARIAT);
  EXPECT_EQ(p->roles(1), kaizen::type::ROLE_PARTICIPANT);
  EXPECT_TRUE(p->municipality_code().empty());
}

TEST_F(JwtTest, ValidRs256Token) {
  RsaKey key;
  JwtConfig config = Config();
  config.hs256_secret.clear();
  config.rs256_public_key_pem = key.PublicPem();
  auto verifier = Verifier(config);
  const std::string input = absl::StrCat(Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})"), ".",
                                         Base64UrlEncode(JwtClaimsJson(Claims())));
  const std::string token = absl::StrCat(input, ".", Base64UrlEncode(key.Sign(input)));
  auto p = verifier->Verify(token);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject(), "user-123");
  // Another key's signature does not verify.
  RsaKey other;
  const std::string forged = absl::StrCat(input, ".", Base64UrlEncode(other.Sign(input)));
  EXPECT_EQ(errors::Reason(verifier->Verify(forged).status()), "TOKEN_INVALID");
}

TEST_F(JwtTest, ExpiredToken) {
  auto verifier = Verifier(Config());
  const std::string token = MintHs256Jwt(kSecret, Claims());
  clock_.Advance(absl::Minutes(30) + absl::Seconds(59));  // within the skew
  EXPECT_TRUE(verifier->Verify(token).ok());
  clock_.Advance(absl::Seconds(1));
  auto p = verifier->Verify(token);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::Reason(p.status()), "TOKEN_EXPIRED");
}

TEST_F(JwtTest, WrongSignatureAndTampering) {
  auto verifier = Verifier(Config());
  auto p = verifier->Verify(MintHs256Jwt("another-secret-0123456789abcdef-xyz", Claims()));
  EXPECT_EQ(errors::Reason(p.status()), "TOKEN_INVALID");
  EXPECT_EQ(p.status().message(), "the token is not valid: bad signature");
  // Changing the payload breaks the signature.
  std::string token = MintHs256Jwt(kSecret, Claims());
  JwtClaims admin = Claims();
  admin.subject = "admin";
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  token = absl::StrCat(token.substr(0, dot1 + 1), Base64UrlEncode(JwtClaimsJson(admin)),
                       token.substr(dot2));
  EXPECT_EQ(errors::Reason(verifier->Verify(token).status()), "TOKEN_INVALID");
}

TEST_F(JwtTest, WrongIssuerOrAudience) {
  auto verifier = Verifier(Config());
  JwtClaims c = Claims();
  c.issuer = "https://evil.example";
  EXPECT_EQ(verifier->Verify(MintHs256Jwt(kSecret, c)).status().message(),
            "the token is not valid: wrong issuer");
  c = Claims();
  c.audience = "another-api";
  EXPECT_EQ(verifier->Verify(MintHs256Jwt(kSecret, c)).status().message(),
            "the token is not valid: wrong audience");
  // aud may be an array containing ours.
  const std::string payload = absl::StrCat(
      R"({"sub":"u","iss":"https://login.kaizen.test","aud":["x","kaizen-api"],"exp":)",
      absl::ToUnixSeconds(clock_.Now()) + 60, "}");
  EXPECT_TRUE(verifier->Verify(Hs256(R"({"alg":"HS256"})", payload)).ok());
}

TEST_F(JwtTest, AlgNoneAndKeyConfusionAreRefused) {
  auto verifier = Verifier(Config());
  const std::string payload = JwtClaimsJson(Claims());
  const std::string none = absl::StrCat(Base64UrlEncode(R"({"alg":"none"})"), ".",
                                        Base64UrlEncode(payload), ".");
  EXPECT_EQ(errors::Reason(verifier->Verify(none).status()), "TOKEN_INVALID");
  const std::string none_sig = absl::StrCat(none, "AAAA");
  EXPECT_EQ(verifier->Verify(none_sig).status().message(),
            "the token is not valid: unsupported algorithm");
  // RS256-only gateway: an HS256 token signed with the public key as secret.
  RsaKey key;
  JwtConfig rs_only = Config();
  rs_only.hs256_secret.clear();
  rs_only.rs256_public_key_pem = key.PublicPem();
  auto rs = Verifier(rs_only);
  EXPECT_EQ(rs->Verify(Hs256(R"({"alg":"HS256"})", payload, key.PublicPem())).status().message(),
            "the token is not valid: unsupported algorithm");
  EXPECT_EQ(verifier->Verify(Hs256(R"({"alg":"HS256","crit":["x"]})", payload)).status().message(),
            "the token is not valid: unsupported header");
}

TEST_F(JwtTest, MalformedTokensAndClaims) {
  auto verifier = Verifier(Config());
  for (const std::string& bad :
       {std::string(""), std::string("a.b"), std::string("a.b.c.d"), std::string("..."),
        std::string("!!.@@.##"), MintHs256Jwt(kSecret, Claims()) + "=",
        std::string(9000, 'a')}) {
    EXPECT_EQ(errors::Reason(verifier->Verify(bad).status()), "TOKEN_INVALID") << bad;
  }
  const int64_t exp = absl::ToUnixSeconds(clock_.Now()) + 60;
  const std::string iss_aud = R"("iss":"https://login.kaizen.test","aud":"kaizen-api")";
  auto check = [&](const std::string& payload, const std::string& why) {
    EXPECT_EQ(verifier->Verify(Hs256(R"({"alg":"HS256"})", payload)).status().message(),
              "the token is not valid: " + why)
        << payload;
  };
  check(absl::StrCat(R"({"exp":)", exp, ",", iss_aud, "}"), "no subject");
  check(absl::StrCat(R"({"sub":"","exp":)", exp, ",", iss_aud, "}"), "no subject");
  check(absl::StrCat(R"({"sub":"u",)", iss_aud, "}"), "no expiry");
  check(absl::StrCat(R"({"sub":"u","exp":"soon",)", iss_aud, "}"), "no expiry");
  check(absl::StrCat(R"({"sub":"u","exp":1e300,)", iss_aud, "}"), "no expiry");
  check(absl::StrCat(R"({"sub":"partner:x","exp":)", exp, ",", iss_aud, "}"), "reserved subject");
  check(absl::StrCat(R"({"sub":"u","exp":)", exp, R"(,"nbf":)", exp + 3600, ",", iss_aud, "}"),
        "not valid yet");
  check(R"({"sub":"u","sub":"v"})", "malformed");  // duplicate keys
  check("not json", "malformed");
}

TEST_F(JwtTest, ConfigurationIsChecked) {
  JwtConfig short_secret;
  short_secret.hs256_secret = "short";
  EXPECT_FALSE(JwtVerifier::Create(short_secret, &clock_).ok());
  JwtConfig bad_pem;
  bad_pem.rs256_public_key_pem = "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n";
  EXPECT_FALSE(JwtVerifier::Create(bad_pem, &clock_).ok());
  RsaKey small(1024);
  JwtConfig weak;
  weak.rs256_public_key_pem = small.PublicPem();
  auto v = JwtVerifier::Create(weak, &clock_);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Verifier(JwtConfig())->enabled());
}

TEST_F(JwtTest, CachedTokensStillExpire) {
  auto verifier = Verifier(Config());
  const std::string token = MintHs256Jwt(kSecret, Claims());
  ASSERT_TRUE(verifier->Verify(token).ok());
  ASSERT_TRUE(verifier->Verify(token).ok());  // from the cache
  clock_.Advance(absl::Minutes(31) + absl::Seconds(1));
  EXPECT_EQ(errors::Reason(verifier->Verify(token).status()), "TOKEN_EXPIRED");
  // A failed verification is never cached as a success, nor a near miss.
  std::string forged = token;
  char& c = forged[forged.size() - 10];  // inside the signature, all bits count
  c = c == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifier->Verify(forged).ok());
  JwtConfig tiny = Config();
  tiny.cache_size = 1;
  auto small = Verifier(tiny);
  clock_.Advance(-absl::Minutes(31));
  JwtClaims other = Claims();  // issued now, not in the future
  other.subject = "user-456";
  EXPECT_EQ(small->Verify(MintHs256Jwt(kSecret, Claims()))->subject(), "user-123");
  EXPECT_EQ(small->Verify(MintHs256Jwt(kSecret, other))->subject(), "user-456");
  EXPECT_EQ(small->Verify(MintHs256Jwt(kSecret, Claims()))->subject(), "user-123");
}

TEST_F(JwtTest, Rs256NeedsIssuerAndAudienceToStart) {
  RsaKey key;
  JwtConfig config = Config();
  config.rs256_public_key_pem = key.PublicPem();
  config.issuer.clear();
  auto v = JwtVerifier::Create(config, &clock_);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::GetBadRequest(v.status())->field_violations(0).field(), "jwt_issuer");
  config = Config();
  config.rs256_public_key_pem = key.PublicPem();
  config.audience.clear();
  v = JwtVerifier::Create(config, &clock_);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::GetBadRequest(v.status())->field_violations(0).field(), "jwt_audience");
  // HS256 alone may still go without them (the secret is not shared).
  config = Config();
  config.issuer.clear();
  config.audience.clear();
  EXPECT_TRUE(JwtVerifier::Create(config, &clock_).ok());
  config.max_lifetime = absl::ZeroDuration();
  EXPECT_FALSE(JwtVerifier::Create(config, &clock_).ok());
}

// Flipping only the unused low bits of the last base64url character leaves
// the decoded signature unchanged: a second spelling of a valid token.
TEST_F(JwtTest, NonCanonicalBase64UrlIsRefused) {
  auto verifier = Verifier(Config());
  const std::string token = MintHs256Jwt(kSecret, Claims());
  ASSERT_TRUE(verifier->Verify(token).ok());
  // 32-byte HMAC -> 43 characters; the last carries 4 data bits + 2 zero bits.
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string twin = token;
  const size_t last = alphabet.find(twin.back());
  ASSERT_EQ(last % 4, 0u);
  twin.back() = alphabet[last + 1];
  EXPECT_EQ(verifier->Verify(twin).status().message(), "the token is not valid: malformed");
  // Padding, '+' and '/' (standard base64) are refused too.
  EXPECT_FALSE(verifier->Verify(token + "=").ok());
  std::string plus = token;
  plus[plus.rfind('.') + 1] = '+';
  EXPECT_FALSE(verifier->Verify(plus).ok());
  EXPECT_FALSE(Base64UrlDecode("QQ=").has_value());
  EXPECT_FALSE(Base64UrlDecode("QR").has_value());  // "A" with a non-zero trailing bit
  EXPECT_EQ(Base64UrlDecode("QQ").value(), "A");
  EXPECT_FALSE(Base64UrlDecode("QUJDR").has_value());  // length % 4 == 1
}

TEST_F(JwtTest, SubjectMustBeTextWithoutControlCharactersAndValidUtf8) {
  auto verifier = Verifier(Config());
  const int64_t exp = absl::ToUnixSeconds(clock_.Now()) + 60;
  const std::string rest =
      absl::StrCat(R"(,"exp":)", exp, R"(,"iss":"https://login.kaizen.test","aud":"kaizen-api"})");
  auto verify = [&](const std::string& sub_json) {
    return verifier->Verify(
        Hs256(R"({"alg":"HS256"})", absl::StrCat(R"({"sub":)", sub_json, rest)));
  };
  ASSERT_TRUE(verify(R"("山田-1")").ok());
  for (const std::string& sub :
       {std::string(R"("alice\u0000admin")"), std::string(R"("a\nb")"),
        std::string(R"("a\u001bb")"), std::string(R"("a\u007fb")"),
        std::string(R"("a\u0085b")")}) {
    EXPECT_EQ(verify(sub).status().message(), "the token is not valid: malformed subject")
        << sub;
  }
  for (const std::string& sub : {std::string("\"a\xFF" "b\""), std::string("\"a\xC0\xAF" "b\""),
                                 std::string(R"("a\udc00b")")}) {
    EXPECT_EQ(verify(sub).status().message(), "the token is not valid: malformed") << sub;
  }
}

TEST_F(JwtTest, LifetimeAboveTheMaximumIsRefused) {
  JwtConfig config = Config();
  config.max_lifetime = absl::Hours(24);
  auto verifier = Verifier(config);
  JwtClaims claims = Claims();
  claims.expires_at = claims.issued_at + absl::Hours(24);
  EXPECT_TRUE(verifier->Verify(MintHs256Jwt(kSecret, claims)).ok());
  claims.expires_at = claims.issued_at + absl::Hours(24) + absl::Seconds(1);
  EXPECT_EQ(verifier->Verify(MintHs256Jwt(kSecret, claims)).status().message(),
            "the token is not valid: lifetime too long");
  // Without iat: exp - now counts.
  const std::string iss_aud = R"("iss":"https://login.kaizen.test","aud":"kaizen-api")";
  const int64_t now = absl::ToUnixSeconds(clock_.Now());
  auto no_iat = [&](int64_t exp) {
    return verifier->Verify(Hs256(R"({"alg":"HS256"})",
                                  absl::StrCat(R"({"sub":"u","exp":)", exp, ",", iss_aud, "}")));
  };
  EXPECT_TRUE(no_iat(now + 3600).ok());
  EXPECT_EQ(no_iat(now + 30 * 86400).status().message(),
            "the token is not valid: lifetime too long");
  // An iat in the future cannot shorten the lifetime on paper.
  claims = Claims();
  claims.issued_at = clock_.Now() + absl::Hours(24 * 365);
  claims.expires_at = claims.issued_at + absl::Hours(1);
  EXPECT_FALSE(verifier->Verify(MintHs256Jwt(kSecret, claims)).ok());
}

TEST(Base64UrlTest, RoundTripWithoutPadding) {
  const std::string bytes("\xfb\xff\x00\x10 日本", 9);
  const std::string text = Base64UrlEncode(bytes);
  EXPECT_EQ(text.find('='), std::string::npos);
  EXPECT_EQ(Base64UrlDecode(text).value(), bytes);
  EXPECT_FALSE(Base64UrlDecode("ab+/").has_value());
}

}  // namespace
}  // namespace kaizen::gateway
