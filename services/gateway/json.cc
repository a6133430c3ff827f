#include "services/gateway/json.h"

#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace kaizen::gateway {

Json Json::Str(absl::string_view s) {
  Json j(Kind::kString);
  j.string_ = std::string(s);
  return j;
}

Json Json::Int(int64_t v) {
  Json j(Kind::kInt);
  j.int_ = v;
  return j;
}

Json Json::Double(double v) {
  Json j(Kind::kDouble);
  j.double_ = v;
  return j;
}

Json Json::Bool(bool v) {
  Json j(Kind::kBool);
  j.bool_ = v;
  return j;
}

Json Json::Raw(std::string json) {
  Json j(Kind::kRaw);
  j.string_ = std::move(json);
  return j;
}

Json& Json::Set(absl::string_view key, Json value) {
  (*this)[key] = std::move(value);
  return *this;
}

Json& Json::operator[](absl::string_view key) {
  if (kind_ == Kind::kNull) kind_ = Kind::kObject;
  for (auto& [k, v] : object_) {
    if (k == key) return v;
  }
  object_.emplace_back(std::string(key), Json());
  return object_.back().second;
}

const Json* Json::Find(absl::string_view key) const {
  for (const auto& [k, v] : object_) {
    if (k == key) return &v;
  }
  return nullptr;
}

Json& Json::Push(Json value) {
  if (kind_ == Kind::kNull) kind_ = Kind::kArray;
  array_.push_back(std::move(value));
  return *this;
}

size_t Json::size() const {
  return kind_ == Kind::kArray ? array_.size() : object_.size();
}

std::string Json::Serialize() const {
  std::string out;
  AppendTo(&out);
  return out;
}

