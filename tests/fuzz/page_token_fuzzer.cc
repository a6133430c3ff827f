// AIP-158 page tokens and change-feed cursors (common/util/page_token.h): one
// codec signs both, so one target covers both.
//
// Input: Piece(fingerprint) Piece(position) Byte(flip at) Byte(flip mask)
//        Rest(token from a client)
// Properties: Decode inverts Encode; a token never decodes for another query
// or another key; an altered token is refused or yields the same position
// (base64's unused low bits): no altered token ever yields another position;
// a client's token either decodes or is INVALID_ARGUMENT on page_token.
#include <cstdint>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "common/util/page_token.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using kaizen::fuzz::Input;
using kaizen::fuzz::InputWriter;

const kaizen::PageTokenCodec& Codec() {
  static const auto* codec = new kaizen::PageTokenCodec("fuzz-page-token-key-0123456789");
  return *codec;
}

const kaizen::PageTokenCodec& OtherKey() {
  static const auto* codec = new kaizen::PageTokenCodec("another-page-token-key-abcdefgh");
  return *codec;
}

void CheckRefused(const absl::StatusOr<std::string>& decoded) {
  KAIZEN_FUZZ_CHECK(!decoded.ok(), "a token from another query or key is refused");
  KAIZEN_FUZZ_CHECK(decoded.status().code() == absl::StatusCode::kInvalidArgument &&
                        kaizen::errors::Reason(decoded.status()) == "INVALID_PAGE_TOKEN",
                    decoded.status().ToString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const std::string fingerprint = in.Piece(256);
  const std::string position = in.Piece(1024);
  const uint8_t flip_at = in.Byte();
  const uint8_t flip_mask = in.Byte();
  const std::string client_token = in.Rest();

  const std::string token = Codec().Encode(fingerprint, position);
  auto decoded = Codec().Decode(fingerprint, token);
  KAIZEN_FUZZ_CHECK(decoded.ok() && *decoded == position, "decode(encode(p)) == p");
  CheckRefused(OtherKey().Decode(fingerprint, token));
  CheckRefused(Codec().Decode(fingerprint + "x", token));

  if (!token.empty() && flip_mask != 0) {
    std::string altered = token;
    altered[flip_at % altered.size()] ^= static_cast<char>(flip_mask);
    auto back = Codec().Decode(fingerprint, altered);
    if (back.ok()) {
      KAIZEN_FUZZ_CHECK(*back == position, "an altered token never yields another position");
    }
  }

  auto from_client = Codec().Decode(fingerprint, client_token);
  if (!from_client.ok()) {
    KAIZEN_FUZZ_CHECK(kaizen::errors::Reason(from_client.status()) == "INVALID_PAGE_TOKEN",
                      from_client.status().ToString());
  }
  (void)kaizen::EffectivePageSize(static_cast<int>(flip_at) - 128, 50, 500);
  return 0;
}

// From common/util/util_test.cc and the stores' positions ("<sort key>\x1f<id>").
std::vector<std::string> KaizenFuzzSeeds() {
  std::vector<std::string> seeds;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"cohorts/fy2022|state=OPEN", "2022-07-01T00:00:00Z\x1f" "abc"},
      {"", ""},
      {"parent=cohorts/fy2022", "42"},
      {"changes", std::string("\x00\xff\x1f", 3)},
  };
  for (const auto& [fingerprint, position] : cases) {
    seeds.push_back(InputWriter().Piece(fingerprint).Piece(position).Byte(3).Byte(1)
                        .Rest(Codec().Encode(fingerprint, position)).str());
  }
  seeds.push_back(InputWriter().Piece("q").Piece("p").Byte(0).Byte(0).Rest("not a token!").str());
  seeds.push_back(InputWriter().Piece("q").Piece("p").Byte(200).Byte(0x20).Rest("AAAA").str());
  return seeds;
}
