// Development tool: prints an HS256 JWT the gateway accepts, for local use
// and tests. Never use it with a production secret on a shared machine.
//
//   bazel-bin/services/gateway/mint_token --jwt_hs256_secret_file=var/jwt-secret
//       --sub=alice --roles=secretariat --ttl=1h [--iss=...] [--aud=...]
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/gateway/jwt.h"

ABSL_FLAG(std::string, jwt_hs256_secret_file, "", "the gateway's HS256 secret file");
ABSL_FLAG(std::string, sub, "", "subject (required)");
ABSL_FLAG(std::string, roles, "",
          "comma-separated: secretariat,navigator,advisor,observer,participant");
ABSL_FLAG(absl::Duration, ttl, absl::Hours(1), "lifetime, e.g. 30m, 8h");
ABSL_FLAG(std::string, iss, "", "issuer (must match the gateway's --jwt_issuer)");
ABSL_FLAG(std::string, aud, "", "audience (must match the gateway's --jwt_audience)");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string path = absl::GetFlag(FLAGS_jwt_hs256_secret_file);
  std::ifstream in(path, std::ios::binary);
  if (path.empty() || !in) {
    std::fprintf(stderr, "mint_token: cannot read --jwt_hs256_secret_file\n");
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string secret(absl::StripAsciiWhitespace(ss.str()));
  if (secret.size() < 32) {
    std::fprintf(stderr, "mint_token: the secret must be at least 32 bytes\n");
    return 2;
  }
  kaizen::gateway::JwtClaims claims;
  claims.subject = absl::GetFlag(FLAGS_sub);
  if (claims.subject.empty()) {
    std::fprintf(stderr, "mint_token: --sub is required\n");
    return 2;
  }
  for (absl::string_view role :
       absl::StrSplit(absl::GetFlag(FLAGS_roles), ',', absl::SkipWhitespace())) {
    role = absl::StripAsciiWhitespace(role);
    if (!kaizen::gateway::RoleFromClaim(role).has_value()) {
      std::fprintf(stderr, "mint_token: unknown role '%s'\n", std::string(role).c_str());
      return 2;
    }
    claims.roles.emplace_back(role);
  }
  claims.issuer = absl::GetFlag(FLAGS_iss);
  claims.audience = absl::GetFlag(FLAGS_aud);
  claims.issued_at = absl::Now();
  claims.expires_at = claims.issued_at + absl::GetFlag(FLAGS_ttl);
  std::printf("%s\n", kaizen::gateway::MintHs256Jwt(secret, claims).c_str());
  return 0;
}
