#include "services/survey/instruments.h"

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/violations.h"
#include "common/util/ids.h"
#include "common/validation/validation.h"
#include "services/survey/survey_errors.h"

namespace kaizen::survey {
namespace {

// Reasons come from the catalog (survey_errors.h): kInvalidInstrument,
// kItemIdChanged, kInvalidAnswer, kAnswerRequired.

constexpr int kMaxViolations = 100;
constexpr int kMaxItems = 500;
constexpr int kMaxScales = 100;
constexpr int kMaxFreeTextLength = 4000;
constexpr absl::string_view kIdRule =
    "must be 1-63 characters of a-z, 0-9 and '-', starting with a letter "
    "and not ending with '-'";

// ---------------------------------------------------------------- validation

// Violations with a reason each, capped at kMaxViolations.
class Collector {
 public:
  explicit Collector(absl::string_view overflow_field)
      : overflow_field_(overflow_field) {}

  void Add(absl::string_view field, absl::string_view description,
           absl::string_view reason) {
    if (count_ > kMaxViolations) return;
    ++count_;
    if (count_ > kMaxViolations) {
      violations_.Check(errors::InvalidField(
          overflow_field_,
          absl::StrCat("more than ", kMaxViolations,
                       " problems; the rest are not listed"),
          reason));
      return;
    }
    violations_.Check(errors::InvalidField(field, description, reason));
  }

  // ValidateText's check, re-reasoned: the caller's reason names what is
  // wrong (an instrument, an answer); the description says why.
  bool Text(absl::string_view field, absl::string_view text, int min_chars,
            int max_chars, bool multiline, absl::string_view reason) {
    const absl::Status status =
        ValidateText(field, text, min_chars, max_chars, multiline);
    if (status.ok()) return true;
    const auto bad = errors::GetBadRequest(status);
    Add(field,
        bad.has_value() && bad->field_violations_size() > 0
            ? bad->field_violations(0).description()
            : std::string(status.message()),
        reason);
    return false;
  }

  absl::Status Result() const { return violations_.Result(); }

