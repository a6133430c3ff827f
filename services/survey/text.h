// Japanese free text for the survey service: MeCab tokens, term counts,
// distinctive terms (log-likelihood), keyword in context, and KH Coder style
// coding rules that map "the wall I am hitting now" to the four walls.
//
// Everything here is pure computation on strings: no storage, no gRPC, no
// disclosure decisions (the caller decides who may see which text).
//
// Dictionary: MeCab (libmecab) with the IPA dictionary (mecab-ipadic-utf8),
// found through /etc/mecabrc. Base forms and parts of speech below are the
// IPA dictionary's: 巻き込んで -> 巻き込む, 言い出せない -> 言い出せる (the
// potential verb is its own entry), 報われない -> 報う, 上層部 -> 上層 + 部
// (suffix), 管理職 -> 管理 + 職. Coding rules see compound nouns as well (see
// CodingVocabulary), so "上層部" and "管理職" can still be written as words.
#ifndef KAIZEN_SERVICES_SURVEY_TEXT_H_
#define KAIZEN_SERVICES_SURVEY_TEXT_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "kaizen/type/wall.pb.h"

namespace MeCab {
class Model;
class Tagger;
class Lattice;
}  // namespace MeCab

namespace kaizen::survey::text {

// One morpheme as MeCab (IPA dictionary) sees it.
struct Token {
  std::string surface;  // the text as written: "巻き込ん"
  std::string base;     // dictionary form (feature field 7): "巻き込む";
                        // the surface when the dictionary has none ("*"),
                        // e.g. for unknown words
  std::string pos;  // 品詞, top level: "名詞", "動詞", "助動詞", ...
  std::string pos_detail;  // 品詞細分類1: "一般", "自立", "接尾", ... ("*")
  size_t begin = 0;  // byte offsets of the surface in the input:
  size_t end = 0;    // text.substr(begin, end - begin) == surface
};

// A MeCab model with the IPA dictionary.
//
// Threading model: one MeCab::Model and one MeCab::Tagger are shared by all
// callers (Tagger::parse(Lattice*) is documented thread safe in mecab.h);
// the per-call state is a MeCab::Lattice, borrowed from a small pool for the
// duration of one Tokenize() and returned afterwards, so a thread reuses
// lattices instead of creating one per call (a tagger and lattice per call
// is 3-10x slower; see build-notes.md). Measured on a 2-core box with -O2:
// ~110k short sentences/s from one thread, about 60% of bare MeCab parsing;
// the rest is copying tokens out.
//
// Memory is bounded. A lattice keeps the memory of the longest text it
// parsed (measured: ~190 KB per KB of Japanese text, so ~2.3 MB after a
// 4,000-character answer) and never gives it back. So at most
// max_concurrent() texts are tokenized at once (further callers wait: the
// work is CPU-bound, more at once would not finish sooner), a lattice that
// parsed more than kKeepLatticeBytes is freed after use, and the pool keeps
// at most max_concurrent() lattices. Kept: at most max_concurrent() x ~0.8
// MB; in use: at most max_concurrent() x the largest text's lattice. (With
// one lattice per handler thread, 64, a burst of long answers kept ~150 MB
// for the life of the process.)
//
// All MeCab objects are owned by the Tokenizer and destroyed with it, so,
// unlike a thread_local cache, nothing can outlive the model. Tokenize() is
// safe to call from any number of threads; the Tokenizer must outlive those
// calls.
class Tokenizer {
 public:
  // Loads the model from the system configuration (/etc/mecabrc ->
  // dicdir). FAILED_PRECONDITION, with MeCab's reason and the packages to
  // install, when libmecab cannot load a dictionary or the dictionary is not
  // UTF-8.
  // `max_concurrent` 0: the machine's cores, at least 2 and at most 8.
  static absl::StatusOr<std::unique_ptr<Tokenizer>> Create(int max_concurrent = 0);

