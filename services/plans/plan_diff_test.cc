#include "services/plans/plan_diff.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace kaizen::plans {
namespace plan_diff_test {

using v1::TextEdit;

struct Run {
  TextEdit::Op op;
  std::string text;
};

std::vector<Run> Runs(const std::vector<TextEdit>& edits) {
  std::vector<Run> runs;
  for (const TextEdit& e : edits) runs.push_back({e.op(), e.text()});
  return runs;
}

void ExpectRuns(const std::vector<TextEdit>& edits, const std::vector<Run>& want) {
  const std::vector<Run> got = Runs(edits);
  ASSERT_EQ(got.size(), want.size()) << RenderTextDiff(edits);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].op, want[i].op) << "run " << i << ": " << RenderTextDiff(edits);
    EXPECT_EQ(got[i].text, want[i].text) << "run " << i;
  }
}

// The text kept by the edit script when dropping `drop`: INSERT gives the
// old text back, DELETE the new one.
std::string Apply(const std::vector<TextEdit>& edits, TextEdit::Op drop) {
  std::string out;
  for (const TextEdit& e : edits) {
    if (e.op() != drop) out += e.text();
  }
  return out;
}

// Splits valid UTF-8 into code points, one string each.
std::vector<std::string> CodePoints(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

size_t CountCodePoints(const std::string& s) { return CodePoints(s).size(); }

// Length of the longest common subsequence, by dynamic programming.
size_t Lcs(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<size_t> row(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = 0;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = a[i - 1] == b[j - 1] ? diag + 1 : std::max(row[j], row[j - 1]);
      diag = up;
    }
  }
  return row[b.size()];
}

// Checks everything an edit script promises: it turns `a` into `b`, runs are
// merged and non-empty, and (when `check_minimal`) it is a shortest one.
void ExpectValidScript(const std::string& a, const std::string& b,
                       const std::vector<TextEdit>& edits, bool check_minimal) {
  if (a == b) {
    EXPECT_TRUE(edits.empty());  // no script at all, not one EQUAL run
    return;
  }
  EXPECT_EQ(Apply(edits, TextEdit::INSERT), a);
  EXPECT_EQ(Apply(edits, TextEdit::DELETE), b);
  size_t edited = 0;
  for (size_t i = 0; i < edits.size(); ++i) {
    EXPECT_FALSE(edits[i].text().empty()) << i;
    if (i > 0) {
      EXPECT_NE(edits[i].op(), edits[i - 1].op()) << "unmerged run at " << i;
    }
    if (edits[i].op() != TextEdit::EQUAL) edited += CountCodePoints(edits[i].text());
  }
  if (check_minimal) {
    const std::vector<std::string> ca = CodePoints(a);
    const std::vector<std::string> cb = CodePoints(b);
    EXPECT_EQ(edited, ca.size() + cb.size() - 2 * Lcs(ca, cb)) << a << " -> " << b;
  }
}

// ---------------------------------------------------------------------------
// DiffText and RenderTextDiff.

TEST(DiffTextTest, IdenticalAndEmptyStringsHaveNoEdits) {
  EXPECT_TRUE(DiffText("", "").empty());
  EXPECT_TRUE(DiffText("同じ文章", "同じ文章").empty());
  EXPECT_EQ(RenderTextDiff({}), "");
}

TEST(DiffTextTest, FromAndToEmpty) {
  ExpectRuns(DiffText("", "改善"), {{TextEdit::INSERT, "改善"}});
  ExpectRuns(DiffText("改善", ""), {{TextEdit::DELETE, "改善"}});
  EXPECT_EQ(RenderTextDiff(DiffText("", "改善")), "{+改善+}");
  EXPECT_EQ(RenderTextDiff(DiffText("改善", "")), "[-改善-]");
}

