#include "common/auth/principal.h"

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/util/clock.h"
#include "gtest/gtest.h"

namespace kaizen::auth {
namespace principal_test {

using kaizen::type::Principal;

constexpr char kSecret[] = "0123456789abcdef-secret";
constexpr char kGetCohort[] = "/kaizen.enrollment.v1.EnrollmentService/GetCohort";
constexpr char kDeleteCohort[] = "/kaizen.enrollment.v1.EnrollmentService/DeleteCohort";

Principal HrPrincipal() {
  Principal p;
  p.set_subject("key-1");
  p.add_roles(kaizen::type::ROLE_PARTNER_HR);
  p.set_municipality_code("242047");
  return p;
}

Principal Secretariat() {
  Principal p;
  p.set_subject("secretariat-1");
  p.add_roles(kaizen::type::ROLE_SECRETARIAT);
  return p;
}

PrincipalSigner SignerAt(const Clock* clock, std::vector<std::string> secrets = {kSecret}) {
  PrincipalSignerOptions options;
  options.clock = clock;
  return PrincipalSigner(KeyRing::Derive(secrets, KeyPurpose::kPrincipalForwarding), options);
}

std::string ReasonOf(const absl::StatusOr<Principal>& p) { return errors::Reason(p.status()); }

TEST(PrincipalSignerTest, SignedPrincipalVerifiesForItsMethod) {
  PrincipalSigner signer(kSecret);
  auto s = signer.Sign(HrPrincipal(), kGetCohort);
  auto p = signer.Verify(s.principal_bytes, s.signature, kGetCohort);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->municipality_code(), "242047");
  EXPECT_TRUE(HasRole(*p, kaizen::type::ROLE_PARTNER_HR));
  EXPECT_FALSE(IsStaff(*p));
}

TEST(PrincipalSignerTest, SignatureCarriesVersionExpiryAndMethod) {
  FakeClock clock;
  auto s = SignerAt(&clock).Sign(Secretariat(), kGetCohort);
  const int64_t expiry_ms = absl::ToUnixMillis(clock.Now() + absl::Seconds(60));
  EXPECT_EQ(s.signature.substr(0, s.signature.rfind(':') + 1),
            absl::StrCat("v1:", expiry_ms, ":", kGetCohort, ":"));
  EXPECT_EQ(s.signature.size() - s.signature.rfind(':') - 1, 64u);
}

TEST(PrincipalSignerTest, AnonymousCallerIsAnEmptySignedPrincipal) {
  PrincipalSigner signer(kSecret);
  auto s = signer.Sign(Principal(), kGetCohort);
  EXPECT_TRUE(s.principal_bytes.empty());
  auto p = signer.Verify(s.principal_bytes, s.signature, kGetCohort);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->subject().empty());
}

TEST(PrincipalSignerTest, MissingCredentialIsUnauthenticated) {
  PrincipalSigner signer(kSecret);
  auto p = signer.Verify("", "", kGetCohort);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(p), "INTERNAL_CREDENTIAL_MISSING");
}

TEST(PrincipalSignerTest, ForgedOrAlteredPrincipalIsRefused) {
  PrincipalSigner signer(kSecret);
  PrincipalSigner other("another-secret-0123456789");
  auto s = signer.Sign(HrPrincipal(), kGetCohort);
  Principal escalated = HrPrincipal();
  escalated.add_roles(kaizen::type::ROLE_SECRETARIAT);
  auto forged = other.Sign(escalated, kGetCohort);
  EXPECT_EQ(ReasonOf(signer.Verify(forged.principal_bytes, forged.signature, kGetCohort)),
            "INTERNAL_CREDENTIAL_INVALID");
  // Escalated bytes under the genuine signature.
  EXPECT_EQ(ReasonOf(signer.Verify(forged.principal_bytes, s.signature, kGetCohort)),
            "INTERNAL_CREDENTIAL_INVALID");
}

TEST(PrincipalSignerTest, MalformedSignaturesAreInvalid) {
  PrincipalSigner signer(kSecret);
  auto s = signer.Sign(Secretariat(), kGetCohort);
  const std::string mac = s.signature.substr(s.signature.rfind(':') + 1);
  for (const std::string& bad :
       {std::string("nonsense"), mac,  // the old format: a bare hex MAC
        absl::StrCat("v2", s.signature.substr(2)), absl::StrCat("v1:abc:", kGetCohort, ":", mac),
        absl::StrCat("v1:-5:", kGetCohort, ":", mac), absl::StrCat("v1:5::", mac),
        s.signature.substr(0, s.signature.size() - 2)}) {
    EXPECT_EQ(ReasonOf(signer.Verify(s.principal_bytes, bad, kGetCohort)),
              "INTERNAL_CREDENTIAL_INVALID")
        << bad;
  }
}

TEST(PrincipalSignerTest, TamperedExpiryOrMethodBreaksTheMac) {
  FakeClock clock;
  PrincipalSigner signer = SignerAt(&clock);
  auto s = signer.Sign(Secretariat(), kGetCohort);
  const std::string mac = s.signature.substr(s.signature.rfind(':') + 1);
  const int64_t later = absl::ToUnixMillis(clock.Now() + absl::Seconds(120));
  EXPECT_EQ(ReasonOf(signer.Verify(s.principal_bytes,
                                   absl::StrCat("v1:", later, ":", kGetCohort, ":", mac),
                                   kGetCohort)),
            "INTERNAL_CREDENTIAL_INVALID");
  // Rewriting the method in the credential to the served one does not help.
  const std::string rewritten =
      absl::StrCat(s.signature.substr(0, s.signature.find(kGetCohort)), kDeleteCohort, ":", mac);
  EXPECT_EQ(ReasonOf(signer.Verify(s.principal_bytes, rewritten, kDeleteCohort)),
            "INTERNAL_CREDENTIAL_INVALID");
}

