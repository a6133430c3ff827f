// API keys for partner municipalities' HR systems.
//
// The key file holds one key per line, never the key itself:
//
//   # key_id  sha256-hex-of-the-key                                            municipality
//   matsusaka-hr 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8 242047
//
// (hash a key with `printf %s "$KEY" | sha256sum`). Blank lines and lines
// starting with '#' are ignored. key_id is 1-64 chars of [A-Za-z0-9._-] and
// unique; the municipality is a 6-digit local government code.
//
// A presented key is hashed and compared with every stored digest in
// constant time. The principal of a key is {subject "partner:<key_id>",
// roles [ROLE_PARTNER_HR], municipality_code}: each key is bound to exactly
// one municipality, and the services authorise by it.
#ifndef KAIZEN_SERVICES_GATEWAY_API_KEYS_H_
#define KAIZEN_SERVICES_GATEWAY_API_KEYS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::gateway {

class ApiKeyStore {
 public:
  ApiKeyStore() = default;  // no keys: every key is refused

  // Parses the file's contents. INVALID_ARGUMENT (reason INVALID_FLAG, field
  // "api_keys_file") names the line number of the first bad line, never its
  // content.
  static absl::StatusOr<ApiKeyStore> Parse(absl::string_view contents);

  // The partner principal for `key`, or UNAUTHENTICATED API_KEY_INVALID.
  // Thread-safe (immutable).
  absl::StatusOr<kaizen::type::Principal> Authenticate(absl::string_view key) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string key_id;
    std::string digest;  // 32 raw bytes
    std::string municipality_code;
  };
  std::vector<Entry> entries_;
};

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_API_KEYS_H_
