// A minimal, ordered JSON value for the documents the gateway writes itself:
// error bodies, the OpenAPI document, /readyz, access-log lines and JWT
// claims. Messages of the APIs are converted by protobuf's JSON support,
// never by this.
//
// Objects keep insertion order (documents stay readable and stable); Set()
// replaces an existing key in place. Strings must be UTF-8 and are written
// as-is except for the characters JSON requires to be escaped, so Japanese
// text passes through untouched.
#ifndef KAIZEN_SERVICES_GATEWAY_JSON_H_
#define KAIZEN_SERVICES_GATEWAY_JSON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace kaizen::gateway {

class Json {
 public:
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kArray, kObject, kRaw };

  Json() = default;  // null
  static Json Object() { return Json(Kind::kObject); }
  static Json Array() { return Json(Kind::kArray); }
  static Json Str(absl::string_view s);
  static Json Int(int64_t v);
  static Json Double(double v);
  static Json Bool(bool v);
  // Already-serialized JSON (e.g. protobuf's output), inserted verbatim. The
  // caller guarantees it is valid JSON.
  static Json Raw(std::string json);

  // Objects: sets `key` (replacing it if present) and returns *this.
  Json& Set(absl::string_view key, Json value);
  // Objects: the value under `key`, inserting null first if missing.
  Json& operator[](absl::string_view key);
  // Objects: the value under `key`, or nullptr.
  const Json* Find(absl::string_view key) const;
  // Arrays: appends and returns *this.
  Json& Push(Json value);

  Kind kind() const { return kind_; }
  size_t size() const;  // elements of an array or members of an object

  // Compact serialization.
  std::string Serialize() const;
  void AppendTo(std::string* out) const;

 private:
  explicit Json(Kind kind) : kind_(kind) {}

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;  // kString, kRaw
  std::vector<Json> array_;
  std::vector<std::pair<std::string, Json>> object_;
};

// Appends `s` as a quoted JSON string. Control characters, '"' and '\\' are
// escaped; every other byte (UTF-8) is copied unchanged.
void AppendJsonString(absl::string_view s, std::string* out);

// `s` as a quoted JSON string.
std::string JsonQuote(absl::string_view s);

// Checks that `text` is one JSON value exactly as RFC 8259 defines it, before
// protobuf's parser (which is lenient) sees it. Refused, each with a short
// fixed phrase and the byte offset in `*error` (never a piece of the input):
// single-quoted strings, unquoted keys, trailing commas, comments, hex,
// octal-looking, signed ("+1") or bare-dot numbers, NaN/Infinity, unescaped
// control characters, unknown escapes, lone surrogates (\ud800),
// invalid UTF-8 (overlong, surrogates, > U+10FFFF), a byte-order mark,
// duplicate keys in one object (compared after unescaping), nesting deeper
// than `max_depth`, and anything after the value but whitespace.
bool IsStrictJson(absl::string_view text, std::string* error, int max_depth = 64);

}  // namespace kaizen::gateway

#endif  // KAIZEN_SERVICES_GATEWAY_JSON_H_
