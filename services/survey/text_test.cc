#include "services/survey/text.h"

#include <cmath>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/survey/stats.h"

namespace kaizen::survey::text {
namespace text_test {

using ::kaizen::type::Wall;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

const Tokenizer& Shared() {
  static const Tokenizer* const tokenizer = [] {
    absl::StatusOr<std::unique_ptr<Tokenizer>> t = Tokenizer::Create();
    if (!t.ok()) {
      ADD_FAILURE() << t.status();
      std::abort();
    }
    return t->release();
  }();
  return *tokenizer;
}

std::vector<std::string> Bases(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const Token& t : tokens) out.push_back(t.base);
  return out;
}

const Token* Find(const std::vector<Token>& tokens, absl::string_view surface) {
  for (const Token& t : tokens) {
    if (t.surface == surface) return &t;
  }
  return nullptr;
}

// --- Tokenizer --------------------------------------------------------------

TEST(TokenizerTest, BaseFormsPartsOfSpeechAndOffsets) {
  const std::string text = "同僚を巻き込んで改善を進めたい";
  const std::vector<Token> tokens = Shared().Tokenize(text);
  EXPECT_THAT(Bases(tokens), ElementsAre("同僚", "を", "巻き込む", "で", "改善",
                                         "を", "進める", "たい"));
  const Token* verb = Find(tokens, "巻き込ん");
  ASSERT_NE(verb, nullptr);
  EXPECT_EQ(verb->base, "巻き込む");
  EXPECT_EQ(verb->pos, "動詞");
  EXPECT_EQ(verb->pos_detail, "自立");
  EXPECT_EQ(verb->begin, 9u);  // 同僚を = 3 characters x 3 bytes
  EXPECT_EQ(verb->end, 21u);
  EXPECT_EQ(tokens[0].pos, "名詞");
  EXPECT_EQ(tokens[0].pos_detail, "一般");
  for (const Token& t : tokens) {
    EXPECT_EQ(text.substr(t.begin, t.end - t.begin), t.surface);
  }
}

TEST(TokenizerTest, IpadicBaseFormsTheRulesRelyOn) {
  // Potential verbs are entries of their own; 報われる is 報う + れる.
  EXPECT_THAT(Bases(Shared().Tokenize("言い出せない")),
              ElementsAre("言い出せる", "ない"));
  EXPECT_THAT(Bases(Shared().Tokenize("報われない")),
              ElementsAre("報う", "れる", "ない"));
  EXPECT_THAT(Bases(Shared().Tokenize("誰も乗ってこない")),
              ElementsAre("誰", "も", "乗る", "て", "くる", "ない"));
  EXPECT_THAT(Bases(Shared().Tokenize("上層部で握りつぶされる")),
              ElementsAre("上層", "部", "で", "握りつぶす", "れる"));
}

TEST(TokenizerTest, SpacesAreSkippedButOffsetsPointIntoTheInput) {
  const std::string text = "改善  提案\u3000です";
  const std::vector<Token> tokens = Shared().Tokenize(text);
  ASSERT_GE(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].surface, "改善");
  EXPECT_EQ(tokens[1].surface, "提案");
  EXPECT_EQ(tokens[1].begin, 8u);
  for (const Token& t : tokens) {
    EXPECT_EQ(text.substr(t.begin, t.end - t.begin), t.surface);
  }
}

TEST(TokenizerTest, UnknownWordsFallBackToTheirSurface) {
  const std::vector<Token> tokens = Shared().Tokenize("ＲＰＡで効率化");
  ASSERT_FALSE(tokens.empty());
  EXPECT_EQ(tokens[0].surface, "ＲＰＡ");
  EXPECT_EQ(tokens[0].base, "ＲＰＡ");
  EXPECT_EQ(tokens[0].pos, "名詞");
}

TEST(TokenizerTest, EmptyTextHasNoTokens) {
  EXPECT_THAT(Shared().Tokenize(""), IsEmpty());
}