void Json::AppendTo(std::string* out) const {
  switch (kind_) {
    case Kind::kNull:
      out->append("null");
      return;
    case Kind::kBool:
      out->append(bool_ ? "true" : "false");
      return;
    case Kind::kInt:
      absl::StrAppend(out, int_);
      return;
    case Kind::kDouble:
      // JSON has no NaN or infinity.
      if (!std::isfinite(double_)) {
        out->append("null");
      } else {
        absl::StrAppendFormat(out, "%.17g", double_);
      }
      return;
    case Kind::kString:
      AppendJsonString(string_, out);
      return;
    case Kind::kRaw:
      out->append(string_);
      return;
    case Kind::kArray: {
      out->push_back('[');
      for (size_t i = 0; i < array_.size(); ++i) {
        if (i > 0) out->push_back(',');
        array_[i].AppendTo(out);
      }
      out->push_back(']');
      return;
    }
    case Kind::kObject: {
      out->push_back('{');
      for (size_t i = 0; i < object_.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(object_[i].first, out);
        out->push_back(':');
        object_[i].second.AppendTo(out);
      }
      out->push_back('}');
      return;
    }
  }
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string JsonQuote(absl::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

}  // namespace kaizen::gateway

namespace kaizen::gateway {
namespace {

// A recursive-descent validator over the RFC 8259 grammar.
class StrictJson {
 public:
  StrictJson(absl::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

  bool Check(std::string* error) {
    SkipWs();
    if (Value(0)) {
      SkipWs();
      if (pos_ != s_.size()) Fail("unexpected data after the JSON value");
    }
    if (!error_.empty() && error != nullptr) {
      *error = absl::StrCat(error_, " at byte ", error_pos_);
    }
    return error_.empty();
  }

 private:
  bool Fail(const char* what) {
    if (error_.empty()) {
      error_ = what;
      error_pos_ = pos_;
    }
    return false;
  }
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  void SkipWs() {
    while (!AtEnd() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                        s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Value(int depth) {
    if (AtEnd()) return Fail("unexpected end of JSON");
    const char c = s_[pos_];
    switch (c) {
      case '{':
        return Object(depth + 1);
      case '[':
        return Array(depth + 1);
      case '"': {
        std::string ignored;
        return String(&ignored);
      }
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      case '\'':
        return Fail("single-quoted string");
      case '/':
        return Fail("comment");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return Number();
        if (c == '+' || c == '.') return Fail("malformed number");
        if (c == 'N' || c == 'I') return Fail("NaN and Infinity are not JSON");
        return Fail("unexpected character");
    }
  }

  bool Literal(absl::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return Fail("unexpected character");
    pos_ += word.size();
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number() {
    auto digits = [this] {
      const size_t start = pos_;
      while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ > start;
    };
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
      if (Peek() == 'x' || Peek() == 'X') return Fail("hexadecimal numbers are not JSON");
      if (Peek() >= '0' && Peek() <= '9') return Fail("leading zeros are not JSON");
    } else if (!digits()) {
      if (Peek() == 'I') return Fail("NaN and Infinity are not JSON");
      return Fail("malformed number");
    }
    if (Peek() == '.') {
      ++pos_;
      if (!digits()) return Fail("malformed number");
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!digits()) return Fail("malformed number");
    }
    return true;
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return Fail("malformed \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9') {
        v |= h - '0';
      } else if (h >= 'a' && h <= 'f') {
        v |= h - 'a' + 10;
      } else if (h >= 'A' && h <= 'F') {
        v |= h - 'A' + 10;
      } else {
        return Fail("malformed \\u escape");
      }
    }
    *out = v;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // One UTF-8 sequence starting at pos_ (RFC 3629: no overlong forms, no
  // surrogates, at most U+10FFFF), appended to `out`.
  bool Utf8(std::string* out) {
    const auto b = [this](size_t i) { return static_cast<unsigned char>(s_[i]); };
    const unsigned char lead = b(pos_);
    size_t n;
    uint32_t cp;
    if (lead >= 0xC2 && lead <= 0xDF) {
      n = 2;
      cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      n = 3;
      cp = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      n = 4;
      cp = lead & 0x07;
    } else {
      return Fail("invalid UTF-8");
    }
    if (pos_ + n > s_.size()) return Fail("invalid UTF-8");
    for (size_t i = 1; i < n; ++i) {
      if ((b(pos_ + i) & 0xC0) != 0x80) return Fail("invalid UTF-8");
      cp = (cp << 6) | (b(pos_ + i) & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return Fail("invalid UTF-8");
    }
    out->append(s_.data() + pos_, n);
    pos_ += n;
    return true;
  }

  bool String(std::string* out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (AtEnd()) return Fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("control character in a string");
      if (c >= 0x80) {
        if (!Utf8(out)) return false;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        continue;
      }
      if (AtEnd()) return Fail("unterminated string");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("lone surrogate in a \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (s_.substr(pos_, 2) != "\\u") return Fail("lone surrogate in a \\u escape");
            pos_ += 2;
            if (!Hex4(&low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return Fail("lone surrogate in a \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          --pos_;
          return Fail("unknown escape in a string");
      }
    }
  }

  bool Object(int depth) {
    if (depth > max_depth_) return Fail("nested too deeply");
    ++pos_;  // '{'
    SkipWs();
    if (Peek() == '}') {
      ++pos_;
      return true;
    }
    // A hash set, not a scan of the earlier keys: the check must stay linear
    // in the input (a body of tens of thousands of keys would otherwise cost
    // seconds of an I/O thread).
    absl::flat_hash_set<std::string> keys;
    for (;;) {
      SkipWs();
      if (Peek() == '}') return Fail("trailing comma");
      if (Peek() == '\'') return Fail("single-quoted string");
      if (Peek() != '"') return Fail("object keys must be double-quoted strings");
      const size_t key_pos = pos_;
      std::string key;
      if (!String(&key)) return false;
      if (!keys.insert(std::move(key)).second) {
        pos_ = key_pos;
        return Fail("duplicate key");
      }
      SkipWs();
      if (Peek() != ':') return Fail("expected ':' after an object key");
      ++pos_;
      SkipWs();
      if (!Value(depth)) return false;
      SkipWs();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        return true;
      }
      if (Peek() == '/') return Fail("comment");
      return Fail("expected ',' or '}' in an object");
    }
  }

  bool Array(int depth) {
    if (depth > max_depth_) return Fail("nested too deeply");
    ++pos_;  // '['
    SkipWs();
    if (Peek() == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipWs();
      if (Peek() == ']') return Fail("trailing comma");
      if (!Value(depth)) return false;
      SkipWs();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        return true;
      }
      if (Peek() == '/') return Fail("comment");
      return Fail("expected ',' or ']' in an array");
    }
  }

  const absl::string_view s_;
  const int max_depth_;
  size_t pos_ = 0;
  std::string error_;
  size_t error_pos_ = 0;
};

}  // namespace

bool IsStrictJson(absl::string_view text, std::string* error, int max_depth) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    if (error != nullptr) *error = "byte-order mark at byte 0";
    return false;
  }
  return StrictJson(text, max_depth).Check(error);
}

}  // namespace kaizen::gateway
