#include "common/auth/principal.h"

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kaizen::auth {
namespace {

using kaizen::type::Principal;

Principal HrPrincipal() {
  Principal p;
  p.set_subject("key-1");
  p.add_roles(kaizen::type::ROLE_PARTNER_HR);
  p.set_municipality_code("242047");
  return p;
}

TEST(PrincipalSignerTest, SignedPrincipalVerifies) {
  PrincipalSigner signer("0123456789abcdef-secret");
  auto s = signer.Sign(HrPrincipal());
  auto p = signer.Verify(s.principal_bytes, s.signature);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->municipality_code(), "242047");
  EXPECT_TRUE(HasRole(*p, kaizen::type::ROLE_PARTNER_HR));
  EXPECT_FALSE(IsStaff(*p));
}

TEST(PrincipalSignerTest, MissingCredentialIsUnauthenticated) {
  PrincipalSigner signer("0123456789abcdef-secret");
  auto p = signer.Verify("", "");
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::Reason(p.status()), "INTERNAL_CREDENTIAL_MISSING");
}

TEST(PrincipalSignerTest, ForgedOrAlteredPrincipalIsRefused) {
  PrincipalSigner signer("0123456789abcdef-secret");
  PrincipalSigner other("another-secret-0123456789");
  auto s = signer.Sign(HrPrincipal());
  Principal escalated = HrPrincipal();
  escalated.add_roles(kaizen::type::ROLE_SECRETARIAT);
  auto forged = other.Sign(escalated);
  EXPECT_EQ(errors::Reason(
                signer.Verify(forged.principal_bytes, forged.signature).status()),
            "INTERNAL_CREDENTIAL_INVALID");
  EXPECT_EQ(errors::Reason(
                signer.Verify(forged.principal_bytes, s.signature).status()),
            "INTERNAL_CREDENTIAL_INVALID");
}

}  // namespace
}  // namespace kaizen::auth
