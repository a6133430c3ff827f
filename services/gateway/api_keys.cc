#include "services/gateway/api_keys.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/municipality/municipality.h"
#include "common/status/errors.h"
#include "common/util/crypto.h"
#include "services/gateway/gateway_errors.h"

namespace kaizen::gateway {
namespace {

bool IsKeyId(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

bool IsDigits(absl::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<ApiKeyStore> ApiKeyStore::Parse(absl::string_view contents) {
  ApiKeyStore store;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto bad = [&](absl::string_view why) {
      return errors::InvalidField("api_keys_file",
                                  absl::StrCat("line ", line_number, ": ", why), "INVALID_FLAG");
    };
    if (fields.size() != 3) return bad("expected '<key_id> <sha256 hex> <municipality code>'");
    if (!IsKeyId(fields[0])) return bad("key_id must be 1-64 chars of [A-Za-z0-9._-]");
    if (fields[1].size() != 64 || !IsHex(fields[1])) return bad("expected 64 hex digits");
    if (!IsDigits(fields[2], 6)) return bad("the municipality code must be 6 digits");
    // A key sees one employer's staff: a code enrollment would refuse (a ward
    // of a designated city, a prefecture, no such code) would see nothing.
    const std::optional<municipality::Entity> employer = municipality::Find(fields[2]);
    if (!employer.has_value()) {
      return bad(absl::StrCat(fields[2], " is not in Japan's local government code master"));
    }
    if (!employer->IsMunicipality()) {
      std::string why = absl::StrCat(fields[2], " (", employer->FullName(),
                                     ") is not a municipality that employs staff");
      if (auto city = employer->city()) {
        absl::StrAppend(&why, "; use its city's code ", city->code(), " (", city->name(), ")");
      }
      return bad(why);
    }
    for (const Entry& e : store.entries_) {
      if (e.key_id == fields[0]) return bad("duplicate key_id");
    }
    store.entries_.push_back({std::string(fields[0]),
                              absl::HexStringToBytes(absl::AsciiStrToLower(fields[1])),
                              std::string(fields[2])});
  }
  return store;
}

absl::StatusOr<kaizen::type::Principal> ApiKeyStore::Authenticate(absl::string_view key) const {
  if (key.empty() || key.size() > 512) return ApiKeyInvalid();
  const std::string digest = crypto::Sha256(key);
  const Entry* found = nullptr;
  for (const Entry& e : entries_) {  // no early exit: time does not reveal the position
    if (crypto::ConstantTimeEquals(digest, e.digest)) found = &e;
  }
  if (found == nullptr) return ApiKeyInvalid();
  kaizen::type::Principal principal;
  principal.set_subject(absl::StrCat("partner:", found->key_id));
  principal.add_roles(kaizen::type::ROLE_PARTNER_HR);
  principal.set_municipality_code(found->municipality_code);
  return principal;
}

}  // namespace kaizen::gateway
