#include "services/gateway/jwt.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "common/status/status_macros.h"
#include "common/util/crypto.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/gateway/gateway_errors.h"
#include "services/gateway/json.h"

namespace kaizen::gateway {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

absl::StatusOr<Struct> ParseObject(absl::string_view b64) {
  std::optional<std::string> json = Base64UrlDecode(b64);
  if (!json.has_value()) return TokenInvalid("malformed");
  // protobuf's parser is lenient (and keeps one of two duplicate keys):
  // only strict JSON, valid UTF-8 throughout, gets to it.
  if (!IsStrictJson(*json, nullptr)) return TokenInvalid("malformed");
  Struct object;
  google::protobuf::util::JsonParseOptions options;
  if (!google::protobuf::util::JsonStringToMessage(*json, &object, options).ok()) {
    return TokenInvalid("malformed");
  }
  return object;
}

// A NumericDate within a sane range (year 1970..5138), so the cast below is
// defined.
bool IsTime(const Value* v) {
  return v != nullptr && v->kind_case() == Value::kNumberValue && v->number_value() >= 0 &&
         v->number_value() < 1e11;
}

const Value* Field(const Struct& s, const char* name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? nullptr : &it->second;
}

bool VerifyRs256(evp_pkey_st* key, absl::string_view input, absl::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return false;
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()),
                             input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// C0 controls, DEL and C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F).
bool HasControlCharacter(absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      return true;
    }
  }
  return false;
}

bool AudienceMatches(const Value* aud, const std::string& want) {
  if (aud == nullptr) return false;
  if (aud->kind_case() == Value::kStringValue) return aud->string_value() == want;
  if (aud->kind_case() == Value::kListValue) {
    for (const Value& v : aud->list_value().values()) {
      if (v.kind_case() == Value::kStringValue && v.string_value() == want) return true;
    }
  }
  return false;
}

}  // namespace

std::string Base64UrlEncode(absl::string_view bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);  // no padding
  return out;
}

std::optional<std::string> Base64UrlDecode(absl::string_view text) {
  for (char c : text) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_')) return std::nullopt;
  }
  std::string out;
  if (text.size() % 4 == 1 || !absl::WebSafeBase64Unescape(text, &out)) return std::nullopt;
  // Unused trailing bits must be zero: exactly one text per byte string.
  if (Base64UrlEncode(out) != text) return std::nullopt;
  return out;
}

std::optional<kaizen::type::Role> RoleFromClaim(absl::string_view role) {
  if (role == "secretariat") return kaizen::type::ROLE_SECRETARIAT;
  if (role == "navigator") return kaizen::type::ROLE_NAVIGATOR;
  if (role == "advisor") return kaizen::type::ROLE_ADVISOR;
  if (role == "observer") return kaizen::type::ROLE_OBSERVER;
  if (role == "participant") return kaizen::type::ROLE_PARTICIPANT;
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(JwtConfig config,
                                                                 const Clock* clock) {
  if (!config.hs256_secret.empty() && config.hs256_secret.size() < 32) {
    return errors::InvalidField("jwt_hs256_secret_file",
                                "the HS256 secret must be at least 32 bytes", "INVALID_FLAG");
  }
  if (!config.rs256_public_key_pem.empty() && config.issuer.empty()) {
    return errors::InvalidField("jwt_issuer", "is required with an RS256 public key",
                                "INVALID_FLAG");
  }
  if (!config.rs256_public_key_pem.empty() && config.audience.empty()) {
    return errors::InvalidField("jwt_audience", "is required with an RS256 public key",
                                "INVALID_FLAG");
  }
  if (config.max_lifetime <= absl::ZeroDuration()) {
    return errors::InvalidField("jwt_max_lifetime_seconds", "must be positive", "INVALID_FLAG");
  }
  std::unique_ptr<JwtVerifier> verifier(new JwtVerifier(std::move(config), clock));
  const std::string& pem = verifier->config_.rs256_public_key_pem;
  if (!pem.empty()) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* key = bio == nullptr ? nullptr : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (key == nullptr || EVP_PKEY_base_id(key) != EVP_PKEY_RSA || EVP_PKEY_bits(key) < 2048) {
      EVP_PKEY_free(key);
      return errors::InvalidField("jwt_rs256_public_key_file",
                                  "is not a PEM RSA public key of at least 2048 bits",
                                  "INVALID_FLAG");
    }
    verifier->rsa_key_ = key;
  }
  return verifier;
}

JwtVerifier::~JwtVerifier() { EVP_PKEY_free(rsa_key_); }

bool JwtVerifier::enabled() const {
  return !config_.hs256_secret.empty() || rsa_key_ != nullptr;
}

absl::StatusOr<kaizen::type::Principal> JwtVerifier::Verify(absl::string_view token) const {
  const absl::Time now = clock_->Now();
  auto check_time = [&](const Cached& c) -> absl::Status {
    if (now >= c.expires + config_.clock_skew) return TokenExpired();
    if (now + config_.clock_skew < c.not_before) return TokenInvalid("not valid yet");
    return absl::OkStatus();
  };
  if (config_.cache_size > 0) {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(token);
    if (it != cache_.end()) {
      RETURN_IF_ERROR(check_time(it->second));
      return it->second.principal;
    }
  }
  ASSIGN_OR_RETURN(Cached verified, VerifyUncached(token, now));
  RETURN_IF_ERROR(check_time(verified));
  if (config_.cache_size > 0) {
    absl::MutexLock lock(&cache_mu_);
    if (cache_.size() >= config_.cache_size) cache_.clear();
    cache_.emplace(std::string(token), verified);
  }
  return std::move(verified.principal);
}

