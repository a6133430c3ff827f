#include "services/survey/text.h"

#include <mecab.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/util/utf8.h"
#include "services/survey/stats.h"

namespace kaizen::survey::text {
namespace {

// Base forms that are content-word parts of speech but say nothing about the
// answer (light verbs, formal nouns, ない as an adjective).
constexpr absl::string_view kStopwords[] = {
    "する",   "いる", "ある", "なる",   "れる", "られる", "せる", "させる",
    "できる", "くる", "いく", "行く",   "おる", "いう",   "ない", "いい",
    "よい",   "良い", "こと", "もの",   "事",   "物",     "よう", "ため",
    "為",     "の",   "ん",   "ところ", "とき", "時",     "方",   "さん",
};

bool IsStopword(absl::string_view base) {
  return std::find(std::begin(kStopwords), std::end(kStopwords), base) !=
         std::end(kStopwords);
}

}  // namespace

// ---------------------------------------------------------------------------
// Tokenizer

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::Create(int max_concurrent) {
  if (max_concurrent <= 0) {
    max_concurrent = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 2, 8);
  }
  // An empty argument makes MeCab read /etc/mecabrc (or $MECABRC) for dicdir.
  std::unique_ptr<MeCab::Model> model(MeCab::createModel(""));
  if (model == nullptr) {
    const char* why = MeCab::getLastError();
    return absl::FailedPreconditionError(absl::StrCat(
        "the Japanese tokenizer is unavailable: MeCab could not load its "
        "dictionary (",
        why != nullptr ? why : "no reason given",
        "); install libmecab2 and mecab-ipadic-utf8 and check dicdir in "
        "/etc/mecabrc"));
  }
  const MeCab::DictionaryInfo* info = model->dictionary_info();
  if (info == nullptr || info->charset == nullptr ||
      !(absl::EqualsIgnoreCase(info->charset, "utf-8") ||
        absl::EqualsIgnoreCase(info->charset, "utf8"))) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the Japanese tokenizer needs a UTF-8 dictionary but MeCab's is ",
        info != nullptr && info->charset != nullptr ? info->charset : "unknown",
        "; install mecab-ipadic-utf8"));
  }
  std::unique_ptr<MeCab::Tagger> tagger(model->createTagger());
  if (tagger == nullptr) {
    return absl::FailedPreconditionError(
        "the Japanese tokenizer is unavailable: MeCab could not create a "
        "tagger");
  }
  return std::unique_ptr<Tokenizer>(
      new Tokenizer(std::move(model), std::move(tagger), max_concurrent));
}

Tokenizer::Tokenizer(std::unique_ptr<MeCab::Model> model,
                     std::unique_ptr<MeCab::Tagger> tagger, int max_concurrent)
    : model_(std::move(model)), tagger_(std::move(tagger)), max_concurrent_(max_concurrent) {}

// Lattices and the tagger go before the model they were created from.
Tokenizer::~Tokenizer() {
  {
    absl::MutexLock lock(&mu_);
    idle_.clear();
  }
  tagger_.reset();
  model_.reset();
}

std::unique_ptr<MeCab::Lattice> Tokenizer::AcquireLattice() const {
  {
    absl::MutexLock lock(&mu_);
    ++waiting_;
    auto place_free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return in_use_ < max_concurrent_;
    };
    mu_.Await(absl::Condition(&place_free));
    --waiting_;
    ++in_use_;
    if (!idle_.empty()) {
      std::unique_ptr<MeCab::Lattice> lattice = std::move(idle_.back());
      idle_.pop_back();
      return lattice;
    }
    ++created_;
  }
  // Created outside the lock: it allocates. If that throws (out of
  // memory), the place is given back, or it would be lost for good.
  try {
    return std::unique_ptr<MeCab::Lattice>(model_->createLattice());
  } catch (...) {
    ReleaseLattice(nullptr, 0);
    throw;
  }
}

void Tokenizer::ReleaseLattice(std::unique_ptr<MeCab::Lattice> lattice, size_t text_bytes) const {
  // A lattice that grew for a long text is freed here, outside the lock.
  std::unique_ptr<MeCab::Lattice> freed;
  absl::MutexLock lock(&mu_);  // released (waiters woken) before `freed` goes
  --in_use_;
  if (lattice != nullptr && text_bytes <= kKeepLatticeBytes &&
      idle_.size() < static_cast<size_t>(max_concurrent_)) {
    idle_.push_back(std::move(lattice));
  } else {
    freed = std::move(lattice);
  }
}

bool Tokenizer::AwaitForTest(int in_use, int waiting, std::chrono::milliseconds timeout) const {
  absl::MutexLock lock(&mu_);
  auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return in_use_ == in_use && waiting_ == waiting;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&reached), absl::FromChrono(timeout));
}

size_t Tokenizer::LatticesCreatedForTest() const {
  absl::MutexLock lock(&mu_);
  return created_;
}

size_t Tokenizer::LatticesKeptForTest() const {
  absl::MutexLock lock(&mu_);
  return idle_.size();
}

