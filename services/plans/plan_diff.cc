#include "services/plans/plan_diff.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/message_differencer.h"

namespace kaizen::plans {
namespace {

// ---------------------------------------------------------------------------
// Text: UTF-8 decoding into units, Myers' shortest edit script.

// One unit of text: a code point, or one byte that is not part of a valid
// UTF-8 sequence. `value` is what is compared (invalid bytes map above
// U+10FFFF so they never equal a real code point); `offset` and `size` keep
// the original bytes, so runs are copied from the input, never re-encoded.
struct Units {
  std::vector<uint32_t> value;
  std::vector<uint32_t> offset;  // offset.size() == value.size() + 1
};

constexpr uint32_t kInvalidByteBase = 0x110000;

Units Decode(absl::string_view s) {
  Units u;
  u.value.reserve(s.size());
  u.offset.reserve(s.size() + 1);
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if (c < 0x80) {
      len = 1, cp = c;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07, min = 0x10000;
    }
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not
    // valid UTF-8: their lead byte becomes a unit of its own.
    if (ok && (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)) ok = false;
    if (!ok) len = 1, cp = kInvalidByteBase + c;
    u.offset.push_back(static_cast<uint32_t>(i));
    u.value.push_back(cp);
    i += len;
  }
  u.offset.push_back(static_cast<uint32_t>(n));
  return u;
}

// A run of equal units: a[a_begin, a_begin + len) == b[b_begin, b_begin + len).
struct Match {
  int a_begin;
  int b_begin;
  int len;
};

// Myers' O((N + M) D) algorithm in its linear-space form: find the middle of
// a shortest edit path by running the search from both ends at once, split
// the problem there, recurse. Each split halves D, so the recursion is
// O(log D) deep; the only memory besides the inputs and the output is one
// pair of diagonal arrays sized for the top-level problem (reused, since a
// bisection finishes before its halves start).
class Myers {
 public:
  // `max_steps`: diagonals the searches may visit in all (DiffText).
  Myers(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, int64_t max_steps)
      : a_(a), b_(b), steps_left_(max_steps) {
    const size_t max_d = (a.size() + b.size() + 1) / 2;
    v1_.resize(2 * max_d + 2);
    v2_.resize(2 * max_d + 2);
  }

  // The matched runs of a shortest edit script, in order, adjacent runs
  // merged.
  std::vector<Match> Run() {
    Diff(0, static_cast<int>(a_.size()), 0, static_cast<int>(b_.size()));
    return std::move(matches_);
  }

 private:
  void AddMatch(int a_begin, int b_begin, int len) {
    if (len <= 0) return;
    if (!matches_.empty()) {
      Match& last = matches_.back();
      if (last.a_begin + last.len == a_begin && last.b_begin + last.len == b_begin) {
        last.len += len;
        return;
      }
    }
    matches_.push_back({a_begin, b_begin, len});
  }

  void Diff(int a0, int a1, int b0, int b1) {
    // Common prefix and suffix are on every shortest path.
    int prefix = 0;
    while (a0 + prefix < a1 && b0 + prefix < b1 && a_[a0 + prefix] == b_[b0 + prefix]) ++prefix;
    AddMatch(a0, b0, prefix);
    a0 += prefix;
    b0 += prefix;
    int suffix = 0;
    while (a0 < a1 - suffix && b0 < b1 - suffix && a_[a1 - suffix - 1] == b_[b1 - suffix - 1]) {
      ++suffix;
    }
    a1 -= suffix;
    b1 -= suffix;
    if (a0 < a1 && b0 < b1) {
      const auto [x, y] = Bisect(a0, a1, b0, b1);
      if (x >= 0) {
        Diff(a0, a0 + x, b0, b0 + y);
        Diff(a0 + x, a1, b0 + y, b1);
      }  // else nothing in common: all of a deleted, all of b inserted
    }
    AddMatch(a1, b1, suffix);
  }

