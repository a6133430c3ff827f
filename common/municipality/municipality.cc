#include "common/municipality/municipality.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/municipality/municipality_table.h"
#include "common/validation/validation.h"

namespace kaizen::municipality {

using internal::kRowCount;
using internal::kRows;
using internal::Row;

absl::string_view Entity::code() const { return row_->code; }
absl::string_view Entity::name() const { return row_->name; }
absl::string_view Entity::reading() const { return row_->reading; }
Kind Entity::kind() const { return row_->kind; }
Entity Entity::prefecture() const { return Entity(&kRows[row_->prefecture]); }
bool Entity::administered() const { return row_->administered; }

std::optional<Entity> Entity::city() const {
  if (row_->parent < 0) return std::nullopt;
  return Entity(&kRows[row_->parent]);
}

std::string Entity::FullName() const {
  if (row_->parent >= 0) return absl::StrCat(kRows[row_->parent].name, row_->name);
  return std::string(row_->name);
}

bool Entity::IsMunicipality() const {
  return row_->administered && row_->kind != Kind::kPrefecture && row_->kind != Kind::kCityWard;
}

std::optional<Entity> Find(absl::string_view code) {
  // Also rejects anything but six ASCII digits, so the comparison below is
  // between equal-length digit strings (lexicographic = numeric order).
  if (!IsValidMunicipalityCheckDigit(code)) return std::nullopt;
  const Row* end = kRows + kRowCount;
  // Every row's code is six digits too: compare six bytes, no strlen.
  const Row* it = std::lower_bound(kRows, end, code, [](const Row& row, absl::string_view c) {
    return std::memcmp(row.code, c.data(), 6) < 0;
  });
  if (it == end || std::memcmp(it->code, code.data(), 6) != 0) return std::nullopt;
  return Entity(it);
}

std::string NameOf(absl::string_view code) {
  std::optional<Entity> e = Find(code);
  return e.has_value() ? e->FullName() : std::string();
}

size_t Size() { return static_cast<size_t>(kRowCount); }

Entity At(size_t i) { return Entity(&kRows[i]); }

absl::string_view Source() { return internal::kSource; }

absl::string_view KindLabel(Kind kind) {
  switch (kind) {
    case Kind::kPrefecture:
      return "prefecture";
    case Kind::kDesignatedCity:
      return "designated city";
    case Kind::kCity:
      return "city";
    case Kind::kSpecialWard:
      return "special ward";
    case Kind::kTown:
      return "town";
    case Kind::kVillage:
      return "village";
    case Kind::kCityWard:
      return "ward of a designated city";
  }
  return "entity";
}

}  // namespace kaizen::municipality