TEST(TokenizerTest, MissingDictionaryIsFailedPrecondition) {
  // MeCab reads $MECABRC before /etc/mecabrc.
  const char* saved = std::getenv("MECABRC");
  const std::string restore = saved != nullptr ? saved : "";
  ::setenv("MECABRC", "/nonexistent/mecabrc", 1);
  absl::StatusOr<std::unique_ptr<Tokenizer>> t = Tokenizer::Create();
  if (saved != nullptr) {
    ::setenv("MECABRC", restore.c_str(), 1);
  } else {
    ::unsetenv("MECABRC");
  }
  EXPECT_EQ(t.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(t.status().message(), HasSubstr("mecab-ipadic-utf8"));
}

TEST(TokenizerTest, EightThreadsAtOnceGiveIdenticalResults) {
  // A Tokenizer of its own, so the lattice count is this test's.
  absl::StatusOr<std::unique_ptr<Tokenizer>> made = Tokenizer::Create();
  ASSERT_TRUE(made.ok()) << made.status();
  const Tokenizer& tokenizer = **made;
  const std::vector<std::string> sentences = {
      "係のみんなに声をかけても誰も乗ってこない",
      "課長に話すと面倒な奴だと思われそうで言い出せない",
      "せっかくの提案も部長のところで止まってしまう",
      "業務改善をしても人事評価では全く考慮されない",
      "今年度は窓口業務のデジタル化に取り組んでいます",
  };
  std::vector<std::vector<Token>> expected;
  for (const std::string& s : sentences)
    expected.push_back(tokenizer.Tokenize(s));

  constexpr int kThreads = 8;
  constexpr int kRounds = 300;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        const size_t i = (t + r) % sentences.size();
        const std::vector<Token> got = tokenizer.Tokenize(sentences[i]);
        bool same = got.size() == expected[i].size();
        for (size_t k = 0; same && k < got.size(); ++k) {
          const Token& a = got[k];
          const Token& b = expected[i][k];
          same = a.surface == b.surface && a.base == b.base && a.pos == b.pos &&
                 a.pos_detail == b.pos_detail && a.begin == b.begin &&
                 a.end == b.end;
        }
        if (!same) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
  // One lattice per thread at most, reused across its 300 calls.
  EXPECT_GE(tokenizer.LatticesCreatedForTest(), 1u);
  EXPECT_LE(tokenizer.LatticesCreatedForTest(), static_cast<size_t>(kThreads));
}

// Memory is bounded (text.h): with room for two at a time, four callers
// hold two lattices and two wait; released, all four finish on those two.
TEST(TokenizerTest, AtMostMaxConcurrentTextsAreTokenizedAtOnce) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> made = Tokenizer::Create(/*max_concurrent=*/2);
  ASSERT_TRUE(made.ok()) << made.status();
  Tokenizer& tokenizer = **made;
  EXPECT_EQ(tokenizer.max_concurrent(), 2);
  absl::Notification release;
  tokenizer.SetHoldHookForTest([&] { release.WaitForNotification(); });
  std::vector<std::thread> threads;
  std::atomic<int> tokenized{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      if (!tokenizer.Tokenize("係長に相談すると前例がないと怒られる").empty()) ++tokenized;
    });
  }
  EXPECT_TRUE(tokenizer.AwaitForTest(/*in_use=*/2, /*waiting=*/2, std::chrono::seconds(30)));
  release.Notify();
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(tokenized.load(), 4);
  EXPECT_EQ(tokenizer.LatticesCreatedForTest(), 2u);
  EXPECT_EQ(tokenizer.LatticesKeptForTest(), 2u);
  absl::StatusOr<std::unique_ptr<Tokenizer>> machine = Tokenizer::Create();
  ASSERT_TRUE(machine.ok());
  EXPECT_GE((*machine)->max_concurrent(), 2);
  EXPECT_LE((*machine)->max_concurrent(), 8);
}

