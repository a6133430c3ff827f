#include "common/util/ids.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "common/util/crypto.h"

namespace kaizen {

std::string NewId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  const std::string bytes = crypto::RandomBytes(10);  // 80 bits = 16 x 5 bits
  std::string out;
  out.reserve(16);
  uint64_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(acc >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  // Ids start with a letter: map a leading digit onto a letter.
  if (!absl::ascii_isalpha(out[0])) out[0] = 'a' + (out[0] - '2');
  return out;
}

bool IsValidResourceId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  if (!absl::ascii_islower(id.front()) || id.back() == '-') return false;
  for (char c : id) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) {
      return false;
    }
  }
  return true;
}

std::string NewSecretToken() {
  return absl::WebSafeBase64Escape(crypto::RandomBytes(32));
}

std::string SecretDigest(absl::string_view token) {
  return crypto::Hex(crypto::Sha256(token));
}

}  // namespace kaizen
