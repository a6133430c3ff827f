#include "tools/bundle/signing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "openssl/x509.h"
#include "tools/bundle/bundle_errors.h"

namespace kaizen::bundle {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Loads a PEM key; `is_public` picks the reader.
absl::StatusOr<Pkey> LoadKey(const std::string& path, bool is_public) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return KeyInvalid(path, "cannot be read");
  Pkey key(is_public ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)
                     : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    return KeyInvalid(path, is_public ? "not a PEM public key" : "not a PEM private key");
  }
  if (EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) return KeyInvalid(path, "not an Ed25519 key");
  return key;
}

// Writes `pem` to a new file with `mode` (O_EXCL: never overwrites).
absl::Status WriteNew(const std::string& path, const std::string& pem, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) return OutputExists(path);
    return IoError(absl::StrCat("cannot create ", path));
  }
  (void)fchmod(fd, mode);  // whatever the umask
  bool ok = write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) &&
            fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok) return IoError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

std::string BioString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n);
}

}  // namespace

absl::Status GenerateKeyPair(const std::string& private_key_path,
                             const std::string& public_key_path) {
  if (access(private_key_path.c_str(), F_OK) == 0) return OutputExists(private_key_path);
  if (access(public_key_path.c_str(), F_OK) == 0) return OutputExists(public_key_path);
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return IoError("OpenSSL could not generate an Ed25519 key");
  std::unique_ptr<BIO, BioFree> priv(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioFree> pub(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(priv.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ||
      !PEM_write_bio_PUBKEY(pub.get(), key.get())) {
    return IoError("OpenSSL could not encode the key pair");
  }
  absl::Status s = WriteNew(private_key_path, BioString(priv.get()), 0600);
  if (!s.ok()) return s;
  s = WriteNew(public_key_path, BioString(pub.get()), 0644);
  if (!s.ok()) unlink(private_key_path.c_str());  // no half pair
  return s;
}

absl::StatusOr<std::string> PublicKeyPem(const std::string& private_key_path) {
  absl::StatusOr<Pkey> key = LoadKey(private_key_path, /*is_public=*/false);
  if (!key.ok()) return key.status();
  std::unique_ptr<BIO, BioFree> pub(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PUBKEY(pub.get(), key->get())) {
    return IoError("OpenSSL could not encode the public key");
  }
  return BioString(pub.get());
}

absl::StatusOr<std::string> Sign(const std::string& private_key_path, absl::string_view data) {
  absl::StatusOr<Pkey> key = LoadKey(private_key_path, /*is_public=*/false);
  if (!key.ok()) return key.status();
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  size_t sig_len = sizeof(sig);
  // Ed25519 is "pure": no digest, one-shot over the whole message.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &sig_len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return IoError("OpenSSL could not sign the manifest");
  }
  return absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(sig), sig_len));
}

absl::StatusOr<std::string> PublicKeyFingerprint(const std::string& public_key_path) {
  absl::StatusOr<Pkey> key = LoadKey(public_key_path, /*is_public=*/true);
  if (!key.ok()) return key.status();
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key->get(), &der);
  if (n <= 0) return IoError("OpenSSL could not encode the public key");
  unsigned char md[32];
  unsigned int md_len = 0;
  bool ok = EVP_Digest(der, n, md, &md_len, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  if (!ok) return IoError("OpenSSL could not hash the public key");
  static const char* kDigits = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < md_len; ++i) {
    hex += kDigits[md[i] >> 4];
    hex += kDigits[md[i] & 15];
  }
  return hex;
}

bool IsReadableByOthers(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && (st.st_mode & 0077) != 0;
}

absl::Status VerifySignature(const std::string& public_key_path, absl::string_view data,
                             absl::string_view signature_base64) {
  absl::StatusOr<Pkey> key = LoadKey(public_key_path, /*is_public=*/true);
  if (!key.ok()) return key.status();
  std::string sig;
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(signature_base64), &sig) ||
      sig.size() != 64) {
    return SignatureInvalid("not a base64 Ed25519 signature (64 bytes)");
  }
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1) {
    return IoError("OpenSSL could not start verifying");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return SignatureInvalid("does not match manifest.json under the given public key");
  }
  return absl::OkStatus();
}

}  // namespace kaizen::bundle