TEST(DiffTextTest, JapaneseAtCharacterGranularity) {
  const std::string a = "同僚を巻き込んで改善を進める";
  const std::string b = "同僚と上司を巻き込んで改善を進めたい";
  const std::vector<TextEdit> edits = DiffText(a, b);
  // 14 and 18 code points with 13 in common: 1 deletion and 5 insertions.
  ExpectRuns(edits, {{TextEdit::EQUAL, "同僚"},
                     {TextEdit::INSERT, "と上司"},
                     {TextEdit::EQUAL, "を巻き込んで改善を進め"},
                     {TextEdit::DELETE, "る"},
                     {TextEdit::INSERT, "たい"}});
  EXPECT_EQ(RenderTextDiff(edits), "同僚{+と上司+}を巻き込んで改善を進め[-る-]{+たい+}");
  ExpectValidScript(a, b, edits, /*check_minimal=*/true);
}

TEST(DiffTextTest, DeletionComesBeforeInsertionInAReplacement) {
  ExpectRuns(DiffText("上期に実施", "下期に実施"),
             {{TextEdit::DELETE, "上"}, {TextEdit::INSERT, "下"}, {TextEdit::EQUAL, "期に実施"}});
}

TEST(DiffTextTest, FourByteCodePointsAreNeverSplit) {
  // U+1F600 and U+1F602 share their first three UTF-8 bytes.
  const std::string a = "家族\U0001F600と";
  const std::string b = "家族\U0001F602と";
  const std::vector<TextEdit> edits = DiffText(a, b);
  ExpectRuns(edits, {{TextEdit::EQUAL, "家族"},
                     {TextEdit::DELETE, "\U0001F600"},
                     {TextEdit::INSERT, "\U0001F602"},
                     {TextEdit::EQUAL, "と"}});
  EXPECT_EQ(RenderTextDiff(edits), "家族[-\U0001F600-]{+\U0001F602+}と");
  ExpectValidScript("👍🏽 改善 🎉", "🎉 改善 👍🏽!", DiffText("👍🏽 改善 🎉", "🎉 改善 👍🏽!"),
                    /*check_minimal=*/true);
}

TEST(DiffTextTest, InvalidBytesAreSingleCodePointsAndKept) {
  // A lone continuation byte, a truncated 3-byte sequence and an overlong
  // '/' (C0 AF) all survive byte for byte.
  const std::string a = std::string("a\x80") + "b\xE3\x81" + "c";
  const std::string b = std::string("a\x81") + "b\xE3\x81\x82" + "c\xC0\xAF";
  const std::vector<TextEdit> edits = DiffText(a, b);
  EXPECT_EQ(Apply(edits, TextEdit::INSERT), a);
  EXPECT_EQ(Apply(edits, TextEdit::DELETE), b);
  ExpectRuns(DiffText("x\xFFy", "x\xFEy"),
             {{TextEdit::EQUAL, "x"},
              {TextEdit::DELETE, "\xFF"},
              {TextEdit::INSERT, "\xFE"},
              {TextEdit::EQUAL, "y"}});
  // An invalid byte never equals the code point with the same number.
  ExpectRuns(DiffText("\xC3", "\u00C3"), {{TextEdit::DELETE, "\xC3"}, {TextEdit::INSERT, "\u00C3"}});
}

TEST(DiffTextTest, RenderMarksDeletionsAndInsertions) {
  std::vector<TextEdit> edits(3);
  edits[0].set_op(TextEdit::EQUAL);
  edits[0].set_text("ab");
  edits[1].set_op(TextEdit::DELETE);
  edits[1].set_text("c");
  edits[2].set_op(TextEdit::INSERT);
  edits[2].set_text("d");
  EXPECT_EQ(RenderTextDiff(edits), "ab[-c-]{+d+}");
}

TEST(DiffTextTest, RandomJapaneseScriptsRoundTripAndAreShortest) {
  const std::vector<std::string> alphabet = {"あ", "い", "う", "改", "善", "😀", "a"};
  std::mt19937 rng(20240401);
  auto random_text = [&](int max_len) {
    std::string s;
    const int len = std::uniform_int_distribution<int>(0, max_len)(rng);
    for (int i = 0; i < len; ++i) {
      s += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
    }
    return s;
  };
  for (int i = 0; i < 400; ++i) {
    // Small alphabets make many equal characters, so many shortest paths.
    const std::string a = random_text(i < 200 ? 12 : 60);
    const std::string b = i % 3 == 0 ? a + random_text(5) : random_text(i < 200 ? 12 : 60);
    SCOPED_TRACE(a + " -> " + b);
    ExpectValidScript(a, b, DiffText(a, b), /*check_minimal=*/true);
    ExpectValidScript(b, a, DiffText(b, a), /*check_minimal=*/true);
  }
}

