// How a date poll is decided. Pure: a poll and a roster in, a result out.
//
// The rule (also in the API docs):
//  1. A slot qualifies only if at least one deciding staff member (navigator,
//     advisor or secretariat on the roster) answered YES.
//  2. Among qualifying slots the one with the most participants available
//     (YES or MAYBE) wins;
//  3. then the one with the most YES;
//  4. then the earlier slot.
// Staff answers never count as participants. People who did not answer a
// slot count as unavailable for it. The result lists, per slot, who can and
// cannot come, and a sentence explaining the choice.
#ifndef KAIZEN_SERVICES_SCHEDULING_POLL_RULE_H_
#define KAIZEN_SERVICES_SCHEDULING_POLL_RULE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kaizen/scheduling/v1/scheduling.pb.h"
#include "clients/enrollment/roster.h"

namespace kaizen::scheduling {

using ::kaizen::enrollment_client::RosterEntry;
using ::kaizen::enrollment_client::RosterView;

// Poll.Result.decided_by values.
inline constexpr char kDecidedByRule[] = "RULE";
inline constexpr char kDecidedBySecretariat[] = "SECRETARIAT";

// The stable id of a slot starting at `start`: "s" + Asia/Tokyo local
// YYYYMMDDHHMM, so editing candidates keeps ids (and answers) of unchanged
// slots.
std::string SlotId(absl::Time start);

// Decides by the rule, or confirms `forced_slot_id` (the secretariat's
// choice) when not empty. FAILED_PRECONDITION NO_QUALIFYING_SLOT when no
// slot qualifies; INVALID_ARGUMENT (field slot_id, UNKNOWN_SLOT) for a forced
// slot that is not a candidate.
absl::StatusOr<v1::Poll::Result> DecidePoll(const v1::Poll& poll,
                                            const RosterView& roster,
                                            const std::string& forced_slot_id);

}  // namespace kaizen::scheduling

#endif  // KAIZEN_SERVICES_SCHEDULING_POLL_RULE_H_
