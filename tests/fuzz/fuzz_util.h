// Helpers every fuzz target shares (tests/fuzz/README.md).
//
// A target defines
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// and, optionally, the seeds it was started from (taken from the unit tests):
//   std::vector<std::string> KaizenFuzzSeeds();
// `replay_main --write_seeds=<dir>` writes those into the corpus directory.
//
// A property that does not hold is a finding: KAIZEN_FUZZ_CHECK prints what
// was expected (never the input: libFuzzer saves that) and aborts, which
// libFuzzer and the replay test both report as a crash.
#ifndef KAIZEN_TESTS_FUZZ_FUZZ_UTIL_H_
#define KAIZEN_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

#define KAIZEN_FUZZ_CHECK(cond, what)                                              \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s (%s)\n", __FILE__,     \
                   __LINE__, #cond, std::string(what).c_str());                    \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

// Defined by targets that have seeds (weak in the replay driver).
std::vector<std::string> KaizenFuzzSeeds();

namespace kaizen::fuzz {

// Reads an input front to back, the way libFuzzer's FuzzedDataProvider does
// (kept independent of it: the replay tests link no libFuzzer and no sanitizer).
// Past the end every read yields zero / "".
class Input {
 public:
  Input(const uint8_t* data, size_t size)
      : data_(reinterpret_cast<const char*>(data)), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? static_cast<uint8_t>(data_[pos_++]) : 0; }
  uint32_t U16() { return (uint32_t{Byte()} << 8) | Byte(); }
  // A piece of at most `max` bytes: a 2-byte length, then that many bytes.
  std::string Piece(size_t max = 4096) {
    size_t n = U16() % (max + 1);
    if (n > size_ - pos_) n = size_ - pos_;
    std::string s(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  // Everything not read yet.
  std::string Rest() {
    std::string s(data_ + pos_, size_ - pos_);
    pos_ = size_;
    return s;
  }

 private:
  const char* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Builds inputs in Input's format (seeds).
class InputWriter {
 public:
  InputWriter& Byte(uint8_t b) {
    out_.push_back(static_cast<char>(b));
    return *this;
  }
  InputWriter& Piece(absl::string_view s) {
    Byte(static_cast<uint8_t>(s.size() >> 8));
    Byte(static_cast<uint8_t>(s.size() & 0xff));
    out_.append(s.data(), s.size());
    return *this;
  }
  InputWriter& Rest(absl::string_view s) {
    out_.append(s.data(), s.size());
    return *this;
  }
  std::string str() const { return out_; }

 private:
  std::string out_;
};

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsUtf8(absl::string_view s);

}  // namespace kaizen::fuzz

#endif  // KAIZEN_TESTS_FUZZ_FUZZ_UTIL_H_