// A lattice keeps the memory of the longest text it parsed: after a text
// longer than kKeepLatticeBytes it is freed, not kept for the next caller.
TEST(TokenizerTest, ALatticeThatParsedALongTextIsNotKept) {
  absl::StatusOr<std::unique_ptr<Tokenizer>> made = Tokenizer::Create(/*max_concurrent=*/2);
  ASSERT_TRUE(made.ok()) << made.status();
  const Tokenizer& tokenizer = **made;
  EXPECT_THAT(tokenizer.Tokenize("短い回答です"), Not(IsEmpty()));
  EXPECT_EQ(tokenizer.LatticesKeptForTest(), 1u);
  std::string long_answer;
  while (long_answer.size() <= Tokenizer::kKeepLatticeBytes) {
    long_answer += "研修では住民の声を聞き、業務改善の計画を立てて実行しました。";
  }
  EXPECT_THAT(tokenizer.Tokenize(long_answer), Not(IsEmpty()));
  EXPECT_EQ(tokenizer.LatticesKeptForTest(), 0u) << "the grown lattice was freed";
  EXPECT_THAT(tokenizer.Tokenize("短い回答です"), Not(IsEmpty()));
  EXPECT_EQ(tokenizer.LatticesCreatedForTest(), 2u);
  EXPECT_EQ(tokenizer.LatticesKeptForTest(), 1u);
}

// --- Content words and counts -----------------------------------------------

TEST(ContentWordTest, KeepsContentDropsFunctionWordsAndStopwords) {
  const std::vector<Token> tokens =
      Shared().Tokenize("係長に相談すると前例がないと怒られる");
  std::vector<std::string> content;
  for (const Token& t : tokens) {
    if (IsContentWord(t)) content.push_back(t.base);
  }
  // する (light verb), ない (adjective), れる (動詞,接尾) and particles are
  // out.
  EXPECT_THAT(content, ElementsAre("係長", "相談", "前例", "怒る"));
}

TEST(ContentWordTest, ExcludedNounKinds) {
  // 誰 代名詞, 一 数, 人 接尾 (一人), こと 非自立, 的 接尾; いる 非自立.
  const std::vector<Token> tokens =
      Shared().Tokenize("誰も一人で協力的なことをしている");
  std::vector<std::string> content;
  for (const Token& t : tokens) {
    if (IsContentWord(t)) content.push_back(t.base);
  }
  EXPECT_THAT(content, ElementsAre("協力"));
}

TEST(ContentWordTest, AdjectivesAreContentWords) {
  const std::vector<Token> tokens = Shared().Tokenize("先輩が怖くて言えない");
  std::vector<std::string> content;
  for (const Token& t : tokens) {
    if (IsContentWord(t)) content.push_back(t.base);
  }
  EXPECT_THAT(content, ElementsAre("先輩", "怖い", "言える"));
}

TEST(CountTermsTest, CountsContentBaseForms) {
  const std::vector<Token> tokens =
      Shared().Tokenize("提案しても提案が通らない。上司に提案すると怒られる");
  EXPECT_THAT(CountTerms(tokens),
              ElementsAre(Pair("上司", 1), Pair("怒る", 1), Pair("提案", 3),
                          Pair("通る", 1)));
}

// --- Distinctive terms ------------------------------------------------------

TEST(LogLikelihoodTest, HandComputedValues) {
  // a=10, b=5, c=100, d=500: E1 = 100*15/600 = 2.5, E2 = 12.5,
  // G2 = 2(10 ln 4 + 5 ln 0.4) = 2(13.862944 - 4.581454) = 18.562980
  EXPECT_NEAR(stats::LogLikelihoodG2(10, 5, 100, 500), 18.562980, 1e-5);
  // b = 0 uses 0 ln 0 = 0: E1 = 10*4/20 = 2, G2 = 2 * 4 ln 2 = 5.545177...
  EXPECT_NEAR(stats::LogLikelihoodG2(4, 0, 10, 10), 5.545177, 1e-5);
  // Same relative frequency: no difference.
  EXPECT_NEAR(stats::LogLikelihoodG2(2, 4, 10, 20), 0, 1e-12);
  EXPECT_EQ(stats::LogLikelihoodG2(0, 0, 0, 0), 0);
}

