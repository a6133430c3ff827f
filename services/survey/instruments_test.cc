#include "services/survey/instruments.h"

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status/errors.h"
#include "gtest/gtest.h"

namespace kaizen::survey {
namespace instruments_test {

using google::protobuf::RepeatedPtrField;

// The (field, reason) pairs of an error: BadRequest fields with the
// ErrorInfo reason (one reason per status).
std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> out;
  const auto bad = errors::GetBadRequest(status);
  if (!bad.has_value()) return out;
  for (const auto& v : bad->field_violations()) out.push_back(v.field());
  return out;
}

std::string Repeat(absl::string_view unit, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.append(unit.data(), unit.size());
  return s;
}

// ---------------------------------------------------------------- the default

class DefaultPreSurveyTest : public ::testing::Test {
 protected:
  const v1::Instrument instrument_ = DefaultPreSurvey();
  const v1::InstrumentVersion& version_ = instrument_.first_version();

  const v1::Item* Item(const std::string& id) const {
    for (const v1::Item& item : version_.items()) {
      if (item.id() == id) return &item;
    }
    return nullptr;
  }
  const v1::Scale* Scale(const std::string& id) const {
    for (const v1::Scale& scale : version_.scales()) {
      if (scale.id() == id) return &scale;
    }
    return nullptr;
  }
};

TEST_F(DefaultPreSurveyTest, NameAndTitle) {
  EXPECT_EQ(instrument_.name(), "instruments/kaizen-pre");
  EXPECT_EQ(instrument_.title(), "次世代改善リーダー 事前アンケート");
  EXPECT_FALSE(instrument_.description().empty());
}

TEST_F(DefaultPreSurveyTest, Validates) {
  EXPECT_TRUE(ValidateVersion(version_, nullptr).ok())
      << ValidateVersion(version_, nullptr);
  // And is a valid successor of itself.
  EXPECT_TRUE(ValidateVersion(version_, &version_).ok());
}

TEST_F(DefaultPreSurveyTest, FortyItemsTenScales) {
  EXPECT_EQ(version_.items_size(), 40);
  EXPECT_EQ(version_.scales_size(), 10);
}

TEST_F(DefaultPreSurveyTest, OneScalePerWall) {
  std::map<int, std::string> walls;
  for (const v1::Scale& scale : version_.scales()) {
    if (scale.kind() != v1::Scale::WALL) continue;
    EXPECT_TRUE(walls.emplace(scale.wall(), scale.id()).second);
    EXPECT_GE(scale.item_ids_size(), 3);
    EXPECT_LE(scale.item_ids_size(), 4);
  }
  EXPECT_EQ(walls, (std::map<int, std::string>{
                       {type::PEERS, "wall-peers"},
                       {type::SENIORS_AND_BOSSES, "wall-seniors"},
                       {type::EXECUTIVES, "wall-executives"},
                       {type::HR_EVALUATION, "wall-hr"}}));
  // Higher = stronger wall: the peers wall's plain items state the wall,
  // the reversed one its absence.
  const v1::Scale& peers = *Scale("wall-peers");
  EXPECT_EQ(Item(peers.item_ids(0))->text(),
            "改善を提案しても同僚は協力してくれない");
  ASSERT_EQ(peers.reverse_item_ids_size(), 1);
  EXPECT_EQ(Item(peers.reverse_item_ids(0))->text(),
            "同僚は私の改善の取り組みに関心を持ってくれる");
}

TEST_F(DefaultPreSurveyTest, FiveManagementScalesAndSelfEfficacy) {
  const std::map<std::string, std::string> want = {
      {"mgmt-openness", "提案への開放性"},
      {"mgmt-speed", "意思決定の速さ"},
      {"mgmt-culture", "改善文化"},
      {"mgmt-cooperation", "部署間の協力"},
      {"mgmt-leadership", "トップのリーダーシップ"}};
  std::map<std::string, std::string> got;
  for (const v1::Scale& scale : version_.scales()) {
    if (scale.kind() != v1::Scale::MANAGEMENT) continue;
    got[scale.id()] = scale.title();
    EXPECT_EQ(scale.item_ids_size(), 3) << scale.id();
    EXPECT_EQ(scale.wall(), type::WALL_UNSPECIFIED);
  }
  EXPECT_EQ(got, want);
  const v1::Scale* self = Scale("self-efficacy");
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->kind(), v1::Scale::SELF_EFFICACY);
  EXPECT_EQ(self->title(), "改善の自己効力感");
  EXPECT_EQ(self->item_ids_size(), 4);
}

