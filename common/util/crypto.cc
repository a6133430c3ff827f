#include "common/util/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "absl/strings/escaping.h"

namespace kaizen::crypto {

std::string RandomBytes(int n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), n) != 1) {
    std::abort();
  }
  return out;
}

namespace {

constexpr size_t kBlock = 64;   // SHA-256's block size
constexpr size_t kDigest = 32;  // and its output

// SHA-256, fetched once (OpenSSL 3's one-shot SHA256() and HMAC() look the
// algorithm up in the provider tables on every call: most of the cost of a
// short message), and one digest context per thread, reused.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return md;
}

struct ThreadDigest {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~ThreadDigest() { EVP_MD_CTX_free(ctx); }
};

// SHA-256 of the concatenation of `parts` into out[0..31].
void Digest(std::initializer_list<absl::string_view> parts, unsigned char* out) {
  thread_local ThreadDigest digest;
  unsigned int len = 0;
  bool ok = digest.ctx != nullptr && EVP_DigestInit_ex2(digest.ctx, Sha256Md(), nullptr) == 1;
  for (absl::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(digest.ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(digest.ctx, out, &len) == 1 && len == kDigest;
  if (!ok) std::abort();
}

absl::string_view View(const unsigned char* bytes, size_t n) {
  return absl::string_view(reinterpret_cast<const char*>(bytes), n);
}

}  // namespace

// HMAC (RFC 2104) over the cached SHA-256: H((K ^ opad) || H((K ^ ipad) || m)),
// K the key zero-padded to the block (hashed first when longer). The padded
// key is wiped from the stack before returning.
std::string HmacSha256(absl::string_view key, absl::string_view data) {
  unsigned char k[kBlock] = {0};
  if (key.size() > kBlock) {
    Digest({key}, k);
  } else if (!key.empty()) {  // an empty view may hold no pointer at all
    std::memcpy(k, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x36;
  unsigned char inner[kDigest];
  Digest({View(pad, kBlock), data}, inner);
  for (size_t i = 0; i < kBlock; ++i) pad[i] = k[i] ^ 0x5c;
  unsigned char mac[kDigest];
  Digest({View(pad, kBlock), View(inner, kDigest)}, mac);
  OPENSSL_cleanse(k, sizeof(k));
  OPENSSL_cleanse(pad, sizeof(pad));
  return std::string(reinterpret_cast<char*>(mac), kDigest);
}

std::string Sha256(absl::string_view data) {
  unsigned char digest[kDigest];
  Digest({data}, digest);
  return std::string(reinterpret_cast<char*>(digest), kDigest);
}

std::string HkdfSha256(absl::string_view ikm, absl::string_view salt,
                       absl::string_view info, size_t length) {
  if (length == 0 || length > 255 * 32) std::abort();
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf == nullptr ? nullptr : EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);  // the context keeps its own reference
  if (ctx == nullptr) std::abort();
  // OSSL_PARAM wants non-const pointers; OpenSSL only reads these.
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()), ikm.size());
  // Without a salt OpenSSL uses HashLen zeros, as RFC 5869 says; an empty
  // octet string would be refused on some versions, so it is left out.
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();
  std::string out(length, '\0');
  const int ok = EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()),
                                out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) std::abort();
  return out;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

}  // namespace kaizen::crypto