// The replay of issue #16: a captured secretariat credential for one method
// presented on another.
TEST(PrincipalSignerTest, CapturedCredentialReplayedOnAnotherMethodIsRefused) {
  PrincipalSigner signer(kSecret);
  auto captured = signer.Sign(Secretariat(), kGetCohort);
  auto p = signer.Verify(captured.principal_bytes, captured.signature, kDeleteCohort);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(p), "INTERNAL_CREDENTIAL_WRONG_METHOD");
  // Same method name on another service: still another method.
  EXPECT_EQ(ReasonOf(signer.Verify(captured.principal_bytes, captured.signature,
                                   "/kaizen.scheduling.v1.SchedulingService/GetCohort")),
            "INTERNAL_CREDENTIAL_WRONG_METHOD");
  EXPECT_EQ(ReasonOf(signer.Verify(captured.principal_bytes, captured.signature, "")),
            "INTERNAL_CREDENTIAL_WRONG_METHOD");
}

TEST(PrincipalSignerTest, CredentialExpiresAfterLifetimePlusSkew) {
  FakeClock clock;
  PrincipalSigner signer = SignerAt(&clock);
  auto captured = signer.Sign(Secretariat(), kGetCohort);
  clock.Advance(absl::Seconds(60) + absl::Seconds(10));  // lifetime + skew: still fine
  EXPECT_TRUE(signer.Verify(captured.principal_bytes, captured.signature, kGetCohort).ok());
  clock.Advance(absl::Milliseconds(1));
  auto p = signer.Verify(captured.principal_bytes, captured.signature, kGetCohort);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(p), "INTERNAL_CREDENTIAL_EXPIRED");
}

TEST(PrincipalSignerTest, ExpiryTooFarAheadIsRefused) {
  FakeClock clock;
  PrincipalSignerOptions long_lived;
  long_lived.clock = &clock;
  long_lived.lifetime = absl::Hours(1);
  long_lived.max_lifetime = absl::Hours(1);
  PrincipalSigner lax(KeyRing::Derive({kSecret}, KeyPurpose::kPrincipalForwarding), long_lived);
  auto s = lax.Sign(Secretariat(), kGetCohort);
  PrincipalSigner strict = SignerAt(&clock);  // max_lifetime 5 min + 10 s skew
  EXPECT_EQ(ReasonOf(strict.Verify(s.principal_bytes, s.signature, kGetCohort)),
            "INTERNAL_CREDENTIAL_EXPIRY_TOO_FAR");
  // A signer clock ahead by less than the skew is tolerated.
  FakeClock ahead(clock.Now() + absl::Seconds(5));
  auto early = SignerAt(&ahead).Sign(Secretariat(), kGetCohort);
  EXPECT_TRUE(strict.Verify(early.principal_bytes, early.signature, kGetCohort).ok());
}

TEST(PrincipalSignerTest, RotationOverlapAcceptsPreviousKeyUntilRemoved) {
  FakeClock clock;
  const std::string old_secret = "old-internal-secret-0123456789";
  const std::string new_secret = "new-internal-secret-0123456789";
  auto from_old = SignerAt(&clock, {old_secret}).Sign(Secretariat(), kGetCohort);
  // During the overlap: the new secret signs, the old one is still accepted.
  PrincipalSigner overlap = SignerAt(&clock, {new_secret, old_secret});
  EXPECT_TRUE(overlap.Verify(from_old.principal_bytes, from_old.signature, kGetCohort).ok());
  auto from_new = overlap.Sign(Secretariat(), kGetCohort);
  EXPECT_TRUE(SignerAt(&clock, {new_secret})
                  .Verify(from_new.principal_bytes, from_new.signature, kGetCohort)
                  .ok());
  // Still on the old secret alone, a process accepts only what it signs.
  EXPECT_EQ(ReasonOf(SignerAt(&clock, {old_secret})
                         .Verify(from_new.principal_bytes, from_new.signature, kGetCohort)),
            "INTERNAL_CREDENTIAL_INVALID");
  // After the overlap the old secret is removed and refused.
  EXPECT_EQ(ReasonOf(SignerAt(&clock, {new_secret})
                         .Verify(from_old.principal_bytes, from_old.signature, kGetCohort)),
            "INTERNAL_CREDENTIAL_INVALID");
}

TEST(PrincipalSignerTest, KeyIsDerivedNotTheRawSecret) {
  // A signer keyed with the raw secret (what a leaked page-token or other
  // purpose key would give) cannot forge principals.
  FakeClock clock;
  PrincipalSignerOptions options;
  options.clock = &clock;
  PrincipalSigner raw(KeyRing({kSecret}), options);
  auto forged = raw.Sign(Secretariat(), kGetCohort);
  EXPECT_EQ(ReasonOf(SignerAt(&clock).Verify(forged.principal_bytes, forged.signature,
                                             kGetCohort)),
            "INTERNAL_CREDENTIAL_INVALID");
  PrincipalSigner page_key(KeyRing::Derive({kSecret}, KeyPurpose::kPageTokens), options);
  forged = page_key.Sign(Secretariat(), kGetCohort);
  EXPECT_EQ(ReasonOf(SignerAt(&clock).Verify(forged.principal_bytes, forged.signature,
                                             kGetCohort)),
            "INTERNAL_CREDENTIAL_INVALID");
}

}  // namespace
}  // namespace kaizen::auth
