// Byte-level UTF-8 helpers (validation proper: common/validation IsValidUtf8).
#ifndef KAIZEN_COMMON_UTIL_UTF8_H_
#define KAIZEN_COMMON_UTIL_UTF8_H_

namespace kaizen {

// Whether `c` is a UTF-8 continuation byte (10xxxxxx): not the first byte of
// a character, so a cut before it would split one.
inline bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace kaizen

#endif  // KAIZEN_COMMON_UTIL_UTF8_H_
