// PrintResponseJson against protobuf's own printer (the gateway's options):
// byte for byte on filled instances of every message reachable from every
// response type of every linked API, and on every Unicode code point.
#include "services/gateway/response_json.h"

#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "json_proto2.pb.h"
#include "json_shapes.pb.h"
#include "services/gateway/linked_apis.h"

namespace kaizen::gateway {
namespace response_json_test {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MessageFactory;
using google::protobuf::Reflection;

std::string Reference(const Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = false;
  options.always_print_primitive_fields = true;
  std::string out;
  const auto status = google::protobuf::util::MessageToJsonString(m, &out, options);
  return status.ok() ? out : "error: " + std::string(status.message());
}

// Every response type of the linked APIs' services, and every message type
// reachable from them.
std::vector<const Descriptor*> ResponseTypes() {
  std::vector<const Descriptor*> out;
  absl::flat_hash_set<const Descriptor*> seen;
  std::vector<const Descriptor*> pending;
  for (const std::string& file : LinkedApiFiles()) {
    const auto* fd = DescriptorPool::generated_pool()->FindFileByName(file);
    if (fd == nullptr) continue;
    for (int s = 0; s < fd->service_count(); ++s) {
      for (int m = 0; m < fd->service(s)->method_count(); ++m) {
        pending.push_back(fd->service(s)->method(m)->output_type());
      }
    }
  }
  // Shapes no served response has yet (testdata/json_shapes.proto).
  for (const char* name : {"kaizen.testing.json.Shapes", "kaizen.testing.json.Tree"}) {
    pending.push_back(DescriptorPool::generated_pool()->FindMessageTypeByName(name));
  }
  while (!pending.empty()) {
    const Descriptor* d = pending.back();
    pending.pop_back();
    if (!seen.insert(d).second) continue;
    out.push_back(d);
    for (int i = 0; i < d->field_count(); ++i) {
      if (d->field(i)->message_type() != nullptr) pending.push_back(d->field(i)->message_type());
    }
  }
  return out;
}

const char* const kStrings[] = {
    "",
    "2022年度 次世代改善リーダー事例研究会",
    "やまだ たろう",
    "quote \" backslash \\ slash / <script>&amp;</script>",
    "\x01\x1f\x7f tab\tnew\nline\r\b\f",
    "\xc2\x80\xc2\x85\xc2\x9f\xc2\xa0\xc2\xad",        // C1 controls, nbsp, soft hyphen
    "\xe2\x80\x8b\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf",  // zero width, separators, BOM
    "\xf0\x9f\x98\x80 emoji \xf0\x9d\x85\xb3 \xf3\xa0\x80\x81",  // U+1F600, U+1D173, U+E0001
};

// Fills `m` from `rng`: every field set or left out, scalars near their
// limits, strings from kStrings, nested messages to `depth`.
void Fill(Message* m, std::mt19937* rng, int depth) {
  const Reflection* r = m->GetReflection();
  const Descriptor* d = m->GetDescriptor();
  auto pick = [&](int n) { return static_cast<int>((*rng)() % n); };
  if (d->full_name() == "google.protobuf.Timestamp" || d->full_name() == "google.protobuf.Duration") {
    const bool timestamp = d->full_name() == "google.protobuf.Timestamp";
    const int64_t seconds[] = {0, 1656633600, 253402300799, timestamp ? -62135596800 : -86400};
    const int32_t nanos[] = {0, 5000000, 123000, 1, 999999999};
    int64_t s = seconds[pick(4)];
    int32_t n = nanos[pick(5)];
    if (!timestamp && s < 0) n = -n;
    r->SetInt64(m, d->FindFieldByNumber(1), s);
    r->SetInt32(m, d->FindFieldByNumber(2), n);
    return;
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const int count = f->is_repeated() ? pick(3) : (f->has_presence() && pick(3) == 0 ? 0 : 1);
    for (int k = 0; k < count; ++k) {
      const bool rep = f->is_repeated();
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32: {
          const int32_t v[] = {0, 1, -1, 123456, std::numeric_limits<int32_t>::max(),
                               std::numeric_limits<int32_t>::min()};
          rep ? r->AddInt32(m, f, v[pick(6)]) : r->SetInt32(m, f, v[pick(6)]);
          break;
        }
        case FieldDescriptor::CPPTYPE_UINT32: {
          const uint32_t v[] = {0, 1, 4000000000u};
          rep ? r->AddUInt32(m, f, v[pick(3)]) : r->SetUInt32(m, f, v[pick(3)]);
          break;
        }
        case FieldDescriptor::CPPTYPE_INT64: {
          const int64_t v[] = {0, -1, 10000, std::numeric_limits<int64_t>::max(),
                               std::numeric_limits<int64_t>::min()};
          rep ? r->AddInt64(m, f, v[pick(5)]) : r->SetInt64(m, f, v[pick(5)]);
          break;
        }
        case FieldDescriptor::CPPTYPE_UINT64: {
          const uint64_t v[] = {0, 1, std::numeric_limits<uint64_t>::max()};
          rep ? r->AddUInt64(m, f, v[pick(3)]) : r->SetUInt64(m, f, v[pick(3)]);
          break;
        }
        case FieldDescriptor::CPPTYPE_BOOL:
          rep ? r->AddBool(m, f, pick(2) == 1) : r->SetBool(m, f, pick(2) == 1);
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE: {
          const double v[] = {0.0, -0.0, 1.5, 0.1, 1e-7, 123456789.125, 1e300, 4.35,
                              std::nan(""), std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity()};
          rep ? r->AddDouble(m, f, v[pick(11)]) : r->SetDouble(m, f, v[pick(11)]);
          break;
        }
        case FieldDescriptor::CPPTYPE_FLOAT: {
          const float v[] = {0.0f, 1.5f, 0.1f, 3.4e38f, std::nanf("")};
          rep ? r->AddFloat(m, f, v[pick(5)]) : r->SetFloat(m, f, v[pick(5)]);
          break;
        }
        case FieldDescriptor::CPPTYPE_ENUM: {
          const auto* e = f->enum_type();
          const int v = pick(4) == 0 ? 99 : e->value(pick(e->value_count()))->number();
          rep ? r->AddEnumValue(m, f, v) : r->SetEnumValue(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_STRING: {
          std::string v = kStrings[pick(std::size(kStrings))];
          if (f->type() == FieldDescriptor::TYPE_BYTES) v = std::string("\x00\xff\x10pdf", 6);
          rep ? r->AddString(m, f, v) : r->SetString(m, f, v);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth <= 0) break;
          Fill(rep ? r->AddMessage(m, f) : r->MutableMessage(m, f), rng, depth - 1);
          break;
      }
    }
  }
}

TEST(ResponseJsonTest, SameBytesAsProtobufForEveryResponseType) {
  const std::vector<const Descriptor*> types = ResponseTypes();
  ASSERT_GT(types.size(), 50u);
  int covered = 0, compared = 0, refused = 0;
  std::mt19937 rng(20221);
  for (const Descriptor* d : types) {
    if (!ResponseJsonCovers(d)) continue;
    ++covered;
    const Message* prototype = MessageFactory::generated_factory()->GetPrototype(d);
    for (int round = 0; round < 100; ++round) {
      std::unique_ptr<Message> m(prototype->New());
      if (round > 0) Fill(m.get(), &rng, 3);  // round 0: the empty message
      std::string fast = "prefix";
      if (!PrintResponseJson(*m, &fast)) {  // a time out of range
        EXPECT_EQ(fast, "prefix") << "a refusal must leave the output unchanged";
        ++refused;
        continue;
      }
      ++compared;
      ASSERT_EQ(fast, "prefix" + Reference(*m)) << d->full_name() << " round " << round;
    }
  }
  EXPECT_GT(covered, 40);
  EXPECT_GT(compared, 1000);
  EXPECT_LT(refused, compared / 2);
}

TEST(ResponseJsonTest, TestOnlyShapesAreCovered) {
  EXPECT_TRUE(ResponseJsonCovers(kaizen::testing::json::Shapes::descriptor()));
  EXPECT_TRUE(ResponseJsonCovers(kaizen::testing::json::Tree::descriptor()));
}

// A json_name set in the .proto and proto2 messages (defaults printed for
// unset fields) are protobuf's: not covered, and the response is protobuf's.
TEST(ResponseJsonTest, CustomJsonNamesAndProto2AreLeftToProtobuf) {
  kaizen::testing::json::Renamed renamed;
  renamed.set_plain("x");
  kaizen::testing::json::Old old;
  old.set_c(2);
  for (const Message* m : {static_cast<const Message*>(&renamed),
                           static_cast<const Message*>(&old)}) {
    EXPECT_FALSE(ResponseJsonCovers(m->GetDescriptor())) << m->GetTypeName();
    std::string out;
    EXPECT_FALSE(PrintResponseJson(*m, &out)) << m->GetTypeName();
  }
  EXPECT_EQ(Reference(renamed), R"({"a\u003cb":"x","q\"x":0})");
  EXPECT_EQ(Reference(old), R"({"a":5,"b":"","c":2,"d":[]})");
}

// Deeper than protobuf's nesting limit (65 levels here): left to protobuf,
// which refuses it; up to it, printed the same.
TEST(ResponseJsonTest, NestingDeeperThanProtobufsLimitIsLeftToProtobuf) {
  for (int depth : {60, 65, 66, 80}) {
    kaizen::testing::json::Tree root;
    kaizen::testing::json::Tree* node = &root;
    for (int i = 1; i < depth; ++i) node = node->add_children();
    node->set_name("leaf");
    std::string fast;
    if (PrintResponseJson(root, &fast)) {
      EXPECT_EQ(fast, Reference(root)) << "depth " << depth;
    } else {
      EXPECT_TRUE(absl::StartsWith(Reference(root), "error")) << "depth " << depth;
      EXPECT_GT(depth, 65);
    }
  }
}

TEST(ResponseJsonTest, CohortIsCoveredAndMapsAndOneofsAreNot) {
  const auto* pool = DescriptorPool::generated_pool();
  EXPECT_TRUE(ResponseJsonCovers(pool->FindMessageTypeByName("kaizen.enrollment.v1.Cohort")));
  EXPECT_TRUE(
      ResponseJsonCovers(pool->FindMessageTypeByName("kaizen.enrollment.v1.ListCohortsResponse")));
  for (const Descriptor* d : ResponseTypes()) {
    bool has_map_or_oneof = d->real_oneof_decl_count() > 0;
    for (int i = 0; i < d->field_count(); ++i) has_map_or_oneof |= d->field(i)->is_map();
    if (has_map_or_oneof) {
      EXPECT_FALSE(ResponseJsonCovers(d)) << d->full_name();
    }
  }
}

// Out-of-range times are protobuf's to refuse: not printed here.
TEST(ResponseJsonTest, TimesOutOfRangeAreLeftToProtobuf) {
  const auto* d =
      DescriptorPool::generated_pool()->FindMessageTypeByName("kaizen.enrollment.v1.Cohort");
  std::unique_ptr<Message> m(MessageFactory::generated_factory()->GetPrototype(d)->New());
  Message* open = m->GetReflection()->MutableMessage(m.get(), d->FindFieldByName("application_open_time"));
  open->GetReflection()->SetInt64(open, open->GetDescriptor()->FindFieldByNumber(1), 253402300800);
  std::string out;
  EXPECT_FALSE(PrintResponseJson(*m, &out));
  EXPECT_TRUE(out.empty());
}

// Every code point (but surrogates) in a string, escaped as protobuf does.
TEST(ResponseJsonTest, EveryCodePointEscapedAsProtobufDoes) {
  const auto* d =
      DescriptorPool::generated_pool()->FindMessageTypeByName("kaizen.enrollment.v1.Cohort");
  const FieldDescriptor* title = d->FindFieldByName("title");
  std::unique_ptr<Message> m(MessageFactory::generated_factory()->GetPrototype(d)->New());
  for (uint32_t start = 1; start < 0x110000; start += 4096) {
    std::string text;
    for (uint32_t cp = start; cp < start + 4096 && cp < 0x110000; ++cp) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (cp < 0x80) {
        text.push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        text.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        text.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
      } else if (cp < 0x10000) {
        text.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        text.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        text.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
      } else {
        text.push_back(static_cast<char>(0xf0 | (cp >> 18)));
        text.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        text.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        text.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
      }
    }
    m->GetReflection()->SetString(m.get(), title, text);
    std::string fast;
    ASSERT_TRUE(PrintResponseJson(*m, &fast));
    ASSERT_EQ(fast, Reference(*m)) << "code points from U+" << std::hex << start;
  }
}

}  // namespace
}  // namespace kaizen::gateway