TEST(DistinctiveTermsTest, OneMunicipalityAgainstThePool) {
  // Target: a municipality whose answers are about bosses; reference: a pool
  // about colleagues and evaluation.
  std::map<std::string, int> target;
  for (const char* s : {"上司に提案すると怒られる", "上司が怖くて提案できない",
                        "上司の顔色を見てしまう"}) {
    for (const auto& [term, n] : CountTerms(Shared().Tokenize(s))) {
      target[term] += n;
    }
  }
  std::map<std::string, int> reference;
  for (const char* s :
       {"同僚が協力してくれない", "職場の同僚は改善に無関心だ",
        "同僚を巻き込んで改善を進めたい", "改善が人事評価に反映されない",
        "改善しても評価されない", "提案が幹部に届かない"}) {
    for (const auto& [term, n] : CountTerms(Shared().Tokenize(s))) {
      reference[term] += n;
    }
  }
  // Hand check of the inputs: target has 9 content words (上司 3, 提案 2,
  // 怒る, 怖い, 顔色, 見る; する and できる are stopwords), the reference 19
  // (改善 4, 同僚 3, 評価 2, and 協力, 職場, 関心, 巻き込む, 進める, 人事,
  // 反映, 提案, 幹部, 届く once each; 無 of 無関心 is a prefix).
  int c = 0, d = 0;
  for (const auto& [term, n] : target) c += n;
  for (const auto& [term, n] : reference) d += n;
  ASSERT_EQ(target.at("上司"), 3);
  ASSERT_EQ(c, 9);
  ASSERT_EQ(d, 19);
  ASSERT_EQ(reference.count("上司"), 0u);

  const std::vector<Distinctive> top =
      DistinctiveTerms(target, reference, 3, /*min_g2=*/0);
  ASSERT_EQ(top.size(), 3u);
  // 上司: a=3, b=0, c=9, d=19. E1 = 9*3/28 = 0.964286, so
  // G2 = 2 * 3 ln(3/0.964286) = 6 ln(28/9) = 6 * 1.134980 = 6.809880.
  EXPECT_EQ(top[0].term, "上司");
  EXPECT_EQ(top[0].target, 3);
  EXPECT_EQ(top[0].reference, 0);
  EXPECT_NEAR(top[0].g2, 6.809880, 1e-5);
  EXPECT_TRUE(top[0].overused);
  // 改善 (0 vs 4): E2 = 19*4/28, G2 = 8 ln(28/19) = 3.102124, underused;
  // then 同僚 (0 vs 3): 6 ln(28/19) = 2.326593.
  EXPECT_EQ(top[1].term, "改善");
  EXPECT_NEAR(top[1].g2, 3.102124, 1e-5);
  EXPECT_FALSE(top[1].overused);
  EXPECT_EQ(top[2].term, "同僚");
  EXPECT_NEAR(top[2].g2, 2.326593, 1e-5);

  // At the default 5% threshold only 上司 survives.
  const std::vector<Distinctive> significant =
      DistinctiveTerms(target, reference, 10);
  ASSERT_EQ(significant.size(), 1u);
  EXPECT_EQ(significant[0].term, "上司");
  EXPECT_THAT(DistinctiveTerms(target, reference, 0), IsEmpty());
}

// --- Keyword in context -----------------------------------------------------

TEST(KwicTest, WindowIsInCharactersAndNeverSplitsUtf8) {
  const std::string text =
      "同僚を巻き込んで改善を進めたい。仲間を巻き込むのは難しい";
  const std::vector<Token> tokens = Shared().Tokenize(text);
  const std::vector<Kwic> hits = KeywordInContext(text, tokens, "巻き込む", 3);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].left, "同僚を");
  EXPECT_EQ(hits[0].keyword, "巻き込ん");
  EXPECT_EQ(hits[0].right, "で改善");
  EXPECT_EQ(hits[1].left, "仲間を");
  EXPECT_EQ(hits[1].keyword, "巻き込む");
  EXPECT_EQ(hits[1].right, "のは難");
}

