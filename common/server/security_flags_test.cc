// The security flags as an operator sets them: secret files with current and
// previous secrets, per-purpose overrides, lifetime and TLS files.
#include "common/server/security_flags.h"

#include <cstdlib>
#include <fstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "common/auth/keys.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"

ABSL_DECLARE_FLAG(std::string, internal_secret_file);
ABSL_DECLARE_FLAG(std::string, principal_key_file);
ABSL_DECLARE_FLAG(std::string, applicant_link_key_file);
ABSL_DECLARE_FLAG(std::string, page_token_key);
ABSL_DECLARE_FLAG(std::string, principal_lifetime_seconds);
ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(std::string, tls_key_file);
ABSL_DECLARE_FLAG(std::string, backend_tls_ca_file);

namespace kaizen::server::internal {
namespace security_flags_test {

using auth::DeriveKey;
using auth::KeyPurpose;

constexpr char kSecretA[] = "internal-secret-A-0123456789";
constexpr char kSecretB[] = "internal-secret-B-0123456789";

class SecurityFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* env : {"KAIZEN_INTERNAL_SECRET", "KAIZEN_INTERNAL_SECRET_FILE",
                            "KAIZEN_PRINCIPAL_KEY_FILE", "KAIZEN_APPLICANT_LINK_KEY_FILE",
                            "KAIZEN_PAGE_TOKEN_KEY", "KAIZEN_PRINCIPAL_LIFETIME_SECONDS",
                            "KAIZEN_TLS_CERT_FILE", "KAIZEN_TLS_KEY_FILE",
                            "KAIZEN_TLS_CLIENT_CA_FILE", "KAIZEN_BACKEND_TLS_CA_FILE",
                            "KAIZEN_BACKEND_TLS_CERT_FILE", "KAIZEN_BACKEND_TLS_KEY_FILE"}) {
      unsetenv(env);
    }
    for (auto* flag : {&FLAGS_internal_secret_file, &FLAGS_principal_key_file,
                       &FLAGS_applicant_link_key_file, &FLAGS_page_token_key,
                       &FLAGS_principal_lifetime_seconds, &FLAGS_tls_cert_file, &FLAGS_tls_key_file,
                       &FLAGS_backend_tls_ca_file}) {
      absl::SetFlag(flag, "");
    }
  }
  // The environment and the flags are the process's: the package's other tests
  // (one binary) must not inherit what a test here set.
  void TearDown() override { SetUp(); }

  std::string File(const std::string& name, const std::string& contents) {
    const char* dir = std::getenv("TEST_TMPDIR");
    const std::string path = std::string(dir == nullptr ? "/tmp" : dir) + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  absl::StatusOr<ServerOptions> Read() {
    ServerOptions o;
    absl::Status s = ReadSecurityFlags(&o);
    if (!s.ok()) return s;
    return o;
  }

  static std::string Field(const absl::Status& s) {
    auto info = errors::GetErrorInfo(s);
    return info.has_value() && info->metadata().count("field") ? info->metadata().at("field")
                                                                : "";
  }
};

TEST_F(SecurityFlagsTest, SecretFileGivesCurrentAndPreviousKeysPerPurpose) {
  absl::SetFlag(&FLAGS_internal_secret_file,
                File("secret", std::string(kSecretB) + "\n" + kSecretA + "\n"));
  auto o = Read();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->internal_secret, kSecretB);
  ASSERT_EQ(o->keys.principal_forwarding.all().size(), 2u);
  EXPECT_EQ(o->keys.principal_forwarding.current(),
            DeriveKey(kSecretB, KeyPurpose::kPrincipalForwarding));
  EXPECT_EQ(o->keys.principal_forwarding.all()[1],
            DeriveKey(kSecretA, KeyPurpose::kPrincipalForwarding));
  EXPECT_EQ(o->page_token_key, DeriveKey(kSecretB, KeyPurpose::kPageTokens));
  EXPECT_EQ(o->keys.applicant_links.current(), DeriveKey(kSecretB, KeyPurpose::kApplicantLinks));
  EXPECT_EQ(o->principal_lifetime, absl::Seconds(60));
  EXPECT_FALSE(o->tls.enabled());
  EXPECT_FALSE(o->backend_tls.enabled());
}

TEST_F(SecurityFlagsTest, EnvironmentValueStillWorks) {
  setenv("KAIZEN_INTERNAL_SECRET", kSecretA, 1);
  auto o = Read();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->internal_secret, kSecretA);
  EXPECT_EQ(o->keys.principal_forwarding.all().size(), 1u);
}

