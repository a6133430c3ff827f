// Coding rules in the style of KH Coder (CodingRule, CodingVocabulary,
// DefaultCodingRules, CompileCodingRules, CodeText; text.h): a small parser
// of base forms combined with and / or / not, and the default dictionary that
// maps municipal employees' text to the four walls.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/util/utf8.h"
#include "common/validation/validation.h"
#include "services/survey/text.h"

namespace kaizen::survey::text {
namespace {

using ::kaizen::type::Wall;

// 1-based character (code point) position of byte `offset` in `s`.
int CharPosition(absl::string_view s, size_t offset) {
  int chars = 0;
  for (size_t i = 0; i < offset && i < s.size(); ++i) {
    if (!IsUtf8Continuation(s[i])) ++chars;
  }
  return chars + 1;
}

int CountChars(absl::string_view s) { return CharPosition(s, s.size()) - 1; }

// Strict enough for rule words: well-formed UTF-8 (common/validation) and
// no C0/DEL control characters.
bool IsCleanUtf8(absl::string_view s) {
  if (!IsValidUtf8(s)) return false;
  return std::none_of(s.begin(), s.end(), [](char ch) {
    const unsigned char c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7F;
  });
}

}  // namespace

// ---------------------------------------------------------------------------
// Coding rules

namespace {

struct Lexeme {
  enum Kind { kWord, kAnd, kOr, kNot, kOpen, kClose, kEnd } kind;
  absl::string_view text;
  size_t offset;  // bytes into the expression
};

// Byte length of the space or parenthesis at `s[i]`, 0 if there is none.
size_t SpaceAt(absl::string_view s, size_t i) {
  if (absl::ascii_isspace(static_cast<unsigned char>(s[i]))) return 1;
  return absl::StartsWith(s.substr(i), "\u3000") ? 3 : 0;
}
size_t OpenAt(absl::string_view s, size_t i) {
  if (s[i] == '(') return 1;
  return absl::StartsWith(s.substr(i), "\uFF08") ? 3 : 0;  // （
}
size_t CloseAt(absl::string_view s, size_t i) {
  if (s[i] == ')') return 1;
  return absl::StartsWith(s.substr(i), "\uFF09") ? 3 : 0;  // ）
}

std::vector<Lexeme> Lex(absl::string_view s) {
  std::vector<Lexeme> out;
  size_t i = 0;
  while (i < s.size()) {
    if (size_t n = SpaceAt(s, i)) {
      i += n;
    } else if (size_t n = OpenAt(s, i)) {
      out.push_back({Lexeme::kOpen, s.substr(i, n), i});
      i += n;
    } else if (size_t n = CloseAt(s, i)) {
      out.push_back({Lexeme::kClose, s.substr(i, n), i});
      i += n;
    } else {
      const size_t start = i;
      while (i < s.size() && !SpaceAt(s, i) && !OpenAt(s, i) && !CloseAt(s, i))
        ++i;
      const absl::string_view word = s.substr(start, i - start);
      Lexeme::Kind kind = Lexeme::kWord;
      if (absl::EqualsIgnoreCase(word, "and")) kind = Lexeme::kAnd;
      if (absl::EqualsIgnoreCase(word, "or")) kind = Lexeme::kOr;
      if (absl::EqualsIgnoreCase(word, "not")) kind = Lexeme::kNot;
      out.push_back({kind, word, start});
    }
  }
  out.push_back({Lexeme::kEnd, absl::string_view(), s.size()});
  return out;
}

std::string Describe(const Lexeme& l) {
  switch (l.kind) {
    case Lexeme::kEnd:
      return "the end of the rule";
    case Lexeme::kWord:
      return absl::StrCat("the word \"", l.text, "\"");
    default:
      return absl::StrCat("\"", l.text, "\"");
  }
}

}  // namespace

// Recursive descent over the lexemes, emitting the postfix program. Kept out
// of the anonymous namespace because CodingRule befriends it.
class RuleParser {
 public:
  RuleParser(absl::string_view expression, CodingRule* rule)
      : expression_(expression), lexemes_(Lex(expression)), rule_(rule) {}