// A 4,000-character text over the hiragana block.
std::vector<std::string> RandomHiragana(std::mt19937* rng, int len) {
  std::vector<std::string> out;
  for (int i = 0; i < len; ++i) {
    const int cp = 0x3041 + std::uniform_int_distribution<int>(0, 82)(*rng);
    std::string s;
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
    out.push_back(s);
  }
  return out;
}

std::string Join(const std::vector<std::string>& cps) {
  std::string s;
  for (const std::string& c : cps) s += c;
  return s;
}

TEST(DiffTextTest, FourThousandCharactersWithScatteredEdits) {
  std::mt19937 rng(7);
  std::vector<std::string> a = RandomHiragana(&rng, 4000);
  std::vector<std::string> b = a;
  // 200 scattered edits: replace, insert or delete one to three characters.
  int budget = 0;
  for (int e = 0; e < 200; ++e) {
    const size_t at = std::uniform_int_distribution<size_t>(0, b.size() - 4)(rng);
    const int n = std::uniform_int_distribution<int>(1, 3)(rng);
    const std::vector<std::string> fresh = RandomHiragana(&rng, n);
    switch (e % 3) {
      case 0:
        std::copy(fresh.begin(), fresh.end(), b.begin() + at);
        budget += 2 * n;
        break;
      case 1:
        b.insert(b.begin() + at, fresh.begin(), fresh.end());
        budget += n;
        break;
      default:
        b.erase(b.begin() + at, b.begin() + at + n);
        budget += n;
        break;
    }
  }
  const std::string sa = Join(a);
  const std::string sb = Join(b);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<TextEdit> edits = DiffText(sa, sb);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("DiffText 4000 -> %zu code points, %zu runs: %.2f ms\n", b.size(), edits.size(), ms);
  ExpectValidScript(sa, sb, edits, /*check_minimal=*/false);
  size_t edited = 0;
  for (const TextEdit& e : edits) {
    if (e.op() != TextEdit::EQUAL) edited += CountCodePoints(e.text());
  }
  // A shortest script is never longer than the edits that were made.
  EXPECT_LE(edited, static_cast<size_t>(budget));
  EXPECT_EQ(edited, a.size() + b.size() - 2 * Lcs(a, b));
}

TEST(DiffTextTest, FourThousandCharactersWithNothingInCommon) {
  // The worst case, D = N + M: still one DELETE and one INSERT.
  std::string a, b;
  for (int i = 0; i < 4000; ++i) a += "あ", b += "い";
  const auto start = std::chrono::steady_clock::now();
  const std::vector<TextEdit> edits = DiffText(a, b);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("DiffText 4000 vs 4000 disjoint: %.2f ms\n", ms);
  ExpectRuns(edits, {{TextEdit::DELETE, a}, {TextEdit::INSERT, b}});
}

TEST(DiffTextTest, PastItsEffortCapARangeIsDeletedAndInsertedWhole) {
  // Uncapped: the shortest script keeps "a" and "b".
  ExpectRuns(DiffText("xaybzc", "aqbrc"), {{TextEdit::DELETE, "x"},
                                           {TextEdit::EQUAL, "a"},
                                           {TextEdit::DELETE, "y"},
                                           {TextEdit::INSERT, "q"},
                                           {TextEdit::EQUAL, "b"},
                                           {TextEdit::DELETE, "z"},
                                           {TextEdit::INSERT, "r"},
                                           {TextEdit::EQUAL, "c"}});
  // No effort left: the common prefix and suffix still match (they cost no
  // search), the middle is one deletion and one insertion.
  ExpectRuns(DiffText("xaybzc", "aqbrc", /*max_steps=*/0),
             {{TextEdit::DELETE, "xaybz"}, {TextEdit::INSERT, "aqbr"}, {TextEdit::EQUAL, "c"}});
  // Two unrelated texts of 4,000 characters (about 10^7 diagonals without
  // the cap) still give a valid script.
  std::mt19937 rng(11);
  const std::string a = Join(RandomHiragana(&rng, 4000));
  const std::string b = Join(RandomHiragana(&rng, 4000));
  ExpectValidScript(a, b, DiffText(a, b), /*check_minimal=*/false);
}

