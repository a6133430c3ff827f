#include "services/enrollment/decisions.h"

#include <string>

#include "common/util/proto_time.h"
#include "services/enrollment/enrollment_errors.h"

namespace kaizen::enrollment {
namespace {

// Decisions of an application stored before the record existed.
google::protobuf::RepeatedPtrField<Decision> Derived(const v1::Application& app) {
  google::protobuf::RepeatedPtrField<Decision> out;
  for (const v1::Application::StateChange& h : app.history()) {
    const Decision::Kind kind = LegacyDecisionKind(h.state(), h.reason());
    if (kind == Decision::KIND_UNSPECIFIED) continue;
    Decision* d = out.Add();
    d->set_kind(kind);
    *d->mutable_time() = h.time();
    d->set_actor(h.actor());
    d->set_reason(h.reason());
    d->set_state(h.state());
  }
  if (app.priority() != 0 || !app.priority_reason().empty()) {
    // Kept without actor or time before the record existed.
    Decision* d = out.Add();
    d->set_kind(Decision::PRIORITIZE);
    d->set_reason(app.priority_reason());
    d->set_priority(app.priority());
  }
  return out;
}

}  // namespace

Decision::Kind LegacyDecisionKind(v1::Application::State entered, absl::string_view reason) {
  switch (entered) {
    case v1::Application::ACCEPTED:
      if (reason == kOfferAccepted) return Decision::OFFER_ACCEPTED;
      // Admission on arrival is the rule, not a decision; an override's
      // admission follows the OVERRIDE_ELIGIBILITY decision recorded then.
      if (reason == kSeatAvailable || reason == kEligibilityOverridden) {
        return Decision::KIND_UNSPECIFIED;
      }
      return Decision::ACCEPT;
    case v1::Application::REJECTED:
      return Decision::REJECT;
    case v1::Application::OFFERED:
      return Decision::OFFER;
    case v1::Application::EXPIRED:
      return Decision::OFFER_EXPIRED;
    case v1::Application::WITHDRAWN:
      return reason == kOfferDeclined ? Decision::OFFER_DECLINED : Decision::WITHDRAW;
    default:
      return Decision::KIND_UNSPECIFIED;
  }
}

void RecordDecision(v1::Application& app, Decision::Kind kind, absl::Time time,
                    absl::string_view actor, absl::string_view reason, int previous_priority,
                    int priority) {
  if (app.decisions().empty()) {
    // Seed from what the application kept before this decision: its history
    // without the entry just added for this decision (AddHistory records the
    // decision before appending it) and its priority before the change.
    *app.mutable_decisions() = Derived(app);
  }
  Decision* d = app.add_decisions();
  d->set_kind(kind);
  *d->mutable_time() = ToProtoTimestamp(time);
  d->set_actor(std::string(actor));
  d->set_reason(std::string(reason));
  d->set_state(app.state());
  if (kind == Decision::PRIORITIZE) {
    d->set_previous_priority(previous_priority);
    d->set_priority(priority);
  }
}

google::protobuf::RepeatedPtrField<Decision> DecisionsOf(const v1::Application& app) {
  if (!app.decisions().empty()) return app.decisions();
  return Derived(app);
}

}  // namespace kaizen::enrollment