  absl::Status Run() {
    if (lexemes_.front().kind == Lexeme::kEnd) {
      return absl::InvalidArgumentError(
          "coding rule is empty: expected a word, \"(\" or \"not\" at "
          "character 1");
    }
    if (absl::Status s = ParseOr(); !s.ok()) return s;
    const Lexeme& rest = Peek();
    if (rest.kind == Lexeme::kEnd) return absl::OkStatus();
    if (rest.kind == Lexeme::kClose) {
      return Error(rest, "unbalanced \")\" with no \"(\" to close");
    }
    return Error(rest, absl::StrCat("expected \"and\", \"or\" or the end of "
                                    "the rule, found ",
                                    Describe(rest)));
  }

 private:
  const Lexeme& Peek() const { return lexemes_[next_]; }
  const Lexeme& Take() { return lexemes_[next_++]; }

  absl::Status Error(const Lexeme& at, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("coding rule \"", expression_, "\" at character ",
                     CharPosition(expression_, at.offset), ": ", what));
  }

  absl::Status ParseOr() {
    if (absl::Status s = ParseAnd(); !s.ok()) return s;
    while (Peek().kind == Lexeme::kOr) {
      Take();
      if (absl::Status s = ParseAnd(); !s.ok()) return s;
      rule_->program_.push_back({CodingRule::Op::kOr, {}});
    }
    return absl::OkStatus();
  }

  absl::Status ParseAnd() {
    if (absl::Status s = ParseUnary(); !s.ok()) return s;
    while (Peek().kind == Lexeme::kAnd) {
      Take();
      if (absl::Status s = ParseUnary(); !s.ok()) return s;
      rule_->program_.push_back({CodingRule::Op::kAnd, {}});
    }
    return absl::OkStatus();
  }

  absl::Status ParseUnary() {
    // Iterative so that "not not not ..." cannot recurse deeply.
    int nots = 0;
    while (Peek().kind == Lexeme::kNot) Take(), ++nots;
    if (absl::Status s = ParsePrimary(); !s.ok()) return s;
    for (int i = 0; i < nots; ++i) {
      rule_->program_.push_back({CodingRule::Op::kNot, {}});
    }
    return absl::OkStatus();
  }

  absl::Status ParsePrimary() {
    const Lexeme& l = Peek();
    if (l.kind == Lexeme::kWord) {
      if (!IsCleanUtf8(l.text)) {
        return Error(l,
                     "unknown token: a word must be valid UTF-8 text "
                     "without control characters");
      }
      if (++words_ > CodingRule::kMaxWords) {
        return Error(l, absl::StrCat("too many words: at most ",
                                     CodingRule::kMaxWords, " per rule"));
      }
      Take();
      rule_->program_.push_back({CodingRule::Op::kWord, std::string(l.text)});
      return absl::OkStatus();
    }
    if (l.kind == Lexeme::kOpen) {
      if (++depth_ > CodingRule::kMaxDepth) {
        return Error(l, absl::StrCat("parentheses nested too deeply: at most ",
                                     CodingRule::kMaxDepth));
      }
      Take();
      if (absl::Status s = ParseOr(); !s.ok()) return s;
      const Lexeme& close = Peek();
      if (close.kind != Lexeme::kClose) {
        return Error(
            close, absl::StrCat("expected \"and\", \"or\" or \")\" to close "
                                "the \"(\" at character ",
                                CharPosition(expression_, l.offset), ", found ",
                                Describe(close)));
      }
      Take();
      --depth_;
      return absl::OkStatus();
    }
    std::string after;
    if (next_ > 0) {
      after = absl::StrCat(" after ", Describe(lexemes_[next_ - 1]));
    }
    return Error(l, absl::StrCat("expected a word, \"(\" or \"not\"", after,
                                 ", found ", Describe(l)));
  }

  absl::string_view expression_;
  std::vector<Lexeme> lexemes_;
  CodingRule* rule_;
  size_t next_ = 0;
  int words_ = 0;
  int depth_ = 0;
};

absl::StatusOr<CodingRule> CodingRule::Parse(absl::string_view expression) {
  if (const int chars = CountChars(expression); chars > kMaxChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "coding rule too long: ", chars, " characters, at most ", kMaxChars));
  }
  CodingRule rule;
  rule.expression_ = std::string(expression);
  if (absl::Status s = RuleParser(rule.expression_, &rule).Run(); !s.ok()) {
    return s;
  }
  return rule;
}