  // The point (x, y), relative to (a0, b0), where the forward and reverse
  // searches of a[a0, a1) against b[b0, b1) first overlap: a point on a
  // shortest edit path with about half its edits on either side; (-1, -1)
  // when the ranges have no unit in common. Both ranges are non-empty and
  // differ in their first and last units.
  std::pair<int, int> Bisect(int a0, int a1, int b0, int b1) {
    const int n = a1 - a0;
    const int m = b1 - b0;
    const int max_d = (n + m + 1) / 2;
    const int v_offset = max_d;
    // Raw pointers: the compiler need not reload the vectors after each
    // store into the diagonal arrays, which matters in the inner loops.
    const uint32_t* const a = a_.data() + a0;
    const uint32_t* const b = b_.data() + b0;
    const uint32_t* const a_end = a_.data() + a1;
    const uint32_t* const b_end = b_.data() + b1;
    int* const v1 = v1_.data();
    int* const v2 = v2_.data();
    std::fill(v1, v1 + 2 * max_d + 2, -1);
    std::fill(v2, v2 + 2 * max_d + 2, -1);
    v1[v_offset + 1] = 0;
    v2[v_offset + 1] = 0;
    const int delta = n - m;
    // With an odd delta the forward path meets the reverse one on a forward
    // step, otherwise on a reverse step.
    const bool front = (delta % 2 != 0);
    // Diagonals whose paths ran off the grid are skipped from then on.
    int k1start = 0, k1end = 0, k2start = 0, k2end = 0;
    for (int d = 0; d < max_d; ++d) {
      // Out of effort: this range is left unmatched (deleted and inserted
      // whole), an edit script still, only not a shortest one.
      steps_left_ -= 2 * (d + 1);
      if (steps_left_ < 0) return {-1, -1};
      for (int k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
        const int k1_offset = v_offset + k1;
        int x1 = (k1 == -d || (k1 != d && v1[k1_offset - 1] < v1[k1_offset + 1]))
                     ? v1[k1_offset + 1]
                     : v1[k1_offset - 1] + 1;
        int y1 = x1 - k1;
        while (x1 < n && y1 < m && a[x1] == b[y1]) ++x1, ++y1;
        v1[k1_offset] = x1;
        if (x1 > n) {
          k1end += 2;
        } else if (y1 > m) {
          k1start += 2;
        } else if (front) {
          const int k2_offset = v_offset + delta - k1;
          if (k2_offset >= 0 && k2_offset < 2 * max_d && v2[k2_offset] != -1) {
            if (x1 >= n - v2[k2_offset]) return {x1, y1};
          }
        }
      }
      for (int k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
        const int k2_offset = v_offset + k2;
        int x2 = (k2 == -d || (k2 != d && v2[k2_offset - 1] < v2[k2_offset + 1]))
                     ? v2[k2_offset + 1]
                     : v2[k2_offset - 1] + 1;
        int y2 = x2 - k2;
        while (x2 < n && y2 < m && a_end[-x2 - 1] == b_end[-y2 - 1]) ++x2, ++y2;
        v2[k2_offset] = x2;
        if (x2 > n) {
          k2end += 2;
        } else if (y2 > m) {
          k2start += 2;
        } else if (!front) {
          const int k1_offset = v_offset + delta - k2;
          if (k1_offset >= 0 && k1_offset < 2 * max_d && v1[k1_offset] != -1) {
            const int x1 = v1[k1_offset];
            const int y1 = v_offset + x1 - k1_offset;
            if (x1 >= n - x2) return {x1, y1};
          }
        }
      }
    }
    // The searches meet within max_d steps unless D = n + m, which (D and
    // n + m having the same parity) means no unit in common.
    return {-1, -1};
  }

  const std::vector<uint32_t>& a_;
  const std::vector<uint32_t>& b_;
  std::vector<int> v1_;
  std::vector<int> v2_;
  int64_t steps_left_;
  std::vector<Match> matches_;
};

v1::TextEdit MakeEdit(v1::TextEdit::Op op, absl::string_view text) {
  v1::TextEdit edit;
  edit.set_op(op);
  edit.set_text(std::string(text));
  return edit;
}

// ---------------------------------------------------------------------------
// Values as text.

std::string WallName(kaizen::type::Wall wall) {
  const std::string& name = kaizen::type::Wall_Name(wall);
  return name.empty() ? absl::StrCat(static_cast<int>(wall)) : name;
}

std::string StatusName(v1::Action::Status status) {
  const std::string& name = v1::Action::Status_Name(status);
  return name.empty() ? absl::StrCat(static_cast<int>(status)) : name;
}

std::string StakeholdersText(const v1::Action& action) {
  std::vector<std::string> names;
  names.reserve(action.stakeholders_size());
  for (int i = 0; i < action.stakeholders_size(); ++i) {
    const v1::Stakeholder s = action.stakeholders(i);
    const std::string& name = v1::Stakeholder_Name(s);
    names.push_back(name.empty() ? absl::StrCat(static_cast<int>(s)) : name);
  }
  return absl::StrJoin(names, ", ");
}

// YYYY-MM-DD; an unset (all-zero) date is the empty string.
std::string DateText(const google::type::Date& date) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

std::string BoolText(bool b) { return b ? "true" : "false"; }

// ---------------------------------------------------------------------------
// The structured diff.

class DiffBuilder {
 public:
  explicit DiffBuilder(v1::PlanDiff* diff) : diff_(diff) {}

