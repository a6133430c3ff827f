#include "services/gateway/json.h"

#include <cmath>

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