TEST_F(DefaultPreSurveyTest, EveryScaleHasAReversedItem) {
  for (const v1::Scale& scale : version_.scales()) {
    EXPECT_GE(scale.reverse_item_ids_size(), 1) << scale.id();
    EXPECT_LT(scale.reverse_item_ids_size(), scale.item_ids_size())
        << scale.id();
  }
}

TEST_F(DefaultPreSurveyTest, LikertItemsAreFivePointInJapaneseInOneScale) {
  std::map<std::string, int> scales_of;
  for (const v1::Scale& scale : version_.scales()) {
    for (const std::string& id : scale.item_ids()) ++scales_of[id];
  }
  int likert = 0;
  for (const v1::Item& item : version_.items()) {
    if (item.type() != v1::Item::LIKERT) continue;
    ++likert;
    EXPECT_TRUE(item.required()) << item.id();
    EXPECT_EQ(item.likert().points(), 5);
    ASSERT_EQ(item.likert().labels_size(), 5);
    EXPECT_EQ(item.likert().labels(0), "まったくあてはまらない");
    EXPECT_EQ(item.likert().labels(1), "あまりあてはまらない");
    EXPECT_EQ(item.likert().labels(2), "どちらともいえない");
    EXPECT_EQ(item.likert().labels(3), "ややあてはまる");
    EXPECT_EQ(item.likert().labels(4), "とてもあてはまる");
    EXPECT_EQ(scales_of[item.id()], 1) << item.id();
  }
  EXPECT_EQ(likert, 35);
}

TEST_F(DefaultPreSurveyTest, StableReadableIds) {
  for (const char* id : {"wall-peers-1", "wall-seniors-3", "wall-executives-4",
                         "wall-hr-2", "mgmt-openness-2", "mgmt-speed-1",
                         "mgmt-culture-3", "mgmt-cooperation-2",
                         "mgmt-leadership-1", "self-efficacy-4"}) {
    EXPECT_NE(Item(id), nullptr) << id;
  }
}

TEST_F(DefaultPreSurveyTest, ProfileAndFreeTextItems) {
  const v1::Item* department = Item("profile-department");
  ASSERT_NE(department, nullptr);
  EXPECT_EQ(department->type(), v1::Item::SINGLE_CHOICE);
  EXPECT_GE(department->choices_size(), 2);

  const v1::Item* years = Item("profile-years");
  ASSERT_NE(years, nullptr);
  EXPECT_EQ(years->type(), v1::Item::NUMBER);
  EXPECT_TRUE(years->number().integer());
  EXPECT_EQ(years->number().min(), 0);
  EXPECT_EQ(years->number().max(), 45);

  const v1::Item* wall_now = Item(std::string(kPreSurveyWallNowItem));
  ASSERT_NE(wall_now, nullptr);
  EXPECT_EQ(wall_now->type(), v1::Item::FREE_TEXT);
  EXPECT_FALSE(wall_now->required());
  EXPECT_EQ(wall_now->max_length(), 2000);
  EXPECT_NE(wall_now->text().find("いまぶつかっている壁"), std::string::npos);
}

// ---------------------------------------------------------------- versions

// A small valid version: two 5-point items in a WALL scale, a choice, a
// number and a free text.
v1::InstrumentVersion Small() {
  v1::InstrumentVersion v;
  for (const char* id : {"a", "b"}) {
    v1::Item* item = v.add_items();
    item->set_id(id);
    item->set_type(v1::Item::LIKERT);
    item->set_text("同僚は協力してくれない");
    item->set_required(true);
    item->mutable_likert()->set_points(5);
  }
  v1::Item* choice = v.add_items();  // items[2]
  choice->set_id("dept");
  choice->set_type(v1::Item::SINGLE_CHOICE);
  choice->set_text("所属");
  for (const char* id : {"x", "y", "z"}) {
    v1::Choice* c = choice->add_choices();
    c->set_id(id);
    c->set_label("部署");
  }
  v1::Item* number = v.add_items();  // items[3]
  number->set_id("years");
  number->set_type(v1::Item::NUMBER);
  number->set_text("勤続年数");
  number->mutable_number()->set_min(0);
  number->mutable_number()->set_max(45);
  number->mutable_number()->set_integer(true);
  v1::Item* text = v.add_items();  // items[4]
  text->set_id("wall-now");
  text->set_type(v1::Item::FREE_TEXT);
  text->set_text("いまぶつかっている壁");
  v1::Scale* scale = v.add_scales();
  scale->set_id("peers");
  scale->set_title("同僚の壁");
  scale->set_kind(v1::Scale::WALL);
  scale->set_wall(type::PEERS);
  scale->add_item_ids("a");
  scale->add_item_ids("b");
  scale->add_reverse_item_ids("b");
  return v;
}

