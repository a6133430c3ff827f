// The disclosure rule of the survey service, as pure arithmetic.
//
// The rule: a person sees their own profile; a cohort's staff see all of
// that cohort; any aggregate shown to anyone else covers at least k
// respondents (k configurable, default 5, never below 3), and no hidden
// value can be recovered by subtraction, neither from a published total nor
// from two overlapping queries. The cohort is tiny (10 people from at most
// 6 municipalities), so almost every per-municipality cell holds one or two
// people: the service calls these functions before every aggregate that
// leaves the staff, and they decide; nothing else may.
//
// What this file does not cover, and the service must:
//   - Time. A group queried today and again after one more response arrived
//     differs by exactly that response. The pool therefore grows only by
//     closed waves (whole cohorts): every pool read outside a cohort's own
//     staff passes PoolFilter::closed_by (survey_store.h; since 2026-12-02).
//     Still open: a wave whose closing adds fewer than k respondents to a
//     published group is the same subtraction as MayRelease's "rest" and
//     must be treated like it; nothing checks that yet.
//   - Homogeneity. A released group of 6 in which all six share an answer
//     reveals that answer for each of them; k-anonymity alone does not
//     prevent it (l-diversity would). The wall counts below show zeros, so
//     "all six in one cell" is visible. We accept this for counts of the
//     strongest wall (a group-level finding the programme discusses
//     openly) but not for free text, which never leaves the staff without
//     its author's consent.
//   - Queries that are not nested. Two published groups A and B that
//     overlap without one containing the other leak A∩B only if A∪B (or
//     A∩B's complement in a published superset) is published too; the
//     service publishes municipalities, cohorts and the pool only, so the
//     nested pairs MayRelease is asked about are the ones that matter.
#ifndef KAIZEN_SERVICES_SURVEY_DISCLOSURE_H_
#define KAIZEN_SERVICES_SURVEY_DISCLOSURE_H_

#include <vector>

namespace kaizen::survey::disclosure {

// The default minimum group size, and the floor no configuration goes below.
inline constexpr int kDefaultK = 5;
inline constexpr int kMinimumK = 3;

// The k in force for a configured value: kDefaultK when `configured` <= 0
// (unset), otherwise max(kMinimumK, configured). Both functions below apply
// it to their `k` themselves, so a caller cannot weaken the rule by passing
// a raw value; for valid k it changes nothing.
int EffectiveK(int configured);

// May the aggregate of a group of `group_n` respondents be shown to a
// non-staff caller beside an aggregate of a superset of `superset_n`
// respondents (the group included)? True only when
//   group_n >= k, and
//   the rest, superset_n - group_n, is 0 or >= k.
// Why the second condition: the superset's sum minus the group's sum is the
// rest's sum (n times a mean is a sum), so a published pair of means gives
// away the mean of the rest. With a rest of 1 that is one person's exact
// score; with 2, one person's score to anyone who knows the other's.
// Example: a municipality of 6 beside a pool of 10 (k = 5) passes the first
// test but leaves 4 people whose mean is 10*pool_mean - 6*mean over 4:
// refused. A rest of 0 is the group itself and reveals nothing new.
//
// Ask once per superset the group is published beside (or could be, in
// another query the same caller can make). The queries it protects:
//   - municipality vs pool (bird's eye: GetMunicipalityProfile shows both);
//   - municipality vs cohort (a cohort's aggregate, e.g. the fish's eye of
//     the whole cohort, against one municipality inside it);
//   - cohort-filtered vs unfiltered (GetMunicipalityProfile with `cohort`
//     and without: their difference is that municipality's respondents in
//     the other cohorts).
// Inconsistent input (negative counts, group_n > superset_n) is refused.
bool MayRelease(int group_n, int superset_n, int k);

// Complementary cell suppression for a one-dimensional table of counts
// whose total is published (e.g. respondents per strongest wall). Returns,
// per cell, whether it must be hidden:
//   1. primary: every cell with 0 < count < k;
//   2. complementary: while the hidden cells are fewer than two (then
//      total - shown = the hidden cell), or their sum is below k (then the
//      hidden cells together are a small group), or their sum equals their
//      number (then, since zeros are shown and a hidden cell is therefore at
//      least 1, every hidden cell is exactly 1), also hide the smallest
//      remaining non-zero cell (the first of equal ones);
//   3. if no non-zero cell is left to hide and the rule above is still not
//      met, hide every cell.
// Result: no cell is hidden, or at least two are, hiding at least k
// respondents and more respondents than cells, so that no hidden cell's
// value follows from the total and the shown cells, even knowing that
// hidden cells are non-zero (the property test enumerates this).
//
// Zero cells stay public: a zero describes nobody, and hiding it protects
// no one while making the table useless. (Hiding zeros only when step 3
// hides everything is what keeps "hidden means non-zero" from pinning
// values there.)
//
// Step 3 happens exactly when the total itself is below k (then MayRelease
// refuses the whole group anyway), or when every non-zero cell is 1 (e.g.
// three cells of 1 with k = 3). In the second case a reader who knows this
// rule learns that each non-zero cell holds one respondent, but not which
// cells those are unless every cell is non-zero; a caller should then show
// the total without the table.
//
// Cells may overlap (a tie counts a respondent in several cells); the rule
// treats the published total as the sum of the cells, which is the
// stronger assumption. Negative counts are invalid input and are hidden.
std::vector<bool> SuppressCells(const std::vector<int>& counts, int k);

}  // namespace kaizen::survey::disclosure

#endif  // KAIZEN_SERVICES_SURVEY_DISCLOSURE_H_