  // Texts longer than this (bytes) free their lattice after use.
  static constexpr size_t kKeepLatticeBytes = 4096;

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // The morphemes of `text` (UTF-8) in order; whitespace between them is
  // skipped (it has no token, but offsets still point into `text`). Empty
  // for empty text, and in the unlikely case MeCab fails to parse.
  // Thread safe.
  std::vector<Token> Tokenize(absl::string_view text) const;

  int max_concurrent() const { return max_concurrent_; }

  // Lattices created so far, and kept idle now; for tests.
  size_t LatticesCreatedForTest() const;
  size_t LatticesKeptForTest() const;
  // Tests: `hook` runs in every Tokenize while it holds a lattice (set it
  // before any Tokenize); AwaitForTest waits until exactly `in_use` calls
  // hold one and `waiting` wait for one, false after `timeout`.
  void SetHoldHookForTest(std::function<void()> hook) { hold_hook_ = std::move(hook); }
  bool AwaitForTest(int in_use, int waiting, std::chrono::milliseconds timeout) const;

 private:
  Tokenizer(std::unique_ptr<MeCab::Model> model,
            std::unique_ptr<MeCab::Tagger> tagger, int max_concurrent);

  // Waits for a free place (at most max_concurrent_ in use).
  std::unique_ptr<MeCab::Lattice> AcquireLattice() const;
  // Keeps the lattice for reuse unless it parsed `text_bytes` >
  // kKeepLatticeBytes (or creation failed: null).
  void ReleaseLattice(std::unique_ptr<MeCab::Lattice> lattice, size_t text_bytes) const;

  std::unique_ptr<MeCab::Model> model_;
  std::unique_ptr<MeCab::Tagger> tagger_;
  const int max_concurrent_;
  // Waits (for a free place, and AwaitForTest) are absl::Mutex conditions,
  // evaluated by the mutex on release: nothing is notified for tests.
  mutable absl::Mutex mu_;
  mutable int in_use_ ABSL_GUARDED_BY(mu_) = 0;
  mutable int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  mutable size_t created_ ABSL_GUARDED_BY(mu_) = 0;
  mutable std::vector<std::unique_ptr<MeCab::Lattice>> idle_ ABSL_GUARDED_BY(mu_);
  std::function<void()> hold_hook_;
};

// True for words that carry content, in the usual KH Coder sense:
//   名詞 except 数 (numbers), 非自立 (こと, ところ), 代名詞 (これ, 誰),
//        接尾 (-さん, -的, -化) and 特殊 (そう);
//   動詞 自立 (not 非自立 like いる in 〜ている, not 接尾 like れる);
//   形容詞 自立;
// and whose base form is not a stopword (する, いる, ある, なる, できる,
// くる, いう, ない, いい, こと, もの, よう, ため, の, ...).
bool IsContentWord(const Token& token);

// Frequency of each content word's base form.
std::map<std::string, int> CountTerms(const std::vector<Token>& tokens);

// A term whose frequency differs between a target corpus (one
// municipality's answers) and a reference corpus (the pool).
struct Distinctive {
  std::string term;
  int target = 0;         // frequency in the target
  int reference = 0;      // frequency in the reference
  double g2 = 0;          // log-likelihood G2
  bool overused = false;  // relatively more frequent in the target
};


// Terms of either corpus with G2 (log-likelihood, stats::LogLikelihoodG2:
// >= 3.84 is p < 0.05) >= min_g2, by G2 descending (ties by term),
// at most `top` of them (none when top <= 0). Corpus sizes are the sums of
// the maps, so pass the full CountTerms() of each side. Under- as well as
// overused terms are reported; `overused` tells which.
std::vector<Distinctive> DistinctiveTerms(
    const std::map<std::string, int>& target,
    const std::map<std::string, int>& reference, int top, double min_g2 = 3.84);

// One occurrence of a keyword with its context.
struct Kwic {
  std::string left;     // up to window_chars characters before the keyword
  std::string keyword;  // the surface as written (巻き込ん for 巻き込む)
  std::string right;    // up to window_chars characters after it
};

// Every token of `tokens` (which must come from Tokenize(text)) whose base
// form is `base_form`, in text order, with up to `window_chars` Unicode
// characters (code points) of `text` either side. Contexts never split a
// UTF-8 sequence; they are copied as written (newlines included).
std::vector<Kwic> KeywordInContext(absl::string_view text,
                                   const std::vector<Token>& tokens,
                                   absl::string_view base_form,
                                   int window_chars = 20);

// A boolean rule over words, as in KH Coder's coding rules:
//
//   rule    = or ;
//   or      = and { "or" and } ;
//   and     = unary { "and" unary } ;
//   unary   = "not" unary | primary ;
//   primary = WORD | "(" rule ")" ;
//
// e.g. "(同僚 or 仲間) and (協力 or 巻き込む) and not 上司". Precedence is
// not > and > or. A WORD is any run of non-space characters other than the
// keywords (and, or, not: ASCII, any case) and parentheses; it is matched
// exactly against base forms (see CodingVocabulary). Spaces are ASCII
// whitespace or the ideographic space U+3000; full-width （ ） work as
// parentheses.
class CodingRule {
 public:
  // Limits against abuse (the secretariat edits rules through the API).
  static constexpr int kMaxChars = 500;  // Unicode characters
  static constexpr int kMaxWords = 50;
  static constexpr int kMaxDepth = 10;  // nested parentheses