TEST(ValidateVersionTest, SmallIsValid) {
  EXPECT_TRUE(ValidateVersion(Small(), nullptr).ok())
      << ValidateVersion(Small(), nullptr);
}

struct BadVersion {
  const char* what;
  std::function<void(v1::InstrumentVersion&)> mutate;
  const char* field;
};

TEST(ValidateVersionTest, EachRuleNamesItsField) {
  auto second_scale = [](v1::InstrumentVersion& v) -> v1::Scale& {
    v1::Scale* s = v.add_scales();
    *s = v.scales(0);
    s->set_id("other");
    s->set_kind(v1::Scale::MANAGEMENT);
    s->set_wall(type::WALL_UNSPECIFIED);
    return *s;
  };
  const BadVersion cases[] = {
      {"empty item id", [](auto& v) { v.mutable_items(2)->clear_id(); },
       "version.items[2].id"},
      {"upper-case id", [](auto& v) { v.mutable_items(3)->set_id("Bad_Id"); },
       "version.items[3].id"},
      {"id starting with a digit",
       [](auto& v) { v.mutable_items(3)->set_id("1a"); },
       "version.items[3].id"},
      {"64-char id",
       [](auto& v) { v.mutable_items(3)->set_id(std::string(64, 'y')); },
       "version.items[3].id"},
      {"duplicate id", [](auto& v) { v.mutable_items(3)->set_id("a"); },
       "version.items[3].id"},
      {"unspecified type",
       [](auto& v) { v.mutable_items(4)->set_type(v1::Item::TYPE_UNSPECIFIED); },
       "version.items[4].type"},
      {"unknown type",
       [](auto& v) {
         v.mutable_items(4)->set_type(static_cast<v1::Item::Type>(99));
       },
       "version.items[4].type"},
      {"empty text", [](auto& v) { v.mutable_items(1)->set_text("  "); },
       "version.items[1].text"},
      {"text of 501",
       [](auto& v) { v.mutable_items(1)->set_text(Repeat("壁", 501)); },
       "version.items[1].text"},
      {"text not UTF-8",
       [](auto& v) { v.mutable_items(1)->set_text("壁\xE3\x81"); },
       "version.items[1].text"},
      {"text with a control character",
       [](auto& v) { v.mutable_items(1)->set_text("壁\x01"); },
       "version.items[1].text"},
      {"likert missing",
       [](auto& v) { v.mutable_items(0)->clear_likert(); },
       "version.items[0].likert"},
      {"likert 1 point",
       [](auto& v) { v.mutable_items(0)->mutable_likert()->set_points(1); },
       "version.items[0].likert.points"},
      {"likert 12 points",
       [](auto& v) { v.mutable_items(0)->mutable_likert()->set_points(12); },
       "version.items[0].likert.points"},
      {"3 labels for 5 points",
       [](auto& v) {
         for (int i = 0; i < 3; ++i) {
           v.mutable_items(0)->mutable_likert()->add_labels("ラベル");
         }
       },
       "version.items[0].likert.labels"},
      {"an empty label",
       [](auto& v) {
         auto* likert = v.mutable_items(1)->mutable_likert();
         for (const char* l : {"1", "2", "", "4", "5"}) likert->add_labels(l);
       },
       "version.items[1].likert.labels[2]"},
      {"one choice",
       [](auto& v) {
         v.mutable_items(2)->mutable_choices()->DeleteSubrange(1, 2);
       },
       "version.items[2].choices"},
      {"31 choices",
       [](auto& v) {
         for (int i = 0; i < 28; ++i) {
           v1::Choice* c = v.mutable_items(2)->add_choices();
           c->set_id("c" + std::to_string(i));
           c->set_label("部署");
         }
       },
       "version.items[2].choices"},
      {"duplicate choice id",
       [](auto& v) { v.mutable_items(2)->mutable_choices(2)->set_id("x"); },
       "version.items[2].choices[2].id"},
      {"invalid choice id",
       [](auto& v) { v.mutable_items(2)->mutable_choices(1)->set_id("総務"); },
       "version.items[2].choices[1].id"},
      {"empty choice label",
       [](auto& v) { v.mutable_items(2)->mutable_choices(0)->clear_label(); },
       "version.items[2].choices[0].label"},
      {"number missing",
       [](auto& v) { v.mutable_items(3)->clear_number(); },
       "version.items[3].number"},
      {"min above max",
       [](auto& v) { v.mutable_items(3)->mutable_number()->set_min(46); },
       "version.items[3].number.max"},
      {"NaN min",
       [](auto& v) {
         v.mutable_items(3)->mutable_number()->set_min(
             std::numeric_limits<double>::quiet_NaN());
       },
       "version.items[3].number.min"},
      {"infinite max",
       [](auto& v) {
         v.mutable_items(3)->mutable_number()->set_max(
             std::numeric_limits<double>::infinity());
       },
       "version.items[3].number.max"},
      {"no whole number in range",
       [](auto& v) {
         v.mutable_items(3)->mutable_number()->set_min(0.2);
         v.mutable_items(3)->mutable_number()->set_max(0.8);
       },
       "version.items[3].number.integer"},
      {"max_length 4001",
       [](auto& v) { v.mutable_items(4)->set_max_length(4001); },
       "version.items[4].max_length"},
      {"negative max_length",
       [](auto& v) { v.mutable_items(4)->set_max_length(-1); },
       "version.items[4].max_length"},
      {"choices on a Likert item",
       [](auto& v) { *v.mutable_items(0)->add_choices() = v.items(2).choices(0); },
       "version.items[0].choices"},
      {"max_length on a number",
       [](auto& v) { v.mutable_items(3)->set_max_length(10); },
       "version.items[3].max_length"},
      {"likert on a free text",
       [](auto& v) { v.mutable_items(4)->mutable_likert()->set_points(5); },
       "version.items[4].likert"},
      {"number on a choice",
       [](auto& v) { v.mutable_items(2)->mutable_number()->set_max(1); },
       "version.items[2].number"},
      {"invalid scale id",
       [](auto& v) { v.mutable_scales(0)->set_id("Peers"); },
       "version.scales[0].id"},
      {"duplicate scale id",
       [&](auto& v) { second_scale(v).set_id("peers"); },
       "version.scales[1].id"},
      {"empty scale title",
       [](auto& v) { v.mutable_scales(0)->clear_title(); },
       "version.scales[0].title"},
      {"unspecified kind",
       [](auto& v) {
         v.mutable_scales(0)->set_kind(v1::Scale::KIND_UNSPECIFIED);
       },
       "version.scales[0].kind"},
      {"WALL without a wall",
       [](auto& v) { v.mutable_scales(0)->set_wall(type::WALL_UNSPECIFIED); },
       "version.scales[0].wall"},
      {"WALL with an unknown wall",
       [](auto& v) {
         v.mutable_scales(0)->set_wall(static_cast<type::Wall>(9));
       },
       "version.scales[0].wall"},
      {"MANAGEMENT with a wall",
       [&](auto& v) { second_scale(v).set_wall(type::EXECUTIVES); },
       "version.scales[1].wall"},
      {"two scales for one wall",
       [&](auto& v) {
         v1::Scale& s = second_scale(v);
         s.set_kind(v1::Scale::WALL);
         s.set_wall(type::PEERS);
       },
       "version.scales[1].wall"},
      {"one item",
       [](auto& v) {
         v.mutable_scales(0)->mutable_item_ids()->RemoveLast();
         v.mutable_scales(0)->clear_reverse_item_ids();
       },
       "version.scales[0].item_ids"},
      {"unknown item",
       [](auto& v) { v.mutable_scales(0)->add_item_ids("nope"); },
       "version.scales[0].item_ids[2]"},
      {"not a Likert item",
       [](auto& v) { v.mutable_scales(0)->add_item_ids("years"); },
       "version.scales[0].item_ids[2]"},
      {"item listed twice",
       [](auto& v) { v.mutable_scales(0)->add_item_ids("a"); },
       "version.scales[0].item_ids[2]"},
      {"mixed points",
       [](auto& v) { v.mutable_items(1)->mutable_likert()->set_points(7); },
       "version.scales[0].item_ids[1]"},
      {"reverse item not in the scale",
       [](auto& v) { v.mutable_scales(0)->set_reverse_item_ids(0, "dept"); },
       "version.scales[0].reverse_item_ids[0]"},
      {"reverse item twice",
       [](auto& v) { v.mutable_scales(0)->add_reverse_item_ids("b"); },
       "version.scales[0].reverse_item_ids[1]"},
  };
  for (const BadVersion& c : cases) {
    v1::InstrumentVersion v = Small();
    c.mutate(v);
    const absl::Status status = ValidateVersion(v, nullptr);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_EQ(errors::Reason(status), "INVALID_INSTRUMENT") << c.what;
    EXPECT_EQ(Fields(status), std::vector<std::string>{c.field})
        << c.what << ": " << status;
  }
}

