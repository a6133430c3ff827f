// Small pieces the enrollment domain files share: resource names, time
// conversions, the field-violation collector, request-id replay, and the
// record writes every participant change goes through. Package-private
// (BUILD visibility); nothing here is API.
#ifndef KAIZEN_SERVICES_ENROLLMENT_INTERNAL_H_
#define KAIZEN_SERVICES_ENROLLMENT_INTERNAL_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "common/status/violations.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "google/type/money.pb.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/principal.pb.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

using ::kaizen::type::Principal;

inline constexpr int kMaxTeamSize = 10;
inline constexpr int kMaxRequestIdLength = 64;
// The only currency: fees and payments are whole yen.
inline constexpr absl::string_view kCurrencyCode = "JPY";
// History actor for what the service decides by itself (offers, expiry).
inline constexpr absl::string_view kSystemActor = "system";

// ---------------------------------------------------------------- time

google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& ts);
absl::Duration FromProto(const google::protobuf::Duration& d);
absl::CivilDay ToCivil(const google::type::Date& d);

// ---------------------------------------------------------------- names

std::string CohortName(const std::string& id);
std::string ApplicationName(const std::string& cohort_id, const std::string& id);
std::string ParticipantName(const std::string& cohort_id, const std::string& id);

// "cohorts/{cohort}" -> cohort; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> ParseCohortName(absl::string_view field, absl::string_view name);
// "cohorts/{cohort}/<collection>/{id}" -> (cohort, id).
absl::StatusOr<std::pair<std::string, std::string>> ParseChildName(
    absl::string_view field, absl::string_view name, absl::string_view collection);

// Who a history entry or consent change names: the account, else "applicant"
// (someone with an application's access token).
std::string Actor(const Principal& p);

// ---------------------------------------------------------------- validation

// The field-violation collector (common/status/violations.h).
using ::kaizen::errors::Violations;

// request_id: at most kMaxRequestIdLength characters.
void CheckRequestId(Violations& v, const std::string& request_id);
// JPY (CURRENCY_NOT_JPY), whole yen, 0 (if allowed) or 1 to 10,000,000.
void CheckMoney(Violations& v, absl::string_view field, const google::type::Money& m,
                bool allow_zero);

// ---------------------------------------------------------------- idempotency

// What a request_id is bound to (common/storage/request_ids.h).
std::string Fingerprint(const google::protobuf::Message& m);
// The resource a retried create made the first time, if this is a retry;
// REQUEST_ID_REUSED if the id came with a different request.
absl::StatusOr<std::optional<std::string>> Replayed(EnrollmentTx& tx, const std::string& scope,
                                                    const std::string& request_id,
                                                    const google::protobuf::Message& request);

// The uniqueness key of an e-mail address (SHA-256 of the trimmed,
// lowercased address; the address itself is never a key).
std::string EmailKey(absl::string_view email);

// ---------------------------------------------------------------- records

// Moves `app` to `state` and records it in its history, and in its
// decisions as `decision` unless that is KIND_UNSPECIFIED (no decision:
// submission, waiting, admission on arrival). The caller names the kind
// (decisions.h); it is never inferred from `reason`.
void AddHistory(v1::Application& app, v1::Application::State state, absl::Time now,
                absl::string_view actor, absl::string_view reason,
                v1::Application::Decision::Kind decision);

// `c` with its three fields present (Consent's fields have presence so
// UpdateConsent can require them; elsewhere left out means false). Every
// consent stored and every one returned goes through this, so readers see
// the three fields, also of rows stored before they had presence.
v1::Consent WholeConsent(const v1::Consent& c);
// WholeConsent on `p`'s consent and consent history.
void WholeConsents(v1::Participant* p);

// Tells the partner feed that a PARTICIPANT changed (staff are not in the
// feed); the feed projects their current state when read.
absl::Status AppendParticipantChange(EnrollmentTx& tx, const v1::Participant& p,
                                     absl::Time now);

// The stored cohort plus what is computed on every read: seats and
// municipalities taken, etag (cohorts.cc; purge.cc uses it too).
absl::Status DecorateCohort(EnrollmentTx& tx, const CohortRecord& rec, v1::Cohort* out);

// Stores a changed participant (new revision, update_time) and appends it to
// the feed, after a RESULT_WITHDRAWN per category partners may no longer
// pull (consent revoked, participation cancelled: result_feed.h), and then,
// when their share_action_plan availability changed either way, a
// SHARE_ACTION_PLAN RESULT_CHANGED for each other active participant of the
// cohort and municipality (their team plans with this person appear or
// disappear: AppendTeamMateChanges). Fees and shipments use
// tx.UpdateParticipant directly: they are not the partners' business.
absl::Status SaveParticipant(EnrollmentTx& tx, ParticipantRecord& rec, absl::Time now);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_INTERNAL_H_
