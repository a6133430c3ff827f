#include "common/auth/keys.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/errors.h"
#include "common/util/crypto.h"

namespace kaizen::auth {

absl::string_view PurposeName(KeyPurpose purpose) {
  switch (purpose) {
    case KeyPurpose::kPrincipalForwarding:
      return "principal-forwarding";
    case KeyPurpose::kPageTokens:
      return "page-tokens";
    case KeyPurpose::kApplicantLinks:
      return "applicant-links";
    case KeyPurpose::kClaimLinks:
      return "claim-links";
    case KeyPurpose::kCalendarFeeds:
      return "calendar-feeds";
  }
  return "unknown";
}

std::string PurposeInfo(KeyPurpose purpose) {
  return absl::StrCat("kaizen/v1/", PurposeName(purpose));
}

std::string DeriveKey(absl::string_view secret, KeyPurpose purpose) {
  if (purpose == KeyPurpose::kApplicantLinks) {
    // The derivation applicant links always had (see the header).
    return crypto::HmacSha256(secret, "enrollment-access-tokens");
  }
  return crypto::HkdfSha256(secret, /*salt=*/"", PurposeInfo(purpose), 32);
}

KeyRing KeyRing::Derive(const std::vector<std::string>& secrets, KeyPurpose purpose) {
  std::vector<std::string> keys;
  keys.reserve(secrets.size());
  for (const std::string& s : secrets) keys.push_back(DeriveKey(s, purpose));
  return KeyRing(std::move(keys));
}

ServiceKeys DeriveServiceKeys(const std::vector<std::string>& internal_secrets) {
  ServiceKeys keys;
  keys.principal_forwarding =
      KeyRing::Derive(internal_secrets, KeyPurpose::kPrincipalForwarding);
  keys.page_tokens = KeyRing::Derive(internal_secrets, KeyPurpose::kPageTokens);
  keys.applicant_links = KeyRing::Derive(internal_secrets, KeyPurpose::kApplicantLinks);
  keys.claim_links = KeyRing::Derive(internal_secrets, KeyPurpose::kClaimLinks);
  keys.calendar_feeds = KeyRing::Derive(internal_secrets, KeyPurpose::kCalendarFeeds);
  return keys;
}

absl::StatusOr<std::vector<std::string>> ParseSecretList(absl::string_view contents,
                                                         absl::string_view flag) {
  auto bad = [&](absl::string_view why) {
    return errors::InvalidField(std::string(flag), why, "INVALID_FLAG");
  };
  std::vector<std::string> secrets;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.size() < kMinSecretBytes) {
      return bad(absl::StrCat("the secret on line ", line_number, " is shorter than ",
                              kMinSecretBytes, " bytes"));
    }
    for (const std::string& earlier : secrets) {
      if (earlier == line) {
        return bad(absl::StrCat("the secret on line ", line_number, " repeats an earlier one"));
      }
    }
    secrets.emplace_back(line);
  }
  if (secrets.empty()) return bad("the file holds no secret");
  if (secrets.size() > kMaxSecretsPerFile) {
    return bad(absl::StrCat("at most ", kMaxSecretsPerFile,
                            " secrets (the current one first, then previous ones)"));
  }
  return secrets;
}

}  // namespace kaizen::auth
