// kaizen_bundle: signed offline bundles of partner results for LGWAN-side
// municipal HR systems (tools/bundle/README.md).
//
//   kaizen_bundle keygen --private_key bundle.key --public_key bundle.pub.pem
//   kaizen_bundle make --gateway HOST:PORT --api_key_file key.txt --municipality 242047
//       --from 2022-04-01 --to 2023-03-31 --signing_key bundle.key --out DIR [--bundle_id ID]
//   kaizen_bundle verify --public_key bundle.pub.pem --municipality 242047
//       [--from 2022-04-01 --to 2023-03-31] DIR
//
// Exit codes: 0 done; 1 the operation failed or the bundle does not verify
// (one line "<REASON>: <message>" on stderr); 2 bad usage.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/status/errors.h"
#include "common/util/clock.h"
#include "common/validation/validation.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/bundle/bundle_errors.h"
#include "tools/bundle/fetch.h"
#include "tools/bundle/manifest.h"
#include "tools/bundle/signing.h"
#include "tools/bundle/verify.h"
#include "tools/bundle/writer.h"

ABSL_FLAG(std::string, private_key, "", "keygen: the private key file to create (mode 0600)");
ABSL_FLAG(std::string, public_key, "",
          "keygen: the public key file to create; verify: the municipality's trusted copy");
ABSL_FLAG(std::string, gateway, "", "make: the gateway's gRPC address HOST:PORT");
ABSL_FLAG(bool, tls, false, "make: TLS to the gateway (system roots)");
ABSL_FLAG(bool, insecure, false,
          "make: allow plaintext to a gateway that is not on this machine (the API key and "
          "personal data then cross the network unencrypted)");
ABSL_FLAG(std::string, api_key_file, "", "make: file holding the partner HR API key");
ABSL_FLAG(std::string, municipality, "",
          "make: the 6-digit local government code of the key; verify: the expected one");
ABSL_FLAG(std::string, from, "",
          "make: first day of the period, YYYY-MM-DD (Asia/Tokyo); verify: the expected one");
ABSL_FLAG(std::string, to, "",
          "make: last day of the period, YYYY-MM-DD (Asia/Tokyo); verify: the expected one");
ABSL_FLAG(std::string, signing_key, "", "make: the Ed25519 private key (PEM) to sign with");
ABSL_FLAG(std::string, out, "", "make: the bundle directory to create (must not exist)");
ABSL_FLAG(std::string, bundle_id, "",
          "make: 1-64 of [A-Za-z0-9._-]; default <municipality>-<from>-<to>-<time>");
ABSL_FLAG(std::string, font, "IPAexGothic", "make: the PDF font family (must cover Japanese)");

namespace {

using namespace kaizen::bundle;  // NOLINT: one binary, one namespace

int Fail(const absl::Status& status) {
  std::string reason = kaizen::errors::Reason(status);
  std::fprintf(stderr, "%s: %s\n", reason.empty() ? "ERROR" : reason.c_str(),
               std::string(status.message()).c_str());
  return kaizen::errors::Reason(status) == "INVALID_FLAG" ? 2 : 1;
}

absl::Status Require(const char* name, const std::string& value) {
  if (value.empty()) return InvalidFlag(name, "is required");
  return absl::OkStatus();
}

int Keygen() {
  std::string priv = absl::GetFlag(FLAGS_private_key), pub = absl::GetFlag(FLAGS_public_key);
  for (auto s : {Require("private_key", priv), Require("public_key", pub)}) {
    if (!s.ok()) return Fail(s);
  }
  absl::Status s = GenerateKeyPair(priv, pub);
  if (!s.ok()) return Fail(s);
  absl::StatusOr<std::string> fingerprint = PublicKeyFingerprint(pub);
  if (!fingerprint.ok()) return Fail(fingerprint.status());
  std::printf("OK wrote %s (private, 0600) and %s, key SHA-256 %s\n", priv.c_str(), pub.c_str(),
              fingerprint->c_str());
  return 0;
}

absl::StatusOr<std::string> ReadApiKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidFlag("api_key_file", "cannot be read");
  std::stringstream s;
  s << in.rdbuf();
  std::string key(absl::StripAsciiWhitespace(s.str()));
  if (key.empty() || key.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidFlag("api_key_file", "must hold one API key");
  }
  return key;
}

