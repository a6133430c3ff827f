// The rules of the APPI Art. 29 provision record (個人情報保護法第29条:
// 第三者提供に係る記録), pure and transport-free; the RPCs that use them are
// Enrollment::RecordProvision (provision.cc) and the lists and export
// (provision_list.cc).
//
// A record is written, in the same write transaction that checks it, for
// each item whose person is an ACTIVE PARTICIPANT of a cohort not purged,
// not erased, employed by the recipient key's municipality, and consenting
// to the item's category now (ProvisionAllowed). Records are append-only
// (provision_sql.h), survive purge and erasure, and are kept at least three
// years (README.md, "Provision records").
#ifndef KAIZEN_SERVICES_ENROLLMENT_PROVISION_H_
#define KAIZEN_SERVICES_ENROLLMENT_PROVISION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kaizen/enrollment/v1/enrollment.pb.h"
#include "kaizen/type/partner.pb.h"
#include "kaizen/type/principal.pb.h"
#include "services/enrollment/enrollment_store.h"

namespace kaizen::enrollment {

inline constexpr int kMaxProvisionItems = 100;
inline constexpr int kMaxProvisionDataItems = 20;
inline constexpr int kMaxProvisionDataItemChars = 100;
inline constexpr int kMaxProvisionMethodChars = 200;
inline constexpr int kMaxBundleIdChars = 64;

// Only these service principals (ROLE_SERVICE with this subject) provide
// partners with data, so only they may record a provision.
bool IsProvidingService(const kaizen::type::Principal& caller);

// Checks a RecordProvisionRequest completely (every violation at once):
//   recipient: ROLE_PARTNER_HR, a key id (1-200 printable ASCII) and a
//     municipality code of the master -> RECIPIENT_NOT_PARTNER naming
//     recipient.roles / recipient.subject / recipient.municipality_code
//     (MUNICIPALITY_* for a code that is not an employer);
//   items: 1 to 100 (FIELD_REQUIRED / INVALID_FIELD "items");
//   items[i].participant "cohorts/{c}/participants/{p}" (INVALID_NAME);
//   items[i].category one of the three (INVALID_FIELD);
//   items[i].data_items 1 to 20, each 1-100 printable ASCII characters
//     without spaces, none twice (FIELD_REQUIRED / INVALID_FIELD);
//   method "/package.Service/Method", 1-200 printable ASCII (FIELD_REQUIRED
//     / INVALID_FIELD);
//   bundle empty or 1-64 of [A-Za-z0-9._-] (INVALID_FIELD).
// The result is INVALID_ARGUMENT with a BadRequest listing each field.
absl::Status ValidateRecordProvision(const kaizen::type::RecordProvisionRequest& request);

// What the calling `service` may record (after ValidateRecordProvision):
// scheduling SHARE_ATTENDANCE with data items "attendance.*", plans
// SHARE_ACTION_PLAN "plan.*", survey SHARE_SURVEY_PROFILE "survey.*", and
// `method` starting with "/kaizen.<service>.". INVALID_ARGUMENT
// (INVALID_FIELD) naming items[i].category, items[i].data_items[j] or
// method; SERVICES_ONLY for any other service.
absl::Status CheckProvidedByCaller(absl::string_view service,
                                   const kaizen::type::RecordProvisionRequest& request);

// Whether `consent` shares `category` (false for UNSPECIFIED).
bool ConsentsTo(const v1::Consent& consent, kaizen::type::ShareCategory category);

// Everything a record needs to be allowed, except the consent test: the
// participant exists (`participant` non-null), is ACTIVE, role
// PARTICIPANT, not erased, in a cohort not purged, employed by
// `municipality_code`.
struct ProvisionSubject {
  const v1::Participant* participant = nullptr;
  bool cohort_purged = false;
  bool erased = false;
};
bool ProvisionAllowed(const ProvisionSubject& subject, absl::string_view municipality_code,
                      kaizen::type::ShareCategory category);

// 出欠, 行動計画, サーベイ結果, and for UNSPECIFIED 氏名・参加状況 (the change
// feed's record, below): the export's 区分.
const char* CategoryLabel(kaizen::type::ShareCategory category);

// The data items of a change-feed entry that names a person.
inline constexpr const char* kFeedDataItems[] = {"feed.display_name", "feed.state",
                                                 "feed.consent", "feed.cohort_title"};

// The record of one change-feed entry that gives `recipient` (a partner key)
// a person's name, state and consent in effect (ListChanges; category
// SHARE_CATEGORY_UNSPECIFIED: not a result but who the person is). Appended
// in the transaction that projects the entry, so the name leaves only with
// its record.
absl::Status RecordFeedProvision(EnrollmentTx& tx, const kaizen::type::Principal& recipient,
                                 const v1::Participant& person, const v1::Consent& in_effect,
                                 absl::Time now);

}  // namespace kaizen::enrollment

#endif  // KAIZEN_SERVICES_ENROLLMENT_PROVISION_H_
