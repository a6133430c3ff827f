#include "services/gateway/response_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/stubs/strutil.h"

namespace kaizen::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsTime(const Descriptor* type) {
  return type->well_known_type() == Descriptor::WELLKNOWNTYPE_TIMESTAMP ||
         type->well_known_type() == Descriptor::WELLKNOWNTYPE_DURATION;
}

// A value computed once per message type (thread-safe; values live as long
// as the process, like the descriptors).
template <typename T>
class PerTypeCache {
 public:
  template <typename Compute>
  const T& Get(const Descriptor* type, Compute compute) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = values_.find(type);
      if (it != values_.end()) return *it->second;
    }
    auto value = std::make_unique<T>(compute(type));
    absl::MutexLock lock(&mu_);
    auto& slot = values_[type];
    if (slot == nullptr) slot = std::move(value);  // a racing thread may have set it
    return *slot;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<T>> values_ ABSL_GUARDED_BY(mu_);
};

// --- Which types are covered -------------------------------------------

bool Covers(const Descriptor* type, absl::flat_hash_set<const Descriptor*>* visiting) {
  if (IsTime(type)) return true;
  // Every other well-known type has its own JSON form.
  if (type->file()->package() == "google.protobuf") return false;
  // proto2 prints unset optional fields with their defaults: protobuf's job.
  if (type->file()->syntax() != FileDescriptor::SYNTAX_PROTO3) return false;
  if (!visiting->insert(type).second) return true;  // recursion: decided by the other fields
  if (type->real_oneof_decl_count() > 0) return false;
  for (int i = 0; i < type->field_count(); ++i) {
    const FieldDescriptor* f = type->field(i);
    if (f->is_map() || f->is_extension()) return false;
    // A json_name chosen in the .proto may need escaping; the derived
    // lowerCamel names never do, and they are all this printer writes.
    if (f->has_json_name()) return false;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !Covers(f->message_type(), visiting)) {
      return false;
    }
  }
  return true;
}

// --- Strings: protobuf 3.21's JsonEscaping --------------------------------

bool NeedsEscape(uint32_t cp) {
  if (cp < 0x20 || cp == '"' || cp == '\\' || cp == '<' || cp == '>') return true;
  if (cp >= 0x7f && cp <= 0x9f) return true;
  return cp == 0xad || (cp >= 0x600 && cp <= 0x603) || cp == 0x6dd || cp == 0x70f ||
         cp == 0x17b4 || cp == 0x17b5 || (cp >= 0x200b && cp <= 0x200f) ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
         (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
         (cp >= 0x1d173 && cp <= 0x1d17a) || cp == 0xe0001 || (cp >= 0xe0020 && cp <= 0xe007f);
}

void AppendU(uint32_t unit, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char u[6] = {'\\', 'u', kHex[(unit >> 12) & 0xf], kHex[(unit >> 8) & 0xf],
                     kHex[(unit >> 4) & 0xf], kHex[unit & 0xf]};
  out->append(u, 6);
}

void AppendEscaped(uint32_t cp, std::string* out) {
  switch (cp) {
    case '\b': out->append("\\b"); return;
    case '\t': out->append("\\t"); return;
    case '\n': out->append("\\n"); return;
    case '\f': out->append("\\f"); return;
    case '\r': out->append("\\r"); return;
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    default: break;
  }
  if (cp < 0x10000) return AppendU(cp, out);
  cp -= 0x10000;
  AppendU(0xd800 + (cp >> 10), out);
  AppendU(0xdc00 + (cp & 0x3ff), out);
}

// Decodes the UTF-8 sequence at s[i] (a parsed proto3 string is valid
// UTF-8); returns its length, or 0 when it is not valid.
int Decode(const std::string& s, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t v = n == 1 ? c : c & (0x7f >> n);
  for (int k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    v = (v << 6) | (b(i + k) & 0x3f);
  }
  *cp = v;
  return n;
}

bool AppendString(const std::string& s, std::string* out) {
  out->push_back('"');
  size_t plain = 0;  // start of the run copied as is
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>') {
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const int n = Decode(s, i, &cp);
    if (n == 0) return false;
    if (NeedsEscape(cp)) {
      out->append(s, plain, i - plain);
      AppendEscaped(cp, out);
      plain = i + n;
    }
    i += n;
  }
  out->append(s, plain, s.size() - plain);
  out->push_back('"');
  return true;
}

// --- Well-known times ------------------------------------------------------

void AppendNanos(int32_t nanos, std::string* out) {
  if (nanos == 0) return;
  int digits = 9;
  if (nanos % 1000000 == 0) {
    nanos /= 1000000;
    digits = 3;
  } else if (nanos % 1000 == 0) {
    nanos /= 1000;
    digits = 6;
  }
  std::string frac = absl::StrCat(nanos);
  out->push_back('.');
  out->append(digits - frac.size(), '0');
  out->append(frac);
}

bool AppendTimestamp(const Message& m, std::string* out) {
  const Reflection* r = m.GetReflection();
  const Descriptor* d = m.GetDescriptor();
  const int64_t seconds = r->GetInt64(m, d->FindFieldByNumber(1));
  const int32_t nanos = r->GetInt32(m, d->FindFieldByNumber(2));
  // 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, as protobuf accepts.
  if (seconds < -62135596800 || seconds > 253402300799 || nanos < 0 || nanos > 999999999) {
    return false;
  }
  out->push_back('"');
  out->append(absl::FormatTime("%4Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(seconds),
                               absl::UTCTimeZone()));
  AppendNanos(nanos, out);
  out->append("Z\"");
  return true;
}