TEST(ValidateVersionTest, Boundaries) {
  v1::InstrumentVersion v = Small();
  v.mutable_items(0)->set_text(Repeat("壁", 500));  // 500 code points
  v.mutable_items(0)->mutable_likert()->set_points(11);
  v.mutable_items(1)->mutable_likert()->set_points(11);
  v.mutable_items(4)->set_max_length(4000);
  v.mutable_items(3)->mutable_number()->set_min(3);
  v.mutable_items(3)->mutable_number()->set_max(3);  // min == max
  v.mutable_items(1)->set_text("1行目\n2行目");        // multiline question
  EXPECT_TRUE(ValidateVersion(v, nullptr).ok()) << ValidateVersion(v, nullptr);
  v.mutable_items(4)->set_max_length(0);  // the default
  EXPECT_TRUE(ValidateVersion(v, nullptr).ok());
  EXPECT_EQ(EffectiveMaxLength(v.items(4)), 2000);
  v.mutable_items(4)->set_max_length(1);
  EXPECT_EQ(EffectiveMaxLength(v.items(4)), 1);
  // Two choices is enough; an OTHER scale has no wall.
  v.mutable_items(2)->mutable_choices()->RemoveLast();
  v.mutable_scales(0)->set_kind(v1::Scale::OTHER);
  v.mutable_scales(0)->set_wall(type::WALL_UNSPECIFIED);
  EXPECT_TRUE(ValidateVersion(v, nullptr).ok()) << ValidateVersion(v, nullptr);
}

