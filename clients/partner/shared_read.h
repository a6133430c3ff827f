// Who may read one person's shared results (attendance, plan stage
// versions, survey profile: kaizen/type/partner.proto's ShareCategory), and
// the provision record a partner read leaves. Used by scheduling, plans and
// survey so that all three decide alike:
//
//   1. Authorise (before anything is read):
//      - a partner key (ROLE_PARTNER_HR with a municipality): the person must
//        be on the cohort's roster (enrollment: active participants) with
//        role PARTICIPANT, employed by the key's municipality, and consent to
//        the category now (Roster.Entry.consent); otherwise
//        NOT_SHARED_WITH_PARTNER, the same answer for an unknown cohort or
//        person (roster NOT_FOUND is mapped to it);
//      - the secretariat: allowed (no record: nothing leaves the programme);
//      - the person themself (their roster entry's subject): allowed;
//      - anyone else, Kaizen services included: OWN_RESULTS_ONLY.
//   2. The service reads its data.
//   3. RecordProvision, only for a partner, with the data items actually
//      about to be provided: enrollment re-checks municipality and consent in
//      the transaction that writes the record; an empty record name means
//      consent went away in between, and the service answers
//      NOT_SHARED_WITH_PARTNER and provides nothing.
//
// The participant name and the bundle id are validated by ParseSharedRead
// (INVALID_ARGUMENT INVALID_NAME naming `participant`, INVALID_FIELD naming
// `bundle`). Thread-safe; the gate blocks on enrollment (roster, then the
// record) for at most each client's deadline: call it outside any write
// transaction.
#ifndef KAIZEN_CLIENTS_PARTNER_SHARED_READ_H_
#define KAIZEN_CLIENTS_PARTNER_SHARED_READ_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/enrollment/roster.h"
#include "clients/partner/provision_recorder.h"
#include "kaizen/type/partner.pb.h"
#include "kaizen/type/principal.pb.h"

namespace kaizen::partner_client {

// A checked request for one person's shared results.
struct SharedReadRequest {
  std::string cohort_id;    // from the participant name
  std::string participant;  // "cohorts/{c}/participants/{p}"
  std::string bundle;       // "" or 1-64 of [A-Za-z0-9._-]
};

// INVALID_ARGUMENT as described above. `participant_field` names the field
// in errors (e.g. "participant").
absl::StatusOr<SharedReadRequest> ParseSharedRead(absl::string_view participant,
                                                  absl::string_view bundle,
                                                  absl::string_view participant_field = "participant");

// An authorised reader of one person's results in one category.
struct SharedReader {
  kaizen::type::Principal caller;
  SharedReadRequest request;
  kaizen::type::ShareCategory category = kaizen::type::SHARE_CATEGORY_UNSPECIFIED;
  // True for a partner key: the service must call Record before answering.
  bool is_partner = false;
  // The cohort's roster as fetched for the decision (services may use it,
  // e.g. plans checks every owner's consent for a team plan).
  std::shared_ptr<const enrollment_client::RosterView> roster;
  // The person's roster entry (points into `roster`).
  const enrollment_client::RosterEntry* entry = nullptr;
};

// Whether `entry` consents to `category` now.
bool Consents(const enrollment_client::RosterEntry& entry, kaizen::type::ShareCategory category);

class SharedReadGate {
 public:
  // Neither is owned; both must outlive the gate. `method` names each
  // service's RPC in records (full gRPC method name), given per call.
  SharedReadGate(enrollment_client::RosterSource* roster, ProvisionRecorder* recorder);

  // Step 1. Errors: PERMISSION_DENIED (NOT_SHARED_WITH_PARTNER,
  // OWN_RESULTS_ONLY), UNAVAILABLE (ENROLLMENT_UNAVAILABLE), INTERNAL.
  absl::StatusOr<SharedReader> Authorise(const kaizen::type::Principal& caller,
                                         const SharedReadRequest& request,
                                         kaizen::type::ShareCategory category) const;

  // Step 3. OK at once for a reader that is not a partner. For a partner,
  // records the provision of `data_items` (at least one) through `method`;
  // NOT_SHARED_WITH_PARTNER when enrollment refuses (consent revoked since
  // step 1); UNAVAILABLE (ENROLLMENT_UNAVAILABLE) when enrollment cannot be
  // reached: then nothing may be provided.
  //
  // `also_about`: other people the provided data is about too (the
  // co-owners of a team plan: their work is in it), each recorded as an item
  // of its own with the same category and data items, after the reader's
  // person, in one RecordProvision request (more than 100 items in all go
  // in consecutive requests of at most 100). Names equal to the person's or
  // repeated are recorded once. The caller must already have checked each
  // of them against the roster as it checks the person (participant,
  // municipality, consent): enrollment re-checks every item, and if it
  // refuses ANY of them the answer is NOT_SHARED_WITH_PARTNER and the
  // service provides nothing. Enrollment writes each item's record on its
  // own, so after such a refusal (a consent revoked in the moment between
  // step 1 and this call) the records of the other items remain although
  // nothing was provided: the record errs towards naming too many, never
  // too few.
  absl::Status Record(const SharedReader& reader, const std::vector<std::string>& data_items,
                      absl::string_view method,
                      const std::vector<std::string>& also_about = {}) const;

 private:
  enrollment_client::RosterSource* roster_;
  ProvisionRecorder* recorder_;
};

}  // namespace kaizen::partner_client

#endif  // KAIZEN_CLIENTS_PARTNER_SHARED_READ_H_