TEST(KwicTest, ClipsAtTheEdgesAndMixesAsciiAndEmoji) {
  const std::string text = "提案😀 OK";
  const std::vector<Token> tokens = Shared().Tokenize(text);
  const std::vector<Kwic> hits = KeywordInContext(text, tokens, "提案", 20);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].left, "");
  EXPECT_EQ(hits[0].keyword, "提案");
  EXPECT_EQ(hits[0].right, "😀 OK");
  const std::vector<Kwic> narrow = KeywordInContext(text, tokens, "提案", 1);
  EXPECT_EQ(narrow[0].right, "😀");  // one character, all four bytes
  const std::vector<Kwic> none = KeywordInContext(text, tokens, "提案", 0);
  EXPECT_EQ(none[0].left, "");
  EXPECT_EQ(none[0].right, "");
  EXPECT_THAT(KeywordInContext(text, tokens, "上司", 5), IsEmpty());
}

// --- Coding rule parser -----------------------------------------------------

bool Eval(absl::string_view expression, std::set<std::string> words) {
  absl::StatusOr<CodingRule> rule = CodingRule::Parse(expression);
  EXPECT_TRUE(rule.ok()) << rule.status();
  return rule.ok() && rule->Matches(words);
}

TEST(CodingRuleTest, PrecedenceIsNotThenAndThenOr) {
  // a or (b and c)
  EXPECT_TRUE(Eval("a or b and c", {"a"}));
  EXPECT_FALSE(Eval("a or b and c", {"b"}));
  EXPECT_TRUE(Eval("a or b and c", {"b", "c"}));
  // (not a) and b
  EXPECT_TRUE(Eval("not a and b", {"b"}));
  EXPECT_FALSE(Eval("not a and b", {"a", "b"}));
  EXPECT_FALSE(Eval("not a and b", {}));
  EXPECT_TRUE(Eval("not not a", {"a"}));
  // Parentheses override.
  EXPECT_FALSE(Eval("(a or b) and c", {"a"}));
  EXPECT_TRUE(Eval("(a or b) and c", {"b", "c"}));
  EXPECT_TRUE(Eval("not (a and b)", {"a"}));
  EXPECT_FALSE(Eval("not (a and b)", {"a", "b"}));
}

TEST(CodingRuleTest, JapaneseWordsFullWidthParensAndSpaces) {
  const std::string rule = "（同僚 or 仲間）\u3000AND\u3000(協力 Or 巻き込む)";
  EXPECT_TRUE(Eval(rule, {"仲間", "巻き込む"}));
  EXPECT_FALSE(Eval(rule, {"仲間", "上司"}));
  absl::StatusOr<CodingRule> parsed = CodingRule::Parse(rule);
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT(parsed->Words(), ElementsAre("仲間", "協力", "同僚", "巻き込む"));
  EXPECT_EQ(parsed->expression(), rule);
}

void ExpectSyntaxError(absl::string_view expression,
                       absl::string_view message) {
  absl::StatusOr<CodingRule> rule = CodingRule::Parse(expression);
  ASSERT_FALSE(rule.ok()) << expression;
  EXPECT_EQ(rule.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rule.status().message()),
              HasSubstr(std::string(message)))
      << expression;
}

TEST(CodingRuleTest, EverySyntaxErrorNamesItsPosition) {
  ExpectSyntaxError("",
                    "coding rule is empty: expected a word, \"(\" or "
                    "\"not\" at character 1");
  ExpectSyntaxError(" \u3000 ", "coding rule is empty");
  // Unbalanced parentheses.
  ExpectSyntaxError(
      "(同僚 or 仲間",
      "at character 10: expected \"and\", \"or\" or \")\" to "
      "close the \"(\" at character 1, found the end of the rule");
  ExpectSyntaxError("同僚)", "at character 3: unbalanced \")\" with no \"(\"");
  ExpectSyntaxError("()",
                    "at character 2: expected a word, \"(\" or \"not\" "
                    "after \"(\", found \")\"");
  // Dangling operators.
  ExpectSyntaxError("同僚 and",
                    "at character 7: expected a word, \"(\" or \"not\" after "
                    "\"and\", found the end of the rule");
  ExpectSyntaxError("or 同僚",
                    "at character 1: expected a word, \"(\" or "
                    "\"not\", found \"or\"");
  ExpectSyntaxError("同僚 and or 仲間",
                    "at character 8: expected a word, \"(\" or \"not\" after "
                    "\"and\", found \"or\"");
  ExpectSyntaxError("同僚 not",
                    "at character 4: expected \"and\", \"or\" or "
                    "the end of the rule, found \"not\"");
  ExpectSyntaxError("not",
                    "at character 4: expected a word, \"(\" or \"not\" "
                    "after \"not\", found the end of the rule");
  // Two words with no operator between them.
  ExpectSyntaxError("同僚 仲間",
                    "at character 4: expected \"and\", \"or\" or "
                    "the end of the rule, found the word \"仲間\"");
  ExpectSyntaxError("(同僚 仲間)",
                    "at character 5: expected \"and\", \"or\" or "
                    "\")\" to close the \"(\" at character 1");
  // Unknown tokens: not UTF-8, control characters.
  ExpectSyntaxError("同僚 or \xff\xfe", "at character 7: unknown token");
  ExpectSyntaxError("同僚 or a\x01", "at character 7: unknown token");
}