// ---------------------------------------------------------------------------
// DiffPlans.

v1::Action MakeAction(const std::string& id, const std::string& title) {
  v1::Action a;
  a.set_id(id);
  a.set_title(title);
  a.set_description(title + "の説明");
  a.set_target_result(kaizen::type::PEERS);
  a.add_stakeholders(v1::PEERS_AROUND);
  a.set_timeframe("2023年度上期");
  a.set_indicator("参加者が3人以上");
  a.set_status(v1::Action::PLANNED);
  return a;
}

v1::PlanContent SampleContent() {
  v1::PlanContent c;
  c.set_vision("職場の改善を当たり前にする");
  v1::WallStatement* w = c.add_walls();
  w->set_wall(kaizen::type::PEERS);
  w->set_text("同僚が協力してくれない");
  w = c.add_walls();
  w->set_wall(kaizen::type::EXECUTIVES);
  w->set_text("提案が経営層に届かない");
  *c.add_actions() = MakeAction("a1", "朝会で共有する");
  *c.add_actions() = MakeAction("a2", "上司と面談する");
  v1::Milestone* m = c.add_milestones();
  m->set_title("中間発表");
  m->mutable_target_date()->set_year(2024);
  m->mutable_target_date()->set_month(3);
  m->mutable_target_date()->set_day(5);
  return c;
}

std::vector<std::string> FieldNames(const google::protobuf::RepeatedPtrField<v1::FieldChange>& f) {
  std::vector<std::string> names;
  for (const v1::FieldChange& c : f) names.push_back(c.field());
  return names;
}

std::vector<std::string> TextFields(const v1::PlanDiff& diff) {
  std::vector<std::string> names;
  for (const v1::TextDiff& t : diff.text()) names.push_back(t.field());
  return names;
}

const v1::FieldChange* FindField(const google::protobuf::RepeatedPtrField<v1::FieldChange>& f,
                                 const std::string& name) {
  for (const v1::FieldChange& c : f) {
    if (c.field() == name) return &c;
  }
  return nullptr;
}

TEST(DiffPlansTest, IdenticalContentHasNoChanges) {
  const v1::PlanContent c = SampleContent();
  const v1::PlanDiff diff = DiffPlans(3, c, 4, c);
  EXPECT_EQ(diff.from_revision(), 3);
  EXPECT_EQ(diff.to_revision(), 4);
  EXPECT_EQ(diff.actions_size(), 0);
  EXPECT_EQ(diff.fields_size(), 0);
  EXPECT_EQ(diff.text_size(), 0);
}

TEST(DiffPlansTest, FromNothingEverythingIsAdded) {
  const v1::PlanDiff diff = DiffPlans(0, v1::PlanContent(), 1, SampleContent());
  ASSERT_EQ(diff.actions_size(), 2);
  EXPECT_EQ(diff.actions(0).action_id(), "a1");
  EXPECT_EQ(diff.actions(0).title(), "朝会で共有する");
  EXPECT_EQ(diff.actions(0).kind(), v1::ActionChange::ADDED);
  EXPECT_EQ(diff.actions(0).fields_size(), 0);
  EXPECT_EQ(diff.actions(1).action_id(), "a2");
  EXPECT_EQ(FieldNames(diff.fields()),
            (std::vector<std::string>{"vision", "walls[PEERS]", "walls[EXECUTIVES]", "milestones",
                                      "milestones[0].title", "milestones[0].target_date"}));
  const v1::FieldChange* count = FindField(diff.fields(), "milestones");
  EXPECT_EQ(count->old_value(), "0");
  EXPECT_EQ(count->new_value(), "1");
  EXPECT_EQ(FindField(diff.fields(), "milestones[0].target_date")->new_value(), "2024-03-05");
  EXPECT_EQ(FindField(diff.fields(), "walls[PEERS]")->old_value(), "");
  EXPECT_EQ(TextFields(diff),
            (std::vector<std::string>{
                "vision", "walls[PEERS].text", "walls[EXECUTIVES].text", "actions[a1].title",
                "actions[a1].description", "actions[a1].indicator", "actions[a2].title",
                "actions[a2].description", "actions[a2].indicator"}));
  EXPECT_EQ(diff.text(0).rendered(), "{+職場の改善を当たり前にする+}");
  ASSERT_EQ(diff.text(0).edits_size(), 1);
  EXPECT_EQ(diff.text(0).edits(0).op(), TextEdit::INSERT);
}