TEST(ValidateVersionTest, CollectsEveryViolationInOrder) {
  v1::InstrumentVersion v = Small();
  v.mutable_items(0)->set_id("A");
  v.mutable_items(2)->mutable_choices(0)->set_id("y");
  v.mutable_items(4)->set_max_length(5000);
  v.mutable_scales(0)->set_kind(v1::Scale::KIND_UNSPECIFIED);
  const absl::Status status = ValidateVersion(v, nullptr);
  EXPECT_EQ(errors::Reason(status), "INVALID_INSTRUMENT");
  EXPECT_EQ(Fields(status),
            (std::vector<std::string>{
                "version.items[0].id", "version.items[2].choices[1].id",
                "version.items[4].max_length", "version.scales[0].kind",
                // "A" is not a valid id, so the scale cannot find it.
                "version.scales[0].item_ids[0]"}))
      << status;
  // The message names the first field.
  EXPECT_NE(std::string(status.message()).find("version.items[0].id"),
            std::string::npos);
}

TEST(ValidateVersionTest, InvalidIdsAreNotEchoed) {
  v1::InstrumentVersion v = Small();
  v.mutable_scales(0)->add_item_ids("\xFF\xFE");
  const absl::Status status = ValidateVersion(v, nullptr);
  EXPECT_EQ(Fields(status),
            std::vector<std::string>{"version.scales[0].item_ids[2]"});
  const auto bad = errors::GetBadRequest(status);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(0).description().find('\xFF'),
            std::string::npos);
}

TEST(ValidateVersionTest, ViolationsAreCapped) {
  v1::InstrumentVersion v;
  for (int i = 0; i < 150; ++i) {
    v1::Item* item = v.add_items();
    item->set_id("Bad");
    item->set_type(v1::Item::FREE_TEXT);
    item->set_text("質問");
  }
  const std::vector<std::string> fields = Fields(ValidateVersion(v, nullptr));
  ASSERT_EQ(fields.size(), 101u);
  EXPECT_EQ(fields.back(), "version");
}

TEST(ValidateVersionTest, TooManyItems) {
  v1::InstrumentVersion v;
  for (int i = 0; i < 501; ++i) {
    v1::Item* item = v.add_items();
    item->set_id("q" + std::to_string(i));
    item->set_type(v1::Item::FREE_TEXT);
    item->set_text("質問");
  }
  EXPECT_EQ(Fields(ValidateVersion(v, nullptr)),
            std::vector<std::string>{"version.items"});
}