bool CodingRule::Matches(const std::set<std::string>& base_forms) const {
  // The stack never holds more than one value per word (<= kMaxWords).
  bool stack[kMaxWords + 1];
  int top = 0;
  for (const Op& op : program_) {
    switch (op.kind) {
      case Op::kWord:
        stack[top++] = base_forms.count(op.word) > 0;
        break;
      case Op::kNot:
        stack[top - 1] = !stack[top - 1];
        break;
      case Op::kAnd:
        --top;
        stack[top - 1] = stack[top - 1] && stack[top];
        break;
      case Op::kOr:
        --top;
        stack[top - 1] = stack[top - 1] || stack[top];
        break;
    }
  }
  return top == 1 && stack[0];
}

std::set<std::string> CodingRule::Words() const {
  std::set<std::string> words;
  for (const Op& op : program_) {
    if (op.kind == Op::kWord) words.insert(op.word);
  }
  return words;
}

std::set<std::string> CodingVocabulary(const std::vector<Token>& tokens) {
  constexpr size_t kMaxCompound = 4;
  std::set<std::string> vocabulary;
  auto nominal = [](const Token& t) {
    return t.pos == "名詞" || t.pos == "接頭詞";
  };
  for (size_t i = 0; i < tokens.size(); ++i) {
    vocabulary.insert(tokens[i].base);
    if (!nominal(tokens[i])) continue;
    std::string compound = tokens[i].surface;
    for (size_t j = i + 1; j < tokens.size() && j - i < kMaxCompound; ++j) {
      if (!nominal(tokens[j]) || tokens[j].begin != tokens[j - 1].end) break;
      compound += tokens[j].surface;
      vocabulary.insert(compound);
    }
  }
  return vocabulary;
}