 private:
  std::string overflow_field_;
  int count_ = 0;
  errors::Violations violations_;
};

std::string TypeName(v1::Item::Type type) {
  return v1::Item::Type_IsValid(type) ? v1::Item::Type_Name(type)
                                      : absl::StrCat(static_cast<int>(type));
}

bool IsChoiceType(v1::Item::Type type) {
  return type == v1::Item::SINGLE_CHOICE || type == v1::Item::MULTIPLE_CHOICE;
}

// Quotes an id for a description. Only well-formed ids are echoed: anything
// else may not even be UTF-8, which a BadRequest cannot carry.
std::string Quoted(absl::string_view id) {
  return IsValidResourceId(id) ? absl::StrCat("\"", id, "\"")
                               : std::string("(an invalid id)");
}

void CheckLikert(const v1::Item& item, const std::string& path, Collector& c) {
  if (!item.has_likert()) {
    c.Add(path + ".likert", "is required for LIKERT items", kInvalidInstrument);
    return;
  }
  const v1::LikertSpec& likert = item.likert();
  const bool points_ok = likert.points() >= 2 && likert.points() <= 11;
  if (!points_ok) {
    c.Add(path + ".likert.points", "must be from 2 to 11", kInvalidInstrument);
  } else if (likert.labels_size() != 0 &&
             likert.labels_size() != likert.points()) {
    c.Add(path + ".likert.labels",
          absl::StrCat("must be empty or hold one label per point (",
                       likert.points(), ")"),
          kInvalidInstrument);
  }
  for (int j = 0; j < likert.labels_size(); ++j) {
    c.Text(absl::StrCat(path, ".likert.labels[", j, "]"), likert.labels(j), 1,
           100, false, kInvalidInstrument);
  }
}

void CheckChoices(const v1::Item& item, const std::string& path,
                  Collector& c) {
  if (item.choices_size() < 2 || item.choices_size() > 30) {
    c.Add(path + ".choices", "must hold 2 to 30 choices", kInvalidInstrument);
  }
  std::set<std::string> ids;
  for (int j = 0; j < item.choices_size(); ++j) {
    const v1::Choice& choice = item.choices(j);
    const std::string choice_path = absl::StrCat(path, ".choices[", j, "]");
    if (!IsValidResourceId(choice.id())) {
      c.Add(choice_path + ".id", kIdRule, kInvalidInstrument);
    } else if (!ids.insert(choice.id()).second) {
      c.Add(choice_path + ".id",
            absl::StrCat("repeats the choice id ", Quoted(choice.id())),
            kInvalidInstrument);
    }
    c.Text(choice_path + ".label", choice.label(), 1, 200, false,
           kInvalidInstrument);
  }
}

void CheckNumber(const v1::Item& item, const std::string& path,
                 Collector& c) {
  if (!item.has_number()) {
    c.Add(path + ".number", "is required for NUMBER items",
          kInvalidInstrument);
    return;
  }
  const v1::NumberSpec& number = item.number();
  const bool min_ok = std::isfinite(number.min());
  const bool max_ok = std::isfinite(number.max());
  if (!min_ok) {
    c.Add(path + ".number.min", "must be a finite number", kInvalidInstrument);
  }
  if (!max_ok) {
    c.Add(path + ".number.max", "must be a finite number", kInvalidInstrument);
  }
  if (!min_ok || !max_ok) return;
  if (number.min() > number.max()) {
    c.Add(path + ".number.max", "must not be less than min",
          kInvalidInstrument);
  } else if (number.integer() &&
             std::ceil(number.min()) > std::floor(number.max())) {
    c.Add(path + ".number.integer",
          "no whole number lies between min and max", kInvalidInstrument);
  }
}

// Specs that belong to another type would be silently ignored: say so.
void CheckForeignSpecs(const v1::Item& item, const std::string& path,
                       Collector& c) {
  const v1::Item::Type type = item.type();
  if (type != v1::Item::LIKERT && item.has_likert()) {
    c.Add(path + ".likert", "is only for LIKERT items", kInvalidInstrument);
  }
  if (!IsChoiceType(type) && item.choices_size() > 0) {
    c.Add(path + ".choices",
          "are only for SINGLE_CHOICE and MULTIPLE_CHOICE items",
          kInvalidInstrument);
  }
  if (type != v1::Item::NUMBER && item.has_number()) {
    c.Add(path + ".number", "is only for NUMBER items", kInvalidInstrument);
  }
  if (type != v1::Item::FREE_TEXT && item.max_length() != 0) {
    c.Add(path + ".max_length", "is only for FREE_TEXT items",
          kInvalidInstrument);
  }
}

void CheckScale(const v1::Scale& scale, const std::string& path,
                const std::map<std::string, const v1::Item*>& items,
                std::set<std::string>& scale_ids, std::set<int>& walls,
                Collector& c) {
  if (!IsValidResourceId(scale.id())) {
    c.Add(path + ".id", kIdRule, kInvalidInstrument);
  } else if (!scale_ids.insert(scale.id()).second) {
    c.Add(path + ".id",
          absl::StrCat("repeats the scale id ", Quoted(scale.id())),
          kInvalidInstrument);
  }
  c.Text(path + ".title", scale.title(), 1, 200, false, kInvalidInstrument);

  const bool kind_ok = v1::Scale::Kind_IsValid(scale.kind()) &&
                       scale.kind() != v1::Scale::KIND_UNSPECIFIED;
  if (!kind_ok) {
    c.Add(path + ".kind", "must be WALL, MANAGEMENT, SELF_EFFICACY or OTHER",
          kInvalidInstrument);
  } else if (scale.kind() == v1::Scale::WALL) {
    if (!type::Wall_IsValid(scale.wall()) ||
        scale.wall() == type::WALL_UNSPECIFIED) {
      c.Add(path + ".wall", "a WALL scale must name one of the four walls",
            kInvalidInstrument);
    } else if (!walls.insert(scale.wall()).second) {
      c.Add(path + ".wall",
            absl::StrCat("another WALL scale already measures ",
                         type::Wall_Name(scale.wall())),
            kInvalidInstrument);
    }
  } else if (scale.wall() != type::WALL_UNSPECIFIED) {
    c.Add(path + ".wall", "only WALL scales name a wall", kInvalidInstrument);
  }

  if (scale.item_ids_size() < 2) {
    c.Add(path + ".item_ids", "must list at least 2 Likert items",
          kInvalidInstrument);
  }
  std::set<std::string> members;
  int points = 0;  // of the scale's first Likert item
  for (int j = 0; j < scale.item_ids_size(); ++j) {
    const std::string& id = scale.item_ids(j);
    const std::string field = absl::StrCat(path, ".item_ids[", j, "]");
    if (!members.insert(id).second) {
      c.Add(field, absl::StrCat("lists item ", Quoted(id), " twice"),
            kInvalidInstrument);
      continue;
    }
    const auto it = items.find(id);
    if (it == items.end()) {
      c.Add(field, absl::StrCat("no item ", Quoted(id), " in this version"),
            kInvalidInstrument);
      continue;
    }
    const v1::Item& item = *it->second;
    if (item.type() != v1::Item::LIKERT) {
      c.Add(field, absl::StrCat("item ", Quoted(id), " is not a LIKERT item"),
            kInvalidInstrument);
      continue;
    }
    const int item_points = item.likert().points();
    if (item_points < 2 || item_points > 11) continue;  // reported on the item
    if (points == 0) {
      points = item_points;
    } else if (item_points != points) {
      c.Add(field,
            absl::StrCat("item ", Quoted(id), " has ", item_points,
                         " points; the scale's first item has ", points),
            kInvalidInstrument);
    }
  }
  std::set<std::string> reversed;
  for (int j = 0; j < scale.reverse_item_ids_size(); ++j) {
    const std::string& id = scale.reverse_item_ids(j);
    const std::string field = absl::StrCat(path, ".reverse_item_ids[", j, "]");
    if (!reversed.insert(id).second) {
      c.Add(field, absl::StrCat("lists item ", Quoted(id), " twice"),
            kInvalidInstrument);
    } else if (members.count(id) == 0) {
      c.Add(field, absl::StrCat("item ", Quoted(id), " is not in item_ids"),
            kInvalidInstrument);
    }
  }
}

// The value field an answer to an item of `type` must set.
v1::Answer::ValueCase ExpectedValue(v1::Item::Type type) {
  switch (type) {
    case v1::Item::LIKERT:
      return v1::Answer::kLikert;
    case v1::Item::SINGLE_CHOICE:
      return v1::Answer::kChoice;
    case v1::Item::MULTIPLE_CHOICE:
      return v1::Answer::kChoices;
    case v1::Item::NUMBER:
      return v1::Answer::kNumber;
    case v1::Item::FREE_TEXT:
      return v1::Answer::kText;
    default:
      return v1::Answer::VALUE_NOT_SET;
  }
}

absl::string_view ValueFieldName(v1::Answer::ValueCase value) {
  switch (value) {
    case v1::Answer::kLikert:
      return "likert";
    case v1::Answer::kChoice:
      return "choice";
    case v1::Answer::kChoices:
      return "choices";
    case v1::Answer::kNumber:
      return "number";
    case v1::Answer::kText:
      return "text";
    default:
      return "no";
  }
}

bool HasChoice(const v1::Item& item, absl::string_view id) {
  for (const v1::Choice& choice : item.choices()) {
    if (choice.id() == id) return true;
  }
  return false;
}

// Checks one answer's value; true when it is valid but blank (an all-space
// text), i.e. does not count as answering the item.
bool CheckValue(const v1::Item& item, const v1::Answer& answer,
                const std::string& field, Collector& c) {
  if (answer.share_text() && item.type() != v1::Item::FREE_TEXT) {
    c.Add(field, "share_text is only for FREE_TEXT answers", kInvalidAnswer);
  }
  if (answer.share_with_employer() && item.type() != v1::Item::FREE_TEXT) {
    c.Add(field, "share_with_employer is only for FREE_TEXT answers", kInvalidAnswer);
  }
  if (answer.value_case() == v1::Answer::VALUE_NOT_SET) {
    c.Add(field, "has no value; leave the item out to skip it",
          kInvalidAnswer);
    return false;
  }
  const v1::Answer::ValueCase expected = ExpectedValue(item.type());
  if (answer.value_case() != expected) {
    c.Add(field,
          absl::StrCat("a ", TypeName(item.type()), " item takes a \"",
                       ValueFieldName(expected), "\" value"),
          kInvalidAnswer);
    return false;
  }
  switch (item.type()) {
    case v1::Item::LIKERT:
      if (answer.likert() < 1 || answer.likert() > item.likert().points()) {
        c.Add(field,
              absl::StrCat("must be from 1 to ", item.likert().points()),
              kInvalidAnswer);
      }
      return false;
    case v1::Item::SINGLE_CHOICE:
      if (!HasChoice(item, answer.choice())) {
        c.Add(field, "is not one of the item's choices", kInvalidAnswer);
      }
      return false;
    case v1::Item::MULTIPLE_CHOICE: {
      const auto& ids = answer.choices().ids();
      if (ids.empty()) {
        c.Add(field, "must choose at least one; leave the item out to skip it",
              kInvalidAnswer);
        return false;
      }
      bool unknown = false;
      std::set<std::string> distinct;
      for (const std::string& id : ids) {
        if (!HasChoice(item, id)) unknown = true;
        distinct.insert(id);
      }
      if (unknown) {
        c.Add(field, "includes a choice that is not one of the item's",
              kInvalidAnswer);
      }
      if (distinct.size() != static_cast<size_t>(ids.size())) {
        c.Add(field, "includes a choice more than once", kInvalidAnswer);
      }
      return false;
    }
    case v1::Item::NUMBER: {
      const double value = answer.number();
      const v1::NumberSpec& spec = item.number();
      if (!std::isfinite(value)) {
        c.Add(field, "must be a finite number", kInvalidAnswer);
      } else if (value < spec.min() || value > spec.max()) {
        c.Add(field,
              absl::StrCat("must be from ", spec.min(), " to ", spec.max()),
              kInvalidAnswer);
      } else if (spec.integer() && value != std::floor(value)) {
        c.Add(field, "must be a whole number", kInvalidAnswer);
      }
      return false;
    }
    case v1::Item::FREE_TEXT:
      // Length is counted after trimming, as ValidateText does; callers store
      // the trimmed text.
      return c.Text(field, answer.text(), 0, EffectiveMaxLength(item), true,
                    kInvalidAnswer) &&
             TrimSpaces(answer.text()).empty();
    default:
      return false;
  }
}

}  // namespace

int EffectiveMaxLength(const v1::Item& item) {
  return item.max_length() > 0 ? item.max_length()
                               : kDefaultFreeTextMaxLength;
}

absl::Status ValidateVersion(const v1::InstrumentVersion& version,
                             const v1::InstrumentVersion* previous_published) {
  Collector c("version");
  if (version.items_size() > kMaxItems) {
    c.Add("version.items", absl::StrCat("must hold at most ", kMaxItems,
                                        " items"),
          kInvalidInstrument);
  }
  std::map<std::string, const v1::Item*> items;
  for (int i = 0; i < version.items_size(); ++i) {
    const v1::Item& item = version.items(i);
    const std::string path = absl::StrCat("version.items[", i, "]");
    if (!IsValidResourceId(item.id())) {
      c.Add(path + ".id", kIdRule, kInvalidInstrument);
    } else if (!items.emplace(item.id(), &item).second) {
      c.Add(path + ".id",
            absl::StrCat("repeats the item id ", Quoted(item.id())),
            kInvalidInstrument);
    }
    c.Text(path + ".text", item.text(), 1, 500, true, kInvalidInstrument);
    switch (item.type()) {
      case v1::Item::LIKERT:
        CheckLikert(item, path, c);
        break;
      case v1::Item::SINGLE_CHOICE:
      case v1::Item::MULTIPLE_CHOICE:
        CheckChoices(item, path, c);
        break;
      case v1::Item::NUMBER:
        CheckNumber(item, path, c);
        break;
      case v1::Item::FREE_TEXT:
        if (item.max_length() < 0 || item.max_length() > kMaxFreeTextLength) {
          c.Add(path + ".max_length",
                "must be 0 (the default, 2,000) or 1 to 4,000",
                kInvalidInstrument);
        }
        break;
      default:
        c.Add(path + ".type",
              "must be LIKERT, SINGLE_CHOICE, MULTIPLE_CHOICE, NUMBER or FREE_TEXT",
              kInvalidInstrument);
        continue;  // with no known type, other specs are not "foreign"
    }
    CheckForeignSpecs(item, path, c);
  }

  if (version.scales_size() > kMaxScales) {
    c.Add("version.scales",
          absl::StrCat("must hold at most ", kMaxScales, " scales"),
          kInvalidInstrument);
  }
  std::set<std::string> scale_ids;
  std::set<int> walls;
  for (int i = 0; i < version.scales_size(); ++i) {
    CheckScale(version.scales(i), absl::StrCat("version.scales[", i, "]"),
               items, scale_ids, walls, c);
  }

  // Last, so that ITEM_ID_CHANGED is the reason only when the version is
  // otherwise sound.
  if (previous_published != nullptr) {
    std::map<std::string, const v1::Item*> before;
    for (const v1::Item& item : previous_published->items()) {
      before.emplace(item.id(), &item);
    }
    for (int i = 0; i < version.items_size(); ++i) {
      const v1::Item& item = version.items(i);
      if (!IsValidResourceId(item.id())) continue;
      const auto it = before.find(item.id());
      if (it == before.end()) continue;
      const v1::Item& old = *it->second;
      const std::string path = absl::StrCat("version.items[", i, "]");
      if (item.type() != old.type()) {
        c.Add(path + ".type",
              absl::StrCat("item ", Quoted(item.id()), " was ",
                           TypeName(old.type()),
                           " in the published version; an item keeps its "
                           "type (give a new question a new id)"),
              kItemIdChanged);
      } else if (item.type() == v1::Item::LIKERT &&
                 item.likert().points() != old.likert().points()) {
        c.Add(path + ".likert.points",
              absl::StrCat("item ", Quoted(item.id()), " had ",
                           old.likert().points(),
                           " points in the published version; an item keeps "
                           "its scale (give a new question a new id)"),
              kItemIdChanged);
      }
    }
  }
  return c.Result();
}

absl::Status ValidateAnswers(
    const v1::InstrumentVersion& version,
    const google::protobuf::RepeatedPtrField<v1::Answer>& answers,
    bool submit) {
  std::map<std::string, const v1::Item*> items;
  for (const v1::Item& item : version.items()) items.emplace(item.id(), &item);

  Collector c("answers");
  std::set<std::string> seen;   // items with an answer, valid or not
  std::set<std::string> blank;  // items answered with an all-space text
  for (int i = 0; i < answers.size(); ++i) {
    const v1::Answer& answer = answers.Get(i);
    const std::string& id = answer.item_id();
    if (!IsValidResourceId(id)) {
      c.Add(absl::StrCat("answers[", i, "]"), "item_id is not a valid item id",
            kInvalidAnswer);
      continue;
    }
    const std::string field = absl::StrCat("answers[", id, "]");
    const auto it = items.find(id);
    if (it == items.end()) {
      c.Add(field, "no such item in this questionnaire", kInvalidAnswer);
      continue;
    }
    if (!seen.insert(id).second) {
      c.Add(field, "the item is answered more than once", kInvalidAnswer);
      continue;
    }
    if (CheckValue(*it->second, answer, field, c)) blank.insert(id);
  }
  if (submit) {
    for (const v1::Item& item : version.items()) {
      if (!item.required()) continue;
      if (seen.count(item.id()) == 0 || blank.count(item.id()) > 0) {
        c.Add(absl::StrCat("answers[", item.id(), "]"), "is required",
              kAnswerRequired);
      }
    }
  }
  return c.Result();
}

}  // namespace kaizen::survey