TEST(ValidateVersionTest, ItemIdKeepsItsType) {
  const v1::InstrumentVersion published = Small();
  v1::InstrumentVersion next = Small();
  // "wall-now" becomes a Likert item: the free-text answers of earlier waves
  // would be compared with scores under one id.
  v1::Item* item = next.mutable_items(4);
  item->set_type(v1::Item::LIKERT);
  item->mutable_likert()->set_points(5);
  absl::Status status = ValidateVersion(next, &published);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::Reason(status), "ITEM_ID_CHANGED");
  EXPECT_EQ(Fields(status), std::vector<std::string>{"version.items[4].type"});
  EXPECT_NE(std::string(status.message()).find("\"wall-now\""),
            std::string::npos)
      << status;
  EXPECT_TRUE(ValidateVersion(next, nullptr).ok());  // fine as a first version

  // A Likert item keeps its points.
  next = Small();
  next.mutable_items(0)->mutable_likert()->set_points(7);
  next.mutable_items(1)->mutable_likert()->set_points(7);
  status = ValidateVersion(next, &published);
  EXPECT_EQ(errors::Reason(status), "ITEM_ID_CHANGED");
  EXPECT_EQ(Fields(status),
            (std::vector<std::string>{"version.items[0].likert.points",
                                      "version.items[1].likert.points"}));

  // Removing, adding, rewording and reordering items is fine.
  next = Small();
  next.mutable_items()->SwapElements(2, 3);
  next.mutable_items()->RemoveLast();  // "wall-now" removed
  next.mutable_items(0)->set_text("言い換えた質問");
  v1::Item* added = next.add_items();
  added->set_id("wall-now-2");
  added->set_type(v1::Item::FREE_TEXT);
  added->set_text("新しい質問");
  EXPECT_TRUE(ValidateVersion(next, &published).ok())
      << ValidateVersion(next, &published);
}

TEST(ValidateVersionTest, StructuralReasonComesFirst) {
  const v1::InstrumentVersion published = Small();
  v1::InstrumentVersion next = Small();
  next.mutable_items(3)->set_type(v1::Item::FREE_TEXT);
  next.mutable_items(3)->clear_number();
  next.mutable_scales(0)->clear_title();
  const absl::Status status = ValidateVersion(next, &published);
  EXPECT_EQ(errors::Reason(status), "INVALID_INSTRUMENT");
  EXPECT_EQ(Fields(status),
            (std::vector<std::string>{"version.scales[0].title",
                                      "version.items[3].type"}));
}

// ---------------------------------------------------------------- answers

class ValidateAnswersTest : public ::testing::Test {
 protected:
  ValidateAnswersTest() : version_(DefaultPreSurvey().first_version()) {}

  // A complete, valid response to the pre-survey.
  RepeatedPtrField<v1::Answer> Complete() const {
    RepeatedPtrField<v1::Answer> answers;
    for (const v1::Item& item : version_.items()) {
      v1::Answer* a = answers.Add();
      a->set_item_id(item.id());
      switch (item.type()) {
        case v1::Item::LIKERT:
          a->set_likert(1 + answers.size() % 5);
          break;
        case v1::Item::SINGLE_CHOICE:
          a->set_choice("welfare");
          break;
        case v1::Item::MULTIPLE_CHOICE:
          a->mutable_choices()->add_ids("work-process");
          a->mutable_choices()->add_ids("business-tools");
          break;
        case v1::Item::NUMBER:
          a->set_number(7);
          break;
        case v1::Item::FREE_TEXT:
          a->set_text(
              "係内で改善を提案しても「前例がない」と言われる。\n"
              "同僚を巻き込むきっかけが欲しい。");
          a->set_share_text(true);
          a->set_share_with_employer(true);
          break;
        default:
          break;
      }
    }
    return answers;
  }

  v1::Answer* Find(RepeatedPtrField<v1::Answer>& answers,
                   const std::string& id) {
    for (v1::Answer& a : answers) {
      if (a.item_id() == id) return &a;
    }
    return nullptr;
  }