  void Field(std::string field, std::string old_value, std::string new_value) {
    if (old_value == new_value) return;
    v1::FieldChange* change = diff_->add_fields();
    change->set_field(std::move(field));
    change->set_old_value(std::move(old_value));
    change->set_new_value(std::move(new_value));
  }

  void Text(std::string field, absl::string_view old_text, absl::string_view new_text) {
    if (old_text == new_text) return;
    v1::TextDiff* text = diff_->add_text();
    text->set_field(std::move(field));
    std::vector<v1::TextEdit> edits = DiffText(old_text, new_text);
    text->set_rendered(RenderTextDiff(edits));
    for (v1::TextEdit& edit : edits) *text->add_edits() = std::move(edit);
  }

 private:
  v1::PlanDiff* diff_;
};

void AddActionFields(const v1::Action& from, const v1::Action& to, v1::ActionChange* change) {
  auto field = [change](const char* name, std::string old_value, std::string new_value) {
    if (old_value == new_value) return;
    v1::FieldChange* f = change->add_fields();
    f->set_field(name);
    f->set_old_value(std::move(old_value));
    f->set_new_value(std::move(new_value));
  };
  field("title", from.title(), to.title());
  field("description", from.description(), to.description());
  field("target_result", WallName(from.target_result()), WallName(to.target_result()));
  field("stakeholders", StakeholdersText(from), StakeholdersText(to));
  field("timeframe", from.timeframe(), to.timeframe());
  field("indicator", from.indicator(), to.indicator());
  field("status", StatusName(from.status()), StatusName(to.status()));
}

void AddActionTexts(const v1::Action& from, const v1::Action& to, const std::string& id,
                    DiffBuilder* out) {
  out->Text(absl::StrCat("actions[", id, "].title"), from.title(), to.title());
  out->Text(absl::StrCat("actions[", id, "].description"), from.description(), to.description());
  out->Text(absl::StrCat("actions[", id, "].indicator"), from.indicator(), to.indicator());
}

// The first statement for each wall, in wall (enum) order.
std::map<int, const v1::WallStatement*> WallsByNumber(const v1::PlanContent& content) {
  std::map<int, const v1::WallStatement*> walls;
  for (const v1::WallStatement& w : content.walls()) walls.emplace(w.wall(), &w);
  return walls;
}

// The actions of `content` in order, each id once (its first occurrence).
std::vector<const v1::Action*> UniqueActions(const v1::PlanContent& content) {
  std::vector<const v1::Action*> actions;
  absl::flat_hash_set<absl::string_view> seen;
  for (const v1::Action& a : content.actions()) {
    if (seen.insert(a.id()).second) actions.push_back(&a);
  }
  return actions;
}

}  // namespace

std::vector<v1::TextEdit> DiffText(absl::string_view a, absl::string_view b) {
  return DiffText(a, b, kMaxDiffSteps);
}

std::vector<v1::TextEdit> DiffText(absl::string_view a, absl::string_view b,
                                   int64_t max_steps) {
  std::vector<v1::TextEdit> edits;
  if (a == b) return edits;
  const Units ua = Decode(a);
  const Units ub = Decode(b);
  const std::vector<Match> matches = Myers(ua.value, ub.value, max_steps).Run();

  // Units [i, j) of a string as its original bytes.
  auto slice = [](absl::string_view s, const Units& u, int i, int j) {
    return s.substr(u.offset[i], u.offset[j] - u.offset[i]);
  };
  int ai = 0, bi = 0;
  auto gap = [&](int a_end, int b_end) {
    if (a_end > ai) edits.push_back(MakeEdit(v1::TextEdit::DELETE, slice(a, ua, ai, a_end)));
    if (b_end > bi) edits.push_back(MakeEdit(v1::TextEdit::INSERT, slice(b, ub, bi, b_end)));
  };
  for (const Match& m : matches) {
    gap(m.a_begin, m.b_begin);
    edits.push_back(
        MakeEdit(v1::TextEdit::EQUAL, slice(a, ua, m.a_begin, m.a_begin + m.len)));
    ai = m.a_begin + m.len;
    bi = m.b_begin + m.len;
  }
  gap(static_cast<int>(ua.value.size()), static_cast<int>(ub.value.size()));
  return edits;
}

std::string RenderTextDiff(const std::vector<v1::TextEdit>& edits) {
  std::string out;
  for (const v1::TextEdit& e : edits) {
    switch (e.op()) {
      case v1::TextEdit::DELETE:
        absl::StrAppend(&out, "[-", e.text(), "-]");
        break;
      case v1::TextEdit::INSERT:
        absl::StrAppend(&out, "{+", e.text(), "+}");
        break;
      default:
        out += e.text();
        break;
    }
  }
  return out;
}

bool SameContent(const v1::PlanContent& a, const v1::PlanContent& b) {
  return google::protobuf::util::MessageDifferencer::Equivalent(a, b);
}

