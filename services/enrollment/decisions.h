// The record of decisions on an application (Application.decisions, the
// secretariat's audit trail): who decided what, when and why. Hand
// acceptances and rejections, prioritisations, eligibility overrides,
// withdrawals and the offer events are recorded as they happen, inside the
// transaction that makes them, by AddHistory (internal.h) for the state
// changes and by the RPCs for the two decisions that change no state
// (prioritise, override). The kind is always what the caller did, passed
// explicitly: never read from the free-text reason (a secretariat may write
// "SEAT_AVAILABLE" or "OFFER_DECLINED" as its reason).
//
// Applications stored before the record existed have none: their decisions
// are derived from their state history (which kept actor, time and reason of
// every state change; there, and only there, the kind is inferred from state
// and reason, LegacyDecisionKind) plus their current priority (whose actor
// and time were never kept: it comes last). The first new decision on such
// an application seeds the record with that derivation, so nothing earlier
// is lost; reads of untouched ones derive it on the fly. No migration: the
// record lives in the stored application.
#ifndef KAIZEN_SERVICES_ENROLLMENT_DECISIONS_H_
#define KAIZEN_SERVICES_ENROLLMENT_DECISIONS_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_field.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"

namespace kaizen::enrollment {

using Decision = v1::Application::Decision;

// For deriving the decisions of applications stored before the record
// only: the decision a legacy history entry most likely was, or
// KIND_UNSPECIFIED (SUBMITTED, WAITLISTED, admission on arrival). The
// service's own reason codes (OFFER_ACCEPTED, OFFER_DECLINED, ...) tell an
// answered offer from a hand decision; a secretariat's reason that happens
// to spell one is misread, which is why new decisions never use this.
Decision::Kind LegacyDecisionKind(v1::Application::State entered, absl::string_view reason);

// Appends a decision to `app` (seeding legacy applications first, see
// above). `app.state()` is recorded as the state after it, so call it after
// the state moved. For PRIORITIZE, `previous_priority` and `priority`.
void RecordDecision(v1::Application& app, Decision::Kind kind, absl::Time time,
                    absl::string_view actor, absl::string_view reason,
                    int previous_priority = 0, int priority = 0);

// What the secretariat sees: the record, or for an application that has
// none, the derivation from its history and priority.
google::protobuf::RepeatedPtrField<Decision> DecisionsOf(const v1::Application& app);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_DECISIONS_H_