// The default dictionary. Each wall has a rule that needs a word for the
// people involved plus a word for what goes wrong, and narrower rules for
// phrasings that name the wall without naming the people (誰も乗ってこない,
// 嫌われる, 握りつぶされる, 報われない). Passive 嫌われる/疎まれる with no
// one named is coded SENIORS_AND_BOSSES, as the programme's own wording of
// that wall is 嫌われそうで改善提案ができない. All words were checked against
// the IPA dictionary's base forms (text_test.cc tokenizes the examples).
std::vector<std::pair<Wall, std::string>> DefaultCodingRules() {
  const std::string peers =
      "(同僚 or 仲間 or 周り or 周囲 or 職場 or 係 or 係内 or 課内 or 課員 "
      "or チーム or メンバー or みんな or 皆 or 職員 or 誰)";
  const std::string bosses =
      "(上司 or 先輩 or 係長 or 課長 or 課長補佐 or 主査 or 主幹 or 管理職 "
      "or ベテラン or 年配 or 上役)";
  const std::string executives =
      "(幹部 or 経営幹部 or 経営層 or 経営陣 or 上層部 or トップ or 部長 "
      "or 局長 or 次長 or 市長 or 副市長 or 町長 or 副町長 or 村長 or 区長 "
      "or 首長 or 知事 or 理事者 or 三役 or 庁議)";
  const std::string hr =
      "(人事 or 人事評価 or 人事考課 or 査定 or 昇進 or 昇任 or 昇格 or 昇給 "
      "or 給与 or 給料 or ボーナス or 賞与 or 勤勉手当 or 処遇 or 評価制度 "
      "or 目標管理)";
  const std::string negated = "(ない or ぬ)";
  return {
      // PEERS: colleagues don't cooperate.
      {Wall::PEERS,
       peers + " and (協力 or 非協力 or 巻き込む or 賛同 or 共感 or 賛成 "
               "or 理解 or 無関心 or 関心 or 冷ややか or 手伝う or 味方 "
               "or 温度差 or 足並み or 浮く or 孤立)"},
      {Wall::PEERS,
       peers + " and (乗る or 動く or 変える or 変わる or 手伝う or 付き合う) "
               "and (ない or ぬ or がる)"},
      {Wall::PEERS,
       "(無関心 or 非協力 or 冷ややか or 温度差 or 孤立 or 孤軍奮闘 "
       "or 空回り or 仲間外れ or 足並み) and not " +
           bosses + " and not " + executives},
      // SENIORS_AND_BOSSES: afraid to propose to seniors and bosses.
      {Wall::SENIORS_AND_BOSSES,
       bosses + " and (嫌う or 嫌がる or 嫌 or 否定 or 怒る or 叱る "
                "or 叱責 or 遠慮 or 怖い or 恐い or 睨む or 面倒 "
                "or 面倒くさい or 煙たい or 煙たがる or 疎む or 顔色 or 機嫌 "
                "or 目 or 前例 or 反対 or 却下 or 反感 or 萎縮 or 言い出す "
                "or 言い出せる)"},
      {Wall::SENIORS_AND_BOSSES,
       bosses + " and (提案 or 相談 or 話す or 言う or 言える or 意見 "
                "or 伝える or 聞く) and (ない or ぬ or にくい or づらい "
                "or 不安 or 心配 or 勇気)"},
      {Wall::SENIORS_AND_BOSSES,
       "(嫌う or 煙たがる or 疎む or 睨む) and (れる or られる)"},
      {Wall::SENIORS_AND_BOSSES,
       "(面倒 or 面倒くさい or 生意気 or 厄介 or うるさい or 変わり者) "
       "and 思う and (れる or られる)"},
      // EXECUTIVES: proposals never reach the executives.
      {Wall::EXECUTIVES,
       executives + " and (届く or 届ける or 提案 or 意見 or 声 or 通る "
                    "or 止まる or 握りつぶす or 潰す or 揉み消す or 伝わる "
                    "or 伝える or 上がる or 耳 or 却下 or 門前払い or 棚上げ "
                    "or 無関心 or 聞く)"},
      {Wall::EXECUTIVES,
       "(提案 or 改善案 or 意見 or 声 or アイデア) and (届く or 上がる "
       "or 通る) and " +
           negated},
      {Wall::EXECUTIVES,
       "握りつぶす or 揉み消す or 棚上げ or たらい回し or 門前払い "
       "or ((決裁 or 稟議 or 起案) and (止まる or 潰す or 戻す))"},
      // HR_EVALUATION: improvement is not reflected in HR evaluation.
      {Wall::HR_EVALUATION,
       hr + " and (反映 or 評価 or 考慮 or 認める or 報う "
            "or 加点 or 影響 or 関係 or 結びつく or 繋がる or つながる "
            "or 変わる or 差 or 見る)"},
      {Wall::HR_EVALUATION,
       "評価 and (反映 or 考慮 or 報う or 加点 or 結びつく "
       "or 繋がる or つながる or 認める)"},
      {Wall::HR_EVALUATION,
       "(改善 or 業務改善 or 頑張る or 頑張り or 努力 or 成果 or 工夫 "
       "or 実績) and (評価 or 報う or 認める) and " +
           negated},
  };
}

absl::StatusOr<std::vector<std::pair<Wall, CodingRule>>> CompileCodingRules(
    const std::vector<std::pair<Wall, std::string>>& rules) {
  std::vector<std::pair<Wall, CodingRule>> compiled;
  compiled.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    absl::StatusOr<CodingRule> rule = CodingRule::Parse(rules[i].second);
    if (!rule.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "rule ", i, " (", kaizen::type::Wall_Name(rules[i].first),
          "): ", rule.status().message()));
    }
    compiled.emplace_back(rules[i].first, *std::move(rule));
  }
  return compiled;
}

std::vector<Wall> CodeText(
    const Tokenizer& tokenizer, absl::string_view text,
    const std::vector<std::pair<Wall, CodingRule>>& rules) {
  const std::set<std::string> vocabulary =
      CodingVocabulary(tokenizer.Tokenize(text));
  std::vector<Wall> walls;
  for (const auto& [wall, rule] : rules) {
    if (std::find(walls.begin(), walls.end(), wall) != walls.end()) continue;
    if (rule.Matches(vocabulary)) walls.push_back(wall);
  }
  std::sort(walls.begin(), walls.end());
  return walls;
}

}  // namespace kaizen::survey::text
