// The difference between two versions of a plan's content: pure functions,
// no storage, no clock.
//
// Structured part: actions are matched by id; an action only in `to` is
// ADDED, only in `from` REMOVED, in both with any field different CHANGED
// with one FieldChange per field ("title", "description", "target_result",
// "stakeholders", "timeframe", "indicator", "status"; enums by name, lists
// joined with ", "). Outside actions: "vision", "walls[<WALL>]" (a
// statement added, removed or changed), "milestones[<i>].title",
// ".target_date" (YYYY-MM-DD), ".done", and "milestones" when the count
// differs (old and new counts).
//
// Text part: every free-text field whose value differs gets a TextDiff with
// a character-level diff over Unicode code points (Japanese has no spaces
// between words, so words are not a usable unit), computed as a shortest
// edit script (Myers) and merged into runs of EQUAL / DELETE / INSERT.
// Text fields: "vision", "walls[<WALL>].text", "actions[<id>].title",
// "actions[<id>].description", "actions[<id>].indicator" (for added or
// removed actions, against the empty string). Fields are listed in that
// order, actions in `to`'s order then removed ones in `from`'s order.
//
// Input text is valid UTF-8 (validated on write); invalid bytes are treated
// as single code points, never dropped.
//
// Readings of the rules above (where they left a choice):
// - Order alone is not a change: a pure reordering of actions (or walls)
//   yields an empty diff. SameContent does see order, so a reordered draft
//   can still be committed; its diff against the parent is then empty.
// - ActionChange.title is the title in `to` (in `from` for REMOVED); ADDED
//   and REMOVED carry no FieldChanges (their text is in `text`).
//   "stakeholders" compares the lists in stored order.
// - `fields` are listed: "vision", then walls in Wall enum order, then
//   "milestones" (the counts), then "milestones[<i>].*" by index. A wall's
//   old and new values are its texts, "" when absent; a statement added or
//   removed is reported even when its text is empty. Walls' TextDiffs are in
//   the same Wall enum order. Milestones are compared by position; one
//   present on one side only is compared with an empty milestone (title "",
//   date "", done false), so an added milestone's title and date are shown.
// - Values: dates YYYY-MM-DD ("" when unset or all zero), bools
//   "true"/"false", counts in decimal, an enum value without a name as its
//   number. If an id (or a wall) occurs twice in one content, which
//   validation forbids, its first occurrence counts.
// - Edit scripts: among the shortest scripts, runs between two EQUAL runs
//   are always one DELETE run followed by one INSERT run; which of several
//   equally short scripts is returned is otherwise Myers' choice.
#ifndef KAIZEN_SERVICES_PLANS_PLAN_DIFF_H_
#define KAIZEN_SERVICES_PLANS_PLAN_DIFF_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "kaizen/plans/v1/plans.pb.h"

namespace kaizen::plans {

// The diff from `from` (revision `from_number`; 0 and an empty content for
// "nothing yet") to `to` (revision `to_number`).
v1::PlanDiff DiffPlans(int64_t from_number, const v1::PlanContent& from, int64_t to_number,
                       const v1::PlanContent& to);

// The character-level edit script from `a` to `b`, runs merged; empty when
// equal. Cost: O((N + M) * D) time for D edits and O(N + M) memory (the
// linear-space form of Myers' algorithm), with the searches' work capped at
// kMaxDiffSteps diagonals: two unrelated texts of a few thousand characters
// would take ~10^8 steps, and plans are diffed on every read of a FOLLOW_UP
// stage. Past the cap the ranges not yet matched are one deletion and one
// insertion: still an edit script, only not a shortest one. Concatenating
// the EQUAL and DELETE runs gives `a` back byte for byte; EQUAL and INSERT
// give `b`.
inline constexpr int64_t kMaxDiffSteps = int64_t{1} << 18;
std::vector<v1::TextEdit> DiffText(absl::string_view a, absl::string_view b);
// The same with another cap (tests).
std::vector<v1::TextEdit> DiffText(absl::string_view a, absl::string_view b, int64_t max_steps);

// Unchanged text as is, deletions as [-...-], insertions as {+...+}. The
// markers are not escaped: text that contains them renders ambiguously
// (the edits themselves never are).
std::string RenderTextDiff(const std::vector<v1::TextEdit>& edits);

// True when the two contents are equal field by field: repeated fields in
// order, an unset message equal to an empty one, unknown fields ignored
// (MessageDifferencer::Equivalent).
bool SameContent(const v1::PlanContent& a, const v1::PlanContent& b);

}  // namespace kaizen::plans

#endif  // KAIZEN_SERVICES_PLANS_PLAN_DIFF_H_