TEST(CodingRuleTest, LimitsAgainstAbuse) {
  std::string long_rule = "a";
  while (long_rule.size() < 501) long_rule += " or a";
  ExpectSyntaxError(long_rule, "too long");
  // 500 characters of Japanese are fine as far as length goes.
  std::string words = "一";
  for (int i = 1; i < CodingRule::kMaxWords; ++i) words += " or 一";
  EXPECT_TRUE(CodingRule::Parse(words).ok());
  ExpectSyntaxError(words + " or 二",
                    absl::StrCat("at character ", 1 + 5 * 50,
                                 ": too many words: at most 50"));
  std::string deep = "a";
  for (int i = 0; i < CodingRule::kMaxDepth; ++i) deep = "(" + deep + ")";
  EXPECT_TRUE(CodingRule::Parse(deep).ok());
  ExpectSyntaxError(
      "(" + deep + ")",
      "at character 11: parentheses nested too deeply: at most 10");
}

// --- Coding text to walls ---------------------------------------------------

const std::vector<std::pair<Wall, CodingRule>>& Defaults() {
  static const auto* const rules = [] {
    auto compiled = CompileCodingRules(DefaultCodingRules());
    if (!compiled.ok()) {
      ADD_FAILURE() << compiled.status();
      std::abort();
    }
    return new std::vector<std::pair<Wall, CodingRule>>(*std::move(compiled));
  }();
  return *rules;
}

std::vector<Wall> Code(absl::string_view text) {
  return CodeText(Shared(), text, Defaults());
}

TEST(CodingVocabularyTest, CompoundNounsAreWords) {
  const std::set<std::string> v = CodingVocabulary(
      Shared().Tokenize("上層部や管理職は無関心で人事評価制度 も古い"));
  for (const char* w : {"上層部", "管理職", "無関心", "人事評価", "評価制度",
                        "人事評価制度", "上層", "部", "は", "古い"}) {
    EXPECT_EQ(v.count(w), 1u) << w;
  }
  // No compound across the space.
  EXPECT_EQ(v.count("制度も"), 0u);
}

TEST(DefaultRulesTest, EveryWordIsAnIpadicBaseFormOrCompound) {
  // Each word of the dictionary, tokenized on its own, must be in its own
  // coding vocabulary: a base form MeCab produces, or a compound noun.
  // Auxiliaries only occur after a verb, so they are checked in context.
  const std::set<std::string> in_context = {"ない", "ぬ",     "れる",  "られる",
                                            "がる", "にくい", "づらい"};
  const std::set<std::string> context = CodingVocabulary(Shared().Tokenize(
      "言えない。知らず。嫌われる。見られる。変えたがらない。言いにくい。"
      "言いづらい"));
  for (const std::string& w : in_context) EXPECT_EQ(context.count(w), 1u) << w;
  for (const auto& [wall, rule] : Defaults()) {
    EXPECT_LE(rule.expression().size(), 4u * CodingRule::kMaxChars);
    for (const std::string& w : rule.Words()) {
      if (in_context.count(w)) continue;
      // Alone, or before a particle (頑張り alone is read as the verb).
      const bool alone = CodingVocabulary(Shared().Tokenize(w)).count(w) > 0;
      const bool noun =
          CodingVocabulary(Shared().Tokenize(w + "が")).count(w) > 0;
      EXPECT_TRUE(alone || noun) << w << " in " << type::Wall_Name(wall);
    }
  }
}