TEST(DiffPlansTest, ActionChangedFieldByField) {
  const v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  v1::Action* a = to.mutable_actions(1);
  a->set_title("上司と月1回面談する");
  a->set_description("説明を変えた");
  a->set_target_result(kaizen::type::SENIORS_AND_BOSSES);
  a->add_stakeholders(v1::SENIORS_BOSSES);
  a->set_timeframe("2023年度下期");
  a->set_indicator("面談が6回");
  a->set_status(v1::Action::IN_PROGRESS);
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  ASSERT_EQ(diff.actions_size(), 1);
  const v1::ActionChange& change = diff.actions(0);
  EXPECT_EQ(change.action_id(), "a2");
  EXPECT_EQ(change.title(), "上司と月1回面談する");
  EXPECT_EQ(change.kind(), v1::ActionChange::CHANGED);
  EXPECT_EQ(FieldNames(change.fields()),
            (std::vector<std::string>{"title", "description", "target_result", "stakeholders",
                                      "timeframe", "indicator", "status"}));
  const v1::FieldChange* target = FindField(change.fields(), "target_result");
  EXPECT_EQ(target->old_value(), "PEERS");
  EXPECT_EQ(target->new_value(), "SENIORS_AND_BOSSES");
  const v1::FieldChange* stakeholders = FindField(change.fields(), "stakeholders");
  EXPECT_EQ(stakeholders->old_value(), "PEERS_AROUND");
  EXPECT_EQ(stakeholders->new_value(), "PEERS_AROUND, SENIORS_BOSSES");
  const v1::FieldChange* status = FindField(change.fields(), "status");
  EXPECT_EQ(status->old_value(), "PLANNED");
  EXPECT_EQ(status->new_value(), "IN_PROGRESS");
  EXPECT_EQ(FindField(change.fields(), "timeframe")->new_value(), "2023年度下期");
  EXPECT_EQ(diff.fields_size(), 0);
  EXPECT_EQ(TextFields(diff),
            (std::vector<std::string>{"actions[a2].title", "actions[a2].description",
                                      "actions[a2].indicator"}));
  EXPECT_EQ(diff.text(0).rendered(), "上司と{+月1回+}面談する");
}

TEST(DiffPlansTest, OnlyChangedFieldsAreListed) {
  const v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  to.mutable_actions(0)->set_status(v1::Action::DONE);
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  ASSERT_EQ(diff.actions_size(), 1);
  EXPECT_EQ(FieldNames(diff.actions(0).fields()), (std::vector<std::string>{"status"}));
  EXPECT_EQ(diff.text_size(), 0);  // status is not free text
}