bool AppendDuration(const Message& m, std::string* out) {
  const Reflection* r = m.GetReflection();
  const Descriptor* d = m.GetDescriptor();
  int64_t seconds = r->GetInt64(m, d->FindFieldByNumber(1));
  int32_t nanos = r->GetInt32(m, d->FindFieldByNumber(2));
  if (seconds < -315576000000 || seconds > 315576000000 || nanos <= -1000000000 ||
      nanos >= 1000000000 || (seconds < 0 && nanos > 0) || (seconds > 0 && nanos < 0)) {
    return false;
  }
  out->push_back('"');
  if (seconds < 0 || nanos < 0) {
    out->push_back('-');
    seconds = -seconds;
    nanos = -nanos;
  }
  absl::StrAppend(out, seconds);
  AppendNanos(nanos, out);
  out->append("s\"");
  return true;
}

// --- Messages ----------------------------------------------------------------

template <typename T>
void AppendFloating(T v, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else if constexpr (sizeof(T) == sizeof(float)) {
    out->append(google::protobuf::SimpleFtoa(v));
  } else {
    out->append(google::protobuf::SimpleDtoa(v));
  }
}

// Protobuf 3.21's converter prints at most this many nested levels (the
// top message is level 1) and refuses deeper ones; those are left to it
// (and its error). response_json_test pins the edge.
constexpr int kMaxDepth = 65;

bool AppendMessage(const Message& m, int depth, std::string* out);

// Element `index` of a repeated field, or the singular value when index < 0.
bool AppendValue(const Message& m, const FieldDescriptor* f, int index, int depth,
                 std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      absl::StrAppend(out, rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      absl::StrAppend(out, rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      absl::StrAppend(out, "\"", rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f),
                      "\"");
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      absl::StrAppend(out, "\"", rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f),
                      "\"");
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      return true;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendFloating(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), out);
      return true;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendFloating(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), out);
      return true;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* value = f->enum_type()->FindValueByNumber(number);
      if (value == nullptr) {
        absl::StrAppend(out, number);
      } else {
        absl::StrAppend(out, "\"", value->name(), "\"");
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        absl::StrAppend(out, "\"", absl::Base64Escape(s), "\"");
        return true;
      }
      return AppendString(s, out);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f),
                           depth + 1, out);
  }
  return false;
}

// A type's fields in the order protobuf prints them (computed once per
// type): declaration order, except that singular Timestamp and Duration
// fields and proto3 `optional` fields of primitive type come last, by field
// number (protobuf's converter lays out the other fields from the type
// first, then appends what it meets in the wire data that it did not lay
// out). Repeated times and `optional` messages stay in place.
bool Appended(const FieldDescriptor* f) {
  if (f->is_repeated()) return false;
  if (f->message_type() != nullptr) return IsTime(f->message_type());
  return f->containing_oneof() != nullptr;
}

std::vector<const FieldDescriptor*> ComputePrintOrder(const Descriptor* d) {
  std::vector<const FieldDescriptor*> fields;
  std::vector<const FieldDescriptor*> appended;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    (Appended(f) ? appended : fields).push_back(f);
  }
  std::sort(appended.begin(), appended.end(),
            [](const FieldDescriptor* a, const FieldDescriptor* b) {
              return a->number() < b->number();
            });
  fields.insert(fields.end(), appended.begin(), appended.end());
  return fields;
}

const std::vector<const FieldDescriptor*>& PrintOrder(const Descriptor* d) {
  static auto* const cache = new PerTypeCache<std::vector<const FieldDescriptor*>>();
  return cache->Get(d, &ComputePrintOrder);
}

bool AppendMessage(const Message& m, int depth, std::string* out) {
  if (depth > kMaxDepth) return false;
  const Descriptor* d = m.GetDescriptor();
  switch (d->well_known_type()) {
    case Descriptor::WELLKNOWNTYPE_TIMESTAMP:
      return AppendTimestamp(m, out);
    case Descriptor::WELLKNOWNTYPE_DURATION:
      return AppendDuration(m, out);
    default:
      break;
  }
  const Reflection* r = m.GetReflection();
  out->push_back('{');
  bool first = true;
  for (const FieldDescriptor* f : PrintOrder(d)) {
    // Unset messages and unset proto3 `optional` fields are left out;
    // primitive and repeated fields are printed with their defaults.
    if (!f->is_repeated() && f->has_presence() && !r->HasField(m, f)) continue;
    if (!first) out->push_back(',');
    first = false;
    absl::StrAppend(out, "\"", f->json_name(), "\":");
    if (!f->is_repeated()) {
      if (!AppendValue(m, f, -1, depth, out)) return false;
      continue;
    }
    out->push_back('[');
    const int n = r->FieldSize(m, f);
    for (int k = 0; k < n; ++k) {
      if (k > 0) out->push_back(',');
      if (!AppendValue(m, f, k, depth, out)) return false;
    }
    out->push_back(']');
  }
  out->push_back('}');
  return true;
}

}  // namespace

bool ResponseJsonCovers(const Descriptor* type) {
  static auto* const cache = new PerTypeCache<bool>();
  return cache->Get(type, [](const Descriptor* t) {
    absl::flat_hash_set<const Descriptor*> visiting;
    return Covers(t, &visiting);
  });
}

bool PrintResponseJson(const Message& message, std::string* out) {
  if (!ResponseJsonCovers(message.GetDescriptor())) return false;
  const size_t size = out->size();
  if (AppendMessage(message, 1, out)) return true;
  out->resize(size);
  return false;
}

}  // namespace kaizen::gateway
