// Bearer JWT verification (services/gateway/jwt.h) on hostile tokens.
//
// Input: Byte(mode) then
//   mode % 3 == 0  Rest(token): the raw Authorization value after "Bearer "
//   mode % 3 == 1  Piece(header JSON) Rest(payload JSON), signed here with the
//                  configured HS256 secret, so the claim checks behind the
//                  signature are reached too
//   mode % 3 == 2  Rest(bytes): base64url encode/decode
// Properties: a verified token has a subject, never a "partner:" subject and
// never a role only API keys or services hold; Base64UrlDecode inverts
// Base64UrlEncode.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/util/clock.h"
#include "common/util/crypto.h"
#include "services/gateway/jwt.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using kaizen::fuzz::Input;
using kaizen::fuzz::InputWriter;
using kaizen::gateway::Base64UrlDecode;
using kaizen::gateway::Base64UrlEncode;

constexpr char kSecret[] = "fuzz-hs256-secret-0123456789abcdef-xyz";
constexpr int64_t kNow = 1656633600;  // FakeClock's default start

const kaizen::gateway::JwtVerifier& Verifier() {
  static const kaizen::FakeClock* clock = new kaizen::FakeClock();
  static const kaizen::gateway::JwtVerifier* verifier = [] {
    kaizen::gateway::JwtConfig config;
    config.hs256_secret = kSecret;
    config.issuer = "https://login.kaizen.test";
    config.audience = "kaizen-api";
    config.cache_size = 0;  // every input is verified from scratch
    auto v = kaizen::gateway::JwtVerifier::Create(config, clock);
    KAIZEN_FUZZ_CHECK(v.ok(), "the verifier is configured");
    return v->release();
  }();
  return *verifier;
}

std::string Sign(const std::string& header, const std::string& payload) {
  const std::string input = absl::StrCat(Base64UrlEncode(header), ".", Base64UrlEncode(payload));
  return absl::StrCat(input, ".", Base64UrlEncode(kaizen::crypto::HmacSha256(kSecret, input)));
}

void CheckVerified(const std::string& token) {
  auto principal = Verifier().Verify(token);
  if (!principal.ok()) {
    KAIZEN_FUZZ_CHECK(principal.status().code() == absl::StatusCode::kUnauthenticated,
                      principal.status().ToString());
    return;
  }
  KAIZEN_FUZZ_CHECK(!principal->subject().empty(), "a verified token has a subject");
  KAIZEN_FUZZ_CHECK(!absl::StartsWith(principal->subject(), "partner:"),
                    "partner: subjects are reserved for API keys");
  for (int role : principal->roles()) {
    KAIZEN_FUZZ_CHECK(role != kaizen::type::ROLE_PARTNER_HR && role != kaizen::type::ROLE_SERVICE,
                      "a JWT never grants partner_hr or service");
  }
  KAIZEN_FUZZ_CHECK(principal->municipality_code().empty(), "only API keys bind a municipality");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)Verifier();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  switch (in.Byte() % 3) {
    case 0:
      CheckVerified(in.Rest());
      break;
    case 1: {
      const std::string header = in.Piece(1024);
      CheckVerified(Sign(header, in.Rest()));
      break;
    }
    case 2: {
      const std::string bytes = in.Rest();
      const auto back = Base64UrlDecode(Base64UrlEncode(bytes));
      KAIZEN_FUZZ_CHECK(back.has_value() && *back == bytes, "decode(encode(x)) == x");
      (void)Base64UrlDecode(bytes);
      break;
    }
  }
  return 0;
}

// From services/gateway/jwt_test.cc.
std::vector<std::string> KaizenFuzzSeeds() {
  const std::string exp = absl::StrCat(kNow + 1800);
  const std::string iss_aud = R"("iss":"https://login.kaizen.test","aud":"kaizen-api")";
  const std::vector<std::pair<std::string, std::string>> signed_cases = {
      {R"({"alg":"HS256","typ":"JWT"})",
       absl::StrCat(R"({"sub":"user-123","roles":["secretariat","partner_hr","bogus"],"exp":)", exp,
                    ",", iss_aud, "}")},
      {R"({"alg":"HS256"})",
       absl::StrCat(R"({"sub":"u","iss":"https://login.kaizen.test","aud":["x","kaizen-api"],"exp":)",
                    exp, "}")},
      {R"({"alg":"none"})", absl::StrCat(R"({"sub":"u","exp":)", exp, ",", iss_aud, "}")},
      {R"({"alg":"HS256","crit":["x"]})", absl::StrCat(R"({"sub":"u","exp":)", exp, "}")},
      {R"({"alg":"HS256"})", absl::StrCat(R"({"exp":)", exp, ",", iss_aud, "}")},
      {R"({"alg":"HS256"})", absl::StrCat(R"({"sub":"","exp":)", exp, ",", iss_aud, "}")},
      {R"({"alg":"HS256"})", absl::StrCat(R"({"sub":"u","exp":"soon",)", iss_aud, "}")},
      {R"({"alg":"HS256"})", absl::StrCat(R"({"sub":"u","exp":1e300,)", iss_aud, "}")},
      {R"({"alg":"HS256"})", absl::StrCat(R"({"sub":"partner:x","exp":)", exp, ",", iss_aud, "}")},
      {R"({"alg":"HS256"})", absl::StrCat(R"({"sub":"u","exp":)", exp, R"(,"nbf":)",
                                          kNow + 5400, ",", iss_aud, "}")},
      {R"({"alg":"HS256"})", absl::StrCat(R"({"sub":"u","exp":)", kNow - 3600, ",", iss_aud, "}")},
      {R"({"alg":"HS256"})", R"({"sub":"u","sub":"v"})"},
      {R"({"alg":"RS256"})", absl::StrCat(R"({"sub":"u","exp":)", exp, ",", iss_aud, "}")},
  };
  std::vector<std::string> seeds;
  for (const auto& [header, payload] : signed_cases) {
    seeds.push_back(InputWriter().Byte(1).Piece(header).Rest(payload).str());
    seeds.push_back(InputWriter().Byte(0).Rest(Sign(header, payload)).str());
  }
  for (const char* raw : {"", "a.b", "a.b.c.d", "e30.e30.", "e30=.e30.x", "!!.??.~~",
                          "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"}) {
    seeds.push_back(InputWriter().Byte(0).Rest(raw).str());
    seeds.push_back(InputWriter().Byte(2).Rest(raw).str());
  }
  return seeds;
}
