// API-key files, presented keys and the credential headers of one request
// (services/gateway/{api_keys,authenticator}.h).
//
// Input: Byte(mode) Piece(key file) Piece(key) Piece(Authorization)
//        Piece(X-Kaizen-Application-Token) Byte(allow_anonymous)
//   mode odd: a line "<Piece key_id> <sha256(key)> <Piece municipality>" is
//   appended to the file; when it parses as one more entry, the key is known.
// Properties: a key is accepted only as a partner principal bound to a 6-digit
// municipality; a file that lists a key's digest accepts that key; credentials
// either give a principal or UNAUTHENTICATED.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/util/crypto.h"
#include "services/gateway/api_keys.h"
#include "services/gateway/authenticator.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using kaizen::fuzz::Input;
using kaizen::fuzz::InputWriter;
using kaizen::gateway::ApiKeyStore;

void CheckPartner(const kaizen::type::Principal& p) {
  KAIZEN_FUZZ_CHECK(absl::StartsWith(p.subject(), "partner:"), "a key gives a partner subject");
  KAIZEN_FUZZ_CHECK(p.roles_size() == 1 && p.roles(0) == kaizen::type::ROLE_PARTNER_HR,
                    "a key grants exactly partner_hr");
  KAIZEN_FUZZ_CHECK(p.municipality_code().size() == 6, "a key is bound to a municipality");
  for (char c : p.municipality_code()) {
    KAIZEN_FUZZ_CHECK(absl::ascii_isdigit(c), "municipality codes are digits");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const bool append_key = in.Byte() % 2 == 1;
  std::string file = in.Piece(8192);
  const std::string key = in.Piece(1024);
  const std::string authorization = in.Piece(2048);
  const std::string app_token = in.Piece(512);
  const bool allow_anonymous = in.Byte() % 2 == 1;
  size_t listed_before = 0;
  if (append_key) {
    auto before = ApiKeyStore::Parse(file);
    listed_before = before.ok() ? before->size() : 0;
    const std::string key_id = in.Piece(80);
    const std::string municipality = in.Piece(8);
    absl::StrAppend(&file, "\n", key_id, " ", absl::BytesToHexString(kaizen::crypto::Sha256(key)),
                    " ", municipality, "\n");
  }

  auto store = ApiKeyStore::Parse(file);
  if (!store.ok()) {
    KAIZEN_FUZZ_CHECK(store.status().code() == absl::StatusCode::kInvalidArgument,
                      store.status().ToString());
    store = ApiKeyStore();
  } else if (append_key && store->size() == listed_before + 1 && !key.empty() &&
             key.size() <= 512) {
    // The appended line was taken as an entry (not, say, a comment: a key_id
    // may start with '#'), so the store knows this key.
    auto p = store->Authenticate(key);
    KAIZEN_FUZZ_CHECK(p.ok(), "a listed key is accepted");
  }

  auto by_key = store->Authenticate(key);
  if (by_key.ok()) CheckPartner(*by_key);

  kaizen::gateway::Authenticator authenticator(/*jwt=*/nullptr, &*store);
  kaizen::gateway::Credentials credentials;
  credentials.authorization = authorization;
  credentials.api_key = key;
  credentials.application_token = app_token;
  auto principal = authenticator.Authenticate(credentials, allow_anonymous);
  if (!principal.ok()) {
    KAIZEN_FUZZ_CHECK(principal.status().code() == absl::StatusCode::kUnauthenticated,
                      principal.status().ToString());
  } else if (!principal->subject().empty()) {
    CheckPartner(*principal);  // no JWT verifier: only keys give a subject
    KAIZEN_FUZZ_CHECK(principal->access_token().empty(), "partners carry no applicant token");
  } else {
    KAIZEN_FUZZ_CHECK(allow_anonymous, "anonymous only where allowed");
  }
  return 0;
}

// From services/gateway/authenticator_test.cc and the key file format.
std::vector<std::string> KaizenFuzzSeeds() {
  const std::string file =
      "# key_id  sha256-hex-of-the-key  municipality\n"
      "matsusaka-hr 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 242047\n"
      "\n  tsu-hr\t" + absl::BytesToHexString(kaizen::crypto::Sha256("tsu-key")) + " 242012\n";
  std::vector<std::string> seeds = {
      InputWriter().Byte(0).Piece(file).Piece("password").Piece("").Piece("").Byte(0).str(),
      InputWriter().Byte(0).Piece(file).Piece("tsu-key").Piece("").Piece("tok").Byte(1).str(),
      InputWriter().Byte(0).Piece(file).Piece("").Piece("Bearer abc").Piece("").Byte(0).str(),
      InputWriter().Byte(0).Piece(file).Piece("x").Piece("Basic dXNlcg==").Piece("").Byte(1).str(),
      InputWriter().Byte(0).Piece("").Piece("").Piece("").Piece("applicant-token").Byte(1).str(),
      InputWriter().Byte(0).Piece("a b c\n").Piece("").Piece("").Piece("").Byte(0).str(),
      InputWriter().Byte(0).Piece("dup " + std::string(64, 'a') + " 242047\ndup " +
                                  std::string(64, 'b') + " 242047\n")
          .Piece("k").Piece("").Piece("").Byte(0).str(),
      InputWriter().Byte(1).Piece(file).Piece("new-key").Piece("").Piece("").Byte(0)
          .Piece("yokkaichi-hr").Piece("242021").str(),
      InputWriter().Byte(1).Piece("").Piece("k2").Piece("Bearer x").Piece("").Byte(1)
          .Piece("bad id!").Piece("24202").str(),
  };
  return seeds;
}