  void ExpectOne(const RepeatedPtrField<v1::Answer>& answers, bool submit,
                 const std::string& field, const std::string& reason,
                 const std::string& what) {
    const absl::Status status = ValidateAnswers(version_, answers, submit);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << what;
    EXPECT_EQ(errors::Reason(status), reason) << what;
    EXPECT_EQ(Fields(status), std::vector<std::string>{field})
        << what << ": " << status;
  }

  v1::InstrumentVersion version_;
};

TEST_F(ValidateAnswersTest, CompleteResponseSubmits) {
  EXPECT_TRUE(ValidateAnswers(version_, Complete(), true).ok())
      << ValidateAnswers(version_, Complete(), true);
}

TEST_F(ValidateAnswersTest, PartialSavesButDoesNotSubmit) {
  RepeatedPtrField<v1::Answer> answers = Complete();
  answers.DeleteSubrange(0, 1);  // wall-peers-1
  EXPECT_TRUE(ValidateAnswers(version_, answers, false).ok());
  ExpectOne(answers, true, "answers[wall-peers-1]", "ANSWER_REQUIRED",
            "missing required");
  // Nothing at all: every required item is named, in item order.
  const absl::Status empty =
      ValidateAnswers(version_, RepeatedPtrField<v1::Answer>(), true);
  EXPECT_EQ(errors::Reason(empty), "ANSWER_REQUIRED");
  const std::vector<std::string> fields = Fields(empty);
  ASSERT_EQ(fields.size(), 37u);  // 35 Likert, department, years
  EXPECT_EQ(fields.front(), "answers[wall-peers-1]");
  EXPECT_EQ(fields.back(), "answers[profile-years]");
  EXPECT_TRUE(
      ValidateAnswers(version_, RepeatedPtrField<v1::Answer>(), false).ok());
}

TEST_F(ValidateAnswersTest, OptionalItemsMayBeLeftOut) {
  RepeatedPtrField<v1::Answer> answers = Complete();
  answers.DeleteSubrange(answers.size() - 3, 3);  // activities, both texts
  EXPECT_TRUE(ValidateAnswers(version_, answers, true).ok());
}

struct BadAnswer {
  const char* what;
  const char* item;
  std::function<void(v1::Answer&)> mutate;
};

TEST_F(ValidateAnswersTest, EachBadValueNamesItsItem) {
  const BadAnswer cases[] = {
      {"likert 0", "wall-hr-2", [](v1::Answer& a) { a.set_likert(0); }},
      {"likert 6", "wall-hr-2", [](v1::Answer& a) { a.set_likert(6); }},
      {"text for a Likert item", "mgmt-speed-1",
       [](v1::Answer& a) { a.set_text("5"); }},
      {"no value", "mgmt-speed-1", [](v1::Answer& a) { a.clear_value(); }},
      {"share_text on a Likert item", "mgmt-speed-1",
       [](v1::Answer& a) { a.set_share_text(true); }},
      {"share_with_employer on a Likert item", "mgmt-speed-1",
       [](v1::Answer& a) { a.set_share_with_employer(true); }},
      {"share_with_employer on a choice item", "profile-department",
       [](v1::Answer& a) { a.set_share_with_employer(true); }},
      {"unknown choice", "profile-department",
       [](v1::Answer& a) { a.set_choice("police"); }},
      {"choices for a single choice", "profile-department",
       [](v1::Answer& a) { a.mutable_choices()->add_ids("welfare"); }},
      {"unknown among choices", "profile-activities",
       [](v1::Answer& a) { a.mutable_choices()->add_ids("karaoke"); }},
      {"a choice twice", "profile-activities",
       [](v1::Answer& a) { a.mutable_choices()->add_ids("work-process"); }},
      {"no choices", "profile-activities",
       [](v1::Answer& a) { a.mutable_choices()->clear_ids(); }},
      {"years 46", "profile-years", [](v1::Answer& a) { a.set_number(46); }},
      {"years -1", "profile-years", [](v1::Answer& a) { a.set_number(-1); }},
      {"years 3.5", "profile-years", [](v1::Answer& a) { a.set_number(3.5); }},
      {"years NaN", "profile-years",
       [](v1::Answer& a) {
         a.set_number(std::numeric_limits<double>::quiet_NaN());
       }},
      {"likert for a number", "profile-years",
       [](v1::Answer& a) { a.set_likert(3); }},
      {"text of 2001", "free-wall-now",
       [](v1::Answer& a) { a.set_text(Repeat("壁", 2001)); }},
      {"invalid UTF-8", "free-wall-now",
       [](v1::Answer& a) { a.set_text("同僚が\xE5\x8D"); }},
      {"overlong UTF-8", "free-wall-now",
       [](v1::Answer& a) { a.set_text("\xC0\xAF"); }},
      {"carriage return", "free-wall-now",
       [](v1::Answer& a) { a.set_text("一行目\r\n二行目"); }},
      {"NUL", "free-wish",
       [](v1::Answer& a) { a.set_text(std::string("a\0b", 3)); }},
  };
  for (const BadAnswer& c : cases) {
    RepeatedPtrField<v1::Answer> answers = Complete();
    c.mutate(*Find(answers, c.item));
    ExpectOne(answers, false, std::string("answers[") + c.item + "]",
              "INVALID_ANSWER", c.what);
    // On submit too, and a bad answer to a required item is not also
    // reported as missing.
    ExpectOne(answers, true, std::string("answers[") + c.item + "]",
              "INVALID_ANSWER", c.what);
  }
}