TEST(CodeTextTest, TheProgrammesFourExamplesInOtherWords) {
  EXPECT_THAT(Code("係のみんなに声をかけても誰も乗ってこない"),
              ElementsAre(Wall::PEERS));
  EXPECT_THAT(Code("課長に話すと面倒な奴だと思われそうで言い出せない"),
              ElementsAre(Wall::SENIORS_AND_BOSSES));
  EXPECT_THAT(Code("せっかくの提案も部長のところで止まってしまう"),
              ElementsAre(Wall::EXECUTIVES));
  EXPECT_THAT(Code("業務改善をしても人事評価では全く考慮されない"),
              ElementsAre(Wall::HR_EVALUATION));
}

TEST(CodeTextTest, MorePhrasingsOfEachWall) {
  struct Case {
    const char* text;
    Wall wall;
  };
  const Case cases[] = {
      {"周りの職員は無関心で、改善の話をしても冷ややかな目で見られる",
       Wall::PEERS},
      {"課内で協力してくれる仲間がいない", Wall::PEERS},
      {"職場の温度差が大きく、一人で空回りしている", Wall::PEERS},
      {"係の人たちは今のやり方を変えたがらない", Wall::PEERS},
      {"上司に嫌われそうで改善提案ができない", Wall::SENIORS_AND_BOSSES},
      {"先輩に言いづらい", Wall::SENIORS_AND_BOSSES},
      {"係長に相談すると前例がないと怒られる", Wall::SENIORS_AND_BOSSES},
      {"新しいことを言うと煙たがられる", Wall::SENIORS_AND_BOSSES},
      {"提案しても上層部まで届かない", Wall::EXECUTIVES},
      {"市長や副市長の耳に入らない", Wall::EXECUTIVES},
      {"決裁の途中で握りつぶされる", Wall::EXECUTIVES},
      {"経営層に声が届かない", Wall::EXECUTIVES},
      {"頑張っても昇進に関係なく報われない", Wall::HR_EVALUATION},
      {"勤勉手当にも人事考課にも反映されない", Wall::HR_EVALUATION},
      {"改善しても評価されない", Wall::HR_EVALUATION},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Code(c.text), ElementsAre(c.wall)) << c.text;
  }
}

TEST(CodeTextTest, NeutralAndPositiveTextCodesToNothing) {
  EXPECT_THAT(Code("今年度は窓口業務のデジタル化に取り組んでいます"),
              IsEmpty());
  EXPECT_THAT(Code("研修で学んだことを職場で試してみたい"), IsEmpty());
  EXPECT_THAT(Code("上司は理解があり協力的だ"), IsEmpty());
  EXPECT_THAT(Code("改善で経費が浮いた"), IsEmpty());
  EXPECT_THAT(Code(""), IsEmpty());
}

TEST(CodeTextTest, SeveralWallsComeInEnumOrder) {
  EXPECT_THAT(
      Code("人事評価にも反映されないし、同僚も無関心で、課長が怖くて提案できな"
           "い"),
      ElementsAre(Wall::PEERS, Wall::SENIORS_AND_BOSSES, Wall::HR_EVALUATION));
}

TEST(CodeTextTest, CustomRulesAndCompileErrorsNameTheRule) {
  auto rules = CompileCodingRules({{Wall::PEERS, "同僚 and not 協力"}});
  ASSERT_TRUE(rules.ok());
  EXPECT_THAT(CodeText(Shared(), "同僚が冷たい", *rules),
              ElementsAre(Wall::PEERS));
  EXPECT_THAT(CodeText(Shared(), "同僚が協力してくれた", *rules), IsEmpty());
  auto bad = CompileCodingRules(
      {{Wall::PEERS, "同僚"}, {Wall::EXECUTIVES, "幹部 and"}});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("rule 1 (EXECUTIVES)"));
}

}  // namespace
}  // namespace kaizen::survey::text