TEST(DiffPlansTest, AddedThenRemovedActionsInOrder) {
  v1::PlanContent from = SampleContent();
  *from.add_actions() = MakeAction("a3", "人事と話す");
  v1::PlanContent to = SampleContent();
  to.mutable_actions()->DeleteSubrange(0, 1);  // a1 removed
  *to.mutable_actions()->Add() = MakeAction("a4", "役員に提案する");
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  ASSERT_EQ(diff.actions_size(), 3);
  EXPECT_EQ(diff.actions(0).action_id(), "a4");
  EXPECT_EQ(diff.actions(0).kind(), v1::ActionChange::ADDED);
  EXPECT_EQ(diff.actions(1).action_id(), "a1");
  EXPECT_EQ(diff.actions(1).kind(), v1::ActionChange::REMOVED);
  EXPECT_EQ(diff.actions(1).title(), "朝会で共有する");
  EXPECT_EQ(diff.actions(2).action_id(), "a3");
  EXPECT_EQ(diff.actions(2).kind(), v1::ActionChange::REMOVED);
  EXPECT_EQ(TextFields(diff),
            (std::vector<std::string>{"actions[a4].title", "actions[a4].description",
                                      "actions[a4].indicator", "actions[a1].title",
                                      "actions[a1].description", "actions[a1].indicator",
                                      "actions[a3].title", "actions[a3].description",
                                      "actions[a3].indicator"}));
  EXPECT_EQ(diff.text(3).rendered(), "[-朝会で共有する-]");
}

TEST(DiffPlansTest, PureReorderingReportsNothing) {
  const v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  to.mutable_actions()->SwapElements(0, 1);
  to.mutable_walls()->SwapElements(0, 1);
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  EXPECT_EQ(diff.actions_size(), 0);
  EXPECT_EQ(diff.fields_size(), 0);
  EXPECT_EQ(diff.text_size(), 0);
  // The order is content all the same: a reordered draft can be committed.
  EXPECT_FALSE(SameContent(from, to));
}

TEST(DiffPlansTest, ReorderedAndChangedListsTheChangeInNewOrder) {
  const v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  to.mutable_actions()->SwapElements(0, 1);
  to.mutable_actions(0)->set_indicator("面談が6回");  // a2, now first
  to.mutable_actions(1)->set_indicator("参加者が5人以上");  // a1
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  ASSERT_EQ(diff.actions_size(), 2);
  EXPECT_EQ(diff.actions(0).action_id(), "a2");
  EXPECT_EQ(diff.actions(1).action_id(), "a1");
  EXPECT_EQ(TextFields(diff),
            (std::vector<std::string>{"actions[a2].indicator", "actions[a1].indicator"}));
  EXPECT_EQ(diff.text(1).rendered(), "参加者が[-3-]{+5+}人以上");
}

TEST(DiffPlansTest, WallsAddedRemovedAndChanged) {
  const v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  to.mutable_walls()->Clear();
  v1::WallStatement* w = to.add_walls();
  w->set_wall(kaizen::type::HR_EVALUATION);
  w->set_text("評価に反映されない");
  w = to.add_walls();
  w->set_wall(kaizen::type::PEERS);
  w->set_text("同僚が全く協力してくれない");
  // EXECUTIVES removed.
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  EXPECT_EQ(FieldNames(diff.fields()),
            (std::vector<std::string>{"walls[PEERS]", "walls[EXECUTIVES]", "walls[HR_EVALUATION]"}));
  const v1::FieldChange* peers = FindField(diff.fields(), "walls[PEERS]");
  EXPECT_EQ(peers->old_value(), "同僚が協力してくれない");
  EXPECT_EQ(peers->new_value(), "同僚が全く協力してくれない");
  const v1::FieldChange* executives = FindField(diff.fields(), "walls[EXECUTIVES]");
  EXPECT_EQ(executives->old_value(), "提案が経営層に届かない");
  EXPECT_EQ(executives->new_value(), "");
  EXPECT_EQ(FindField(diff.fields(), "walls[HR_EVALUATION]")->old_value(), "");
  EXPECT_EQ(TextFields(diff), (std::vector<std::string>{"walls[PEERS].text",
                                                        "walls[EXECUTIVES].text",
                                                        "walls[HR_EVALUATION].text"}));
  EXPECT_EQ(diff.text(0).rendered(), "同僚が{+全く+}協力してくれない");
  EXPECT_EQ(diff.text(1).rendered(), "[-提案が経営層に届かない-]");
}