int Make() {
  for (auto [name, value] :
       {std::pair{"gateway", absl::GetFlag(FLAGS_gateway)},
        std::pair{"api_key_file", absl::GetFlag(FLAGS_api_key_file)},
        std::pair{"municipality", absl::GetFlag(FLAGS_municipality)},
        std::pair{"from", absl::GetFlag(FLAGS_from)}, std::pair{"to", absl::GetFlag(FLAGS_to)},
        std::pair{"signing_key", absl::GetFlag(FLAGS_signing_key)},
        std::pair{"out", absl::GetFlag(FLAGS_out)}}) {
    if (absl::Status s = Require(name, value); !s.ok()) return Fail(s);
  }
  const std::string gateway = absl::GetFlag(FLAGS_gateway);
  if (absl::GetFlag(FLAGS_tls) && absl::GetFlag(FLAGS_insecure)) {
    return Fail(InvalidFlag("insecure", "contradicts --tls"));
  }
  if (!absl::GetFlag(FLAGS_tls) && !absl::GetFlag(FLAGS_insecure) && !IsLoopbackTarget(gateway)) {
    return Fail(InvalidFlag("gateway",
                            "is not on this machine: use --tls (or, knowingly, --insecure: the "
                            "API key and personal data would travel unencrypted)"));
  }
  FetchOptions options;
  options.municipality_code = absl::GetFlag(FLAGS_municipality);
  if (absl::Status s = kaizen::ValidateMunicipalityCode("municipality", options.municipality_code);
      !s.ok()) {
    return Fail(InvalidFlag("municipality", s.message()));
  }
  absl::StatusOr<absl::CivilDay> from = ParseDay(absl::GetFlag(FLAGS_from), "from");
  if (!from.ok()) return Fail(from.status());
  absl::StatusOr<absl::CivilDay> to = ParseDay(absl::GetFlag(FLAGS_to), "to");
  if (!to.ok()) return Fail(to.status());
  if (*to < *from) return Fail(InvalidFlag("to", "is before --from"));
  options.period = {*from, *to};
  absl::StatusOr<std::string> key = ReadApiKey(absl::GetFlag(FLAGS_api_key_file));
  if (!key.ok()) return Fail(key.status());
  options.api_key = *key;
  options.create_time = absl::Now();
  options.bundle_id = absl::GetFlag(FLAGS_bundle_id);
  if (options.bundle_id.empty()) {
    auto day = [](absl::CivilDay d) {
      return absl::StrFormat("%04d%02d%02d", d.year(), d.month(), d.day());
    };
    options.bundle_id = absl::StrCat(
        options.municipality_code, "-", day(*from), "-", day(*to), "-",
        absl::FormatTime("%Y%m%dT%H%M%S", options.create_time, kaizen::TokyoTimeZone()));
  }
  if (!IsValidBundleId(options.bundle_id)) {
    return Fail(InvalidFlag("bundle_id", "must be 1-64 of A-Z a-z 0-9 . _ -"));
  }
  WriteOptions write;
  write.out_dir = absl::GetFlag(FLAGS_out);
  write.signing_key_path = absl::GetFlag(FLAGS_signing_key);
  write.font_family = absl::GetFlag(FLAGS_font);
  if (IsReadableByOthers(write.signing_key_path)) {
    std::fprintf(stderr,
                 "warning: %s can be read by group or others; chmod 600 it (the signing key "
                 "vouches for every bundle)\n",
                 write.signing_key_path.c_str());
  }
  // Fail before any pull (each pull writes a provision record on the
  // server) on everything that can be checked here.
  if (absl::Status s = CheckBeforeFetch(write); !s.ok()) return Fail(s);

  auto creds = absl::GetFlag(FLAGS_tls) ? grpc::SslCredentials(grpc::SslCredentialsOptions())
                                        : grpc::InsecureChannelCredentials();
  auto channel = grpc::CreateChannel(gateway, creds);
  absl::StatusOr<BundleData> data = FetchBundle(channel, options);
  if (!data.ok()) return Fail(data.status());
  absl::StatusOr<int> files = WriteBundle(*data, write);
  if (!files.ok()) return Fail(files.status());
  std::printf("OK bundle %s: %zu people, %d files in %s", data->bundle_id.c_str(),
              data->people.size(), *files, write.out_dir.c_str());
  if (data->skipped_categories > 0) {
    std::printf(" (%d categories withdrawn since the feed was read, left out)",
                data->skipped_categories);
  }
  if (data->people_without_results > 0) {
    std::printf(" (%d people with nothing in the period, left out)",
                data->people_without_results);
  }
  std::printf("\n");
  return 0;
}

int Verify(const std::vector<char*>& args) {
  std::string pub = absl::GetFlag(FLAGS_public_key);
  VerifyExpect expect;
  expect.municipality_code = absl::GetFlag(FLAGS_municipality);
  expect.from = absl::GetFlag(FLAGS_from);
  expect.to = absl::GetFlag(FLAGS_to);
  if (absl::Status s = Require("public_key", pub); !s.ok()) return Fail(s);
  if (absl::Status s = Require("municipality", expect.municipality_code); !s.ok()) return Fail(s);
  if (absl::Status s = kaizen::ValidateMunicipalityCode("municipality", expect.municipality_code);
      !s.ok()) {
    return Fail(InvalidFlag("municipality", s.message()));
  }
  for (auto [name, value] : {std::pair{"from", expect.from}, std::pair{"to", expect.to}}) {
    if (value.empty()) continue;
    if (absl::Status s = ParseDay(value, name).status(); !s.ok()) return Fail(s);
  }
  if (args.size() != 2) {
    std::fprintf(stderr,
                 "usage: kaizen_bundle verify --public_key F --municipality CODE "
                 "[--from D --to D] DIR\n");
    return 2;
  }
  absl::StatusOr<VerifiedBundle> v = VerifyBundle(args[1], pub, expect);
  if (!v.ok()) return Fail(v.status());
  const Manifest& m = v->manifest;
  std::printf("OK bundle %s municipality %s period %s..%s created %s, %zu files, key SHA-256 %s\n",
              m.bundle_id.c_str(), m.municipality_code.c_str(), m.from.c_str(), m.to.c_str(),
              m.create_time.c_str(), m.files.size(), v->key_fingerprint.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "kaizen_bundle keygen|make|verify [flags]; see tools/bundle/README.md");
  if (argc < 2) {
    std::fprintf(stderr, "usage: kaizen_bundle keygen|make|verify [flags] (--help)\n");
    return 2;
  }
  std::string command = argv[1];
  // Flags after the subcommand; argv[1] stands in for the program name.
  std::vector<char*> args = absl::ParseCommandLine(argc - 1, argv + 1);
  if (command == "keygen" && args.size() == 1) return Keygen();
  if (command == "make" && args.size() == 1) return Make();
  if (command == "verify") return Verify(args);
  std::fprintf(stderr, "usage: kaizen_bundle keygen|make|verify [flags] (--help)\n");
  return 2;
}