v1::PlanDiff DiffPlans(int64_t from_number, const v1::PlanContent& from, int64_t to_number,
                       const v1::PlanContent& to) {
  v1::PlanDiff diff;
  diff.set_from_revision(from_number);
  diff.set_to_revision(to_number);
  DiffBuilder out(&diff);
  const v1::Action kNoAction;
  const v1::WallStatement kNoWall;
  const v1::Milestone kNoMilestone;

  // Actions: `to`'s order, then the removed ones in `from`'s order.
  const std::vector<const v1::Action*> from_actions = UniqueActions(from);
  const std::vector<const v1::Action*> to_actions = UniqueActions(to);
  absl::flat_hash_map<absl::string_view, const v1::Action*> from_by_id;
  for (const v1::Action* a : from_actions) from_by_id.emplace(a->id(), a);
  absl::flat_hash_set<absl::string_view> to_ids;
  for (const v1::Action* a : to_actions) to_ids.insert(a->id());

  for (const v1::Action* a : to_actions) {
    const auto it = from_by_id.find(a->id());
    if (it == from_by_id.end()) {
      v1::ActionChange* change = diff.add_actions();
      change->set_action_id(a->id());
      change->set_title(a->title());
      change->set_kind(v1::ActionChange::ADDED);
      continue;
    }
    v1::ActionChange change;
    AddActionFields(*it->second, *a, &change);
    if (change.fields_size() == 0) continue;
    change.set_action_id(a->id());
    change.set_title(a->title());
    change.set_kind(v1::ActionChange::CHANGED);
    *diff.add_actions() = std::move(change);
  }
  for (const v1::Action* a : from_actions) {
    if (to_ids.contains(a->id())) continue;
    v1::ActionChange* change = diff.add_actions();
    change->set_action_id(a->id());
    change->set_title(a->title());
    change->set_kind(v1::ActionChange::REMOVED);
  }

  // Fields outside actions.
  out.Field("vision", from.vision(), to.vision());
  const auto from_walls = WallsByNumber(from);
  const auto to_walls = WallsByNumber(to);
  std::map<int, std::pair<const v1::WallStatement*, const v1::WallStatement*>> walls;
  for (const auto& [number, w] : from_walls) walls[number].first = w;
  for (const auto& [number, w] : to_walls) walls[number].second = w;
  for (const auto& [number, pair] : walls) {
    const std::string field = absl::StrCat("walls[", WallName(static_cast<kaizen::type::Wall>(number)), "]");
    const v1::WallStatement* old_wall = pair.first;
    const v1::WallStatement* new_wall = pair.second;
    if (old_wall != nullptr && new_wall != nullptr && old_wall->text() == new_wall->text()) {
      continue;
    }
    // A statement added or removed is a change even when its text is empty.
    v1::FieldChange* change = diff.add_fields();
    change->set_field(field);
    change->set_old_value(old_wall != nullptr ? old_wall->text() : "");
    change->set_new_value(new_wall != nullptr ? new_wall->text() : "");
  }
  const int from_count = from.milestones_size();
  const int to_count = to.milestones_size();
  out.Field("milestones", absl::StrCat(from_count), absl::StrCat(to_count));
  for (int i = 0; i < std::max(from_count, to_count); ++i) {
    const v1::Milestone& m0 = i < from_count ? from.milestones(i) : kNoMilestone;
    const v1::Milestone& m1 = i < to_count ? to.milestones(i) : kNoMilestone;
    const std::string prefix = absl::StrCat("milestones[", i, "]");
    out.Field(absl::StrCat(prefix, ".title"), m0.title(), m1.title());
    out.Field(absl::StrCat(prefix, ".target_date"), DateText(m0.target_date()),
              DateText(m1.target_date()));
    out.Field(absl::StrCat(prefix, ".done"), BoolText(m0.done()), BoolText(m1.done()));
  }

  // Text diffs: vision, walls, actions.
  out.Text("vision", from.vision(), to.vision());
  for (const auto& [number, pair] : walls) {
    out.Text(absl::StrCat("walls[", WallName(static_cast<kaizen::type::Wall>(number)), "].text"),
             pair.first != nullptr ? pair.first->text() : kNoWall.text(),
             pair.second != nullptr ? pair.second->text() : kNoWall.text());
  }
  for (const v1::Action* a : to_actions) {
    const auto it = from_by_id.find(a->id());
    AddActionTexts(it == from_by_id.end() ? kNoAction : *it->second, *a, a->id(), &out);
  }
  for (const v1::Action* a : from_actions) {
    if (!to_ids.contains(a->id())) AddActionTexts(*a, kNoAction, a->id(), &out);
  }
  return diff;
}

}  // namespace kaizen::plans