absl::StatusOr<JwtVerifier::Cached> JwtVerifier::VerifyUncached(absl::string_view token,
                                                                 absl::Time now) const {
  if (token.empty() || token.size() > config_.max_token_bytes) return TokenInvalid("malformed");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return TokenInvalid("malformed");
  }
  ASSIGN_OR_RETURN(Struct header, ParseObject(parts[0]));
  const Value* alg = Field(header, "alg");
  if (alg == nullptr || alg->kind_case() != Value::kStringValue) {
    return TokenInvalid("malformed");
  }
  if (Field(header, "crit") != nullptr) return TokenInvalid("unsupported header");
  std::optional<std::string> signature = Base64UrlDecode(parts[2]);
  if (!signature.has_value()) return TokenInvalid("malformed");
  const absl::string_view signed_part = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (alg->string_value() == "HS256" && !config_.hs256_secret.empty()) {
    if (!crypto::ConstantTimeEquals(crypto::HmacSha256(config_.hs256_secret, signed_part),
                                    *signature)) {
      return TokenInvalid("bad signature");
    }
  } else if (alg->string_value() == "RS256" && rsa_key_ != nullptr) {
    if (!VerifyRs256(rsa_key_, signed_part, *signature)) return TokenInvalid("bad signature");
  } else {
    return TokenInvalid("unsupported algorithm");
  }

  ASSIGN_OR_RETURN(Struct claims, ParseObject(parts[1]));
  const Value* sub = Field(claims, "sub");
  if (sub == nullptr || sub->kind_case() != Value::kStringValue || sub->string_value().empty() ||
      sub->string_value().size() > 256) {
    return TokenInvalid("no subject");
  }
  if (HasControlCharacter(sub->string_value())) return TokenInvalid("malformed subject");
  if (absl::StartsWith(sub->string_value(), "partner:")) {
    return TokenInvalid("reserved subject");
  }
  const Value* exp = Field(claims, "exp");
  if (!IsTime(exp)) return TokenInvalid("no expiry");
  Cached result;
  result.expires = absl::FromUnixSeconds(static_cast<int64_t>(exp->number_value()));
  result.not_before = absl::InfinitePast();
  if (const Value* nbf = Field(claims, "nbf"); nbf != nullptr) {
    if (!IsTime(nbf)) return TokenInvalid("malformed");
    result.not_before = absl::FromUnixSeconds(static_cast<int64_t>(nbf->number_value()));
  }
  if (const Value* iat = Field(claims, "iat"); iat != nullptr) {
    if (!IsTime(iat)) return TokenInvalid("malformed");
    const absl::Time issued = absl::FromUnixSeconds(static_cast<int64_t>(iat->number_value()));
    if (issued > now + config_.clock_skew) return TokenInvalid("issued in the future");
    if (result.expires - issued > config_.max_lifetime) return TokenInvalid("lifetime too long");
  }
  if (result.expires - now > config_.max_lifetime + config_.clock_skew) {
    return TokenInvalid("lifetime too long");
  }
  if (!config_.issuer.empty()) {
    const Value* iss = Field(claims, "iss");
    if (iss == nullptr || iss->kind_case() != Value::kStringValue ||
        iss->string_value() != config_.issuer) {
      return TokenInvalid("wrong issuer");
    }
  }
  if (!config_.audience.empty() && !AudienceMatches(Field(claims, "aud"), config_.audience)) {
    return TokenInvalid("wrong audience");
  }
  kaizen::type::Principal& principal = result.principal;
  principal.set_subject(sub->string_value());
  if (const Value* roles = Field(claims, "roles");
      roles != nullptr && roles->kind_case() == Value::kListValue) {
    for (const Value& r : roles->list_value().values()) {
      if (r.kind_case() != Value::kStringValue) continue;
      std::optional<kaizen::type::Role> role = RoleFromClaim(r.string_value());
      if (role.has_value()) principal.add_roles(*role);
    }
  }
  return result;
}

std::string JwtClaimsJson(const JwtClaims& claims) {
  Json payload = Json::Object();
  payload.Set("sub", Json::Str(claims.subject));
  if (!claims.issuer.empty()) payload.Set("iss", Json::Str(claims.issuer));
  if (!claims.audience.empty()) payload.Set("aud", Json::Str(claims.audience));
  payload.Set("iat", Json::Int(absl::ToUnixSeconds(claims.issued_at)));
  payload.Set("exp", Json::Int(absl::ToUnixSeconds(claims.expires_at)));
  Json roles = Json::Array();
  for (const std::string& r : claims.roles) roles.Push(Json::Str(r));
  payload.Set("roles", std::move(roles));
  return payload.Serialize();
}

std::string MintHs256Jwt(absl::string_view secret, const JwtClaims& claims) {
  const std::string signing_input =
      absl::StrCat(Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})"), ".",
                   Base64UrlEncode(JwtClaimsJson(claims)));
  return absl::StrCat(signing_input, ".",
                      Base64UrlEncode(crypto::HmacSha256(secret, signing_input)));
}

}  // namespace kaizen::gateway
