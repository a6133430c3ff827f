// The partner feed's share of the services' results (issue 14): which
// categories a person shares with partners, the RESULT_WITHDRAWN tombstones
// written when that set shrinks, and the merge of scheduling's, plans' and
// survey's result-change logs into a ListChanges page (feed.cc assembles the
// page: enrollment's own changes first, then these).
//
// The rule every service change passes at read time, against the
// participant's current record (so a revocation hides changes logged before
// it, as the rest of the feed does): the participant exists, is a
// PARTICIPANT (staff are never in the feed), is employed by the caller's
// municipality (the secretariat sees all), is ACTIVE and consents to the
// change's category now. A change that fails it is skipped; its position is
// consumed all the same.
#ifndef KAIZEN_SERVICES_ENROLLMENT_RESULT_FEED_H_
#define KAIZEN_SERVICES_ENROLLMENT_RESULT_FEED_H_

#include <array>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/partner.pb.h"
#include "services/enrollment/enrollment_store.h"
#include "services/enrollment/feed_cursor.h"
#include "services/enrollment/feed_guard.h"

namespace kaizen::partner_client {
class ResultChangeSource;  // clients/partner/result_change_source.h
}  // namespace kaizen::partner_client

namespace kaizen::enrollment {

// What partners may pull about `p` now: the categories whose consent flag is
// set, for an ACTIVE PARTICIPANT; nothing otherwise (staff, cancelled).
// In ShareCategory order.
std::vector<kaizen::type::ShareCategory> EffectiveShares(const v1::Participant& p);

// Appends one RESULT_WITHDRAWN change per category in EffectiveShares(before)
// and not in EffectiveShares(after): a consent revocation withdraws the
// categories revoked, a cancellation every category shared until then. Call
// inside the write transaction that stores `after` (SaveParticipant does).
absl::Status AppendWithdrawals(EnrollmentTx& tx, const v1::Participant& before,
                               const v1::Participant& after, absl::Time now);

// A team mate's consent or participation hides or shows the team plans
// they co-own, which changes what GetSharedPlanStages answers for the other
// owners although nothing changed in plans. Plans shares a team plan only
// while all its owners are employed by one municipality, so the owners
// whose answer can change are among `after`'s other ACTIVE PARTICIPANTs of
// the same cohort and municipality: when SHARE_ACTION_PLAN is in exactly
// one of EffectiveShares(before) and EffectiveShares(after) (revocation,
// re-grant, cancellation), appends a RESULT_CHANGED with category
// SHARE_ACTION_PLAN for each of them (enrollment cannot see plans, so most
// will have no team plan with `after`: over-notifying is safe, a partner
// just pulls again, and ListChanges filters each row by the mate's current
// state, municipality and consent at read time). Call inside the write
// transaction that stores `after` (SaveParticipant does).
absl::Status AppendTeamMateChanges(EnrollmentTx& tx, const std::string& cohort_id,
                                   const v1::Participant& before, const v1::Participant& after,
                                   absl::Time now);

// Whether a RESULT_CHANGED of `category` about `p` (null: not found) may be
// delivered now to the partner of `municipality` ("" for the secretariat:
// all): the rule at the top of this file.
bool ResultChangeVisible(const v1::Participant* p, kaizen::type::ShareCategory category,
                         const std::string& municipality);

// Projects one RESULT_CHANGED row of enrollment's own log (a team mate's
// change, above) into `out` through the participant's current record;
// false when ResultChangeVisible says no (then `out` is left for the caller
// to drop).
absl::StatusOr<bool> ProjectOwnResultChange(EnrollmentTx& tx, const ChangeRecord& row,
                                            const std::string& municipality, v1::Change* out);

// The configured sources by kFeedSources index (nullptr: not configured;
// its position is carried through the cursor unchanged). Sources whose
// service() is none of kFeedSources' are ignored.
using FeedSources = std::array<partner_client::ResultChangeSource*, kFeedSources.size()>;
FeedSources ArrangeFeedSources(const std::vector<partner_client::ResultChangeSource*>& sources);

// One source's answer for a page.
struct SourcePage {
  bool asked = false;  // configured and given a budget
  absl::StatusOr<kaizen::type::ListResultChangesResponse> response =
      absl::UnknownError("not asked");
};
using SourcePages = std::array<SourcePage, kFeedSources.size()>;

// Asks every configured source for up to `budget` changes after its
// position, all at once (one thread each, every call bounded by its
// client's deadline): a page waits for the slowest source, not for the sum.
// Asks none when budget <= 0. Call outside any transaction.
SourcePages FetchResultChanges(const FeedSources& sources, const FeedPosition& position,
                               int budget);

// FetchResultChanges through `guard` (feed_guard.h): a source resting after
// a recent failure is not called (its page is asked, failing with
// RESULT_SOURCE_UNAVAILABLE, so it is named in unavailable_sources); every
// source called has its outcome recorded at `now` (an error or an answer
// that is not WellFormed is a failure).
SourcePages FetchGuardedResultChanges(FeedGuard& guard, absl::Time now, FeedSources sources,
                                      const FeedPosition& position, int budget);

// Whether a source's answer to "after `after`" can be trusted to move the
// position: every sequence past `after` and increasing, and last_sequence
// exactly the last change's sequence (`after` when there is none). A
// position past the source's head (a restored backup) cannot be detected
// from the answer: README.md, "After a restore".
bool WellFormed(const kaizen::type::ListResultChangesResponse& r, int64_t after);

// Appends to `response` the changes of `pages` that pass the rule above, in
// kFeedSources order, consuming at most `budget` log entries in all, and
// moves position->sources past what it consumed (a source truncated by the
// budget stops after its last consumed entry). A source whose call failed,
// or whose answer is malformed (not WellFormed), keeps its position and is
// named in unavailable_sources.
// Repeated RESULT_CHANGED of one person and category within the page are
// folded into the last one (a partner pulls the current data once).
// `municipality` is the partner's ("" for the secretariat: all).
absl::Status MergeResultChanges(EnrollmentTx& tx, const std::string& municipality,
                                const SourcePages& pages, int budget, FeedPosition* position,
                                v1::ListChangesResponse* response);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_RESULT_FEED_H_