// Rotating only the principal key (its own file, new secret first, the
// internal one kept as previous) leaves page tokens and applicant links
// exactly as they were.
TEST_F(SecurityFlagsTest, PrincipalKeyFileRotatesPrincipalsAlone) {
  absl::SetFlag(&FLAGS_internal_secret_file, File("secret", kSecretA));
  auto before = Read();
  ASSERT_TRUE(before.ok()) << before.status();
  absl::SetFlag(&FLAGS_principal_key_file,
                File("principal", std::string(kSecretB) + "\n" + kSecretA + "\n"));
  auto after = Read();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->keys.principal_forwarding.current(),
            DeriveKey(kSecretB, KeyPurpose::kPrincipalForwarding));
  EXPECT_EQ(after->keys.principal_forwarding.all()[1], before->keys.principal_forwarding.current());
  EXPECT_EQ(after->page_token_key, before->page_token_key);
  EXPECT_EQ(after->keys.applicant_links.current(), before->keys.applicant_links.current());
  EXPECT_EQ(after->keys.claim_links.current(), before->keys.claim_links.current());
}

// Rotating the internal secret with applicant links pinned to the old one.
TEST_F(SecurityFlagsTest, ApplicantLinkFilePinsLinksAcrossAnInternalRotation) {
  absl::SetFlag(&FLAGS_internal_secret_file, File("secret", kSecretA));
  auto before = Read();
  ASSERT_TRUE(before.ok());
  absl::SetFlag(&FLAGS_internal_secret_file,
                File("secret2", std::string(kSecretB) + "\n" + kSecretA + "\n"));
  absl::SetFlag(&FLAGS_applicant_link_key_file, File("links", kSecretA));
  auto after = Read();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->keys.applicant_links.current(), before->keys.applicant_links.current());
  EXPECT_NE(after->page_token_key, before->page_token_key);
}

TEST_F(SecurityFlagsTest, LegacyPageTokenKeyIsUsedAsIs) {
  setenv("KAIZEN_INTERNAL_SECRET", kSecretA, 1);
  absl::SetFlag(&FLAGS_page_token_key, "legacy-page-token-key-0123");
  auto o = Read();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->page_token_key, "legacy-page-token-key-0123");
  absl::SetFlag(&FLAGS_page_token_key, "short");
  EXPECT_EQ(Field(Read().status()), "page_token_key");
}

TEST_F(SecurityFlagsTest, BadValuesNameTheirFlag) {
  EXPECT_EQ(Field(Read().status()), "internal_secret_file");  // no secret at all
  absl::SetFlag(&FLAGS_internal_secret_file, File("missing-dir/none", ""));
  EXPECT_EQ(Field(Read().status()), "internal_secret_file");
  absl::SetFlag(&FLAGS_internal_secret_file, File("short", "too-short\n"));
  EXPECT_EQ(Field(Read().status()), "internal_secret_file");

  absl::SetFlag(&FLAGS_internal_secret_file, File("secret", kSecretA));
  absl::SetFlag(&FLAGS_principal_key_file, File("empty", "# nothing yet\n"));
  EXPECT_EQ(Field(Read().status()), "principal_key_file");
  absl::SetFlag(&FLAGS_principal_key_file, "");

  for (const char* bad : {"0", "301", "ten"}) {
    absl::SetFlag(&FLAGS_principal_lifetime_seconds, bad);
    auto o = Read();
    EXPECT_EQ(errors::Reason(o.status()), "INVALID_FLAG") << bad;
    EXPECT_EQ(Field(o.status()), "principal_lifetime_seconds") << bad;
  }
  absl::SetFlag(&FLAGS_principal_lifetime_seconds, "15");
  auto o = Read();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->principal_lifetime, absl::Seconds(15));

  absl::SetFlag(&FLAGS_tls_cert_file, "common/auth/testdata/server.pem");
  EXPECT_EQ(Field(Read().status()), "tls_key_file");
  absl::SetFlag(&FLAGS_tls_key_file, "common/auth/testdata/server.key");
  o = Read();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->tls.enabled());
  absl::SetFlag(&FLAGS_backend_tls_ca_file, "common/auth/testdata/ca.pem");
  o = Read();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->backend_tls.enabled());
}

TEST_F(SecurityFlagsTest, MessagesNeverContainSecrets) {
  absl::SetFlag(&FLAGS_internal_secret_file,
                File("dup", std::string(kSecretA) + "\n" + kSecretA + "\n"));
  auto o = Read();
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(std::string(o.status().message()).find("internal-secret"), std::string::npos);
}

}  // namespace
}  // namespace kaizen::server::internal