  // INVALID_ARGUMENT on bad syntax, naming the (1-based) character position
  // and what was expected there: an empty rule, an unbalanced parenthesis,
  // an operator with nothing (or the wrong thing) after it, two words with
  // no operator between them, a word that is not valid UTF-8 or contains a
  // control character; and when a limit above is exceeded.
  static absl::StatusOr<CodingRule> Parse(absl::string_view expression);

  // Whether the rule holds for a text whose vocabulary is `base_forms`.
  bool Matches(const std::set<std::string>& base_forms) const;

  const std::string& expression() const { return expression_; }
  // The distinct words the rule mentions, e.g. for checking a dictionary.
  std::set<std::string> Words() const;

 private:
  // The rule in postfix order, evaluated with a stack of booleans.
  struct Op {
    enum Kind { kWord, kAnd, kOr, kNot } kind;
    std::string word;  // kWord only
  };
  std::string expression_;
  std::vector<Op> program_;
  friend class RuleParser;
};

// What a coding rule sees of a text: the base form of every token (content
// words and function words alike, so a rule may require ない or ぬ), plus
// compound nouns: every run of 2 to 4 adjacent tokens (no space between)
// that are 名詞 or 接頭詞, as written. "上層部" (上層+部), "管理職",
// "無関心" (無+関心), "人事評価制度" -> 人事評価, 評価制度, 人事評価制度.
std::set<std::string> CodingVocabulary(const std::vector<Token>& tokens);

// The default dictionary: (wall, rule expression) pairs, several per wall,
// written for municipal employees describing "the wall I am hitting now".
// Every expression parses; the words are IPA base forms. The secretariat
// starts from these and edits them.
std::vector<std::pair<kaizen::type::Wall, std::string>> DefaultCodingRules();

// Parses a dictionary; INVALID_ARGUMENT naming the rule's (0-based) index
// and wall on the first rule that does not parse.
absl::StatusOr<std::vector<std::pair<kaizen::type::Wall, CodingRule>>>
CompileCodingRules(
    const std::vector<std::pair<kaizen::type::Wall, std::string>>& rules);

// The distinct walls whose rules match `text`, in enum order.
std::vector<kaizen::type::Wall> CodeText(
    const Tokenizer& tokenizer, absl::string_view text,
    const std::vector<std::pair<kaizen::type::Wall, CodingRule>>& rules);

}  // namespace kaizen::survey::text

#endif  // KAIZEN_SERVICES_SURVEY_TEXT_H_