TEST(DiffPlansTest, EmptyWallStatementAddedIsAFieldChangeWithoutText) {
  const v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  to.add_walls()->set_wall(kaizen::type::SENIORS_AND_BOSSES);
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  EXPECT_EQ(FieldNames(diff.fields()), (std::vector<std::string>{"walls[SENIORS_AND_BOSSES]"}));
  EXPECT_EQ(diff.text_size(), 0);
}

TEST(DiffPlansTest, MilestonesByIndex) {
  v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  v1::Milestone* m = to.mutable_milestones(0);
  m->set_title("中間発表会");
  m->mutable_target_date()->set_day(12);
  m->set_done(true);
  v1::Milestone* extra = to.add_milestones();
  extra->set_title("最終発表");
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  EXPECT_EQ(FieldNames(diff.fields()),
            (std::vector<std::string>{"milestones", "milestones[0].title",
                                      "milestones[0].target_date", "milestones[0].done",
                                      "milestones[1].title"}));
  EXPECT_EQ(FindField(diff.fields(), "milestones")->old_value(), "1");
  EXPECT_EQ(FindField(diff.fields(), "milestones")->new_value(), "2");
  const v1::FieldChange* date = FindField(diff.fields(), "milestones[0].target_date");
  EXPECT_EQ(date->old_value(), "2024-03-05");
  EXPECT_EQ(date->new_value(), "2024-03-12");
  const v1::FieldChange* done = FindField(diff.fields(), "milestones[0].done");
  EXPECT_EQ(done->old_value(), "false");
  EXPECT_EQ(done->new_value(), "true");
  EXPECT_EQ(FindField(diff.fields(), "milestones[1].title")->old_value(), "");
  // Milestone titles are structured fields, not free text.
  EXPECT_EQ(diff.text_size(), 0);

  // Removing the milestone again is symmetric.
  const v1::PlanDiff back = DiffPlans(2, to, 3, from);
  EXPECT_EQ(FindField(back.fields(), "milestones")->new_value(), "1");
  EXPECT_EQ(FindField(back.fields(), "milestones[1].title")->new_value(), "");
}

TEST(DiffPlansTest, VisionTextDiff) {
  const v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  to.set_vision("職場の改善を誰にとっても当たり前にする");
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  EXPECT_EQ(FieldNames(diff.fields()), (std::vector<std::string>{"vision"}));
  ASSERT_EQ(diff.text_size(), 1);
  EXPECT_EQ(diff.text(0).field(), "vision");
  EXPECT_EQ(diff.text(0).rendered(), "職場の改善を{+誰にとっても+}当たり前にする");
}

TEST(DiffPlansTest, UnknownEnumValuesRenderAsNumbers) {
  const v1::PlanContent from = SampleContent();
  v1::PlanContent to = from;
  to.mutable_actions(0)->set_status(static_cast<v1::Action::Status>(9));
  const v1::PlanDiff diff = DiffPlans(1, from, 2, to);
  ASSERT_EQ(diff.actions_size(), 1);
  EXPECT_EQ(diff.actions(0).fields(0).new_value(), "9");
}

// ---------------------------------------------------------------------------
// SameContent.

TEST(SameContentTest, EqualFieldByField) {
  const v1::PlanContent c = SampleContent();
  EXPECT_TRUE(SameContent(c, c));
  EXPECT_TRUE(SameContent(v1::PlanContent(), v1::PlanContent()));
  v1::PlanContent changed = c;
  changed.mutable_actions(1)->set_timeframe("来年");
  EXPECT_FALSE(SameContent(c, changed));
  v1::PlanContent more = c;
  more.add_milestones();
  EXPECT_FALSE(SameContent(c, more));
}

TEST(SameContentTest, UnsetAndEmptyMessagesAreTheSame) {
  v1::PlanContent a = SampleContent();
  a.mutable_milestones(0)->clear_target_date();
  v1::PlanContent b = a;
  b.mutable_milestones(0)->mutable_target_date();  // present, all zero
  EXPECT_TRUE(SameContent(a, b));
  EXPECT_EQ(DiffPlans(1, a, 2, b).fields_size(), 0);
}

}  // namespace
}  // namespace kaizen::plans