std::vector<Token> Tokenizer::Tokenize(absl::string_view text) const {
  std::vector<Token> tokens;
  if (text.empty()) return tokens;
  struct Borrowed {
    const Tokenizer* self;
    std::unique_ptr<MeCab::Lattice> lattice;
    size_t text_bytes;
    ~Borrowed() { self->ReleaseLattice(std::move(lattice), text_bytes); }
  } borrowed{this, AcquireLattice(), text.size()};
  MeCab::Lattice* lattice = borrowed.lattice.get();
  if (lattice == nullptr) return tokens;
  if (hold_hook_) hold_hook_();

  tokens.reserve(text.size() / 4 + 1);  // ~2 characters of 3 bytes a token
  lattice->set_sentence(text.data(), text.size());
  if (!tagger_->parse(lattice)) return tokens;
  // Node surfaces point into the lattice's sentence, which is `text` itself
  // in one-best mode; offsets are taken against it either way.
  const char* const sentence = lattice->sentence();
  for (const MeCab::Node* node = lattice->bos_node(); node != nullptr;
       node = node->next) {
    if (node->stat == MECAB_BOS_NODE || node->stat == MECAB_EOS_NODE) continue;
    if (node->length == 0) continue;
    Token token;
    token.begin = static_cast<size_t>(node->surface - sentence);
    token.end = token.begin + node->length;
    token.surface.assign(node->surface, node->length);
    // IPA features: 品詞,細分類1,細分類2,細分類3,活用型,活用形,原形,読み,発音
    // Only fields 1, 2 and 7 are needed; scanned in place (no split vector:
    // this loop is most of Tokenize's cost beyond MeCab itself).
    absl::string_view fields[7];
    size_t count = 0;
    absl::string_view rest(node->feature != nullptr ? node->feature : "");
    while (count < 7) {
      const size_t comma = rest.find(',');
      fields[count++] = rest.substr(0, comma);
      if (comma == absl::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    token.pos = std::string(fields[0]);
    token.pos_detail = std::string(fields[1]);
    token.base = count == 7 && !fields[6].empty() && fields[6] != "*"
                     ? std::string(fields[6])
                     : token.surface;
    tokens.push_back(std::move(token));
  }
  return tokens;
}

// ---------------------------------------------------------------------------
// Content words, counts, distinctive terms

bool IsContentWord(const Token& token) {
  bool content = false;
  if (token.pos == "名詞") {
    const absl::string_view d = token.pos_detail;
    content = d != "数" && d != "非自立" && d != "代名詞" && d != "接尾" &&
              d != "特殊";
  } else if (token.pos == "動詞" || token.pos == "形容詞") {
    content = token.pos_detail == "自立";
  }
  return content && !IsStopword(token.base);
}

std::map<std::string, int> CountTerms(const std::vector<Token>& tokens) {
  std::map<std::string, int> counts;
  for (const Token& token : tokens) {
    if (IsContentWord(token)) ++counts[token.base];
  }
  return counts;
}

std::vector<Distinctive> DistinctiveTerms(
    const std::map<std::string, int>& target,
    const std::map<std::string, int>& reference, int top, double min_g2) {
  std::vector<Distinctive> out;
  if (top <= 0) return out;
  double c = 0, d = 0;
  for (const auto& [term, n] : target) c += n;
  for (const auto& [term, n] : reference) d += n;

  auto consider = [&](const std::string& term, int a, int b) {
    const double g2 = stats::LogLikelihoodG2(a, b, c, d);
    if (g2 < min_g2) return;
    // a/c > b/d, cross-multiplied so an empty side cannot divide by zero.
    out.push_back({term, a, b, g2, a * d > b * c});
  };
  // Merge walk over the two sorted maps: every term of either side once.
  auto t = target.begin();
  auto r = reference.begin();
  while (t != target.end() || r != reference.end()) {
    if (r == reference.end() || (t != target.end() && t->first < r->first)) {
      consider(t->first, t->second, 0);
      ++t;
    } else if (t == target.end() || r->first < t->first) {
      consider(r->first, 0, r->second);
      ++r;
    } else {
      consider(t->first, t->second, r->second);
      ++t, ++r;
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Distinctive& x, const Distinctive& y) {
              return x.g2 != y.g2 ? x.g2 > y.g2 : x.term < y.term;
            });
  if (out.size() > static_cast<size_t>(top)) out.resize(top);
  return out;
}

// ---------------------------------------------------------------------------
// Keyword in context

std::vector<Kwic> KeywordInContext(absl::string_view text,
                                   const std::vector<Token>& tokens,
                                   absl::string_view base_form,
                                   int window_chars) {
  std::vector<Kwic> out;
  const int window = std::max(0, window_chars);
  for (const Token& token : tokens) {
    if (token.base != base_form) continue;
    if (token.begin > token.end || token.end > text.size()) continue;
    // Step whole characters: back to a lead byte, forward past continuations.
    size_t from = token.begin;
    for (int n = 0; n < window && from > 0; ++n) {
      --from;
      while (from > 0 && IsUtf8Continuation(text[from])) --from;
    }
    size_t to = token.end;
    for (int n = 0; n < window && to < text.size(); ++n) {
      ++to;
      while (to < text.size() && IsUtf8Continuation(text[to])) ++to;
    }
    out.push_back(
        {std::string(text.substr(from, token.begin - from)),
         std::string(text.substr(token.begin, token.end - token.begin)),
         std::string(text.substr(token.end, to - token.end))});
  }
  return out;
}

}  // namespace kaizen::survey::text