TEST_F(ValidateAnswersTest, JapaneseTextWithinLimits) {
  RepeatedPtrField<v1::Answer> answers = Complete();
  // 2,000 code points (6,000 bytes), with line breaks and a tab, and
  // surrounding full-width spaces that do not count.
  std::string text = "\u3000" + Repeat("壁", 1996) + "\n\t。\n" + "\u3000";
  Find(answers, "free-wall-now")->set_text(text);
  Find(answers, "free-wish")->set_text("🙂 絵文字も書ける");
  EXPECT_TRUE(ValidateAnswers(version_, answers, true).ok())
      << ValidateAnswers(version_, answers, true);
}

TEST_F(ValidateAnswersTest, BlankTextDoesNotAnswerARequiredItem) {
  v1::Item* item = version_.mutable_items(version_.items_size() - 1);
  item->set_required(true);  // free-wish
  RepeatedPtrField<v1::Answer> answers = Complete();
  Find(answers, "free-wish")->set_text(" \u3000 ");
  EXPECT_TRUE(ValidateAnswers(version_, answers, false).ok());
  ExpectOne(answers, true, "answers[free-wish]", "ANSWER_REQUIRED",
            "blank text");
}

TEST_F(ValidateAnswersTest, UnknownAndDuplicateItems) {
  RepeatedPtrField<v1::Answer> answers = Complete();
  v1::Answer* unknown = answers.Add();
  unknown->set_item_id("wall-peers-9");
  unknown->set_likert(3);
  ExpectOne(answers, false, "answers[wall-peers-9]", "INVALID_ANSWER",
            "unknown item");

  answers = Complete();
  *answers.Add() = answers.Get(0);
  ExpectOne(answers, true, "answers[wall-peers-1]", "INVALID_ANSWER",
            "duplicate");

  // An id that is not even an id is named by position.
  answers = Complete();
  answers.Mutable(3)->set_item_id("壁\xFF");
  const absl::Status status = ValidateAnswers(version_, answers, true);
  EXPECT_EQ(errors::Reason(status), "INVALID_ANSWER");
  EXPECT_EQ(Fields(status),
            (std::vector<std::string>{"answers[3]",
                                      "answers[wall-peers-4]"}));
}

TEST_F(ValidateAnswersTest, CollectsEveryViolation) {
  RepeatedPtrField<v1::Answer> answers = Complete();
  Find(answers, "wall-peers-2")->set_likert(9);
  Find(answers, "profile-years")->set_number(100);
  answers.DeleteSubrange(0, 1);  // wall-peers-1 missing
  const absl::Status status = ValidateAnswers(version_, answers, true);
  EXPECT_EQ(errors::Reason(status), "INVALID_ANSWER");
  EXPECT_EQ(Fields(status),
            (std::vector<std::string>{"answers[wall-peers-2]",
                                      "answers[profile-years]",
                                      "answers[wall-peers-1]"}));
  // Descriptions never echo the value.
  const auto bad = errors::GetBadRequest(status);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->field_violations(1).description(), "must be from 0 to 45");
}

TEST_F(ValidateAnswersTest, ViolationsAreCapped) {
  RepeatedPtrField<v1::Answer> answers;
  for (int i = 0; i < 1000; ++i) answers.Add()->set_item_id("nope");
  const std::vector<std::string> fields =
      Fields(ValidateAnswers(version_, answers, true));
  ASSERT_EQ(fields.size(), 101u);
  EXPECT_EQ(fields.back(), "answers");
}

}  // namespace
}  // namespace kaizen::survey
